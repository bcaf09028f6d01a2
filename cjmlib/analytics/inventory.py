"""The spec as tables a consultant reads: goals, persona cards, the touchpoint matrix and volumes."""

from __future__ import annotations

import ibis
import pandas as pd

from ..stats import wilson_interval
from .personas import persona_users_sql
from .web import sessions_table

__all__ = ["goals_table", "persona_cards", "persona_coverage", "touchpoint_matrix", "touchpoint_volume",
           "unmatched_events"]


def _join(items) -> str:
    return " · ".join(items)


def goals_table(spec) -> pd.DataFrame:
    """Return one row per goal: ``goal``, ``questions`` (joined), ``kpis`` (names joined).

    Parameters
    ----------
    spec
        The journey spec (:class:`~cjmlib.spec.model.Journey`); its ``goals``, in order.
    """
    return pd.DataFrame([{"goal": g.statement, "questions": _join(g.questions),
                          "kpis": _join(k.name or k.metric for k in g.kpis)} for g in spec.goals],
                        columns=["goal", "questions", "kpis"])


def persona_cards(spec) -> pd.DataFrame:
    """Return one row per persona with every field of the card; the data rule written as text.

    Parameters
    ----------
    spec
        The journey spec (:class:`~cjmlib.spec.model.Journey`); its ``personas``, in order.
    """
    rows = []
    for p in spec.personas:
        rule = "; ".join(f"{k} = {' or '.join(v) if isinstance(v, tuple) else v}" for k, v in (p.rule or {}).items())
        rows.append({"persona": p.name, "age": p.age_range, "occupation": p.occupation, "income": p.income,
                     "geography": p.geography, "needs": _join(p.needs), "motivations": _join(p.motivations),
                     "goals": _join(p.goals), "frustrations": _join(p.frustrations),
                     "behaviours": _join(p.behaviours), "quote": p.quote, "data rule": rule or "–"})
    return pd.DataFrame(rows)


def touchpoint_matrix(spec) -> pd.DataFrame:
    """Stages as columns (spec order), channels as rows, the touchpoints' labels in the cells."""
    rows = [{"stage": t.stage, "channel": t.channel or "–", "touchpoint": t.label} for t in spec.touchpoints]
    if not rows:
        return pd.DataFrame()
    table = pd.DataFrame(rows).groupby(["channel", "stage"], sort=False).touchpoint.agg(", ".join).unstack("stage")
    order = [s.id for s in spec.stages if s.id in table.columns]
    # grouped by stage id: two stages of the same name stay two columns, told apart by their ids
    labels = [s.label for s in spec.stages if s.id in table.columns]
    names = {i: label if labels.count(label) == 1 else f"{label} ({i})" for i, label in zip(order, labels)}
    return table[order].rename(columns=names).fillna("").reset_index()


def touchpoint_volume(project) -> pd.DataFrame:
    """Count the events, sessions, users and conversion of each touchpoint of the spec (0 where the data has none).

    Parameters
    ----------
    project
        The loaded project (a :class:`~cjmlib.data.project.Project` or a project on another engine).

    Returns
    -------
    DataFrame
        ``touchpoint``, ``label``, ``stage``, ``channel``, ``events``, ``sessions``, ``users``,
        ``share_sessions`` (sessions with the touchpoint ÷ all sessions), ``converted`` (of the sessions
        with the touchpoint, those with a purchase), ``conversion`` (converted ÷ sessions) with its
        Wilson ``ci_low``, ``ci_high``, and ``has_data`` (False: a touchpoint the data cannot see).
    """
    spec = project.spec
    ev = project.table("events")
    counts = ev.group_by("touchpoint").agg(events=ev.event.count(), sessions=ev.session_id.nunique(),
                                           users=ev.user_id.nunique()).execute()
    s = sessions_table(project).select("session_id", "has_purchase")
    pairs = ev.select("touchpoint", "session_id").distinct().join(s, "session_id")
    bought = pairs.group_by("touchpoint").agg(converted=pairs.has_purchase.sum()).execute()
    total = int(ev.session_id.nunique().execute())
    base = pd.DataFrame([{"touchpoint": t.id, "label": t.label, "stage": spec.stage(t.stage).label,
                          "channel": t.channel} for t in spec.touchpoints],
                        columns=["touchpoint", "label", "stage", "channel"])
    table = base.merge(counts, on="touchpoint", how="left").merge(bought, on="touchpoint", how="left")
    table = table.fillna({"events": 0, "sessions": 0, "users": 0, "converted": 0})
    for col in ("events", "sessions", "users", "converted"):
        table[col] = table[col].astype(int)
    table["share_sessions"] = table.sessions / total if total else float("nan")
    table["conversion"] = table.converted / table.sessions.where(table.sessions > 0)
    table["ci_low"], table["ci_high"] = wilson_interval(table.converted, table.sessions)
    table["has_data"] = table.events > 0
    return table[["touchpoint", "label", "stage", "channel", "events", "sessions", "users", "share_sessions",
                  "converted", "conversion", "ci_low", "ci_high", "has_data"]]


