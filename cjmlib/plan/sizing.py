"""Sizing from the funnel: what a better step rate is worth in conversions and revenue per month.

If step k of a funnel converts a share p of the units that reached step k−1, and a change moves
that share to p′ while the later steps keep their rates, the conversions at the end of the funnel
change by

    Δ = n_{k−1} × (p′ − p) × q,   q = (units at the last step) ÷ (units at step k)

over the period measured. The 95 % interval comes from the delta method on the two measured
shares p and q (binomial variances) and, for revenue, on the revenue per converting session:

    Var Δ = n_{k−1}² × (q² p(1 − p) / n_{k−1} + (p′ − p)² q(1 − q) / n_k)
    Var (Δ × v) = v² Var Δ + Δ² se(v)²

Figures are scaled to a month of 30.4375 days from the days the data covers.

Examples
--------
>>> size_step(funnel, "checkout", 0.70, days=56)     # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analytics.declared import declared_funnel_table
from ..analytics.web import sessions_table
from ..errors import Issue, SpecError
from ..i18n.catalogue import say
from ..spec.funnels import journey_funnels
from ..stats import Z95

__all__ = ["MONTH_DAYS", "opportunity_funnel", "period_days", "revenue_per_conversion", "size_step", "sizing_table",
           "sizing_targets", "what_if_table"]

MONTH_DAYS = 30.4375


def period_days(project) -> float:
    """Return the days the events cover, first to last day included.

    Parameters
    ----------
    project
        The loaded project (its ``period``); ValueError when it has no dated data.
    """
    first, last = project.period
    if not first:
        raise ValueError("the project has no dated data: the period, and so a month, is unknown")
    return float((pd.Timestamp(last) - pd.Timestamp(first)).days + 1)


def revenue_per_conversion(project) -> dict:
    """Return the mean revenue of the sessions with a purchase, its standard error and n (the sessions).

    Parameters
    ----------
    project
        The loaded project (its events and the spec's purchase events).
    """
    s = sessions_table(project)
    s = s.filter(s.has_purchase)
    row = s.aggregate(n=s.session_id.count(), mean=s.revenue.mean(), sd=s.revenue.std()).execute().iloc[0]
    n = int(row.n)
    sd = float(row.sd) if n > 1 and not pd.isna(row.sd) else np.nan
    return {"value": float(row["mean"]) if n else np.nan, "se": sd / np.sqrt(n) if n > 1 else np.nan, "n": n,
            "definition": say("metrics", "revenue_per_conversion.definition", project.spec.project.language)}


def _row(funnel: pd.DataFrame, step: str) -> int:
    keys = funnel["key"].astype(str).tolist()
    if step not in keys:
        raise ValueError(f"'{step}' is not a step of the funnel; its steps are: {', '.join(keys)}")
    k = keys.index(step)
    if k == 0:
        raise ValueError(f"'{step}' is the funnel's first step: it has no step rate to move; pick a later one")
    return k


def size_step(funnel: pd.DataFrame, step: str, rate: float, *, days: float, value: float = np.nan,
              value_se: float = 0.0) -> dict:
    """Conversions and revenue per month gained when ``step``'s rate moves to ``rate``.

    Parameters
    ----------
    funnel
        A :func:`cjmlib.funnel_table` result (``key``, ``units``, ``previous``, ``step_rate``).
    step
        The key of the step whose rate moves (a touchpoint id in a touchpoint funnel).
    rate
        The step rate aimed at, p′ (share of the previous step's units reaching this one).
    days
        Days the funnel's data covers (see :func:`period_days`).
    value, value_se
        Revenue per conversion and its standard error (see :func:`revenue_per_conversion`).

    Returns
    -------
    dict
        ``step``, ``label``, ``previous`` (n_{k−1}), ``units`` (n_k), ``rate_now`` (p), ``rate_target``
        (p′), ``downstream`` (q), ``conversions_per_month`` (now), ``delta_per_month`` with ``delta_low``,
        ``delta_high`` (95 %), ``revenue_per_month`` (Δ × value) with ``revenue_low``, ``revenue_high``.
    """
    if not 0 < rate <= 1:
        raise ValueError(f"rate must be a share in (0, 1], not {rate}")
    r = funnel.iloc[_row(funnel, step)]
    prev, units, last = float(r["previous"]), float(r["units"]), float(funnel["units"].iloc[-1])
    p = units / prev if prev else np.nan
    q = last / units if units else np.nan
    delta = prev * (rate - p) * q
    var = prev**2 * (q**2 * p * (1 - p) / prev + (rate - p) ** 2 * q * (1 - q) / units) if units else np.nan
    scale = MONTH_DAYS / days
    se = np.sqrt(var)
    revenue = delta * value
    revenue_se = np.sqrt(value**2 * var + delta**2 * (0.0 if pd.isna(value_se) else value_se) ** 2)
    return {"step": step, "label": r.get("label", step), "previous": int(prev), "units": int(units),
            "rate_now": p, "rate_target": rate, "downstream": q, "conversions_per_month": last * scale,
            "delta_per_month": delta * scale, "delta_low": (delta - Z95 * se) * scale,
            "delta_high": (delta + Z95 * se) * scale, "revenue_per_month": revenue * scale,
            "revenue_low": (revenue - Z95 * revenue_se) * scale, "revenue_high": (revenue + Z95 * revenue_se) * scale}


def opportunity_funnel(spec, opportunity) -> str:
    """The id of the funnel an opportunity's ``step`` belongs to: its ``funnel``, or the project's only funnel.

    Parameters
    ----------
    spec
        The journey spec.
    opportunity
        One of the spec's opportunities.
    """
    return opportunity.funnel or journey_funnels(spec)[0].id


def sizing_table(project, funnel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Size every opportunity of the spec that names a funnel step (``funnel``, ``step`` and ``target_rate``).

    Parameters
    ----------
    project
        The loaded project: its spec's opportunities, the period and the revenue per conversion.
    funnel
        Leave it out: each opportunity is sized on the funnel it names in journey.yml, counted by
        :func:`cjmlib.declared_funnel_table`. A funnel table given here (a :func:`cjmlib.funnel_table`
        or :func:`cjmlib.declared_funnel_table` result) is used for every opportunity instead.

    Returns
    -------
    DataFrame
        ``opportunity``, ``name``, ``funnel`` (its id) and the keys of :func:`size_step`, plus ``days``
        (the period) and ``value_per_conversion``. Raises a SpecError naming the opportunity when its
        step is not in the funnel or its target rate is missing.
    """
    sized_on = [(i, o) for i, o in enumerate(project.spec.opportunities) if o.step]
    columns = ["opportunity", "name", "funnel", "step", "label", "previous", "units", "rate_now", "rate_target",
               "downstream", "conversions_per_month", "delta_per_month", "delta_low", "delta_high",
               "revenue_per_month", "revenue_low", "revenue_high", "days", "value_per_conversion"]
    if not sized_on:
        return pd.DataFrame(columns=columns)
    days, value = period_days(project), revenue_per_conversion(project)
    tables: dict[str, pd.DataFrame] = {}
    rows, issues = [], []
    for i, o in sized_on:
        fid = opportunity_funnel(project.spec, o)
        if funnel is not None:
            table = funnel
        else:
            if fid not in tables:
                tables[fid] = declared_funnel_table(project, fid)
            table = tables[fid]
        keys = table["key"].astype(str).tolist()
        if o.step not in keys[1:]:
            issues.append(Issue(code="unknown_step", file="journey.yml", key=f"opportunities[{i}].step",
                                value=o.step, problem=f"'{o.step}' is not a step of the funnel '{fid}' (after its "
                                f"first step) of opportunity '{o.id}'.", fix=f"Use one of: {', '.join(keys[1:])}."))
            continue
        if o.target_rate is None:
            issues.append(Issue(code="missing_key", file="journey.yml", key=f"opportunities[{i}].target_rate",
                                problem=f"opportunity '{o.id}' names a step but no target_rate.",
                                fix="Add 'target_rate:' with the step rate aimed at, a share such as 0.65."))
            continue
        sized = size_step(table, o.step, o.target_rate, days=days, value=value["value"], value_se=value["se"])
        rows.append({"opportunity": o.id, "name": o.name, "funnel": fid, **sized, "days": days,
                     "value_per_conversion": value["value"]})
    if issues:
        raise SpecError(issues)
    return pd.DataFrame(rows, columns=columns)


def sizing_targets(spec, funnel: str | None = None) -> dict[str, float]:
    """The step rates the spec's opportunities aim at (step → rate; the highest when several name a step).

    Parameters
    ----------
    spec
        The journey spec.
    funnel
        Only the opportunities of this funnel (its id); all of them when omitted.
    """
    targets: dict[str, float] = {}
    for o in spec.opportunities:
        if o.step and o.target_rate is not None and (funnel is None or opportunity_funnel(spec, o) == funnel):
            targets[o.step] = max(o.target_rate, targets.get(o.step, 0.0))
    return targets


def _others(x: np.ndarray) -> np.ndarray:
    """Element j: the product of every element of ``x`` but the j-th (∂ Π x / ∂ x_j, zeros allowed)."""
    return np.array([np.prod(np.delete(x, j)) for j in range(len(x))])


def what_if_table(funnel: pd.DataFrame, rates: dict[str, float], *, days: float, value: float = np.nan,
                  value_se: float = 0.0) -> pd.DataFrame:
    """The funnel's outcome when some step rates are set to ``rates`` (step key → p′), all at once.

    The end conversions become entries × Π step rates, each step at its new rate or its measured one.
    Every figure has a 95 % interval by the delta method on the measured step rates p_j (binomial
    variances p_j(1 − p_j) ÷ n_{j−1}, the steps taken as independent, as the successive binomials of a
    funnel are): a figure f of the rates has Var f = Σ_j (∂f/∂p_j)² p_j(1 − p_j) ÷ n_{j−1}, where a rate
    set to a target is a constant (∂ = 0 in ``what_if``); revenue adds value_se² × conversions². The
    bounds are the normal ones (clipped at 0, and at 1 for shares); no interval when the figure is
    not uncertain (a target set by hand).

    Parameters
    ----------
    funnel
        A :func:`cjmlib.funnel_table` result (``key``, ``units``, ``previous``).
    rates
        Step key → the step rate aimed at (a share); the first step has no rate to set.
    days
        Days the funnel's data covers (see :func:`period_days`), to scale to a month.
    value
        Revenue per conversion (see :func:`revenue_per_conversion`); NaN by default (no revenue).
    value_se
        The standard error of ``value`` (``se`` of :func:`revenue_per_conversion`); 0 by default.

    Returns
    -------
    DataFrame
        One row per measure: ``measure``, ``now`` with ``now_ci_low``, ``now_ci_high``, ``what_if`` with
        ``what_if_ci_low``, ``what_if_ci_high``, ``change`` (what_if − now) with ``change_ci_low``,
        ``change_ci_high``. Measures: ``end_conversion`` (units at the last step ÷ units at the first),
        ``conversions_per_month``, ``revenue_per_month`` (conversions × ``value``), then one
        ``rate:<step>`` row per step.
    """
    for step in rates:
        _row(funnel, step)
    keys = funnel["key"].astype(str).tolist()
    prev, units = funnel["previous"].to_numpy(float), funnel["units"].to_numpy(float)
    now_rates = np.divide(units, prev, out=np.full(len(units), np.nan), where=prev > 0)
    now_rates[0] = 1.0
    new_rates = np.array([rates.get(k, r) for k, r in zip(keys, now_rates)])
    entries, scale = units[0], MONTH_DAYS / days
    now_end, new_end = units[-1] / entries, np.prod(new_rates)
    p, kept = now_rates[1:], np.array([k not in rates for k in keys[1:]])
    var = np.divide(p * (1 - p), prev[1:], out=np.full(len(p), np.nan), where=prev[1:] > 0)
    grad_now, grad_new = _others(p), _others(new_rates[1:]) * kept
    per_month, v_se = entries * scale, 0.0 if pd.isna(value_se) else float(value_se)

    def se(grad: np.ndarray, times: float = 1.0, conversions: float = 0.0) -> float:
        return float(np.sqrt(times**2 * np.sum(grad**2 * var) + conversions**2 * v_se**2)) if grad.any() else np.nan

    conv = (units[-1] * scale, entries * new_end * scale)
    rows = [("end_conversion", now_end, new_end, se(grad_now), se(grad_new), se(grad_new - grad_now)),
            ("conversions_per_month", *conv, se(grad_now, per_month), se(grad_new, per_month),
             se(grad_new - grad_now, per_month)),
            ("revenue_per_month", conv[0] * value, conv[1] * value, se(grad_now, per_month * value, conv[0]),
             se(grad_new, per_month * value, conv[1]), se(grad_new - grad_now, per_month * value, conv[1] - conv[0]))]
    sd = np.sqrt(var)
    rows += [(f"rate:{k}", a, b, s, s if keep else np.nan, np.nan if keep else s)
             for k, a, b, s, keep in zip(keys[1:], p, new_rates[1:], sd, kept)]
    table = pd.DataFrame(rows, columns=["measure", "now", "what_if", "now_se", "what_if_se", "change_se"])
    table["change"] = table.what_if - table.now
    share = table.measure.eq("end_conversion") | table.measure.str.startswith("rate:")
    for col in ("now", "what_if", "change"):
        low, high = table[col] - Z95 * table[f"{col}_se"], table[col] + Z95 * table[f"{col}_se"]
        if col != "change":
            low, high = low.clip(lower=0), high.where(~share, high.clip(upper=1))
        table[f"{col}_ci_low"], table[f"{col}_ci_high"] = low, high
    return table[["measure", "now", "now_ci_low", "now_ci_high", "what_if", "what_if_ci_low", "what_if_ci_high",
                  "change", "change_ci_low", "change_ci_high"]]
