"""Touchpoint attribution on REES46 (../shared/data) equals an independent computation written here.

The check reads the CSV with the standard library, builds each unit's path with dicts, counts every
transition (a touchpoint repeated right after itself kept as a self-loop) and finds the probability
of conversion by iterating the chain (Gauss–Seidel) rather than solving it: nothing is shared with
the library but the definition of a path.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from itertools import pairwise
from pathlib import Path

import pytest
from helpers import REES_SPEC

import cjmlib as cjm

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"
TOUCHPOINT = {"view": "product", "cart": "cart"}  # REES_SPEC's match rules; a purchase is the conversion


@pytest.fixture(scope="module")
def rees(tmp_path_factory):
    path = SHARED_DATA / "rees46-oct2019-head" / "events.csv"
    if not path.exists():
        pytest.skip(f"the shared real data is not present at {SHARED_DATA}")
    folder = tmp_path_factory.mktemp("rees46")
    (folder / "journey.yml").write_text(REES_SPEC.format(path=path), encoding="utf-8")
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return cjm.load_project(folder), rows


def _paths(rows, *, unit: str, key) -> list[tuple[list[str], bool]]:
    """Each unit's touchpoints up to its first purchase (events at its instant included), and whether it bought."""
    events = defaultdict(list)
    for r in rows:
        events[r[unit]].append(r)
    out = []
    for unit_rows in events.values():
        bought = [r["event_time"] for r in unit_rows if r["event_type"] == "purchase"]
        until = min(bought) if bought else None
        steps = sorted((r["event_time"], key(r)) for r in unit_rows if r["event_type"] != "purchase" and key(r)
                       and (until is None or r["event_time"] <= until))
        out.append(([k for _, k in steps], until is not None))
    return out


def _conversion_probability(counts: dict, removed: str | None) -> float:
    x = {state: 0.0 for state in counts}
    while True:
        change = 0.0
        for state, targets in counts.items():
            if state == removed:
                continue
            total = sum(targets.values())
            value = sum(n * (1.0 if t == CONVERSION else 0.0 if t in (NULL, removed) else x[t])
                        for t, n in targets.items()) / total
            change, x[state] = max(change, abs(value - x[state])), value
        if change < 1e-15:
            return x[START]


def _independent(paths) -> dict:
    counts = defaultdict(Counter)
    first, last = Counter(), Counter()
    for keys, converted in paths:
        chain = [START, *keys, CONVERSION if converted else NULL]
        for a, b in pairwise(chain):
            counts[a][b] += 1
        if converted and keys:
            first[keys[0]] += 1
            last[keys[-1]] += 1
    whole = _conversion_probability(counts, None)
    touchpoints = sorted({k for keys, _ in paths for k in keys})
    return {"effect": {t: 1 - _conversion_probability(counts, t) / whole for t in touchpoints},
            "first": first, "last": last, "p": whole}


@pytest.mark.parametrize("by, unit, key", [
    ("touchpoint", "session", lambda r: TOUCHPOINT.get(r["event_type"])),
    ("touchpoint", "user", lambda r: TOUCHPOINT.get(r["event_type"])),
    ("category_code", "session", lambda r: r["category_code"]),
])
def test_rees46_removal_effects_equal_an_independent_chain(rees, by, unit, key):
    project, rows = rees
    paths = _paths(rows, unit={"session": "user_session", "user": "user_id"}[unit], key=key)
    expected = _independent(paths)
    table = cjm.touchpoint_attribution(project, "purchase", by=by, unit=unit, n_boot=0).set_index("touchpoint")
    assert set(table.index) == set(expected["effect"])
    assert len(table) >= 2 and table.removal_effect.max() > 0.05  # a chain with something to attribute
    for touchpoint, effect in expected["effect"].items():
        assert table.loc[touchpoint, "removal_effect"] == pytest.approx(effect, abs=1e-6), touchpoint
    assert table.first_touch_conversions.to_dict() == {t: expected["first"][t] for t in table.index}
    assert table.last_touch_conversions.to_dict() == {t: expected["last"][t] for t in table.index}
    units, conversions = len(paths), sum(converted for _, converted in paths)
    assert (table.units == units).all() and (table.conversions == conversions).all()
    assert expected["p"] == pytest.approx(conversions / units, abs=1e-9)  # the chain keeps the observed rate
    assert units == {"session": 3188, "user": 2867}[unit]


def test_rees46_bootstrap_interval_holds_the_estimate(rees):
    project, _ = rees
    table = cjm.touchpoint_attribution(project, "purchase", by="touchpoint", unit="session", n_boot=200, seed=1)
    assert ((table.low <= table.removal_effect) & (table.removal_effect <= table.high)).all()
    assert (table.high - table.low < 0.5).all()
