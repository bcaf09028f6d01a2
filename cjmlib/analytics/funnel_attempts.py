"""The attempts of a funnel beyond the ordered walk: any-order reach, exclusions, the best attempt.

:mod:`cjmlib.analytics.funnel` walks ordered and strict funnels step by step; this module holds what
works on the resulting long *reach table* (``u, aid, entry, k, e, e0, d``: attempt ``(u, aid, entry)``
reached step k at time e, entered at e0, d seconds after step k−1):

- :func:`any_order_reach`: an ``order="any"`` funnel, step k meaning steps 1…k done (``"first_k"``)
  or any k of the steps done (``"any_k"``);
- :func:`excluded_attempts`: the attempts an excluded event removes, over the whole funnel or a
  step range, up to the last step reached or to the end of the conversion window;
- :func:`best_attempt`: per unit, the attempt that went furthest.

Everything runs in the engine through Ibis. docs/adr/0001-how-a-funnel-counts.md gives the reasons.
"""

from __future__ import annotations

import ibis

from .options import Exclusion

__all__ = ["ATTEMPT_KEYS", "any_order_reach", "best_attempt", "check_exclusions", "excluded_attempts",
           "without_excluded"]

#: The columns naming one attempt in a reach table.
ATTEMPT_KEYS = ["u", "aid", "entry"]


def check_exclusions(exclude, steps, *, order: str) -> None:
    """Raise a ValueError when a step range of ``exclude`` lies outside the funnel's steps.

    Parameters
    ----------
    exclude
        Plain names and :class:`~cjmlib.analytics.options.Exclusion` objects.
    steps
        The funnel's steps.
    order
        The funnel's order: an ``"any"`` funnel has no step range but the whole funnel.
    """
    n = len(steps)
    for x in exclude:
        if isinstance(x, str) or x.between is None:
            continue
        i, j = x.between
        if j > n:
            raise ValueError(f"the exclusion of {x.event!r} between steps {i} and {j} is outside the funnel's "
                             f"{n} steps: use 1 <= i < j <= {n}")
        if order == "any" and (i, j) != (1, n):
            raise ValueError(f"an any-order funnel excludes over all its steps: the exclusion of {x.event!r} "
                             f"between steps {i} and {j} needs between [1, {n}] or a plain name")


def _first_k_reach(ev, steps, *, window_s):
    """Step k reached once steps 1…k were all done, in any order, within the window from the first of them."""
    t0 = ev.filter(ev.key.isin(list(steps))).group_by("u").agg(e0=lambda r: r.e.min())
    j = ev.join(t0, "u")
    if window_s is not None:
        j = j.filter(j.e <= j.e0 + window_s)
    firsts = j.group_by(["u", "e0"]).agg(**{f"f{i}": j.e.min(where=j.key == s) for i, s in enumerate(steps)})
    parts = []
    for k in range(1, len(steps) + 1):
        cols = [firsts[f"f{i}"] for i in range(k)]
        done = firsts.filter(ibis.and_(*[c.notnull() for c in cols]))
        e = ibis.greatest(*cols) if k > 1 else cols[0]
        d = e - (ibis.greatest(*cols[:-1]) if k > 2 else cols[0]) if k > 1 else ibis.null("float64")
        parts.append(done.select("u", aid=ibis.literal(0), entry=ibis.literal(1), k=ibis.literal(k), e=e,
                                 e0="e0", d=d))
    return ibis.union(*parts)


def _any_k_reach(ev, steps, *, window_s):
    """Step k reached once any k of the steps were done: every step event starts an attempt, and the attempt
    reaches step k at the first event of its k-th distinct step within the window."""
    done = ev.filter(ev.key.isin(list(steps))).select("u", "key", "e")
    starts = done.select("u", aid="e").distinct()
    j = starts.join(done, "u").filter(lambda r: r.e >= r.aid)
    if window_s is not None:
        j = j.filter(j.e <= j.aid + window_s)
    firsts = j.group_by(["u", "aid", "key"]).agg(f=j.e.min())
    w = ibis.window(group_by=["u", "aid"], order_by=["f", "key"])
    ranked = firsts.mutate(k=(ibis.row_number().over(w) + 1).cast("int64"), d=firsts.f - firsts.f.lag().over(w))
    return ranked.select("u", "aid", entry=ibis.literal(1), k="k", e="f", e0="aid", d="d")


