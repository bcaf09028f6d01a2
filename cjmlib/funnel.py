"""Funnels over stages, touchpoints or events, computed in the engine.

How a funnel counts (the ordered, closed funnel of uniques):

- a unit (user or session) enters step 1 at its first event of step 1;
- it reaches step k at its first event of step k at or after the time it reached step k−1
  (other events may come in between), and, with ``window_days``, no later than that many
  days after it entered step 1;
- ``rate`` = units at step k ÷ units at step 1; ``step_rate`` = units at step k ÷ units at
  step k−1; ``drop_off`` = units at step k−1 − units at step k.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from .stats import wilson_interval

__all__ = ["funnel_table", "stage_funnel"]


def _events(source):
    """Accept a Project or an Ibis table."""
    return source.table("events") if hasattr(source, "table") else source


def funnel_table(source, steps: list[str], *, by: str = "stage", unit: str = "user",
                 window_days: float | None = None, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Count the units that go through ``steps`` in order.

    Parameters
    ----------
    source
        A Project, or an Ibis table of events with ``user_id, session_id, ts`` and the ``by`` column.
    steps
        The values of ``by`` that make the funnel, in order.
    by
        ``"stage"``, ``"touchpoint"`` or ``"event"``.
    unit
        ``"user"`` or ``"session"``.
    window_days
        The conversion window from entering step 1; no window when omitted.
    labels
        Display labels of the steps.

    Returns
    -------
    DataFrame
        One row per step: ``step`` (1-based), ``key`` (the step's value of ``by``), ``label``, ``units``,
        ``denominator`` (units at step 1), ``rate`` (units ÷ denominator), ``ci_low``, ``ci_high``
        (Wilson 95 % of ``rate``), ``previous`` (units at the previous step), ``step_rate``
        (units ÷ previous), ``drop_off`` (previous − units), ``unit``.
    """
    if unit not in ("user", "session"):
        raise ValueError(f"unit must be 'user' or 'session', not {unit!r}")
    if not steps:
        raise ValueError("a funnel needs at least one step")
    events = _events(source)
    unit_col = "user_id" if unit == "user" else "session_id"
    t = events.select(u=events[unit_col], key=events[by], ts=events.ts).filter(lambda r: r.key.isin(list(steps)))
    counts = []
    reached = None
    for step in steps:
        s = t.filter(t.key == step)
        if reached is None:
            reached = s.group_by("u").agg(t0=s.ts.min())
            reached = reached.mutate(t=reached.t0)
        else:
            j = s.join(reached, "u")
            j = j.filter(j.ts >= j.t)
            if window_days is not None:
                j = j.filter(j.ts <= j.t0 + ibis.interval(seconds=int(window_days * 86400)))
            reached = j.group_by(["u", "t0"]).agg(t=j.ts.min())
        counts.append(int(reached.u.count().execute()))
    units = np.array(counts, dtype=float)
    denominator = units[0]
    previous = np.concatenate([[units[0]], units[:-1]])
    low, high = wilson_interval(units, np.full_like(units, denominator))
    labels = labels or {}
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame({
            "step": np.arange(1, len(steps) + 1), "key": list(steps),
            "label": [labels.get(s, s) for s in steps], "units": units.astype(int),
            "denominator": int(denominator), "rate": units / denominator, "ci_low": low, "ci_high": high,
            "previous": previous.astype(int), "step_rate": units / previous,
            "drop_off": (previous - units).astype(int), "unit": unit,
        })
    return table


def stage_funnel(project, *, unit: str = "user", window_days: float | None = None) -> pd.DataFrame:
    """The funnel over the spec's stages, in their order (see :func:`funnel_table`).

    Returns the columns of :func:`funnel_table` with ``stage`` in place of ``key``.
    """
    spec = project.spec
    table = funnel_table(project, spec.stage_ids, by="stage", unit=unit, window_days=window_days,
                         labels={s.id: s.label for s in spec.stages})
    return table.rename(columns={"key": "stage"})
