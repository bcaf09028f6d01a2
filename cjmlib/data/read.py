"""Read a client's export file into a raw text table of the engine: CSV, Parquet, JSON or a GA4 export.

Every file is read as text first, so that nothing is lost on bad input: the values are typed and
checked afterwards (:mod:`cjmlib.data.checks`). The raw table numbers each row as a spreadsheet
does (``__row``: the header is row 1). A file that cannot be read gives an issue record, never a
traceback: a folder, an empty file, an unknown or wrong encoding, a wrong separator. A CSV row with
more fields than the header is set aside and reported by its line.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..errors import Issue
from ..spec.model import Source
from .ga4 import GA4_COLUMNS, read_ga4
from .sql import quote_ident, quote_literal

__all__ = ["ENCODINGS", "MAX_EXAMPLES", "MAX_LINE_BYTES", "RawTable", "read_raw"]

ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8", "latin-1": "latin-1", "latin1": "latin-1",
             "iso-8859-1": "latin-1", "utf-16": "utf-16"}  # read by the engine itself, with no extension
MAX_LINE_BYTES = 1 << 26  # a CSV line (e.g. one huge feedback text) may be this long
MAX_EXAMPLES = 5  # bad rows listed per problem; the quality table counts them all
_SEPARATORS = (";", "\t", "|", ",")


@dataclass
class RawTable:
    """A file read into the engine as text, before any check."""

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


def _first_long_line(path: Path) -> int | None:
    """Return the number of the first line longer than :data:`MAX_LINE_BYTES` bytes, or None."""
    line, length = 1, 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            parts = chunk.split(b"\n")
            for k, part in enumerate(parts):
                length += len(part)
                if length > MAX_LINE_BYTES:
                    return line
                if k < len(parts) - 1:
                    line, length = line + 1, 0
    return None


def _unreadable(path: Path, source: Source, file: str, message: str) -> Issue:
    encoding = ENCODINGS.get(source.encoding.lower().replace("_", "-"), "utf-8")
    long_line = _first_long_line(path) if _format_of(source, path) == "csv" else None
    if long_line is not None:
        return Issue(code="line_too_long", file=file, line=long_line,
                     problem=f"line {long_line} is longer than {MAX_LINE_BYTES >> 20} MB, so the file cannot be read.",
                     fix="Shorten that text in the export, or check its quotes: a quote left open makes the rest "
                         "of the file one line.")
    bad = _first_bad_byte(path, encoding) if _format_of(source, path) == "csv" else None
    if bad is not None:
        return Issue(code="bad_encoding", file=file, row=bad[1],
                     problem=f"the file is not {source.encoding} text (byte {bad[0]} on line {bad[1]}).",
                     fix="Set `encoding: latin-1` for this source in journey.yml, or save the file as UTF-8.")
    return Issue(code="unreadable_file", file=file, problem=f"the file cannot be read: {message}",
                 fix="Check the separator (set `separator:` in sources), the encoding (`encoding:`) and the format.")


_SIGNATURES = (  # (first bytes, what the file is, how to fix it): told by the bytes, whatever the name says
    (b"\x1f\x8b", "compressed with gzip", "Decompress it (gunzip) and point the source at the .csv inside."),
    (b"PK\x03\x04", "a ZIP archive or an Excel workbook (.xlsx)",
     "Export the sheet as CSV (in Excel: Save as › CSV UTF-8), or unzip the archive, and point the source at it."),
    (b"PAR1", "a Parquet file", "Name it with .parquet, or set `format: parquet` for this source in journey.yml."),
    (b"%PDF", "a PDF document", "Export the data itself as CSV, Parquet or JSON."),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)", "Export the sheet as CSV (Save as › CSV UTF-8)."),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _sniffed(path: Path, fmt: str, source: Source, file: str) -> tuple[Source, Issue | None]:
    """Recognise the file by its first bytes: a UTF-16 text is read as such; an archive or binary file is named."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if fmt == "csv" and head.startswith(_UTF16_BOMS) and not source.encoding.lower().startswith("utf-16"):
        return source.model_copy(update={"encoding": "utf-16"}), None  # the byte order mark says so
    for magic, what, fix in _SIGNATURES:
        if head.startswith(magic) and not (magic == b"PAR1" and fmt == "parquet"):
            return source, Issue(code="unreadable_file", file=file, problem=f"the file is {what}, not {fmt.upper()} text."
                                 if fmt == "csv" else f"the file is {what}, not {fmt.upper()}.", fix=fix)
    return source, None


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
    sep = f", delim={quote_literal(source.separator)}" if source.separator else ""
    enc = ENCODINGS[source.encoding.lower().replace("_", "-")]
    encoding = "" if enc == "utf-8" else f", encoding={quote_literal(enc)}"
    options = f"all_varchar=true, header=true{sep}{encoding}, max_line_size={MAX_LINE_BYTES}"
    width = _header_width(path, enc, source.separator)
    raw = _raw_name(numbered)
    try:
        con.execute(f"{numbered}FROM read_csv({quote_literal(str(path))}, {options})")
        columns = con.execute(f"SELECT * FROM {raw} LIMIT 0").description[1:]
        # the strict sniffer may take a later line for the header when the first rows are irregular
        if (len(columns) > 1 or not any(s in columns[0][0] for s in _SEPARATORS)) and len(columns) == width:
            return 0, []
    except duckdb.Error:
        pass
    con.execute(f"{numbered}FROM read_csv({quote_literal(str(path))}, {options}, strict_mode=false, null_padding=true, "
                "parallel=false)")
    extra = [c[0] for c in con.execute(f"SELECT * FROM {raw} LIMIT 0").description[1:]][width:] if width > 1 else []
    long_rows = " OR ".join(f"{quote_ident(c)} IS NOT NULL" for c in extra) or "false"
    rows = [r for (r,) in con.execute(f"SELECT __row FROM {raw} WHERE {long_rows} ORDER BY __row").fetchall()]
    con.execute(f"DELETE FROM {raw} WHERE {long_rows}")
    for column in extra:
        con.execute(f"ALTER TABLE {raw} DROP COLUMN {quote_ident(column)}")
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


