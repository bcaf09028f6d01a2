"""Touchpoint attribution: Markov removal effects, first and last touch, worked out by hand."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

import cjmlib as cjm
from cjmlib.analytics.attribution import ATTRIBUTION_COLUMNS, removal_effects

# Six users, touchpoints A, B, C; the conversion is the event "buy" (touchpoint "order").
#   u1: A B buy C       -> path A B, converts (C comes after the first conversion: not in the path)
#   u2: A C             -> path A C, does not convert
#   u3: B buy buy       -> path B, converts (the second purchase changes nothing)
#   u4: A B C           -> path A B C, does not convert
#   u5: C buy           -> path C, converts
#   u6: an event without touchpoint -> empty path, does not convert
ROWS = [
    ("u1", "s1", "2026-01-05 10:00", "view", "A"), ("u1", "s1", "2026-01-05 10:01", "view", "B"),
    ("u1", "s1", "2026-01-05 10:02", "buy", "order"), ("u1", "s1", "2026-01-05 10:03", "view", "C"),
    ("u2", "s2", "2026-01-05 10:00", "view", "A"), ("u2", "s2", "2026-01-05 10:01", "view", "C"),
    ("u3", "s3", "2026-01-05 10:00", "view", "B"), ("u3", "s3", "2026-01-05 10:02", "buy", "order"),
    ("u3", "s3", "2026-01-05 10:05", "buy", "order"),
    ("u4", "s4", "2026-01-05 10:00", "view", "A"), ("u4", "s4", "2026-01-05 10:01", "view", "B"),
    ("u4", "s4", "2026-01-05 10:02", "view", "C"),
    ("u5", "s5", "2026-01-05 10:00", "view", "C"), ("u5", "s5", "2026-01-05 10:02", "buy", "order"),
    ("u6", "s6", "2026-01-05 10:00", "scroll", None),
]

# Transitions (6 units):
#   (start) -> A 3 (u1 u2 u4), -> B 1 (u3), -> C 1 (u5), -> (null) 1 (u6)          out of 6
#   A -> B 2 (u1 u4), A -> C 1 (u2)                                                 out of 3
#   B -> (conversion) 2 (u1 u3), B -> C 1 (u4)                                      out of 3
#   C -> (null) 2 (u2 u4), C -> (conversion) 1 (u5)                                 out of 3
# Probability of converting from each touchpoint (x), whole chain:
#   x_C = 1/3;  x_B = 2/3 + 1/3 x_C = 7/9;  x_A = 2/3 x_B + 1/3 x_C = 14/27 + 3/27 = 17/27
#   P = (3 x_A + x_B + x_C) / 6 = (17/9 + 7/9 + 3/9) / 6 = 1/2   (= 3 conversions / 6 units)
# Without A (x_A = 0): P = (x_B + x_C) / 6 = (7/9 + 3/9) / 6 = 5/27;   effect 1 − (5/27)/(1/2) = 17/27
# Without B (x_B = 0): x_C = 1/3, x_A = 1/3 x_C = 1/9; P = (3/9 + 1/3) / 6 = 1/9;   effect 1 − 2/9 = 7/9
# Without C (x_C = 0): x_B = 2/3, x_A = 2/3 x_B = 4/9; P = (12/9 + 2/3) / 6 = 1/3;  effect 1 − 2/3 = 1/3
# Sum of effects 17/27 + 21/27 + 9/27 = 47/27: Markov shares 17/47, 21/47, 9/47.
EFFECT = {"A": 17 / 27, "B": 7 / 9, "C": 1 / 3}
SHARE = {"A": 17 / 47, "B": 21 / 47, "C": 9 / 47}


def _table(rows, columns=("user_id", "session_id", "ts", "event", "touchpoint")):
    df = pd.DataFrame(rows, columns=list(columns))
    df["ts"] = pd.to_datetime(df.ts, format="ISO8601")
    return ibis.memtable(df)


@pytest.fixture
def events():
    return _table(ROWS)


def test_removal_effects_by_hand(events):
    t = cjm.touchpoint_attribution(events, "buy", n_boot=0).set_index("touchpoint")
    assert list(t.columns) == ATTRIBUTION_COLUMNS[1:]
    assert sorted(t.index) == ["A", "B", "C"]  # "order" is the conversion, not a touchpoint
    for tp, effect in EFFECT.items():
        assert t.loc[tp, "removal_effect"] == pytest.approx(effect, abs=1e-9)
        assert t.loc[tp, "markov_share"] == pytest.approx(SHARE[tp], abs=1e-9)
        assert t.loc[tp, "lost_conversions"] == pytest.approx(3 * effect, abs=1e-9)
    assert (t.conversions == 3).all() and (t.units == 6).all() and (t.attributed == 3).all()
    assert list(t.index) == ["B", "A", "C"]  # largest effect first
    assert t.low.isna().all() and t.high.isna().all()  # no bootstrap asked


def test_first_and_last_touch_by_hand(events):
    # converting units: u1 (A B), u3 (B), u5 (C)
    # first touch: A 1 (u1), B 1 (u3), C 1 (u5);  last touch: B 2 (u1 u3), C 1 (u5), A 0
    # in a path: A u1 u2 u4 (1 converts), B u1 u3 u4 (2 convert), C u2 u4 u5 (1 converts)
    t = cjm.touchpoint_attribution(events, "buy", n_boot=0).set_index("touchpoint")
    assert t.first_touch_conversions.to_dict() == {"B": 1, "A": 1, "C": 1}
    assert t.last_touch_conversions.to_dict() == {"B": 2, "A": 0, "C": 1}
    assert t.loc["B", "last_touch"] == pytest.approx(2 / 3) and t.loc["A", "first_touch"] == pytest.approx(1 / 3)
    assert t.touched_units.to_dict() == {"B": 3, "A": 3, "C": 3}
    assert t.touched_conversions.to_dict() == {"B": 2, "A": 1, "C": 1}
    assert (t.last_touch_low <= t.last_touch).all() and (t.last_touch <= t.last_touch_high).all()
    assert t.loc["A", "last_touch_low"] == 0 and t.loc["A", "last_touch_high"] > 0


def test_the_chain_reproduces_the_observed_conversion_rate():
    # the counts of the hand case: rows A, B, C, (start); columns A, B, C, (conversion), (null)
    counts = np.array([[0, 2, 1, 0, 0], [0, 0, 1, 2, 0], [0, 0, 0, 1, 2], [3, 1, 1, 0, 1]], dtype=float)
    p, effects = removal_effects(counts)
    assert p == pytest.approx(1 / 2, abs=1e-12)
    assert effects == pytest.approx([17 / 27, 7 / 9, 1 / 3], abs=1e-12)


def test_a_loop_and_repeats_by_hand():
    # u1: A B A buy -> path A B A, converts;  u2: A A B -> path A B (A repeated counts once), does not
    #   (start) -> A 2;  A -> B 2, A -> (conversion) 1: out of 3;  B -> A 1, B -> (null) 1: out of 2
    #   x_A = 2/3 x_B + 1/3, x_B = 1/2 x_A  =>  x_A = 1/3 x_A + 1/3  =>  x_A = 1/2;  P = 2 · 1/2 / 2 = 1/2
    #   without A: P = 0, effect 1;  without B: x_A = 1/3, P = 1/3, effect 1 − (1/3)/(1/2) = 1/3
    rows = [("u1", "s1", "2026-01-05 10:00", "view", "A"), ("u1", "s1", "2026-01-05 10:01", "view", "B"),
            ("u1", "s1", "2026-01-05 10:02", "view", "A"), ("u1", "s1", "2026-01-05 10:03", "buy", "order"),
            ("u2", "s2", "2026-01-05 10:00", "view", "A"), ("u2", "s2", "2026-01-05 10:01", "view", "A"),
            ("u2", "s2", "2026-01-05 10:02", "view", "B")]
    t = cjm.touchpoint_attribution(_table(rows), "buy", n_boot=0).set_index("touchpoint")
    assert t.removal_effect.to_dict() == pytest.approx({"A": 1.0, "B": 1 / 3}, abs=1e-9)
    # a self-loop only delays: the same chain with A A A in u2 gives the same effects
    more = rows + [("u2", "s2", "2026-01-05 10:00:30", "view", "A")]
    again = cjm.touchpoint_attribution(_table(more), "buy", n_boot=0).set_index("touchpoint")
    assert again.removal_effect.to_dict() == pytest.approx(t.removal_effect.to_dict(), abs=1e-12)


def test_one_touchpoint_and_a_direct_conversion():
    # u1: A buy (converts), u2: A (does not), u3: buy with no touchpoint before (a direct conversion)
    #   (start) -> A 2, -> (conversion) 1;  A -> (conversion) 1, -> (null) 1
    #   P = (2 · 1/2 + 1) / 3 = 2/3;  without A: P = 1/3;  effect 1 − (1/3)/(2/3) = 1/2
    rows = [("u1", "s1", "2026-01-05 10:00", "view", "A"), ("u1", "s1", "2026-01-05 10:01", "buy", "order"),
            ("u2", "s2", "2026-01-05 10:00", "view", "A"), ("u3", "s3", "2026-01-05 10:00", "buy", "order")]
    t = cjm.touchpoint_attribution(_table(rows), "buy", n_boot=50)
    assert len(t) == 1 and t.touchpoint[0] == "A"
    assert t.removal_effect[0] == pytest.approx(1 / 2, abs=1e-9)
    assert (t.conversions[0], t.attributed[0], t.units[0]) == (2, 1, 3)
    assert (t.first_touch[0], t.last_touch[0], t.markov_share[0]) == (1.0, 1.0, 1.0)


def test_conversion_by_the_touchpoint_column_and_sessions(events):
    # by = conversion_by = "touchpoint": the conversion is the touchpoint "order"; the same paths
    t = cjm.touchpoint_attribution(events, "order", conversion_by="touchpoint", n_boot=0).set_index("touchpoint")
    assert t.removal_effect.to_dict() == pytest.approx(EFFECT, abs=1e-9)
    # one session a user: sessions give the same chain
    s = cjm.touchpoint_attribution(events, "buy", unit="session", n_boot=0).set_index("touchpoint")
    assert s.removal_effect.to_dict() == pytest.approx(EFFECT, abs=1e-9) and (s.unit == "session").all()


def test_user_paths_span_sessions_and_the_conversion_instant():
    # u1 s1: A;  u1 s2: B and buy at one instant, then C.  By user: path A B (B at the conversion's instant
    # counts), converts.  u2: A (no).  By session: s1 A (no), s2 B (converts), u2 A (no)
    rows = [("u1", "s1", "2026-01-05 10:00", "view", "A"), ("u1", "s2", "2026-01-06 10:00", "buy", "order"),
            ("u1", "s2", "2026-01-06 10:00", "view", "B"), ("u1", "s2", "2026-01-06 10:01", "view", "C"),
            ("u2", "s3", "2026-01-05 10:00", "view", "A")]
    # user: (start) -> A 2; A -> B 1, A -> (null) 1; B -> (conversion) 1. P = 2 · 1/2 / 2 = 1/2; without A 0,
    # without B 0: both effects 1
    users = cjm.touchpoint_attribution(_table(rows), "buy", n_boot=0).set_index("touchpoint")
    assert users.removal_effect.to_dict() == pytest.approx({"A": 1.0, "B": 1.0}, abs=1e-9)
    assert users.first_touch_conversions.to_dict() == {"A": 1, "B": 0}
    # session: (start) -> A 2, -> B 1; A -> (null) 2; B -> (conversion) 1: without A nothing changes
    sessions = cjm.touchpoint_attribution(_table(rows), "buy", unit="session", n_boot=0).set_index("touchpoint")
    assert sessions.removal_effect.to_dict() == pytest.approx({"A": 0.0, "B": 1.0}, abs=1e-9)
    assert sessions.units.iloc[0] == 3


def test_only_the_touchpoints_asked_for(events):
    # without C in the chain: u1 A B (converts), u2 A (no), u3 B (converts), u4 A B (no), u5 empty (converts
    # directly), u6 empty (no).  (start) -> A 3, -> B 1, -> (conversion) 1, -> (null) 1;
    # A -> B 2, A -> (null) 1; B -> (conversion) 2, B -> (null) 1.
    # x_B = 2/3, x_A = 2/3 · 2/3 = 4/9; P = (3 · 4/9 + 2/3 + 1) / 6 = 1/2
    # without A: P = (2/3 + 1) / 6 = 5/18, effect 1 − 5/9 = 4/9;  without B: P = 1/6, effect 2/3
    t = cjm.touchpoint_attribution(events, "buy", touchpoints=["A", "B"], n_boot=0).set_index("touchpoint")
    assert t.removal_effect.to_dict() == pytest.approx({"A": 4 / 9, "B": 2 / 3}, abs=1e-9)
    assert (t.attributed == 2).all() and (t.conversions == 3).all()


def test_bootstrap_interval_holds_the_estimate_and_is_deterministic(events):
    a = cjm.touchpoint_attribution(events, "buy", n_boot=300, seed=7)
    b = cjm.touchpoint_attribution(events, "buy", n_boot=300, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert ((a.low <= a.removal_effect) & (a.removal_effect <= a.high)).all()
    assert ((a.low >= 0) & (a.high <= 1)).all() and (a.high > a.low).all()
    c = cjm.touchpoint_attribution(events, "buy", n_boot=300, seed=8)
    assert not np.allclose(a[["low", "high"]], c[["low", "high"]])
    assert a.removal_effect.tolist() == c.removal_effect.tolist()  # the estimate does not depend on the seed


def test_bootstrap_of_identical_units_has_no_width():
    # every unit A B buy: whatever the resample, A and B are each needed for every conversion
    rows = [(f"u{i}", f"s{i}", f"2026-01-05 10:0{j}", e, tp) for i in range(5)
            for j, (e, tp) in enumerate([("view", "A"), ("view", "B"), ("buy", "order")])]
    t = cjm.touchpoint_attribution(_table(rows), "buy", n_boot=40)
    assert t.low.tolist() == [1.0, 1.0] and t.high.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("rows, reason", [
    ([], "no_units"),
    ([("u1", "s1", "2026-01-05 10:00", "view", "A"), ("u2", "s2", "2026-01-05 10:00", "view", "B")],
     "no_conversions"),
    ([("u1", "s1", "2026-01-05 10:00", "buy", "order"), ("u2", "s2", "2026-01-05 10:00", "view", "B")],
     "no_touchpoints"),
])
def test_degenerate_inputs_give_an_empty_table_that_says_why(rows, reason):
    df = pd.DataFrame(rows, columns=["user_id", "session_id", "ts", "event", "touchpoint"])
    df = df.astype({"user_id": "string", "session_id": "string", "event": "string", "touchpoint": "string"})
    df["ts"] = pd.to_datetime(df.ts, format="ISO8601")
    t = cjm.touchpoint_attribution(ibis.memtable(df), "buy")
    assert t.empty and list(t.columns) == ATTRIBUTION_COLUMNS
    assert t.attrs["reason"] == reason


def test_bad_arguments_name_what_is_allowed(events):
    with pytest.raises(ValueError, match="unit"):
        cjm.touchpoint_attribution(events, "buy", unit="visit")
    with pytest.raises(ValueError, match="Did you mean 'touchpoint'"):
        cjm.touchpoint_attribution(events, "buy", by="touchpoints")
    with pytest.raises(ValueError, match="n_boot"):
        cjm.touchpoint_attribution(events, "buy", n_boot=-1)


def test_a_project_and_its_default_funnel(small_project):
    # the default funnel: the stages by user; its conversion is reaching the stage "purchase" (the first
    # add_to_cart). Paths by touchpoint before it: u1 landing product; u2 product landing; u3 landing product
    # (product twice: once). All three convert.
    #   (start) -> landing 2, -> product 1; landing -> product 2, -> (conversion) 1;
    #   product -> (conversion) 2, -> landing 1.  x_landing = x_product = 1, P = 1.
    #   without landing: x_product = 2/3, P = (2/3) / 3 = 2/9, effect 7/9; without product: x_landing = 1/3,
    #   P = 2 · 1/3 / 3 = 2/9, effect 7/9
    project = cjm.load_project(small_project)
    t = cjm.funnel_attribution(project, cjm.journey_funnels(project.spec)[0], n_boot=20).set_index("touchpoint")
    assert t.removal_effect.to_dict() == pytest.approx({"landing": 7 / 9, "product": 7 / 9}, abs=1e-9)
    assert t.first_touch_conversions.to_dict() == {"landing": 2, "product": 1}
    assert t.last_touch_conversions.to_dict() == {"landing": 1, "product": 2}
    assert (t.units == 3).all() and (t.conversions == 3).all() and (t.unit == "user").all()
    assert t.attrs["funnel"] == t.funnel.iloc[0]
