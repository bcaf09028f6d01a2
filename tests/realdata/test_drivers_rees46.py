"""Drivers of drop-off on REES46 (../shared/data): one candidate's 2×2 counts equal a plain DuckDB count.

The funnel is view → cart by user; the candidate is "bought before the first view" (a prior event). The
check counts it in SQL written here: users with a view; of them, those with a purchase strictly before
their first view; and those with a cart at or after their first view.
"""

from __future__ import annotations

import duckdb
import pytest
from helpers import REES_SPEC

import cjmlib as cjm

FUNNEL = "funnels:\n  - {id: buy, by: event, steps: [view, cart], unit: user}\n"


def test_prior_purchase_two_by_two_equals_duckdb(shared_data, tmp_path):
    path = shared_data / "rees46-oct2019-head" / "events.csv"
    (tmp_path / "journey.yml").write_text(REES_SPEC.format(path=path) + FUNNEL, encoding="utf-8")
    project = cjm.load_project(tmp_path)
    table = cjm.funnel_drivers(project, "buy", min_group=1).set_index(["feature", "value"])
    row = table.loc[("prior_event", "purchase")]
    sql = f"""
        WITH e AS (SELECT user_id, event_type, CAST(event_time AS TIMESTAMP) AS ts
                   FROM read_csv('{path}', all_varchar=true) WHERE user_id IS NOT NULL),
             firsts AS (SELECT user_id, min(ts) AS t1 FROM e WHERE event_type = 'view' GROUP BY user_id),
             units AS (SELECT c.user_id,
                              max(CASE WHEN e.event_type = 'purchase' AND e.ts < c.t1 THEN 1 ELSE 0 END) AS prior,
                              max(CASE WHEN e.event_type = 'cart' AND e.ts >= c.t1 THEN 1 ELSE 0 END) AS went_on
                       FROM firsts c JOIN e USING (user_id) GROUP BY c.user_id)
        SELECT sum(prior), sum(prior * went_on), sum(1 - prior), sum((1 - prior) * went_on) FROM units"""
    units_with, went_on_with, units_without, went_on_without = duckdb.sql(sql).fetchall()[0]
    assert units_with > 0 and units_without > 0 and went_on_without > 0
    assert [row.units_with, row.went_on_with, row.units_without, row.went_on_without] == [
        units_with, went_on_with, units_without, went_on_without]
    assert row.rate_with == pytest.approx(went_on_with / units_with)
    assert row.step == "view" and row.next_step == "cart"
