"""The spec's personas in the data: the users each persona's rule matches, their sessions' mix, and
how the data's segments line up with them.

Personas come from a workshop; segments come from the data (:mod:`cjmlib.analytics.segments`).
:func:`persona_users_sql` turns a persona's data rule into the SQL selecting its users, which every
persona measure starts from; :func:`persona_mix` gives each persona's device or channel mix and
:func:`segment_personas` sets the segments against the personas. The themes of each persona's
feedback are in :func:`cjmlib.persona_evidence`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.sql import literal_list, quote_ident

__all__ = ["persona_mix", "persona_users_sql", "segment_personas"]


def persona_users_sql(persona) -> str | None:
    """SQL selecting the user ids the persona's rule matches (any of the user's events matches)."""
    if not persona.rule:
        return None
    conds = []
    for column, values in persona.rule.items():
        values = values if isinstance(values, tuple) else (values,)
        conds.append(f"{quote_ident(column)} IN ({literal_list(values)})")
    return f"SELECT DISTINCT user_id FROM events WHERE {' AND '.join(conds)}"


def persona_mix(project, *, by: str = "device") -> pd.DataFrame:
    """Measure the share of each persona's sessions per value of ``by`` (``device`` or ``channel``).

    Parameters
    ----------
    project
        The loaded project (DuckDB engine: the persona rules are run as SQL); personas without a data
        rule are left out.
    by
        The events column to split the sessions by: ``"device"`` (the default), ``"channel"`` or any
        other column of the events.

    Returns
    -------
    DataFrame
        ``persona``, ``<by>``, ``sessions`` (the persona's sessions with that value: the numerator),
        ``persona_sessions`` (all the persona's sessions: the denominator), ``share``.
        A session counts under the value of its first event.
    """
    rows = []
    for p in project.spec.personas:
        users_sql = persona_users_sql(p)
        if users_sql is None:
            continue
        t = project.sql(f"""
            WITH s AS (SELECT session_id, arg_min({quote_ident(by)}, ts) v FROM events
                       WHERE user_id IN ({users_sql}) GROUP BY session_id)
            SELECT coalesce(CAST(v AS VARCHAR), '–') v, count(*) n FROM s GROUP BY 1 ORDER BY n DESC, v""")
        total = int(t.n.sum())
        rows += [{"persona": p.name, by: r.v, "sessions": int(r.n), "persona_sessions": total,
                  "share": r.n / total if total else np.nan} for r in t.itertuples()]
    return pd.DataFrame(rows, columns=["persona", by, "sessions", "persona_sessions", "share"])


def segment_personas(project, labels: pd.Series) -> pd.DataFrame:
    """Show how the data's segments line up with the spec's personas (those with a data rule).

    Parameters
    ----------
    project
        The loaded project (DuckDB engine: the persona rules are run as SQL).
    labels
        The segment of every customer, indexed by ``user_id`` (``Segments.labels`` of
        :func:`cjmlib.analytics.segments.find_segments`).

    Returns
    -------
    DataFrame
        ``segment``, ``persona``, ``users`` (customers of the segment the persona's rule matches: the
        numerator), ``segment_users`` (the denominator), ``share``. A customer may match several personas.
    """
    sizes = labels.value_counts()
    rows = []
    for p in project.spec.personas:
        users_sql = persona_users_sql(p)
        if users_sql is None:
            continue
        matched = labels.index.isin(project.sql(users_sql).user_id.astype(str))
        hits = labels[matched].value_counts()
        rows += [{"segment": int(s), "persona": p.name, "users": int(hits.get(s, 0)), "segment_users": int(n),
                  "share": hits.get(s, 0) / n} for s, n in sizes.sort_index().items()]
    return pd.DataFrame(rows, columns=["segment", "persona", "users", "segment_users", "share"])
