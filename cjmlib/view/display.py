"""Show tables in a deliverable: escaped, formatted, without the index, in the report's language.

The language is the one chosen for the charts with :func:`cjmlib.plot.set_theme` (every step
notebook calls it first), so a French report gets French column headers (:data:`cjmlib.i18n.COLUMN_LABELS`)
and French flag values (:func:`cjmlib.i18n.value_label`, yes/no for booleans) without passing anything.
"""

from __future__ import annotations

import sys
from functools import partial

import numpy as np
import pandas as pd

from ..i18n import catalogue as i18n

__all__ = ["as_table", "show_image", "show_table", "table_language"]


def table_language() -> str:
    """The language of the tables: the one of :func:`cjmlib.plot.set_theme`, English before it is called.

    The charts' style module is not imported here (it loads matplotlib): until it is loaded,
    ``set_theme`` cannot have been called and the language is English.
    """
    style = sys.modules.get(f"{__package__}.chart_style")
    return style.chart_language() if style is not None else "en"


def _value(v, language: str):
    """A cell as shown in ``language``: known flags and booleans translated, lists joined, the rest as is."""
    if isinstance(v, list | tuple | np.ndarray):
        # the Styler escapes text cells only: lists (quotes, keywords) become escaped text here too
        return "; ".join(map(str, v))
    if language == "en":
        return v
    if isinstance(v, bool | np.bool_):
        return i18n.value_label(str(bool(v)), language)
    if isinstance(v, str) and language in i18n.VALUE_LABELS.get(v, {}):
        return i18n.value_label(v, language)
    return v


def _formatted(shown: pd.DataFrame, percent: dict[str, int], decimals: dict[str, int], language: str):
    """The Styler of ``shown``: every text escaped, numbers written as ``language`` writes them.

    English keeps pandas' format strings (``59.1%``, ``1,234.5``); other languages format every number
    with their separators and the chosen columns with :func:`cjmlib.i18n.percent` / :func:`cjmlib.i18n.number`
    (``59,1 %``, ``1 234,5``).
    """
    if language == "en":
        formats = {c: "{:.1%}" for c in percent} | {c: f"{{:,.{d}f}}" for c, d in decimals.items()}
        return shown.style.format(formats, na_rep="–", escape="html", thousands=",")
    decimal, thousands = i18n.number(1000.5, language, 1)[-2], i18n.number(1000, language)[1]
    styler = shown.style.format(na_rep="–", escape="html", decimal=decimal, thousands=thousands)
    formats = {c: partial(i18n.number, language=language, digits=d) for c, d in decimals.items()}
    formats |= {c: partial(i18n.percent, language=language, digits=d) for c, d in percent.items()}
    return styler.format(formats, subset=list(formats), na_rep="–", escape="html") if formats else styler


def show_table(table: pd.DataFrame, *, percent: tuple[str, ...] = (), decimals: dict[str, int] | None = None,
               columns: dict[str, str] | None = None, caption: str = "", language: str | None = None):
    """Return a Styler that escapes every text as HTML, formats rates as percentages and hides the index.

    Parameters
    ----------
    table
        The table to show (never row-level customer data).
    percent
        Columns shown as percentages with one decimal.
    decimals
        Columns shown with this many decimals.
    columns
        Renames for display (e.g. ``{"units": "sessions"}``), used as given in every language.
    caption
        A caption that says what the numbers are.
    language
        ``en`` or ``fr``; by default the language set by :func:`cjmlib.plot.set_theme`. Known column
        headers and flag values are translated; other names and values are shown unchanged.

    Examples
    --------
    >>> show_table(pd.DataFrame({"rate": [0.5], "n": [10]}), percent=("rate",), language="fr"
    ...            ).to_html().count("taux")
    1
    """
    language = i18n.check_language(language or table_language())
    rename = columns or {}
    flat = not isinstance(table.columns, pd.MultiIndex)
    shown_names = {c: rename.get(c, i18n.column_label(c, language) if flat and isinstance(c, str) else c)
                   for c in table.columns}
    shown = table.apply(lambda col: col.map(lambda v: _value(v, language)) if col.dtype == object
                        or pd.api.types.is_string_dtype(col) or pd.api.types.is_bool_dtype(col) else col)
    if flat:
        shown = shown.set_axis([shown_names[c] for c in table.columns], axis=1)
    styler = _formatted(shown, {shown_names[c]: 1 for c in percent if c in table},
                        {shown_names[c]: d for c, d in (decimals or {}).items() if c in table}, language)
    styler = styler.format_index(escape="html", axis=1).hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    return styler


def as_table(records: list[dict]) -> pd.DataFrame:
    """Turn metric records (dicts with value, numerator, denominator, ...) into a table to show."""
    return pd.DataFrame(records)


def show_image(path):
    """Return the image file ``path`` as a displayable object (embedded in the exported page)."""
    from IPython.display import Image

    return Image(filename=str(path))
