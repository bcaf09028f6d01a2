"""Check a raw table against its canonical schema: columns, typed values, bad rows, and what the tables hold.

The raw text (:mod:`cjmlib.data.read`) is typed field by field in the engine; a value that does not
parse, a required value missing, a duplicate id, a non-finite number or a score off its scale
marks its row, and each problem is reported with its row (as a spreadsheet numbers it) and column.
Once the canonical tables are built, the same checks name survey answers pointing at no stage
or touchpoint of the spec, and count duplicates, unmatched events and shared session ids.
"""

from __future__ import annotations

import datetime as dt

from ..errors import Issue
from ..personal import mask_personal
from ..spec.issues import did_you_mean
from ..spec.model import Journey, Source
from .read import MAX_EXAMPLES, RawTable
from .sql import quote_ident, quote_literal

__all__ = [
    "ID_COLUMNS",
    "LABEL_WORDS",
    "RATING_RANGE",
    "ROW_NUMBER_IDS",
    "SCHEMAS",
    "SCORE_RANGES",
    "as_of_issue",
    "bad_rows",
    "build_checked",
    "event_stats",
    "extra_columns",
    "missing_columns",
    "plausible_days",
    "row_checks",
    "unknown_labels",
    "zone_issue",
]

# canonical column -> (DuckDB type, required)
SCHEMAS: dict[str, dict[str, tuple[str, bool]]] = {
    "events": {"user_id": ("VARCHAR", True), "session_id": ("VARCHAR", False), "ts": ("TIMESTAMP", True),
               "event": ("VARCHAR", True), "page": ("VARCHAR", False), "channel": ("VARCHAR", False),
               "device": ("VARCHAR", False), "revenue": ("DOUBLE", False)},
    "feedback": {"id": ("VARCHAR", True), "ts": ("TIMESTAMP", True), "user_id": ("VARCHAR", False),
                 "text": ("VARCHAR", True), "rating": ("DOUBLE", False), "source": ("VARCHAR", False),
                 "language": ("VARCHAR", False), "human_sentiment": ("VARCHAR", False),
                 "touchpoint": ("VARCHAR", False), "page": ("VARCHAR", False)},
    "surveys": {"id": ("VARCHAR", True), "ts": ("TIMESTAMP", True), "user_id": ("VARCHAR", False),
                "kind": ("VARCHAR", True), "score": ("DOUBLE", True), "comment": ("VARCHAR", False),
                "stage": ("VARCHAR", False), "touchpoint": ("VARCHAR", False)},
    "orders": {"order_id": ("VARCHAR", True), "user_id": ("VARCHAR", True), "ts": ("TIMESTAMP", True),
               "revenue": ("DOUBLE", True), "items": ("DOUBLE", False), "status": ("VARCHAR", False)},
    "operations": {"case_id": ("VARCHAR", True), "user_id": ("VARCHAR", True), "ts": ("TIMESTAMP", True),
                   "status": ("VARCHAR", True), "touchpoint": ("VARCHAR", False), "order_id": ("VARCHAR", False),
                   "contact": ("VARCHAR", False)},
}
SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
RATING_RANGE = (1, 5)  # feedback ratings (stars)
ID_COLUMNS = {"feedback": "id", "surveys": "id", "orders": "order_id"}  # one row per id
#: Ids a file may do without when the spec maps no column onto them: each row is then one record, and its id
#: is its row number in the file (the header is row 1), e.g. orders exported one row per purchase.
ROW_NUMBER_IDS = {"orders": "order_id"}
#: Accepted spellings of a label (accent- and case-insensitive) and the class they stand for; the loader
#: reads the ``human_sentiment`` column of the feedback with it (see :func:`build_checked`).
LABEL_WORDS = {"negative": "negative", "neg": "negative", "negatif": "negative",
               "-1": "negative", "neutral": "neutral", "neu": "neutral", "neutre": "neutral", "0": "neutral",
               "positive": "positive", "pos": "positive", "positif": "positive", "1": "positive",
               "+1": "positive"}
