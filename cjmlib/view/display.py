"""Show tables in a deliverable: escaped, formatted, without the index, in the report's language.

The language is the one chosen for the charts with :func:`cjmlib.plot.set_theme` (every step
notebook calls it first), so a French report gets French column headers (:data:`cjmlib.i18n.COLUMN_LABELS`)
and French flag values (:func:`cjmlib.i18n.value_label`, yes/no for booleans) without passing anything.
"""

from __future__ import annotations

import html
import sys
from functools import partial

import numpy as np
import pandas as pd
from IPython.display import Image

from ..i18n import catalogue as i18n
from .chart_words import chart_language
from .present import Presented, present
from .present import table_word as i18n_word

__all__ = ["ShownTable", "as_table", "show_image", "show_table", "table_language"]


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


class ShownTable:
    """A table as a page shows it: the main part, its appendix in a ``<details>``, a caption; escaped HTML.

    ``data`` and ``appendix`` hold the texts of the cells (headers in words); :meth:`to_html` is what the
    notebook displays and the exporter publishes.
    """

    def __init__(self, presented: Presented, *, caption: str = "", language: str = "en", width: int = 8):
        self.width = max(width, 2)
        self.data = presented.main
        self.appendix = presented.appendix
        self.caption = caption
        self.language = language
        self._numeric = presented.numeric

    def _table(self, frame: pd.DataFrame, caption: str = "") -> str:
        cls = [' class="num"' if h in self._numeric else "" for h in frame.columns]
        head = "".join(f'<th scope="col"{c}>{html.escape(str(h))}</th>' for h, c in zip(frame.columns, cls, strict=True))
        body = "".join("<tr>" + "".join(f"<td{c}>{html.escape(str(v))}</td>" for v, c in zip(row, cls, strict=True))
                       + "</tr>" for row in frame.itertuples(index=False))
        cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
        return f'<table class="cjm-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    def to_html(self) -> str:
        """Return the table as escaped HTML: caption, main table, then the appendix columns (if any)."""
        if len(self.data) == 0:
            cap = f'<p class="cjm-caption">{html.escape(self.caption)}</p>' if self.caption else ""
            empty = html.escape(i18n_word("empty", self.language))
            return f'<div class="cjm-table-wrap">{cap}<p class="cjm-empty">{empty}</p></div>'
        parts = [self._table(self.data, self.caption)]
        if len(self.appendix.columns) > 1:
            more = i18n_word("more_columns", self.language, n=len(self.appendix.columns) - 1)
            key, rest = list(self.appendix.columns[:1]), list(self.appendix.columns[1:])
            # the appendix in tables of the main table's width at most, each with the row's name first
            tables = "".join(self._table(self.appendix[key + rest[i:i + self.width - 1]])
                             for i in range(0, len(rest), self.width - 1))
            parts.append(f'<details class="cjm-more"><summary>{html.escape(more)}</summary>{tables}</details>')
        return '<div class="cjm-table-wrap">' + "".join(parts) + "</div>"

    def _repr_html_(self) -> str:
        return self.to_html()


#: Columns a small group keeps on a page: its size, which says why its figures are hidden.
GROUP_SIZES = frozenset({"responses", "n", "mentions", "items", "feedback_items", "users", "sessions", "units",
                         "entered", "total_n"})


def hide_small_groups(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` with the figures of its suppressed rows blanked (their size kept), when it has a
    boolean ``suppressed`` column (groups under ``min_group_size``); else ``table`` itself.

    Parameters
    ----------
    table
        A results table.

    Examples
    --------
    >>> t = pd.DataFrame({"nps": [50.0, 10.0], "responses": [4, 40], "suppressed": [True, False]})
    >>> hide_small_groups(t).nps.tolist()
    [nan, 10.0]
    """
    if isinstance(table.columns, pd.MultiIndex) or "suppressed" not in table or table["suppressed"].dtype != bool \
            or not table["suppressed"].any():
        return table
    out = table.copy()
    for name in out.columns:
        if name not in GROUP_SIZES and name != "suppressed" and pd.api.types.is_numeric_dtype(out[name]) \
                and out[name].dtype != bool:
            out[name] = out[name].astype(float).mask(out["suppressed"])
    return out


def show_table(table: pd.DataFrame, *, percent: tuple[str, ...] = (), decimals: dict[str, int] | None = None,
               columns: dict[str, str] | None = None, caption: str = "", language: str | None = None,
               currency: str | None = None, max_columns: int = 8):
    """Return a table to show on a page: headers in words, intervals in one cell, at most ``max_columns``.

    The presentation is planned by :func:`cjmlib.view.present.present`; the table itself is not changed
    (a results table keeps its raw columns). A table whose columns are not plain names (a pivot with
    levels) is shown by a pandas Styler with the same escaping.

    Parameters
    ----------
    table
        The table to show (never row-level customer data).
    percent
        Columns that are shares (0–1), shown as percentages with one decimal.
    decimals
        Columns shown as plain numbers with this many decimals.
    columns
        Headers given for display (e.g. ``{"units": "sessions"}``), used as given in every language.
    caption
        A caption that says what the numbers are.
    language
        ``en`` or ``fr``; by default the language set by :func:`cjmlib.plot.set_theme`.
    currency
        ISO 4217 code of the money columns (``EUR``); without it money is a plain number.
    max_columns
        Columns of the main table at most; the technical, constant and further columns go to
        "More columns" under it.

    Examples
    --------
    >>> show_table(pd.DataFrame({"rate": [0.5], "n": [10]}), percent=("rate",), language="fr"
    ...            ).to_html().count("Taux")
    1
    """
    language = i18n.check_language(language or table_language())
    table = hide_small_groups(table)
    if isinstance(table.columns, pd.MultiIndex):
        return _styled(table, percent=percent, decimals=decimals, columns=columns, caption=caption, language=language)
    presented = present(table, language=language, percent_columns=percent, decimals=decimals, columns=columns,
                        currency=currency, max_columns=max_columns)
    return ShownTable(presented, caption=caption, language=language, width=max_columns)


def _styled(table: pd.DataFrame, *, percent, decimals, columns, caption, language):
    """A Styler for a table with column levels: every text escaped, numbers as ``language`` writes them."""
    rename = columns or {}
    shown = table.apply(lambda col: col.map(lambda v: _value(v, language)) if col.dtype == object
                        or pd.api.types.is_string_dtype(col) or pd.api.types.is_bool_dtype(col) else col)
    styler = _formatted(shown, {c: 1 for c in percent if c in table},
                        {c: d for c, d in (decimals or {}).items() if c in table}, language)
    styler = styler.format_index(escape="html", axis=1).hide(axis="index")
    if rename:
        styler = styler.relabel_index([rename.get(c, c) for c in table.columns], axis=1)
    if caption:
        styler = styler.set_caption(caption)
    return styler


def as_table(records: list[dict]) -> pd.DataFrame:
    """Turn metric records (dicts with value, numerator, denominator, ...) into a table to show."""
    return pd.DataFrame(records)


def show_image(path, alt: str | None = None):
    """Return the image file ``path`` as a displayable object (embedded in the exported page).

    Parameters
    ----------
    path
        The PNG or JPEG file.
    alt
        What the image shows, the page's alt text; the word "picture" of the charts' language when omitted.
    """
    return Image(filename=str(path), alt=alt or i18n.plot_label("picture", chart_language()))
