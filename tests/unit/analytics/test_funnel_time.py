"""A funnel over time, on data built by hand: its conversion week by week, and the time each step takes.

Funnel a → b → c by user (events ``a``, ``b``, ``c``); ``open`` is the same funnel with a one-day window.
Each user enters at 10:00 on the Tuesday of their week; the seconds after that of their events:

=====  ==========  ==============================  ============  ============  =========
week   user        events (seconds after entry)    a → b (s)     b → c (s)     a → c (s)
=====  ==========  ==============================  ============  ============  =========
01-05  u1          a 0, b 60, c 70, b 5000         60            10            70
01-05  u2          a 0, b 120                      120           —             —
01-05  u3          a 0, b 180, c 200               180           20            200
01-05  u4          b −10, a 0 (b came before a)    —             —             —
01-12  u5          a 0, b 240, c 270               240           30            270
01-12  u6 … u9     a 0                             —             —             —
01-19  u10         a 0, b 300, c 340               300           40            340
01-19  u11         a 0, b 3600, c 4600             3600          1000          4600
01-19  u12         a 0 on Friday: the last event   —             —             —
=====  ==========  ==============================  ============  ============  =========

Conversion (c ÷ a): week 01-05 2 of 4, 01-12 1 of 5, 01-19 2 of 3. Wilson 95 % by hand
(centre (p + z²/2n) ÷ (1 + z²/n), half-width z·√(p(1−p)/n + z²/4n²) ÷ (1 + z²/n), z = 1.959964):
2/4 → 0.150039–0.849961; 1/5 → 0.036224–0.624465; 2/3 → 0.207660–0.938508. With the one-day window,
u12's window is still open when the data ends (its entry is the last event): 1 censored in week 01-19.

Times (percentiles linearly interpolated between the sorted values, position (n − 1)·q):
b from a, n = 6: 60 120 180 240 300 3600 → p10 90, q1 135, median 210, q3 285, p90 1950;
c from b, n = 5: 10 20 30 40 1000 → p10 14, q1 20, median 30, q3 40, p90 616;
c from a, n = 5: 70 200 270 340 4600 → p10 122, q1 200, median 270, q3 340, p90 2896.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from helpers import write_csv

import cjmlib as cjm

SPEC = """\
project: {name: Time shop, min_group_size: 1}
stages: [{id: visit}]
touchpoints:
  - {id: page, stage: visit, match: {event: [a, b, c]}}
funnels:
  - {id: steps, name: Steps, by: event, unit: user, steps: [a, b, c]}
  - {id: open, name: Steps in a day, by: event, unit: user, window: 1d, steps: [a, b, c]}
sources:
  events: {path: data/events.csv}