_ZONED = r"(Z|z|[+-][0-9]{2}(:?[0-9]{2})?| ?UTC)$"  # a timestamp written with its zone


def _text(canon: str) -> str:
    """The staged column holding a canonical field as trimmed text (see :func:`build_checked`)."""
    return quote_ident(f"__t_{canon}")


def _cast(text: str, kind: str) -> str:
    """SQL turning ``text`` (a trimmed text expression) into ``kind``; NULL when the value does not parse."""
    if kind == "TIMESTAMP":
        # zone-aware strings (Z, +02:00, " UTC") are converted to UTC; naive ones are read in the source's zone
        zoned = f"CASE WHEN ends_with({text}, 'UTC') THEN regexp_replace({text}, ' ?UTC$', 'Z') ELSE {text} END"
        # a date written as eight digits is the ISO 8601 basic form YYYYMMDD (exports of old systems)
        basic = f"CASE WHEN regexp_full_match({text}, '[0-9]{{8}}') THEN try_strptime({text}, '%Y%m%d') END"
        return (f"timezone('UTC', coalesce(try_cast({zoned} AS TIMESTAMPTZ), "
                f"try_cast(coalesce(try_cast({text} AS TIMESTAMP), {basic}) AS TIMESTAMPTZ)))")
    if kind == "DOUBLE":
        return f"try_cast(replace({text}, ',', '.') AS DOUBLE)"
    return f"nullif({text}, '')"


def _label(text: str) -> str:
    """SQL reading a sentiment label (any spelling of :data:`LABEL_WORDS`, case and accents aside) as
    ``negative``, ``neutral`` or ``positive``; NULL when empty or not a label."""
    cases = " ".join(f"WHEN {quote_literal(word)} THEN {quote_literal(label)}" for word, label in LABEL_WORDS.items())
    return f"CASE strip_accents(lower({text})) {cases} END"


def _unique_columns(con, read: RawTable, columns: list[str]) -> list[str]:
    """The columns among ``columns`` whose non-empty values never repeat in the raw file."""
    if con is None or not columns:
        return columns
    counts = ", ".join(f"count(DISTINCT {quote_ident(c)}) = count({quote_ident(c)})" for c in columns)
    return [c for c, unique in zip(columns, con.execute(f"SELECT {counts} FROM {read.relation}").fetchone()) if unique]


def missing_columns(name: str, source: Source, read: RawTable, file: str, *,
                    con=None) -> tuple[dict[str, str], list[Issue]]:
    """Map canonical columns to the file's columns; report required or mapped columns that are missing.

    An id of :data:`ROW_NUMBER_IDS` that the spec does not map and the file does not have is not missing:
    the rows are numbered instead (see :func:`build_checked`). For a missing id column, "did you mean"
    proposes only a column whose values never repeat.

    Parameters
    ----------
    name
        The canonical table: ``events``, ``feedback``, ``surveys`` or ``orders`` (a key of :data:`SCHEMAS`).
    source
        The spec's entry for the file; its ``columns`` map canonical names to the file's own.
    read
        The file as read into the engine (:func:`cjmlib.data.read.read_raw`), for its header.
    file
        The file's path as the spec writes it, named by the issues.
    con
        The engine connection holding the raw file (``read.relation``), to tell which columns hold unique
        values; without it, every column may be proposed.
    """
    present, issues = {}, []
    for canon, (_, required) in SCHEMAS[name].items():
        col = source.columns.get(canon, canon)
        if col in read.columns:
            present[canon] = col
        elif canon in source.columns or (required and ROW_NUMBER_IDS.get(name) != canon):
            choices = list(read.columns)
            if ID_COLUMNS.get(name) == canon:
                choices = _unique_columns(con, read, [c for c in choices if did_you_mean(col, [c])])
            hint = did_you_mean(col, choices)
            issues.append(Issue(code="missing_column", file=file, row=1, column=col,
                                problem=f"the {name} file has no column '{col}' (needed as `{canon}`).",
                                fix=f"{hint}Columns in the file: {', '.join(read.columns)}. "
                                    f"Map it in journey.yml under sources.{name}.columns."))
    return present, issues


