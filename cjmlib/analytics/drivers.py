"""Drivers of drop-off: what distinguishes the units that go on from one funnel step to the next.

For each step k → k+1 of a declared funnel, among the units that reached step k (as
:func:`cjmlib.funnel_reach` counts them, with the funnel's own counting options), each candidate
feature splits the units in two (with the feature / without it) and a 2×2 table (with / without ×
went on / stopped) gives an odds ratio with its 95 % interval and a p-value (Fisher's exact test,
two-sided). The p-values of every candidate of every step of the funnel are adjusted together (Holm
by default, Benjamini–Hochberg on request or by ``project.correction``).

The candidates of a step:

- each value of each column in ``breakdowns:`` (device, channel…), read on the unit's first event of
  the funnel's first step, as :func:`cjmlib.funnel_breakdown` reads it;
- the unit's first touchpoint (its first event with a touchpoint, over all its events);
- ``prior_event``: an event name that happened before the unit's step k (strictly before its first
  step-k event at or after its first step-1 event), among the most common events outside the funnel's
  steps (events of rows whose funnel column is a step are left out: they would restate the funnel).

A candidate every unit of the step has, or none has, compares nothing and is left out.

Examples
--------
>>> cjm.funnel_drivers(project, "purchase").query("significant")     # doctest: +SKIP
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
from scipy import stats as _st

from ..spec.funnels import events_column
from ..stats import Z95, adjust_p_values
from .declared import declared_funnel_table, funnel_options, resolve_funnel, step_values
from .funnel import funnel_reach

__all__ = ["DRIVER_COLUMNS", "funnel_drivers", "odds_ratio_interval"]

#: The columns of :func:`funnel_drivers`, in order.
DRIVER_COLUMNS = ["funnel", "step", "next_step", "feature", "value", "units_with", "went_on_with", "units_without",
                  "went_on_without", "rate_with", "rate_without", "odds_ratio", "ci_low", "ci_high", "p_value",
                  "p_adjusted", "significant", "suppressed", "correction"]
_BLANKED = ["went_on_with", "went_on_without", "rate_with", "rate_without", "odds_ratio", "ci_low", "ci_high",
            "p_value"]


def odds_ratio_interval(a: int, b: int, c: int, d: int, *, z: float = Z95) -> tuple[float, float, float]:
    """The odds ratio (a·d)/(b·c) of a 2×2 table and its Woolf (log) interval.

    When a cell is 0, 0.5 is added to every cell first (Haldane's correction).

    Parameters
    ----------
    a, b
        With the feature: units that went on, units that stopped.
    c, d
        Without the feature: units that went on, units that stopped.
    z
        The normal quantile of the interval (:data:`cjmlib.stats.Z95` for 95 %).

    Returns
    -------
    tuple of float
        ``(odds_ratio, low, high)``; low = exp(ln OR − z·se), high = exp(ln OR + z·se),
        se = √(1/a + 1/b + 1/c + 1/d).
    """
    cells = np.array([a, b, c, d], dtype=float)
    if (cells == 0).any():
        cells = cells + 0.5
    a, b, c, d = cells
    ratio = (a * d) / (b * c)
    se = np.sqrt((1 / cells).sum())
    return float(ratio), float(np.exp(np.log(ratio) - z * se)), float(np.exp(np.log(ratio) + z * se))


def _counts_by_depth(table, value, depth) -> pd.DataFrame:
    """value, depth, n: the units per value of ``value`` and furthest step (one small query)."""
    grouped = table.group_by(value=value.cast("string"), depth=depth).agg(n=ibis._.count())
    return grouped.execute().astype({"depth": int, "n": int})


def _attribute_counts(project, funnel, reach, unit_col: str, columns: list[str]) -> list[pd.DataFrame]:
    """Per breakdown column and for the first touchpoint: units per (value, depth), with feature and value."""
    events = project.table("events")
    events = events.filter(events[unit_col].notnull())
    out = []
    first = events.filter(events[funnel.by].cast("string") == funnel.steps[0])
    if columns:
        values = first.group_by(u=first[unit_col]).agg(
            **{f"c{i}": first[c].cast("string").argmin(first.ts) for i, c in enumerate(columns)})
        units = reach.join(values, "u", how="left")
        for i, name in enumerate(columns):
            counts = _counts_by_depth(units, units[f"c{i}"], units.depth)
            out.append(counts.assign(feature=name))
    if "touchpoint" in events.columns:
        touched = events.filter(events.touchpoint.notnull())
        firsts = touched.group_by(u=touched[unit_col]).agg(first=touched.touchpoint.argmin(touched.ts))
        units = reach.join(firsts, "u", how="left")
        out.append(_counts_by_depth(units, units["first"], units.depth).assign(feature="first_touchpoint"))
    return [c[c.value.notna()] for c in out]


def _common_events(project, funnel, top_events: int) -> list[str]:
    """The ``top_events`` most common event names of the rows outside the funnel's steps."""
    events = project.table("events")
    step_col = events[funnel.by].cast("string")
    outside = events.filter(step_col.notin(list(funnel.steps)) | step_col.isnull())
    common = (outside.group_by(value=outside.event.cast("string")).agg(n=ibis._.count())
              .order_by([ibis.desc("n"), "value"]).limit(top_events).execute())
    return common.value.dropna().tolist()


def _prior_event_counts(project, funnel, reach, unit_col: str, k: int, common: list[str]) -> pd.DataFrame:
    """Units per (event, depth) having one of the ``common`` events before their step k (1-based)."""
    if not common:
        return pd.DataFrame(columns=["value", "depth", "n"])
    events = project.table("events")
    events = events.filter(events[unit_col].notnull())
    step_col = events[funnel.by].cast("string")
    starts = events.filter(step_col == funnel.steps[0])
    starts = starts.group_by(u=starts[unit_col]).agg(t1=starts.ts.min())
    at_k = events.filter(step_col == funnel.steps[k - 1]).join(starts, events[unit_col] == starts.u)
    at_k = at_k.filter(at_k.ts >= at_k.t1).group_by("u").agg(tk=ibis._.ts.min())
    reached = reach.filter(reach.depth >= k).join(at_k, "u")
    chosen = events.filter((step_col.notin(list(funnel.steps)) | step_col.isnull())
                           & events.event.cast("string").isin(common))
    before = chosen.join(reached, chosen[unit_col] == reached.u).filter(lambda t: t.ts < t.tk)
    pairs = before.select(u=before.u, value=before.event.cast("string"), depth=before.depth).distinct()
    return _counts_by_depth(pairs, pairs.value, pairs.depth)


def _step_rows(counts: pd.DataFrame, k: int, at_k: int, on: int) -> pd.DataFrame:
    """The 2×2 counts of each candidate at step k: ``at_k`` units reached it, ``on`` went on."""
    here = counts[counts.depth >= k]
    rows = here.assign(next=(here.depth >= k + 1) * here.n).groupby(["feature", "value"], sort=False).agg(
        units_with=("n", "sum"), went_on_with=("next", "sum")).reset_index()
    rows["units_without"] = at_k - rows.units_with
    rows["went_on_without"] = on - rows.went_on_with
    return rows[(rows.units_with > 0) & (rows.units_without > 0)]


def _test(rows: pd.DataFrame, min_n: int) -> pd.DataFrame:
    a, c = rows.went_on_with.to_numpy(int), rows.went_on_without.to_numpy(int)
    b, d = rows.units_with.to_numpy(int) - a, rows.units_without.to_numpy(int) - c
    small = (rows.units_with < min_n) | (rows.units_without < min_n)
    stats = [odds_ratio_interval(*cell) + (float(_st.fisher_exact([[cell[0], cell[1]], [cell[2], cell[3]]])[1]),)
             if not s else (np.nan,) * 4 for *cell, s in zip(a, b, c, d, small)]
    out = rows.assign(rate_with=rows.went_on_with / rows.units_with,
                      rate_without=rows.went_on_without / rows.units_without,
                      odds_ratio=[s[0] for s in stats], ci_low=[s[1] for s in stats], ci_high=[s[2] for s in stats],
                      p_value=[s[3] for s in stats], suppressed=small.to_numpy())
    for col in _BLANKED:
        out[col] = out[col].astype(float).where(~out.suppressed)
    return out


def funnel_drivers(project, funnel, *, min_group: int | None = None, correction: str | None = None,
                   alpha: float = 0.05, max_candidates: int = 20, top_events: int = 10) -> pd.DataFrame:
    """Which features make a unit that reached a funnel step more or less likely to reach the next.

    For each step k → k+1, among the units that reached step k (:func:`cjmlib.funnel_reach`, the
    funnel's counting options), each candidate (see the module: the values of the ``breakdowns:``
    columns, the unit's first touchpoint, an event before step k) gives a 2×2 table: with the feature
    (``units_with``, of which ``went_on_with`` reached step k+1) and without it (``units_without``,
    ``went_on_without``). At most ``max_candidates`` candidates per step are kept: those whose smaller
    side (with or without) is largest; the most common ``top_events`` events are the prior-event
    candidates.

    Parameters
    ----------
    project
        The loaded project (its events, spec, ``min_group_size`` and ``correction``).
    funnel
        The funnel read: its id among :func:`cjmlib.journey_funnels`, or a :class:`~cjmlib.spec.model.Funnel`.
    min_group
        A candidate whose ``units_with`` or ``units_without`` is below it is suppressed: kept with its
        unit counts, everything else blank and untested; the project's ``min_group_size`` when omitted.
    correction
        ``"holm"`` or ``"bh"`` (Benjamini–Hochberg): how the p-values of every candidate of every step
        are adjusted together; the spec's ``project.correction`` when omitted.
    alpha
        A candidate is significant when its adjusted p-value is below it.
    max_candidates
        The most candidates tested per step (20).
    top_events
        How many of the most common events (outside the funnel's steps) are prior-event candidates (10).

    Returns
    -------
    DataFrame
        One row per step and candidate, sorted by step then ``p_adjusted`` (suppressed last):
        ``funnel``, ``step`` (the step left, its id), ``next_step``, ``feature`` (the breakdown
        column's name, ``first_touchpoint`` or ``prior_event``), ``value``, ``units_with``,
        ``went_on_with``, ``units_without``, ``went_on_without``, ``rate_with`` (went_on_with ÷
        units_with), ``rate_without`` (went_on_without ÷ units_without), ``odds_ratio`` (the odds of
        going on with the feature ÷ without it), ``ci_low``, ``ci_high`` (Woolf 95 %, 0.5 added to
        every cell when one is 0), ``p_value`` (Fisher's exact test, two-sided), ``p_adjusted``,
        ``significant``, ``suppressed`` and ``correction``. No units, a step nobody leaves or
        everybody leaves, or candidates that split nobody give no rows (an empty table with these
        columns).

    Raises
    ------
    SpecError
        For an unknown funnel id.
    """
    spec = project.spec
    funnel = resolve_funnel(spec, funnel)
    steps = list(funnel.steps)
    known = {"event": lambda: set(step_values(project, funnel)), "stage": lambda: set(spec.stage_ids),
             "touchpoint": lambda: {t.id for t in spec.touchpoints}}.get(funnel.by, lambda: set(steps))()
    if not set(steps) <= known:
        declared_funnel_table(project, funnel)  # raises the SpecError naming the funnel and the step
    if len(steps) < 2:
        return _empty()
    options = funnel_options(funnel)
    # counted once: every candidate's query reads the units' furthest step from this small table
    reach = ibis.memtable(funnel_reach(project, steps, by=funnel.by, unit=funnel.unit, options=options).execute())
    parts = _steps(project, funnel, reach, min_n=spec.project.min_group_size if min_group is None else min_group,
                   max_candidates=max_candidates, top_events=top_events)
    if not parts:
        return _empty()
    correction = correction or spec.project.correction
    table = pd.concat(parts, ignore_index=True)
    table["p_adjusted"] = adjust_p_values(table.p_value, correction)
    table["significant"] = (table.p_adjusted < alpha).fillna(False).astype(bool)
    table = table.assign(funnel=funnel.id, correction=correction)
    table = table.sort_values(["_k", "suppressed", "p_adjusted", "feature", "value"], na_position="last")
    return table[DRIVER_COLUMNS].reset_index(drop=True).astype({"units_with": int, "units_without": int})


def _steps(project, funnel, reach, *, min_n: int, max_candidates: int, top_events: int) -> list[pd.DataFrame]:
    """The tested candidates of each step with units that both go on and stop (p_adjusted not yet set)."""
    spec, steps = project.spec, list(funnel.steps)
    unit_col = "user_id" if funnel.unit == "user" else "session_id"
    depths = _counts_by_depth(reach, ibis.literal("all"), reach.depth)
    events_cols = project.table("events").columns
    columns = [c for c in (events_column(spec, b) for b in spec.breakdowns) if c in events_cols]
    attributes = pd.concat(_attribute_counts(project, funnel, reach, unit_col, columns)
                           or [pd.DataFrame(columns=["value", "depth", "n", "feature"])])
    common = _common_events(project, funnel, top_events)
    parts = []
    for k in range(1, len(steps)):
        at_k, on = int(depths.n[depths.depth >= k].sum()), int(depths.n[depths.depth >= k + 1].sum())
        if on == 0 or on == at_k:
            continue
        prior = _prior_event_counts(project, funnel, reach, unit_col, k, common).assign(feature="prior_event")
        rows = _step_rows(pd.concat([attributes, prior]), k, at_k, on)
        rows = rows.assign(_side=np.minimum(rows.units_with, rows.units_without))
        rows = rows.sort_values(["_side", "feature", "value"], ascending=[False, True, True]).head(max_candidates)
        parts.append(_test(rows, min_n).assign(step=steps[k - 1], next_step=steps[k], _k=k))
    return parts


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float) for c in DRIVER_COLUMNS})
