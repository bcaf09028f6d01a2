"""Web metrics per session: conversion, cart and checkout abandonment, bounce, time on site.

The key events (added to cart, started checkout, purchased) come from the spec's
``sources.events.key_events``.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from ..i18n.catalogue import say
from ..stats import wilson_interval

__all__ = ["key_events", "repeat_purchase", "sessions_table", "web_metrics", "weekly_abandonment"]


def key_events(project) -> dict[str, list[str]]:
    """Return the event names that mean added to cart, started checkout and purchased.

    Parameters
    ----------
    project
        The loaded project: its spec's ``sources.events.key_events``, or ``add_to_cart``,
        ``begin_checkout`` and ``purchase`` when the spec declares no events source.

    Returns
    -------
    dict
        ``cart``, ``checkout``, ``purchase``: each a list of event names.
    """
    source = project.spec.sources.events
    keys = source.key_events if source else {"cart": ("add_to_cart",), "checkout": ("begin_checkout",),
                                               "purchase": ("purchase",)}
    return {k: list(v) for k, v in keys.items()}


def sessions_table(project):
    """Return an Ibis table with one row per session.

    A session is a session id of the data (a session id that several users share, an anomaly
    the data-quality checks report, stays one session, credited to the smallest user id).

    Columns: session_id, user_id, start, end, events, has_cart, has_checkout, has_purchase,
    revenue, device, channel, landing (the touchpoint of the session's first event).

    Parameters
    ----------
    project
        The loaded project (its ``events`` table and the spec's key events).
    """
    ev = project.table("events")
    keys = key_events(project)
    first = ev.mutate(rn=ibis.row_number().over(group_by=ev.session_id, order_by=ev.ts))
    landing = first.filter(first.rn == 0).select("session_id", landing=first.touchpoint,
                                                 device=first.device, channel=first.channel)
    agg = ev.group_by("session_id").agg(
        user_id=ev.user_id.min(), start=ev.ts.min(), end=ev.ts.max(), events=ev.event.count(),
        has_cart=ev.event.isin(keys["cart"]).any(), has_checkout=ev.event.isin(keys["checkout"]).any(),
        has_purchase=ev.event.isin(keys["purchase"]).any(), revenue=ev.revenue.sum().fill_null(0),
    )
    return agg.join(landing, "session_id")


def _rate(metric, numerator, denominator, language="en"):
    low, high = wilson_interval(numerator, denominator)
    value = numerator / denominator if denominator else float("nan")
    return {"metric": metric, "label": say("metrics", f"{metric}.name", language), "value": value,
            "numerator": int(numerator), "denominator": int(denominator), "ci_low": float(low),
            "ci_high": float(high), "definition": say("metrics", f"{metric}.definition", language)}


def web_metrics(project) -> pd.DataFrame:
    """Return the headline web metrics.

    Parameters
    ----------
    project
        The loaded project (its ``events`` table and the spec's key events).

    Returns
    -------
    DataFrame
        One row per metric: ``metric``, ``label``, ``value``, ``numerator``, ``denominator``,
        ``ci_low``, ``ci_high`` (Wilson 95 % for rates; NaN for averages), ``definition``; ``label`` and
        ``definition`` in the project's language (the catalogue's ``metrics`` section). Rates: session_conversion (sessions with a purchase ÷ sessions), user_conversion (users with a
        purchase ÷ users), cart_abandonment (sessions with a cart and no purchase ÷ sessions with a
        cart), checkout_abandonment (same with checkout), bounce_rate (sessions of one event ÷
        sessions). Averages: pages_per_session (events ÷ sessions), median_session_minutes.
    """
    s = sessions_table(project)
    row = s.aggregate(
        sessions=s.session_id.count(), purchases=s.has_purchase.sum(), carts=s.has_cart.sum(),
        cart_no_buy=(s.has_cart & ~s.has_purchase).sum(), checkouts=s.has_checkout.sum(),
        checkout_no_buy=(s.has_checkout & ~s.has_purchase).sum(), bounces=(s.events == 1).sum(),
        events=s.events.sum(), median_seconds=(s.end.epoch_seconds() - s.start.epoch_seconds()).median(),
        buyers=s.user_id.nunique(where=s.has_purchase),
    ).execute().iloc[0]
    users = project.table("events").user_id.nunique().execute()
    buyers = row.buyers
    language = project.spec.project.language
    rows = [
        _rate("session_conversion", row.purchases, row.sessions, language),
        _rate("user_conversion", buyers, users, language),
        _rate("cart_abandonment", row.cart_no_buy, row.carts, language),
        _rate("checkout_abandonment", row.checkout_no_buy, row.checkouts, language),
        _rate("bounce_rate", row.bounces, row.sessions, language),
        {"metric": "pages_per_session", "label": say("metrics", "pages_per_session.name", language),
         "value": row.events / row.sessions, "numerator": int(row.events), "denominator": int(row.sessions),
         "ci_low": np.nan, "ci_high": np.nan, "definition": say("metrics", "pages_per_session.definition", language)},
        {"metric": "median_session_minutes", "label": say("metrics", "median_session_minutes.name", language),
         "value": float(row.median_seconds) / 60, "numerator": np.nan, "denominator": int(row.sessions),
         "ci_low": np.nan, "ci_high": np.nan,
         "definition": say("metrics", "median_session_minutes.definition", language)},
    ]
    return pd.DataFrame(rows)


def weekly_abandonment(project, *, step: str = "checkout", by: str = "device") -> pd.DataFrame:
    """Measure the abandonment per ISO week (of the session start) and per value of ``by``.

    Parameters
    ----------
    project
        The loaded project (its ``events`` table and the spec's key events).
    step
        ``"checkout"`` (the default): sessions that started checkout; ``"cart"`` (any other value): sessions
        with an add-to-cart.
    by
        The sessions column to split by: ``"device"`` (the default), ``"channel"`` or ``"landing"``.

    Returns
    -------
    DataFrame
        ``week`` (Monday), ``<by>``, ``sessions`` (sessions with the ``step`` key event: the denominator),
        ``abandoned`` (of those, sessions without a purchase: the numerator), ``rate``, ``ci_low``, ``ci_high``.
    """
    s = sessions_table(project)
    flag = s.has_checkout if step == "checkout" else s.has_cart
    s = s.filter(flag)
    table = (s.group_by([s.start.truncate("W").name("week"), s[by]])
             .agg(sessions=s.session_id.count(), abandoned=(~s.has_purchase).sum())
             .order_by(["week", by]).execute())
    table["rate"] = table.abandoned / table.sessions
    table["ci_low"], table["ci_high"] = wilson_interval(table.abandoned, table.sessions)
    table["week"] = pd.to_datetime(table.week).dt.date
    return table


def repeat_purchase(project) -> dict:
    """Measure the repeat-purchase rate: customers with two or more orders ÷ customers with at least one.

    Orders come from the ``orders`` source (cancelled ones left out) or, without it, from the
    purchase events. Returns a dict with ``value``, ``numerator``, ``denominator``, ``ci_low``,
    ``ci_high``, ``definition``.

    Parameters
    ----------
    project
        The loaded project (its ``orders`` table when present, else its ``events``).
    """
    if project.has("orders"):
        o = project.table("orders")
        o = o.filter(o.status.isnull() | (o.status.lower() != "cancelled"))
        per = o.group_by("user_id").agg(n=o.order_id.nunique())
    else:
        ev = project.table("events")
        ev = ev.filter(ev.event.isin(key_events(project)["purchase"]))
        per = ev.group_by("user_id").agg(n=ev.session_id.nunique())
    row = per.aggregate(customers=per.user_id.count(), repeaters=(per.n >= 2).sum()).execute().iloc[0]
    return _rate("repeat_purchase_rate", int(row.repeaters or 0), int(row.customers), project.spec.project.language)
