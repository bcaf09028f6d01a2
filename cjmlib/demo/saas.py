"""Seeded synthetic data for the ``saas`` template: a reporting tool's 14-day free trial.

:func:`generate_saas` writes four exports into ``data/`` — ``events.csv`` (website and product
events: visit → sign-up → activation → subscription → renewal), ``invoices.csv`` (one row per paid
month: the orders), ``feedback.csv`` (in-app feedback and support messages) and ``surveys.csv``
(NPS) — and returns the planted truth, also saved as ``demo-truth.json`` beside ``data/``.

The planted stories (see templates/saas/README.md):

1. **Activation makes the sale.** Trial accounts that share a first report during the trial
   subscribe about ten times as often as those that never do (55 % against 5 %).
2. **Partner sign-ups do not activate.** Accounts referred by partners activate in about 20 % of
   trials, against about 60 % from search or content.
3. **The first charge surprises.** Some subscribers complain that the trial turned into a paid plan
   without warning; they renew in about 40 % of cases, the others in about 85 %.

Examples
--------
>>> from cjmlib.demo.saas import generate_saas
>>> truth = generate_saas("trial-journey", n_accounts=600)     # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .minimal import expand, reach, write_csv, write_truth

__all__ = ["generate_saas"]

TRIAL_DAYS = 14
CHANNELS = {"search": 0.4, "content": 0.25, "partner": 0.2, "paid_social": 0.15}
SIGNUP = {"search": 0.4, "content": 0.45, "partner": 0.6, "paid_social": 0.25}  # signup ÷ visitors
ACTIVATION = {"search": 0.6, "content": 0.6, "partner": 0.2, "paid_social": 0.5}  # within the trial
SUBSCRIBE = {True: 0.55, False: 0.05}  # by activated during the trial
RENEW = {True: 0.4, False: 0.85}  # by complained about the first charge
SURPRISED = 0.3  # subscribers who complain about the first charge
PRICE = {"solo": 29.0, "team": 99.0}
TEXTS = {
    "billing_surprise": ["I was charged when the trial ended and nobody warned me.",
                         "The trial turned into a paid plan without any reminder e-mail.",
                         "Unexpected charge on my card after the free trial."],
    "onboarding": ["I could not work out how to connect my data source.",
                   "The setup is confusing, I do not know where to start.",
                   "Gave up during setup, too many steps before the first report."],
    "praise": ["Sharing reports with my team saves me hours every week.",
               "Great tool, the first report took five minutes."],
}


def generate_saas(project_dir: str | os.PathLike, *, n_accounts: int = 2000, start: str = "2026-06-01",
                  seed: int = 7) -> dict:
    """Write the ``saas`` template's four exports into ``project_dir/data/`` and return the planted truth.

    Visitors arrive over the first five weeks of a 13-week period, so every subscriber's first renewal
    (30 days after the end of the trial) falls inside the period.

    Parameters
    ----------
    project_dir
        The journey project folder; ``data/`` is created inside it when missing.
    n_accounts
        Number of visitors (about a third sign up for the trial).
    start
        First day of the period (ISO date).
    seed
        Seed of the random generator: the same seed gives identical files.

    Returns
    -------
    dict
        ``seed``, ``start``, ``n_accounts``, row counts per file and ``stories`` with the planted chances:
        ``activation_makes_the_sale``, ``partner_signups`` and ``first_charge_surprise``.
    """
    rng = np.random.default_rng(seed)
    n = n_accounts
    acc = pd.DataFrame({"user_id": [f"A{i:05d}" for i in range(1, n + 1)],
                        "acquisition_channel": rng.choice(list(CHANNELS), n, p=list(CHANNELS.values())),
                        "company_size": rng.choice(["solo", "team"], n, p=[0.55, 0.45]),
                        "device": rng.choice(["desktop", "mobile"], n, p=[0.75, 0.25])})
    origin = pd.Timestamp(start)
    acc["start"] = origin + pd.to_timedelta(rng.integers(0, 35 * 86400, n), unit="s")
    channel = acc.acquisition_channel
    depth = reach(rng, np.column_stack([np.ones(n), np.full(n, 0.6), channel.map(SIGNUP)]))
    acc["signed_up"] = depth == 3
    visit = expand(rng, acc[["user_id", "acquisition_channel", "company_size", "device", "start"]].assign(
        session_id=acc.user_id + "-1"), depth, ("site_visit", "pricing_view", "signup"))
    activated = acc.signed_up & (rng.random(n) < channel.map(ACTIVATION))
    # activation happens during the trial, before the first charge (day 14, 06:00)
    act_day = pd.to_timedelta(rng.integers(1, TRIAL_DAYS - 1, n) * 86400 + rng.integers(0, 36000, n), unit="s")
    trial = acc[acc.signed_up].assign(session_id=acc.user_id + "-2", start=acc.start + act_day)
    trial_depth = np.where(activated[acc.signed_up], 3, reach(rng, np.column_stack(
        [np.ones(len(trial)), np.full(len(trial), 0.5)])))
    product = expand(rng, trial.drop(columns="signed_up"), trial_depth, ("login", "report_created", "report_shared"))
    subscribed = acc.signed_up & (rng.random(n) < activated.map(SUBSCRIBE))
    surprised = subscribed & (rng.random(n) < SURPRISED)
    renewed = subscribed & (rng.random(n) < surprised.map(RENEW))
    trial_end = acc.start.dt.normalize() + pd.Timedelta(days=TRIAL_DAYS, hours=6)
    billing = pd.concat([
        acc[subscribed].assign(ts=trial_end, event="subscription_started", session_id=acc.user_id + "-3"),
        acc[renewed].assign(ts=trial_end + pd.Timedelta(days=30), event="subscription_renewed",
                            session_id=acc.user_id + "-4")])
    billing["revenue"] = billing.company_size.map(PRICE)
    columns = ["user_id", "session_id", "ts", "event", "acquisition_channel", "company_size", "device", "revenue"]
    events = pd.concat([visit, product, billing]).reindex(columns=columns).sort_values(["ts", "user_id"],
                                                                                         kind="stable")
    data = Path(project_dir) / "data"
    write_csv(events, data / "events.csv")
    invoices = billing.sort_values("ts", kind="stable").reset_index(drop=True)
    write_csv(pd.DataFrame({"invoice_id": [f"INV{i:05d}" for i in range(1, len(invoices) + 1)],
                            "account_id": invoices.user_id, "paid_at": invoices.ts, "amount": invoices.revenue,
                            "plan": invoices.company_size}), data / "invoices.csv")
    # feedback: every surprised subscriber complains after the first charge; some trials that never
    # activate say why; some activated accounts praise the tool
    stuck = acc.signed_up & ~activated & (rng.random(n) < 0.3)
    happy = activated & (rng.random(n) < 0.25)
    said = pd.concat([acc[surprised].assign(theme="billing_surprise", ts=trial_end + pd.Timedelta(days=1), rating=1),
                      acc[stuck].assign(theme="onboarding", ts=acc.start + pd.Timedelta(days=5), rating=2),
                      acc[happy].assign(theme="praise", ts=acc.start + act_day + pd.Timedelta(hours=3), rating=5)])
    said["text"] = [TEXTS[t][k % len(TEXTS[t])] for k, t in enumerate(said.theme)]
    said = said.sort_values("ts", kind="stable").reset_index(drop=True)
    write_csv(pd.DataFrame({"id": [f"F{i:05d}" for i in range(1, len(said) + 1)], "ts": said.ts,
                            "user_id": said.user_id, "text": said.text, "rating": said.rating,
                            "source": np.where(said.theme == "billing_surprise", "support", "in_app"),
                            "language": "en"}), data / "feedback.csv")
    # NPS a week into the trial (activation stage) and a week after the first charge (subscription stage)
    asked = acc[acc.signed_up & (rng.random(n) < 0.5)]
    paid = acc[subscribed & (rng.random(n) < 0.7)]
    low, high = rng.integers(0, 7, n), rng.integers(8, 11, n)
    scores_trial = np.where(activated[asked.index], high[asked.index], low[asked.index])
    scores_paid = np.where(surprised[paid.index], low[paid.index], high[paid.index])
    surveys = pd.concat([
        pd.DataFrame({"user_id": asked.user_id, "ts": asked.start + pd.Timedelta(days=7), "score": scores_trial,
                      "stage": "activation"}),
        pd.DataFrame({"user_id": paid.user_id, "ts": trial_end[paid.index] + pd.Timedelta(days=7),
                      "score": scores_paid, "stage": "subscription"})]).sort_values("ts", kind="stable")
    surveys.insert(0, "id", [f"N{i:05d}" for i in range(1, len(surveys) + 1)])
    surveys.insert(3, "kind", "nps")
    write_csv(surveys, data / "surveys.csv")
    return write_truth(project_dir, {
        "seed": seed, "start": dt.date.fromisoformat(start).isoformat(), "n_accounts": n,
        "rows": {"events": len(events), "invoices": len(invoices), "feedback": len(said), "surveys": len(surveys)},
        "stories": {"activation_makes_the_sale": {"planted": {"activated": SUBSCRIBE[True],
                                                              "not_activated": SUBSCRIBE[False]}},
                    "partner_signups": {"planted": ACTIVATION},
                    "first_charge_surprise": {"planted": {"complained": RENEW[True], "others": RENEW[False]},
                                              "complaints": int(surprised.sum())}}})
