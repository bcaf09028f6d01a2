"""The trend of a declared funnel week by week, and the weeks that break from the rest, on data built by hand.

Six weeks (Mondays 2026-01-05 … 2026-02-09), 40 sessions a week, every session landing then reaching the
basket (session i: platform mobile when i is even, desktop when odd, on the day Monday + i % 5). Of the 40,
``ORDERS[week]`` order: 32 every week but the week of 2026-01-12, where 4 do (sessions i < that number).
So at the order step:

======  =======  ========  =========================  ==========================
week    entered  ordered   mobile (entered, ordered)  desktop (entered, ordered)
======  =======  ========  =========================  ==========================
01-12   40       4         20, 2                      20, 2
other   40       32        20, 16                     20, 16
======  =======  ========  =========================  ==========================

Week 01-12 against the five others: 4 ÷ 40 = 10 % against 160 ÷ 200 = 80 %; per platform 2 ÷ 20 = 10 %
against 80 ÷ 100 = 80 %. A usual week against the rest: 80 % against 132 ÷ 200 = 66 % (not significant once
Holm-corrected). The basket step: 40 ÷ 40 every week (nothing to find).
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from helpers import write_csv

import cjmlib as cjm

SPEC = """\
project: {name: Trend shop, min_group_size: 5}
stages: [{id: visit}, {id: buy}]
touchpoints:
  - {id: home, stage: visit, match: {event: home_view}}
  - {id: basket, stage: buy, match: {event: basket_add}}
  - {id: paid, stage: buy, match: {event: order_paid}}
funnels:
  - {id: order, name: Order funnel, by: event, unit: session, steps: [home_view, basket_add, order_paid]}
  - {id: customers, name: Customers in 3 days, by: touchpoint, unit: user, window: 3d, steps: [home, basket, paid]}
breakdowns: [platform]
sources:
  events: {path: data/events.csv}
