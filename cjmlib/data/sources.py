"""Read the client's exports into engine tables with the canonical schema.

Every file is read as text first, so that nothing is lost on bad input: each value that does
not parse is reported with its row (as a spreadsheet numbers it: the header is row 1) and
column, the row is set aside, and the data-quality table says how many rows were read,
kept and rejected, and why.

Canonical tables (see ARCHITECTURE.md):

- ``events``: user_id, session_id, ts, event, page, channel, device, revenue, touchpoint, stage,
  stage_order
- ``feedback``: id, ts, user_id, text, rating, source, language, human_sentiment (a person's label read as
  negative, neutral or positive; mostly empty)
- ``surveys``: id, ts, user_id, kind, score, comment, stage, touchpoint
- ``orders``: order_id, user_id, ts, revenue, items, status

Customer ids (``user_id`` in every table) are pseudonymized in the engine as they are read, with
the project's secret (see :mod:`cjmlib.privacy`): the raw ids never reach a table.

Bad input gives an issue record, never a traceback: a file that cannot be read, a wrong separator
or encoding, a missing column, an unknown time zone or a file that changes while it is read are
errors; rows whose values do not parse, duplicate ids, non-finite numbers and scores off their scale
are set aside and reported (warnings), unless they pass 5 % of the file. See docs/bad-inputs.md.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..errors import Issue
from ..spec.model import Journey, Source
from ..voice.fitted import LABEL_WORDS
from .ga4 import GA4_COLUMNS, read_ga4
from .privacy import pseudonym_sql

__all__ = ["SCHEMAS", "file_sha256", "load_sources", "touchpoint_case"]

# canonical column -> (DuckDB type, required)
SCHEMAS: dict[str, dict[str, tuple[str, bool]]] = {
    "events": {"user_id": ("VARCHAR", True), "session_id": ("VARCHAR", False), "ts": ("TIMESTAMP", True),
               "event": ("VARCHAR", True), "page": ("VARCHAR", False), "channel": ("VARCHAR", False),
               "device": ("VARCHAR", False), "revenue": ("DOUBLE", False)},
    "feedback": {"id": ("VARCHAR", True), "ts": ("TIMESTAMP", True), "user_id": ("VARCHAR", False),
                 "text": ("VARCHAR", True), "rating": ("DOUBLE", False), "source": ("VARCHAR", False),
                 "language": ("VARCHAR", False), "human_sentiment": ("VARCHAR", False)},
    "surveys": {"id": ("VARCHAR", True), "ts": ("TIMESTAMP", True), "user_id": ("VARCHAR", False),
                "kind": ("VARCHAR", True), "score": ("DOUBLE", True), "comment": ("VARCHAR", False),
                "stage": ("VARCHAR", False), "touchpoint": ("VARCHAR", False)},
    "orders": {"order_id": ("VARCHAR", True), "user_id": ("VARCHAR", True), "ts": ("TIMESTAMP", True),
               "revenue": ("DOUBLE", True), "items": ("DOUBLE", False), "status": ("VARCHAR", False)},
}
SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
RATING_RANGE = (1, 5)  # feedback ratings (stars)
ID_COLUMNS = {"feedback": "id", "surveys": "id", "orders": "order_id"}  # one row per id
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8", "latin-1": "latin-1", "latin1": "latin-1",
             "iso-8859-1": "latin-1", "utf-16": "utf-16"}  # read by the engine itself, with no extension
MAX_LINE_BYTES = 1 << 26  # a CSV line (e.g. one huge feedback text) may be this long
_SEPARATORS = (";", "\t", "|", ",")
_ZONED = r"(Z|z|[+-][0-9]{2}(:?[0-9]{2})?| ?UTC)$"  # a timestamp written with its zone
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
    set_aside: int = 0  # rows read but set aside before the checks (a field more than the header)


def _format_of(source: Source, path: Path) -> str:
    if source.format:
        return source.format
    suffix = path.suffix.lower()
    return {".parquet": "parquet", ".json": "json", ".jsonl": "json", ".ndjson": "json"}.get(suffix, "csv")


def _first_bad_byte(path: Path, encoding: str) -> tuple[int, int] | None:
    """Return (byte offset, line) of the first byte that is not valid ``encoding``, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset, line = 0, 1
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                where = offset + max(exc.start, 0)
                return where, line + chunk[:max(exc.start, 0)].count(b"\n")
            offset += len(chunk)
            line += chunk.count(b"\n")
    return None


