"""Seeded synthetic data for the ``minimal`` template: one shop's clickstream, events only.

:func:`generate_minimal` writes ``data/events.csv`` (one row per event) for a small online shop
whose visitors come on the website or in the app, and returns the *truth*: the stories planted in
the data, also saved as ``demo-truth.json`` beside ``data/`` (never read by an analysis).

The planted stories (see templates/minimal/README.md):

1. **The app loses its carts.** In the app, about 20 % of the sessions that add to cart end with a
   purchase, against about 60 % on the website: the drop is at the last step of the funnel, and
   only in the app.
2. **E-mail brings the buyers.** Visitors from e-mail add to cart about twice as often as those
   from social media (cart ÷ product view: 40 % against 15 %).

The helpers :func:`reach`, :func:`expand` and :func:`write_csv` are shared by the other small
templates (:mod:`cjmlib.demo.saas`, :mod:`cjmlib.demo.services`).

Examples
--------
>>> from cjmlib.demo.minimal import generate_minimal
>>> truth = generate_minimal("my-shop", n_users=500)        # doctest: +SKIP
>>> truth["stories"]["app_checkout"]["planted"]              # doctest: +SKIP
{'app': 0.2, 'web': 0.6}
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["TS_FORMAT", "expand", "generate_minimal", "reach", "write_csv", "write_truth"]

TS_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
STEPS = ("home_view", "product_view", "add_to_cart", "purchase")
PLATFORMS = {"web": 0.6, "app": 0.4}
CHANNELS = {"search": 0.45, "social": 0.35, "email": 0.2}
CART_RATE = {"search": 0.25, "social": 0.15, "email": 0.4}  # add_to_cart ÷ product_view
PURCHASE_RATE = {"web": 0.6, "app": 0.2}  # purchase ÷ add_to_cart


def reach(rng: np.random.Generator, chances: np.ndarray) -> np.ndarray:
    """Return how many steps each row reaches, each step's chance given the step before.

    Parameters
    ----------
    rng
        The seeded generator.
    chances
        One row per unit, one column per step: the chance of reaching the step once the previous one
        is reached (the first column is usually 1).

    Returns
    -------
    numpy.ndarray
        The number of steps reached, 0 … number of columns.
    """
    passed = rng.random(chances.shape) < chances
    return np.cumprod(passed, axis=1).sum(axis=1)


def expand(rng: np.random.Generator, frame: pd.DataFrame, depth: np.ndarray, steps: tuple[str, ...], *,
           gap_seconds: tuple[int, int] = (20, 400)) -> pd.DataFrame:
    """Return one event per step reached: row ``i`` of ``frame`` gives ``depth[i]`` events.

    Parameters
    ----------
    rng
        The seeded generator.
    frame
        One row per unit (a session, an application…), with a ``start`` timestamp column.
    depth
        Steps reached per row (:func:`reach`).
    steps
        The event name of each step, in order.
    gap_seconds
        Range of the seconds drawn between two consecutive events of a row.

    Returns
    -------
    pandas.DataFrame
        The columns of ``frame`` (without ``start``), then ``ts`` and ``event``.
    """
    rows = frame.loc[frame.index.repeat(depth)].reset_index(drop=True)
    step = rows.groupby(np.repeat(np.arange(len(frame)), depth)).cumcount().to_numpy()
    gaps = np.where(step == 0, 0, rng.integers(*gap_seconds, size=len(rows)))
    offset = pd.Series(gaps).groupby(np.repeat(np.arange(len(frame)), depth)).cumsum().to_numpy()
    rows["ts"] = rows.pop("start") + pd.to_timedelta(offset, unit="s")
    rows["event"] = np.asarray(steps)[step]
    return rows


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a generated table as a client's CSV export (UTC timestamps with ``Z``, LF line ends).

    Parameters
    ----------
    frame
        The table.
    path
        The file to write; its folder is created when missing.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, date_format=TS_FORMAT, float_format="%.2f", lineterminator="\n")
    return path


def write_truth(project_dir: str | os.PathLike, truth: dict) -> dict:
    """Save the planted truth as ``demo-truth.json`` beside ``data/`` and return it.

    Parameters
    ----------
    project_dir
        The journey project folder.
    truth
        The stories and the figures used to plant them (JSON-able).

    Returns
    -------
    dict
        ``truth``.
    """
    (Path(project_dir) / "demo-truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False),
                                                       encoding="utf-8")
    return truth


def _draw(rng: np.random.Generator, options: dict[str, float], size: int) -> np.ndarray:
    return rng.choice(list(options), size=size, p=list(options.values()))


def generate_minimal(project_dir: str | os.PathLike, *, n_users: int = 2000, weeks: int = 4,
                     start: str = "2026-09-07", seed: int = 7) -> dict:
    """Write the ``minimal`` template's ``data/events.csv`` and return the planted truth.

    Parameters
    ----------
    project_dir
        The journey project folder; ``data/`` is created inside it when missing.
    n_users
        Number of visitors (about 1.6 sessions and 4 events each).
    weeks
        Length of the period, in weeks.
    start
        First day of the period (ISO date).
    seed
        Seed of the random generator: the same seed gives identical files.

    Returns
    -------
    dict
        ``seed``, ``start``, ``weeks``, ``n_users``, ``n_sessions``, ``n_events`` and ``stories``:
        ``app_checkout`` (planted purchase ÷ add_to_cart per platform) and ``email_buyers`` (planted
        add_to_cart ÷ product_view per acquisition channel).
    """
    rng = np.random.default_rng(seed)
    users = pd.DataFrame({"user_id": [f"V{i:05d}" for i in range(1, n_users + 1)],
                          "platform": _draw(rng, PLATFORMS, n_users),
                          "acquisition_channel": _draw(rng, CHANNELS, n_users)})
    sessions = users.loc[users.index.repeat(1 + rng.poisson(0.6, n_users))].reset_index(drop=True)
    n = len(sessions)
    sessions.insert(1, "session_id", [f"S{i:06d}" for i in range(1, n + 1)])
    origin = pd.Timestamp(start)
    sessions["start"] = origin + pd.to_timedelta(rng.integers(0, weeks * 7 * 86400, n), unit="s")
    chances = np.column_stack([np.ones(n), np.full(n, 0.7), sessions.acquisition_channel.map(CART_RATE),
                               sessions.platform.map(PURCHASE_RATE)])
    events = expand(rng, sessions, reach(rng, chances), STEPS)
    events["revenue"] = np.where(events.event == "purchase", rng.gamma(4.0, 12.0, len(events)).round(2), np.nan)
    events = events.sort_values(["ts", "session_id"], kind="stable")[
        ["user_id", "session_id", "ts", "event", "platform", "acquisition_channel", "revenue"]]
    write_csv(events, Path(project_dir) / "data" / "events.csv")
    return write_truth(project_dir, {
        "seed": seed, "start": dt.date.fromisoformat(start).isoformat(), "weeks": weeks, "n_users": n_users,
        "n_sessions": n, "n_events": len(events),
        "stories": {"app_checkout": {"step": "purchase", "planted": PURCHASE_RATE},
                    "email_buyers": {"step": "add_to_cart", "planted": CART_RATE}}})
