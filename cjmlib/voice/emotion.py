"""The measured emotion curve: survey answers and coded feedback per stage, beside the workshop's hypothesis."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analytics.personas import persona_users_sql
from ..stats import mean_interval
from .themes import feedback_table

__all__ = ["emotion_curve", "persona_user_ids"]


def _persona_filter(project, persona: str | None) -> str:
    if persona is None:
        return ""
    p = next((p for p in project.spec.personas if p.id == persona), None)
    sql = persona_users_sql(p) if p is not None and project.has("events") else None
    return f" AND user_id IN ({sql})" if sql else " AND FALSE"


def persona_user_ids(project, persona: str) -> set:
    """Return the ids of the customers with feedback whose events match a persona's data rule.

    Parameters
    ----------
    project
        The loaded project (DuckDB engine): its feedback and events, and the spec's personas.
    persona
        A persona id; a persona without a rule (or a project without events) has no users.
    """
    if not project.has("feedback"):
        return set()
    only = _persona_filter(project, persona)
    return set(project.sql(f"SELECT DISTINCT user_id FROM feedback WHERE TRUE{only}").user_id)


def emotion_curve(project, *, persona: str | None = None) -> pd.DataFrame:
    """Measure the emotion per stage on the map's −2…+2 scale, beside the workshop's hypothesis.

    Evidence per stage: survey answers asked after the stage (NPS 0–10 mapped as (score − 5) ÷ 2.5,
    CSAT 1–5 as score − 3, CES 1–7 as (score − 4) × 2 ÷ 3) and feedback coded to a theme of the
    stage: its rating (1–5 as rating − 3) or, when unrated, twice its text sentiment (−1 … +1).

    Parameters
    ----------
    project
        The loaded project (DuckDB engine): its surveys, coded feedback and the spec's lanes.
    persona
        A persona id: only the answers and feedback of the users its data rule matches (none when it has
        no rule); None (the default) for all customers.

    Returns
    -------
    DataFrame
        ``stage``, ``label``, ``persona`` (``all`` when ``persona`` is None), ``hypothesis`` (the
        lane's emotion, averaged over personas when ``persona`` is None), ``measured`` (mean of the
        evidence), ``ci_low``, ``ci_high`` (95 % t), ``n`` (answers and items used), ``n_surveys``,
        ``n_feedback``, ``disagree`` (the hypothesis lies outside the interval).
    """
    spec = project.spec
    only = _persona_filter(project, persona)
    evidence = []
    if project.has("surveys"):
        s = project.sql(f"""SELECT stage, CASE WHEN kind = 'nps' THEN (score - 5) / 2.5
                                               WHEN kind = 'csat' THEN score - 3
                                               WHEN kind = 'ces' THEN (score - 4) * 2 / 3 END AS value
                            FROM surveys WHERE stage IS NOT NULL AND kind IN ('nps', 'csat', 'ces'){only}""")
        evidence.append(s.assign(origin="survey"))
    fb = feedback_table(project)
    if persona is not None and len(fb):
        fb = fb[fb.user_id.isin(persona_user_ids(project, persona))]
    if len(fb):
        value = (fb.rating - 3).where(fb.rating.notna(), 2 * fb.sentiment)
        evidence.append(pd.DataFrame({"stage": fb.stage, "value": value, "origin": "feedback"}).dropna())
    ev = pd.concat(evidence, ignore_index=True) if evidence else pd.DataFrame(columns=["stage", "value", "origin"])
    rows = []
    for st in spec.stages:
        lanes = [ln.emotion for ln in spec.lanes if ln.stage == st.id and (persona is None or ln.persona == persona)]
        hyp = float(np.mean(lanes)) if lanes else np.nan
        here = ev[ev.stage == st.id]
        mean, low, high, n = mean_interval(here.value)
        rows.append({"stage": st.id, "label": st.label, "persona": persona or "all", "hypothesis": hyp,
                     "measured": mean, "ci_low": low, "ci_high": high, "n": n,
                     "n_surveys": int((here.origin == "survey").sum()),
                     "n_feedback": int((here.origin == "feedback").sum()),
                     "disagree": bool(n >= 2 and not np.isnan(hyp) and not (low <= hyp <= high))})
    return pd.DataFrame(rows)
