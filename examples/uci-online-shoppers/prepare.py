"""Turn the UCI online-shoppers file (one row per session) into an events export the workbench reads.

The workbench reads a clickstream: one row per event with a customer, a session, a time and an event
name. The UCI file holds one row per Google Analytics session and no id nor date. This script writes
``data/events.csv`` beside it, one to five events per session:

- ``session_start`` for every session;
- ``administrative_page``, ``informational_page``, ``product_page`` when the session viewed at least
  one page of that kind (``Administrative``, ``Informational``, ``ProductRelated`` > 0);
- ``purchase`` when ``Revenue`` is TRUE.

Each session gets an id made of its row number in the file (``s00002`` is the first data row) and is
its own customer (the file has no customer id). The month is the file's; the day and the time are
nominal (the first of the month, one second apart in the file's order): weekly trends mean nothing here.
``VisitorType``, ``TrafficType``, ``Region``, ``Weekend`` and ``Month`` are kept for the breakdowns.

Run from the repository's folder, with ../shared/data beside it:

    .venv/bin/python examples/uci-online-shoppers/prepare.py

The derived file stays in the example's ``data/`` folder, which git ignores.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[2] / "shared" / "data" / "uci-online-shoppers" / "online_shoppers_intention.csv"
MONTHS = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "June": 6, "Jul": 7, "Aug": 8, "Sep": 9,
          "Oct": 10, "Nov": 11, "Dec": 12}
PAGES = {"administrative_page": "Administrative", "informational_page": "Informational",
         "product_page": "ProductRelated"}
KEPT = ["VisitorType", "TrafficType", "Region", "Weekend", "Month"]


def sessions_to_events(sessions: pd.DataFrame) -> pd.DataFrame:
    """Return the events of the sessions (see the module's docstring), ordered by session and time."""
    sessions = sessions.reset_index(drop=True)
    start = pd.to_datetime({"year": 2017, "month": sessions.Month.map(MONTHS), "day": 1}) + pd.to_timedelta(
        sessions.index * 10, unit="s")
    base = sessions[KEPT].assign(session_id=[f"s{i + 2:05d}" for i in sessions.index], ts=start)
    steps = [base.assign(event="session_start")]
    for offset, (event, column) in enumerate(PAGES.items(), start=1):
        steps.append(base[sessions[column] > 0].assign(event=event, ts=lambda f, k=offset: f.ts + pd.Timedelta(seconds=k)))
    steps.append(base[sessions.Revenue.astype(str).str.upper() == "TRUE"].assign(
        event="purchase", ts=lambda f: f.ts + pd.Timedelta(seconds=5)))
    events = pd.concat(steps).sort_values(["session_id", "ts"], kind="stable")
    events["user_id"] = events.session_id
    return events[["user_id", "session_id", "ts", "event", *KEPT]]


def main() -> int:
    if not SOURCE.exists():
        print(f"the UCI file is not at {SOURCE}: put the shared data folder beside the repository's folder",
              file=sys.stderr)
        return 1
    sessions = pd.read_csv(SOURCE, sep=";", dtype=str, keep_default_na=False)
    for column in PAGES.values():
        sessions[column] = pd.to_numeric(sessions[column])
    events = sessions_to_events(sessions)
    target = HERE / "data" / "events.csv"
    target.parent.mkdir(exist_ok=True)
    events.to_csv(target, index=False, date_format="%Y-%m-%dT%H:%M:%SZ", lineterminator="\n")
    print(f"{target}: {len(events)} events of {events.session_id.nunique()} sessions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
