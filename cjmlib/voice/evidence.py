"""Evidence for each persona: what its users do in the events and what their feedback talks about.

The behaviour comes from :mod:`cjmlib.analytics.personas` (the users each persona's rule matches,
their device and channel mix); the themes are coded with the codebook matcher of the voice of the
customer (:func:`cjmlib.voice.themes.code_themes`), not a second one.
"""

from __future__ import annotations

import pandas as pd

from ..analytics.personas import persona_mix, persona_users_sql
from ..analytics.web import key_events
from ..data.sql import literal_list
from ..i18n.catalogue import value_label
from ..i18n.formats import percent
from ..stats import wilson_interval
from .themes import code_themes

__all__ = ["persona_evidence"]


def _mix_text(mix: pd.DataFrame, persona: str, by: str, language: str, top: int = 3) -> str:
    sub = mix[mix.persona == persona].head(top)
    return " · ".join(f"{value_label(v, language)} {percent(s, language, 0)}" for v, s in zip(sub[by], sub.share))


def _top_themes(project, users_sql: str, top: int = 3) -> str:
    """The persona's most mentioned codebook themes in its users' feedback, with their counts."""
    if not project.has("feedback") or not project.spec.codebook.themes:
        return ""
    fb = project.sql(f"SELECT text FROM feedback WHERE user_id IN ({users_sql})")
    if fb.empty:
        return ""
    counts = code_themes(fb.text, project.spec.codebook).sum().sort_values(ascending=False, kind="stable")
    labels = {t.id: t.label or t.id for t in project.spec.codebook.themes}
    return " · ".join(f"{labels.get(t, t)} ({int(n)})" for t, n in counts.head(top).items() if n > 0)


def persona_evidence(project) -> pd.DataFrame:
    """Measure the share of users and revenue, sessions, conversion, device and channel mix, top themes per persona.

    Only personas with a data rule are measured, and only in the events: a project without an events
    source gets the empty table (a rule selects users by their events).

    Parameters
    ----------
    project
        The loaded project (DuckDB engine): its events, feedback and the spec's personas and codebook.

    Returns
    -------
    DataFrame
        ``persona``, ``users``, ``share_users`` (users ÷ all users), ``revenue``, ``share_revenue``
        (revenue ÷ all revenue), ``sessions``, ``conversions`` (sessions with a purchase),
        ``conversion`` (conversions ÷ sessions: numerator ``conversions``, denominator ``sessions``) with
        its Wilson 95 % interval ``ci_low``, ``ci_high``, ``device_mix`` and ``channel_mix`` (the three largest
        shares of the persona's sessions, see :func:`cjmlib.persona_mix`), ``top_themes`` (the three codebook
        themes its users' feedback mentions most, with the number of items). A user may match several
        rules.
    """
    columns = ["persona", "users", "share_users", "revenue", "share_revenue", "sessions", "conversions",
               "conversion", "ci_low", "ci_high", "device_mix", "channel_mix", "top_themes"]
    if not project.has("events"):
        return pd.DataFrame(columns=columns)
    purchase = literal_list(key_events(project)["purchase"])
    totals = project.sql("SELECT count(DISTINCT user_id) users, coalesce(sum(revenue), 0) revenue FROM events").iloc[0]
    devices, channels = persona_mix(project, by="device"), persona_mix(project, by="channel")
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
                     "conversion": r.conversions / r.sessions if r.sessions else float("nan"),
                     "device_mix": _mix_text(devices, p.name, "device", project.spec.project.language),
                     "channel_mix": _mix_text(channels, p.name, "channel", project.spec.project.language),
                     "top_themes": _top_themes(project, users_sql)})
    table = pd.DataFrame(rows, columns=[c for c in columns if c not in ("ci_low", "ci_high")])
    table["ci_low"], table["ci_high"] = wilson_interval(table.conversions, table.sessions)
    return table[columns]