#: Columns of the canonical events table besides SCHEMAS["events"]: a file column of these names is not kept.
DERIVED_EVENT_COLUMNS = ("touchpoint", "stage", "stage_order")


def extra_columns(name: str, present: dict[str, str], columns: list[str]) -> list[str]:
    """The columns of an events file kept under their own names besides the canonical ones (mapped or not).

    Breakdowns and persona rules may name any column of the events file. Kept: every column not
    mapped to a canonical field, unless its name (case aside) is a canonical or derived column's,
    or starts with ``__`` (the loader's own). Other tables keep their canonical columns only.

    Parameters
    ----------
    name
        The canonical table: ``events``, ``feedback``, ``surveys`` or ``orders``.
    present
        Canonical column -> the file's column, for the columns the file has.
    columns
        The file's columns, in its order.
    """
    if name != "events":
        return []
    taken = {c.lower() for c in (*SCHEMAS["events"], *DERIVED_EVENT_COLUMNS)}
    mapped = set(present.values())
    out, seen = [], set()
    for col in columns:
        low = col.lower()
        if col in mapped or low in taken or low in seen or col.startswith("__") or not col.strip():
            continue
        seen.add(low)
        out.append(col)
    return out


EARLIEST_DAY = dt.date(1990, 1, 1)  # rows dated before are set aside unless the source's `dates` allows them


