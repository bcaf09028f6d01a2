"""Funnel options on event streams of 6–20 events, every expected count worked out by hand."""

from __future__ import annotations

import duckdb
import ibis
import numpy as np
import pandas as pd
import pytest

import cjmlib as cjm
from cjmlib.stats import wilson_interval

T0 = pd.Timestamp("2026-01-05 10:00:00")


def events(rows: list[str]):
    """An engine table from ``"user, minute, event"`` rows (one session per user)."""
    records = []
    for row in rows:
        user, minute, event = (part.strip() for part in row.split(","))
        records.append({"user_id": user, "session_id": f"s-{user}", "event": event,
                        "ts": T0 + pd.Timedelta(minutes=float(minute))})
    frame = pd.DataFrame(records)  # noqa: F841 (read by the engine below)
    con = duckdb.connect()
    con.execute("CREATE TABLE events AS SELECT * FROM frame")
    return ibis.duckdb.from_connection(con).table("events")


ORDER_ROWS = [
    "u1, 0, A", "u1, 1, B", "u1, 2, C",                 # in order, nothing between
    "u2, 0, A", "u2, 1, X", "u2, 2, B", "u2, 3, C",     # X between A and B
    "u3, 0, B", "u3, 1, A", "u3, 2, C",                 # B before A
    "u4, 0, A", "u4, 1, C",                             # skips B
    "u5, 0, C",                                         # never starts
]


@pytest.mark.parametrize("order, expected", [
    ("ordered", [4, 2, 2]),   # u1, u2 go through; u3's B came before A; u4 skips B
    ("strict", [4, 1, 1]),    # u2's A is followed by X, not B
    ("any", [4, 3, 3]),       # u3 did A, B and C in another order; u4 never did B
])
def test_order_modes(order, expected):
    table = cjm.funnel_table(events(ORDER_ROWS), ["A", "B", "C"], by="event", order=order)
    assert table.units.tolist() == expected
    assert table.order.iloc[0] == order


def test_strict_best_reentry_finds_a_later_entry():
    ev = events(["u1, 0, A", "u1, 1, X", "u1, 2, A", "u1, 3, B", "u2, 0, A", "u2, 1, B"])
    first = cjm.funnel_table(ev, ["A", "B"], by="event", order="strict")
    best = cjm.funnel_table(ev, ["A", "B"], by="event", order="strict", reentry="best")
    assert first.units.tolist() == [2, 1]   # u1's first A is followed by X
    assert best.units.tolist() == [2, 2]    # u1's second A is directly followed by B


def test_open_funnel_counts_entries_at_any_step():
    ev = events(["u1, 0, A", "u1, 1, B", "u1, 2, C", "u2, 0, B", "u2, 1, C", "u3, 0, C", "u4, 0, A"])
    closed = cjm.funnel_table(ev, ["A", "B", "C"], by="event")
    assert closed.units.tolist() == [2, 1, 1]
    table = cjm.funnel_table(ev, ["A", "B", "C"], by="event", entry="open")
    assert table.units.tolist() == [2, 2, 3]          # step 2: u1, u2; step 3: u1, u2, u3
    assert table.converted.tolist() == [2, 1, 2]      # from the previous step: u1; then u1, u2
    assert table.new_entries.tolist() == [2, 1, 1]    # u2 enters at B, u3 at C
    assert table.step_rate.tolist() == [1, 0.5, 1]
    assert table.drop_off.tolist() == [0, 1, 0]       # u4 stops at A
    assert table.rate.iloc[2] == 1.5 and np.isnan(table.ci_low.iloc[2])  # more units than at step 1: no interval


def test_totals_reenter_after_completion_only():
    # u1 completes twice then starts a third attempt; u2's second A falls inside its open attempt
    ev = events(["u1, 0, A", "u1, 1, B", "u1, 2, A", "u1, 3, B", "u1, 4, A", "u2, 0, A", "u2, 1, A", "u2, 2, B"])
    totals = cjm.funnel_table(ev, ["A", "B"], by="event", counting="totals")
    assert totals.units.tolist() == [4, 3]
    assert totals.counting.iloc[0] == "totals"
    assert cjm.funnel_table(ev, ["A", "B"], by="event").units.tolist() == [2, 2]


