"""The presentation layer of the tables a page shows: words for headers, one cell per figure and its interval.

A results table keeps its raw columns (``rate``, ``ci_low``, ``ci_high``, ``p90_seconds``: the sidecar
files are the data contract); what a reader sees is planned here, column by column:

- headers in words of the report's language (``tables.yml`` of the language, section ``columns``);
- a rate and its 95 % interval in one cell, ``3.3% (3.0–3.7)`` (``rate`` + ``ci_low`` + ``ci_high``,
  ``step_rate`` + ``step_ci_low`` + ``step_ci_high``, ``share`` + ``share_ci_low`` + ``share_ci_high`` …);
- counts with the language's thousands separators, durations in s/min/h/days, money with a currency when
  one is given, ✓/— for booleans, p-values as ``< 0.001`` or with two or three decimals, dates as the
  language writes them (Babel);
- at most ``max_columns`` columns: technical columns, identifiers beside a name, and columns holding one
  value in every row go to the table's appendix (a ``<details>`` under it).

Numbers are written by :mod:`cjmlib.i18n.formats`, the one formatter of pages, charts and the map.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from babel.dates import format_date
from babel.numbers import format_currency
from ruamel.yaml import YAML

from ..i18n import catalogue as i18n
from ..i18n.formats import number, percent

__all__ = ["Column", "Presented", "auto_digits", "cell_text", "header", "key_column", "plan_columns", "present", "table_word", "value_text"]

I18N_DIR = Path(__file__).resolve().parents[1] / "i18n"
SHARE_NAMES = re.compile(r"^(rate|share|conversion|downstream|mde|difference|prob_to_beat|relative_(change|lift))$"
                         r"|_rate$|^share_|_share$|^rate_")
MONEY_NAMES = re.compile(r"^revenue($|_)|^value_per_conversion$|^average_order_value$")
TECHNICAL = {"unit", "order", "entry", "counting", "window_days", "rule", "test", "rest_n", "rest_successes",
             "total_n", "overall_rate", "new_entries", "censored", "scoring", "polarity", "quotes_other", "metric",
             "id", "key", "direction", "numerator", "previous", "definition", "reach_source", "rest_rate"}
IDENTIFIERS = {"stage", "key", "touchpoint", "opportunity", "pain_point", "metric", "theme", "experiment_id"}
# the value of a bare ci_low/ci_high pair, first present wins; otherwise the column just before ci_low
BARE_INTERVAL_OF = ("rate", "conversion", "share_of_negative", "measured", "nps", "score", "baseline", "value",
                    "share", "mean")
UNIT_KINDS = {"share": "share", "currency": "money", "count": "count", "days": "days", "score": "number"}
PROMOTED = {"score", "rank", "priority", "target", "on_track", "significant", "n", "units", "nps", "mentions",
            "negative", "rate_now", "rate_target"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9_:.-]*$")


@cache
def _words(language: str) -> dict:
    path = I18N_DIR / language / "tables.yml"
    return YAML(typ="safe").load(path.read_text(encoding="utf-8")) if path.exists() else {}


def table_word(key: str, language: str = "en", **values) -> str:
    """Return the word ``key`` of the tables' catalogue in ``language``, its ``{fields}`` filled.

    Parameters
    ----------
    key
        A key of ``tables.yml`` (``more_columns``, ``empty``, ``interval_header`` …); dotted for a nested
        key (``columns.rate``).
    language
        ``en`` or ``fr``; English when the language lacks the key.
    **values
        The ``{fields}`` of the text.
    """
    for lang in (language, "en"):
        entry = _words(lang)
        for part in key.split("."):
            entry = entry.get(part) if isinstance(entry, dict) else None
        if isinstance(entry, str):
            return entry.format(**values) if values else entry
    raise KeyError(f"no words for {key!r} in tables.yml")


def header(name, language: str = "en") -> str:
    """Return the header of the column ``name`` in ``language``: from the catalogue, else in plain words.

    Parameters
    ----------
    name
        The column's name in the results (``ci_low``, ``rate:product-page``, ``Awareness``).
    language
        ``en`` or ``fr``.
    """
    text = str(name)
    for lang in (language, "en") if language == "en" else (language,):
        known = _words(lang).get("columns", {})
        if text in known:
            return known[text]
    if language != "en" and text in i18n.COLUMN_LABELS.get(language, {}):
        label = i18n.column_label(text, language)
        return label[:1].upper() + label[1:]
    if ":" in text and SLUG.match(text):
        head, rest = text.split(":", 1)
        return f"{header(head, language)}: {rest.replace('-', ' ')}"
    if SLUG.match(text):
        words = text.replace("_", " ")
        return words[:1].upper() + words[1:]
    return text


@dataclass(frozen=True)
class Column:
    """One column as shown: its ``name`` (the value's column), ``kind``, interval columns and header."""

    name: str
    kind: str
    low: str | None = None
    high: str | None = None
    digits: int | None = None


@dataclass(frozen=True)
class Presented:
    """A table as a reader sees it: texts of the main part and of the appendix, headers in words."""

    main: pd.DataFrame
    appendix: pd.DataFrame
    numeric: frozenset


def _is_number(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def _values(col: pd.Series) -> np.ndarray:
    return pd.to_numeric(col, errors="coerce").dropna().to_numpy(dtype=float)


def _kind(table: pd.DataFrame, column, percent_hint: set, digits: dict) -> str:
    col, name = table[column], str(column)
    if name in percent_hint:
        return "share"
    if pd.api.types.is_bool_dtype(col) or (col.dtype == object and col.dropna().map(
            lambda v: isinstance(v, bool | np.bool_)).all() and col.notna().any()):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(col) or (col.dtype == object and col.dropna().map(
            lambda v: isinstance(v, dt.date)).all() and col.notna().any()):
        return "date"
    if not _is_number(col):
        return "text"
    by_row = "unit" in table or "measure" in table or {"numerator", "denominator"} <= set(table.columns)
    if by_row and name in {"baseline", "target", "gap", "before", "after", "change", "what_if", "value", "now"}:
        return "by_unit"
    values = _values(col)
    if name in {"p_value", "p_adjusted"}:
        return "p"
    if name.endswith("_seconds"):
        return "duration"
    if MONEY_NAMES.search(name):
        return "money"
    if name in digits:
        return "number"
    if SHARE_NAMES.search(name) and (values.size == 0 or np.abs(values).max() <= 1.0):
        return "share"
    if pd.api.types.is_integer_dtype(col) or (values.size and np.all(values == np.round(values))):
        return "count"
    return "number"


def _interval_of(table: pd.DataFrame, low: str) -> tuple[str, str] | None:
    """Return (value column, high column) of the interval whose low bound is ``low``, or None."""
    high = low[:-3] + "high"
    if high not in table:
        return None
    prefix = low[: -len("ci_low")] if low.endswith("ci_low") else low[: -len("low")]
    if prefix == "":
        present_ = [c for c in BARE_INTERVAL_OF if c in table]
        if present_:
            return present_[0], high
        before = list(table.columns)[max(list(table.columns).index(low) - 1, 0)]
        return (before, high) if before != low and _is_number(table[before]) else None
    stem = prefix.rstrip("_")
    aliases = {"top": "top_box_rate", "diff": "difference", "delta": "delta_per_month",
               "revenue": "revenue_per_month"}
    for candidate in (aliases.get(stem), f"{stem}_rate", stem, f"{stem}_per_month"):
        if candidate and candidate in table and candidate != low:
            return candidate, high
    return None


def plan_columns(table: pd.DataFrame, *, percent_columns=(), decimals: dict | None = None) -> list[Column]:
    """Return how each column of ``table`` is shown, intervals merged into their value's column.

    Parameters
    ----------
    table
        The results table (raw columns).
    percent_columns
        Columns the caller knows are shares (0–1), shown as percentages.
    decimals
        Columns shown as plain numbers with this many decimals.
    """
    digits = dict(decimals or {})
    hint = set(percent_columns)
    names = [c for c in table.columns if isinstance(c, str)]
    merged: dict[str, tuple[str, str]] = {}
    for low in names:
        if low.endswith("low"):
            found = _interval_of(table, low)
            if found and found[0] not in merged and _is_number(table[low]):
                merged[found[0]] = (low, found[1])
    bounds = {b for pair in merged.values() for b in pair}
    plan = []
    for name in table.columns:
        if name in bounds:
            continue
        kind = _kind(table, name, hint, digits)
        low, high = merged.get(name, (None, None))
        plan.append(Column(str(name), kind, low, high, digits.get(name)))
    return plan


def _duration(seconds: float, language: str) -> str:
    if seconds < 90:
        return table_word("unit_seconds", language, n=number(seconds, language))
    if seconds < 90 * 60:
        return table_word("unit_minutes", language, n=number(seconds / 60, language))
    if seconds < 24 * 3600:
        return table_word("unit_hours", language, n=number(seconds / 3600, language, 1))
    return table_word("unit_days", language, n=number(seconds / 86400, language, 1))


def auto_digits(x: float) -> int:
    """The decimals a number is written with when none are given: 0 from 100, 1 from 10, else 2.

    Parameters
    ----------
    x
        The number.
    """
    size = abs(x)
    return 0 if size >= 100 else 1 if size >= 10 else 2


def cell_text(value, kind: str, language: str = "en", *, digits: int | None = None, unit: str = "",
              currency: str | None = None, bare: bool = False) -> str:
    """Return one value as a reader of ``language`` reads it.

    Parameters
    ----------
    value
        The raw value.
    kind
        ``share``, ``count``, ``number``, ``money``, ``duration``, ``days``, ``p``, ``bool``, ``date``,
        ``by_unit`` (the row's ``unit`` decides) or ``text``.
    language
        ``en`` or ``fr``.
    digits
        Decimals of a ``number`` (chosen from the size of the value when None).
    unit
        The row's unit for ``by_unit`` (``share``, ``currency``, ``count``, ``days``, ``score``).
    currency
        ISO 4217 code for money (``EUR``); money is a plain number without it.
    bare
        Leave out the ``%`` sign (the bounds of an interval after its value).
    """
    if isinstance(value, list | tuple | np.ndarray):
        return "; ".join(str(v) for v in value)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return "—"
    if kind == "by_unit":
        kind = UNIT_KINDS.get(unit, "number")
    if kind == "bool" or isinstance(value, bool | np.bool_):
        return "✓" if bool(value) else "—"
    if kind == "date":
        day = value.date() if isinstance(value, dt.datetime | pd.Timestamp) else value
        return format_date(day, "medium", locale=language)
    if kind == "text" or isinstance(value, str):
        return value_text(str(value), language)
    x = float(value)
    return _number_text(x, kind, language, digits=digits, currency=currency, bare=bare).replace("-", "−")


def _number_text(x: float, kind: str, language: str, *, digits: int | None, currency: str | None,
                 bare: bool) -> str:
    if kind == "share":
        return number(100 * x, language, 1) if bare else percent(x, language)
    if kind == "count":
        return number(x, language, 0)
    if kind == "duration":
        return _duration(x, language)
    if kind == "days":
        return table_word("unit_days", language, n=number(x, language, 1))
    if kind == "p":
        return table_word("p_below", language, p=number(0.001, language, 3)) if x < 0.001 else \
            number(x, language, 3 if x < 0.01 else 2)
    if kind == "money" and currency and not bare:
        return format_currency(x, currency, locale=language, format_type="standard", currency_digits=True)
    return number(x, language, auto_digits(x) if digits is None else digits)


def value_text(text: str, language: str = "en") -> str:
    """Return a text value as a reader of ``language`` reads it: known keys in words, the rest as is.

    Parameters
    ----------
    text
        The value (``first_device``, ``end_conversion``, ``rate:checkout``, a name).
    language
        ``en`` or ``fr``.
    """
    known = _words(language).get("values", {}) or {}
    if text in known:
        return known[text]
    if text.startswith("rate:") and "rate_of" in known:
        return known["rate_of"].format(step=text[5:].replace("-", " "))
    return i18n.value_label(text, language) if text in i18n.VALUE_LABELS else text


def _row_unit(row: dict, column: Column) -> str:
    """The unit of a row: its ``unit`` column, its ``measure`` key, or a value equal to numerator ÷ denominator."""
    if "unit" in row:
        return str(row["unit"])
    measure = str(row.get("measure", ""))
    if measure:
        return "share" if measure == "end_conversion" or measure.startswith("rate:") else \
            "currency" if measure.startswith("revenue") else "number"
    num, den, value = row.get("numerator"), row.get("denominator"), row.get(column.name)
    try:
        if den and 0 <= float(num) <= float(den) and abs(float(value) - float(num) / float(den)) < 1e-9:
            return "share"
    except (TypeError, ValueError):
        pass
    return "number"


def _merged(row, column: Column, language: str, currency: str | None) -> str:
    unit = _row_unit(row, column) if column.kind == "by_unit" else ""
    digits = column.digits if column.kind != "by_unit" or unit == "share" else None
    value = cell_text(row[column.name], column.kind, language, digits=digits, unit=unit, currency=currency)
    if column.low is None or value == "—":
        return value
    low, high = row[column.low], row[column.high]
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (low, high)):
        return value
    if digits is None and isinstance(row[column.name], float | int | np.number):
        digits = auto_digits(float(row[column.name]))
    bounds = [cell_text(v, column.kind, language, digits=digits, unit=unit, currency=currency, bare=True)
              for v in (low, high)]
    key = "range_signed" if min(float(low), float(high)) < 0 else "range"
    return f"{value} ({table_word(key, language, low=bounds[0], high=bounds[1])})"


def _moved(table: pd.DataFrame, plan: list[Column], max_columns: int) -> set[str]:
    """The columns that go to the appendix: technical, identifiers beside a name, constant, beyond the limit."""
    names = [c.name for c in plan]
    has_name = bool({"label", "name"} & set(names))
    first_text = key_column(plan, table)
    moved = set()
    for c in plan:
        col = table[c.name] if c.name in table else table[next(k for k in table.columns if str(k) == c.name)]
        slugs = col.dropna().map(lambda v: isinstance(v, str) and bool(SLUG.match(v))).all()
        if c.name in TECHNICAL and c.name != first_text or c.name in IDENTIFIERS and has_name and slugs or len(table) > 1 and c.name != first_text and col.map(repr).nunique() <= 1:
            moved.add(c.name)
    if "p_adjusted" in names:
        moved.add("p_value")
    kept = [c for c in plan if c.name not in moved]
    rank = sorted(range(len(kept)), key=lambda i: (kept[i].name != first_text,
                                                    not (kept[i].low or kept[i].name in PROMOTED), i))
    moved |= {kept[i].name for i in rank[max_columns:]}
    return moved


def key_column(plan: list[Column], table: pd.DataFrame | None = None) -> str | None:
    """The column that names a row: ``label`` or ``name`` when present, else the first text column that varies.

    Parameters
    ----------
    plan
        The columns as planned by :func:`plan_columns`.
    table
        The table, to pass over text columns holding one value in every row; None to take the first.
    """
    names = [c.name for c in plan]
    for name in ("label", "name"):
        if name in names:
            return name
    texts = [c.name for c in plan if c.kind == "text" and c.name not in TECHNICAL]
    varying = [n for n in texts if table is None or len(table) < 2 or n not in table
               or table[n].map(repr).nunique() > 1]
    return (varying or texts or [None])[0]


def present(table: pd.DataFrame, *, language: str = "en", percent_columns=(), decimals: dict | None = None,
            columns: dict | None = None, currency: str | None = None, max_columns: int = 8) -> Presented:
    """Return the texts of ``table`` as a reader sees them, split into the main table and its appendix.

    Parameters
    ----------
    table
        The results table (raw columns; never row-level customer data).
    language
        ``en`` or ``fr``.
    percent_columns
        Columns known to be shares (0–1).
    decimals
        Columns shown as plain numbers with this many decimals.
    columns
        Headers given by the caller (``{"units": "sessions"}``), used as given.
    currency
        ISO 4217 code of the money columns, e.g. ``EUR``.
    max_columns
        Columns of the main table at most; the others go to the appendix.

    Examples
    --------
    >>> t = pd.DataFrame({"rate": [0.033], "ci_low": [0.030], "ci_high": [0.037], "n": [1234]})
    >>> present(t).main.iloc[0].tolist()
    ['3.3% (3.0–3.7)', '1,234']
    """
    plan = plan_columns(table, percent_columns=percent_columns, decimals=decimals)
    moved = _moved(table, plan, max_columns)
    rename = columns or {}
    by_name = {str(c): c for c in table.columns}

    heads: dict[str, str] = {}
    for c in plan:  # two columns never share a header (name and label: "Name" and "Label")
        text = rename.get(c.name) or header(c.name, language)
        if text in heads.values():
            text = c.name.replace("_", " ").capitalize()
        heads[c.name] = table_word("interval_header", language, label=text) if c.low else text

    def head(c: Column) -> str:
        return heads[c.name]

    rows = [{str(k): v for k, v in rec.items()} for rec in table.to_dict("records")]
    texts = {c.name: [_merged(r, c, language, currency) for r in rows] for c in plan}
    main_cols = [c for c in plan if c.name not in moved]
    more_cols = [c for c in plan if c.name in moved]
    key = next((c for c in main_cols if c.name == key_column(plan, table)), None)
    main = pd.DataFrame({head(c): texts[c.name] for c in main_cols}, index=range(len(rows)))
    extra = ([key] if key and more_cols else []) + more_cols
    appendix = pd.DataFrame({head(c): texts[c.name] for c in extra}, index=range(len(rows)))
    numeric = frozenset(head(c) for c in plan if c.kind not in ("text", "bool") and by_name.get(c.name) is not None)
    return Presented(main, appendix, numeric)
