"""Bad input: every case of tests/bad_inputs/ gives one clear error or a reported correction.

For each case: the issue records name the file, the row and column where it applies, what is wrong
and how to fix it; `cjm validate` and `cjm run` exit with the documented code and never print a
traceback; an error publishes nothing; no file of the project is changed.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from bad_inputs.cases import CASES, build_base, build_case

from cjmlib import cli
from cjmlib.data import sources
from cjmlib.data.project import load_project, validate_project
from cjmlib.errors import Issue


@pytest.fixture(autouse=True)
def _no_secret_from_the_environment(monkeypatch):
    monkeypatch.delenv("CJM_SECRET", raising=False)


def _snapshot(project: Path) -> dict[str, str]:
    """sha256 of every file of the project outside reports/."""
    return {str(p.relative_to(project)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(project.rglob("*")) if p.is_file() and "reports" not in p.relative_to(project).parts}


def _as_of(case) -> list[str]:
    return ["--as-of", case.as_of] if case.as_of else []


def test_the_suite_covers_at_least_forty_cases():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)
    assert {c.expect for c in CASES} == {"error", "warning", "ok"}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input(case, tmp_path, capsys):
    project = build_case(case, tmp_path / case.name)
    before = _snapshot(project)

    code = cli.main(["validate", str(project), "--json", *_as_of(case)])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert code == (2 if case.expect == "error" else 0), out.out + out.err
    issues = [Issue(**record) for record in json.loads(out.out)]
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity != "error"]
    if case.expect == "error":
        assert set(case.codes) <= {i.code for i in errors}, [str(i) for i in issues]
    elif case.expect == "warning":
        assert not errors, [str(i) for i in errors]
        assert set(case.codes) <= {i.code for i in warnings}, [str(i) for i in issues]
    else:
        assert issues == [], [str(i) for i in issues]
    for issue in issues:  # each says where, what and how to fix it
        assert issue.file and issue.problem and issue.fix, str(issue)
    if case.codes:
        first = next(i for i in issues if i.code == case.codes[0])
        if case.row is not None:
            assert first.row == case.row, str(first)
        if case.column is not None:
            assert first.column == case.column, str(first)

    if case.expect == "error":
        code = cli.main(["run", str(project), "--quiet", *_as_of(case)])
        out = capsys.readouterr()
        assert code == 2 and "Traceback" not in out.out + out.err
        (line,) = out.out.splitlines()  # --quiet: one JSON line, with the first problem in full
        report = json.loads(line)
        assert report["status"] == "failed" and report["exit_code"] == 2
        first = Issue(**report["issue"])
        assert first.code in {i.code for i in errors} and first.file and first.problem and first.fix, report
        assert not (project / "reports" / "latest").exists()
        assert not list(project.glob("reports/runs/*/html")), "a failed run left pages behind"
    else:
        loaded = load_project(project, as_of=case.as_of)
        try:
            if case.check is not None:
                case.check(loaded)
        finally:
            loaded.con.close()
    if case.runs:
        code = cli.main(["run", str(project), "--quiet", *_as_of(case)])
        out = capsys.readouterr()
        assert code == 0 and "Traceback" not in out.out + out.err, out.out + out.err
        assert json.loads(out.out.splitlines()[-1])["status"] == "succeeded"
        assert len(list((project / "reports" / "latest" / "html").glob("*.html"))) >= 9
    assert _snapshot(project) == before, "a file of the project was changed"


def test_a_file_changing_while_it_is_read_is_an_error(tmp_path, monkeypatch):
    project = build_base(tmp_path / "p")
    read = sources.read_raw

    def read_then_append(con, name, path, source, file):
        result = read(con, name, path, source, file)
        if name == "orders":
            with open(path, "a", encoding="utf-8") as fh:
                fh.write("o99,u01,2026-01-08T10:00:00Z,5,1,paid\n")
        return result

    monkeypatch.setattr(sources, "read_raw", read_then_append)
    issues = validate_project(project)
    (issue,) = [i for i in issues if i.severity == "error"]
    assert (issue.code, issue.file) == ("file_changed", "data/orders.csv") and issue.fix


def test_validate_prints_each_problem_with_its_file(tmp_path, capsys):
    for name in ("events_binary", "spec_unknown_timezone"):
        case = next(c for c in CASES if c.name == name)
        project = build_case(case, tmp_path / name)
        assert cli.main(["validate", str(project)]) == 2
        out = capsys.readouterr().out
        (error,) = [i for i in validate_project(project) if i.severity == "error"]
        assert error.file in out and error.problem in out and error.fix in out


def test_the_command_line_itself_prints_no_traceback(tmp_path):
    chosen = ["events_binary", "events_ragged_row"]
    for case in (c for c in CASES if c.name in chosen):
        project = build_case(case, tmp_path / case.name)
        proc = subprocess.run([sys.executable, "-m", "cjmlib.cli", "validate", str(project), *_as_of(case)],
                              capture_output=True, text=True, check=False)
        assert "Traceback" not in proc.stdout + proc.stderr, case.name
        assert proc.returncode == (2 if case.expect == "error" else 0), proc.stdout + proc.stderr