def test_totals_reenter_after_the_window_runs_out():
    # window 1.5 min: the attempt from A@0 times out at 1.5; A@2 starts a new one that reaches B@2.5
    ev = events(["u3, 0, A", "u3, 2, A", "u3, 2.5, B", "u3, 10, Z"])
    window = 1.5 / 1440
    totals = cjm.funnel_table(ev, ["A", "B"], by="event", counting="totals", window_days=window)
    assert totals.units.tolist() == [2, 1]
    uniques = cjm.funnel_table(ev, ["A", "B"], by="event", window_days=window)
    assert uniques.units.tolist() == [1, 0]  # the window starts at the first A and is not restarted
    best = cjm.funnel_table(ev, ["A", "B"], by="event", window_days=window, reentry="best")
    assert best.units.tolist() == [1, 1]


def test_exclusion_steps_remove_the_unit_from_the_whole_funnel():
    ev = events([
        "u1, 0, A", "u1, 1, X", "u1, 2, B", "u1, 3, C",   # X inside the attempt: removed
        "u2, 0, A", "u2, 1, B", "u2, 2, C", "u2, 3, X",   # X after the last step: kept
        "u3, 0, A", "u3, 1, B",                           # kept, stops at B
        "u4, 0, X", "u4, 1, A", "u4, 2, B",               # X before entering: kept
    ])
    table = cjm.funnel_table(ev, ["A", "B", "C"], by="event", exclude=["X"])
    assert table.units.tolist() == [3, 3, 1]


def test_step_windows_censoring_and_time_to_convert():
    ev = events([
        "u1, 0, A", "u1, 5, B",     # 300 s
        "u2, 0, A", "u2, 20, B",    # B after the 10-minute step window: dropped
        "u3, 100, A",               # window open until 110, data ends at 105: censored
        "u4, 0, A", "u4, 8, B",     # 480 s
    ])
    table = cjm.funnel_table(ev, ["A", "B"], by="event", step_window_days=[None, 10 / 1440],
                             data_end=T0 + pd.Timedelta(minutes=105))
    assert table.units.tolist() == [4, 2]
    assert table.censored.tolist() == [0, 1]
    assert table.drop_off.tolist() == [0, 1]                   # 4 entered − 2 converted − 1 censored
    assert table.median_seconds.iloc[1] == pytest.approx(390)  # (300 + 480) / 2
    assert table.p90_seconds.iloc[1] == pytest.approx(300 + 0.9 * 180)
    # once the data runs past u3's window, u3 has dropped
    later = cjm.funnel_table(ev, ["A", "B"], by="event", step_window_days=[None, 10 / 1440],
                             data_end=T0 + pd.Timedelta(minutes=200))
    assert later.censored.tolist() == [0, 0] and later.drop_off.tolist() == [0, 2]


def test_global_window_censors_units_near_the_end():
    ev = events(["u1, 0, A", "u1, 30, B", "u2, 0, A", "u2, 90, B", "u3, 100, A", "u4, 110, Z"])
    table = cjm.funnel_table(ev, ["A", "B"], by="event", window_days=1 / 24)
    # data ends at 110; u2's B came after its hour; u3 entered at 100 and still had until 160
    assert table.units.tolist() == [3, 1]
    assert table.censored.tolist() == [0, 1] and table.drop_off.tolist() == [0, 1]
    low, high = wilson_interval([1], [3])  # step rate 1 of 3 entered
    assert (table.step_ci_low.iloc[1], table.step_ci_high.iloc[1]) == pytest.approx((low[0], high[0]))


def test_repeated_step_needs_a_second_event():
    ev = events(["u1, 0, A", "u1, 1, B", "u1, 2, A", "u2, 0, A", "u2, 1, B"])
    assert cjm.funnel_table(ev, ["A", "B", "A"], by="event").units.tolist() == [2, 2, 1]


