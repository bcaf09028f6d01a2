"""Real public data (../shared/data): the engine's answers equal an independent plain-SQL computation."""

from __future__ import annotations

import duckdb
import pytest
from helpers import REES_SPEC

import cjmlib as cjm

ORDERED_FUNNEL_SQL = """
WITH e AS (SELECT CAST(user_id AS VARCHAR) AS user_id, user_session AS session_id,
                  CAST(replace(event_time, ' UTC', '') AS TIMESTAMP) AS ts, event_type FROM read_csv('{path}', all_varchar=true)),
     s1 AS (SELECT {unit} AS u, min(ts) t FROM e WHERE event_type = 'view' GROUP BY 1),
     s2 AS (SELECT e.{unit} AS u, min(e.ts) t FROM e JOIN s1 ON e.{unit} = s1.u
            WHERE e.event_type = 'cart' AND e.ts >= s1.t GROUP BY 1),
     s3 AS (SELECT e.{unit} AS u, min(e.ts) t FROM e JOIN s2 ON e.{unit} = s2.u
            WHERE e.event_type = 'purchase' AND e.ts >= s2.t GROUP BY 1)
SELECT (SELECT count(*) FROM s1), (SELECT count(*) FROM s2), (SELECT count(*) FROM s3)
"""


@pytest.fixture
def rees_project(shared_data, tmp_path):
    path = shared_data / "rees46-oct2019-head" / "events.csv"
    (tmp_path / "journey.yml").write_text(REES_SPEC.format(path=path), encoding="utf-8")
    return cjm.load_project(tmp_path), path


@pytest.mark.parametrize("unit, column", [("user", "user_id"), ("session", "session_id")])
def test_rees46_view_cart_purchase_funnel_equals_plain_sql(rees_project, unit, column):
    project, path = rees_project
    table = cjm.funnel_table(project, ["view", "cart", "purchase"], by="event", unit=unit)
    expected = duckdb.connect().execute(ORDERED_FUNNEL_SQL.format(path=path, unit=column)).fetchone()
    assert tuple(table.units) == expected
    assert expected[0] > 2500  # the file has 2,867 users and 3,188 sessions


def test_rees46_loads_every_row_and_reads_utc_suffix(rees_project):
    project, _ = rees_project
    (quality,) = project.quality
    assert quality["rows_read"] == 9999 and quality["rows_kept"] == 9999 and quality["rows_rejected"] == 0
    assert quality["users"] == 2867 and quality["sessions"] == 3188
    assert quality["shared_sessions"] == 1  # one session id is used by two users: reported, counted once
    assert "shared_session_ids" in {i.code for i in project.issues}
    assert quality["first_ts"].startswith("2019-10-01 00:00:00") and quality["last_ts"].startswith("2019-10-01 02:37")


def test_rees46_cart_abandonment_equals_plain_sql(rees_project):
    project, path = rees_project
    web = cjm.web_metrics(project).set_index("metric")
    carts, abandoned = duckdb.connect().execute(f"""
        SELECT count(*), count(*) FILTER (WHERE NOT bought) FROM (
            SELECT user_session, bool_or(event_type = 'purchase') bought FROM read_csv('{path}', all_varchar=true)
            GROUP BY 1 HAVING bool_or(event_type = 'cart'))""").fetchone()
    assert web.loc["cart_abandonment", "denominator"] == carts
    assert web.loc["cart_abandonment", "numerator"] == abandoned
    sessions, bought = duckdb.connect().execute(f"""SELECT count(DISTINCT user_session),
        count(DISTINCT user_session) FILTER (WHERE event_type = 'purchase') FROM read_csv('{path}', all_varchar=true)""").fetchone()
    assert (web.loc["session_conversion", "numerator"], web.loc["session_conversion", "denominator"]) == (bought, sessions)
