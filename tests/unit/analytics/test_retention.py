"""Retention: cohorts, repeat purchase and days between purchases, worked out by hand."""

from __future__ import annotations

import ibis
import matplotlib
import pandas as pd
import pytest
from helpers import write_csv

import cjmlib as cjm

matplotlib.use("Agg")

# Ten purchases of four customers (2026-01-05 is a Monday):
#   a: Jan 5, Jan 20, Mar 2        b: Jan 10, Feb 11 (two rows of one order), Feb 11 again later that day
#   c: Feb 3                        d: Feb 20 twice at the same instant (one purchase without order ids)
PURCHASES = [
    ("a", "o1", "2026-01-05 10:00"), ("a", "o2", "2026-01-20 10:00"), ("a", "o3", "2026-03-02 10:00"),
    ("b", "o4", "2026-01-10 10:00"), ("b", "o5", "2026-02-11 09:00"), ("b", "o5", "2026-02-11 09:00"),
    ("b", "o6", "2026-02-11 18:00"),
    ("c", "o7", "2026-02-03 10:00"),
    ("d", "o8", "2026-02-20 10:00"), ("d", "o9", "2026-02-20 10:00"),
]


@pytest.fixture
def purchases() -> pd.DataFrame:
    df = pd.DataFrame(PURCHASES, columns=["user_id", "order_id", "ts"])
    df["ts"] = pd.to_datetime(df.ts)
    return df


def _grid(table):
    return {(str(r.cohort), r.period): (r.users, r.cohort_size) for r in table.itertuples()}


def test_monthly_cohorts_on(purchases):
    t = cjm.cohort_table(purchases)
    assert _grid(t) == {
        ("2026-01-01", 0): (2, 2), ("2026-01-01", 1): (1, 2), ("2026-01-01", 2): (1, 2),  # b in Feb, a in Mar
        ("2026-02-01", 0): (2, 2), ("2026-02-01", 1): (0, 2)}  # c and d; March is the data's last month
    assert t.rate.tolist() == pytest.approx([1, 0.5, 0.5, 1, 0])
    assert set(t["mode"]) == {"on"} and (t.ci_low <= t.rate).all() and (t.rate <= t.ci_high).all()


def test_monthly_cohorts_on_or_after(purchases):
    t = cjm.cohort_table(purchases, mode="on_or_after")
    assert _grid(t)[("2026-01-01", 1)] == (2, 2)  # a (March) and b (February)
    assert _grid(t)[("2026-01-01", 2)] == (1, 2)


def test_weekly_and_daily_cohorts(purchases):
    weeks = _grid(cjm.cohort_table(purchases, period="week"))
    # cohort of the week of Jan 5: a (Jan 5) and b (Jan 10); a back in week 2 and 8, b in week 5
    assert weeks[("2026-01-05", 0)] == (2, 2)
    assert [weeks[("2026-01-05", p)][0] for p in range(1, 9)] == [0, 1, 0, 0, 1, 0, 0, 1]
    assert weeks[("2026-02-02", 0)] == (1, 1) and ("2026-02-02", 4) in weeks and ("2026-02-02", 5) not in weeks
    days = _grid(cjm.cohort_table(purchases, period="day", mode="on_or_after"))
    assert days[("2026-01-05", 15)] == (1, 1) and days[("2026-01-05", 16)] == (1, 1)  # a on Jan 20, Mar 2
    assert days[("2026-01-05", 56)] == (1, 1) and ("2026-01-05", 57) not in days  # Mar 2 ends the data
    assert days[("2026-01-10", 32)] == (1, 1) and days[("2026-01-10", 33)] == (0, 1)


def test_cohorts_from_a_start_event_and_a_return_event():
    events = pd.DataFrame([
        ("u1", "2026-01-05 09:00", "visit"), ("u1", "2026-01-06 09:00", "signup"),
        ("u1", "2026-01-07 09:00", "visit"), ("u1", "2026-01-09 09:00", "purchase"),
        ("u2", "2026-01-06 12:00", "signup"), ("u2", "2026-01-07 12:00", "visit"),
        ("u3", "2026-01-07 08:00", "visit"), ("u3", "2026-01-08 08:00", "visit"),
    ], columns=["user_id", "ts", "event"]).assign(ts=lambda d: pd.to_datetime(d.ts))
    table = ibis.memtable(events)
    any_event = _grid(cjm.cohort_table(table, period="day", start_event="signup"))
    # cohort Jan 6 = u1, u2 (u3 never signs up; u1's visit before signing up does not count)
    assert any_event[("2026-01-06", 1)] == (2, 2) and any_event[("2026-01-06", 2)] == (0, 2)
    assert any_event[("2026-01-06", 3)] == (1, 2)  # u1 on Jan 9; the data end there
    buy = _grid(cjm.cohort_table(table, period="day", start_event="signup", return_event="purchase"))
    # only purchases count as activity, period 0 included
    assert buy[("2026-01-06", 0)] == (0, 2) and buy[("2026-01-06", 1)] == (0, 2) and buy[("2026-01-06", 3)] == (1, 2)
    with pytest.raises(ValueError):
        cjm.cohort_table(events.drop(columns="event"), start_event="signup")