def plausible_days(dates: tuple[dt.date, dt.date] | None, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """Return the first and last day a row may be dated: the source's ``dates``, else 1990-01-01 to tomorrow.

    Parameters
    ----------
    dates
        The source's ``dates`` ([first day, last day]) from journey.yml, or None.
    today
        The day of the run (UTC today when omitted); a row dated after the next day is in the future.
    """
    if dates is not None:
        return dates[0], dates[1]
    today = today or dt.datetime.now(dt.UTC).date()
    return EARLIEST_DAY, today + dt.timedelta(days=1)


def row_checks(name: str, present: dict[str, str], dates: tuple[dt.date, dt.date] | None = None
               ) -> list[tuple[str, str, str, str, str]]:
    """Return the row checks of a table: (reason code, SQL condition of a bad row, column, problem, fix).

    Conditions are written over the staged table (:func:`build_checked`): ``__t_<field>`` the trimmed text,
    ``<field>`` the typed value.

    Parameters
    ----------
    name
        The canonical table: ``events``, ``feedback``, ``surveys`` or ``orders``.
    present
        Canonical column -> the file's column, for the columns the file has (:func:`missing_columns`).
    dates
        The source's ``dates`` from journey.yml (see :func:`plausible_days`).
    """
    checks = []
    first, last = plausible_days(dates)
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
            checks.append(("bad_value", f"{canon} < DATE '{first}' OR {canon} >= DATE '{last}' + 1", column,
                           f"is dated outside {first} – {last}",
                           (f"Correct the date; if such dates are right, set `dates: [FIRST, LAST]` for this "
                            f"source in journey.yml (now {first} to {last}).")))
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
    if name in ID_COLUMNS and ID_COLUMNS[name] in present:
        col = f"nullif({_text(ID_COLUMNS[name])}, '')"
        checks.append(("duplicate_id", f"{col} IS NOT NULL AND __row <> min(__row) OVER (PARTITION BY {col})",
                       present[ID_COLUMNS[name]], "repeats the id of an earlier row; the later row is set aside",
                       "Give each row its own id, or remove the repeated rows from the export."))
    return checks


def build_checked(con, name: str, present: dict[str, str], relation: str, checks, extra=()) -> None:
    """Build ``checked_<name>`` in one pass over the raw text: each field trimmed and typed, one flag per check
    (``__bad<k>``) and whether the timestamp carries a zone (``__zoned``). Customer ids stay raw here; an id of
    :data:`ROW_NUMBER_IDS` the file does not have is the row's number in the file.

    Parameters
    ----------
    con
        The engine connection (DuckDB).
    name
        The canonical table: ``events``, ``feedback``, ``surveys`` or ``orders``.
    present
        Canonical column -> the file's column, for the columns the file has.
    relation
        The raw text table the file was read into (``RawTable.relation``).
    checks
        The row checks of :func:`row_checks`; check ``k`` becomes the flag ``__bad<k>``.
    extra
        Other columns of the file kept under their names as trimmed text, empty as NULL (:func:`extra_columns`).
    """
    texts = ", ".join(f"trim(CAST({quote_ident(col)} AS VARCHAR)) AS {_text(canon)}" for canon, col in present.items())
    texts += "".join(f", nullif(trim(CAST({quote_ident(col)} AS VARCHAR)), '') AS {quote_ident(col)}" for col in extra)
    numbered = ROW_NUMBER_IDS.get(name)
    typed = ", ".join(f"{_label(_text(canon)) if canon == 'human_sentiment' else _cast(_text(canon), kind)} AS {canon}"
                      if canon in present else f"CAST(__row AS VARCHAR) AS {canon}" if canon == numbered
                      else f"CAST(NULL AS {kind}) AS {canon}" for canon, (kind, _) in SCHEMAS[name].items())
    flags = "".join(f"coalesce({cond}, false) AS __bad{k}, " for k, (_, cond, *_) in enumerate(checks))
    # only the row number, the typed fields and the flags are stored: the trimmed texts stay in the query
    fields = ", ".join([*SCHEMAS[name], *map(quote_ident, extra)])
    con.execute(f"CREATE OR REPLACE TEMP TABLE checked_{name} AS SELECT __row, {fields}, {flags}"
                f"regexp_matches(nullif({_text('ts')}, ''), {quote_literal(_ZONED)}) AS __zoned "
                f"FROM (SELECT *, {typed} FROM (SELECT __row, {texts} FROM {relation}))")


def bad_rows(con, name: str, relation: str, checks, file: str) -> tuple[int, int, int, list[Issue]]:
    """Count every check's bad rows in one query; return (timestamps with a zone, without one, rows kept,
    one warning per example row).

    Parameters
    ----------
    con
        The engine connection (DuckDB), holding ``checked_<name>`` (:func:`build_checked`).
    name
        The canonical table: ``events``, ``feedback``, ``surveys`` or ``orders``.
    relation
        The raw text table, to quote each example row's value as the file wrote it.
    checks
        The row checks of :func:`row_checks`, in the order :func:`build_checked` flagged them.
    file
        The file's path as the spec writes it, named by the issues.
    """
    counts = [f"count(*) FILTER (WHERE __bad{k})" for k in range(len(checks))]
    any_bad = " OR ".join(f"__bad{k}" for k in range(len(checks))) or "false"
    zoned, naive, kept, *bad = con.execute(
        f"SELECT count(*) FILTER (WHERE __zoned), count(*) FILTER (WHERE NOT __zoned), "
        f"count(*) FILTER (WHERE NOT ({any_bad})){''.join(', ' + c for c in counts)} FROM checked_{name}").fetchone()
    issues = []
    for k, ((code, _, column, problem, fix), count) in enumerate(zip(checks, bad, strict=True)):
        if not count:
            continue
        examples = con.execute(f"SELECT __row, CAST({quote_ident(column)} AS VARCHAR) FROM {relation} WHERE __row IN "
                               f"(SELECT __row FROM checked_{name} WHERE __bad{k} ORDER BY __row LIMIT {MAX_EXAMPLES}) "
                               "ORDER BY __row").fetchall()
        for row, value in examples:
            value = None if value is None else mask_personal(value)  # masked whole, then shortened
            issues.append(Issue(code=code, file=file, row=int(row), column=column,
                                value=None if value is None else value[:80],
                                problem=f"'{'' if value is None else value[:60]}' {problem}.", fix=fix,
                                severity="warning"))
        if count > len(examples):
            issues.append(Issue(code=code, file=file, column=column, severity="warning",
                                problem=f"{count - len(examples)} more rows where the value {problem}.", fix=fix))
    return zoned, naive, kept, issues


def zone_issue(zoned: int, naive: int, column: str, source: Source, file: str) -> list[Issue]:
    """Warn when a file mixes timestamps written with a zone and without one.

    Parameters
    ----------
    zoned
        Number of timestamps written with a zone (:func:`bad_rows`).
    naive
        Number of timestamps written without one; no warning unless both counts are above zero.
    column
        The file's timestamp column, named by the warning.
    source
        The spec's entry for the file; its ``timezone`` reads the timestamps without a zone.
    file
        The file's path as the spec writes it.
    """
    if not (zoned and naive):
        return []
    return [Issue(code="mixed_time_zones", file=file, column=column, severity="warning",
                  problem=f"{zoned} timestamps carry a time zone and {naive} do not; those with a zone are "
                          f"converted to UTC, the others are read as {source.timezone} (the source's `timezone`).",
                  fix="Check that the export writes every timestamp the same way, or set `timezone:` for this "
                      "source.")]


def as_of_issue(as_of: str | None) -> Issue | None:
    """Return an error when ``as_of`` (the ``--as-of`` day) is given but is not a ``YYYY-MM-DD`` day, else None."""
    if not as_of:
        return None
    try:
        dt.date.fromisoformat(str(as_of))
    except ValueError:
        return Issue(code="bad_as_of", file="--as-of", value=str(as_of)[:40],
                     problem=f"'{str(as_of)[:40]}' is not a day.", fix="Write the day as YYYY-MM-DD, e.g. 2026-09-30.")
    return None


def unknown_labels(con, spec: Journey, source: Source) -> list[Issue]:
    """Warn about survey answers naming a stage or touchpoint the spec does not have.

    Parameters
    ----------
    con
        The engine connection (DuckDB), holding ``kept_surveys``.
    spec
        The spec, for its stage and touchpoint ids.
    source
        The spec's entry for the surveys file, named by the warnings.
    """
    issues = []
    for column, known, what in (("stage", spec.stage_ids, "stage"),
                                ("touchpoint", [t.id for t in spec.touchpoints], "touchpoint")):
        unknown = con.execute(f"SELECT {column}, min(__row), count(*) FROM kept_surveys WHERE {column} IS NOT NULL "
                              f"AND {column} NOT IN (SELECT unnest(?::VARCHAR[])) GROUP BY 1 ORDER BY 2",
                              [list(known)]).fetchall()
        for value, row, count in unknown[:MAX_EXAMPLES]:
            issues.append(Issue(code=f"unknown_{what}", file=source.path, row=int(row), column=column, value=value,
                                severity="warning",
                                problem=f"'{value}' is not a {what} of journey.yml; these {count} answers count "
                                        f"for no {what}.",
                                fix=did_you_mean(value, known)
                                + f"{what.capitalize()}s: {', '.join(known) or 'none declared'}."))
    return issues


def event_stats(con, source: Source, q: dict) -> list[Issue]:
    """Count duplicates, unmatched events, users and sessions of the ``events`` table into ``q``; warn about them.

    ``q`` (the table's row of the data-quality table) gets ``duplicates``, ``unmatched_events``,
    ``first_ts``, ``last_ts``, ``users``, ``sessions`` and ``shared_sessions``.

    Parameters
    ----------
    con
        The engine connection (DuckDB), holding the canonical ``events`` table.
    source
        The spec's entry for the events file, named by the warnings.
    q
        The events' row of the data-quality table, updated in place.
    """
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
