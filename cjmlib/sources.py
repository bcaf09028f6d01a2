"""Read the client's exports into engine tables with the canonical schema.

Every file is read as text first, so that nothing is lost on bad input: each value that does
not parse is reported with its row (as a spreadsheet numbers it: the header is row 1) and
column, the row is set aside, and the data-quality table says how many rows were read,
kept and rejected, and why.

Canonical tables (see ARCHITECTURE.md):

- ``events``: user_id, session_id, ts, event, page, channel, device, revenue, touchpoint, stage,
  stage_order
- ``feedback``: id, ts, user_id, text, rating, source, language
- ``surveys``: id, ts, user_id, kind, score, comment, stage
- ``orders``: order_id, user_id, ts, revenue, items, status
"""

from __future__ import annotations

import difflib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .errors import Issue
from .spec import Journey, Source

__all__ = ["SCHEMAS", "load_sources", "file_sha256", "touchpoint_case"]

# canonical column -> (DuckDB type, required)
SCHEMAS: dict[str, dict[str, tuple[str, bool]]] = {
    "events": {"user_id": ("VARCHAR", True), "session_id": ("VARCHAR", False), "ts": ("TIMESTAMP", True),
               "event": ("VARCHAR", True), "page": ("VARCHAR", False), "channel": ("VARCHAR", False),
               "device": ("VARCHAR", False), "revenue": ("DOUBLE", False)},
    "feedback": {"id": ("VARCHAR", True), "ts": ("TIMESTAMP", True), "user_id": ("VARCHAR", False),
                 "text": ("VARCHAR", True), "rating": ("DOUBLE", False), "source": ("VARCHAR", False),
                 "language": ("VARCHAR", False)},
    "surveys": {"id": ("VARCHAR", True), "ts": ("TIMESTAMP", True), "user_id": ("VARCHAR", False),
                "kind": ("VARCHAR", True), "score": ("DOUBLE", True), "comment": ("VARCHAR", False),
                "stage": ("VARCHAR", False)},
    "orders": {"order_id": ("VARCHAR", True), "user_id": ("VARCHAR", True), "ts": ("TIMESTAMP", True),
               "revenue": ("DOUBLE", True), "items": ("DOUBLE", False), "status": ("VARCHAR", False)},
}
SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
MAX_EXAMPLES = 5  # bad rows listed per problem; the quality table counts them all
MAX_REJECTED_SHARE = 0.05  # above this share of rejected rows, a file is an error, not a correction


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


@dataclass
class _Read:
    relation: str  # name of the raw text table
    columns: list[str]
    rows: int


def _format_of(source: Source, path: Path) -> str:
    if source.format:
        return source.format
    suffix = path.suffix.lower()
    return {".parquet": "parquet", ".json": "json", ".jsonl": "json", ".ndjson": "json"}.get(suffix, "csv")


def _read_raw(con: duckdb.DuckDBPyConnection, name: str, path: Path, source: Source, file: str) -> tuple[_Read | None, list[Issue]]:
    fmt = _format_of(source, path)
    raw = f"raw_{name}"
    try:
        if fmt == "csv":
            sep = f", delim={_lit(source.separator)}" if source.separator else ""
            enc = source.encoding.lower().replace("_", "-")
            encoding = "" if enc in ("utf-8", "utf8", "utf-8-sig") else f", encoding={_lit(enc)}"
            con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT row_number() OVER () + 1 AS __row, * "
                        f"FROM read_csv({_lit(str(path))}, all_varchar=true, header=true{sep}{encoding}, "
                        f"strict_mode=false, null_padding=true)")
        elif fmt == "parquet":
            con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT row_number() OVER () + 1 AS __row, * "
                        f"FROM read_parquet({_lit(str(path))})")
        else:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT row_number() OVER () + 1 AS __row, * "
                        f"FROM read_json_auto({_lit(str(path))})")
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0][:300]
        fix = "Check the separator (set `separator:` in sources), the encoding (`encoding:`) and that the file is not empty."
        if "empty" in message.lower() or path.stat().st_size == 0:
            message, fix = "the file is empty.", "Export the data again; the file needs a header row and data rows."
        return None, [Issue(code="unreadable_file", file=file, problem=f"the file cannot be read: {message}", fix=fix)]
    columns = [c for c in con.execute(f"SELECT * FROM {raw} LIMIT 0").fetchdf().columns if c != "__row"]
    rows = con.execute(f"SELECT count(*) FROM {raw}").fetchone()[0]
    return _Read(raw, columns, rows), []