def any_order_reach(ev, steps, *, window_s, any_order: str = "first_k"):
    """The long reach table of an any-order funnel.

    Parameters
    ----------
    ev
        The funnel's events (``u, key, e``).
    steps
        The funnel's steps.
    window_s
        The conversion window in seconds from the attempt's first step event; None for none.
    any_order
        ``"first_k"``: step k once steps 1…k were all done (one attempt per unit, from its first step
        event); ``"any_k"``: step k once any k of the steps were done (every step event starts an attempt).
    """
    if any_order == "any_k":
        return _any_k_reach(ev, steps, window_s=window_s)
    return _first_k_reach(ev, steps, window_s=window_s)


def excluded_attempts(reach, ev, exclude, *, n_steps: int, scope: str, window_s):
    """The attempts an excluded event removes, with the time of the first such event (``excluded_at``).

    A plain name covers the whole funnel: from the attempt's entry to its last step. An
    :class:`~cjmlib.analytics.options.Exclusion` with ``between=(i, j)`` covers the time from step i to
    step j of attempts that reached step i. When the attempt never reached the range's last step, the
    range ends at the last step it reached (``scope="reached"``) or at the end of its conversion window
    (``scope="window"`` and ``"stop"``: without a window, never). With ``"stop"`` the event must come
    after the range's first step (an event of that very step does not exclude its own attempt).

    Parameters
    ----------
    reach
        A long reach table (``u, aid, entry, k, e, e0``).
    ev
        The funnel's events (``u, key, e``), the excluded ones among them.
    exclude
        Plain names and Exclusion objects.
    n_steps
        The number of steps of the funnel.
    scope
        ``"reached"``, ``"window"`` or ``"stop"``.
    window_s
        The conversion window in seconds; None for none.
    """
    ranges = sorted({(1, n_steps) if isinstance(x, str) or x.between is None else x.between for x in exclude})
    needed = sorted({k for r in ranges for k in r})
    span = reach.group_by(ATTEMPT_KEYS).agg(e0=reach.e0.min(), last=reach.e.max(),
                                            **{f"t{k}": reach.e.min(where=reach.k == k) for k in needed})
    parts = []
    for item in exclude:
        name, (i, j) = (item, (1, n_steps)) if isinstance(item, str) else (item.event, item.between or (1, n_steps))
        whole = isinstance(item, str) or (isinstance(item, Exclusion) and item.between is None)
        x = ev.filter(ev.key == name).select("u", ex="e")
        hits = span.join(x, "u")
        start = hits.e0 if whole else hits[f"t{i}"]
        if scope == "reached":
            end = ibis.coalesce(hits[f"t{j}"], hits["last"])
        else:
            end = ibis.coalesce(hits[f"t{j}"], hits.e0 + window_s) if window_s is not None else hits[f"t{j}"]
        after = hits.ex > start if scope == "stop" else hits.ex >= start
        hits = hits.filter(start.notnull() & after & (end.isnull() | (hits.ex <= end)))
        parts.append(hits.select(*ATTEMPT_KEYS, "ex"))
    hits = ibis.union(*parts)
    return hits.group_by(ATTEMPT_KEYS).agg(excluded_at=hits.ex.min())


def without_excluded(reach, excluded, *, scope: str):
    """The reach table without what exclusions take away: the excluded attempts, or, with ``scope="stop"``,
    the steps they reached at or after the excluded event (the steps before it still count).

    Parameters
    ----------
    reach
        A long reach table.
    excluded
        The excluded attempts with ``excluded_at`` (:func:`excluded_attempts`).
    scope
        ``"reached"``, ``"window"`` or ``"stop"``.
    """
    if scope != "stop":
        return reach.anti_join(excluded, ATTEMPT_KEYS)
    kept = reach.left_join(excluded, ATTEMPT_KEYS).select(*reach.columns, "excluded_at")
    kept = kept.filter(kept.excluded_at.isnull() | (kept.e < kept.excluded_at))
    return kept.drop("excluded_at")


def best_attempt(reach):
    """Keep, per unit, the attempt that went furthest (the earliest of equals).

    Parameters
    ----------
    reach
        A long reach table (``u, aid, entry, k``…).
    """
    depth = reach.group_by(ATTEMPT_KEYS).agg(depth=reach.k.max())
    w = ibis.window(group_by="u", order_by=[ibis.desc("depth"), "entry", "aid"])
    depth = depth.mutate(rank=ibis.row_number().over(w))
    chosen = depth.filter(depth["rank"] == 0).select(*ATTEMPT_KEYS)
    return reach.semi_join(chosen, ATTEMPT_KEYS)
