"""From evidence to action: KPI baselines against targets, opportunities scored, sized and put on a roadmap.

Baselines are the very results of steps 4 and 5 (:func:`cjmlib.web_metrics`,
:func:`cjmlib.repeat_purchase`, :func:`cjmlib.score_table`), never a second computation.
Opportunities are scored the way the spec's ``project.scoring`` says:

- ``rice``: reach × impact × confidence ÷ effort (reach from the data where the opportunity names
  touchpoints that have data: customers per month at them);
- ``ice``: impact × confidence × ease;
- ``value_effort``: value ÷ effort (value from the spec, else the sized revenue per month).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analytics.web import repeat_purchase, web_metrics
from ..data.sql import literal_list
from ..i18n.catalogue import say, words
from ..i18n.formats import number
from ..voice.scores import score_table
from .sizing import MONTH_DAYS, period_days

__all__ = ["SCORINGS", "kpi_before_after", "kpi_table", "opportunity_table", "reach_from_data", "roadmap_table"]

SCORINGS = ("rice", "ice", "value_effort")


def _survey_kpi(project, kind: str) -> dict | None:
    """The whole period's score of ``kind`` from :func:`cjmlib.score_table` (one group: every answer)."""
    if not project.has("surveys"):
        return None
    t = score_table(project, kind=kind, by="kind")
    if not len(t) or not t.responses.iloc[0]:
        return None
    r = t.iloc[0]
    definition = say("metrics", f"{kind}.definition", project.spec.project.language)
    if kind == "nps":
        return {"value": r.score, "numerator": int(r.top_box - r.bottom_box), "denominator": int(r.responses),
                "ci_low": r.ci_low, "ci_high": r.ci_high, "definition": definition}
    return {"value": r.score, "numerator": np.nan, "denominator": int(r.responses), "ci_low": r.ci_low,
            "ci_high": r.ci_high, "definition": definition}


def kpi_table(project) -> pd.DataFrame:
    """Return every KPI of the spec's goals with its baseline measured from the data.

    Parameters
    ----------
    project
        The loaded project (DuckDB engine): its spec's goals and its events, orders and surveys.

    Returns
    -------
    DataFrame
        ``id``, ``goal``, ``name``, ``metric``, ``unit``, ``direction``, ``baseline``, ``numerator``,
        ``denominator``, ``ci_low``, ``ci_high``, ``target``, ``gap`` (target − baseline), ``on_track``
        (the baseline already meets the target in the KPI's direction), ``definition``, ``period_start``,
        ``period_end`` (the first and last day of the data measured, ``YYYY-MM-DD``: what tells whether two
        runs' baselines are independent samples, see :func:`cjmlib.run.publish.what_changed`).
        A baseline written in the spec is used when the metric cannot be measured (``custom``).
    """
    web = {r.metric: r._asdict() for r in web_metrics(project).itertuples(index=False)} if project.has("events") else {}
    measured = dict(web)
    measured["repeat_purchase_rate"] = repeat_purchase(project) if (project.has("orders") or project.has("events")) else None
    measured["nps"] = _survey_kpi(project, "nps")
    measured["csat"] = _survey_kpi(project, "csat")
    if project.has("orders"):
        row = project.sql("SELECT count(*) n, sum(revenue) r FROM orders").iloc[0]
        if row.n:
            measured["average_order_value"] = {"value": row.r / row.n, "numerator": row.r, "denominator": int(row.n),
                                               "ci_low": np.nan, "ci_high": np.nan,
                                               "definition": say("metrics", "average_order_value.definition",
                                                                 project.spec.project.language)}
    rows, (first, last) = [], project.period
    for goal in project.spec.goals:
        for k in goal.kpis:
            m = measured.get(k.metric)
            baseline = m["value"] if m else k.baseline
            gap = (k.target - baseline) if (k.target is not None and baseline is not None) else np.nan
            on_track = bool(baseline is not None and k.target is not None and
                            (baseline >= k.target if k.direction == "increase" else baseline <= k.target))
            name = k.name or say("metrics", f"{k.metric}.name", project.spec.project.language)
            rows.append({"id": k.id, "goal": goal.id, "name": name, "metric": k.metric, "unit": k.unit,
                         "direction": k.direction, "baseline": baseline,
                         "numerator": m["numerator"] if m else np.nan, "denominator": m["denominator"] if m else np.nan,
                         "ci_low": m["ci_low"] if m else np.nan, "ci_high": m["ci_high"] if m else np.nan,
                         "target": k.target, "gap": gap, "on_track": on_track,
                         "definition": m["definition"] if m else say("metrics", "custom.definition",
                                                                     project.spec.project.language),
                         "period_start": first, "period_end": last})
    return pd.DataFrame(rows)


