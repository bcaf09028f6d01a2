"""The stories planted in the demo shop, with the exact numbers used and those observed.

- ``mobile_checkout_week``: in one week, checkout abandonment on mobile jumps while desktop
  and tablet stay flat (a broken address form on phones).
- ``shipping_cost_at_checkout``: shipping-cost complaints are the most frequent negative
  theme, written by customers who left a cart; surveys asked after the purchase stage score
  lower than those asked after retention or advocacy.
- ``segments``: three behavioural segments with distinct devices, channels, visit counts and
  purchase behaviour; the truth maps every user to its segment.
- ``experiments``: A/B tests of on-site messages run after the period, with each arm's true rate.

A test (or a trainer) checks an analysis against this truth; an analysis never reads it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from .behaviour import DEVICES, EVENT_INDEX, PAY, PAYMENT_INFO, SEGMENT_NAMES, SEGMENTS
from .voice import CSAT_MIX, FEEDBACK_CONTEXTS, NPS_MIX

__all__ = ["EXPERIMENTS", "planted_truth", "write_experiments"]


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _weekly_checkout(sessions: dict, origin: dt.date, weeks: int) -> list[dict]:
    """Return checkouts, abandoned checkouts and their rate per week and device."""
    c = sessions["counts"]
    checkout, purchase = c[:, EVENT_INDEX["begin_checkout"]] > 0, c[:, EVENT_INDEX["purchase"]] > 0
    key = sessions["week"] * len(DEVICES) + sessions["device"]
    started = np.bincount(key[checkout], minlength=weeks * len(DEVICES))
    left = np.bincount(key[checkout & ~purchase], minlength=weeks * len(DEVICES))
    return [{"week": w, "week_start": (origin + dt.timedelta(weeks=w)).isoformat(), "device": d,
             "checkouts": int(started[w * 3 + i]), "abandoned": int(left[w * 3 + i]),
             "rate": _rate(int(left[w * 3 + i]), int(started[w * 3 + i]))}
            for w in range(weeks) for i, d in enumerate(DEVICES)]


def _segment_truth(sessions: dict, users: dict) -> dict:
    """Return the segments' definitions, their observed figures and the user -> segment map."""
    seg = users["segment"]
    n_seg = len(SEGMENT_NAMES)
    n_users = np.bincount(seg, minlength=n_seg)
    s_seg = sessions["segment"]
    n_sess = np.bincount(s_seg, minlength=n_seg)
    bought = np.bincount(s_seg, weights=sessions["counts"][:, EVENT_INDEX["purchase"]], minlength=n_seg)
    mobile = np.bincount(seg, weights=users["device"] == 0, minlength=n_seg)
    buyer = np.bincount(sessions["user"], weights=sessions["counts"][:, EVENT_INDEX["purchase"]],
                        minlength=len(seg)) > 0
    buyers = np.bincount(seg, weights=buyer, minlength=n_seg)
    observed = {name: {"users": int(n_users[i]), "sessions_per_user": _rate(int(n_sess[i]), int(n_users[i])),
                       "session_conversion": _rate(int(bought[i]), int(n_sess[i])),
                       "buyer_share": _rate(int(buyers[i]), int(n_users[i])),
                       "orders_per_buyer": _rate(int(bought[i]), int(buyers[i])),
                       "mobile_share": _rate(int(mobile[i]), int(n_users[i]))}
                for i, name in enumerate(SEGMENT_NAMES)}
    return {"definitions": SEGMENTS, "observed": observed,
            "users": dict(zip(users["id"].tolist(), np.array(SEGMENT_NAMES)[seg].tolist()))}


