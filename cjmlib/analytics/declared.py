"""The funnels and breakdowns declared in ``journey.yml``, counted.

- :func:`journey_funnels`: the spec's funnels, or one default (the stages, by user) when it declares none;
- :func:`funnel_options`: a declared funnel's counting as one :class:`FunnelOptions`;
- :func:`declared_funnel_table`: one row per step (``step`` is the step's id), as step 4 publishes it
  (``results/funnel-<id>.parquet``);
- :func:`funnel_breakdown`: conversion through the whole funnel per value of any events column,
  each value tested against the rest (:func:`cjmlib.breakdown_table`).

A step id the data never shows is an error naming the funnel and the step, never an all-zero funnel.

Examples
--------
>>> for funnel in journey_funnels(project.spec):                 # doctest: +SKIP
...     project.save(f"funnel-{funnel.id}", declared_funnel_table(project, funnel))
"""

from __future__ import annotations

import ibis
import pandas as pd

from ..errors import Issue, SpecError
from ..spec.funnels import events_column, funnel_labels, journey_funnels
from ..spec.issues import did_you_mean
from ..spec.model import Funnel, Journey
from .breakdown import breakdown_table
from .funnel import funnel_reach, funnel_table
from .options import FunnelOptions
from .vendors import vendor_preset

__all__ = ["declared_funnel_table", "funnel_breakdown", "funnel_options", "resolve_funnel", "step_values"]

_TABLE_COLUMNS = ["step", "label", "entered", "converted", "rate", "step_rate", "ci_low", "ci_high", "step_ci_low",
                  "step_ci_high", "censored", "median_seconds", "p90_seconds", "numerator", "denominator"]


def resolve_funnel(spec: Journey, funnel: Funnel | str) -> Funnel:
    """The funnel named by ``funnel`` (an id, or a Funnel returned as it is); a SpecError for an unknown id.

    Parameters
    ----------
    spec
        The journey spec.
    funnel
        A :class:`~cjmlib.spec.model.Funnel` or the id of one of :func:`journey_funnels`.
    """
    if isinstance(funnel, Funnel):
        return funnel
    funnels = journey_funnels(spec)
    for f in funnels:
        if f.id == funnel:
            return f
    ids = [f.id for f in funnels]
    raise SpecError([Issue(code="unknown_funnel", file="journey.yml", key="funnels", value=str(funnel),
                           problem=f"'{funnel}' is not a funnel of this journey.",
                           fix=(did_you_mean(funnel, ids) + f"Funnels: {', '.join(ids)}.").strip())])


def funnel_options(funnel: Funnel) -> FunnelOptions:
    """How a declared funnel counts: its vendor preset (``emulate``) or the defaults, then the options it writes.

    Parameters
    ----------
    funnel
        A funnel of the spec.
    """
    base = vendor_preset(funnel.emulate) if funnel.emulate else FunnelOptions()
    return base.replace(order=funnel.order, entry=funnel.entry, counting=funnel.counting, reentry=funnel.reentry,
                        window_days=funnel.window_days,
                        step_window_days=None if funnel.step_windows is None else tuple(funnel.step_window_days),
                        exclude=tuple(funnel.exclude) or None)


def step_values(project, funnel: Funnel) -> list[str]:
    """The values the funnel's ``by`` column takes in the events (event names, touchpoint ids or stage ids).

    Parameters
    ----------
    project
        The loaded project.
    funnel
        A funnel of the spec.
    """
    events = project.table("events")
    col = events[funnel.by].cast("string")
    return sorted(str(v) for v in events.select(v=col).filter(lambda t: t.v.notnull()).distinct().execute()["v"])


def _unknown_steps(project, funnel: Funnel) -> None:
    seen = set(step_values(project, funnel)) if funnel.by == "event" else None
    known = {"touchpoint": {t.id for t in project.spec.touchpoints}, "stage": set(project.spec.stage_ids)}
    allowed = seen if seen is not None else known[funnel.by]
    issues = []
    for j, step in enumerate(funnel.steps):
        if step in allowed:
            continue
        where = "in the events" if funnel.by == "event" else f"among the {funnel.by}s of the spec"
        listing = sorted(allowed)
        issues.append(Issue(code="unknown_step", file="journey.yml", key=f"funnels.{funnel.id}.steps[{j}]",
                            value=step, problem=f"the funnel '{funnel.id}' has the step '{step}', which is not found "
                                                f"{where}.",
                            fix=(did_you_mean(step, listing) + f"Known: {', '.join(listing[:20])}"
                                 f"{', …' if len(listing) > 20 else ''}.").strip()))
    if issues:
        raise SpecError(issues)


