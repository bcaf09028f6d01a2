"""The trend of a funnel: each step's rate per week (or day, month), and the periods that break from the rest.

A unit (session or user) belongs to the period of its entry into the funnel (its first event of
step 1) and, with ``by``, to the value of that column on that event (as :func:`cjmlib.funnel_breakdown`). Each cell (period, value)
is counted from each unit's furthest step (:func:`cjmlib.analytics.funnel.funnel_reach`, the
funnel's own counting options), in one query per breakdown, so a cell's step rates are the declared
funnel's rates restricted to those units. A unit stopped before the end whose conversion window was
still open when the data ends is censored, not lost.

:func:`trend_outliers` then tests, step by step and value by value, each period against all the
other periods pooled (two-sided two-proportion z-test, Fisher's exact test when an expected count
is below 5), corrected over the periods tested in the series (Holm, or Benjamini–Hochberg on
request); periods with fewer than ``min_n`` units that could convert are not tested. Nothing here knows a step, a device or a week
of a particular shop: a week that broke is found from the data alone.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
from scipy import stats as st
from statsmodels.stats.proportion import proportions_ztest

from ..stats import adjust_p_values, wilson_interval
from .declared import events_column, funnel_labels, funnel_options
from .funnel import funnel_reach

__all__ = ["PERIODS", "WEEK_MIN_N", "funnel_trend", "largest_drop_off", "trend_abandonment", "trend_outliers",
           "week_that_broke"]

PERIODS = {"day": "D", "week": "W", "month": "M"}
"""The periods a trend is counted by, and their Ibis truncation unit (weeks start on Monday)."""

_TREND_COLUMNS = ["period", "by", "value", "step", "key", "label", "entered", "converted", "censored", "step_rate",
                  "ci_low", "ci_high", "unit"]


def _cells(events, funnel, *, period: str, by: str | None):
    """One row per unit that entered the funnel: ``u``, ``start`` (epoch seconds), its ``period`` and ``value``."""
    unit_col = "user_id" if funnel.unit == "user" else "session_id"
    entry = events.filter(events[funnel.by].cast("string") == str(funnel.steps[0]))
    entry = entry.filter(entry[unit_col].notnull())
    aggs = {"start": entry.ts.min()}
    if by is not None:
        aggs["value"] = entry[by].cast("string").argmin(entry.ts)
    units = entry.group_by(u=entry[unit_col]).agg(**aggs)
    units = units.mutate(period=units.start.truncate(PERIODS[period]).cast("date"),
                         start=units.start.epoch_seconds().cast("float64"))
    return units if by is not None else units.mutate(value=ibis.literal("", type="string"))


def funnel_trend(project, funnel, *, period: str = "week", by=None) -> pd.DataFrame:
    """Count a declared funnel period by period (and value by value of ``by``).

    Parameters
    ----------
    project
        The loaded project.
    funnel
        A funnel of the spec (``cjm.journey_funnels(project.spec)``).
    period
        ``"day"``, ``"week"`` (Monday start) or ``"month"``: the period of each unit's entry.
    by
        A column of the events file (``spec.breakdowns``, mapped or not) to split each period by, the
        value on the unit's entry event; None for the whole funnel; or a list of these (None among
        them for the whole funnel): their tables stacked, the funnel counted once.

    Returns
    -------
    DataFrame
        One row per period, value and step from step 2 on: ``period`` (its first day), ``by`` (the
        column, or empty), ``value`` (its value, ``(none)`` when missing, or empty), ``step``
        (1-based), ``key`` (the step's id), ``label``, ``entered`` (units at the previous step:
        the denominator), ``converted`` (of those, units reaching the step: the numerator),
        ``censored`` (units stopped at the previous step whose conversion window was still open
        when the data ends), ``step_rate`` (= converted ÷ entered), ``ci_low``, ``ci_high`` (Wilson
        95 %) and ``unit``. Empty (with these columns) when nobody entered the funnel.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    events = project.table("events")
    breakdowns = list(by) if isinstance(by, (list, tuple)) else [by]
    for name in breakdowns:
        if name is not None and events_column(project.spec, name) not in events.columns:
            raise ValueError(f"{name!r} is not a column of the events; columns: {', '.join(events.columns)}")
    steps, options = [str(s) for s in funnel.steps], funnel_options(funnel)
    if len(steps) < 2:
        return pd.DataFrame(columns=_TREND_COLUMNS)
    depth = funnel_reach(events, steps, by=funnel.by, unit=funnel.unit, options=options)
    tables = [_trend_table(project, events, funnel, depth, options, period=period, by=name) for name in breakdowns]
    return pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]