@pytest.mark.parametrize("options", [{"period": "year"}, {"mode": "after"}])
def test_cohorts_reject_bad_options(purchases, options):
    with pytest.raises(ValueError):
        cjm.cohort_table(purchases, **options)


def test_repeat_purchase_rate_by_order_or_by_time(purchases):
    by_order = cjm.repeat_purchase_rate(purchases).iloc[0]
    assert (by_order.customers, by_order.repeaters) == (4, 3)  # a, b, d (two order ids at one instant)
    by_time = cjm.repeat_purchase_rate(purchases.drop(columns="order_id")).iloc[0]
    assert (by_time.customers, by_time.repeaters) == (4, 2)  # d's two rows are one purchase
    assert by_time.rate == pytest.approx(0.5) and by_time.ci_low < 0.5 < by_time.ci_high


def test_purchase_gaps(purchases):
    t = cjm.purchase_gaps(purchases.drop(columns="order_id"), max_gap=1).set_index("gap")
    # first gaps: a 15 days, b 32 days minus 1 hour; second gaps: a 41 days, b 9 hours
    assert t.loc["1", ["pairs", "customers"]].tolist() == [2, 2]
    assert t.loc["1", "mean_days"] == pytest.approx((15 + 32 - 1 / 24) / 2)
    assert t.loc["all", ["pairs", "customers"]].tolist() == [4, 2]
    assert t.loc["all", "max_days"] == pytest.approx(41) and t.loc["all", "min_days"] == pytest.approx(9 / 24)
    assert t.loc["all", "median_days"] == pytest.approx((15 + 32 - 1 / 24) / 2)
    assert list(t.index) == ["1", "all"]


def test_retention_of_a_project_uses_orders_or_purchase_events(small_project, tmp_path):
    project = cjm.load_project(small_project)  # purchase events only: u1 once
    row = cjm.repeat_purchase_rate(project).iloc[0]
    assert (row.customers, row.repeaters) == (1, 0)
    spec = (small_project / "journey.yml").read_text(encoding="utf-8")
    (small_project / "journey.yml").write_text(spec + "  orders: {path: data/orders.csv}\n", encoding="utf-8")
    write_csv(small_project / "data" / "orders.csv", "order_id,user_id,ts,revenue,items,status", [
        "o1,u1,2026-01-05T10:03:00Z,40,1,paid", "o2,u1,2026-02-10T10:00:00Z,20,1,paid",
        "o3,u2,2026-01-06T10:00:00Z,10,1,paid", "o4,u2,2026-02-07T10:00:00Z,10,1,cancelled",
    ])
    project = cjm.load_project(small_project)
    row = cjm.repeat_purchase_rate(project).iloc[0]
    assert (row.customers, row.repeaters) == (2, 1)  # u2's second order was cancelled
    assert _grid(cjm.cohort_table(project)) == {("2026-01-01", 0): (2, 2), ("2026-01-01", 1): (1, 2)}
    weekly = _grid(cjm.cohort_table(project, period="week", start_event="landing_view"))
    assert weekly == {("2026-01-05", 0): (3, 3)}


def test_cohort_chart_labels_rates_and_sizes(purchases):
    ax = cjm.plot.plot_cohorts(cjm.cohort_table(purchases))
    assert {"100%", "50%", "0%"} <= {t.get_text() for t in ax.texts}
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2026-01-01  (n=2)", "2026-02-01  (n=2)"]


@pytest.fixture
def cdnow(shared_data) -> pd.DataFrame:
    df = pd.read_csv(shared_data / "cdnow" / "cdnow_master.csv", dtype={"customer_id": str, "date": str})
    return pd.DataFrame({"user_id": df.customer_id, "ts": pd.to_datetime(df.date, format="%Y%m%d")})


def test_cdnow_repeat_purchase_equals_pandas(cdnow):
    per_customer = cdnow.groupby("user_id").ts.nunique()
    row = cjm.repeat_purchase_rate(cdnow).iloc[0]
    assert row.customers == len(per_customer) == 23570
    assert row.repeaters == (per_customer >= 2).sum()


def test_cdnow_monthly_cohorts_equal_pandas(cdnow):
    month = cdnow.ts.dt.to_period("M")
    first = cdnow.assign(m=month).groupby("user_id").m.transform("min")
    offset = (month - first).map(lambda d: d.n)
    active = pd.DataFrame({"user_id": cdnow.user_id, "cohort": first, "p": offset}).drop_duplicates()
    expected = active.groupby(["cohort", "p"]).user_id.nunique()
    sizes = active[active.p == 0].groupby("cohort").user_id.nunique()
    table = cjm.cohort_table(cdnow, period="month")
    assert len(table) == 18 + 17 + 16  # Jan–Mar 1997 cohorts up to June 1998
    for r in table.itertuples():
        cohort = pd.Period(r.cohort, "M")
        assert r.cohort_size == sizes[cohort]
        assert r.users == expected.get((cohort, r.period), 0)
    after = cjm.cohort_table(cdnow, period="month", mode="on_or_after")
    last = active.groupby(["user_id", "cohort"]).p.max().reset_index()
    jan = after[after.cohort.astype(str) == "1997-01-01"].set_index("period").users
    assert jan[6] == ((last.cohort == pd.Period("1997-01", "M")) & (last.p >= 6)).sum()
