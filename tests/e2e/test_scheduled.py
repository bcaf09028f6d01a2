"""Cron-safe runs: the lock, timeouts, stale data, run history and "what changed"."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil

import nbformat
import pytest
from conftest import KERNEL

from cjmlib.cli import main
from cjmlib.errors import LockedError, RunError
from cjmlib.run import runner, steps
from cjmlib.run.publish import (
    FAILED_RUN_DAYS,
    check_reports,
    mark_abandoned,
    project_lock,
    prune_runs,
    stale_warning,
    what_changed,
)


def test_a_second_run_is_refused_while_one_holds_the_lock(tmp_path, capsys):
    reports = tmp_path / "reports"
    (tmp_path / "journey.yml").write_text("project: {name: x}\n")
    with project_lock(reports):
        with pytest.raises(LockedError), project_lock(reports):
            pass
        assert main(["run", str(tmp_path)]) == 3
    assert "locked" in capsys.readouterr().err
    with project_lock(reports):  # released: the next run may start
        pass


def test_waves_respect_what_each_step_reads():
    waves = [[s.name for s in w] for w in steps.waves(list(steps.STEPS))]
    assert waves[0] == ["01-goals", "02-personas", "03-touchpoints", "04-behaviour"]
    assert waves[1:] == [["05-voice-of-customer"], ["06-improvements"], ["07-journey-map"]]


def test_what_changed_by_hand():
    january, february = {"period_start": "2026-01-01", "period_end": "2026-01-31"}, \
        {"period_start": "2026-02-01", "period_end": "2026-02-28"}  # periods that do not overlap: tested
    previous = [{"id": "c", "name": "Conversion", "unit": "share", "baseline": 0.10, "ci_low": 0.08, "ci_high": 0.12,
                 **january}]
    current = [{"id": "c", "name": "Conversion", "unit": "share", "baseline": 0.14, "ci_low": 0.12, "ci_high": 0.16,
                **february},
               {"id": "new", "name": "New", "unit": "share", "baseline": 0.5, "ci_low": 0.4, "ci_high": 0.6}]
    (row,) = what_changed(current, previous)
    assert (row["previous"], row["current"]) == (0.10, 0.14)
    se = math.sqrt(2) * 0.02 / 1.959963984540054
    assert row["delta"] == pytest.approx(0.04)
    assert row["ci_low"] == pytest.approx(0.04 - 1.959963984540054 * se)
    z = 0.04 / se
    assert row["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert row["significant"]
    assert what_changed(current, None) == []


def test_stale_warning():
    assert stale_warning("2026-01-01", as_of="2026-01-05", max_age_days=7) is None
    text = stale_warning("2026-01-01", as_of="2026-01-20", max_age_days=7)
    assert "19 days" in text and "2026-01-01" in text
    assert stale_warning("2026-01-01", as_of="2026-01-20", max_age_days=None) is None


def _runs(reports, statuses: dict[str, tuple[str, str]]):
    """Run folders named as runs are, each with a manifest of (status, started)."""
    for name, (status, started) in statuses.items():
        (reports / "runs" / name).mkdir(parents=True)
        (reports / "runs" / name / "manifest.json").write_text(json.dumps({"status": status, "started": started}))


NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def test_prune_keeps_the_newest_successes_and_latest(tmp_path):
    _runs(tmp_path, {name: ("succeeded", "2026-11-30T00:00:00+00:00") for name in ("r1", "r2", "r3", "r4")})
    os.symlink("runs/r1", tmp_path / "latest")
    assert prune_runs(tmp_path, keep=2, now=NOW) == ["r2"]
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["r1", "r3", "r4"]


def test_failed_runs_never_push_out_the_last_good_one(tmp_path):
    # keep_runs: 2; a success then two failures: the success stays, the failures are kept for diagnosis
    _runs(tmp_path, {"r1": ("succeeded", "2026-11-01T00:00:00+00:00"), "r2": ("succeeded", "2026-11-28T00:00:00+00:00"),
                     "r3": ("failed", "2026-11-29T00:00:00+00:00"), "r4": ("failed", "2026-11-30T00:00:00+00:00"),
                     "r0": ("abandoned", "2026-11-02T00:00:00+00:00")})
    os.symlink("runs/r2", tmp_path / "latest")
    assert prune_runs(tmp_path, keep=2, now=NOW) == ["r0"]  # only the abandoned run older than 14 days
    assert prune_runs(tmp_path, keep=1, now=NOW) == ["r1"]
    later = NOW + dt.timedelta(days=FAILED_RUN_DAYS + 1)
    assert prune_runs(tmp_path, keep=1, now=later) == ["r3", "r4"]
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["r2"]


def test_a_run_left_running_is_marked_abandoned_and_its_debris_removed(tmp_path):
    _runs(tmp_path, {"r1": ("succeeded", "2026-11-30T00:00:00+00:00"), "r2": ("running", "2026-11-30T01:00:00+00:00")})
    debris = tmp_path / "runs" / "r2"
    (debris / "html").mkdir()
    (debris / "html" / "01-goals.html").write_text("half")
    (debris / "work").mkdir()
    (debris / "work" / "engine.duckdb").write_bytes(b"x")
    assert mark_abandoned(tmp_path) == ["r2"]
    manifest = json.loads((debris / "manifest.json").read_text())
    assert manifest["status"] == "abandoned" and "stopped before it finished" in manifest["error"]
    assert not (debris / "html").exists() and not (debris / "work" / "engine.duckdb").exists()
    assert mark_abandoned(tmp_path) == []


def test_reports_that_cannot_take_a_run_are_named_with_the_fix(tmp_path, capsys):
    project = tmp_path / "shop"
    (project / "reports" / "latest").mkdir(parents=True)  # a copy made with cp -rL: a folder, not a link
    with pytest.raises(RunError, match=r"not a link to a run.*mv ") as info:
        check_reports(project / "reports")
    assert info.value.exit_code == 2
    (project / "reports" / "latest").rmdir()
    (project / "reports" / "runs").write_text("")
    with pytest.raises(RunError, match="is a file where the run history folder belongs"):
        check_reports(project / "reports")


def _slow_notebooks(tmp_path):
    folder = tmp_path / "notebooks"
    shutil.copytree(steps.NOTEBOOKS_DIR, folder)
    path = folder / "03-touchpoints.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import time\ntime.sleep(30)"))
    nbformat.write(nb, path)
    return folder


@pytest.fixture(scope="module")
def history_project(demo_project, tmp_path_factory):
    """A copy of the demo run twice: then with a third of the purchases removed from the events."""
    target = tmp_path_factory.mktemp("history") / "shop"
    shutil.copytree(demo_project, target, ignore=shutil.ignore_patterns("reports"))
    first = runner.run_playbook(target, kernel_name=KERNEL)
    events = (target / "data" / "events.csv").read_text().splitlines()
    kept, dropped = [events[0]], 0
    for line in events[1:]:
        if ",purchase," in line and dropped % 3 != 2:
            dropped += 1
            continue
        dropped += ",purchase," in line
        kept.append(line)
    (target / "data" / "events.csv").write_text("\n".join(kept) + "\n")
    second = runner.run_playbook(target, kernel_name=KERNEL)
    return target, first, second


def test_what_changed_after_two_runs_on_different_data(history_project):
    target, first, second = history_project
    manifest = json.loads((second.run_dir / "manifest.json").read_text())
    changes = {c["id"]: c for c in manifest["changes"]}
    # the same period with a third of the purchases removed: the change is shown, but the two runs count the
    # same sessions, so no independent-samples test is made and the note says why
    assert changes["conversion"]["delta"] < 0 and not changes["conversion"]["tested"]
    assert not changes["conversion"]["significant"] and "overlap" in changes["conversion"]["note"]
    index = (target / "reports" / "latest" / "html" / "index.html").read_text()
    assert "What changed since the last run" in index and "not tested" in index
    assert first.run_id in index
    assert manifest["inputs"]["data/events.csv"]["sha256"] != json.loads(
        (first.run_dir / "manifest.json").read_text())["inputs"]["data/events.csv"]["sha256"]


def test_a_timeout_fails_the_step_and_leaves_latest(history_project, tmp_path, monkeypatch):
    target, _first, second = history_project
    monkeypatch.setattr(runner, "NOTEBOOKS_DIR", _slow_notebooks(tmp_path))
    with pytest.raises(RunError) as info:
        runner.run_playbook(target, kernel_name=KERNEL, only="03", cell_timeout=3)
    assert info.value.step == "03-touchpoints" and info.value.ename == "CellTimeoutError"
    assert os.readlink(target / "reports" / "latest") == f"runs/{second.run_id}"
    failed = max((target / "reports" / "runs").iterdir())
    assert (failed / "notebooks" / "03-touchpoints.ipynb").exists() and not (failed / "html").exists()


def test_stale_data_warning_reaches_the_index(history_project):
    target, _first, _second = history_project
    spec = target / "journey.yml"
    spec.write_text(spec.read_text().replace("  min_group_size: 5", "  min_group_size: 5\n  stale_after_days: 7", 1))
    result = runner.run_playbook(target, kernel_name=KERNEL, only="01")
    index = (result.run_dir / "html" / "index.html").read_text()
    assert "days the spec allows" in index
