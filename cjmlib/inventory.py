"""The spec as tables a consultant reads: goals, persona cards, the touchpoint matrix and volumes."""

from __future__ import annotations

import pandas as pd

__all__ = ["goals_table", "persona_cards", "touchpoint_matrix", "touchpoint_volume"]


def _join(items) -> str:
    return " · ".join(items)


def goals_table(spec) -> pd.DataFrame:
    """One row per goal: ``goal``, ``questions`` (joined), ``kpis`` (names joined)."""
    return pd.DataFrame([{"goal": g.statement, "questions": _join(g.questions),
                          "kpis": _join(k.name or k.metric for k in g.kpis)} for g in spec.goals],
                        columns=["goal", "questions", "kpis"])


def persona_cards(spec) -> pd.DataFrame:
    """One row per persona with every field of the card; the data rule written as text."""
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
    rows = [{"stage": spec.stage(t.stage).label, "channel": t.channel or "–", "touchpoint": t.label}
            for t in spec.touchpoints]
    if not rows:
        return pd.DataFrame()
    table = pd.DataFrame(rows).groupby(["channel", "stage"], sort=False).touchpoint.agg(", ".join).unstack("stage")
    order = [s.label for s in spec.stages if s.label in table.columns]
    return table[order].fillna("").reset_index()


def touchpoint_volume(project) -> pd.DataFrame:
    """Events, sessions and users matched by each touchpoint of the spec (0 where the data has none).

    Returns ``touchpoint``, ``label``, ``stage``, ``channel``, ``events``, ``sessions``, ``users``,
    ``share_sessions`` (sessions with the touchpoint ÷ all sessions) and ``has_data``.
    """
    spec = project.spec
    ev = project.table("events")
    counts = ev.group_by("touchpoint").agg(events=ev.event.count(), sessions=ev.session_id.nunique(),
                                           users=ev.user_id.nunique()).execute()
    total = int(ev.session_id.nunique().execute())
    base = pd.DataFrame([{"touchpoint": t.id, "label": t.label, "stage": spec.stage(t.stage).label,
                          "channel": t.channel} for t in spec.touchpoints])
    table = base.merge(counts, on="touchpoint", how="left").fillna({"events": 0, "sessions": 0, "users": 0})
    for col in ("events", "sessions", "users"):
        table[col] = table[col].astype(int)
    table["share_sessions"] = table.sessions / total if total else float("nan")
    table["has_data"] = table.events > 0
    return table