def _unreadable(path: Path, source: Source, file: str, message: str) -> Issue:
    encoding = ENCODINGS.get(source.encoding.lower().replace("_", "-"), "utf-8")
    bad = _first_bad_byte(path, encoding) if _format_of(source, path) == "csv" else None
    if bad is not None:
        return Issue(code="bad_encoding", file=file, row=bad[1],
                     problem=f"the file is not {source.encoding} text (byte {bad[0]} on line {bad[1]}).",
                     fix="Set `encoding: latin-1` for this source in journey.yml, or save the file as UTF-8.")
    return Issue(code="unreadable_file", file=file, problem=f"the file cannot be read: {message}",
                 fix="Check the separator (set `separator:` in sources), the encoding (`encoding:`) and the format.")


def _raw_name(numbered: str) -> str:
    return numbered.split(" TABLE ", 1)[1].split(" ", 1)[0]


def _header_width(path: Path, encoding: str, separator: str | None) -> int:
    """The number of fields of the file's first line (with the source's separator, else the one giving most)."""
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        line = handle.readline(MAX_LINE_BYTES).lstrip("\ufeff")
    return max(len(next(csv.reader([line], delimiter=sep), [])) for sep in ([separator] if separator else _SEPARATORS))


def _read_csv(con, numbered: str, path: Path, source: Source, file: str) -> tuple[int, list[Issue]]:
    """Read a CSV as text; when rows have more or fewer fields than the header, read it again leniently.

    The strict reading keeps quoted line breaks and doubled quotes right; the lenient one pads short
    rows with empty values. A row with more fields than the header (most often a text holding the
    separator without quotes) would have its fields shifted: it is set aside and reported by its line.
    Returns the number of rows set aside and the issues.
    """
    sep = f", delim={_lit(source.separator)}" if source.separator else ""
    enc = ENCODINGS[source.encoding.lower().replace("_", "-")]
    encoding = "" if enc == "utf-8" else f", encoding={_lit(enc)}"
    options = f"all_varchar=true, header=true{sep}{encoding}, max_line_size={MAX_LINE_BYTES}"
    width = _header_width(path, enc, source.separator)
    raw = _raw_name(numbered)
    try:
        con.execute(f"{numbered}FROM read_csv({_lit(str(path))}, {options})")
        columns = con.execute(f"SELECT * FROM {raw} LIMIT 0").description[1:]
        # the strict sniffer may take a later line for the header when the first rows are irregular
        if (len(columns) > 1 or not any(s in columns[0][0] for s in _SEPARATORS)) and len(columns) == width:
            return 0, []
    except duckdb.Error:
        pass
    con.execute(f"{numbered}FROM read_csv({_lit(str(path))}, {options}, strict_mode=false, null_padding=true, "
                "parallel=false)")
    extra = [c[0] for c in con.execute(f"SELECT * FROM {raw} LIMIT 0").description[1:]][width:] if width > 1 else []
    long_rows = " OR ".join(f"{_q(c)} IS NOT NULL" for c in extra) or "false"
    rows = [r for (r,) in con.execute(f"SELECT __row FROM {raw} WHERE {long_rows} ORDER BY __row").fetchall()]
    con.execute(f"DELETE FROM {raw} WHERE {long_rows}")
    for column in extra:
        con.execute(f"ALTER TABLE {raw} DROP COLUMN {_q(column)}")
    if not rows:
        return 0, [Issue(code="irregular_rows", file=file, severity="warning",
                         problem="some rows have fewer fields than the header; the missing fields are read as empty.",
                         fix="Check the separator and the quoting of texts in the export.")]
    many = len(rows) > 1
    listed = ", ".join(map(str, rows[:MAX_EXAMPLES])) + (f" and {len(rows) - MAX_EXAMPLES} more"
                                                         if len(rows) > MAX_EXAMPLES else "")
    return len(rows), [Issue(
        code="irregular_rows", file=file, row=rows[0], severity="warning",
        problem=f"{len(rows)} row{'s' * many} ({listed}) {'have' if many else 'has'} more fields "
                f"than the header's {width}: the fields cannot be told apart, so {'they are' if many else 'it is'} "
                "set aside.",
        fix="Most often a text holds the separator: export with texts in double quotes, or set `separator:` "
            "for this source in journey.yml.")]


