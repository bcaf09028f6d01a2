"""Retention: cohorts, repeat purchase and the time between purchases, computed in the engine.

Every function takes a Project, an Ibis table or a pandas DataFrame:

- a **Project**: purchases are its ``orders`` (cancelled ones left out) or, without orders, its
  purchase events (the spec's ``key_events.purchase``); with ``start_event``, cohorts come from
  its events instead;
- a **table** with ``user_id, ts`` (and ``event`` to use ``start_event``, ``order_id`` to tell
  orders apart): one row per purchase or per event.

How cohorts count:

- a user's cohort is the period (day, ISO week starting Monday, or calendar month) of their first
  purchase, or of their first ``start_event``; period 0 is that period, period p the p-th after it;
- ``mode="on"``: a user is retained in period p when they are active in period p;
  ``mode="on_or_after"``: when they are active in period p or any later one;
- activity is any purchase (or any event, or any ``return_event``) at or after the cohort start;
  with ``return_event``, period 0 too counts only the users who did it in their first period;
- a period is shown only when the data reach it: the last period of the data bounds every cohort.
"""

from __future__ import annotations

import ibis
import pandas as pd

from ..stats import wilson_interval

__all__ = ["cohort_table", "purchase_gaps", "repeat_purchase_rate"]

_PERIODS = {"day": ("D", 1, "1970-01-01"), "week": ("W", 7, "1970-01-05")}  # truncation, days, first start


def _as_table(source):
    if isinstance(source, pd.DataFrame):
        return ibis.memtable(source)
    return source


def purchases(source, *, revenue: bool = False):
    """Purchases as an Ibis table with user_id, ts and order_id (the key that tells orders apart).

    From the orders (cancelled ones left out) when the project has them, else from the purchase
    events (a session's purchases count as one order); a DataFrame or Ibis table is used as it is.
    With ``revenue=True`` the table also has ``revenue`` (0 when the source has none).
    """
    if hasattr(source, "spec"):
        if source.has("orders"):
            o = source.table("orders")
            o = o.filter(o.status.isnull() | (o.status.lower() != "cancelled"))
            t, order_id = o, o.order_id.cast("string")
        else:
            keys = source.spec.sources.events.key_events if source.spec.sources.events else {}
            ev = source.table("events")
            t = ev.filter(ev.event.isin(list(keys.get("purchase", ("purchase",)))))
            order_id = t.session_id.cast("string")
    else:
        t = _as_table(source)
        order_id = t.order_id.cast("string") if "order_id" in t.columns else t.ts.cast("string")
    if not revenue:
        return t.select("user_id", "ts", order_id=order_id)
    value = t.revenue if "revenue" in t.columns else ibis.literal(0.0)
    return t.select("user_id", "ts", order_id=order_id, revenue=value)


def _cohort_source(source, start_event: str | None, return_event: str | None):
    """Return (starts, activity): Ibis tables with user_id, ts."""
    if start_event is None:
        bought = purchases(source)
        return bought, bought
    t = source.table("events") if hasattr(source, "spec") else _as_table(source)
    if "event" not in t.columns:
        raise ValueError("start_event needs an `event` column in the table")
    starts = t.filter(t.event == start_event)
    activity = t if return_event is None else t.filter(t.event == return_event)
    return starts.select("user_id", "ts"), activity.select("user_id", "ts")