def _cast(column: str, kind: str) -> str:
    col = f"trim(CAST({_q(column)} AS VARCHAR))"
    if kind == "TIMESTAMP":
        # zone-aware strings (Z, +02:00, " UTC") are converted to UTC; naive ones are read in the source's zone
        return (f"timezone('UTC', coalesce(try_cast(regexp_replace({col}, ' ?UTC$', 'Z') AS TIMESTAMPTZ), "
                f"try_cast(try_cast({col} AS TIMESTAMP) AS TIMESTAMPTZ)))")
    if kind == "DOUBLE":
        return f"try_cast(replace({col}, ',', '.') AS DOUBLE)"
    return f"nullif({col}, '')"


def _load_table(con, journey: Journey, name: str, source: Source, project_dir: Path) -> tuple[list[Issue], dict]:
    path = (project_dir / source.path).resolve() if not Path(source.path).is_absolute() else Path(source.path)
    file = source.path
    quality = {"table": name, "file": file, "rows_read": 0, "rows_kept": 0, "rows_rejected": 0}
    if not path.exists():
        return [Issue(code="missing_file", file="journey.yml", key=f"sources.{name}.path", value=source.path,
                      problem=f"the {name} file '{source.path}' does not exist.",
                      fix="Put the export in the project's data/ folder or correct the path.")], quality
    con.execute(f"SET TimeZone = {_lit(source.timezone)}")
    read, issues = _read_raw(con, name, path, source, file)
    if read is None:
        return issues, quality
    quality["rows_read"] = read.rows
    if read.rows == 0:
        return [Issue(code="no_rows", file=file, problem="the file has a header but no data rows.",
                      fix="Export the data again with its rows.")], quality
    schema = SCHEMAS[name]
    mapping = {canon: source.columns.get(canon, canon) for canon in schema}
    present = {}
    for canon, (_, required) in schema.items():
        col = mapping[canon]
        if col in read.columns:
            present[canon] = col
        elif required or canon in source.columns:
            close = difflib.get_close_matches(col, read.columns, n=1, cutoff=0.6)
            hint = f"Did you mean '{close[0]}'? " if close else ""
            issues.append(Issue(code="missing_column", file=file, row=1, column=col,
                                problem=f"the {name} file has no column '{col}' (needed as `{canon}`).",
                                fix=f"{hint}Columns in the file: {', '.join(read.columns)}. "
                                    f"Map it in journey.yml under sources.{name}.columns."))
    if issues:
        return issues, quality

    select = []
    checks = []  # (sql condition for a bad row, column, problem, fix)
    for canon, (kind, required) in schema.items():
        if canon not in present:
            select.append(f"CAST(NULL AS {kind}) AS {canon}")
            continue
        expr = _cast(present[canon], kind)
        select.append(f"{expr} AS {canon}")
        raw_col = f"nullif(trim(CAST({_q(present[canon])} AS VARCHAR)), '')"
        if required:
            checks.append((f"{raw_col} IS NULL", present[canon], "is empty", "Fill the value or remove the row."))
        if kind != "VARCHAR":
            what = "a date and time" if kind == "TIMESTAMP" else "a number"
            example = "e.g. 2026-09-07T08:15:02Z" if kind == "TIMESTAMP" else "e.g. 12.50"
            checks.append((f"{raw_col} IS NOT NULL AND {expr} IS NULL", present[canon], f"is not {what}",
                           f"Write {what} ({example})."))
    con.execute(f"CREATE OR REPLACE TEMP TABLE typed_{name} AS SELECT __row, {', '.join(select)} FROM {read.relation}")
    if name == "surveys":
        for kind, (lo, hi) in SCORE_RANGES.items():
            checks.append((f"lower(trim({_q(present['kind'])})) = '{kind}' AND try_cast({_q(present['score'])} AS DOUBLE) "
                           f"NOT BETWEEN {lo} AND {hi}", present["score"], f"is outside the {kind.upper()} scale {lo}–{hi}",
                           f"Use a score from {lo} to {hi}."))
        checks.append((f"lower(trim({_q(present['kind'])})) NOT IN ('nps', 'csat', 'ces')", present["kind"],
                       "is not a survey kind", "Use nps, csat or ces."))
        checks.append((f"NOT isfinite(try_cast({_q(present['score'])} AS DOUBLE))", present["score"],
                       "is not a finite number", "Write the score as a number."))
    bad_conditions = []
    for cond, column, problem, fix in checks:
        count = con.execute(f"SELECT count(*) FROM {read.relation} WHERE {cond}").fetchone()[0]
        if not count:
            continue
        bad_conditions.append(f"({cond})")
        examples = con.execute(f"SELECT __row, CAST({_q(column)} AS VARCHAR) FROM {read.relation} WHERE {cond} "
                               f"ORDER BY __row LIMIT {MAX_EXAMPLES}").fetchall()
        for row, value in examples:
            issues.append(Issue(code="bad_value", file=file, row=int(row), column=column, value=value,
                                problem=f"'{'' if value is None else str(value)[:60]}' {problem}.", fix=fix,
                                severity="warning"))
        if count > len(examples):
            issues.append(Issue(code="bad_value", file=file, column=column, severity="warning",
                                problem=f"{count - len(examples)} more rows where the value {problem}.", fix=fix))
    anti = (f" WHERE __row NOT IN (SELECT __row FROM {read.relation} WHERE {' OR '.join(bad_conditions)})"
            if bad_conditions else "")
    con.execute(f"CREATE OR REPLACE TEMP TABLE kept_{name} AS SELECT * FROM typed_{name}{anti}")
    kept = con.execute(f"SELECT count(*) FROM kept_{name}").fetchone()[0]
    quality.update(rows_kept=kept, rows_rejected=read.rows - kept)
    if read.rows and (read.rows - kept) / read.rows > MAX_REJECTED_SHARE:
        issues = [i if i.severity == "error" else Issue(**{**i.as_dict(), "severity": "error"}) for i in issues]
        issues.append(Issue(code="too_many_bad_rows", file=file,
                            problem=f"{read.rows - kept} of {read.rows} rows cannot be read "
                                    f"(more than {MAX_REJECTED_SHARE:.0%}).",
                            fix="Check the column mapping, the separator and the date format."))
    return issues, quality


