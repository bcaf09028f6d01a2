"""What a persona's map may claim: the persona's own evidence, and quotes fit to print.

A persona's map shows the persona's own figures where the run measured them (the ``personas``
result of step 2: users, sessions, conversion and the themes its users' feedback mentions most)
and says "all customers" where the data cannot tell. Quotes lose their greetings, sign-offs
and order numbers (:func:`cjmlib.voice.quotes.clean_quote`) and are shown once per map.
"""

from __future__ import annotations

import re

import pandas as pd

from ..i18n.formats import number, percent
from ..stats import wilson_interval
from ..voice.quotes import clean_quote, quote_key
from .model import MapCell, MapContext, missing

__all__ = ["clean_quote", "persona_evidence", "persona_facts", "unique_quotes"]


def unique_quotes(quotes: list[str], seen: set[str]) -> list[str]:
    """Return the cleaned quotes not met before (case and spaces ignored), adding them to ``seen``.

    Parameters
    ----------
    quotes
        The quotes of a cell, as collected.
    seen
        The keys of the quotes already shown on the map; updated in place.
    """
    out = []
    for quote in quotes:
        cleaned = clean_quote(quote)
        key = quote_key(cleaned)
        if key and key not in seen:
            seen.add(key)
            out.append(cleaned)
    return out


def _theme_counts(top_themes, themes: pd.DataFrame | None) -> dict[str, int]:
    """Read step 2's ``top_themes`` (``Shipping cost (64) · Product quality (30)``) as {theme id: mentions}."""
    if missing(top_themes) or not str(top_themes).strip():
        return {}
    by_label = {}
    if themes is not None and {"theme", "label"} <= set(themes.columns):
        by_label = {str(label).casefold(): str(theme) for theme, label in zip(themes["theme"], themes["label"])}
    counts = {}
    for part in str(top_themes).split("·"):
        found = re.match(r"\s*(.+?)\s*\((\d[\d,.\s ]*)\)\s*$", part)
        if found:
            name = found.group(1).casefold()
            counts[by_label.get(name, name.replace(" ", "_"))] = int(re.sub(r"\D", "", found.group(2)))
    return counts


def persona_evidence(ctx: MapContext) -> dict | None:
    """Return what the run measured for the mapped persona, or None (all personas mapped, or no data).

    Parameters
    ----------
    ctx
        The map's context; its ``persona`` is the persona mapped.

    Returns
    -------
    dict or None
        ``users``, ``share_users``, ``sessions``, ``conversions``, ``conversion`` (= conversions ÷
        sessions) with its 95 % interval ``ci_low``, ``ci_high`` (None where unknown) and ``themes``: {theme id: feedback items of the persona's users mentioning it} for the
        themes step 2 lists (the persona's most mentioned).
    """
    table = ctx.frame("personas")
    if ctx.persona is None or table is None or "persona" not in table:
        return None
    persona = ctx.personas[0]
    rows = table[table["persona"].astype(str).isin([persona.id, persona.name])]
    if rows.empty:
        return None
    row = rows.iloc[0]

    def value(name):
        return None if name not in row or missing(row[name]) else float(row[name])

    facts = {name: value(name) for name in ("users", "share_users", "sessions", "conversions", "conversion",
                                            "ci_low", "ci_high")}
    if facts["ci_low"] is None and facts["conversions"] is not None and facts["sessions"]:
        low, high = wilson_interval(facts["conversions"], facts["sessions"])
        facts |= {"ci_low": float(low), "ci_high": float(high)}
    return facts | {"themes": _theme_counts(row.get("top_themes"), ctx.frame("themes"))}


def persona_facts(ctx: MapContext) -> MapCell | None:
    """Return the mapped persona's own figures, when step 2 measured them: users, their share of all
    users, and the conversion of their sessions with its 95 % interval and n (the sessions).

    Parameters
    ----------
    ctx
        The map's context; its ``persona`` is the persona mapped.
    """
    facts = persona_evidence(ctx)
    if not facts or facts["users"] is None:
        return None
    lang = ctx.language

    def shown(x, digits=1):
        return percent(x, lang, digits) if x is not None else "—"

    key = "persona_facts" if facts["ci_low"] is not None and facts["ci_high"] is not None else "persona_facts_plain"
    text = ctx.text[key].format(
        users=number(facts["users"], lang), share=shown(facts["share_users"], 0),
        sessions=number(facts["sessions"], lang) if facts["sessions"] is not None else "—",
        conversion=shown(facts["conversion"]), low=shown(facts["ci_low"]), high=shown(facts["ci_high"]))
    prov = ctx.provenance(n=facts["users"], source="events", definition=ctx.text["def_persona"])
    return MapCell(text, facts["users"], prov)
