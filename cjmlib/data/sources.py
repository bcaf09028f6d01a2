"""Read the client's exports into engine tables with the canonical schema.

Every file is read as text first, so that nothing is lost on bad input: each value that does
not parse is reported with its row (as a spreadsheet numbers it: the header is row 1) and
column, the row is set aside, and the data-quality table says how many rows were read,
kept and rejected, and why.

Each table goes through three steps, one module each: :mod:`cjmlib.data.read` (the file into a
raw text table), :mod:`cjmlib.data.checks` (typed values, bad rows and what the tables hold) and,
for the events, :mod:`cjmlib.data.events` (touchpoints, stages and sessions). This module runs
them in order for every source of the spec.

Canonical tables (see ARCHITECTURE.md):

- ``events``: user_id, session_id, ts, event, page, channel, device, revenue, touchpoint, stage,
  stage_order
- ``feedback``: id, ts, user_id, text, rating, source, language, human_sentiment (a person's label read as
  negative, neutral or positive; mostly empty)
- ``surveys``: id, ts, user_id, kind, score, comment, stage, touchpoint
- ``orders``: order_id, user_id, ts, revenue, items, status (without an ``order_id`` column mapped or in
  the file, each row is one order and its id is its row number in the file)
- ``operations``: case_id, user_id, ts, status, touchpoint, order_id, contact (one row per record of a case: a
  ticket's queue, an order's status change, a call; optional source; ``contact`` no, false or 0 marks a case
  that is no customer contact, e.g. an order's own status trail)

Customer ids (``user_id`` in every table) are pseudonymized in the engine as they are read, with
the project's secret (see :mod:`cjmlib.data.privacy`): the raw ids never reach a table.

Bad input gives an issue record, never a traceback: a file that cannot be read, a wrong separator
or encoding, a missing column, an unknown time zone or a file that changes while it is read are
errors; rows whose values do not parse, duplicate ids, non-finite numbers and scores off their scale
are set aside and reported (warnings), unless they pass 5 % of the file. See docs/bad-inputs.md.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb

from ..errors import Issue
from ..spec.model import Journey, Source
from .checks import (
    SCHEMAS,
    as_of_issue,
    bad_rows,
    build_checked,
    event_stats,
    extra_columns,
    missing_columns,
    row_checks,
    unknown_labels,
    zone_issue,
)
from .events import finish_events
from .operations import operations_issues
from .privacy import mask_personal_values, pseudonym_sql
from .read import read_raw
from .sql import as_of_condition, quote_ident, quote_literal

__all__ = ["MAX_REJECTED_SHARE", "file_sha256", "load_sources"]

MAX_REJECTED_SHARE = 0.05  # above this share of rejected rows, a file is an error, not a correction


def file_sha256(path: str | os.PathLike) -> str:
    """Return the sha256 of the file's bytes, as 64 hex digits (read by chunks: any size fits in memory).

    Parameters
    ----------
    path
        The file to hash.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _keep(con, name: str, checks, secret: bytes | None, pseudonymize: bool, extra: list[str] = ()) -> None:
    """Build ``kept_<name>`` (``__row`` and the canonical fields) from the rows no check set aside.

    Customer ids are pseudonymized once per distinct id (``ids_<name>``: raw id -> pseudonym),
    not once per row.
    """
    columns = ", ".join([*(f"c.{canon}" for canon in SCHEMAS[name]), *(f"c.{quote_ident(c)}" for c in extra)])
    keep = " AND ".join(f"NOT __bad{k}" for k in range(len(checks))) or "true"
    if not pseudonymize:
        con.execute(f"CREATE OR REPLACE TEMP TABLE kept_{name} AS SELECT c.__row, {columns} FROM checked_{name} c "
                    f"WHERE {keep}")
        return
    con.execute(f"CREATE OR REPLACE TEMP TABLE ids_{name} AS SELECT raw_id, {pseudonym_sql('raw_id', secret)} "
                f"AS pseudonym FROM (SELECT DISTINCT user_id AS raw_id FROM checked_{name} WHERE user_id IS NOT NULL)")
    columns = columns.replace("c.user_id", "m.pseudonym AS user_id")
    con.execute(f"CREATE OR REPLACE TEMP TABLE kept_{name} AS SELECT c.__row, {columns} FROM checked_{name} c "
                f"LEFT JOIN ids_{name} m ON m.raw_id = c.user_id WHERE {keep}")