def reach_from_data(project, touchpoints) -> dict:
    """Count the customers per month who used any of ``touchpoints`` (distinct users ÷ months of data).

    Parameters
    ----------
    project
        The loaded project (DuckDB engine); without events the reach is NaN.
    touchpoints
        Touchpoint ids of the spec (an opportunity's); none gives a NaN reach.
    """
    if not touchpoints or not project.has("events"):
        return {"reach": np.nan, "users": 0, "months": np.nan}
    months = period_days(project) / MONTH_DAYS
    users = int(project.sql(f"""SELECT count(DISTINCT user_id) n FROM events
                                WHERE touchpoint IN ({literal_list(touchpoints)})""").n.iloc[0])
    return {"reach": users / months if users else np.nan, "users": users, "months": months}


def _score(row: dict, scoring: str) -> float:
    parts = {"rice": ("reach", "impact", "confidence", "effort"), "ice": ("impact", "confidence", "ease"),
             "value_effort": ("value", "effort")}[scoring]
    values = [row[k] for k in parts]
    if any(v is None or pd.isna(v) for v in values):
        return np.nan
    if scoring == "rice":
        return values[0] * values[1] * values[2] / values[3]
    if scoring == "ice":
        return values[0] * values[1] * values[2]
    return values[0] / values[1]


def opportunity_table(spec, *, themes: pd.DataFrame | None = None, project=None, sizing: pd.DataFrame | None = None,
                      scoring: str | None = None) -> pd.DataFrame:
    """Score the spec's opportunities and rank them into now / next / later.

    Parameters
    ----------
    spec
        The journey spec.
    themes
        :func:`cjmlib.theme_table`: ``evidence`` counts the feedback mentions of the themes of the
        opportunity's pain points.
    project
        When given, ``reach`` is measured: customers per month at the opportunity's touchpoints
        (``reach_source`` says ``data``); otherwise, or without touchpoints with data, the spec's reach.
    sizing
        :func:`cjmlib.sizing.sizing_table`: its ``revenue_per_month`` is the value of an opportunity
        that has no ``value`` in the spec.
    scoring
        ``rice``, ``ice`` or ``value_effort``; the spec's ``project.scoring`` by default.

    Returns
    -------
    DataFrame
        ``opportunity``, ``name``, ``stage``, ``touchpoints``, ``pain_points``, ``kpis``, ``reach``,
        ``reach_source``, ``impact``, ``confidence``, ``effort``, ``ease``, ``value``, ``rice``, ``ice``,
        ``value_effort``, ``scoring``, ``score`` (the chosen one), ``evidence``, ``rank`` (1 = highest
        score; unscored last) and ``priority`` (now / next / later by thirds of the rank).
    """
    scoring = scoring or spec.project.scoring
    if scoring not in SCORINGS:
        raise ValueError(f"scoring must be one of {', '.join(SCORINGS)}, not {scoring!r}")
    mentions = dict(zip(themes.theme, themes.mentions)) if themes is not None and len(themes) else {}
    sized = dict(zip(sizing.opportunity, sizing.revenue_per_month)) if sizing is not None and len(sizing) else {}
    pains = {p.id: p for p in spec.pain_points}
    rows = []
    for o in spec.opportunities:
        measured = reach_from_data(project, o.touchpoints) if project is not None else {"reach": np.nan}
        from_data = not pd.isna(measured["reach"])
        row = {"opportunity": o.id, "name": o.name, "stage": o.stage, "touchpoints": ", ".join(o.touchpoints),
               "pain_points": ", ".join(o.pain_points), "kpis": ", ".join(o.kpis),
               "reach": measured["reach"] if from_data else o.reach,
               "reach_source": "data" if from_data else ("journey.yml" if o.reach is not None else "–"),
               "impact": o.impact, "confidence": o.confidence, "effort": o.effort, "ease": o.ease,
               "value": o.value if o.value is not None else sized.get(o.id, np.nan)}
        row.update({k: _score(row, k) for k in SCORINGS})
        row["evidence"] = sum(mentions.get(t, 0) for p in o.pain_points if p in pains for t in pains[p].themes)
        rows.append(row)
    columns = ["opportunity", "name", "stage", "touchpoints", "pain_points", "kpis", "reach", "reach_source", "impact",
               "confidence", "effort", "ease", "value", *SCORINGS, "evidence"]
    table = pd.DataFrame(rows, columns=columns)
    for col in ("reach", "impact", "confidence", "effort", "ease", "value", *SCORINGS):
        table[col] = table[col].astype(float)
    table["scoring"], table["score"] = scoring, table[scoring]
    table = table.sort_values("score", ascending=False, na_position="last", ignore_index=True, kind="stable")
    table["rank"] = np.arange(1, len(table) + 1)
    thirds = np.ceil(table["rank"] * 3 / max(len(table), 1)).astype(int)
    table["priority"] = thirds.map({1: "now", 2: "next", 3: "later"})
    return table


