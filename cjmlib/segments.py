"""Evidence for personas from the data."""

from __future__ import annotations

import pandas as pd

from .sources import _lit, _q

__all__ = ["persona_evidence", "persona_users_sql"]


def persona_users_sql(persona) -> str | None:
    """SQL selecting the user ids the persona's rule matches (any of the user's events matches)."""
    if not persona.rule:
        return None
    conds = []
    for column, values in persona.rule.items():
        values = values if isinstance(values, tuple) else (values,)
        conds.append(f"{_q(column)} IN ({', '.join(_lit(v) for v in values)})")
    return f"SELECT DISTINCT user_id FROM events WHERE {' AND '.join(conds)}"


def persona_evidence(project) -> pd.DataFrame:
    """Share of users and revenue, sessions and conversion of each persona with a data rule.

    Returns
    -------
    DataFrame
        ``persona``, ``users``, ``share_users`` (users ÷ all users), ``revenue``, ``share_revenue``
        (revenue ÷ all revenue), ``sessions``, ``conversions`` (sessions with a purchase),
        ``conversion`` (conversions ÷ sessions). A user may match several rules.
    """
    keys = project.spec.sources.events.key_events["purchase"] if project.spec.sources.events else ("purchase",)
    purchase = ", ".join(_lit(k) for k in keys)
    totals = project.sql("SELECT count(DISTINCT user_id) users, coalesce(sum(revenue), 0) revenue FROM events").iloc[0]
    rows = []
    for p in project.spec.personas:
        users_sql = persona_users_sql(p)
        if users_sql is None:
            continue
        r = project.sql(f"""
            WITH u AS ({users_sql}),
                 s AS (SELECT session_id, bool_or(event IN ({purchase})) bought, sum(revenue) revenue
                       FROM events WHERE user_id IN (SELECT user_id FROM u) GROUP BY session_id)
            SELECT (SELECT count(*) FROM u) users, coalesce(sum(revenue), 0) revenue, count(*) sessions,
                   count(*) FILTER (WHERE bought) conversions FROM s""").iloc[0]
        rows.append({"persona": p.name, "users": int(r.users),
                     "share_users": r.users / totals.users if totals.users else float("nan"),
                     "revenue": float(r.revenue),
                     "share_revenue": r.revenue / totals.revenue if totals.revenue else float("nan"),
                     "sessions": int(r.sessions), "conversions": int(r.conversions),
                     "conversion": r.conversions / r.sessions if r.sessions else float("nan")})
    return pd.DataFrame(rows, columns=["persona", "users", "share_users", "revenue", "share_revenue", "sessions",
                                       "conversions", "conversion"])
