"""A declared funnel over time: its conversion week by week, and how long each step takes to reach.

- :func:`conversion_trend`: per funnel and period of entry, the units entering step 1 and those reaching
  the last step, with the Wilson 95 % interval of the rate, from :func:`cjmlib.funnel_trend` (so a week's
  units are counted exactly as the funnel's table counts them);
- :func:`time_to_convert`: per step, the distribution (10th, 25th, 50th, 75th, 90th percentiles) of the
  time it took the units that reached it, from the previous step (the time whose median the funnel's
  table gives as ``median_seconds``) or from their entry at step 1, computed in the engine from the
  same attempts as :func:`cjmlib.funnel_table`.

Examples
--------
>>> conversion_trend(project)                                    # doctest: +SKIP
>>> time_to_convert(project, "purchase", since="previous")       # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..spec.funnels import funnel_labels, journey_funnels
from ..stats import wilson_interval
from .declared import funnel_options, resolve_funnel
from .funnel import funnel_reach
from .trend import funnel_trend

__all__ = ["SINCE", "conversion_trend", "time_to_convert"]

SINCE = ("previous", "entry")
"""Where a step's time to convert starts: the unit's arrival at the previous step, or its entry at step 1."""

_TREND_COLUMNS = ["funnel", "funnel_name", "period", "entered", "converted", "censored", "rate", "ci_low", "ci_high",
                  "unit"]
_QUANTILES = {"p10_seconds": 0.1, "q1_seconds": 0.25, "median_seconds": 0.5, "q3_seconds": 0.75, "p90_seconds": 0.9}
_TIME_COLUMNS = ["funnel", "step", "key", "label", "since", "n", *_QUANTILES, "unit"]


def conversion_trend(project, funnels=None, *, period: str = "week") -> pd.DataFrame:
    """Count each funnel's conversion (last step ÷ step 1) period by period of the units' entry.

    Parameters
    ----------
    project
        The loaded project.
    funnels
        Funnels of the spec (:class:`~cjmlib.spec.model.Funnel` objects or ids); all the funnels of
        ``journey.yml`` (:func:`cjmlib.journey_funnels`) when None.
    period
        ``"day"``, ``"week"`` (Monday start) or ``"month"``: the period of each unit's entry into step 1.

    Returns
    -------
    DataFrame
        One row per funnel and period anybody entered: ``funnel`` (its id), ``funnel_name``, ``period``
        (its first day), ``entered`` (units entering step 1 in the period: the denominator),
        ``converted`` (of those, units reaching the last step: the numerator), ``censored`` (of those,
        units stopped before the last step whose conversion window was still open when the data ends),
        ``rate`` (= converted ÷ entered, as the funnel's table counts its ``rate``), ``ci_low``,
        ``ci_high`` (Wilson 95 %) and ``unit``. A funnel of one step has no row. Summed over the
        periods, ``entered`` and ``converted`` are the funnel table's units at step 1 and at its last step.
    """
    chosen = journey_funnels(project.spec) if funnels is None else [resolve_funnel(project.spec, f) for f in funnels]
    parts = []
    for funnel in chosen:
        trend = funnel_trend(project, funnel, period=period)
        if trend.empty:
            continue
        first = trend[trend.step == 2].set_index("period")  # units at step 1: the denominator of step 2
        last = trend[trend.step == trend.step.max()].set_index("period")
        part = pd.DataFrame({"entered": first.entered, "converted": last.converted,
                             "censored": trend.groupby("period").censored.sum()})
        parts.append(part.reset_index().assign(funnel=funnel.id, funnel_name=funnel.label, unit=funnel.unit))
    if not parts:
        return pd.DataFrame(columns=_TREND_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out[["entered", "converted", "censored"]] = out[["entered", "converted", "censored"]].astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rate"] = out.converted / out.entered
    out["ci_low"], out["ci_high"] = wilson_interval(out.converted, out.entered)
    return out[_TREND_COLUMNS]


def time_to_convert(project, funnel, *, since: str = "previous") -> pd.DataFrame:
    """Describe, per step of a funnel, how long the units that reached it took.

    Parameters
    ----------
    project
        The loaded project.
    funnel
        A :class:`~cjmlib.spec.model.Funnel` or the id of one of :func:`cjmlib.journey_funnels`.
    since
        ``"previous"`` (the default): from the unit's arrival at the previous step, the time whose
        median :func:`cjmlib.declared_funnel_table` gives as ``median_seconds``; ``"entry"``: from its
        entry at step 1.

    Returns
    -------
    DataFrame
        One row per step from step 2 on: ``funnel`` (its id), ``step`` (1-based), ``key`` (the step's id),
        ``label``, ``since``, ``n`` (units, or attempts when the funnel counts totals, that reached the
        step from the previous one, as the funnel's table counts them), ``p10_seconds``, ``q1_seconds``,
        ``median_seconds``, ``q3_seconds``, ``p90_seconds`` (the 10th, 25th, 50th, 75th and 90th
        percentiles of their times, linearly interpolated; NaN when n is 0) and ``unit``.
    """
    if since not in SINCE:
        raise ValueError(f"since must be one of {', '.join(SINCE)}, not {since!r}")
    funnel = resolve_funnel(project.spec, funnel)
    steps = [str(s) for s in funnel.steps]
    times = funnel_reach(project, steps, by=funnel.by, unit=funnel.unit, options=funnel_options(funnel), times=True)
    value = times.seconds if since == "previous" else times.from_entry
    table = times.group_by("k").agg(n=times.u.count(),
                                    **{name: value.quantile(q) for name, q in _QUANTILES.items()}).execute()
    index = pd.RangeIndex(2, len(steps) + 1, name="k")
    table = table.set_index("k").reindex(index).reset_index()
    labels = funnel_labels(project.spec, funnel)
    out = table.assign(funnel=funnel.id, step=table.k.astype(int), key=[steps[k - 1] for k in table.k],
                       label=[labels.get(steps[k - 1], steps[k - 1]) for k in table.k], since=since,
                       n=table.n.fillna(0).astype(int), unit=funnel.unit)
    return out[_TIME_COLUMNS]