def _load_table(con, spec: Journey, name: str, source: Source, project_dir: Path, *,
                secret: bytes | None = None) -> tuple[list[Issue], dict]:
    """Read, check and keep one source as ``kept_<name>``; return its issues and its data-quality row."""
    path = (project_dir / source.path).resolve() if not Path(source.path).is_absolute() else Path(source.path)
    file = source.path
    quality = {"table": name, "file": file, "rows_read": 0, "rows_kept": 0, "rows_rejected": 0}
    if not path.exists():
        return [Issue(code="missing_file", file="journey.yml", key=f"sources.{name}.path", value=source.path,
                      problem=f"the {name} file '{source.path}' does not exist.",
                      fix="Put the export in the project's data/ folder or correct the path.")], quality
    if not source.allow_outside and not path.resolve().is_relative_to(project_dir.resolve()):
        return [Issue(code="outside_project", file="journey.yml", key=f"sources.{name}.path", value=source.path,
                      problem=f"the {name} file '{source.path}' is outside the project folder, so it is not read.",
                      fix=f"Copy the export into the project's data/ folder, or, if it must stay where it is, "
                          f"add `allow_outside: true` under sources.{name} in journey.yml.")], quality
    try:
        con.execute(f"SET TimeZone = {quote_literal(source.timezone)}")
    except duckdb.Error:
        return [Issue(code="unknown_timezone", file="journey.yml", key=f"sources.{name}.timezone",
                      value=source.timezone, problem=f"'{source.timezone}' is not a time zone.",
                      fix="Use a zone name such as UTC, Europe/Paris or America/New_York.")], quality
    read, issues = read_raw(con, name, path, source, file)
    if read is None:
        return issues, quality
    quality["rows_read"] = read.rows + read.set_aside
    if read.rows == 0 and not read.set_aside:
        return [Issue(code="no_rows", file=file, problem="the file has a header but no data rows.",
                      fix="Export the data again with its rows.")], quality
    present, missing = missing_columns(name, source, read, file, con=con)
    if missing:
        return issues + missing, quality
    unused = [c for c in read.columns if c not in present.values()]
    extra = extra_columns(name, present, read.columns)
    if unused:
        kept_note = (" They are kept under their own names: breakdowns and persona rules may use them."
                     if extra else "")
        issues.append(Issue(code="unused_columns", file=file, row=1, severity="warning",
                            problem=f"{len(unused)} columns are not mapped to a canonical field: "
                                    f"{', '.join(unused[:10])}{', …' if len(unused) > 10 else ''}.{kept_note}",
                            fix=f"Map a column in journey.yml under sources.{name}.columns if it holds a "
                                "canonical field" + ("; remove from the export any column holding personal "
                                                     "data (e-mail, name, phone)." if extra else ".")))
    checks = row_checks(name, present, source.dates)
    build_checked(con, name, present, read.relation, checks, extra)
    zoned, naive, kept, bad = bad_rows(con, name, read.relation, checks, file)
    con.execute(f"DROP TABLE {read.relation}")  # the raw text is no longer needed: free it before going on
    issues += zone_issue(zoned, naive, present["ts"], source, file) + bad
    pseudonymize = secret is not None and "user_id" in present
    _keep(con, name, checks, secret, pseudonymize, extra)
    con.execute(f"DROP TABLE checked_{name}")
    total = read.rows + read.set_aside
    quality.update(rows_kept=kept, rows_rejected=total - kept)
    if (total - kept) / total > MAX_REJECTED_SHARE:
        issues = [i if i.severity == "error" or i.code in ("unused_columns", "mixed_time_zones")
                  else Issue(**{**i.as_dict(), "severity": "error"}) for i in issues]
        issues.append(Issue(code="too_many_bad_rows", file=file,
                            problem=f"{total - kept} of {total} rows cannot be read "
                                    f"(more than {MAX_REJECTED_SHARE:.0%}).",
                            fix="Check the column mapping, the separator and the date format."))
    if pseudonymize:
        issues += _collision_issues(con, name, present["user_id"], file)
    return issues, quality


