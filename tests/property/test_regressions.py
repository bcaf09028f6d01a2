"""Small projects, each the smallest found of a failure the property test met (test_valid_means_runs.py).

Each test writes a project `cjm validate` accepts, runs the step notebooks in this process (the calls the
notebooks make) and asserts that the step named never raises. A test marked ``xfail`` reproduces a
failure not fixed yet: once the code is fixed it passes (XPASS), and the mark is to be removed.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import numpy as np
from notebook_exec import run_steps_in_process

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/helpers.py
from helpers import write_csv

import cjmlib as cjm
from cjmlib.data.project import load_project, validate_project


def step_failures(directory: Path, spec: str, files: dict[str, tuple[str, list[str]]]) -> dict[str, str]:
    """Write the project, check that it is valid, run every step; return notebook -> failure message."""
    (directory / "journey.yml").write_text(spec, encoding="utf-8")
    for name, (header, rows) in files.items():
        write_csv(directory / "data" / name, header, rows)
    errors = [str(i) for i in validate_project(directory) if i.severity == "error"]
    assert not errors, errors  # the premise: `cjm validate` says valid
    with contextlib.redirect_stdout(io.StringIO()):
        failures = run_steps_in_process(directory, directory / "run", keep_going=True)
    return {f.notebook: str(f) for f in failures}


def test_breakdown_cell_with_no_conversion_is_drawn(tmp_path):
    """wilson_interval(0, 3) has a lower bound a hair above 0 (5.6e-17): plot_breakdown drew a negative error
    bar and matplotlib raised "'xerr' must not contain negative values" in step 04 (fixed by clipping)."""
    spec = """\
project: {name: Plans, min_group_size: 1}
stages: [{id: visit}]
touchpoints:
  - {id: page, stage: visit, match: {event: view}}
  - {id: order, stage: visit, match: {event: buy}}
funnels:
  - {id: buying, by: event, steps: [view, buy], unit: user}
breakdowns: [plan]
sources:
  events: {path: data/events.csv}
"""
    rows = [f"u{i},s{i},2026-01-05T10:00:00Z,view,{'free' if i <= 3 else 'pro'}" for i in range(1, 7)]
    rows += [f"u{i},s{i},2026-01-05T10:05:00Z,buy,pro" for i in range(4, 7)]
    failures = step_failures(tmp_path, spec, {"events.csv": ("user_id,session_id,ts,event,plan", rows)})
    assert "04-behaviour.ipynb" not in failures, failures["04-behaviour.ipynb"]


def test_identical_customers_do_not_break_the_segments(tmp_path):
    """Every customer with the same features: KMeans found one cluster for k = 2 and the silhouette raised
    sklearn's "Number of labels is 1" in step 02; find_segments now reports one segment of everyone."""
    spec = """\
project: {name: Same visitors, min_group_size: 1}
stages: [{id: visit}]
touchpoints: [{id: home, stage: visit, match: {event: view}}]
sources:
  events: {path: data/events.csv}
"""
    rows = [f"u{i},s{i},2026-01-0{i}T10:00:00Z,view" for i in range(1, 7)]
    failures = step_failures(tmp_path, spec, {"events.csv": ("user_id,session_id,ts,event", rows)})
    assert "02-personas.ipynb" not in failures, failures["02-personas.ipynb"]
    found = cjm.find_segments(cjm.segment_features(load_project(tmp_path)), seed=0)
    assert found.k == 1 and found.labels.tolist() == [1] * 6 and found.silhouettes.silhouette.isna().all()


def test_user_with_no_matched_event_does_not_break_the_segments(tmp_path):
    """A user whose events match no touchpoint: segment_features divided the touchpoint counts by zero
    matched events (ZeroDivisionError on DuckDB's decimal sums, step 02); the shares are now NaN."""
    (tmp_path / "journey.yml").write_text("""\
project: {name: Unmatched visitor, min_group_size: 1}
stages: [{id: visit}]
touchpoints: [{id: home, stage: visit, match: {event: view}}]
sources:
  events: {path: data/events.csv}
""", encoding="utf-8")
    write_csv(tmp_path / "data" / "events.csv", "user_id,session_id,ts,event", [
        "u1,s1,2026-01-05T10:00:00Z,view",
        "u1,s2,2026-01-06T10:00:00Z,view",
        "u2,s3,2026-01-05T11:00:00Z,view",
        "u3,s4,2026-01-05T12:00:00Z,other",  # matches no touchpoint
    ])
    assert not [i for i in validate_project(tmp_path) if i.severity == "error"]
    project = load_project(tmp_path)
    features = cjm.segment_features(project)
    assert len(features) == 3
    assert features["interest:home"].isna().sum() == 1 and (features["interest:home"].dropna() == 1).all()


def test_sized_step_every_unit_converts(tmp_path):
    """Every unit reaches the sized step (rate 1.0): design_test raised "the baseline (1.0) and the target …
    must be different shares in (0, 1)" in step 06; the test plan's row now says why there is no plan."""
    spec = """\
project: {name: All buy, min_group_size: 1}
stages: [{id: visit}]
touchpoints:
  - {id: page, stage: visit, match: {event: view}}
  - {id: order, stage: visit, match: {event: buy}}
funnels:
  - {id: buying, by: event, steps: [view, buy], unit: user}
opportunities:
  - {id: faster, name: Faster, stage: visit, funnel: buying, step: buy, target_rate: 0.5,
     reach: 100, impact: 1, confidence: 0.5, effort: 1}
sources:
  events: {path: data/events.csv}
"""
    rows = [f"u{i},s{i},2026-01-0{i}T10:00:00Z,view" for i in range(1, 5)]
    rows += [f"u{i},s{i},2026-01-0{i}T10:05:00Z,buy" for i in range(1, 5)]
    failures = step_failures(tmp_path, spec, {"events.csv": ("user_id,session_id,ts,event", rows)})
    assert "06-improvements.ipynb" not in failures, failures["06-improvements.ipynb"]
    tests = cjm.opportunity_tests(cjm.sizing_table(load_project(tmp_path)))
    row = tests.iloc[0]
    assert row.baseline == 1 and np.isnan(row.n_per_arm) and np.isnan(row.days) and "100%" in row.note


def test_two_stages_of_the_same_name_keep_two_columns(tmp_path):
    """Two stages named alike: touchpoint_matrix grouped by stage name, gave two columns of that name and
    show_table raised "'DataFrame' object has no attribute 'dtype'" in step 03; the columns now carry the ids."""
    spec = """\
project: {name: Twins, min_group_size: 1}
stages: [{id: first, name: Step}, {id: second, name: Step}]
touchpoints:
  - {id: page, stage: first, match: {event: view}}
  - {id: order, stage: second, match: {event: buy}}
sources:
  events: {path: data/events.csv}
"""
    rows = ["u1,s1,2026-01-05T10:00:00Z,view", "u1,s1,2026-01-05T10:05:00Z,buy", "u2,s2,2026-01-06T10:00:00Z,view"]
    failures = step_failures(tmp_path, spec, {"events.csv": ("user_id,session_id,ts,event", rows)})
    assert "03-touchpoints.ipynb" not in failures, failures["03-touchpoints.ipynb"]
    matrix = cjm.touchpoint_matrix(load_project(tmp_path).spec)
    assert matrix.columns.tolist() == ["channel", "Step (first)", "Step (second)"]