def touchpoint_case(journey: Journey) -> tuple[str, str]:
    """Return SQL CASE expressions giving each event's touchpoint and stage from the spec's match rules.

    The first touchpoint whose rule matches wins; an event matching none gets NULL.
    """
    tp_parts, stage_parts = [], []
    for tp in journey.touchpoints:
        rule = tp.match
        if rule is None or not (rule.event or rule.page or rule.channel):
            continue
        conds = []
        if rule.event:
            conds.append(f"event IN ({', '.join(_lit(e) for e in rule.event)})")
        if rule.page:
            conds.append("(" + " OR ".join(f"page GLOB {_lit(p)}" for p in rule.page) + ")")
        if rule.channel:
            conds.append(f"channel IN ({', '.join(_lit(c) for c in rule.channel)})")
        cond = " AND ".join(conds)
        tp_parts.append(f"WHEN {cond} THEN {_lit(tp.id)}")
        stage_parts.append(f"WHEN {cond} THEN {_lit(tp.stage)}")
    if not tp_parts:
        return "CAST(NULL AS VARCHAR)", "CAST(NULL AS VARCHAR)"
    return f"CASE {' '.join(tp_parts)} END", f"CASE {' '.join(stage_parts)} END"


def _finish_events(con, journey: Journey, source: Source, as_of: str | None) -> None:
    tp_case, stage_case = touchpoint_case(journey)
    order_case = "CASE " + " ".join(f"WHEN stage = {_lit(s)} THEN {i + 1}" for i, s in
                                    enumerate(journey.stage_ids)) + " END"
    cutoff = f"WHERE ts < CAST({_lit(as_of)} AS DATE) + INTERVAL 1 DAY" if as_of else ""
    has_sessions = con.execute("SELECT count(session_id) FROM kept_events").fetchone()[0] > 0
    if has_sessions:
        sessions = "session_id"
    else:  # build sessions by inactivity
        gap = source.session_timeout_minutes
        con.execute(f"""CREATE OR REPLACE TEMP TABLE kept_events AS
            SELECT * EXCLUDE (session_id, new_session),
                   user_id || '-' || CAST(sum(new_session) OVER (PARTITION BY user_id ORDER BY ts, __row
                        ROWS UNBOUNDED PRECEDING) AS VARCHAR) AS session_id
            FROM (SELECT *, CASE WHEN lag(ts) OVER (PARTITION BY user_id ORDER BY ts, __row) IS NULL
                        OR ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts, __row) > INTERVAL {gap} MINUTE
                        THEN 1 ELSE 0 END AS new_session FROM kept_events)""")
        sessions = "session_id"
    con.execute(f"""CREATE OR REPLACE TABLE events AS
        SELECT user_id, {sessions} AS session_id, ts, event, page, channel, device, revenue,
               touchpoint, stage, {order_case} AS stage_order
        FROM (SELECT *, {tp_case} AS touchpoint, {stage_case} AS stage FROM kept_events {cutoff})
        ORDER BY user_id, ts""")


