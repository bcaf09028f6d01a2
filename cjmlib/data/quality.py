"""The data-quality table: what was read from each source, what was set aside and why, and what to watch.

Most of it is what the loader recorded while reading (:mod:`cjmlib.sources`): rows read, kept
and rejected, exact duplicate events, events matching no touchpoint, the time range, and one
issue per rejected row (the first few of each problem, then a count of the others). The rest is
counted in the engine on the loaded tables: rows kept within the period (``--as-of``) and
timestamp ties.

A *timestamp tie* is a row that shares its customer and its timestamp with a different row of the
same table (another event, another order): their order cannot be told from the data, so a
funnel or a path may order them either way. Exact duplicates are not ties; they are counted apart.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["TIE_KEYS", "data_quality_table", "rejection_table"]

TIE_KEYS = {"events": ("session_id", "event", "page"), "orders": ("order_id",), "feedback": ("id",),
            "surveys": ("id",), "operations": ("case_id", "status")}
"""Per table, the columns that tell two rows of one customer and one timestamp apart."""

_EXAMPLE = re.compile(r"^'.*' ((?:is|repeats) .*)\.$", re.DOTALL)  # one rejected row, shown with its value
_MORE = re.compile(r"^(\d+) more rows where the value ((?:is|repeats) .*)\.$", re.DOTALL)  # the rest, counted
_REJECTING = ("bad_value", "duplicate_id")
_COLUMNS = ["table", "file", "rows_read", "rows_rejected", "rejected_why", "rows_kept", "rows_in_period",
            "duplicates", "unmatched_events", "timestamp_ties", "masked_values", "first_ts", "last_ts"]


def rejection_table(project) -> pd.DataFrame:
    """Return the rows each source set aside, counted by column and reason.

    Parameters
    ----------
    project
        A loaded :class:`cjmlib.project.Project`.

    Returns
    -------
    DataFrame
        One row per table, column and reason, most rows first: ``table``, ``file``, ``column``,
        ``reason`` (e.g. ``"is not a date and time"``) and ``rows``. A row failing two checks
        counts under both reasons, so the counts of a table may add up to more than its
        ``rows_rejected``.
    """
    tables = {q["file"]: q["table"] for q in project.quality}
    counts: dict[tuple[str, str, str, str], int] = {}
    for issue in project.issues:
        if issue.code not in _REJECTING or issue.file not in tables:
            continue
        more = _MORE.match(issue.problem) if issue.row is None else None
        example = _EXAMPLE.match(issue.problem) if issue.row is not None else None
        if not (more or example):
            continue
        reason, rows = (more.group(2), int(more.group(1))) if more else (example.group(1), 1)
        reason = reason.split(";")[0]  # "repeats the id of an earlier row; the later row is set aside"
        key = (tables[issue.file], issue.file, issue.column or "", reason)
        counts[key] = counts.get(key, 0) + rows
    table = pd.DataFrame([(*k, n) for k, n in counts.items()], columns=["table", "file", "column", "reason", "rows"])
    return table.sort_values(["table", "rows", "column"], ascending=[True, False, True]).reset_index(drop=True)


def _ties(project, name: str) -> int | None:
    """Rows of ``name`` sharing customer and timestamp with a different row (see :data:`TIE_KEYS`)."""
    if not project.has(name):
        return None
    key = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in TIE_KEYS[name])
    return int(project.con.execute(
        f"SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {name} WHERE user_id IS NOT NULL "
        f"GROUP BY user_id, ts HAVING count(DISTINCT [{key}]) > 1)").fetchone()[0])


def data_quality_table(project) -> pd.DataFrame:
    """Return one row per source: what was read, set aside and why, duplicates, unmatched events, ties.

    Parameters
    ----------
    project
        A loaded :class:`cjmlib.project.Project`.

    Returns
    -------
    DataFrame
        One row per source, in loading order:

        - ``table``, ``file``: the canonical table and the file it was read from;
        - ``rows_read``: data rows in the file;
        - ``rows_rejected`` and ``rejected_why``: rows set aside, and the reasons with their counts
          (``"ts is not a date and time: 3"``; see :func:`rejection_table`);
        - ``rows_kept``: rows read − rows rejected; ``rows_in_period``: of those, the rows on or
          before the run's ``--as-of`` day (all of them without one);
        - ``duplicates``: for events, events repeated exactly (same customer, session, time, event
          and page; kept, and counted once in unique counts); for feedback, surveys and orders,
          rows repeating an earlier row's id (set aside, so also in ``rows_rejected``);
        - ``unmatched_events``: events in the period matching no touchpoint of the spec (events
          only), out of ``rows_in_period``;
        - ``timestamp_ties``: rows in the period sharing customer and timestamp with a different
          row (see the module's description);
        - ``masked_values``: text values (cells) that carried personal data (an e-mail address, a
          phone, card or IBAN number, a national id), masked at load (:func:`cjmlib.personal.mask_personal`);
        - ``first_ts``, ``last_ts``: the time range of the rows in the period (UTC).
    """
    reasons = rejection_table(project)
    rows = []
    for q in project.quality:
        name = q["table"]
        mine = reasons[reasons.table == name]
        why = "; ".join(f"{r.column} {r.reason}: {r.rows:,}" for r in mine.itertuples())
        in_period = int(project.con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]) if project.has(name) else 0
        duplicates = q.get("duplicates") if name == "events" else int(
            mine.loc[mine.reason.str.startswith("repeats the id"), "rows"].sum())
        rows.append({"table": name, "file": q["file"], "rows_read": q.get("rows_read", 0),
                     "rows_rejected": q.get("rows_rejected", 0), "rejected_why": why or "–",
                     "rows_kept": q.get("rows_kept", 0), "rows_in_period": in_period, "duplicates": duplicates,
                     "unmatched_events": q.get("unmatched_events") if name == "events" else None,
                     "timestamp_ties": _ties(project, name),
                     "masked_values": sum(q.get("masked", {}).values()),
                     "first_ts": _when(q.get("first_ts")), "last_ts": _when(q.get("last_ts"))})
    table = pd.DataFrame(rows, columns=_COLUMNS)
    for col in ("duplicates", "unmatched_events", "timestamp_ties", "masked_values"):
        table[col] = table[col].astype("Int64")
    return table


def _when(value) -> str | None:
    """A recorded timestamp as text, or None when the table had no rows ("None" in the record)."""
    return None if value in (None, "None", "NaT") else str(value)
