"""Touchpoint attribution: what each touchpoint is worth to a conversion, by a Markov chain's removal effect.

Each unit (user or session) has a **path**: the touchpoints of its events up to its first conversion,
ordered by time (events at one instant by touchpoint), or its whole path when it never converts.
Events at the instant of the first conversion count in the path; the conversion events themselves
never do; events whose touchpoint is empty are left out.

The paths make a first-order Markov chain ``(start) → touchpoints → (conversion) | (null)``: the
probability of going from ``a`` to ``b`` is the number of transitions ``a → b`` over the number of
transitions leaving ``a``. The chain's probability of conversion is found exactly, by solving the
absorbing chain's linear system ``(I − Q) x = r`` (``Q`` the transitions between touchpoints, ``r``
those into the conversion) with its fundamental matrix ``(I − Q)⁻¹``; it equals the observed
conversions ÷ units. The **removal effect** of a touchpoint is ``1 − P(conversion without it) ÷
P(conversion)``, where "without it" sends every transition into it to ``(null)``: the share of
conversions that would be lost without it. As the chain has no memory, ``P(conversion without j) =
P(conversion) − P(reaching j) · x_j``, so one matrix inverse gives every removal effect. A
touchpoint repeated right after itself changes no probability of conversion (a self-loop only
delays), so repeats are counted once.

Beside it, for comparison: the first-touch and last-touch shares (the converting units whose first,
or last, touchpoint before converting it was) and the Markov share (removal effects scaled to add
up to 1). Removal effects get a bootstrap interval: units resampled with replacement ``n_boot``
times, percentiles 2.5 and 97.5.

Paths are built in the engine (Ibis); only one row per distinct path comes back to pandas, and the
chain is solved with numpy. docs/adr/0004-touchpoint-attribution.md gives the reasons.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import numpy as np
import pandas as pd
from scipy import sparse

from ..spec.issues import did_you_mean
from ..spec.model import Funnel
from ..stats import wilson_interval
from .declared import resolve_funnel

__all__ = ["ATTRIBUTION_COLUMNS", "funnel_attribution", "removal_effects", "touchpoint_attribution"]

#: The columns of :func:`touchpoint_attribution`, in order.
ATTRIBUTION_COLUMNS = [
    "touchpoint", "removal_effect", "low", "high", "lost_conversions", "markov_share", "first_touch",
    "first_touch_low", "first_touch_high", "last_touch", "last_touch_low", "last_touch_high",
    "first_touch_conversions", "last_touch_conversions", "touched_units", "touched_conversions",
    "attributed", "conversions", "units", "unit", "conversion", "n_boot",
]

_SEP = "\x1f"  # joins a path's touchpoints: a character no touchpoint id holds


def _check(events, unit: str, columns: dict[str, str], n_boot: int) -> str:
    if unit not in ("user", "session"):
        raise ValueError(f"unit must be 'user' or 'session', not {unit!r}")
    if n_boot < 0:
        raise ValueError(f"n_boot must be 0 or more, not {n_boot}")
    have = list(events.columns)
    for argument, column in columns.items():
        if column not in have:
            raise ValueError(f"{argument}={column!r} is not a column of the events. "
                             f"{did_you_mean(column, have)}Columns: {', '.join(have)}.")
    return "user_id" if unit == "user" else "session_id"


def _distinct_paths(events, conversion: str, *, conversion_by: str, by: str, unit_col: str,
                    touchpoints: Sequence[str] | None) -> pd.DataFrame:
    """One row per distinct (path, converted): ``path`` (touchpoints joined by _SEP), ``converted``, ``n`` units."""
    t = events.select(u=events[unit_col].cast("string"), ts=events.ts, key=events[by].cast("string"),
                      conv=(events[conversion_by].cast("string") == conversion).fill_null(False))
    t = t.filter(t.u.notnull() & t.ts.notnull())
    units = t.group_by("u").agg(t_conv=t.ts.min(where=t.conv))
    steps = t.filter(~t.conv & t.key.notnull())
    if touchpoints is not None:
        steps = steps.filter(steps.key.isin([str(v) for v in touchpoints]))
    steps = steps.join(units, "u")
    steps = steps.filter(steps.t_conv.isnull() | (steps.ts <= steps.t_conv))
    order = ibis.window(group_by=steps.u, order_by=[steps.ts, steps.key])
    steps = steps.mutate(repeat=steps.key.lag().over(order) == steps.key)
    steps = steps.filter(steps.repeat.isnull() | ~steps.repeat)
    # ordered by (ts, key) pairs: an ordered group_concat is not available on every backend (Spark)
    path = ibis.struct({"ts": steps.ts, "key": steps.key}).collect().sort().map(lambda s: s.key).join(_SEP)
    per_unit = steps.group_by("u").agg(path=path)
    joined = units.left_join(per_unit, "u")
    joined = joined.select(path=joined.path.fill_null(""), converted=joined.t_conv.notnull())
    table = joined.group_by(["path", "converted"]).agg(n=joined.path.count()).execute()
    # a fixed order, so that a seed gives the same bootstrap whatever order the engine returns rows in
    return table.sort_values(["path", "converted"], ignore_index=True)


def _transitions(paths: pd.DataFrame, keys: list[str]) -> tuple[sparse.csr_matrix, pd.DataFrame]:
    """The transitions of each distinct path as a sparse (paths × cells) count matrix, and its steps.

    State ``k`` (= len(keys)) is (start) as a source and (conversion) as a target; ``k + 1`` is (null).
    Cell ``source * (k + 2) + target``.
    """
    k = len(keys)
    steps = paths.path.str.split(_SEP).explode().rename("key").reset_index().rename(columns={"index": "i"})
    steps = steps[steps.key != ""]
    steps["code"] = steps.key.map({key: j for j, key in enumerate(keys)}).astype(int)
    source = steps.groupby("i").code.shift(1, fill_value=k).to_numpy()
    last = steps.groupby("i").code.last().reindex(range(len(paths)), fill_value=k).to_numpy()
    end = np.where(paths.converted.to_numpy(bool), k, k + 1)
    rows = np.concatenate([steps.i.to_numpy(), np.arange(len(paths))])
    cells = np.concatenate([source * (k + 2) + steps.code.to_numpy(), last * (k + 2) + end])
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cells)), shape=(len(paths), (k + 1) * (k + 2)))
    return matrix, steps


def removal_effects(counts: np.ndarray) -> tuple[float, np.ndarray]:
    """Solve the absorbing chain of transition counts: its probability of conversion and each removal effect.

    Parameters
    ----------
    counts
        A (k + 1) × (k + 2) array: rows are the k touchpoints then (start), columns the k touchpoints,
        then (conversion), then (null); each cell counts the transitions from its row to its column.

    Returns
    -------
    tuple
        ``P(conversion)`` from (start), and an array of the k removal effects
        ``1 − P(conversion without touchpoint j) ÷ P(conversion)`` (NaN when ``P(conversion)`` is 0).
    """
    k = counts.shape[0] - 1
    out = counts[:k].sum(axis=1)
    seen = out > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(seen[:, None], counts[:k, :k] / out[:, None], 0.0)
        r = np.where(seen, counts[:k, k] / out, 0.0)
    # the fundamental matrix: fundamental[a, b] = expected visits to b from a before the chain ends
    fundamental = np.linalg.inv(np.eye(k) - q)
    x = fundamental @ r  # x[a] = P(conversion | at a)
    start = counts[k]
    entry = start[:k] / start.sum()
    p = float(entry @ x + start[k] / start.sum())
    # without j, a path that reaches j ends in (null); one that never reaches it is unchanged (the
    # chain has no memory), so P(conversion without j) = P − P(reaching j) · x[j], and
    # P(reaching j) = expected visits to j ÷ expected visits to j once there
    reach = (entry @ fundamental) / np.diag(fundamental)
    effects = reach * x / p if p > 0 else np.full(k, np.nan)
    return p, effects


def _bootstrap(matrix: sparse.csr_matrix, n: np.ndarray, k: int, *, n_boot: int, seed: int) -> np.ndarray:
    """Removal effects of ``n_boot`` resamples of the units (an n_boot × k array; NaN where none converts)."""
    rng = np.random.default_rng(seed)
    total = int(n.sum())
    shares = n / total
    effects = np.full((n_boot, k), np.nan)
    for b in range(n_boot):
        # drawing every unit with replacement is drawing how many units take each distinct path
        weights = rng.multinomial(total, shares)
        counts = np.asarray(matrix.T @ weights, dtype=float).reshape(k + 1, k + 2)
        effects[b] = removal_effects(counts)[1]
    return effects


def _empty(reason: str, *, unit: str, conversion: str, units: int, conversions: int) -> pd.DataFrame:
    table = pd.DataFrame({c: pd.Series(dtype=object if c in ("touchpoint", "unit", "conversion") else float)
                          for c in ATTRIBUTION_COLUMNS})
    table.attrs.update(reason=reason, unit=unit, conversion=conversion, units=units, conversions=conversions)
    return table


def touchpoint_attribution(source, conversion: str, *, conversion_by: str = "event", by: str = "touchpoint",
                           unit: str = "user", touchpoints: Sequence[str] | None = None, n_boot: int = 200,
                           seed: int = 0) -> pd.DataFrame:
    """Attribute a conversion to touchpoints: Markov removal effect with bootstrap interval, first and last touch.

    Parameters
    ----------
    source
        A Project, or an Ibis table of events with ``user_id, session_id, ts``, the ``by`` column and
        the ``conversion_by`` column.
    conversion
        The value of ``conversion_by`` that converts (``"purchase"``; a funnel's last step).
    conversion_by
        The events' column holding ``conversion``: ``"event"``, ``"touchpoint"``, ``"stage"``…
    by
        The column whose values are the touchpoints (``"touchpoint"``, ``"page"``, ``"channel"``…).
        When it is ``conversion_by``, the conversion's own value is the chain's end, not a touchpoint.
    unit
        ``"user"`` or ``"session"``: whose paths are followed.
    touchpoints
        Count only these values of ``by`` as touchpoints (the others are left out of the paths);
        every value when omitted.
    n_boot
        Bootstrap resamples of the units for the interval of the removal effect (0: no interval).
    seed
        Seed of the bootstrap: the same seed gives the same interval.

    Returns
    -------
    DataFrame
        One row per touchpoint seen in a path, largest removal effect first:
        ``touchpoint``; ``removal_effect`` (1 − P(conversion without it) ÷ P(conversion): the share of
        ``conversions`` lost without it); ``low``, ``high`` (its bootstrap 95 % percentile interval);
        ``lost_conversions`` (removal_effect × conversions); ``markov_share`` (removal effect ÷ the sum
        of all removal effects); ``first_touch``, ``last_touch`` (first_touch_conversions, or
        last_touch_conversions, ÷ attributed) with Wilson 95 % bounds ``first_touch_low``,
        ``first_touch_high``, ``last_touch_low``, ``last_touch_high``; ``first_touch_conversions``,
        ``last_touch_conversions`` (converting units whose first, or last, touchpoint before converting
        it is); ``touched_units``, ``touched_conversions`` (units, and converting units, with it in their
        path); ``attributed`` (converting units with at least one touchpoint before converting: the
        denominator of the shares); ``conversions`` (converting units; conversions ÷ units is the chain's
        P(conversion)); ``units`` (units with an event); ``unit``; ``conversion``; ``n_boot``.

        With no unit, no conversion or no touchpoint before any conversion, the table has these
        columns and no row, and ``table.attrs["reason"]`` says why (``"no_units"``, ``"no_conversions"``,
        ``"no_touchpoints"``); ``attrs`` also holds ``units`` and ``conversions``.

    Examples
    --------
    >>> project = cjm.load_project("demo")                                        # doctest: +SKIP
    >>> table = cjm.touchpoint_attribution(project, "purchase", unit="session")  # doctest: +SKIP
    >>> row = table.iloc[0]                                                      # doctest: +SKIP
    >>> f"removing {row.touchpoint} loses {row.removal_effect:.0%} ({row.low:.0%}–{row.high:.0%})"  # doctest: +SKIP
    """
    events = source.table("events") if hasattr(source, "table") else source
    unit_col = _check(events, unit, {"by": by, "conversion_by": conversion_by}, n_boot)
    paths = _distinct_paths(events, conversion, conversion_by=conversion_by, by=by, unit_col=unit_col,
                            touchpoints=touchpoints)
    n = paths.n.to_numpy(dtype=float)
    converted = paths.converted.to_numpy(bool)
    units, conversions = int(n.sum()), int(n[converted].sum())
    described = {"unit": unit, "conversion": conversion, "units": units, "conversions": conversions}
    if units == 0:
        return _empty("no_units", **described)
    if conversions == 0:
        return _empty("no_conversions", **described)
    keys = sorted({key for path in paths.path.unique() for key in path.split(_SEP) if key})
    attributed = int(n[converted & (paths.path != "")].sum())
    if attributed == 0:
        return _empty("no_touchpoints", **described)
    k = len(keys)
    matrix, steps = _transitions(paths, keys)
    counts = np.asarray(matrix.T @ n, dtype=float).reshape(k + 1, k + 2)
    effects = removal_effects(counts)[1]
    boot = _bootstrap(matrix, n, k, n_boot=n_boot, seed=seed)
    with np.errstate(invalid="ignore"):
        low, high = (np.nanpercentile(boot, [2.5, 97.5], axis=0) if n_boot and not np.isnan(boot).all()
                     else (np.full(k, np.nan), np.full(k, np.nan)))
    table = pd.DataFrame({"touchpoint": keys, "removal_effect": effects, "low": low, "high": high})
    table["lost_conversions"] = table.removal_effect * conversions
    table["markov_share"] = table.removal_effect / table.removal_effect.sum()
    steps = steps.assign(n=n[steps.i.to_numpy()], converted=converted[steps.i.to_numpy()])
    for end, rows in (("first", steps.groupby("i").head(1)), ("last", steps.groupby("i").tail(1))):
        won = rows[rows.converted].groupby("code").n.sum().reindex(range(k), fill_value=0).to_numpy()
        table[f"{end}_touch"] = won / attributed
        low_w, high_w = wilson_interval(won, attributed)  # exact at the ends, where rounding would stray
        table[f"{end}_touch_low"] = np.where(won == 0, 0.0, low_w)
        table[f"{end}_touch_high"] = np.where(won == attributed, 1.0, high_w)
        table[f"{end}_touch_conversions"] = won.astype(int)
    touched = steps.drop_duplicates(["i", "code"])
    table["touched_units"] = touched.groupby("code").n.sum().reindex(range(k), fill_value=0).to_numpy(int)
    table["touched_conversions"] = (touched[touched.converted].groupby("code").n.sum()
                                    .reindex(range(k), fill_value=0).to_numpy(int))
    table = table.assign(attributed=attributed, conversions=conversions, units=units, unit=unit,
                         conversion=conversion, n_boot=n_boot)
    table = table.sort_values(["removal_effect", "touchpoint"], ascending=[False, True], ignore_index=True)
    table.attrs.update(reason=None, **described)
    return table[ATTRIBUTION_COLUMNS]


def funnel_attribution(project, funnel: Funnel | str, *, n_boot: int = 200, seed: int = 0) -> pd.DataFrame:
    """Attribute a declared funnel's conversion (its last step) to the project's touchpoints.

    The funnel's last step is the conversion (a value of the funnel's ``by``), counted per the
    funnel's ``unit``; the touchpoints are the events' ``touchpoint`` values (the conversion's own
    touchpoint excluded when the funnel is by touchpoint).

    Parameters
    ----------
    project
        The loaded project.
    funnel
        A :class:`~cjmlib.spec.model.Funnel` or the id of one of :func:`cjmlib.journey_funnels`.
    n_boot
        Bootstrap resamples of the units for the interval of the removal effect.
    seed
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        The table of :func:`touchpoint_attribution`, with ``funnel`` (the funnel's id) and ``label``
        (the touchpoint's name in journey.yml) added.

    Examples
    --------
    >>> for funnel in cjm.journey_funnels(project.spec):                              # doctest: +SKIP
    ...     project.save(f"attribution-{funnel.id}", cjm.funnel_attribution(project, funnel))
    """
    funnel = resolve_funnel(project.spec, funnel)
    table = touchpoint_attribution(project, funnel.steps[-1], conversion_by=funnel.by, by="touchpoint",
                                   unit=funnel.unit, n_boot=n_boot, seed=seed)
    attrs = dict(table.attrs)
    names = {tp.id: tp.label for tp in project.spec.touchpoints}
    table = table.assign(funnel=funnel.id, label=[names.get(t, t) for t in table.touchpoint])
    table.attrs.update(attrs, funnel=funnel.id)
    return table