"""
WEEKS = {"2026-01-06": {"u1": {"a": [0], "b": [60, 5000], "c": [70]}, "u2": {"a": [0], "b": [120]},
                        "u3": {"a": [0], "b": [180], "c": [200]}, "u4": {"b": [-10], "a": [0]}},
         "2026-01-13": {"u5": {"a": [0], "b": [240], "c": [270]},
                        **{f"u{i}": {"a": [0]} for i in range(6, 10)}},
         "2026-01-20": {"u10": {"a": [0], "b": [300], "c": [340]}, "u11": {"a": [0], "b": [3600], "c": [4600]}}}
MONDAYS = [dt.date(2026, 1, 5), dt.date(2026, 1, 12), dt.date(2026, 1, 19)]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("funnel_time")
    (folder / "journey.yml").write_text(SPEC, encoding="utf-8")
    rows = []
    for tuesday, users in WEEKS.items():
        for user, events in users.items():
            start = pd.Timestamp(f"{tuesday}T10:00:00Z")
            rows += [f"{user},{user}s,{(start + pd.Timedelta(seconds=s)).isoformat()},{event}"
                     for event, seconds in events.items() for s in seconds]
    rows.append("u12,u12s,2026-01-23T10:00:00+00:00,a")  # Friday of the third week: the last event of the data
    write_csv(folder / "data" / "events.csv", "user_id,session_id,ts,event", rows)
    return cjm.load_project(folder)


def test_each_week_counts_entries_and_conversions_with_their_wilson_interval(project):
    trend = cjm.conversion_trend(project, ["steps"])
    assert trend.period.tolist() == MONDAYS
    assert trend.entered.tolist() == [4, 5, 3] and trend.converted.tolist() == [2, 1, 2]
    assert trend.rate.tolist() == pytest.approx([2 / 4, 1 / 5, 2 / 3])
    assert trend.ci_low.tolist() == pytest.approx([0.150039, 0.036224, 0.207660], abs=1e-6)
    assert trend.ci_high.tolist() == pytest.approx([0.849961, 0.624465, 0.938508], abs=1e-6)
    assert (trend.censored == 0).all() and set(trend.funnel) == {"steps"} and set(trend.funnel_name) == {"Steps"}


def test_an_open_window_at_the_end_of_the_data_is_censored_not_lost(project):
    trend = cjm.conversion_trend(project, ["open"], period="week")
    assert trend.converted.tolist() == [2, 1, 2] and trend.censored.tolist() == [0, 0, 1]


def test_every_funnel_of_the_spec_by_default_and_the_weeks_add_up_to_the_funnel_table(project):
    trend = cjm.conversion_trend(project)
    assert list(dict.fromkeys(trend.funnel)) == ["steps", "open"]
    for funnel in cjm.journey_funnels(project.spec):
        table = cjm.declared_funnel_table(project, funnel)
        weeks = trend[trend.funnel == funnel.id]
        assert weeks.entered.sum() == table.units.iloc[0] == 12
        assert weeks.converted.sum() == table.units.iloc[-1] == 5


def test_time_from_the_previous_step_has_the_quartiles_worked_out_by_hand(project):
    times = cjm.time_to_convert(project, "steps")
    assert times.key.tolist() == ["b", "c"] and times.step.tolist() == [2, 3] and times.n.tolist() == [6, 5]
    assert times.iloc[0][["p10_seconds", "q1_seconds", "median_seconds", "q3_seconds", "p90_seconds"]].tolist() == \
        pytest.approx([90, 135, 210, 285, 1950])
    assert times.iloc[1][["p10_seconds", "q1_seconds", "median_seconds", "q3_seconds", "p90_seconds"]].tolist() == \
        pytest.approx([14, 20, 30, 40, 616])
    assert set(times.since) == {"previous"}


def test_time_from_entry_adds_the_steps_up(project):
    times = cjm.time_to_convert(project, "steps", since="entry")
    assert times.iloc[0].median_seconds == pytest.approx(210)  # step 2: the previous step is the entry
    assert times.iloc[1][["p10_seconds", "q1_seconds", "median_seconds", "q3_seconds", "p90_seconds"]].tolist() == \
        pytest.approx([122, 200, 270, 340, 2896])


def test_the_median_agrees_with_the_funnel_table(project):
    for funnel in cjm.journey_funnels(project.spec):
        table = cjm.declared_funnel_table(project, funnel).iloc[1:]
        times = cjm.time_to_convert(project, funnel)
        assert times.median_seconds.tolist() == pytest.approx(table.median_seconds.tolist())
        assert times.p90_seconds.tolist() == pytest.approx(table.p90_seconds.tolist())
        assert times.n.tolist() == table.converted.tolist()


def test_a_step_nobody_reached_has_no_time(project):
    funnel = next(f for f in cjm.journey_funnels(project.spec) if f.id == "steps")
    times = cjm.time_to_convert(project, funnel.model_copy(update={"steps": ["c", "a"]}))
    assert times.n.tolist() == [0] and times.median_seconds.isna().all()


def test_since_must_be_named(project):
    with pytest.raises(ValueError, match="previous, entry"):
        cjm.time_to_convert(project, "steps", since="first")


def test_demo_times_and_weeks_agree_with_the_funnel_tables(demo_project):
    project = cjm.load_project(demo_project)
    trend = cjm.conversion_trend(project)
    for funnel in cjm.journey_funnels(project.spec):
        table = cjm.declared_funnel_table(project, funnel)
        times = cjm.time_to_convert(project, funnel)
        assert times.median_seconds.tolist() == pytest.approx(table.median_seconds.iloc[1:].tolist())
        assert times.n.tolist() == table.converted.iloc[1:].tolist()
        weeks = trend[trend.funnel == funnel.id]
        assert (weeks.entered.sum(), weeks.converted.sum()) == (table.units.iloc[0], table.units.iloc[-1])
        assert ((weeks.ci_low <= weeks.rate) & (weeks.rate <= weeks.ci_high)).all()