"""
ORDERS = {"2026-01-05": 32, "2026-01-12": 4, "2026-01-19": 32, "2026-01-26": 32, "2026-02-02": 32, "2026-02-09": 32}
MONDAYS = [dt.date.fromisoformat(day) for day in ORDERS]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trend")
    (folder / "journey.yml").write_text(SPEC, encoding="utf-8")
    rows = []
    for monday, orders in ORDERS.items():
        for i in range(40):
            day = (pd.Timestamp(monday) + pd.Timedelta(days=i % 5)).date().isoformat()
            user, platform = f"u{monday[5:7]}{monday[-2:]}{i}", ("mobile", "desktop")[i % 2]
            events = ["home_view", "basket_add"] + (["order_paid"] if i < orders else [])
            rows += [f"{user},{user}s,{day}T10:0{m}:00Z,{e},{platform}" for m, e in enumerate(events)]
    write_csv(folder / "data" / "events.csv", "user_id,session_id,ts,event,platform", rows)
    return cjm.load_project(folder)


def _funnel(project, funnel_id):
    return next(f for f in cjm.journey_funnels(project.spec) if f.id == funnel_id)


def test_each_week_counts_its_own_units_at_each_step(project):
    trend = cjm.funnel_trend(project, _funnel(project, "order"))
    paid = trend[trend.key == "order_paid"]
    assert paid.period.tolist() == MONDAYS
    assert paid.entered.tolist() == [40] * 6 and paid.converted.tolist() == [32, 4, 32, 32, 32, 32]
    assert paid.step_rate.tolist() == pytest.approx([0.8, 0.1, 0.8, 0.8, 0.8, 0.8])
    assert (paid.censored == 0).all() and set(paid.by) == {""} and set(paid.value) == {""}
    basket = trend[trend.key == "basket_add"]
    assert basket.converted.tolist() == [40] * 6 and basket.step.tolist() == [2] * 6
    low, high = paid.ci_low.iloc[1], paid.ci_high.iloc[1]  # Wilson 95 % of 4 of 40, by hand
    z, p, n = 1.959964, 0.1, 40
    centre, half = (p + z * z / (2 * n)) / (1 + z * z / n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert (low, high) == pytest.approx((centre - half, centre + half), abs=1e-6)


def test_the_weeks_add_up_to_the_declared_funnel(project):
    for funnel in cjm.journey_funnels(project.spec):
        trend = cjm.funnel_trend(project, funnel)
        table = cjm.declared_funnel_table(project, funnel).set_index("step")
        summed = trend.groupby("key")[["entered", "converted", "censored"]].sum()
        for key, row in summed.iterrows():
            assert (row.entered, row.converted, row.censored) == tuple(table.loc[key, ["entered", "converted",
                                                                                      "censored"]]), (funnel.id, key)


def test_a_window_still_open_at_the_end_of_the_data_is_censored_not_lost(project):
    """The user funnel allows 3 days from the entry (10:00): a unit entering on 2026-02-11 or later still had time
    when the data ends (2026-02-13 10:02, the last order); one entering on 02-10 had until 02-13 10:00."""
    trend = cjm.funnel_trend(project, _funnel(project, "customers"))
    paid = trend[trend.key == "paid"].set_index("period")
    # last week: sessions i ≥ 32 did not order; those with i % 5 in (2, 3, 4) entered on 02-11 … 02-13:
    # i = 32, 33, 34, 37, 38, 39
    assert paid.loc[dt.date(2026, 2, 9), "censored"] == 6
    assert paid.loc[dt.date(2026, 2, 2), "censored"] == 0
    assert paid.loc[dt.date(2026, 1, 5), "censored"] == 0


def test_by_a_breakdown_column_each_value_has_its_series(project):
    trend = cjm.funnel_trend(project, _funnel(project, "order"), by="platform")
    paid = trend[trend.key == "order_paid"]
    assert set(paid.value) == {"mobile", "desktop"} and set(paid.by) == {"platform"}
    mobile = paid[paid.value == "mobile"]
    assert mobile.entered.tolist() == [20] * 6 and mobile.converted.tolist() == [16, 2, 16, 16, 16, 16]


def test_the_week_that_broke_is_found_and_only_it(project):
    funnel = _funnel(project, "order")
    trend = cjm.funnel_trend(project, funnel, by=[None, "platform"])
    separate = pd.concat([cjm.funnel_trend(project, funnel, by=c) for c in (None, "platform")], ignore_index=True)
    pd.testing.assert_frame_equal(trend, separate)  # the funnel counted once gives the same tables
    outliers = cjm.trend_outliers(trend, min_n=5)
    assert set(outliers.period) == {dt.date(2026, 1, 12)} and set(outliers.key) == {"order_paid"}
    overall = outliers[outliers.by == ""].iloc[0]
    assert (overall.n, overall.converted, overall.rest_n, overall.rest_converted) == (40, 4, 200, 160)
    assert overall.rate == pytest.approx(0.1) and overall.rest_rate == pytest.approx(0.8)
    # two-proportion z-test by hand, Holm over the 6 weeks: the smallest p is multiplied by 6
    pooled = 164 / 240
    z = (0.1 - 0.8) / math.sqrt(pooled * (1 - pooled) * (1 / 40 + 1 / 200))
    p = math.erfc(abs(z) / math.sqrt(2))
    assert overall.test == "z" and overall.p_value == pytest.approx(p, rel=1e-6)
    assert overall.p_adjusted == pytest.approx(min(1, 6 * p), rel=1e-6)
    assert sorted(outliers.value) == ["", "desktop", "mobile"]


def test_small_weeks_are_not_tested_and_nothing_is_found_on_a_flat_trend(project):
    trend = cjm.funnel_trend(project, _funnel(project, "order"))
    assert cjm.trend_outliers(trend, min_n=41).empty  # every week has 40 units: none is tested
    flat = trend[trend.key == "basket_add"]
    assert cjm.trend_outliers(flat, min_n=5).empty
    assert cjm.trend_outliers(trend.iloc[:0]).empty


def test_abandonment_of_a_step_for_the_weekly_chart(project):
    trend = cjm.funnel_trend(project, _funnel(project, "order"), by="platform")
    weekly = cjm.trend_abandonment(trend, key="order_paid", by="platform")
    desktop = weekly[weekly.platform == "desktop"]
    assert desktop.entered.tolist() == [20] * 6 and desktop.abandoned.tolist() == [4, 18, 4, 4, 4, 4]
    assert desktop.rate.tolist() == pytest.approx([0.2, 0.9, 0.2, 0.2, 0.2, 0.2])


def test_largest_drop_off_is_the_lowest_step_rate_among_steps_entered(project):
    table = cjm.declared_funnel_table(project, "order")
    assert cjm.largest_drop_off(table) == "order_paid"  # 164 of 240 against 240 of 240 at the basket
    by_hand = pd.DataFrame({"key": ["a", "b", "c", "d"], "entered": [10, 10, 8, 0], "step_rate": [1, 0.8, 0.5, 0.0]})
    assert cjm.largest_drop_off(by_hand) == "c"  # d was entered by nobody
    assert cjm.largest_drop_off(by_hand.iloc[:1]) == ""


def test_an_unknown_period_or_column_is_refused(project):
    with pytest.raises(ValueError, match="period must be one of day, week, month"):
        cjm.funnel_trend(project, _funnel(project, "order"), period="fortnight")
    with pytest.raises(ValueError, match="'plaftorm' is not a column of the events"):
        cjm.funnel_trend(project, _funnel(project, "order"), by="plaftorm")


def test_week_that_broke_is_the_largest_fall_with_enough_units():
    outliers = pd.DataFrame({"period": ["w1", "w2", "w3", "w4"], "n": [200, 10, 50, 80],
                             "difference": [0.30, -0.50, -0.20, -0.20], "p_adjusted": [1e-9, 1e-3, 0.01, 0.001]})
    # w1 rose (not a fall), w2 fell furthest but has 10 units; w3 and w4 tie: the smaller p_adjusted wins
    assert cjm.week_that_broke(outliers).period == "w4"
    assert cjm.week_that_broke(outliers, min_n=5).period == "w2"
    assert cjm.week_that_broke(outliers.iloc[:1]) is None
    assert cjm.week_that_broke(outliers.iloc[:0]) is None