def _collision_issues(con, name: str, column: str, file: str) -> list[Issue]:
    """Report customer ids that got the same pseudonym (48 bits: rare below millions of customers)."""
    raw, pseudo = con.execute(f"SELECT count(*), count(DISTINCT pseudonym) FROM ids_{name}").fetchone()
    if raw == pseudo:
        return []
    return [Issue(code="pseudonym_collision", file=file, column=column, severity="warning",
                  problem=f"{raw - pseudo} customer ids share a pseudonym with another; counts of customers are "
                          "that much lower.", fix="Nothing to do below millions of customers.")]


def load_sources(con: duckdb.DuckDBPyConnection, spec: Journey, project_dir: str | os.PathLike, *,
                 as_of: str | None = None, secret: bytes | None = None) -> tuple[list[Issue], list[dict], dict[str, str]]:
    """Load every source of the spec into ``con``.

    Parameters
    ----------
    con
        The engine connection the canonical tables are created in.
    spec
        The journey spec naming the sources.
    project_dir
        The folder the source paths are relative to.
    as_of
        Keep only rows up to this day (``YYYY-MM-DD``), inclusive.
    secret
        The key customer ids are pseudonymized with (:func:`cjmlib.data.privacy.read_secret`); ids are
        kept as they are when None.

    Returns
    -------
    issues
        Every problem found (errors block a run; warnings are reported corrections).
    quality
        One dict per table: table, file, rows_read, rows_kept, rows_rejected (+ for events:
        duplicates, unmatched events, first and last timestamp).
    hashes
        Source path -> sha256 of the file as it was read.
    """
    project_dir = Path(project_dir)
    issues: list[Issue] = []
    quality: list[dict] = []
    hashes: dict[str, str] = {}
    bad_day = as_of_issue(as_of)
    if bad_day:
        return [bad_day], quality, hashes
    cutoff = f" WHERE {as_of_condition(as_of)}" if as_of else ""
    for name in ("events", "feedback", "surveys", "orders", "operations"):
        source = getattr(spec.sources, name)
        if source is None:
            continue
        path = project_dir / source.path
        before = file_sha256(path) if path.is_file() else None
        table_issues, q = _load_table(con, spec, name, source, project_dir, secret=secret)
        if before is not None:
            hashes[source.path] = file_sha256(path) if path.is_file() else ""
            if hashes[source.path] != before:
                table_issues.append(Issue(code="file_changed", file=source.path,
                                          problem="the file changed while it was being read.",
                                          fix="Wait until the export is fully written, then run again."))
        issues += table_issues
        if any(i.severity == "error" for i in table_issues):
            quality.append(q)
            continue
        q["masked"] = mask_personal_values(con, f"kept_{name}")
        if name == "events":
            finish_events(con, spec, source, as_of)
            issues += event_stats(con, source, q)
        else:
            extra = ""
            if name == "surveys":
                extra = ", lower(kind) AS kind"
                issues += unknown_labels(con, spec, source)
            elif name == "operations":
                issues += operations_issues(con, spec, source)
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * EXCLUDE (__row{', kind' if extra else ''})"
                        f"{extra} FROM kept_{name}{cutoff} ORDER BY ts")
            q.update(first_ts=str(con.execute(f"SELECT min(ts) FROM {name}").fetchone()[0]),
                     last_ts=str(con.execute(f"SELECT max(ts) FROM {name}").fetchone()[0]))
        con.execute(f"DROP TABLE kept_{name}")  # the canonical table holds the rows now
        if as_of and q.get("rows_kept") and not con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]:
            issues.append(Issue(code="no_rows_in_period", file=source.path, value=str(as_of),
                                severity="error" if name == "events" else "warning",
                                problem=f"no row is dated on or before {as_of}.",
                                fix="Choose a later --as-of day, or check the dates in the file."))
        quality.append(q)
    return issues, quality, hashes