def unmatched_events(project) -> pd.DataFrame:
    """List the data that no touchpoint of the spec covers: events matching no ``match`` rule, by event name.

    Parameters
    ----------
    project
        The loaded project (a :class:`~cjmlib.data.project.Project` or a project on another engine).

    Returns
    -------
    DataFrame
        ``event``, ``events`` (the numerator), ``share`` (÷ all events: the denominator ``all_events``),
        ``sessions``, ``example_page`` (the most frequent page of those events).
    """
    ev = project.table("events")
    total = int(ev.count().execute())
    un = ev.filter(ev.touchpoint.isnull())
    # the most frequent page (the first in order among equals), without mode(): Spark's Ibis backend lacks it
    pages = un.filter(un.page.notnull()).group_by(["event", "page"]).agg(n=lambda r: r.page.count())
    pages = pages.mutate(r=ibis.row_number().over(group_by="event", order_by=[ibis.desc("n"), "page"]))
    pages = pages.filter(pages.r == 0).select("event", example_page="page")
    counts = un.group_by("event").agg(events=un.event.count(), sessions=un.session_id.nunique())
    table = counts.left_join(pages, "event").select(*counts.columns, "example_page")
    table = table.order_by([ibis.desc("events"), "event"]).execute()
    table["all_events"] = total
    table["share"] = table.events / total if total else float("nan")
    return table[["event", "events", "all_events", "share", "sessions", "example_page"]]


def persona_coverage(project) -> pd.DataFrame:
    """Measure the share of each persona's users reaching each touchpoint (personas with a data rule).

    Parameters
    ----------
    project
        The loaded project (DuckDB engine: the persona rules are run as SQL).

    Returns
    -------
    DataFrame
        ``persona``, ``touchpoint``, ``label``, ``stage``, ``users`` (the persona's users with an event
        at the touchpoint: the numerator), ``persona_users`` (the denominator), ``share``, and
        ``in_lanes`` (the spec's lane for the persona and the touchpoint's stage mentions an action).
    """
    spec, rows = project.spec, []
    for p in spec.personas:
        users_sql = persona_users_sql(p)
        if users_sql is None:
            continue
        t = project.sql(f"""WITH u AS ({users_sql})
            SELECT touchpoint, count(DISTINCT user_id) n FROM events
            WHERE user_id IN (SELECT user_id FROM u) AND touchpoint IS NOT NULL GROUP BY 1""")
        hits = dict(zip(t.touchpoint, t.n))
        n = int(project.sql(f"SELECT count(*) n FROM ({users_sql})").n.iloc[0])
        for tp in spec.touchpoints:
            lane = spec.lane(tp.stage, p.id)
            rows.append({"persona": p.name, "touchpoint": tp.id, "label": tp.label, "stage": spec.stage(tp.stage).label,
                         "users": int(hits.get(tp.id, 0)), "persona_users": n,
                         "share": hits.get(tp.id, 0) / n if n else float("nan"),
                         "in_lanes": bool(lane and lane.actions)})
    return pd.DataFrame(rows, columns=["persona", "touchpoint", "label", "stage", "users", "persona_users", "share",
                                       "in_lanes"])
