"""``cjm lab`` registers the notebooks' kernel when Jupyter does not know it, so JupyterLab never asks for one."""

from __future__ import annotations

import json

from cjmlib.run import lab


def test_a_missing_kernel_is_registered_in_this_python(tmp_path, monkeypatch):
    monkeypatch.setattr(lab.KernelSpecManager, "find_kernel_specs", lambda self: {})
    monkeypatch.setattr(lab.sys, "prefix", str(tmp_path))
    assert lab.ensure_kernel() is None
    spec = json.loads((tmp_path / "share" / "jupyter" / "kernels" / "cjm" / "kernel.json").read_text())
    assert spec["display_name"] == "CJM Workbench" and spec["argv"][0] == lab.sys.executable


def test_a_kernel_already_there_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(lab.KernelSpecManager, "find_kernel_specs", lambda self: {"cjm": "/somewhere"})
    monkeypatch.setattr(lab.sys, "prefix", str(tmp_path))
    assert lab.ensure_kernel() is None and not (tmp_path / "share").exists()
