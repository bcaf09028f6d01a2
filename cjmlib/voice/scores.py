"""Survey scores per stage, touchpoint, persona or period: NPS, CSAT and CES with their intervals.

Each score names its denominator (the answers) and blanks the groups with fewer answers than the
spec's ``min_group_size``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as st

from ..analytics.personas import persona_users_sql
from ..data.sql import quote_ident, quote_literal
from ..errors import DataError, Issue
from ..stats import nps_interval, wilson_interval

__all__ = ["PERIODS", "SCALES", "ces_table", "csat_table", "nps_table", "score_table"]

#: Scale, top box and bottom box of each survey kind (CES 1–7: agreeing the task was easy is 5–7).
SCALES = {"nps": {"low": 0, "high": 10, "top": 9, "bottom": 6},
          "csat": {"low": 1, "high": 5, "top": 4, "bottom": 2},
          "ces": {"low": 1, "high": 7, "top": 5, "bottom": 3}}
PERIODS = ("week", "month")


def _rule(project) -> str:
    k = project.spec.project.min_group_size
    return f"groups of fewer than {k} answers are not shown (min_group_size {k})"


def _group_sql(project, by: str) -> tuple[str, str]:
    """Return (extra CTE, the grouping expression) for grouping surveys or feedback by ``by``."""
    if by != "persona":
        return "", f"t.{quote_ident(by)}"
    parts = [f"SELECT {quote_literal(p.id)} AS persona, user_id FROM ({sql})" for p in project.spec.personas
             if (sql := persona_users_sql(p)) is not None and project.has("events")]
    union = " UNION ALL ".join(parts) or "SELECT NULL::VARCHAR AS persona, NULL::VARCHAR AS user_id"
    return f", personas AS ({union})", "p.persona"


def _survey_groups(project, kind: str, by: str, period: str | None) -> pd.DataFrame:
    scale = SCALES[kind]
    columns = set(project.sql("SELECT * FROM surveys LIMIT 0").columns)
    if by not in columns | {"persona"}:
        raise DataError([Issue(code="unknown_column", file="surveys", key=by, value=by,
                               problem=f"The surveys have no column `{by}` to group by.",
                               fix=f"Group by one of: {', '.join(sorted(columns | {'persona'}))}.")])
    cte, key = _group_sql(project, by)
    join = "JOIN personas p ON p.user_id = t.user_id" if by == "persona" else ""
    when = f", date_trunc('{period}', t.ts)::DATE AS period" if period else ""
    return project.sql(f"""
        WITH t AS (SELECT * FROM surveys WHERE kind = {quote_literal(kind)}){cte}
        SELECT {key} AS "{by}"{when}, count(t.score) AS responses, avg(t.score) AS mean,
               stddev_samp(t.score) AS sd, count(*) FILTER (WHERE t.score >= {scale['top']}) AS top_box,
               count(*) FILTER (WHERE t.score <= {scale['bottom']}) AS bottom_box
        FROM t {join} GROUP BY ALL""")


def score_table(project, *, kind: str = "nps", by: str = "stage", period: str | None = None) -> pd.DataFrame:
    """Survey score of ``kind`` (nps 0–10, csat 1–5, ces 1–7) per value of ``by`` and ``period``.

    Parameters
    ----------
    project
        The loaded project.
    kind
        ``nps`` (promoters 9–10, detractors 0–6), ``csat`` (top-2-box 4–5) or ``ces`` (easy 5–7).
    by
        A column of the surveys (``stage``, ``touchpoint`` when the data has it) or ``persona``
        (users matched by the persona rules of the spec; a user may count for several personas).
    period
        ``week`` or ``month`` for a trend (one row per group and period), None for the whole time.

    Returns
    -------
    DataFrame
        ``<by>``, ``period`` (when asked), ``label``, ``kind``, ``responses`` (the denominator),
        ``top_box`` (promoters / 4–5 / 5–7), ``bottom_box`` (detractors / 1–2 / 1–3), ``score``
        (NPS = 100 × (top − bottom) ÷ responses; the mean for CSAT and CES), ``ci_low``,
        ``ci_high`` (95 %: NPS normal approximation, mean Student t), ``top_box_rate`` = top_box ÷
        responses with its Wilson interval ``top_ci_low``, ``top_ci_high``, ``suppressed`` (fewer
        answers than the spec's ``min_group_size``: values blanked) and ``rule`` (that rule, in words).
    """
    if kind not in SCALES:
        raise ValueError(f"kind must be one of {', '.join(SCALES)}, not {kind!r}")
    if period not in (None, *PERIODS):
        raise ValueError(f"period must be None, 'week' or 'month', not {period!r}")
    keys = [by, "period"] if period else [by]
    columns = [*keys, "label", "kind", "responses", "top_box", "bottom_box", "score", "ci_low", "ci_high",
               "top_box_rate", "top_ci_low", "top_ci_high", "suppressed", "rule"]
    if not project.has("surveys"):
        return pd.DataFrame(columns=columns)
    t = _survey_groups(project, kind, by, period)
    if by == "stage" and not period:
        base = pd.DataFrame({"stage": project.spec.stage_ids})
        t = base.merge(t, on="stage", how="left").fillna({"responses": 0, "top_box": 0, "bottom_box": 0})
    labels = {s.id: s.label for s in project.spec.stages} if by == "stage" else {}
    t["label"] = t[by].map(lambda v: labels.get(v, str(v)))
    t["kind"] = kind
    for col in ("responses", "top_box", "bottom_box"):
        t[col] = t[col].astype(int)
    n = t.responses.where(t.responses > 0)
    if kind == "nps":
        t["score"] = 100 * (t.top_box - t.bottom_box) / n
        t["ci_low"], t["ci_high"] = nps_interval(t.top_box, t.bottom_box, t.responses)
    else:
        half = st.t.ppf(0.975, (n - 1).where(n > 1)) * t.sd.astype(float) / np.sqrt(n)
        t["score"], t["ci_low"], t["ci_high"] = t["mean"], t["mean"] - half, t["mean"] + half
    t["top_box_rate"] = t.top_box / n
    t["top_ci_low"], t["top_ci_high"] = wilson_interval(t.top_box, t.responses)
    t["suppressed"] = t.responses < project.spec.project.min_group_size
    blank = ["score", "ci_low", "ci_high", "top_box_rate", "top_ci_low", "top_ci_high"]
    t[blank] = t[blank].astype(float).mask(t.suppressed)
    t["rule"] = _rule(project)
    if period or by != "stage":
        t = t.sort_values(keys, ignore_index=True)
    return t[columns]


def nps_table(project, *, by: str = "stage", period: str | None = None) -> pd.DataFrame:
    """Compute the NPS per value of ``by`` (promoters score 9–10, detractors 0–6).

    Parameters
    ----------
    project
        The loaded project (DuckDB engine; no surveys: an empty table).
    by
        A column of the surveys (``stage``, the default, or ``touchpoint`` when the data has it) or
        ``persona`` (users matched by the spec's persona rules).
    period
        ``week`` or ``month`` for a trend (one row per group and period), None (the default) for the whole time.

    Returns
    -------
    DataFrame
        ``<by>``, ``period`` (when asked), ``label``, ``responses`` (the denominator), ``promoters``,
        ``detractors``, ``nps`` = 100 × (promoters − detractors) ÷ responses, ``ci_low``, ``ci_high``
        (95 %), ``suppressed`` (fewer answers than ``min_group_size``; the values stay, deliverables
        hide them) and ``rule``. Stages are in the spec's order; stages without answers have
        0 responses and NaN NPS.
    """
    keys = [by, "period"] if period else [by]
    columns = [*keys, "label", "responses", "promoters", "detractors", "nps", "ci_low", "ci_high", "suppressed",
               "rule"]
    t = score_table(project, kind="nps", by=by, period=period)
    if not len(t):
        return pd.DataFrame(columns=columns)
    t = t.rename(columns={"top_box": "promoters", "bottom_box": "detractors"})
    n = t.responses.where(t.responses > 0)
    t["nps"] = 100 * (t.promoters - t.detractors) / n
    t["ci_low"], t["ci_high"] = nps_interval(t.promoters, t.detractors, t.responses)
    return t[columns]


def csat_table(project, *, by: str = "stage", period: str | None = None) -> pd.DataFrame:
    """Compute the CSAT (1–5) per value of ``by``: ``responses``, ``mean``, ``top2`` (answers of 4–5),
    ``top2_rate`` = top2 ÷ responses with its Wilson interval ``ci_low``, ``ci_high``,
    ``mean_ci_low``, ``mean_ci_high`` (Student t), ``suppressed``, ``rule``; groups without answers
    are left out.

    Parameters
    ----------
    project
        The loaded project (DuckDB engine; no surveys: an empty table).
    by
        A column of the surveys (``stage``, the default, or ``touchpoint`` when the data has it) or
        ``persona`` (users matched by the spec's persona rules).
    period
        ``week`` or ``month`` for a trend (one row per group and period), None (the default) for the whole time.
    """
    keys = [by, "period"] if period else [by]
    cols = [*keys, "responses", "mean", "top2", "top2_rate", "ci_low", "ci_high", "mean_ci_low", "mean_ci_high",
            "suppressed", "rule"]
    t = score_table(project, kind="csat", by=by, period=period)
    t = t[t.responses > 0] if len(t) else t
    if not len(t):
        return pd.DataFrame(columns=cols)
    raw = _survey_groups(project, "csat", by, period)
    t = t.drop(columns=["label"]).merge(raw[[*keys, "mean"]], on=keys, how="left")
    t = t.rename(columns={"top_box": "top2", "ci_low": "mean_ci_low", "ci_high": "mean_ci_high"})
    t["top2_rate"] = t.top2 / t.responses
    t["ci_low"], t["ci_high"] = wilson_interval(t.top2, t.responses)
    return t[cols].reset_index(drop=True)


def ces_table(project, *, by: str = "stage", period: str | None = None) -> pd.DataFrame:
    """Compute the CES (1–7, higher is easier) per value of ``by``: the columns of :func:`score_table` with
    ``score`` the mean effort score and ``top_box`` the answers of 5–7 (it was easy).

    Parameters
    ----------
    project
        The loaded project (DuckDB engine; no surveys: an empty table).
    by
        A column of the surveys (``stage``, the default, or ``touchpoint`` when the data has it) or
        ``persona`` (users matched by the spec's persona rules).
    period
        ``week`` or ``month`` for a trend (one row per group and period), None (the default) for the whole time.
    """
    return score_table(project, kind="ces", by=by, period=period)