def roadmap_table(opportunities: pd.DataFrame, *, language: str = "en") -> pd.DataFrame:
    """Lay out the roadmap: one column per horizon (now, next, later), the opportunities in rank order.

    Parameters
    ----------
    opportunities
        The ranked opportunities (``name``, ``score``, ``rank``, ``priority``) of :func:`opportunity_table`.
    language
        Language of the horizons' names: ``"en"`` (the default) or ``"fr"``; any other gives English.

    Returns
    -------
    DataFrame
        ``rank`` within the horizon (1, 2, …) and one column per horizon holding the opportunity's
        name and its score; empty cells where a horizon has fewer opportunities.
    """
    names = words("planning", language)["priorities"]
    columns = {}
    for key, label in names.items():
        sub = opportunities[opportunities.priority == key].sort_values("rank")
        columns[label] = [n if pd.isna(s) else f"{n} ({number(s, language, 1)})" for n, s in zip(sub.name, sub.score)]
    depth = max((len(v) for v in columns.values()), default=0)
    table = pd.DataFrame({k: v + [""] * (depth - len(v)) for k, v in columns.items()})
    table.insert(0, "rank", np.arange(1, depth + 1))
    return table


def kpi_before_after(kpis: pd.DataFrame, *, what_if: pd.DataFrame | None = None) -> pd.DataFrame:
    """The KPIs as-is (measured) and to-be (the team's target), with the change asked for.

    Parameters
    ----------
    kpis
        :func:`kpi_table`.
    what_if
        :func:`cjmlib.sizing.what_if_table`: its ``end_conversion`` gives a ``what_if`` value to the
        ``session_conversion`` KPI (the funnel the what-if moves).

    Returns
    -------
    DataFrame
        ``name``, ``unit``, ``direction``, ``before`` (the baseline), ``denominator`` (its n),
        ``after`` (the target), ``change`` (after − before), ``relative_change`` (change ÷ before; not for
        scores such as NPS, which can cross zero),
        ``what_if`` (where known), ``on_track``.
    """
    table = kpis[["name", "metric", "unit", "direction", "baseline", "denominator", "target", "on_track"]].rename(
        columns={"baseline": "before", "target": "after"})
    table["before"], table["after"] = table.before.astype(float), table.after.astype(float)
    table["change"] = table.after - table.before
    ratio = (table.unit != "score") & (table.before > 0)  # a score crossing zero has no relative change
    table["relative_change"] = (table.change / table.before).where(ratio)
    table["what_if"] = np.nan
    if what_if is not None and len(what_if):
        end = what_if.set_index("measure").what_if.get("end_conversion", np.nan)
        table.loc[table.metric == "session_conversion", "what_if"] = end
    return table[["name", "unit", "direction", "before", "denominator", "after", "change", "relative_change",
                  "what_if", "on_track"]]