def _read_raw(con: duckdb.DuckDBPyConnection, name: str, path: Path, source: Source, file: str) -> tuple[_Read | None, list[Issue]]:
    fmt = _format_of(source, path)
    raw = f"raw_{name}"
    numbered = f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT row_number() OVER () + 1 AS __row, * "
    if path.is_dir():
        return None, [Issue(code="not_a_file", file=file, problem="this path is a folder, not a file.",
                            fix="Point the source's `path` at the export file itself.")]
    if path.stat().st_size == 0:
        return None, [Issue(code="empty_file", file=file, problem="the file is empty.",
                            fix="Export the data again; the file needs a header row and data rows.")]
    if fmt == "ga4":  # a GA4 BigQuery export, flattened into the canonical events columns (cjmlib.ga4)
        if name != "events":
            return None, [Issue(code="ga4_not_events", file="journey.yml", key=f"sources.{name}.format",
                                problem="`format: ga4` reads events only.", fix="Remove `format: ga4` here.")]
        try:
            return _Read(raw, list(GA4_COLUMNS), read_ga4(con, raw, path)), []
        except (duckdb.Error, ValueError) as exc:
            return None, [_unreadable(path, source, file, str(exc).splitlines()[0][:300])]
    issues: list[Issue] = []
    set_aside = 0
    if fmt == "csv" and source.encoding.lower().replace("_", "-") not in ENCODINGS:
        return None, [Issue(code="unknown_encoding", file="journey.yml", key=f"sources.{name}.encoding",
                            value=source.encoding, problem=f"'{source.encoding}' is not an encoding the workbench reads.",
                            fix="Use utf-8, latin-1 or utf-16, or save the file as UTF-8.")]
    try:
        if fmt == "csv":
            set_aside, issues = _read_csv(con, numbered, path, source, file)
        elif fmt == "parquet":
            con.execute(f"{numbered}FROM read_parquet({_lit(str(path))})")
        else:  # every JSON value is read as its text, so long ids keep all their digits
            names = con.execute(f"SELECT * FROM read_json_auto({_lit(str(path))}) LIMIT 0").fetchdf().columns
            columns = "{" + ", ".join(f"{_lit(c)}: 'VARCHAR'" for c in names) + "}"
            con.execute(f"{numbered}FROM read_json({_lit(str(path))}, columns={columns})")
    except duckdb.Error as exc:
        return None, [_unreadable(path, source, file, str(exc).splitlines()[0][:300])]
    columns = [c for c in con.execute(f"SELECT * FROM {raw} LIMIT 0").fetchdf().columns if c != "__row"]
    rows = con.execute(f"SELECT count(*) FROM {raw}").fetchone()[0]
    if fmt == "csv" and len(columns) == 1:
        inside = [s for s in _SEPARATORS if s in columns[0] and s != source.separator]
        if inside:
            shown = "\\t" if inside[0] == "\t" else inside[0]
            return None, [Issue(code="wrong_separator", file=file, row=1, value=columns[0][:80],
                                problem=f"the header reads as one column; the values look separated by '{shown}'.",
                                fix=f"Set `separator: \"{shown}\"` for this source in journey.yml.")]
    return _Read(raw, columns, rows, set_aside), issues


def _text(canon: str) -> str:
    """The staged column holding a canonical field as trimmed text (see :func:`_stage`)."""
    return _q(f"__t_{canon}")