def _period_number(ts, period: str):
    """An integer that grows by one per period: months since year 0, or days/weeks since 1970."""
    if period == "month":
        return ts.year() * 12 + ts.month() - 1
    unit, days, _ = _PERIODS[period]
    return (ts.truncate(unit).epoch_seconds() // (86400 * days)).cast("int64")


def _period_start(number: pd.Series, period: str) -> pd.Series:
    if period == "month":
        return pd.to_datetime(pd.DataFrame({"year": number // 12, "month": number % 12 + 1, "day": 1})).dt.date
    _, days, origin = _PERIODS[period]
    return (pd.Timestamp(origin) + pd.to_timedelta(number * days, unit="D")).dt.date


def cohort_table(source, *, period: str = "month", mode: str = "on", start_event: str | None = None,
                 return_event: str | None = None) -> pd.DataFrame:
    """Share of each cohort active again in each period after its start.

    Parameters
    ----------
    source
        A Project, or an Ibis or pandas table with ``user_id, ts`` (see the module's notes).
    period
        ``"day"``, ``"week"`` (ISO, from Monday) or ``"month"``.
    mode
        ``"on"`` (active in that period) or ``"on_or_after"`` (active in that period or later).
    start_event
        Start cohorts at each user's first event of this name instead of their first purchase.
    return_event
        With ``start_event``, count only this event as a return (any event when omitted).

    Returns
    -------
    DataFrame
        One row per cohort and period: ``cohort`` (first day of the cohort's period), ``period``
        (0, 1, …), ``cohort_size`` (users in the cohort: the denominator), ``users`` (of those,
        users retained in that period: the numerator), ``rate`` (users ÷ cohort_size), ``ci_low``,
        ``ci_high`` (Wilson 95 %), ``mode``.

    Examples
    --------
    >>> cjm.cohort_table(project, period="week", mode="on_or_after")   # doctest: +SKIP
    """
    if period not in ("day", "week", "month"):
        raise ValueError(f"period must be 'day', 'week' or 'month', not {period!r}")
    if mode not in ("on", "on_or_after"):
        raise ValueError(f"mode must be 'on' or 'on_or_after', not {mode!r}")
    starts, activity = _cohort_source(source, start_event, return_event)
    first = starts.group_by("user_id").agg(start=starts.ts.min())
    first = first.mutate(cohort=_period_number(first.start, period))
    act = activity.join(first, "user_id").filter(lambda r: r.ts >= r.start)
    act = act.select("user_id", "cohort", p=_period_number(act.ts, period) - act.cohort)
    if mode == "on":
        act = act.distinct()
    else:
        act = act.group_by(["user_id", "cohort"]).agg(p=act.p.max())
    # one query: the counts, the cohorts' sizes (p = −1) and the data's last period (p = −2)
    counts = act.group_by(["cohort", "p"]).agg(users=act.user_id.count())
    sizes = first.group_by("cohort").agg(p=ibis.literal(-1, "int64"), users=first.user_id.count())
    end = activity.aggregate(cohort=_period_number(activity.ts.max(), period).cast("int64"),
                             p=ibis.literal(-2, "int64"), users=ibis.literal(0, "int64"))
    rows = ibis.union(counts.cast({"cohort": "int64", "p": "int64", "users": "int64"}), sizes, end).execute()
    last = rows.cohort[rows.p == -2].dropna()
    sizes = rows[rows.p == -1].rename(columns={"users": "cohort_size"})[["cohort", "cohort_size"]]
    return _cohort_grid(rows[rows.p >= 0], sizes, last=int(last.iloc[0]) if len(last) else -1, mode=mode,
                        period=period)


def _cohort_grid(counts: pd.DataFrame, sizes: pd.DataFrame, *, last: int, mode: str, period: str) -> pd.DataFrame:
    """Fill every (cohort, period) pair the data reach, with zeros where nobody came back."""
    grid = pd.DataFrame([(c, p) for c in sizes.cohort for p in range(last - c + 1)], columns=["cohort", "p"])
    grid = grid.merge(sizes, on="cohort").merge(counts, on=["cohort", "p"], how="left").fillna({"users": 0})
    grid = grid.sort_values(["cohort", "p"], ignore_index=True)
    if mode == "on_or_after":
        grid["users"] = grid.iloc[::-1].groupby("cohort").users.cumsum().iloc[::-1]
    grid["users"] = grid.users.astype(int)
    grid["rate"] = grid.users / grid.cohort_size
    grid["ci_low"], grid["ci_high"] = wilson_interval(grid.users, grid.cohort_size)
    grid["cohort"] = _period_start(grid.cohort, period)
    grid["mode"] = mode
    return grid.rename(columns={"p": "period"})[["cohort", "period", "cohort_size", "users", "rate", "ci_low",
                                                 "ci_high", "mode"]]


def _orders_per_user(source):
    """One row per distinct purchase: user_id, ts (of the order's first row)."""
    p = purchases(source)
    return p.group_by(["user_id", "order_id"]).agg(ts=p.ts.min())


def repeat_purchase_rate(source) -> pd.DataFrame:
    """Share of customers who bought more than once.

    Purchases are told apart by ``order_id`` (orders of a Project, or a table's ``order_id``
    column), else by their time: rows of one customer at the same ``ts`` are one purchase.

    Parameters
    ----------
    source
        A Project, or an Ibis or pandas table with ``user_id, ts`` and optionally ``order_id``.

    Returns
    -------
    DataFrame
        One row: ``customers`` (customers with at least one purchase: the denominator),
        ``repeaters`` (of those, customers with two or more: the numerator), ``rate``
        (repeaters ÷ customers), ``ci_low``, ``ci_high`` (Wilson 95 %).
    """
    p = purchases(source)  # rows of one order count once: distinct order ids per customer
    per = p.group_by("user_id").agg(n=p.order_id.nunique())
    row = per.aggregate(customers=per.user_id.count(), repeaters=(per.n >= 2).sum()).execute()
    table = pd.DataFrame({"customers": row.customers.astype(int), "repeaters": row.repeaters.fillna(0).astype(int)})
    table["rate"] = table.repeaters / table.customers
    table["ci_low"], table["ci_high"] = wilson_interval(table.repeaters, table.customers)
    return table


def _gap_summary(t) -> dict:
    return {"pairs": t.days.count(), "customers": t.user_id.nunique(), "mean_days": t.days.mean(),
            "median_days": t.days.median(), "min_days": t.days.min(), "max_days": t.days.max()}


def purchase_gaps(source, *, max_gap: int = 3) -> pd.DataFrame:
    """Days between a customer's consecutive purchases.

    Parameters
    ----------
    source
        A Project, or an Ibis or pandas table with ``user_id, ts`` and optionally ``order_id``
        (purchases are told apart as in :func:`repeat_purchase_rate`).
    max_gap
        Show the first ``max_gap`` gaps one by one (1 = first to second purchase).

    Returns
    -------
    DataFrame
        One row per gap number then one for every gap: ``gap`` ("1", "2", …, "all"), ``pairs``
        (pairs of consecutive purchases measured), ``customers`` (customers they belong to),
        ``mean_days``, ``median_days``, ``min_days``, ``max_days``.
    """
    orders = _orders_per_user(source)
    w = ibis.window(group_by=orders.user_id, order_by=[orders.ts, orders.order_id])
    seq = orders.mutate(gap=ibis.row_number().over(w), before=orders.ts.lag().over(w))
    seq = seq.filter(seq.before.notnull())
    seq = seq.mutate(days=(seq.ts.epoch_seconds() - seq.before.epoch_seconds()) / 86400)

    first = seq.filter(seq.gap <= max_gap)
    by_gap = first.group_by("gap").agg(**_gap_summary(first)).order_by("gap").execute()
    overall = seq.aggregate(**_gap_summary(seq)).execute()
    by_gap["gap"] = by_gap.gap.astype(str)
    overall["gap"] = "all"
    table = pd.concat([by_gap, overall[overall.pairs > 0]], ignore_index=True)
    table[["pairs", "customers"]] = table[["pairs", "customers"]].astype(int)
    return table[["gap", "pairs", "customers", "mean_days", "median_days", "min_days", "max_days"]]
