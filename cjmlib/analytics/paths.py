"""Behaviour flow: what units do next, step by step, computed in the engine.

Each unit (user or session) has a path: its events ordered by time (events at the same
instant by their value of ``by``, so that results never depend on storage order). Events whose
value of ``by`` is empty (an event matching no touchpoint, when ``by="touchpoint"``) are left out
of the path.

- a **transition** ``a → b`` is two steps that directly follow each other in a path;
- the **step sankey** follows the first ``steps`` steps after a unit's first ``start``, or the
  last ``steps`` steps up to its first ``anchor`` (an exit, a cart…);
- the **top paths** are the most frequent whole paths (their first ``max_steps`` steps);
- **after drop-off** tells where units went right after the step of a funnel they did not pass.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from ..stats import wilson_interval

__all__ = ["END", "START", "after_drop_off", "step_sankey_table", "top_paths", "transition_table"]

START = "(start)"  # node before a path's first step
END = "(end)"  # node after a path's last step
ARROW = " → "


def _events(source):
    """Accept a Project or an Ibis table."""
    return source.table("events") if hasattr(source, "table") else source


def _unit_column(unit: str) -> str:
    if unit not in ("user", "session"):
        raise ValueError(f"unit must be 'user' or 'session', not {unit!r}")
    return "user_id" if unit == "user" else "session_id"


def _sequence(source, *, by: str, unit: str, collapse_repeats: bool = False, columns=("rn", "prev", "next")):
    """Return the ordered steps of every unit: u, key, ts and the ``columns`` asked for.

    ``rn`` is the step's number (0-based), ``prev`` and ``next`` the keys before and after it; all
    come from one window (one sort of the events), and only those asked for are computed.
    """
    events = _events(source)
    t = events.select(u=events[_unit_column(unit)], key=events[by].cast("string"), ts=events.ts)
    t = t.filter(t.key.notnull() & t.u.notnull())
    order = ibis.window(group_by=t.u, order_by=[t.ts, t.key])
    if collapse_repeats:
        t = t.mutate(before=t.key.lag().over(order))
        t = t.filter(t.before.isnull() | (t.before != t.key)).drop("before")
        order = ibis.window(group_by=t.u, order_by=[t.ts, t.key])
    made = {"rn": ibis.row_number().over(order), "prev": t.key.lag().over(order), "next": t.key.lead().over(order)}
    return t.mutate(**{c: made[c] for c in columns})


def _with_interval(table: pd.DataFrame, numerator: str, denominator: str, rate: str) -> pd.DataFrame:
    with np.errstate(invalid="ignore", divide="ignore"):
        table[rate] = table[numerator] / table[denominator]
    table["ci_low"], table["ci_high"] = wilson_interval(table[numerator], table[denominator])
    return table


def transition_table(source, *, by: str = "event", unit: str = "session", ends: bool = False) -> pd.DataFrame:
    """Count the directly-follows transitions between steps and their probabilities.

    Parameters
    ----------
    source
        A Project, or an Ibis table of events with ``user_id, session_id, ts`` and the ``by`` column.
    by
        The column whose values are the steps: ``"event"``, ``"touchpoint"``, ``"stage"``, ``"page"``…
    unit
        ``"user"`` or ``"session"``: whose paths are followed.
    ends
        Add a transition from ``"(start)"`` into each path's first step and from each path's last
        step to ``"(end)"``.

    Returns
    -------
    DataFrame
        One row per transition, most frequent first: ``source``, ``target``, ``transitions`` (times
        ``target`` directly followed ``source``), ``units`` (units with that transition at least once),
        ``out_of_source`` (transitions leaving ``source``: the denominator), ``probability``
        (transitions ÷ out_of_source), ``ci_low``, ``ci_high`` (Wilson 95 %, treating transitions as
        independent), ``unit``.

    Examples
    --------
    >>> project = cjm.load_project("demo")                        # doctest: +SKIP
    >>> cjm.transition_table(project, by="touchpoint").head(3)    # doctest: +SKIP
    """
    s = _sequence(source, by=by, unit=unit, columns=("rn", "next") if ends else ("next",))
    target = s.next.fill_null(END) if ends else s.next
    pairs = s.select("u", source=s.key, target=target)
    if ends:
        starts = s.filter(s.rn == 0)
        pairs = pairs.union(starts.select("u", source=ibis.literal(START), target=starts.key), distinct=False)
    pairs = pairs.filter(pairs.target.notnull())
    table = pairs.group_by(["source", "target"]).agg(transitions=pairs.u.count(), units=pairs.u.nunique()).execute()
    table["out_of_source"] = table.groupby("source").transitions.transform("sum")
    table = _with_interval(table, "transitions", "out_of_source", "probability")
    table["unit"] = unit
    return table.sort_values(["transitions", "source", "target"], ascending=[False, True, True], ignore_index=True)


def step_sankey_table(source, *, steps: int = 5, by: str = "event", unit: str = "session",
                      start: str | None = None, anchor: str | None = None) -> pd.DataFrame:
    """Count the flows between consecutive steps: after a start, or before an anchor.

    Parameters
    ----------
    source
        A Project, or an Ibis table of events with ``user_id, session_id, ts`` and the ``by`` column.
    steps
        How many steps to follow (at least 2), the start or the anchor included.
    by
        The column whose values are the steps.
    unit
        ``"user"`` or ``"session"``.
    start
        Follow the ``steps`` steps from each unit's first ``start`` on (units without one are left
        out). Without ``start`` nor ``anchor``, paths are followed from their first step.
    anchor
        Follow the ``steps`` steps up to and including each unit's first ``anchor`` (units
        without one are left out). Exclusive with ``start``.

    Returns
    -------
    DataFrame
        One row per link: ``step`` (position of the source node: 1 … steps−1 after a start,
        −(steps−1) … −1 before an anchor, the anchor being step 0), ``source``, ``target``
        (``"(end)"`` when the path stops before ``steps`` steps; before an anchor, a path that
        begins later flows out of ``"(start)"``), ``units``, ``denominator`` (units at the source
        node of that step), ``share`` (units ÷ denominator), ``ci_low``, ``ci_high``, ``unit``.
    """
    if steps < 2:
        raise ValueError(f"steps must be at least 2, not {steps}")
    if start is not None and anchor is not None:
        raise ValueError("give start or anchor, not both")
    s = _sequence(source, by=by, unit=unit, columns=("rn", "next") if anchor is None else ("rn", "prev"))
    mark = start if start is not None else anchor
    if mark is None:
        s = s.mutate(rel=s.rn)
    else:
        first = ibis.ifelse(s.key == mark, s.rn, None).min().over(ibis.window(group_by=s.u))
        s = s.mutate(rel=s.rn - first)
        s = s.filter(s.rel.notnull())
    if anchor is None:
        s = s.filter((s.rel >= 0) & (s.rel < steps - 1))
        links = s.select("u", step=s.rel + 1, source=s.key, target=s.next.fill_null(END))
    else:
        s = s.filter((s.rel > -(steps - 1)) & (s.rel <= 0))
        links = s.select("u", step=s.rel - 1, source=s.prev.fill_null(START), target=s.key)
    table = links.group_by(["step", "source", "target"]).agg(units=links.u.count()).execute()
    table["denominator"] = table.groupby(["step", "source"]).units.transform("sum")
    table = _with_interval(table, "units", "denominator", "share")
    table["unit"] = unit
    return table.sort_values(["step", "units", "source", "target"], ascending=[True, False, True, True],
                             ignore_index=True)


def top_paths(source, *, by: str = "event", unit: str = "session", max_steps: int | None = 10,
              collapse_repeats: bool = False, top: int = 10) -> pd.DataFrame:
    """Return the most frequent paths and the share of units that followed each.

    Parameters
    ----------
    source
        A Project, or an Ibis table of events with ``user_id, session_id, ts`` and the ``by`` column.
    by
        The column whose values are the steps.
    unit
        ``"user"`` or ``"session"``.
    max_steps
        Keep each path's first ``max_steps`` steps (paths that agree on them count together);
        whole paths when omitted.
    collapse_repeats
        Count a step repeated right after itself once (``a a b`` is ``a b``).
    top
        How many paths to return.

    Returns
    -------
    DataFrame
        The ``top`` paths, most frequent first: ``path`` (steps joined by " → "), ``steps``
        (its length), ``units``, ``denominator`` (units with at least one step), ``share``
        (units ÷ denominator), ``ci_low``, ``ci_high``, ``unit``.
    """
    s = _sequence(source, by=by, unit=unit, collapse_repeats=collapse_repeats, columns=("rn",))
    if max_steps is not None:
        s = s.filter(s.rn < max_steps)
    # steps sorted as (rn, key) pairs: an ordered group_concat is not available on every backend (Spark)
    ordered = ibis.struct({"rn": s.rn, "key": s.key}).collect().sort().map(lambda step: step.key)
    per_unit = s.group_by("u").agg(path=ordered.join(ARROW), steps=s.rn.max() + 1)
    counted = per_unit.group_by(["path", "steps"]).agg(units=per_unit.u.count())
    counted = counted.mutate(denominator=counted.units.sum().over(ibis.window()))
    table = counted.order_by([ibis.desc("units"), "path"]).limit(top).execute()
    table = _with_interval(table, "units", "denominator", "share")
    table["unit"] = unit
    return table


def after_drop_off(source, steps: list[str], *, at: str, by: str = "event", unit: str = "session") -> pd.DataFrame:
    """Tell where units went right after reaching step ``at`` of a funnel without reaching the next.

    The funnel counts as :func:`cjmlib.funnel_table` does (first event of each step at or after
    reaching the previous one, no window). A unit drops at ``at`` when it reached ``at`` and never
    reached the step after it; its next step is the one that directly follows, in its path, the
    event by which it reached ``at``.

    Parameters
    ----------
    source
        A Project, or an Ibis table of events with ``user_id, session_id, ts`` and the ``by`` column.
    steps
        The funnel's values of ``by``, in order.
    at
        The step whose drop-outs are followed; any step but the last.
    by
        The column whose values are the steps.
    unit
        ``"user"`` or ``"session"``.

    Returns
    -------
    DataFrame
        One row per next step, most frequent first: ``next`` (``"(end)"`` when the path stops
        there), ``units``, ``denominator`` (units that dropped at ``at``), ``share`` (units ÷
        denominator), ``ci_low``, ``ci_high``, ``at``, ``unit``.
    """
    if at not in steps[:-1]:
        raise ValueError(f"at must be a step of the funnel other than the last ({', '.join(steps[:-1])}), not {at!r}")
    position = steps.index(at)
    s = _sequence(source, by=by, unit=unit, columns=("rn",))
    reached = None
    stops = []
    for step in steps[:position + 2]:
        candidates = s.filter(s.key == step)
        if reached is not None:
            candidates = candidates.join(reached, "u").filter(lambda r: r.ts >= r.t).select("u", "rn", "ts")
        reached = candidates.group_by("u").agg(r=candidates.rn.min(), t=candidates.ts.min())
        stops.append(reached)
    dropped = stops[position].anti_join(stops[position + 1], "u")
    following = s.select("u", r=s.rn - 1, next_key=s.key)
    went = dropped.left_join(following, ["u", "r"])
    went = went.select(u=went.u, next=went.next_key.fill_null(END))
    table = went.group_by("next").agg(units=went.u.count()).execute()
    table["denominator"] = int(table.units.sum())
    table = _with_interval(table, "units", "denominator", "share")
    table["at"], table["unit"] = at, unit
    return table.sort_values(["units", "next"], ascending=[False, True], ignore_index=True)
