"""The runner: parameters checked before anything runs, failures that leave the last good report."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import KERNEL

from cjmlib.cli import main
from cjmlib.errors import RunError
from cjmlib.run import runner, steps

PARAMS = {"project_dir": "/x", "run_dir": "/y", "as_of": "", "language": "en", "audience": "client"}
FIRST = steps.NOTEBOOKS_DIR / "01-goals.ipynb"


def test_parameters_must_match_exactly():
    steps.check_parameters(FIRST, PARAMS)
    with pytest.raises(RunError, match="unknown parameter.*client_id"):
        steps.check_parameters(FIRST, {**PARAMS, "client_id": "00123"})
    with pytest.raises(RunError, match="missing parameter.*as_of"):
        steps.check_parameters(FIRST, {k: v for k, v in PARAMS.items() if k != "as_of"})
    with pytest.raises(RunError, match="as_of must be str, got int"):
        steps.check_parameters(FIRST, {**PARAMS, "as_of": 20260101})


def test_unknown_only_step_is_refused(demo_project):
    with pytest.raises(RunError) as info:
        runner.run_playbook(demo_project, only="99-nothing", kernel_name=KERNEL)
    assert info.value.exit_code == 2


def _broken_notebooks(tmp_path: Path, step: str) -> Path:
    folder = tmp_path / "notebooks"
    shutil.copytree(steps.NOTEBOOKS_DIR, folder)
    path = folder / f"{step}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('raise ValueError("the export has no column named basket")'))
    nbformat.write(nb, path)
    return folder


def test_published_run(published_demo):
    latest = published_demo / "reports" / "latest"
    assert latest.is_symlink()
    manifest = json.loads((latest / "manifest.json").read_text())
    assert manifest["status"] == "succeeded"
    assert set(manifest["durations"]) >= {s.name for s in steps.STEPS} | {"load", "export", "total"}
    assert {"journey.yml", "data/events.csv"} <= set(manifest["inputs"])
    assert all(len(v["sha256"]) == 64 for v in manifest["inputs"].values())
    assert manifest["parameters"]["audience"] == "client"
    assert manifest["versions"]["papermill"] and manifest["versions"]["nbconvert"]
    assert not (latest / "work" / "engine.duckdb").exists()


def test_failing_step_leaves_latest_and_keeps_the_notebook(published_demo, tmp_path, monkeypatch, capsys):
    reports = published_demo / "reports"
    before = os.readlink(reports / "latest")
    monkeypatch.setattr(runner, "NOTEBOOKS_DIR", _broken_notebooks(tmp_path, "04-behaviour"))
    monkeypatch.setattr(runner, "KERNEL_NAME", KERNEL)
    code = main(["run", str(published_demo), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert os.readlink(reports / "latest") == before
    assert "04-behaviour" in err and "ValueError" in err and "basket" in err and "Traceback" not in err
    failed = max((reports / "runs").iterdir())
    assert failed.name != Path(before).name
    assert (failed / "notebooks" / "04-behaviour.ipynb").exists()
    assert not (failed / "notebooks" / "05-voice-of-customer.ipynb").exists()
    assert not (failed / "html").exists()
    manifest = json.loads((failed / "manifest.json").read_text())
    assert manifest["status"] == "failed" and "04-behaviour" in manifest["error"]


def test_only_one_step_reuses_the_latest_run(published_demo, monkeypatch):
    monkeypatch.setattr(runner, "KERNEL_NAME", KERNEL)
    result = runner.run_playbook(published_demo, only="06", kernel_name=KERNEL)
    assert set(result.durations) >= {"06-improvements"} and "04-behaviour" not in result.durations
    html = result.run_dir / "html"
    assert {p.name for p in html.glob("0*.html")} == {f"{s.name}.html" for s in steps.STEPS}
    assert os.readlink(published_demo / "reports" / "latest") == f"runs/{result.run_id}"


def test_steps_never_change_the_process_working_directory(published_demo, monkeypatch):
    # steps run in threads: a chdir in one (papermill's `cwd=`) would move the others' relative paths
    caller, moves = os.getcwd(), []
    chdir = os.chdir
    monkeypatch.setattr(os, "chdir", lambda path: (moves.append(str(path)), chdir(path))[1])
    result = runner.run_playbook(published_demo, only="01", kernel_name=KERNEL)
    assert result.status == "succeeded"
    assert set(moves) <= {caller} and os.getcwd() == caller, set(moves)  # never anywhere else
