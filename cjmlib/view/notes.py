"""One sentence in place of a section whose data is absent: what is missing and how to add it.

A step page never shows a traceback, an empty chart or a chart of zeros: when a section has nothing
to show (no feedback source, no breakdown column, a persona matching nobody, a funnel nobody
enters…), the notebook calls :func:`show_missing` with the reason, and the reader sees one sentence
of the ``notebooks`` words of the report's language (``cjmlib/i18n/<language>/notebooks.yml``,
keys ``missing.<reason>``).

Examples
--------
>>> import cjmlib as cjm
>>> cjm.missing_text("no_feedback", "en")
'No feedback source: add a feedback export (id, ts, text) under sources.feedback in journey.yml to read the voice of the customer.'
"""

from __future__ import annotations

import html
import sys

from IPython.display import display

from ..i18n.catalogue import say

__all__ = ["MissingNote", "missing_text", "show_all", "show_missing"]


def missing_text(reason: str, language: str = "en", **values) -> str:
    """Return the sentence that says why a section is empty and how to fill it.

    Parameters
    ----------
    reason
        The reason's key under ``missing`` in the ``notebooks`` words (``no_feedback``,
        ``no_breakdowns``, ``no_persona_match``, ``funnel_empty``…).
    language
        ``en`` or ``fr``.
    **values
        The values of the sentence's ``{fields}`` (already formatted for the language).
    """
    return say("notebooks", f"missing.{reason}", language, **values)


class MissingNote(str):
    """A sentence shown as a quiet note in a notebook and as plain text elsewhere."""

    def _repr_html_(self) -> str:
        return (f'<p class="cjm-missing" style="border-left:4px solid #9aa5b1;background:#f4f6f8;'
                f'padding:0.4em 0.8em;margin:0.5em 0">{html.escape(str(self))}</p>')

    def __repr__(self) -> str:
        return str(self)


def show_missing(reason: str, language: str = "en", **values) -> MissingNote:
    """Say in one sentence that a section has no data, what is missing and how to add it.

    Parameters
    ----------
    reason
        The reason's key (see :func:`missing_text`).
    language
        ``en`` or ``fr``.
    **values
        The values of the sentence's ``{fields}``.

    Returns
    -------
    MissingNote
        The sentence; a notebook shows it as a note (escaped HTML), so the last line of a cell may
        be ``cjm.show_missing(...)``.
    """
    return MissingNote(missing_text(reason, language, **values))


def show_all(*items) -> None:
    """Show several tables, charts and notes of one section in order (one per declared funnel…).

    Parameters
    ----------
    *items
        Tables (a Styler or DataFrame), notes (:func:`show_missing`), or charts (a matplotlib Axes or
        Figure: shown, then closed so that it is not shown twice); None is skipped.
    """
    pyplot = sys.modules.get("matplotlib.pyplot")
    for item in items:
        if item is None:
            continue
        figure = getattr(item, "figure", None) if hasattr(item, "get_figure") else None
        display(figure if figure is not None else item)
        if figure is not None and pyplot is not None:
            pyplot.close(figure)