def _cast(text: str, kind: str) -> str:
    """SQL turning ``text`` (a trimmed text expression) into ``kind``; NULL when the value does not parse."""
    if kind == "TIMESTAMP":
        # zone-aware strings (Z, +02:00, " UTC") are converted to UTC; naive ones are read in the source's zone
        zoned = f"CASE WHEN ends_with({text}, 'UTC') THEN regexp_replace({text}, ' ?UTC$', 'Z') ELSE {text} END"
        return (f"timezone('UTC', coalesce(try_cast({zoned} AS TIMESTAMPTZ), "
                f"try_cast(try_cast({text} AS TIMESTAMP) AS TIMESTAMPTZ)))")
    if kind == "DOUBLE":
        return f"try_cast(replace({text}, ',', '.') AS DOUBLE)"
    return f"nullif({text}, '')"


def _label(text: str) -> str:
    """SQL reading a sentiment label (any spelling of :data:`LABEL_WORDS`, case and accents aside) as
    ``negative``, ``neutral`` or ``positive``; NULL when empty or not a label."""
    cases = " ".join(f"WHEN {_lit(word)} THEN {_lit(label)}" for word, label in LABEL_WORDS.items())
    return f"CASE strip_accents(lower({text})) {cases} END"


def _missing_columns(name: str, source: Source, read: _Read, file: str) -> tuple[dict[str, str], list[Issue]]:
    """Map canonical columns to the file's columns; report required or mapped columns that are missing."""
    present, issues = {}, []
    for canon, (_, required) in SCHEMAS[name].items():
        col = source.columns.get(canon, canon)
        if col in read.columns:
            present[canon] = col
        elif required or canon in source.columns:
            close = difflib.get_close_matches(col, read.columns, n=1, cutoff=0.6)
            hint = f"Did you mean '{close[0]}'? " if close else ""
            issues.append(Issue(code="missing_column", file=file, row=1, column=col,
                                problem=f"the {name} file has no column '{col}' (needed as `{canon}`).",
                                fix=f"{hint}Columns in the file: {', '.join(read.columns)}. "
                                    f"Map it in journey.yml under sources.{name}.columns."))
    return present, issues


def _checks(name: str, present: dict[str, str]) -> list[tuple[str, str, str, str, str]]:
    """Return the row checks of a table: (reason code, SQL condition of a bad row, column, problem, fix).

    Conditions are written over the staged table (:func:`_stage`): ``__t_<field>`` the trimmed text,
    ``<field>`` the typed value.
    """
    checks = []
    for canon, (kind, required) in SCHEMAS[name].items():
        if canon not in present:
            continue
        column = present[canon]
        raw_col = f"nullif({_text(canon)}, '')"
        if required:
            checks.append(("bad_value", f"{raw_col} IS NULL", column, "is empty", "Fill the value or remove the row."))
        if kind == "TIMESTAMP":
            checks.append(("bad_value", f"{raw_col} IS NOT NULL AND {canon} IS NULL", column, "is not a date and time",
                           "Write a date and time (e.g. 2026-09-07T08:15:02Z)."))
        elif kind == "DOUBLE":
            checks.append(("bad_value", f"{raw_col} IS NOT NULL AND {canon} IS NULL", column, "is not a number",
                           "Write a number (e.g. 12.50)."))
            checks.append(("bad_value", f"NOT isfinite({canon})", column, "is not a finite number",
                           "Write a number; NaN and infinity are not values."))
    if name == "surveys":
        kind = f"lower({_text('kind')})"
        for survey, (lo, hi) in SCORE_RANGES.items():
            checks.append(("bad_value", f"{kind} = '{survey}' AND isfinite(score) AND score NOT BETWEEN {lo} AND {hi}",
                           present["score"], f"is outside the {survey.upper()} scale {lo}–{hi}",
                           f"Use a score from {lo} to {hi}."))
        checks.append(("bad_value", f"{kind} NOT IN ('nps', 'csat', 'ces')", present["kind"],
                       "is not a survey kind", "Use nps, csat or ces."))
    if name == "feedback" and "rating" in present:
        lo, hi = RATING_RANGE
        checks.append(("bad_value", f"isfinite(rating) AND rating NOT BETWEEN {lo} AND {hi}", present["rating"],
                       f"is outside the rating scale {lo}–{hi}", f"Use a rating from {lo} to {hi} (stars)."))
    if name == "feedback" and "human_sentiment" in present:
        checks.append(("bad_value", f"nullif({_text('human_sentiment')}, '') IS NOT NULL AND human_sentiment IS NULL",
                       present["human_sentiment"], "is not a sentiment label",
                       "Write negative, neutral or positive (or leave it empty for an item nobody labelled)."))
    if name in ID_COLUMNS:
        col = f"nullif({_text(ID_COLUMNS[name])}, '')"
        checks.append(("duplicate_id", f"{col} IS NOT NULL AND __row <> min(__row) OVER (PARTITION BY {col})",
                       present[ID_COLUMNS[name]], "repeats the id of an earlier row; the later row is set aside",
                       "Give each row its own id, or remove the repeated rows from the export."))
    return checks