def test_bad_options_name_what_is_allowed():
    ev = events(["u1, 0, A"])
    with pytest.raises(ValueError, match="'ordered', 'strict', 'any'"):
        cjm.funnel_table(ev, ["A"], by="event", order="loose")
    with pytest.raises(ValueError, match="one value per step"):
        cjm.funnel_table(ev, ["A", "B"], by="event", step_window_days=[1])
    with pytest.raises(ValueError, match="totals"):
        cjm.funnel_table(ev, ["A", "B"], by="event", counting="totals", entry="open")


def test_stage_funnel_passes_options(small_project):
    project = cjm.load_project(small_project)
    table = cjm.stage_funnel(project, unit="session", order="strict")
    # s1: landing → product → cart, each directly; s4: landing → product, but its next event is a
    # second product view, not the cart; s2 and s3 go from landing straight to the cart
    assert table.stage.tolist() == ["awareness", "consideration", "purchase"]
    assert table.units.tolist() == [4, 2, 1]


def test_rees46_strict_funnel_equals_plain_sql(shared_data, tmp_path):
    from helpers import REES_SPEC

    path = shared_data / "rees46-oct2019-head" / "events.csv"
    (tmp_path / "journey.yml").write_text(REES_SPEC.format(path=path), encoding="utf-8")
    project = cjm.load_project(tmp_path)
    strict = cjm.funnel_table(project, ["view", "cart"], by="event", unit="session", order="strict",
                              reentry="best")
    expected = duckdb.connect().execute(f"""
        WITH e AS (SELECT user_session s, event_type ev, CAST(replace(event_time, ' UTC', '') AS TIMESTAMP) ts
                   FROM read_csv('{path}', all_varchar=true) WHERE user_session IS NOT NULL),
             n AS (SELECT *, lead(ev) OVER (PARTITION BY s ORDER BY ts, ev) nxt FROM e)
        SELECT count(DISTINCT s) FILTER (WHERE ev = 'view'), count(DISTINCT s) FILTER (WHERE ev = 'view' AND nxt = 'cart')
        FROM n""").fetchone()
    assert tuple(strict.units) == expected
    ordered = cjm.funnel_table(project, ["view", "cart"], by="event", unit="session")
    assert (strict.units <= ordered.units).all()
    # a one-hour window on 2.6 hours of data: some sessions are still open at the end
    windowed = cjm.funnel_table(project, ["view", "cart"], by="event", unit="session", window_days=1 / 24)
    assert windowed.censored.iloc[1] > 0
    assert windowed.drop_off.iloc[1] + windowed.censored.iloc[1] + windowed.units.iloc[1] == windowed.units.iloc[0]


@pytest.mark.parametrize("names", [("A", "B", "C"), ("C", "B", "A"), ("b", "a", "c")])
@pytest.mark.parametrize("order", ["ordered", "strict"])
def test_events_at_one_instant_count_in_the_funnels_order(names, order):
    # u1 does all three steps at the same second, u2 the second and third together a minute later:
    # "at or after" — whatever the steps are called, both convert
    one, two, three = names
    ev = events([f"u1, 0, {three}", f"u1, 0, {two}", f"u1, 0, {one}",
                 f"u2, 0, {one}", f"u2, 1, {three}", f"u2, 1, {two}"])
    table = cjm.funnel_table(ev, list(names), by="event", order=order)
    assert table.units.tolist() == [2, 2, 2]
    assert table.median_seconds.iloc[1] == 30  # u1 0 s, u2 60 s


def test_options_object_and_keywords_agree():
    ev = events(ORDER_ROWS)
    strict = cjm.FunnelOptions(order="strict")
    assert cjm.funnel_table(ev, ["A", "B", "C"], by="event", options=strict).units.tolist() == [4, 1, 1]
    # a keyword still wins over the object; the object is frozen and compared as a value
    assert cjm.funnel_table(ev, ["A", "B", "C"], by="event", options=strict, order="any").units.tolist() == [4, 3, 3]
    assert strict == cjm.FunnelOptions(order="strict") and strict.replace(order="any").order == "any"
    with pytest.raises(AttributeError):  # frozen dataclass
        strict.order = "any"
    with pytest.raises(ValueError, match="order must be one of"):
        cjm.FunnelOptions(order="loose")
    with pytest.raises(ValueError, match="either emulate= or options="):
        cjm.funnel_table(ev, ["A", "B"], by="event", options=strict, emulate="ga4")
