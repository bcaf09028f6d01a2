"""The survey scores a journey map prints: NPS, CSAT and CES per stage and touchpoint, for all
customers and for each persona, each with its 95 % interval and its n.

An answer counts at its own ``stage``, else at the stage of its ``touchpoint`` in the spec; it counts
at a touchpoint when its ``touchpoint`` names one of the spec. A persona's answers are those of the
users its data rule matches in the events (a user may count for several personas). Groups with fewer
answers than the spec's ``min_group_size`` keep their count and lose their figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analytics.personas import persona_users_sql
from ..data.sql import quote_literal
from ..stats import nps_interval, wilson_interval
from .scores import SCALES

__all__ = ["MAP_SCORE_COLUMNS", "map_scores"]

MAP_SCORE_COLUMNS = ["stage", "touchpoint", "persona", "kind", "responses", "top_box", "bottom_box", "score",
                     "ci_low", "ci_high", "suppressed"]
"""The columns of :func:`map_scores`."""


def _figures(table: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Return a copy of the counted answers with each group's score, its 95 % interval and its suppression:
    NPS = 100 × (top_box − bottom_box) ÷ responses with its normal-approximation interval; CSAT and CES
    the share top_box ÷ responses (0–1) with its Wilson interval; figures blank under ``min_group_size``."""
    out = table.copy()
    n = out["responses"].astype(float)
    nps = (out["kind"] == "nps").to_numpy()
    share = out["top_box"] / n.where(n > 0)
    nps_low, nps_high = nps_interval(out["top_box"], out["bottom_box"], n)
    top_low, top_high = wilson_interval(out["top_box"], n)
    out["score"] = np.where(nps, 100 * (out["top_box"] - out["bottom_box"]) / n.where(n > 0), share)
    out["ci_low"] = np.where(nps, nps_low, top_low)
    out["ci_high"] = np.where(nps, nps_high, top_high)
    out["suppressed"] = n < min_group_size
    figures = ["score", "ci_low", "ci_high"]
    out[figures] = out[figures].astype(float).mask(out["suppressed"])
    return out


def _answers_sql(project, users: str | None) -> str:
    """SQL of the survey answers (kind, stage, touchpoint, top, bottom) of all customers or of ``users``."""
    spec = project.spec
    columns = set(project.sql("SELECT * FROM surveys LIMIT 0").columns)
    own_stage = "stage" if "stage" in columns else "NULL"
    ids = ", ".join(quote_literal(tp.id) for tp in spec.touchpoints) or "NULL"
    touchpoint = f"CASE WHEN touchpoint IN ({ids}) THEN touchpoint END" if "touchpoint" in columns else "NULL"
    stage_of = " ".join(f"WHEN {quote_literal(tp.id)} THEN {quote_literal(tp.stage)}" for tp in spec.touchpoints)
    stage = f"coalesce({own_stage}, CASE {touchpoint} {stage_of} END)" if stage_of else own_stage
    top = " ".join(f"WHEN {quote_literal(k)} THEN score >= {s['top']}" for k, s in SCALES.items())
    bottom = " ".join(f"WHEN {quote_literal(k)} THEN score <= {s['bottom']}" for k, s in SCALES.items())
    only = f" AND user_id IN ({users})" if users else ""
    kinds = ", ".join(quote_literal(k) for k in SCALES)
    return (f"SELECT kind, {stage} AS stage, {touchpoint} AS touchpoint, CASE kind {top} END AS top, "
            f"CASE kind {bottom} END AS bottom FROM surveys "
            f"WHERE score IS NOT NULL AND kind IN ({kinds}){only}")


def _counts(project, users: str | None) -> pd.DataFrame:
    """Answers per kind and stage (touchpoint missing) and per kind, stage and touchpoint."""
    return project.sql(f"""
        WITH a AS ({_answers_sql(project, users)})
        SELECT kind, stage, touchpoint, count(*) AS responses, count(*) FILTER (WHERE top) AS top_box,
               count(*) FILTER (WHERE bottom) AS bottom_box
        FROM a WHERE stage IS NOT NULL
        GROUP BY GROUPING SETS ((kind, stage), (kind, stage, touchpoint))
        HAVING touchpoint IS NOT NULL OR grouping(touchpoint) = 1""")


def map_scores(project) -> pd.DataFrame:
    """Measure the NPS, CSAT and CES per stage and touchpoint, for all customers and for each persona.

    Parameters
    ----------
    project
        The loaded project (DuckDB engine): its surveys, its events (for the personas' users) and its
        spec (stages, touchpoints, personas and ``min_group_size``).

    Returns
    -------
    DataFrame
        One row per group that has answers: ``stage``, ``touchpoint`` (a touchpoint id, or missing
        for every answer at the stage), ``persona`` (a persona id, or ``all``), ``kind`` (nps, csat,
        ces), ``responses`` (the denominator), ``top_box``, ``bottom_box`` (promoters 9–10 and
        detractors 0–6; CSAT 4–5 and 1–2; CES 5–7 and 1–3), ``score`` (NPS = 100 × (top_box −
        bottom_box) ÷ responses, −100 … +100; CSAT and CES the share top_box ÷ responses, 0–1),
        ``ci_low``, ``ci_high`` (95 %: NPS normal approximation, shares Wilson), ``suppressed``
        (fewer answers than ``min_group_size``: figures left blank). Empty without surveys.

    Examples
    --------
    >>> scores = map_scores(open_project("demo"))                             # doctest: +SKIP
    >>> scores.query("persona == 'all' and kind == 'nps'")[["stage", "score"]]  # doctest: +SKIP
    """
    if not project.has("surveys"):
        return pd.DataFrame(columns=MAP_SCORE_COLUMNS)
    spec, parts = project.spec, []
    groups = [("all", None)] + [(p.id, sql) for p in spec.personas
                                if (sql := persona_users_sql(p)) is not None and project.has("events")]
    for persona, users in groups:
        parts.append(_counts(project, users).assign(persona=persona))
    counts = pd.concat(parts, ignore_index=True)
    if counts.empty:
        return pd.DataFrame(columns=MAP_SCORE_COLUMNS)
    for column in ("responses", "top_box", "bottom_box"):
        counts[column] = counts[column].astype(int)
    counts["touchpoint"] = counts["touchpoint"].astype(object).where(counts["touchpoint"].notna(), None)
    order = {"stage": {s: i for i, s in enumerate(spec.stage_ids)}, "kind": {k: i for i, k in enumerate(SCALES)},
             "touchpoint": {tp.id: i for i, tp in enumerate(spec.touchpoints)},
             "persona": {p: i for i, (p, _) in enumerate(groups)}}
    counts = counts.sort_values(["persona", "stage", "kind", "touchpoint"], key=lambda c: c.map(order[c.name]),
                                na_position="first", ignore_index=True)
    return _figures(counts, spec.project.min_group_size)[MAP_SCORE_COLUMNS]
