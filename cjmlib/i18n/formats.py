"""Numbers as each report language writes them: one formatter for pages, charts and the map.

English writes ``1,234.5`` and ``59.1%``; French writes ``1 234,5`` and ``59,1 %`` (narrow no-break
spaces). Every module that shows a number to a reader formats it here.
"""

from __future__ import annotations

__all__ = ["kpi_value", "number", "percent", "signed"]

NARROW_SPACE = "\u202f"


def number(x: float, language: str = "en", digits: int = 0) -> str:
    """Return ``x`` with thousands separators and ``digits`` decimals as ``language`` writes it.

    Parameters
    ----------
    x
        The number.
    language
        ``en`` (1,234.5) or ``fr`` (1 234,5).
    digits
        Decimals shown.
    """
    text = f"{x:,.{digits}f}"
    return text.replace(",", NARROW_SPACE).replace(".", ",") if language == "fr" else text


def percent(x: float, language: str = "en", digits: int = 1) -> str:
    """Return the share ``x`` (0–1) as a percentage: ``59.1%`` in English, ``59,1 %`` in French.

    Parameters
    ----------
    x
        The share, between 0 and 1.
    language
        ``en`` or ``fr``.
    digits
        Decimals shown.
    """
    return number(100 * x, language, digits) + (NARROW_SPACE + "%" if language == "fr" else "%")


def signed(x: float, language: str = "en", digits: int = 1) -> str:
    """Return ``x`` with its sign (``+1.0``, ``−0.5``, ``0.0``).

    Parameters
    ----------
    x
        The number.
    language
        ``en`` or ``fr``.
    digits
        Decimals shown.
    """
    text = number(abs(x), language, digits)
    return ("+" if x > 0 else "−" if x < 0 else "") + text


def kpi_value(x: float | None, unit: str, language: str = "en") -> str:
    """Return a KPI value in its unit (``share`` as a percentage); ``—`` when unknown.

    Parameters
    ----------
    x
        The value, or None when unknown.
    unit
        The KPI's unit: ``share``, ``currency``, ``count``, ``days`` or another word (one decimal).
    language
        ``en`` or ``fr``.
    """
    if x is None:
        return "—"
    if unit == "share":
        return percent(x, language)
    return number(x, language, {"currency": 2, "count": 0, "days": 1}.get(unit, 1))
