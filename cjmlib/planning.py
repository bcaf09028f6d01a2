"""From evidence to action: KPI baselines against targets, and opportunities scored and prioritised."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .stats import nps_interval
from .web import repeat_purchase, web_metrics

__all__ = ["kpi_table", "opportunity_table"]


def _overall_nps(project) -> dict | None:
    if not project.has("surveys"):
        return None
    row = project.sql("""SELECT count(*) n, count(*) FILTER (WHERE score >= 9) p, count(*) FILTER (WHERE score <= 6) d
                         FROM surveys WHERE kind = 'nps'""").iloc[0]
    if not row.n:
        return None
    low, high = nps_interval(row.p, row.d, row.n)
    return {"value": 100 * (row.p - row.d) / row.n, "numerator": int(row.p - row.d), "denominator": int(row.n),
            "ci_low": float(low), "ci_high": float(high),
            "definition": "100 × (promoters 9–10 − detractors 0–6) ÷ NPS answers"}


def _overall_csat(project) -> dict | None:
    if not project.has("surveys"):
        return None
    row = project.sql("SELECT count(*) n, avg(score) m FROM surveys WHERE kind = 'csat'").iloc[0]
    if not row.n:
        return None
    return {"value": float(row.m), "numerator": np.nan, "denominator": int(row.n), "ci_low": np.nan,
            "ci_high": np.nan, "definition": "mean CSAT answer (1–5) ÷ 1, over CSAT answers"}


def kpi_table(project) -> pd.DataFrame:
    """Every KPI of the spec's goals with its baseline measured from the data.

    Returns
    -------
    DataFrame
        ``id``, ``goal``, ``name``, ``metric``, ``unit``, ``direction``, ``baseline``, ``numerator``,
        ``denominator``, ``ci_low``, ``ci_high``, ``target``, ``gap`` (target − baseline), ``on_track``
        (the baseline already meets the target in the KPI's direction), ``definition``.
        A baseline written in the spec is used when the metric cannot be measured (``custom``).
    """
    web = {r.metric: r._asdict() for r in web_metrics(project).itertuples(index=False)} if project.has("events") else {}
    measured = dict(web)
    measured["repeat_purchase_rate"] = repeat_purchase(project) if (project.has("orders") or project.has("events")) else None
    measured["nps"] = _overall_nps(project)
    measured["csat"] = _overall_csat(project)
    if project.has("orders"):
        row = project.sql("SELECT count(*) n, sum(revenue) r FROM orders").iloc[0]
        if row.n:
            measured["average_order_value"] = {"value": row.r / row.n, "numerator": row.r, "denominator": int(row.n),
                                               "ci_low": np.nan, "ci_high": np.nan,
                                               "definition": "revenue of orders ÷ orders"}
    rows = []
    for goal in project.spec.goals:
        for k in goal.kpis:
            m = measured.get(k.metric)
            baseline = m["value"] if m else k.baseline
            gap = (k.target - baseline) if (k.target is not None and baseline is not None) else np.nan
            on_track = bool(baseline is not None and k.target is not None and
                            (baseline >= k.target if k.direction == "increase" else baseline <= k.target))
            rows.append({"id": k.id, "goal": goal.id, "name": k.name or k.metric, "metric": k.metric, "unit": k.unit,
                         "direction": k.direction, "baseline": baseline,
                         "numerator": m["numerator"] if m else np.nan, "denominator": m["denominator"] if m else np.nan,
                         "ci_low": m["ci_low"] if m else np.nan, "ci_high": m["ci_high"] if m else np.nan,
                         "target": k.target, "gap": gap, "on_track": on_track,
                         "definition": m["definition"] if m else "as written in journey.yml"})
    return pd.DataFrame(rows)


def opportunity_table(spec, *, themes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score the spec's opportunities by RICE = reach × impact × confidence ÷ effort and rank them.

    ``evidence`` counts the feedback mentions of the themes of the opportunity's pain points
    (from :func:`cjmlib.voc.theme_table`). ``priority`` is now / next / later by thirds of the rank.

    Returns
    -------
    DataFrame
        ``opportunity``, ``name``, ``stage``, ``pain_points``, ``kpis``, ``reach``, ``impact``,
        ``confidence``, ``effort``, ``rice``, ``evidence``, ``rank``, ``priority``.
    """
    mentions = dict(zip(themes.theme, themes.mentions)) if themes is not None and len(themes) else {}
    pains = {p.id: p for p in spec.pain_points}
    rows = []
    for o in spec.opportunities:
        parts = (o.reach, o.impact, o.confidence, o.effort)
        rice = o.reach * o.impact * o.confidence / o.effort if None not in parts else np.nan
        evidence = sum(mentions.get(t, 0) for p in o.pain_points if p in pains for t in pains[p].themes)
        rows.append({"opportunity": o.id, "name": o.name, "stage": o.stage, "pain_points": ", ".join(o.pain_points),
                     "kpis": ", ".join(o.kpis), "reach": o.reach, "impact": o.impact, "confidence": o.confidence,
                     "effort": o.effort, "rice": rice, "evidence": evidence})
    table = pd.DataFrame(rows, columns=["opportunity", "name", "stage", "pain_points", "kpis", "reach", "impact",
                                        "confidence", "effort", "rice", "evidence"])
    table = table.sort_values("rice", ascending=False, na_position="last", ignore_index=True)
    table["rank"] = np.arange(1, len(table) + 1)
    thirds = np.ceil(table["rank"] * 3 / max(len(table), 1)).astype(int)
    table["priority"] = thirds.map({1: "now", 2: "next", 3: "later"})
    return table