def planted_truth(sessions: dict, users: dict, feedback: pd.DataFrame, surveys: pd.DataFrame, n_events: int,
                  *, origin: dt.date, weeks: int, seed: int, story_week: int) -> dict:
    """Return the stories planted in the data, with the numbers used to plant them and those observed.

    Parameters
    ----------
    sessions
        The sessions, one array per attribute (``counts``, ``week``, ``device``, ``segment``, ``user``).
    users
        The users, one array per attribute (``id``, ``segment``, ``device``).
    feedback
        The planted context, theme, stage and language of each feedback item.
    surveys
        The survey export.
    n_events
        The number of events written.
    origin
        The first day of the period (a Monday).
    weeks
        The length of the period, in weeks.
    seed
        The seed the data was drawn with.
    story_week
        The week (index from 0) of the mobile checkout incident.

    Returns
    -------
    dict
        The truth :func:`cjmlib.demo.generate` returns, without ``experiments``.
    """
    c = sessions["counts"]
    cart, purchase = c[:, EVENT_INDEX["add_to_cart"]] > 0, c[:, EVENT_INDEX["purchase"]] > 0
    themes = feedback.groupby(["context", "theme", "stage", "language"]).size().rename("items").reset_index()
    scores = surveys.groupby(["kind", "stage"])["score"].agg(["size", "mean"]).reset_index()
    nps = surveys[surveys["kind"] == "nps"].groupby("stage")["score"].apply(
        lambda s: round(100 * ((s >= 9).mean() - (s <= 6).mean()), 1))
    story_start = origin + dt.timedelta(weeks=story_week)
    return {
        "seed": seed, "start": origin.isoformat(), "weeks": weeks,
        "n_users": len(users["id"]), "n_sessions": len(c), "n_events": n_events,
        "n_orders": int(purchase.sum()), "n_feedback": len(feedback), "n_surveys": len(surveys),
        "session_conversion": _rate(int(purchase.sum()), len(c)),
        "cart_abandonment": _rate(int((cart & ~purchase).sum()), int(cart.sum())),
        "mobile_checkout_week": {
            "week_index": story_week, "week_start": story_start.isoformat(),
            "iso_week": "{}-W{:02d}".format(*story_start.isocalendar()[:2]), "device": "mobile",
            "payment_info_probability": PAYMENT_INFO, "pay_probability": PAY,
            "checkout_abandonment_probability": {
                k: {d: round(1 - PAYMENT_INFO[k][i] * PAY[k][i], 4) for i, d in enumerate(DEVICES)}
                for k in PAY},
            "observed": _weekly_checkout(sessions, origin, weeks),
        },
        "shipping_cost_at_checkout": {
            "theme": "shipping_cost", "stage": "purchase", "feedback_contexts": FEEDBACK_CONTEXTS,
            "nps_mix": NPS_MIX, "csat_mix": CSAT_MIX,
            "feedback_by_theme": themes.to_dict("records"),
            "survey_scores": scores.round(3).to_dict("records"), "nps_by_stage": nps.to_dict(),
            "feedback_themes": dict(zip(feedback["id"], feedback["theme"])),
        },
        "segments": _segment_truth(sessions, users),
    }


#: A/B tests of on-site messages run after the period (results in experiments/results.csv): the true
#: conversion of control and variant, and each arm's size as a share of the demo's users.
EXPERIMENTS = {"exit_intent": (0.54, 0.60, 0.5), "cart_recovery": (0.32, 0.35, 0.5), "nps_banner": (0.42, 0.48, 0.2)}


def write_experiments(rng: np.random.Generator, folder: Path, n_users: int) -> dict:
    """Write ``results.csv`` into ``folder`` and return the true rates of each experiment's arms.

    Parameters
    ----------
    rng
        The random generator (draws the conversions, binomially).
    folder
        The ``experiments/`` folder of the project; created when missing.
    n_users
        The number of the demo's users: each arm's size is a share of it (at least 50).

    Returns
    -------
    dict
        Experiment → ``{"control": rate, "variant": rate}``.
    """
    rows = [{"experiment": name, "variant": arm, "users": max(50, round(share * n_users))}
            for name, (_, _, share) in EXPERIMENTS.items() for arm in ("control", "variant")]
    rates = np.array([EXPERIMENTS[r["experiment"]][r["variant"] == "variant"] for r in rows])
    table = pd.DataFrame(rows).assign(conversions=rng.binomial([r["users"] for r in rows], rates))
    folder.mkdir(exist_ok=True)
    table.to_csv(folder / "results.csv", index=False, lineterminator="\n")
    return {name: {"control": c, "variant": v} for name, (c, v, _) in EXPERIMENTS.items()}
