"""The data-quality table, on small projects with planted problems counted by hand."""

from __future__ import annotations

import pytest
from helpers import SMALL_SPEC, write_csv

import cjmlib as cjm
from cjmlib.data.project import ENGINE_FILE

HEADER = "user_id,session_id,ts,event,page,channel,device,revenue"
STEPS = ("landing_view", "product_view", "add_to_cart", "purchase")
# 10 users, one session each, the four steps one minute apart: 40 clean rows, all matching a touchpoint
CLEAN = [f"u{i},s{i},2026-01-0{1 + i % 5}T10:0{m}:00Z,{e},/{e},social,mobile,"
         for i in range(10) for m, e in enumerate(STEPS)]
PLANTED = [
    "u1,s1,2026-01-02T10:01:00Z,product_view,/product_view,social,mobile,",  # exact duplicate of a clean row
    "u2,s2,2026-01-03T10:01:00Z,search,/search,social,mobile,",  # tie with u2's product_view; no touchpoint
    # no touchpoint; personal data in the page and the channel (a UTM tag), masked at load
    "u3,s3,2026-01-04T11:00:00Z,newsletter_open,/n?tel=06 12 34 56 78,newsletter-jane.roe@client-mail.test,mobile,",
    "u4,s4,call 06 98 76 54 32,landing_view,/,social,mobile,",  # rejected: not a date and time
    ",s9,2026-01-05T10:00:00Z,landing_view,/,social,mobile,",  # rejected: no customer
]
ORDERS = [f"o{i},u{i},2026-01-0{1 + i % 5}T10:03:00Z,10" for i in range(20)] + [
    "o5,u5,2026-01-01T12:00:00Z,10",  # rejected: repeats order o5
    "o20,u7,2026-01-03T10:03:00Z,15",  # tie: u7 already ordered (o7) at this very second
]


@pytest.fixture
def planted(tmp_path):
    spec = SMALL_SPEC + "  orders: {path: data/orders.csv}\n"
    (tmp_path / "journey.yml").write_text(spec, encoding="utf-8")
    write_csv(tmp_path / "data" / "events.csv", HEADER, CLEAN + PLANTED)
    write_csv(tmp_path / "data" / "orders.csv", "order_id,user_id,ts,revenue", ORDERS)
    return tmp_path


def test_planted_problems_counted(planted):
    table = cjm.data_quality_table(cjm.load_project(planted))
    events, orders = table.iloc[0].to_dict(), table.iloc[1].to_dict()
    assert events == {
        "table": "events", "file": "data/events.csv",
        "rows_read": 45, "rows_rejected": 2,  # 40 clean + 5 planted; the bad time and the empty customer
        "rejected_why": "ts is not a date and time: 1; user_id is empty: 1",
        "rows_kept": 43, "rows_in_period": 43,
        "duplicates": 1,  # u1's repeated product_view
        "unmatched_events": 2,  # search, newsletter_open
        "timestamp_ties": 2,  # u2's product_view and search at 2026-01-03 10:01; not the duplicate pair
        "masked_values": 2,  # u3's page and channel
        "first_ts": "2026-01-01 10:00:00",  # u0 (and u5) landing
        "last_ts": "2026-01-05 10:03:00",  # u4 and u9 purchase
    }
    assert orders == {
        "table": "orders", "file": "data/orders.csv", "rows_read": 22, "rows_rejected": 1,
        "rejected_why": "order_id repeats the id of an earlier row: 1", "rows_kept": 21, "rows_in_period": 21,
        "duplicates": 1, "unmatched_events": None, "timestamp_ties": 2,  # o7 and o20
        "masked_values": 0,
        "first_ts": "2026-01-01 10:03:00", "last_ts": "2026-01-05 10:03:00",
    }


def test_personal_data_is_masked_in_values_and_in_issues(planted):
    project = cjm.load_project(planted)
    row = project.sql("SELECT page, channel FROM events WHERE event = 'newsletter_open'").iloc[0].tolist()
    assert row == ["/n?tel=[phone]", "[email]"]
    text = " ".join(str(i) for i in project.issues) + project.sql("SELECT * FROM events").to_csv()
    assert "jane.roe" not in text and "12 34 56" not in text and "98 76 54" not in text
    assert any("call [phone]" in str(i) for i in project.issues)  # the rejected value, quoted masked


def test_rejection_table_names_file_column_and_reason(planted):
    reasons = cjm.rejection_table(cjm.load_project(planted))
    assert reasons.to_dict("records") == [
        {"table": "events", "file": "data/events.csv", "column": "ts", "reason": "is not a date and time", "rows": 1},
        {"table": "events", "file": "data/events.csv", "column": "user_id", "reason": "is empty", "rows": 1},
        {"table": "orders", "file": "data/orders.csv", "column": "order_id",
         "reason": "repeats the id of an earlier row", "rows": 1},
    ]


def test_rejections_beyond_the_listed_examples(tmp_path):
    """7 bad times: 5 listed one by one, 2 counted in one issue; the table adds them up."""
    (tmp_path / "journey.yml").write_text(SMALL_SPEC, encoding="utf-8")
    clean = [f"u{i},s{i},2026-01-05T10:00:{i % 60:02d}Z,landing_view,/,social,mobile," for i in range(150)]
    bad = [f"x{i},t{i},not-a-time-{i},landing_view,/,social,mobile," for i in range(7)]
    write_csv(tmp_path / "data" / "events.csv", HEADER, clean + bad)  # 7 of 157 = 4.5 %
    project = cjm.load_project(tmp_path)
    assert sum(i.code == "bad_value" for i in project.issues) == 6  # the loader lists 5, then "2 more rows"
    row = cjm.data_quality_table(project).iloc[0]
    assert (row.rows_read, row.rows_rejected, row.rejected_why) == (157, 7, "ts is not a date and time: 7")
    # u{i} and u{i+60}, u{i+120} share no customer, so no ties; no duplicates either
    assert (row.timestamp_ties, row.duplicates) == (0, 0)


def test_as_of_counts_rows_in_period(planted):
    """Up to 2026-01-02: days 1 and 2 only (u0, u1, u5, u6 and the u1 duplicate), ties outside it drop."""
    table = cjm.data_quality_table(cjm.load_project(planted, as_of="2026-01-02"))
    events = table.iloc[0]
    assert (events.rows_kept, events.rows_in_period, events.timestamp_ties) == (43, 17, 0)
    assert events.last_ts == "2026-01-02 10:03:00"


def test_same_table_within_a_run(planted, tmp_path):
    """A step opens the run's engine read-only: the table comes from what the loader recorded then."""
    run = tmp_path / "run"
    (run / ENGINE_FILE).parent.mkdir(parents=True)
    loaded = cjm.load_project(planted, database=run / ENGINE_FILE)
    expected = cjm.data_quality_table(loaded)
    loaded.con.close()
    opened = cjm.open_project(planted, run)
    assert cjm.data_quality_table(opened).equals(expected)
