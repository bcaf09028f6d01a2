"""The cjm command: clear messages, the documented exit codes, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from cjmlib import cli
from cjmlib.demo.templates import new_project
from cjmlib.errors import RunError
from cjmlib.run import runner


def _run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "cjmlib.cli", *args], check=False, capture_output=True, text=True,
                          cwd=cwd)


def test_validate_lists_three_mistakes_with_lines(template_project):
    spec = template_project / "journey.yml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace("language: en ", "language: de ", 1)
    text = text.replace("    stage: consideration\n    channel: web\n    owner: E-commerce\n    frontstage: Search box",
                        "    stage: consideraton\n    channel: web\n    owner: E-commerce\n    frontstage: Search box", 1)
    text = text.replace("  - id: deal-planner\n    name:", "  - id: deal-planner\n    naem:", 1)
    spec.write_text(text, encoding="utf-8")
    proc = _run("validate", str(template_project))
    assert proc.returncode == 2
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out
    assert "3 problems" in out
    lines = text.splitlines()
    for needle, hint in (("language: de", "Allowed: 'en' or 'fr'"), ("stage: consideraton", "Did you mean 'consideration'"),
                         ("naem:", "Did you mean 'name'")):
        number = next(i for i, ln in enumerate(lines, 1) if needle in ln)
        assert f"line {number}" in out, needle
        assert hint in out


def test_validate_a_good_project(demo_project):
    proc = _run("validate", str(demo_project))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "valid" in proc.stdout


def test_validate_reports_missing_data_files(template_project):
    proc = _run("validate", str(template_project))
    assert proc.returncode == 2
    assert proc.stdout.count("does not exist") == 5  # events, orders, feedback, surveys, operations
    for name in ("events.csv", "orders.csv", "feedback.csv", "surveys.csv", "operations.csv"):
        assert name in proc.stdout, name


def test_new_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    proc = _run("new", str(tmp_path / "x"))
    assert proc.returncode == 1 and "not empty" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "x" / "keep.txt").read_text() == "mine"


def test_new_creates_a_project_with_a_private_secret(tmp_path):
    path = new_project(tmp_path / "p", with_data=False)
    assert (path / "journey.yml").exists() and (path / "data").is_dir()
    secret = path / ".cjm-secret"
    assert oct(secret.stat().st_mode & 0o777) == "0o600"
    assert ".cjm-secret" in (path / ".gitignore").read_text()


def test_run_on_a_missing_project_is_a_clear_error(tmp_path):
    proc = _run("run", str(tmp_path / "nowhere"))
    assert proc.returncode == 2
    assert "journey.yml" in proc.stderr and "Traceback" not in proc.stderr


def test_run_failure_exit_code_and_message(monkeypatch, capsys, tmp_path):
    def fail(*_a, **_k):
        raise RunError("step 04-behaviour failed in cell 5: KeyError: 'device'", step="04-behaviour", cell=5,
                       notebook=str(tmp_path / "04-behaviour.ipynb"))

    monkeypatch.setattr(runner, "run_playbook", fail)
    assert cli.main(["run", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    # a first run that fails must not claim that a last good run exists
    assert "04-behaviour" in err and "cell 5" in err and "latest still points" not in err
    assert "no run of this project has succeeded yet" in err

    good = tmp_path / "reports" / "runs" / "r0"
    good.mkdir(parents=True)
    (tmp_path / "reports" / "latest").symlink_to(good, target_is_directory=True)
    assert cli.main(["run", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "latest still points" in err and "no run of this project has succeeded yet" not in err


def test_unexpected_errors_print_one_line(monkeypatch, capsys, tmp_path):
    def boom(*_a, **_k):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(runner, "run_playbook", boom)
    monkeypatch.delenv("CJM_DEBUG", raising=False)
    assert cli.main(["run", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "unexpected error: ZeroDivisionError" in err and "Traceback" not in err


def test_quiet_prints_one_json_line(monkeypatch, capsys, tmp_path):
    import json

    def ok(directory, **_k):
        return runner.RunResult("r1", tmp_path, tmp_path / "index.html", "succeeded")

    monkeypatch.setattr(runner, "run_playbook", ok)
    assert cli.main(["run", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and json.loads(out[0])["status"] == "succeeded"


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"]])
def test_help(argv):
    proc = _run(*argv)
    assert proc.returncode == 0 and "cjm" in proc.stdout


def test_lab_copies_the_notebooks_pointed_at_the_project(tmp_path, monkeypatch, capsys):
    project = new_project(tmp_path / "p", with_data=False)
    calls = []
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd: calls.append(cmd) or 0)
    assert cli.main(["lab", str(project), "--no-browser", "--port", "8899"]) == 0
    (cmd,) = calls
    assert f"--ServerApp.root_dir={project.resolve()}" in cmd and "--port=8899" in cmd
    assert "--ServerApp.open_browser=False" in cmd and "--MappingKernelManager.default_kernel_name=cjm" in cmd
    assert "--LabApp.default_url=/lab/tree/notebooks/workbench.ipynb" in cmd
    token = next(a for a in cmd if a.startswith("--IdentityProvider.token=")).split("=", 1)[1]
    assert len(token) >= 32  # a fresh secret each time, printed in the URL
    assert f"http://127.0.0.1:8899/lab/tree/notebooks/workbench.ipynb?token={token}" in capsys.readouterr().err
    copied = sorted(p.name for p in (project / "notebooks").glob("*.ipynb"))
    assert "workbench.ipynb" in copied and "04-behaviour.ipynb" in copied
    for name in ("workbench.ipynb", "01-goals.ipynb"):  # parameterized as papermill does it
        nb = nbformat.read(project / "notebooks" / name, as_version=4)
        tags = [c.metadata.get("tags", []) for c in nb.cells]
        injected = tags.index(["injected-parameters"])
        assert "parameters" in tags[injected - 1]
        assert f'project_dir = "{project.resolve()}"' in nb.cells[injected].source.splitlines()