def _trend_table(project, events, funnel, depth, options, *, period: str, by: str | None) -> pd.DataFrame:
    """The rows of :func:`funnel_trend` for one breakdown column (or None), from the units' furthest steps."""
    steps = [str(s) for s in funnel.steps]
    column = None if by is None else events_column(project.spec, by)
    units = _cells(events, funnel, period=period, by=column).join(depth, "u")
    if options.window_days is not None:
        end = events.ts.max().epoch_seconds().cast("float64")
        open_ = units.start + options.window_days * 86400.0 > end.as_scalar()
    else:
        open_ = ibis.literal(False)
    aggs = {}
    for k in range(2, len(steps) + 1):  # one column per step: the query stays one query
        aggs[f"entered_{k}"] = (units.depth >= k - 1).cast("int64").sum()
        aggs[f"converted_{k}"] = (units.depth >= k).cast("int64").sum()
        aggs[f"censored_{k}"] = ((units.depth == k - 1) & open_).cast("int64").sum()
    wide = units.group_by(["period", "value"]).agg(**aggs).execute()
    if wide.empty:
        return pd.DataFrame(columns=_TREND_COLUMNS)
    labels = funnel_labels(project.spec, funnel)
    parts = [pd.DataFrame({"period": pd.to_datetime(wide.period).dt.date, "by": by or "",
                           "value": wide.value.fillna("(none)") if by is not None else "", "step": k,
                           "key": steps[k - 1], "label": labels.get(steps[k - 1], steps[k - 1]),
                           "entered": wide[f"entered_{k}"].astype(int), "converted": wide[f"converted_{k}"].astype(int),
                           "censored": wide[f"censored_{k}"].astype(int), "unit": funnel.unit})
             for k in range(2, len(steps) + 1)]
    out = pd.concat(parts, ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["step_rate"] = out.converted / out.entered
    out["ci_low"], out["ci_high"] = wilson_interval(out.converted, out.entered)
    return out[_TREND_COLUMNS].sort_values(["value", "step", "period"], ignore_index=True)


def _test(k: int, n: int, k_rest: int, n_rest: int) -> tuple[float, str]:
    """Two-sided p of k/n against k_rest/n_rest: Fisher's exact test when an expected count is below 5."""
    total = (k + k_rest) / (n + n_rest)
    expected = np.array([n * total, n * (1 - total), n_rest * total, n_rest * (1 - total)])
    if expected.min() < 5:
        return float(st.fisher_exact([[k, n - k], [k_rest, n_rest - k_rest]])[1]), "fisher"
    return float(proportions_ztest([k, k_rest], [n, n_rest])[1]), "z"


def trend_outliers(trend: pd.DataFrame, *, alpha: float = 0.05, min_n: int = 30,
                   correction: str = "holm") -> pd.DataFrame:
    """Find the periods whose step rate differs from the other periods of the same step and value.

    Parameters
    ----------
    trend
        A table of :func:`funnel_trend`.
    alpha
        The significance level applied to the adjusted p-values.
    min_n
        Periods with fewer units that could convert (``entered`` − ``censored``) are not tested;
        their units still count in the other periods' rest.
    correction
        ``"holm"`` (the default) or ``"bh"`` (Benjamini–Hochberg): how a series' p-values are adjusted.

    Returns
    -------
    DataFrame
        The periods that differ, the largest difference first: ``period``, ``by``, ``value``,
        ``step``, ``key``, ``label``, ``n`` (entered − censored: the denominator), ``converted``
        (the numerator), ``rate`` (= converted ÷ n), ``ci_low``, ``ci_high`` (Wilson 95 %),
        ``rest_n``, ``rest_converted``, ``rest_rate`` (the other periods pooled), ``difference``
        (rate − rest_rate), ``test`` (``z`` or ``fisher``), ``p_value``, ``p_adjusted`` (``correction``
        over the periods tested in the series). Empty (with these columns) when no period differs.
    """
    columns = ["period", "by", "value", "step", "key", "label", "n", "converted", "rate", "ci_low", "ci_high",
               "rest_n", "rest_converted", "rest_rate", "difference", "test", "p_value", "p_adjusted"]
    if trend.empty:
        return pd.DataFrame(columns=columns)
    t = trend.assign(n=(trend.entered - trend.censored).astype(int), converted=trend.converted.astype(int))
    found = []
    for _, series in t.groupby(["by", "value", "step"], sort=False):
        series = series.assign(rest_n=series.n.sum() - series.n, rest_converted=series.converted.sum() - series.converted)
        tested = series[(series.n >= min_n) & (series.rest_n >= min_n)].copy()
        if len(tested) < 2:
            continue
        results = [_test(k, n, kr, nr) for k, n, kr, nr in
                   zip(tested.converted, tested.n, tested.rest_converted, tested.rest_n)]
        tested["p_value"] = [p for p, _ in results]
        tested["test"] = [name for _, name in results]
        tested["p_adjusted"] = adjust_p_values(tested.p_value, correction)
        found.append(tested[tested.p_adjusted < alpha])
    if not found or all(f.empty for f in found):
        return pd.DataFrame(columns=columns)
    out = pd.concat([f for f in found if not f.empty], ignore_index=True)
    out["rate"] = out.converted / out.n
    out["ci_low"], out["ci_high"] = wilson_interval(out.converted, out.n)
    out["rest_rate"] = out.rest_converted / out.rest_n
    out["difference"] = out.rate - out.rest_rate
    out = out.reindex(out.difference.abs().sort_values(ascending=False).index)
    return out[columns].reset_index(drop=True)


WEEK_MIN_N = 30
"""Units a period needs (at the step) to be told as the one that broke: the default ``min_n`` of the test."""


def week_that_broke(outliers: pd.DataFrame, *, min_n: int = WEEK_MIN_N) -> pd.Series | None:
    """Return the period whose step rate fell furthest below the other periods' (the story a page tells).

    Parameters
    ----------
    outliers
        A table of :func:`trend_outliers`.
    min_n
        Periods with fewer units (``n``) are not told, however far they fell.

    Returns
    -------
    Series or None
        The row of ``outliers`` with the most negative ``difference`` (ties: the smaller ``p_adjusted``),
        or None when no period with ``min_n`` units fell below the others.
    """
    fell = outliers[(outliers["n"] >= min_n) & (outliers["difference"] < 0)] if len(outliers) else outliers
    if fell.empty:
        return None
    return fell.sort_values(["difference", "p_adjusted"], kind="stable").iloc[0]


def largest_drop_off(table: pd.DataFrame) -> str:
    """Return the id of the step (from step 2 on) with the lowest step rate among those anybody entered.

    Parameters
    ----------
    table
        A funnel table (:func:`cjmlib.funnel_table` or :func:`cjmlib.declared_funnel_table`); the
        step's id is read from ``key`` when the table has it, else from ``step``.

    Returns
    -------
    str
        The step's id; empty when no step after the first was entered.
    """
    ids = table["key"] if "key" in table.columns else table["step"]
    later = table.assign(_id=ids.astype(str)).iloc[1:]
    later = later[later.entered > 0]
    if later.empty:
        return ""
    return str(later.loc[later.step_rate.astype(float).idxmin(), "_id"])


def trend_abandonment(trend: pd.DataFrame, *, key: str, by: str | None = None) -> pd.DataFrame:
    """The weekly abandonment of one step, shaped for :func:`cjmlib.plot.plot_weekly_abandonment`.

    Parameters
    ----------
    trend
        A table of :func:`funnel_trend` (several breakdowns may be stacked in it).
    key
        The step's id.
    by
        The breakdown column whose values make the lines; None (or empty) for the whole funnel.

    Returns
    -------
    DataFrame
        ``week`` (the period's first day), the ``by`` column (or ``all``), ``entered`` (the
        denominator), ``abandoned`` (entered − converted − censored: the numerator), ``rate`` (=
        abandoned ÷ entered), ``ci_low``, ``ci_high`` (Wilson 95 %).
    """
    column = by or "all"
    rows = trend[(trend.key.astype(str) == str(key)) & (trend.by == (by or ""))]
    out = pd.DataFrame({"week": rows.period, column: rows.value.where(rows.value != "", column),
                        "entered": rows.entered.astype(int),
                        "abandoned": (rows.entered - rows.converted - rows.censored).astype(int)})
    out = out[out.entered > 0]
    out["rate"] = out.abandoned / out.entered
    out["ci_low"], out["ci_high"] = wilson_interval(out.abandoned, out.entered)
    return out.reset_index(drop=True)
