"""The operations behind the demo journeys: one record per status of a case, with planted stories.

:func:`shop_operations` follows the demo shop's orders (placed, shipped, delivered; returns) and its
support tickets; :func:`loan_operations` follows the bank's loan applications (received, documents,
review, decision). Both return the rows of ``operations.csv`` (case_id, customer_id, changed_at,
status, touchpoint, contact: ``yes`` for a support ticket, ``no`` for an order's or application's own trail) and what was planted, with the exact counts, for the truth:

- the shop: a warehouse backlog holds a quarter of the orders 5 to 9 days before shipping (a long p90 at
  order tracking); some returns go back to ``return_requested`` after inspection (a status loop); the
  customers who stop ordering (none in the last third of the orders' days, see
  :func:`cjmlib.churn_contacts`) had opened a support ticket far more often than those who stayed;
- the bank: online applications wait 3 to 9 days in review, branch ones 1 to 3 (a long wait at the
  credit decision); some online applicants are asked for their documents again after sending them (a
  status loop at the documents).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["BACKLOG", "CHURN_TICKET", "DOCUMENTS_AGAIN", "RETURN_LOOP", "loan_operations", "shop_operations"]

BACKLOG = 0.25  # orders held 5 to 9 days by the warehouse before shipping
RETURN_LOOP = 0.4  # inspected returns sent back to return_requested (the customer is asked again)
CHURN_TICKET = {"churned": 0.35, "retained": 0.08}  # customers with a support ticket before the last third
DOCUMENTS_AGAIN = 0.35  # online applicants asked for their documents again after sending them
_DAY = pd.Timedelta(days=1)
_COLUMNS = ["case_id", "customer_id", "changed_at", "status", "touchpoint", "contact"]


def _records(case, customer, at, statuses, contact: str = "no") -> pd.DataFrame:
    """One record per (status, touchpoint, offset from ``at``) of ``statuses``, for every case."""
    parts = [pd.DataFrame({"case_id": case, "customer_id": customer, "changed_at": at + offset, "status": status,
                           "touchpoint": touchpoint, "contact": contact}) for status, touchpoint, offset in statuses]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_COLUMNS)


def _days(rng, n: int, low: float, high: float) -> pd.TimedeltaIndex:
    return pd.to_timedelta(rng.uniform(low, high, n), unit="D")


def shop_operations(rng: np.random.Generator, orders: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Return the demo shop's operations records and the planted truth.

    Parameters
    ----------
    rng
        The random generator.
    orders
        The shop's orders (order_id, user_id, ts as text or time, status: completed, returned or cancelled).
    """
    o = orders.assign(at=pd.to_datetime(orders["ts"], utc=True).dt.tz_localize(None))
    o = o[o["status"] != "cancelled"].reset_index(drop=True)
    n = len(o)
    backlog = rng.random(n) < BACKLOG
    ship = pd.to_timedelta(np.where(backlog, rng.uniform(5, 9, n), rng.uniform(0.3, 1.5, n)), unit="D")
    deliver = ship + _days(rng, n, 2, 4)
    case = "OC-" + o["order_id"].astype(str)
    parts = [_records(case, o["user_id"], o["at"], [("placed", "order-confirmation", pd.Timedelta(0)),
                                                    ("shipped", "order-tracking", ship),
                                                    ("delivered", "order-tracking", deliver)])]
    r = o["status"].eq("returned").to_numpy()
    loop = r & (rng.random(n) < RETURN_LOOP)
    steps = deliver + _days(rng, n, 3, 10)
    ret = [("return_requested", "order-tracking", steps[r]), ("return_received", "order-tracking", steps[r] + 4 * _DAY),
           ("inspected", "order-tracking", steps[r] + 5 * _DAY)]
    parts.append(_records(case[r], o["user_id"][r], o["at"][r], ret))
    parts.append(_records(case[loop], o["user_id"][loop], o["at"][loop],
                          [("return_requested", "order-tracking", steps[loop] + 7 * _DAY),
                           ("inspected", "order-tracking", steps[loop] + 12 * _DAY)]))
    parts.append(_records(case[r], o["user_id"][r], o["at"][r], [("refunded", "order-tracking", steps[r] + 14 * _DAY)]))
    # churn as cjmlib.churn_contacts counts it with its default window: the last third of the orders' days
    all_days = pd.to_datetime(orders["ts"], utc=True).dt.tz_localize(None).dt.normalize()
    first, last = all_days.min(), all_days.max()
    start = last - (max(1, round(((last - first).days + 1) / 3)) - 1) * _DAY
    per = o.assign(day=o["at"].dt.normalize()).groupby("user_id")
    before, recent, last_before = per["day"].min() < start, per["day"].max() >= start, per["at"].max()
    customers = before[before].index
    churned = ~recent[customers].to_numpy()
    chance = np.where(churned, CHURN_TICKET["churned"], CHURN_TICKET["retained"])
    ticket = customers[rng.random(len(customers)) < chance]
    opened = (last_before[ticket].clip(upper=start - 6 * _DAY) + _days(rng, len(ticket), 1, 4)).to_numpy()
    tcase = pd.Series([f"T-{i:05d}" for i in range(1, len(ticket) + 1)])
    parts.append(_records(tcase, pd.Series(ticket), pd.Series(opened),
                          [("opened", "order-tracking", pd.Timedelta(0)), ("answered", "order-tracking", _DAY),
                           ("closed", "order-tracking", 2 * _DAY)], contact="yes"))
    table = pd.concat(parts, ignore_index=True).sort_values(["changed_at", "case_id"], kind="stable")
    truth = {"backlog": {"planted": BACKLOG, "orders_held": int(backlog.sum()), "held_days": [5, 9]},
             "return_loop": {"planted": RETURN_LOOP, "returns": int(r.sum()), "looped": int(loop.sum())},
             "churn_after_ticket": {"planted": CHURN_TICKET, "window_start": str(start.date()),
                                    "churned": int(churned.sum()), "retained": int((~churned).sum()),
                                    "churned_with_ticket": int(np.isin(ticket, customers[churned]).sum()),
                                    "retained_with_ticket": int(np.isin(ticket, customers[~churned]).sum())}}
    return table[_COLUMNS].reset_index(drop=True), truth


