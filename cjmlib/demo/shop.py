"""Seeded synthetic data for the demo shop, Maison Lumière, with known stories planted in it.

:func:`generate` writes the five exports a client would hand over (``events.csv``,
``orders.csv``, ``feedback.csv``, ``surveys.csv``, ``operations.csv``: order statuses and support tickets,
:mod:`cjmlib.demo.operations`) into ``<project>/data/``, the results of
A/B tests into ``<project>/experiments/results.csv``, and returns the *truth*: the stories the
data was built to tell, with the exact numbers used (:mod:`cjmlib.demo.truth`). The truth is
also saved as ``<project>/demo-truth.json``, outside ``data/``, so an analysis never reads it.

The customers and what they do come from :mod:`cjmlib.demo.behaviour`, what they say from
:mod:`cjmlib.demo.voice`; the words of both are data files in ``cjmlib/demo/corpus/``.
The same seed gives byte-identical files.

Examples
--------
>>> from cjmlib.demo import generate
>>> truth = generate("maison-lumiere", n_users=3000)          # doctest: +SKIP
>>> truth["mobile_checkout_week"]["week_start"]                # doctest: +SKIP
'2026-10-05'
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import numpy as np

from .behaviour import STORY_WEEK, TS_FORMAT, WEEK, draw_orders, draw_sessions, draw_users, write_events
from .minimal import write_csv
from .operations import shop_operations
from .truth import planted_truth, write_experiments
from .voice import draw_feedback, draw_surveys

__all__ = ["generate"]


def generate(project_dir: str | os.PathLike, *, n_users: int = 3000, weeks: int = 8,
             start: str = "2026-09-07", seed: int = 7) -> dict:
    """Write the demo shop's exports into ``project_dir/data/`` and return the planted truth.

    Parameters
    ----------
    project_dir
        The journey project folder; ``data/`` is created inside it when missing.
    n_users
        Number of customers; the events grow linearly with it (about 18 events per user).
    weeks
        Length of the period, in weeks.
    start
        First day of the period, an ISO date that falls on a Monday (so weeks are ISO weeks).
    seed
        Seed of the random generator: the same seed gives identical files.

    Returns
    -------
    dict
        The truth, also written to ``project_dir/demo-truth.json``: ``seed``, ``start``, ``weeks``,
        ``n_users``, ``n_sessions``, ``n_events``, ``n_orders``, ``n_feedback``, ``n_surveys``,
        ``session_conversion`` (sessions with a purchase ÷ sessions), ``cart_abandonment``
        (sessions with add_to_cart and no purchase ÷ sessions with add_to_cart), and one entry per
        story: ``mobile_checkout_week`` (week, probabilities used, observed weekly checkout
        abandonment per device), ``shipping_cost_at_checkout`` (theme mix per feedback context,
        survey score mixes, observed counts, the planted theme of every feedback item) and
        ``segments`` (definitions, observed figures, ``users``: user_id → segment) and ``experiments``
        (the true rates of each arm of the A/B tests written to ``experiments/results.csv``) and
        ``operations`` (the stories of :func:`cjmlib.demo.operations.shop_operations`, with their counts).

    Examples
    --------
    >>> truth = generate("maison-lumiere", n_users=1500, seed=7)     # doctest: +SKIP
    >>> sorted(truth["segments"]["observed"])                          # doctest: +SKIP
    ['desktop_planner', 'mobile_social_impulse', 'one_time_browser']
    """
    origin = dt.date.fromisoformat(start)
    if origin.isoweekday() != 1:
        raise ValueError(f"start must be a Monday so that weeks are ISO weeks; {start} is a "
                         f"{origin.strftime('%A')} (the Monday before is "
                         f"{origin - dt.timedelta(origin.weekday())})")
    if n_users < 1 or weeks < 1:
        raise ValueError(f"n_users and weeks must be at least 1, not n_users={n_users}, weeks={weeks}")
    rng = np.random.default_rng(seed)
    period, story_week = weeks * WEEK, min(STORY_WEEK, weeks - 1)
    origin64 = np.datetime64(origin.isoformat(), "s")
    data = Path(project_dir) / "data"
    data.mkdir(parents=True, exist_ok=True)
    users = draw_users(rng, n_users)
    sessions = draw_sessions(rng, users, period, story_week)
    write_events(data / "events.csv", sessions, users, origin64, seed=seed)
    orders, sessions["order_id"] = draw_orders(rng, sessions, users, origin64)
    orders.to_csv(data / "orders.csv", index=False, date_format=TS_FORMAT, float_format="%.2f",
                  lineterminator="\n")
    operations, operations_truth = shop_operations(np.random.default_rng([seed, 2]), orders)
    write_csv(operations, data / "operations.csv")
    feedback, feedback_items = draw_feedback(rng, sessions, users, origin64, period)
    feedback.to_csv(data / "feedback.csv", index=False, date_format=TS_FORMAT, lineterminator="\n")
    surveys = draw_surveys(rng, sessions, users, origin64, period)
    surveys.to_csv(data / "surveys.csv", index=False, date_format=TS_FORMAT, lineterminator="\n")
    truth = planted_truth(sessions, users, feedback_items, surveys, int(sessions["counts"].sum()),
                          origin=origin, weeks=weeks, seed=seed, story_week=story_week)
    truth["operations"] = operations_truth
    truth["experiments"] = write_experiments(np.random.default_rng([seed, 1]), Path(project_dir) / "experiments",
                                             n_users)
    (Path(project_dir) / "demo-truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False),
                                                       encoding="utf-8")
    return truth