def read_raw(con: duckdb.DuckDBPyConnection, name: str, path: Path, source: Source,
             file: str) -> tuple[RawTable | None, list[Issue]]:
    """Read one export file as text into the temporary table ``raw_<name>``.

    Parameters
    ----------
    con
        The engine connection.
    name
        The canonical table the file feeds: events, feedback, surveys or orders.
    path
        The file to read.
    source
        The spec's entry for the file: its format, separator and encoding.
    file
        The file as issues name it (the path written in journey.yml).

    Returns
    -------
    read
        The raw table (its name, columns, rows read and rows set aside), or None when the file cannot be read.
    issues
        What was found while reading: an error when ``read`` is None, else warnings.
    """
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
            return RawTable(raw, list(GA4_COLUMNS), read_ga4(con, raw, path)), []
        except (duckdb.Error, ValueError) as exc:
            return None, [_unreadable(path, source, file, str(exc).splitlines()[0][:300])]
    source, sniffed = _sniffed(path, fmt, source, file)
    if sniffed is not None:
        return None, [sniffed]
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
            con.execute(f"{numbered}FROM read_parquet({quote_literal(str(path))})")
        else:  # every JSON value is read as its text, so long ids keep all their digits
            names = con.execute(f"SELECT * FROM read_json_auto({quote_literal(str(path))}) LIMIT 0").fetchdf().columns
            columns = "{" + ", ".join(f"{quote_literal(c)}: 'VARCHAR'" for c in names) + "}"
            con.execute(f"{numbered}FROM read_json({quote_literal(str(path))}, columns={columns})")
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
    return RawTable(raw, columns, rows, set_aside), issues
