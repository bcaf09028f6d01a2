"""Seeded synthetic data for the ``services`` template: a bank's personal-loan journey across channels.

:func:`generate_services` writes four exports into ``data/`` — ``events.csv`` (what customers do on
the website, in a branch, with the call centre, in e-mails and what the back office decides; no
session ids: the workbench builds sessions by inactivity), ``tickets.csv`` (the operations'
service tickets: queue, description, satisfaction, hours to resolve; read as feedback),
``surveys.csv`` (CSAT after a call, NPS after signing) and ``operations.csv`` (each application's statuses,
:mod:`cjmlib.demo.operations`) — and returns the planted truth, also saved
as ``demo-truth.json`` beside ``data/``.

The planted stories (see templates/services/README.md):

1. **Documents stall online.** About 45 % of online applications reach the submitted documents,
   against about 90 % of those started in a branch.
2. **The call centre absorbs the stall.** Most online applicants who stall call the call centre;
   the "documents" queue holds most tickets and its satisfaction is the lowest.
3. **Online decisions are slow.** The credit decision comes about 6 days after the documents for
   online applications, 2 days for branch ones; long waits bring "where is my application" calls.

Examples
--------
>>> from cjmlib.demo.services import generate_services
>>> truth = generate_services("loan-journey", n_customers=800)     # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .minimal import write_csv, write_truth
from .operations import loan_operations

__all__ = ["generate_services"]

DOCUMENTS = {"web": 0.45, "branch": 0.9}  # documents_submitted ÷ application_started
CALL_WHEN_STUCK = 0.7  # online applicants without documents who call the call centre
DECISION = {"existing": 0.95, "new": 0.8}  # credit_decision ÷ documents_submitted
DECISION_DAYS = {"web": (3, 10), "branch": (1, 4)}  # days from documents to decision (range drawn)
SIGN = 0.85  # contract_signed ÷ credit_decision
TICKETS = {
    "documents": ["The upload of my payslip keeps failing on the website.",
                  "I sent my documents twice and the application still asks for them.",
                  "Cannot upload the proof of address, the page times out."],
    "application_status": ["Where is my application? No news for a week.",
                           "Still waiting for the credit decision, nobody can tell me when."],
    "fees": ["The arrangement fee was not mentioned in the branch.",
             "Why is there a fee for early repayment?"],
}
SATISFACTION = {"documents": (1, 3), "application_status": (2, 4), "fees": (2, 5)}


def _event(frame: pd.DataFrame, mask, event: str, channel, ts) -> pd.DataFrame:
    """Events ``event`` of the rows of ``frame`` where ``mask`` holds, at ``ts`` on ``channel``."""
    rows = frame[mask]
    return rows.assign(event_name=event, channel=channel if isinstance(channel, str) else channel[mask],
                       event_time=ts[mask] if isinstance(ts, pd.Series) else ts)


def generate_services(project_dir: str | os.PathLike, *, n_customers: int = 1500, start: str = "2026-03-02",
                      seed: int = 7) -> dict:
    """Write the ``services`` template's three exports into ``project_dir/data/`` and return the planted truth.

    Parameters
    ----------
    project_dir
        The journey project folder; ``data/`` is created inside it when missing.
    n_customers
        Number of customers who start looking for a loan (about 6 events each).
    start
        First day of the period (ISO date); customers arrive over 8 weeks, the data runs 12 weeks.
    seed
        Seed of the random generator: the same seed gives identical files.

    Returns
    -------
    dict
        ``seed``, ``start``, ``n_customers``, row counts per file and ``stories`` with the planted chances:
        ``documents_stall_online``, ``call_centre_absorbs`` and ``slow_online_decisions``.
    """
    rng = np.random.default_rng(seed)
    n = n_customers
    day = np.timedelta64(1, "D")
    c = pd.DataFrame({"customer_id": [f"C{i:06d}" for i in range(100001, 100001 + n)],
                      "customer_type": rng.choice(["existing", "new"], n, p=[0.6, 0.4]),
                      "application_channel": rng.choice(["web", "branch"], n, p=[0.65, 0.35])})
    web = (c.application_channel == "web").to_numpy()
    c["device"] = np.where(web, rng.choice(["mobile", "desktop"], n, p=[0.55, 0.45]), "")
    t0 = pd.Series(pd.Timestamp(start) + pd.Timedelta(hours=8)
                   + pd.to_timedelta(rng.integers(0, 56 * 86400, n), unit="s"))
    minutes = [rng.integers(1, 20, n).astype("timedelta64[m]") for _ in range(3)]
    emailed = rng.random(n) < np.where(c.customer_type == "existing", 0.5, 0.1)
    started = rng.random(n) < np.where(web, 0.55, 0.85)  # branch visitors mostly came to apply
    docs = started & (rng.random(n) < np.where(web, DOCUMENTS["web"], DOCUMENTS["branch"]))
    stuck = started & ~docs & web
    called = stuck & (rng.random(n) < CALL_WHEN_STUCK)
    recovered = called & (rng.random(n) < 0.3)  # the call helps some of them send their documents
    docs_at = t0 + minutes[0] + minutes[1] + np.where(web, 0, 1) * minutes[2] + np.where(
        recovered, rng.integers(2, 6, n), 0) * day
    docs = docs | recovered
    decided = docs & (rng.random(n) < c.customer_type.map(DECISION).to_numpy())
    wait = np.where(web, rng.integers(*DECISION_DAYS["web"], n), rng.integers(*DECISION_DAYS["branch"], n))
    decision_at = docs_at.dt.normalize() + wait * day + pd.Timedelta(hours=15)
    chased = decided & (wait >= 6) & (rng.random(n) < 0.6)
    signed = decided & (rng.random(n) < SIGN)
    signed_at = decision_at + rng.integers(1, 5, n) * day
    channel = pd.Series(np.where(web, "web", "branch"))
    events = pd.concat([
        _event(c, emailed, "email_offer_click", "email", t0 - 2 * day),
        _event(c, web, "rate_page_view", "web", t0),
        _event(c, web & (rng.random(n) < 0.7), "loan_simulator", "web", t0 + minutes[0]),
        _event(c, ~web, "branch_appointment", "branch", t0),
        _event(c, started, "application_started", channel, t0 + minutes[0] + minutes[1]),
        _event(c, called, "call_centre_call", "call_centre", t0 + 2 * day + minutes[2]),
        _event(c, docs, "documents_submitted", channel, docs_at),
        _event(c, chased, "call_centre_call", "call_centre", decision_at - 2 * day),
        _event(c, decided, "credit_decision", "back_office", decision_at),
        _event(c, signed, "contract_signed", channel, signed_at),
        _event(c, signed & (rng.random(n) < 0.6), "welcome_email_open", "email", signed_at + day)])
    events = events.sort_values(["event_time", "customer_id"], kind="stable")[
        ["customer_id", "event_time", "event_name", "channel", "device", "application_channel", "customer_type"]]
    data = Path(project_dir) / "data"
    write_csv(events, data / "events.csv")
    fee_call = signed & (rng.random(n) < 0.1)
    tickets = pd.concat([c[called].assign(queue="documents", opened_at=t0[called] + 2 * day + minutes[2][called]),
                         c[chased].assign(queue="application_status", opened_at=decision_at[chased] - 2 * day),
                         c[fee_call].assign(queue="fees", opened_at=signed_at[fee_call] + 3 * day)])
    tickets = tickets.sort_values("opened_at", kind="stable").reset_index(drop=True)
    k = np.arange(len(tickets))
    lo_hi = np.asarray([SATISFACTION[q] for q in tickets.queue])
    satisfaction = rng.integers(lo_hi[:, 0], lo_hi[:, 1] + 1).astype(float)
    satisfaction[rng.random(len(tickets)) < 0.2] = np.nan  # not every customer answers
    write_csv(pd.DataFrame({
        "ticket_id": [f"T{i:05d}" for i in range(1, len(tickets) + 1)], "opened_at": tickets.opened_at,
        "customer_id": tickets.customer_id, "queue": tickets.queue,
        "contact_channel": np.where(tickets.queue == "fees", "email", "phone"),
        "description": [TICKETS[q][i % len(TICKETS[q])] for i, q in zip(k, tickets.queue, strict=True)],
        "satisfaction": satisfaction,
        "resolution_hours": rng.gamma(2.0, np.where(tickets.queue == "documents", 30.0, 10.0)).round(1)}),
        data / "tickets.csv")
    csat = c[called & (rng.random(n) < 0.6)]
    nps = c[signed & (rng.random(n) < 0.5)]
    nps_scores = np.where(web[nps.index], rng.integers(3, 10, n)[nps.index], rng.integers(6, 11, n)[nps.index])
    surveys = pd.concat([
        pd.DataFrame({"customer_id": csat.customer_id, "answered_at": t0[csat.index] + 3 * day, "kind": "csat",
                      "score": rng.integers(1, 4, len(csat)), "stage": "verify", "touchpoint": "call-centre"}),
        pd.DataFrame({"customer_id": nps.customer_id, "answered_at": signed_at[nps.index] + 7 * day, "kind": "nps",
                      "score": nps_scores, "stage": "onboard", "touchpoint": "contract"})]).sort_values(
        "answered_at", kind="stable")
    surveys.insert(0, "survey_id", [f"Q{i:05d}" for i in range(1, len(surveys) + 1)])
    write_csv(surveys, data / "surveys.csv")
    operations, operations_truth = loan_operations(np.random.default_rng([seed, 2]), events)
    write_csv(operations, data / "operations.csv")
    return write_truth(project_dir, {
        "seed": seed, "start": dt.date.fromisoformat(start).isoformat(), "n_customers": n,
        "rows": {"events": len(events), "tickets": len(tickets), "surveys": len(surveys)},
        "stories": {"documents_stall_online": {"planted": DOCUMENTS, "recovered_after_a_call": 0.3},
                    "call_centre_absorbs": {"planted": CALL_WHEN_STUCK, "satisfaction_ranges": SATISFACTION},
                    "slow_online_decisions": {"planted_days": DECISION_DAYS}},
        "operations": operations_truth})