def _stage(con, name: str, present: dict[str, str], relation: str, checks) -> None:
    """Build ``checked_<name>`` in one pass over the raw text: each field trimmed and typed, one flag per check
    (``__bad<k>``) and whether the timestamp carries a zone (``__zoned``). Customer ids stay raw here."""
    texts = ", ".join(f"trim(CAST({_q(col)} AS VARCHAR)) AS {_text(canon)}" for canon, col in present.items())
    typed = ", ".join(f"{_label(_text(canon)) if canon == 'human_sentiment' else _cast(_text(canon), kind)} AS {canon}"
                      if canon in present else f"CAST(NULL AS {kind}) AS {canon}"
                      for canon, (kind, _) in SCHEMAS[name].items())
    flags = "".join(f"coalesce({cond}, false) AS __bad{k}, " for k, (_, cond, *_) in enumerate(checks))
    # only the row number, the typed fields and the flags are stored: the trimmed texts stay in the query
    fields = ", ".join(SCHEMAS[name])
    con.execute(f"CREATE OR REPLACE TEMP TABLE checked_{name} AS SELECT __row, {fields}, {flags}"
                f"regexp_matches(nullif({_text('ts')}, ''), {_lit(_ZONED)}) AS __zoned "
                f"FROM (SELECT *, {typed} FROM (SELECT __row, {texts} FROM {relation}))")


def _bad_rows(con, name: str, relation: str, checks, file: str) -> tuple[int, int, int, list[Issue]]:
    """Count every check's bad rows in one query; return (timestamps with a zone, without one, rows kept,
    one warning per example row)."""
    counts = [f"count(*) FILTER (WHERE __bad{k})" for k in range(len(checks))]
    any_bad = " OR ".join(f"__bad{k}" for k in range(len(checks))) or "false"
    zoned, naive, kept, *bad = con.execute(
        f"SELECT count(*) FILTER (WHERE __zoned), count(*) FILTER (WHERE NOT __zoned), "
        f"count(*) FILTER (WHERE NOT ({any_bad})){''.join(', ' + c for c in counts)} FROM checked_{name}").fetchone()
    issues = []
    for k, ((code, _, column, problem, fix), count) in enumerate(zip(checks, bad, strict=True)):
        if not count:
            continue
        examples = con.execute(f"SELECT __row, CAST({_q(column)} AS VARCHAR) FROM {relation} WHERE __row IN "
                               f"(SELECT __row FROM checked_{name} WHERE __bad{k} ORDER BY __row LIMIT {MAX_EXAMPLES}) "
                               "ORDER BY __row").fetchall()
        for row, value in examples:
            issues.append(Issue(code=code, file=file, row=int(row), column=column,
                                value=None if value is None else str(value)[:80],
                                problem=f"'{'' if value is None else str(value)[:60]}' {problem}.", fix=fix,
                                severity="warning"))
        if count > len(examples):
            issues.append(Issue(code=code, file=file, column=column, severity="warning",
                                problem=f"{count - len(examples)} more rows where the value {problem}.", fix=fix))
    return zoned, naive, kept, issues


