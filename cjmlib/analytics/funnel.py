"""Funnels over stages, touchpoints or events, computed in the engine.

An *attempt* starts at an event of the entry step and reaches step k at the earliest event of step k
at or after the one that reached step k−1 (events at one instant count as in the funnel's order,
never by their names). How it counts — order, entry, uniques or totals, re-entry, windows,
exclusions, ties — is one :class:`FunnelOptions`; a vendor's documented counting is a preset of it
(:mod:`cjmlib.analytics.vendors`). A unit whose window was still open when the data ends is
``censored``, not dropped. docs/adr/0001-how-a-funnel-counts.md gives the reasons.

Every query runs in the engine through Ibis (no backend-specific SQL); only one row per step
comes back to pandas.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from ..stats import wilson_interval
from .funnel_attempts import (
    ATTEMPT_KEYS,
    any_order_reach,
    best_attempt,
    check_exclusions,
    excluded_attempts,
    without_excluded,
)
from .options import COUNTINGS, ENTRIES, ORDERS, REENTRIES, Exclusion, FunnelOptions, exclusion_names
from .vendors import vendor_preset

__all__ = ["COUNTINGS", "ENTRIES", "ORDERS", "REENTRIES", "Exclusion", "FunnelOptions", "funnel_reach",
           "funnel_table", "stage_funnel"]

_MAX_ROUNDS = 200


def _events(source):
    """Accept a Project or an Ibis table."""
    return source.table("events") if hasattr(source, "table") else source


def _seconds(days: float | None) -> float | None:
    return None if days is None else float(days) * 86400.0


def _prepare(events, steps, *, by, unit, order, exclude):
    """Events of the funnel with ``u, key, e`` (epoch seconds), and ``seq`` when it is needed.

    ``seq`` numbers a unit's events by time, then by the position of their step in the funnel
    (events at one instant count as in the funnel's order: "at or after"; never by their names).
    A strict funnel needs it (step k must be the very next event), and so does a funnel with a
    repeated step (two events with the same key at the same instant are then two steps). Otherwise
    a step is reached by an event at or after the previous one: no numbering window is needed.
    """
    unit_col = "user_id" if unit == "user" else "session_id"
    base = events.select(u=events[unit_col], key=events[by].cast("string"), ts=events.ts)
    base = base.filter(base.u.notnull() & base.ts.notnull())
    wanted = list(dict.fromkeys([*steps, *exclusion_names(exclude)]))
    if order != "strict":  # only the funnel's events matter
        base = base.filter(base.key.isin(wanted))
    if order != "strict" and len(set(steps)) == len(steps):
        return base.select("u", "key", e=base.ts.epoch_seconds().cast("float64"))
    first = {}
    for i, s in enumerate(steps):
        first.setdefault(s, i)
    position = ibis.cases(*[(base.key == s, i) for s, i in first.items()], else_=len(steps))
    # the key only orders events outside the funnel among themselves (a strict funnel's other events)
    numbered = base.mutate(e=base.ts.epoch_seconds().cast("float64"), pos=position)
    numbered = numbered.mutate(seq=ibis.row_number().over(ibis.window(group_by="u", order_by=["ts", "pos", "key"])))
    return numbered.filter(numbered.key.isin(wanted)).select("u", "key", "e", "seq")


def _after(j, *, order, tie_s):
    """The condition for an event of a step (``e2``) to follow the event that reached the previous step.

    At one instant the later step counts as following ("at or after"), whatever the steps' names.
    """
    if "seq" in j.columns:
        if order == "strict":
            return j.seq2 == j.seq + 1
        if tie_s:
            return (j.seq2 != j.seq) & (j.e2 >= j.e - tie_s) & ((j.seq2 > j.seq) | (j.e2 <= j.e + tie_s))
        return (j.seq2 > j.seq) & (j.e2 >= j.e)
    if tie_s:  # distinct steps: an event of another step is never the same event
        return j.e2 >= j.e - tie_s
    return j.e2 >= j.e


def _advance(reached, ev, previous, step, *, order, window_s, step_window_s, tie_s, single):
    """The earliest event of ``step`` that continues each attempt of ``reached``.

    Each attempt keeps ``d``: the seconds from the event that reached ``previous``. With
    ``single`` (one attempt per unit), attempts are grouped by unit alone, as a hand query would.
    """
    s = ev.filter(ev.key == step).select("u", e2="e", **({"seq2": "seq"} if "seq" in ev.columns else {}))
    j = reached.join(s, "u")
    cond = _after(j, order=order, tie_s=tie_s)
    if window_s is not None:
        cond &= j.e2 <= j.e0 + window_s
    if step_window_s is not None:
        cond &= j.e2 <= j.e + step_window_s
    j = j.filter(cond)
    found = {"e": j.e2.min(), "d": (j.e2 - j.e).min()}
    if "seq" in j.columns:
        found["seq"] = j.seq2.min()
    if single:
        return j.group_by("u").agg(aid=j.aid.min(), entry=j.entry.min(), e0=j.e0.min(), **found)
    return j.group_by([*ATTEMPT_KEYS, "e0"]).agg(**found)


def _starts(ev, step, entry_index, *, reentry, after=None):
    """Attempts entering at ``step``: the first event per unit, or every event (``reentry="best"``).

    An attempt is named by the number (``seq``) or, without it, the time of its entry event.
    """
    s = ev.filter(ev.key == step)
    if after is not None:
        s = s.join(after, "u").filter(lambda r: r.e > r.after).drop("after")
    numbered = "seq" in ev.columns
    if reentry == "first":
        s = s.group_by("u").agg(e=s.e.min(), **({"seq": s.seq.min()} if numbered else {}))
    elif not numbered:  # two entry events at one instant are one attempt
        s = s.select("u", "e").distinct()
    return s.select("u", "e", *(["seq"] if numbered else []), aid=s.seq if numbered else s.e,
                    entry=ibis.literal(entry_index), e0=s.e)


def _ordered_reach(ev, steps, *, entries, reentry, window_s, step_windows_s, order, tie_s, after=None):
    """Long table ``u, aid, entry, k, e, e0, d``: attempt (u, aid, entry) reached step k at time e.

    ``d`` is the time from step k−1 (null at the attempt's entry).
    """
    parts = []
    for j in entries:
        reached = _starts(ev, steps[j - 1], j, reentry=reentry, after=after)
        parts.append(reached.select(*ATTEMPT_KEYS, k=ibis.literal(j), e="e", e0="e0", d=ibis.null("float64")))
        for k in range(j + 1, len(steps) + 1):
            reached = _advance(reached, ev, steps[k - 2], steps[k - 1], order=order, window_s=window_s,
                               step_window_s=step_windows_s[k - 1], tie_s=tie_s, single=reentry == "first")
            parts.append(reached.select(*ATTEMPT_KEYS, k=ibis.literal(k), e="e", e0="e0", d="d"))
    return ibis.union(*parts)


def _totals_reach(ev, steps, *, window_s, step_windows_s, order, tie_s, exclude, scope):
    """Attempts of a closed funnel counted as totals: re-entry after completion, time-out or exclusion."""
    rounds, after, n = [], None, len(steps)
    for _ in range(_MAX_ROUNDS):
        reach = _ordered_reach(ev, steps, entries=[1], reentry="first", window_s=window_s,
                               step_windows_s=step_windows_s, order=order, tie_s=tie_s, after=after)
        last = reach.group_by(ATTEMPT_KEYS).agg(e0=reach.e0.min(), depth=reach.k.max(), last=reach.e.max())
        if exclude:
            bad = excluded_attempts(reach, ev, exclude, n_steps=n, scope=scope, window_s=window_s)
            last = last.left_join(bad, ATTEMPT_KEYS).select(*ATTEMPT_KEYS, "e0", "depth", "last", "excluded_at")
            reach = without_excluded(reach, bad, scope=scope)
        else:
            last = last.mutate(excluded_at=ibis.null("float64"))
        timeout = (last.e0 + window_s) if window_s is not None else ibis.null("float64")
        end = ibis.coalesce(last.excluded_at, ibis.ifelse(last.depth == n, last["last"], timeout))
        rounds.append(reach)
        # one row per unit still re-entering comes back, so the next round's query stays small
        ends = last.select("u", after=end.cast("float64")).filter(lambda r: r.after.notnull()).execute()
        if ends.empty:
            break
        after = ibis.memtable(ends)
    return ibis.union(*rounds)


def _censoring(reach, steps, *, window_s, step_windows_s, data_end, events, counting):
    """Per step k, units (or attempts) stopped at k−1 whose window to reach k was still open at the data's end.

    Without a window nothing is censored and no query runs; ``data_end`` defaults to the last event.
    """
    n = len(steps)
    if window_s is None and all(w is None for w in step_windows_s[1:]):
        return {}
    if data_end is None:
        data_end_s = events.ts.max().epoch_seconds().execute()
    else:
        data_end_s = pd.Timestamp(data_end).timestamp()
    last = reach.group_by(ATTEMPT_KEYS).agg(e0=reach.e0.min(), depth=reach.k.max(), last=reach.e.max())
    deadlines = []
    if window_s is not None:
        deadlines.append(last.e0 + window_s)
    if any(w is not None for w in step_windows_s[1:]):
        step_w = ibis.cases(*[(last.depth == k, w) for k, w in enumerate(step_windows_s, start=0)
                              if 1 <= k < n and w is not None], else_=ibis.null("float64"))
        deadlines.append(last["last"] + step_w)
    deadline = ibis.least(*deadlines) if len(deadlines) > 1 else deadlines[0]
    last = last.mutate(open_=(last.depth < n) & deadline.notnull() & (deadline > data_end_s))
    if counting == "uniques":  # a unit stops at its furthest step; censored if one of those attempts is open
        furthest = last.group_by("u").agg(depth=last.depth.max())
        last = last.join(furthest, ["u", "depth"]).group_by(["u", "depth"]).agg(open_=lambda r: r.open_.any())
        counted = last.filter(last.open_).group_by("depth").agg(n=lambda r: r.u.count())
    else:
        counted = last.filter(last.open_).group_by("depth").agg(n=lambda r: r.u.count())
    df = counted.execute()
    return {int(d) + 1: int(c) for d, c in zip(df["depth"], df["n"])}


def _step_counts(reach, *, counting, one_attempt):
    """Per step: units (or attempts), those continuing from the previous step, median and p90 seconds.

    One query: the time from the previous step (``d``) travels with each reached step. With
    ``one_attempt`` (one attempt per unit), units and attempts are the same and are not deduplicated.
    """
    if counting == "uniques" and not one_attempt:  # a unit once per step: converted if an attempt came from k−1
        reach = reach.group_by(["u", "k"]).agg(c=(reach.entry < reach.k).any().cast("int64"), d=reach.d.min())
    else:
        reach = reach.mutate(c=(reach.entry < reach.k).cast("int64"))
    table = reach.group_by("k").agg(units=reach.u.count(), converted=reach.c.sum(),
                                    median_seconds=reach.d.quantile(0.5), p90_seconds=reach.d.quantile(0.9)).execute()
    return table[["k", "units", "converted"]], table[["k", "median_seconds", "p90_seconds"]]


def _reach(events, steps, *, by, unit, opts: FunnelOptions):
    """The long reach table of a funnel (see :func:`_ordered_reach`), exclusions and the best attempt applied,
    with the window and the step windows in seconds."""
    order, entry, counting, reentry = opts.order, opts.entry, opts.counting, opts.reentry
    exclude, step_window_days = list(opts.exclude), opts.step_window_days
    if not steps:
        raise ValueError("a funnel needs at least one step")
    if step_window_days is not None and len(step_window_days) != len(steps):
        raise ValueError(f"step_window_days needs one value per step ({len(steps)}), not {len(step_window_days)}")
    if order == "any" and (entry == "open" or counting == "totals" or step_window_days is not None):
        raise ValueError("an any-order funnel is closed, counts uniques and has no step windows")
    if counting == "totals" and (entry == "open" or reentry == "best"):
        raise ValueError("totals count the attempts of a closed funnel with reentry='first'")
    check_exclusions(exclude, steps, order=order)
    ev = _prepare(events, steps, by=by, unit=unit, order=order, exclude=exclude)
    window_s = _seconds(opts.window_days)
    step_windows_s = [_seconds(w) for w in (step_window_days or [None] * len(steps))]
    step_windows_s[0] = None
    kw = {"window_s": window_s, "step_windows_s": step_windows_s, "order": order, "tie_s": float(opts.tie_seconds)}
    if order == "any":
        reach = any_order_reach(ev, steps, window_s=window_s, any_order=opts.any_order)
    elif counting == "totals":
        reach = _totals_reach(ev, steps, exclude=exclude, scope=opts.exclusion_scope, **kw)
        exclude = []  # applied round by round
    else:
        entries = list(range(1, len(steps) + 1)) if entry == "open" else [1]
        reach = _ordered_reach(ev, steps, entries=entries, reentry=reentry, **kw)
    if exclude:
        bad = excluded_attempts(reach, ev, exclude, n_steps=len(steps), scope=opts.exclusion_scope, window_s=window_s)
        reach = without_excluded(reach, bad, scope=opts.exclusion_scope)
    if (reentry == "best" and entry == "closed" and order != "any") or (order == "any" and opts.any_order == "any_k"):
        reach = best_attempt(reach)
    return reach, window_s, step_windows_s


def funnel_reach(source, steps: list[str], *, by: str = "stage", unit: str = "user",
                 options: FunnelOptions | None = None, times: bool = False):
    """Per unit, the furthest step of the funnel reached from step 1, counted as :func:`funnel_table` counts.

    Parameters
    ----------
    source
        A Project, or an Ibis table of events.
    steps
        The values of ``by`` that make the funnel, in order.
    by
        The events' column the steps are values of.
    unit
        ``"user"`` or ``"session"``.
    options
        How the funnel counts (:class:`FunnelOptions`; the defaults when omitted).
    times
        Return instead one row per attempt entering at step 1 and step k ≥ 2 it reached: ``u``, ``k``,
        ``seconds`` (from step k−1: the times :func:`funnel_table` takes ``median_seconds`` of, for a
        closed funnel) and ``from_entry`` (seconds from the attempt's entry at step 1).

    Returns
    -------
    ibis Table
        ``u`` (the unit's id), ``depth`` (the furthest step reached by an attempt entering at step 1):
        one row per unit that entered the funnel at step 1.
    """
    if unit not in ("user", "session"):
        raise ValueError(f"unit must be one of 'user', 'session', not {unit!r}")
    reach, _, _ = _reach(_events(source), list(steps), by=by, unit=unit, opts=options or FunnelOptions())
    started = reach.filter(reach.entry == 1)
    if times:
        return started.filter(started.k > 1).select("u", "k", seconds="d", from_entry=started.e - started.e0)
    return started.group_by("u").agg(depth=started.k.max())


def funnel_table(source, steps: list[str], *, by: str = "stage", unit: str = "user",
                 window_days: float | None = None, labels: dict[str, str] | None = None,
                 order: str | None = None, entry: str | None = None, counting: str | None = None,
                 reentry: str | None = None, step_window_days: list[float | None] | None = None,
                 exclude: list[str | dict | Exclusion] | None = None, tie_seconds: float | None = None,
                 exclusion_scope: str | None = None, any_order: str | None = None, data_end=None,
                 emulate: str | None = None, options: FunnelOptions | None = None) -> pd.DataFrame:
    """Count the units that go through ``steps``.

    Parameters
    ----------
    source
        A Project, or an Ibis table of events with ``user_id, session_id, ts`` and the ``by`` column.
    steps
        The values of ``by`` that make the funnel, in order.
    by
        ``"stage"``, ``"touchpoint"``, ``"event"`` or any other column of the events.
    unit
        ``"user"`` or ``"session"``.
    window_days
        The conversion window from entering the funnel; no window when omitted.
    labels
        Display labels of the steps.
    order
        ``"ordered"`` (other events allowed in between; the default), ``"strict"`` (directly
        followed) or ``"any"``.
    entry
        ``"closed"`` (units must enter at step 1; the default) or ``"open"`` (at any step).
    counting
        ``"uniques"`` (each unit once; the default) or ``"totals"`` (every attempt; closed ordered or
        strict funnels).
    reentry
        ``"first"`` (the default): the window starts at the unit's first entry event and later ones
        do not restart it; ``"best"``: any entry event may start the funnel and the attempt that
        goes furthest counts.
    step_window_days
        One value per step: the time allowed from the previous step (the first value is ignored;
        ``None`` for no limit).
    exclude
        Values of ``by`` that remove an attempt: a plain name when it occurs between the attempt's
        entry and the last step it reached; ``{"event": x, "between": [i, j]}`` (or an
        :class:`Exclusion`) only between steps i and j (1-based).
    tie_seconds
        Events of an ordered funnel this close in time count in either order (default 0).
    exclusion_scope
        ``"reached"`` (the default): an exclusion counts up to the last step the attempt reached;
        ``"window"``: up to the end of its conversion window when it never reached the range's last step;
        ``"stop"``: as ``"window"``, but the attempt keeps the steps it reached before the excluded event.
    any_order
        With ``order="any"``: ``"first_k"`` (the default; step k = steps 1…k done) or ``"any_k"``
        (step k = any k of the steps done).
    data_end
        When the data ends (for ``censored``); the last event's time when omitted.
    emulate
        ``"ga4"``, ``"mixpanel"``, ``"amplitude"`` or ``"posthog"``: that vendor's documented counting
        (:mod:`cjmlib.analytics.vendors`) replaces the defaults; options given explicitly still win.
    options
        All the counting options at once (:class:`FunnelOptions`, e.g. a vendor preset or a funnel
        declared in journey.yml); it replaces ``emulate``, and options given as keywords still win.

    Returns
    -------
    DataFrame
        One row per step: ``step`` (1-based), ``key`` (the step's value of ``by``), ``label``,
        ``units`` (units, or attempts with totals, at the step), ``denominator`` (units at step 1),
        ``rate`` (units ÷ denominator), ``ci_low``, ``ci_high`` (Wilson 95 % of ``rate``; NaN when an
        open funnel has more units at a step than at step 1), ``previous`` (units at the previous
        step; step 1: its own units), ``entered`` (= ``previous``: the units that could convert
        into the step), ``converted`` (units that came from the previous step), ``new_entries``
        (units entering the funnel at this step), ``step_rate`` (converted ÷ entered),
        ``step_ci_low``, ``step_ci_high`` (Wilson 95 % of ``step_rate``), ``censored`` (units stopped
        at the previous step whose window was still open when the data ends), ``drop_off``
        (entered − converted − censored), ``median_seconds``, ``p90_seconds`` (time from the
        previous step among the converted), ``unit``, ``order``, ``entry``, ``counting``,
        ``window_days``.

    Examples
    --------
    >>> funnel_table(project, ["landing", "product-page", "cart"], by="touchpoint",
    ...              unit="session", window_days=1)  # doctest: +SKIP
    """
    if unit not in ("user", "session"):
        raise ValueError(f"unit must be one of 'user', 'session', not {unit!r}")
    if options is not None and emulate is not None:
        raise ValueError("give either emulate= or options=, not both (a preset is a value of FunnelOptions)")
    base = options if options is not None else (vendor_preset(emulate) if emulate else FunnelOptions())
    opts = base.replace(order=order, entry=entry, counting=counting, reentry=reentry, tie_seconds=tie_seconds,
                        window_days=window_days, step_window_days=step_window_days,
                        exclude=None if exclude is None else tuple(exclude), exclusion_scope=exclusion_scope,
                        any_order=any_order)
    steps = list(steps)
    events = _events(source)
    reach, window_s, step_windows_s = _reach(events, steps, by=by, unit=unit, opts=opts)
    order, entry, counting, window_days = opts.order, opts.entry, opts.counting, opts.window_days
    censored = _censoring(reach, steps, window_s=window_s, step_windows_s=step_windows_s,
                          data_end=data_end, events=events, counting=counting)
    one_attempt = order == "any" or (entry == "closed" and counting == "uniques")
    counts, times = _step_counts(reach, counting=counting, one_attempt=one_attempt)
    return _assemble(steps, counts, times, censored, labels=labels or {}, unit=unit, order=order,
                     entry=entry, counting=counting, window_days=window_days)


def _assemble(steps, counts, times, censored, *, labels, unit, order, entry, counting, window_days):
    n = len(steps)
    idx = pd.RangeIndex(1, n + 1, name="k")
    counts = counts.set_index("k").reindex(idx)
    times = times.set_index("k").reindex(idx)
    units = counts["units"].fillna(0).to_numpy(dtype=float)
    converted = counts["converted"].fillna(0).to_numpy(dtype=float, copy=True)
    converted[0] = units[0]
    previous = np.concatenate([[units[0]], units[:-1]])
    cens = np.array([0.0] + [float(censored.get(k, 0)) for k in range(2, n + 1)])
    denominator = units[0]
    low, high = wilson_interval(units, np.full_like(units, denominator))
    over = units > denominator
    step_low, step_high = wilson_interval(converted, previous)
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame({
            "step": np.arange(1, n + 1), "key": steps, "label": [labels.get(s, s) for s in steps],
            "units": units.astype(int), "denominator": int(denominator), "rate": units / denominator,
            "ci_low": np.where(over, np.nan, low), "ci_high": np.where(over, np.nan, high),
            "previous": previous.astype(int), "entered": previous.astype(int),
            "converted": converted.astype(int), "new_entries": (units - converted).astype(int),
            "step_rate": converted / previous, "step_ci_low": step_low, "step_ci_high": step_high,
            "censored": cens.astype(int), "drop_off": (previous - converted - cens).astype(int),
            "median_seconds": times["median_seconds"].to_numpy(dtype=float),
            "p90_seconds": times["p90_seconds"].to_numpy(dtype=float),
            "unit": unit, "order": order, "entry": entry, "counting": counting,
            "window_days": np.nan if window_days is None else float(window_days),
        })
    table.loc[0, "new_entries"] = int(units[0])
    return table


def stage_funnel(project, *, unit: str = "user", window_days: float | None = None, **options) -> pd.DataFrame:
    """The funnel over the spec's stages, in their order (see :func:`funnel_table`).

    Returns the columns of :func:`funnel_table` with ``stage`` in place of ``key``; ``options``
    are passed on (``order``, ``entry``, ``counting``, ``exclude``…).

    Parameters
    ----------
    project
        The loaded project (its spec gives the stages and their labels).
    unit
        ``"user"`` (the default) or ``"session"``.
    window_days
        The conversion window from entering the first stage, in days; no window when omitted.
    """
    spec = project.spec
    table = funnel_table(project, spec.stage_ids, by="stage", unit=unit, window_days=window_days,
                         labels={s.id: s.label for s in spec.stages}, **options)
    return table.rename(columns={"key": "stage"})
