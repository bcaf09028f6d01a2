"""The language the charts and pictures of a notebook speak, chosen by ``set_theme`` (no matplotlib here).

Kept apart from :mod:`cjmlib.view.chart_style` so that table and picture display can read the language
without loading matplotlib.
"""

from __future__ import annotations

from ..i18n import catalogue as i18n

__all__ = ["chart_language", "set_chart_language"]

_LANGUAGE = {"current": "en"}


def set_chart_language(language: str) -> str:
    """Choose the language of the charts' default words; return it once checked.

    Parameters
    ----------
    language
        ``en`` or ``fr``.
    """
    _LANGUAGE["current"] = i18n.check_language(language)
    return _LANGUAGE["current"]


def chart_language() -> str:
    """Return the language chosen with :func:`set_chart_language` (``en`` before it is called)."""
    return _LANGUAGE["current"]