def loan_operations(rng: np.random.Generator, events: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Return the bank's loan applications as operations records and the planted truth.

    Parameters
    ----------
    rng
        The seeded generator the loops and the resending times are drawn from.
    events
        The services template's events (customer_id, event_time, event_name, application_channel).
    """
    first = events.groupby(["customer_id", "event_name"])["event_time"].min().unstack()
    apps = first[first["application_started"].notna()].reset_index()
    web = apps["customer_id"].map(events.groupby("customer_id")["application_channel"].first()).eq("web").to_numpy()
    case = "L-" + apps["customer_id"].astype(str)
    start, docs, decided = apps["application_started"], apps.get("documents_submitted"), apps.get("credit_decision")
    parts = [_records(case, apps["customer_id"], start, [("received", "application", pd.Timedelta(0)),
                                                         ("documents_requested", "documents", pd.Timedelta(hours=1))])]
    has_docs = docs.notna().to_numpy()
    again = has_docs & web & (rng.random(len(apps)) < DOCUMENTS_AGAIN)
    parts.append(_records(case[has_docs], apps["customer_id"][has_docs], docs[has_docs],
                          [("documents_received", "documents", pd.Timedelta(0))]))
    resent = docs + pd.Timedelta(hours=20) + _days(rng, len(apps), 0.2, 1)  # before any decision (3 days on)
    parts.append(_records(case[again], apps["customer_id"][again], docs[again],
                          [("documents_requested", "documents", pd.Timedelta(hours=20)),
                           ("documents_received", "documents", resent[again] - docs[again])]))
    has_decision = decided.notna().to_numpy()
    review_at = pd.Series(np.where(again, resent, docs), index=apps.index) + pd.Timedelta(hours=2)
    parts.append(_records(case[has_decision], apps["customer_id"][has_decision], review_at[has_decision],
                          [("in_review", "credit-decision", pd.Timedelta(0))]))
    parts.append(_records(case[has_decision], apps["customer_id"][has_decision], decided[has_decision],
                          [("decided", "credit-decision", pd.Timedelta(0))]))
    table = pd.concat(parts, ignore_index=True).sort_values(["changed_at", "case_id"], kind="stable")
    truth = {"slow_review_online": {"planted_days": {"web": [3, 9], "branch": [1, 3]},
                                    "decided_web": int((has_decision & web).sum()),
                                    "decided_branch": int((has_decision & ~web).sum())},
             "documents_again": {"planted": DOCUMENTS_AGAIN, "cases": len(apps), "looped": int(again.sum())}}
    return table[_COLUMNS].reset_index(drop=True), truth