def load_sources(con: duckdb.DuckDBPyConnection, journey: Journey, project_dir: str | os.PathLike, *,
                 as_of: str | None = None) -> tuple[list[Issue], list[dict], dict[str, str]]:
    """Load every source of the spec into ``con``.

    Returns
    -------
    issues
        Every problem found (errors block a run; warnings are reported corrections).
    quality
        One dict per table: table, file, rows_read, rows_kept, rows_rejected (+ for events:
        duplicates, unmatched events, first and last timestamp).
    hashes
        Source path -> sha256 of the file.
    """
    project_dir = Path(project_dir)
    issues: list[Issue] = []
    quality: list[dict] = []
    hashes: dict[str, str] = {}
    cutoff = f" WHERE ts < CAST({_lit(as_of)} AS DATE) + INTERVAL 1 DAY" if as_of else ""
    for name in ("events", "feedback", "surveys", "orders"):
        source = getattr(journey.sources, name)
        if source is None:
            continue
        table_issues, q = _load_table(con, journey, name, source, project_dir)
        issues += table_issues
        path = project_dir / source.path
        if path.exists():
            hashes[source.path] = file_sha256(path)
        if any(i.severity == "error" for i in table_issues):
            quality.append(q)
            continue
        if name == "events":
            _finish_events(con, journey, source, as_of)
            stats = con.execute("""SELECT count(*) - count(DISTINCT (user_id, session_id, ts, event, page)),
                                   count(*) FILTER (WHERE touchpoint IS NULL), min(ts), max(ts),
                                   count(DISTINCT user_id), count(DISTINCT session_id) FROM events""").fetchone()
            q.update(duplicates=stats[0], unmatched_events=stats[1], first_ts=str(stats[2]), last_ts=str(stats[3]),
                     users=stats[4], sessions=stats[5])
            shared = con.execute("SELECT count(*) FROM (SELECT session_id FROM events GROUP BY 1 "
                                 "HAVING count(DISTINCT user_id) > 1)").fetchone()[0]
            q["shared_sessions"] = shared
            if shared:
                issues.append(Issue(code="shared_session_ids", file=source.path, column="session_id", severity="warning",
                                    problem=f"{shared} session ids are used by more than one user; each counts as one "
                                            "session.", fix="Check how the export builds session ids."))
            if stats[0]:
                issues.append(Issue(code="duplicate_rows", file=source.path, severity="warning",
                                    problem=f"{stats[0]} events are exact duplicates (same user, session, time, "
                                            "event and page); they are kept and counted once in unique counts.",
                                    fix="Check the export for repeated rows."))
            if stats[1]:
                unmatched = con.execute("SELECT event, count(*) n FROM events WHERE touchpoint IS NULL "
                                        "GROUP BY 1 ORDER BY n DESC LIMIT 5").fetchall()
                listing = ", ".join(f"'{e}' ({n})" for e, n in unmatched)
                issues.append(Issue(code="unmatched_events", file=source.path, column="event", severity="warning",
                                    problem=f"{stats[1]} events match no touchpoint of the spec: {listing}.",
                                    fix="Add a touchpoint whose `match` covers them, if they matter to the journey."))
        else:
            extra = ""
            if name == "surveys":
                extra = ", lower(kind) AS kind"
                stage_ids = set(journey.stage_ids)
                unknown = con.execute("SELECT DISTINCT stage FROM kept_surveys WHERE stage IS NOT NULL").fetchall()
                for (stage,) in unknown:
                    if stage not in stage_ids:
                        row = con.execute(f"SELECT min(__row) FROM kept_surveys WHERE stage = {_lit(stage)}").fetchone()[0]
                        close = difflib.get_close_matches(stage, stage_ids, n=1)
                        issues.append(Issue(code="unknown_stage", file=source.path, row=int(row), column="stage",
                                            value=stage, severity="warning",
                                            problem=f"'{stage}' is not a stage of journey.yml; these answers count "
                                                    "for no stage.",
                                            fix=(f"Did you mean '{close[0]}'? " if close else "")
                                            + f"Stages: {', '.join(journey.stage_ids)}."))
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * EXCLUDE (__row{', kind' if extra else ''})"
                        f"{extra} FROM kept_{name}{cutoff} ORDER BY ts")
            q.update(first_ts=str(con.execute(f"SELECT min(ts) FROM {name}").fetchone()[0]),
                     last_ts=str(con.execute(f"SELECT max(ts) FROM {name}").fetchone()[0]))
        quality.append(q)
    return issues, quality, hashes