def _zone_issue(zoned: int, naive: int, column: str, source: Source, file: str) -> list[Issue]:
    """Warn when a file mixes timestamps written with a zone and without one."""
    if not (zoned and naive):
        return []
    return [Issue(code="mixed_time_zones", file=file, column=column, severity="warning",
                  problem=f"{zoned} timestamps carry a time zone and {naive} do not; those with a zone are "
                          f"converted to UTC, the others are read as {source.timezone} (the source's `timezone`).",
                  fix="Check that the export writes every timestamp the same way, or set `timezone:` for this "
                      "source.")]


def _keep(con, name: str, checks, secret: bytes | None, pseudonymize: bool) -> None:
    """Build ``kept_<name>`` (``__row`` and the canonical fields) from the rows no check set aside.

    Customer ids are pseudonymized once per distinct id (``ids_<name>``: raw id -> pseudonym),
    not once per row.
    """
    columns = ", ".join(f"c.{canon}" for canon in SCHEMAS[name])
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


def _load_table(con, journey: Journey, name: str, source: Source, project_dir: Path, *,
                secret: bytes | None = None) -> tuple[list[Issue], dict]:
    path = (project_dir / source.path).resolve() if not Path(source.path).is_absolute() else Path(source.path)
    file = source.path
    quality = {"table": name, "file": file, "rows_read": 0, "rows_kept": 0, "rows_rejected": 0}
    if not path.exists():
        return [Issue(code="missing_file", file="journey.yml", key=f"sources.{name}.path", value=source.path,
                      problem=f"the {name} file '{source.path}' does not exist.",
                      fix="Put the export in the project's data/ folder or correct the path.")], quality
    try:
        con.execute(f"SET TimeZone = {_lit(source.timezone)}")
    except duckdb.Error:
        return [Issue(code="unknown_timezone", file="journey.yml", key=f"sources.{name}.timezone",
                      value=source.timezone, problem=f"'{source.timezone}' is not a time zone.",
                      fix="Use a zone name such as UTC, Europe/Paris or America/New_York.")], quality
    read, issues = _read_raw(con, name, path, source, file)
    if read is None:
        return issues, quality
    quality["rows_read"] = read.rows + read.set_aside
    if read.rows == 0 and not read.set_aside:
        return [Issue(code="no_rows", file=file, problem="the file has a header but no data rows.",
                      fix="Export the data again with its rows.")], quality
    present, missing = _missing_columns(name, source, read, file)
    if missing:
        return issues + missing, quality
    unused = [c for c in read.columns if c not in present.values()]
    if unused:
        issues.append(Issue(code="unused_columns", file=file, row=1, severity="warning",
                            problem=f"{len(unused)} columns are not used: {', '.join(unused[:10])}"
                                    f"{', …' if len(unused) > 10 else ''}.",
                            fix=f"Map a column in journey.yml under sources.{name}.columns if it holds a "
                                "canonical field."))
    checks = _checks(name, present)
    _stage(con, name, present, read.relation, checks)
    zoned, naive, kept, bad = _bad_rows(con, name, read.relation, checks, file)
    con.execute(f"DROP TABLE {read.relation}")  # the raw text is no longer needed: free it before going on
    issues += _zone_issue(zoned, naive, present["ts"], source, file) + bad
    pseudonymize = secret is not None and "user_id" in present
    _keep(con, name, checks, secret, pseudonymize)
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
    tp_case, _ = touchpoint_case(journey)
    # the stage is the matched touchpoint's: its rules are not evaluated a second time
    stage_case = ("CASE touchpoint " + " ".join(f"WHEN {_lit(tp.id)} THEN {_lit(tp.stage)}" for tp in journey.touchpoints)
                  + " END") if journey.touchpoints else "CAST(NULL AS VARCHAR)"
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
        FROM (SELECT *, {stage_case} AS stage FROM (SELECT *, {tp_case} AS touchpoint FROM kept_events {cutoff}))
        ORDER BY user_id, ts""")


def _as_of_issue(as_of: str | None) -> Issue | None:
    if not as_of:
        return None
    try:
        dt.date.fromisoformat(str(as_of))
    except ValueError:
        return Issue(code="bad_as_of", file="--as-of", value=str(as_of)[:40],
                     problem=f"'{str(as_of)[:40]}' is not a day.", fix="Write the day as YYYY-MM-DD, e.g. 2026-09-30.")
    return None


def _unknown_labels(con, journey: Journey, source: Source) -> list[Issue]:
    """Warn about survey answers naming a stage or touchpoint the spec does not have."""
    issues = []
    for column, known, what in (("stage", journey.stage_ids, "stage"),
                                ("touchpoint", [t.id for t in journey.touchpoints], "touchpoint")):
        unknown = con.execute(f"SELECT {column}, min(__row), count(*) FROM kept_surveys WHERE {column} IS NOT NULL "
                              f"AND {column} NOT IN (SELECT unnest(?::VARCHAR[])) GROUP BY 1 ORDER BY 2",
                              [list(known)]).fetchall()
        for value, row, count in unknown[:MAX_EXAMPLES]:
            close = difflib.get_close_matches(value, known, n=1)
            issues.append(Issue(code=f"unknown_{what}", file=source.path, row=int(row), column=column, value=value,
                                severity="warning",
                                problem=f"'{value}' is not a {what} of journey.yml; these {count} answers count "
                                        f"for no {what}.",
                                fix=(f"Did you mean '{close[0]}'? " if close else "")
                                + f"{what.capitalize()}s: {', '.join(known) or 'none declared'}."))
    return issues


def _event_stats(con, source: Source, q: dict) -> list[Issue]:
    issues = []
    # exact duplicates: rows beyond the first of each (user, session, time, event, page) group
    stats = con.execute("""SELECT coalesce(sum(n - 1), 0), sum(unmatched), min(first), max(last), count(DISTINCT user_id)
                           FROM (SELECT user_id, count(*) n, count(*) FILTER (WHERE touchpoint IS NULL) unmatched,
                                        min(ts) first, max(ts) last FROM events
                                 GROUP BY user_id, session_id, ts, event, page)""").fetchone()
    # sessions: distinct non-empty ids; shared: ids (the empty one included) used by more than one user
    sessions, shared = con.execute("""SELECT count(*) FILTER (WHERE session_id IS NOT NULL),
                                      count(*) FILTER (WHERE users > 1)
                                      FROM (SELECT session_id, count(DISTINCT user_id) users FROM events
                                            GROUP BY session_id)""").fetchone()
    stats = (int(stats[0]), int(stats[1] or 0), stats[2], stats[3], stats[4], sessions)
    q.update(duplicates=stats[0], unmatched_events=stats[1], first_ts=str(stats[2]), last_ts=str(stats[3]),
             users=stats[4], sessions=stats[5])
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
    return issues


def load_sources(con: duckdb.DuckDBPyConnection, journey: Journey, project_dir: str | os.PathLike, *,
                 as_of: str | None = None, secret: bytes | None = None) -> tuple[list[Issue], list[dict], dict[str, str]]:
    """Load every source of the spec into ``con``.

    Parameters
    ----------
    con
        The engine connection the canonical tables are created in.
    journey
        The journey spec naming the sources.
    project_dir
        The folder the source paths are relative to.
    as_of
        Keep only rows up to this day (``YYYY-MM-DD``), inclusive.
    secret
        The key customer ids are pseudonymized with (:func:`cjmlib.privacy.read_secret`); ids are
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
    bad_day = _as_of_issue(as_of)
    if bad_day:
        return [bad_day], quality, hashes
    cutoff = f" WHERE ts < CAST({_lit(as_of)} AS DATE) + INTERVAL 1 DAY" if as_of else ""
    for name in ("events", "feedback", "surveys", "orders"):
        source = getattr(journey.sources, name)
        if source is None:
            continue
        path = project_dir / source.path
        before = file_sha256(path) if path.is_file() else None
        table_issues, q = _load_table(con, journey, name, source, project_dir, secret=secret)
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
        if name == "events":
            _finish_events(con, journey, source, as_of)
            issues += _event_stats(con, source, q)
        else:
            extra = ""
            if name == "surveys":
                extra = ", lower(kind) AS kind"
                issues += _unknown_labels(con, journey, source)
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
