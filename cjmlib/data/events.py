"""Finish the canonical ``events`` table: each event's touchpoint and stage from the spec, and its session.

The spec's match rules become one SQL ``CASE`` (:func:`touchpoint_case`) evaluated in the engine;
the stage is the matched touchpoint's. Events of an export without session ids are put into
sessions by inactivity (the source's ``session_timeout_minutes``).
"""

from __future__ import annotations

import duckdb

from ..spec.model import Journey, Source
from .sql import as_of_condition, literal_list, quote_ident, quote_literal

__all__ = ["finish_events", "touchpoint_case"]


def touchpoint_case(spec: Journey) -> tuple[str, str]:
    """Return SQL CASE expressions giving each event's touchpoint and stage from the spec's match rules.

    The first touchpoint whose rule matches wins; an event matching none gets NULL.

    Parameters
    ----------
    spec
        The spec, for its touchpoints' ``match`` rules (a touchpoint without one matches no event).
    """
    tp_parts, stage_parts = [], []
    for tp in spec.touchpoints:
        rule = tp.match
        if rule is None or not (rule.event or rule.page or rule.channel):
            continue
        conds = []
        if rule.event:
            conds.append(f"event IN ({literal_list(rule.event)})")
        if rule.page:
            conds.append("(" + " OR ".join(f"page GLOB {quote_literal(p)}" for p in rule.page) + ")")
        if rule.channel:
            conds.append(f"channel IN ({literal_list(rule.channel)})")
        cond = " AND ".join(conds)
        tp_parts.append(f"WHEN {cond} THEN {quote_literal(tp.id)}")
        stage_parts.append(f"WHEN {cond} THEN {quote_literal(tp.stage)}")
    if not tp_parts:
        return "CAST(NULL AS VARCHAR)", "CAST(NULL AS VARCHAR)"
    return f"CASE {' '.join(tp_parts)} END", f"CASE {' '.join(stage_parts)} END"


def finish_events(con: duckdb.DuckDBPyConnection, spec: Journey, source: Source, as_of: str | None) -> None:
    """Build the canonical ``events`` table from ``kept_events`` (the rows the checks kept).

    Parameters
    ----------
    con
        The engine connection holding ``kept_events``.
    spec
        The spec whose touchpoints' match rules give each event its touchpoint and stage.
    source
        The events source; its ``session_timeout_minutes`` builds sessions when the export has no session ids.
    as_of
        Keep only events up to this day (``YYYY-MM-DD``), inclusive; all of them when None.
    """
    tp_case, _ = touchpoint_case(spec)
    # the stage is the matched touchpoint's: its rules are not evaluated a second time
    stage_case = ("CASE touchpoint " + " ".join(f"WHEN {quote_literal(tp.id)} THEN {quote_literal(tp.stage)}"
                                                for tp in spec.touchpoints)
                  + " END") if spec.touchpoints else "CAST(NULL AS VARCHAR)"
    order_case = "CASE " + " ".join(f"WHEN stage = {quote_literal(s)} THEN {i + 1}" for i, s in
                                    enumerate(spec.stage_ids)) + " END"
    cutoff = f"WHERE {as_of_condition(as_of)}" if as_of else ""
    # the file's other columns (kept by the checks) follow the canonical ones, and a column mapped onto a
    # canonical text field is also readable by its name in the file (breakdowns, persona rules)
    canonical = ("__row", "user_id", "session_id", "ts", "event", "page", "channel", "device", "revenue")
    extra = [c for (c,) in con.execute("SELECT name FROM pragma_table_info('kept_events')").fetchall()
             if c not in canonical]
    taken = {c.lower() for c in (*canonical, *extra, "touchpoint", "stage", "stage_order")}
    aliases = [(canon, col) for canon, col in source.columns.items()
               if canon in ("event", "page", "channel", "device") and col.lower() not in taken]
    more = "".join(f", {quote_ident(c)}" for c in extra) + "".join(f", {canon} AS {quote_ident(col)}"
                                                                   for canon, col in aliases)
    has_sessions = con.execute("SELECT count(session_id) FROM kept_events").fetchone()[0] > 0
    if has_sessions:
        sessions = "session_id"
    else:  # build sessions by inactivity
        gap = source.session_timeout_minutes
        con.execute(f"""CREATE OR REPLACE TEMP TABLE kept_events AS
            SELECT * EXCLUDE (session_id, new_session),
                   user_id || '-' || CAST(sum(new_session) OVER (PARTITION BY user_id ORDER BY ts, __row
                        ROWS UNBOUNDED PRECEDING) AS VARCHAR) AS session_id
            FROM (SELECT *, CASE WHEN lag(ts) OVER (PARTITION BY user_id ORDER BY ts, __row) IS NULL
                        OR ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts, __row) > INTERVAL {gap} MINUTE
                        THEN 1 ELSE 0 END AS new_session FROM kept_events)""")
        sessions = "session_id"
    con.execute(f"""CREATE OR REPLACE TABLE events AS
        SELECT user_id, {sessions} AS session_id, ts, event, page, channel, device, revenue,
               touchpoint, stage, {order_case} AS stage_order{more}
        FROM (SELECT *, {stage_case} AS stage FROM (SELECT *, {tp_case} AS touchpoint FROM kept_events {cutoff}))
        ORDER BY user_id, ts""")