def declared_funnel_table(project, funnel: Funnel | str) -> pd.DataFrame:
    """Count a funnel of ``journey.yml``: one row per step, as step 4 publishes it.

    Parameters
    ----------
    project
        The loaded project.
    funnel
        A :class:`~cjmlib.spec.model.Funnel` or the id of one of :func:`journey_funnels`.

    Returns
    -------
    DataFrame
        One row per step: ``step`` (the step's id), ``label``, ``entered`` (units at the previous step;
        step 1: its own units), ``converted`` (units reaching the step from the previous one), ``rate``
        (units at the step ÷ units at step 1), ``step_rate`` (converted ÷ entered), ``ci_low``, ``ci_high``
        (Wilson 95 % of ``rate``), ``step_ci_low``, ``step_ci_high``, ``censored``, ``median_seconds``,
        ``p90_seconds`` (time from the previous step), ``numerator``, ``denominator`` (those of ``rate``),
        then ``position`` (1-based), ``key`` (= ``step``), ``units``, ``previous``, ``new_entries``,
        ``drop_off``, ``unit``, ``order``, ``entry``, ``counting``, ``window_days``, ``funnel``,
        ``funnel_name``, ``by`` and ``is_default``. Events at one instant count as in the funnel's order.

    Raises
    ------
    SpecError
        When a step is not found (an event the data never shows, an undeclared touchpoint or stage),
        naming the funnel and the step.
    """
    spec = project.spec
    funnel = resolve_funnel(spec, funnel)
    _unknown_steps(project, funnel)
    table = funnel_table(project, list(funnel.steps), by=funnel.by, unit=funnel.unit,
                         labels=funnel_labels(spec, funnel), options=funnel_options(funnel))
    table = table.rename(columns={"step": "position"})
    table["step"] = table["key"].astype(str)
    table["numerator"] = table["units"]
    table = table.assign(funnel=funnel.id, funnel_name=funnel.label, by=funnel.by, is_default=funnel.is_default)
    rest = [c for c in table.columns if c not in _TABLE_COLUMNS]
    return table[_TABLE_COLUMNS + rest]


def funnel_breakdown(project, funnel: Funnel | str, column: str, *, min_group_size: int | None = None,
                     alpha: float = 0.05, correction: str | None = None) -> pd.DataFrame:
    """Conversion through the whole funnel (last step ÷ first step) per value of an events column.

    A unit counts under the value of ``column`` on its first event of the funnel's first step;
    ``n`` is the units entering at step 1, ``successes`` those reaching the last step (as
    :func:`declared_funnel_table` counts them; censoring aside). Each value is tested against all
    other units (:func:`cjmlib.breakdown_table`); values with fewer than ``min_group_size`` units are
    suppressed.

    Parameters
    ----------
    project
        The loaded project.
    funnel
        A :class:`~cjmlib.spec.model.Funnel` or the id of one of :func:`journey_funnels`.
    column
        A column of the events file, mapped (by its name in the file or its canonical name) or not.
    min_group_size
        Values with fewer units are suppressed; the project's ``min_group_size`` when omitted.
    alpha
        The significance level of the adjusted tests.
    correction
        ``"holm"`` or ``"bh"`` (Benjamini–Hochberg): how the values' p-values are adjusted; the spec's
        ``project.correction`` (Holm unless it says otherwise) when omitted.

    Returns
    -------
    DataFrame
        The columns of :func:`cjmlib.breakdown_table` (``by`` is ``column`` as given; ``value``, ``n``,
        ``successes``, ``rate``, ``ci_low``, ``ci_high``, ``rest_n``… ``p_adjusted``, ``significant``,
        ``suppressed``), plus ``numerator`` (= successes), ``denominator`` (= n), ``funnel`` and ``column``
        (the events table's column read).
    """
    spec = project.spec
    funnel = resolve_funnel(spec, funnel)
    _unknown_steps(project, funnel)
    events = project.table("events")
    col = events_column(spec, column)
    if col not in events.columns:
        listing = [c for c in events.columns if c not in ("touchpoint", "stage", "stage_order")]
        raise SpecError([Issue(code="unknown_column", file="journey.yml", key="breakdowns", value=column,
                               problem=f"the events have no column '{column}'.",
                               fix=(did_you_mean(column, listing) + f"Columns: {', '.join(listing)}.").strip())])
    unit_col = "user_id" if funnel.unit == "user" else "session_id"
    depth = funnel_reach(project, list(funnel.steps), by=funnel.by, unit=funnel.unit, options=funnel_options(funnel))
    first = events.filter(events[funnel.by].cast("string") == funnel.steps[0])
    first = first.filter(first[unit_col].notnull())
    values = first.group_by(u=first[unit_col]).agg(value=first[col].cast("string").argmin(first.ts))
    units = depth.join(values, "u", how="left").select(
        group=ibis._.value, converted=(ibis._.depth >= len(funnel.steps)).cast("int64"))
    min_n = min_group_size if min_group_size is not None else spec.project.min_group_size
    table = breakdown_table(units, "group", outcome="converted", min_n=min_n, alpha=alpha,
                            correction=correction or spec.project.correction)
    table["by"] = column
    table["numerator"] = table["successes"]
    table["denominator"] = table["n"]
    return table.assign(funnel=funnel.id, column=col)
