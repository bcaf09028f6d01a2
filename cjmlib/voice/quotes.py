"""The quotes a journey map prints: chosen per stage and persona from the run's coded feedback.

Each cell of the map's thoughts lane (a stage, for all customers or for one persona) takes its
quotes from the feedback items coded to that stage (published by step 05 as
``results/feedback.parquet``) and, on a persona's map, written by that persona's users. A quote is
printed clean: the redacted text loses its greeting, its sign-off and its order numbers, and is
shown once per map; two quotes of a cell never share half of their words (numbers aside), so that
"6 days late" and "11 days late" are not printed side by side. The quotes of a cell take turns
between its themes, most mentioned first (equal mentions: strongest item first): the best item of each theme, then the second best…
(within a theme, quotes of 30 to 140 characters first, then the strongest sentiment, then the
shortest), so that a stage's two quotes tell two themes when it has two.
"""

from __future__ import annotations

import re

import pandas as pd

from .emotion import persona_user_ids
from .text import redact, without_greetings
from .themes import feedback_table

__all__ = ["clean_quote", "map_quotes", "quote_key"]

_SIGN_OFF = re.compile(
    r"(?:[.!?]\s+|^)\s*((?:best(?: regards| wishes)?|kind regards|regards|many thanks|thanks(?: a lot)?|thank you|"
    r"cheers|sincerely|yours|merci(?: beaucoup| d'avance)?|cordialement|bien à vous|bonne journée|salutations)\b"
    r"[^\n]{0,60})$", re.IGNORECASE)
_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|bonjour|bonsoir|salut|coucou|"
    r"madame|monsieur)\b[^.!?,\n]{0,30}[.!?,]+\s*)+", re.IGNORECASE)
_TRAILING_TAG = re.compile(r"(?:\s*\[[^\]]*\]\.?)+\s*$")
_NUMBER_TAG = re.compile(r"\s*(?:\b(?:n°|no\.?|nr\.?|num(?:ber|éro)?)\s*)?[#:]?\s*\[number\]", re.IGNORECASE)
_ORDER_WORD = {"en": "order", "fr": "commande", "pt": "pedido", "es": "pedido", "de": "Bestellung"}
_ORDER_TAG = re.compile(r"(?P<before>\b(?:order|commande|pedido|bestellung)\s+)?\[order\]", re.IGNORECASE)
_PERSONAL_TAG = re.compile(r"\[(?!order\]|number\])[a-z_]+\]")  # a masked e-mail, phone, card…: not printed
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?)])")

#: The lengths of a printable quote, in characters, once cleaned, and those read first.
MIN_LENGTH, MAX_LENGTH = 15, 160
READABLE = (30, 140)


def clean_quote(text: str, language: str = "en") -> str:
    """Return a verbatim without its opening greeting, closing sign-off and order numbers.

    An order number (``[order]`` once redacted) reads as the word "order" in the quote's language
    (``My [order] was late`` → ``My order was late``); another long number is dropped.

    Parameters
    ----------
    text
        The quote as collected (already redacted of personal data, :func:`cjmlib.voice.text.redact`).
    language
        The quote's language (``en``, ``fr``, ``pt``, ``es``, ``de``), for the word that replaces an
        order number; English by default.

    Examples
    --------
    >>> clean_quote("Hi! Expensive shipping, so I left my cart. Thanks, Anna")
    'Expensive shipping, so I left my cart.'
    >>> clean_quote("[order] arrived broken.")
    'Order arrived broken.'
    >>> clean_quote("Ma [order] est arrivée cassée.", "fr")
    'Ma commande est arrivée cassée.'
    """
    out = _GREETING.sub("", str(text)).strip()
    match = _SIGN_OFF.search(out)
    if match and match.start(1) > 0:
        out = out[:match.start(1)].strip()
    out = _TRAILING_TAG.sub("", out).strip()
    word = _ORDER_WORD.get(str(language), "order")
    out = _ORDER_TAG.sub(lambda m: m.group("before") or word, out)
    out = _SPACE_BEFORE_PUNCT.sub(r"\1", re.sub(r"\s{2,}", " ", _NUMBER_TAG.sub("", out))).strip()
    out = out[:1].upper() + out[1:]
    return out or str(text).strip()


def quote_key(text: str) -> str:
    """Return what makes two quotes the same: their words, whatever the case, spaces, punctuation and numbers.

    Parameters
    ----------
    text
        A cleaned quote.
    """
    return re.sub(r"\W+", " ", re.sub(r"\d+(?:[.,]\d+)?", "0", str(text).casefold())).strip()


def _distinct(keys: list[str], n: int, *, overlap: float = 0.5) -> list[int]:
    """Positions of the first ``n`` keys that share less than ``overlap`` of their words with any kept."""
    kept: list[set[str]] = []
    out = []
    for i, key in enumerate(keys):
        words = set(key.split())
        if words and all(len(words & k) / len(words | k) < overlap for k in kept):
            kept.append(words)
            out.append(i)
            if len(out) == n:
                break
    return out


def _candidates(items: pd.DataFrame) -> pd.DataFrame:
    """The items fit to print, cleaned and de-duplicated, best first."""
    if items.empty:
        return items.assign(quote=pd.Series(dtype=str))
    text = items.text.fillna("").astype(str).map(lambda t: redact(without_greetings(t) or t))
    out = items.assign(quote=[clean_quote(t, lang) for t, lang in zip(text, items.language)])
    out = out[out.quote.str.len().between(MIN_LENGTH, MAX_LENGTH) & ~text.str.contains(_PERSONAL_TAG).to_numpy()]
    mentions = pd.Series([t for ts in out.themes for t in ts], dtype=object).value_counts()
    primary = [max(ts, key=lambda t: int(mentions.get(t, 0))) if len(ts) else "" for ts in out.themes]
    out = out.assign(key=out.quote.map(quote_key), primary=primary,
                     weight=[int(mentions.get(t, 0)) for t in primary],
                     short=~out.quote.str.len().between(*READABLE), strength=out.sentiment.abs().fillna(0),
                     length=out.quote.str.len())
    out = out.sort_values(["weight", "primary", "short", "strength", "length", "id"],
                          ascending=[False, True, True, False, True, True])
    out["turn"] = out.groupby("primary", sort=False).cumcount()  # each theme's best first, then its second…
    return out.sort_values(["turn", "weight", "strength"], ascending=[True, False, False], kind="stable")


def _cell(items: pd.DataFrame, *, stage: str, persona: str, language: str, per_cell: int) -> list[dict]:
    here = items[items.stage == stage]
    sure = here[~here["language_assumed"].fillna(False).astype(bool)] if "language_assumed" in here else here
    sure = sure if len(sure) else here
    mine = sure[sure.language == language]
    if mine.empty and len(sure):  # none in the project's language: the cell's own language
        mine = sure[sure.language == sure.language.mode().iloc[0]]
    ranked = _candidates(mine)
    chosen = ranked.iloc[_distinct(ranked.key.tolist(), per_cell)] if len(ranked) else ranked
    return [{"stage": stage, "persona": persona, "quote": r.quote, "language": r.language,
             "themes": list(r.themes), "sentiment": r.sentiment, "items": len(here)}
            for r in chosen.itertuples()]


def map_quotes(project, *, per_cell: int = 6) -> pd.DataFrame:
    """Choose the quotes of the map's thoughts lane, per stage, for all customers and for each persona.

    Parameters
    ----------
    project
        The loaded project: its coded feedback (:func:`cjmlib.voice.themes.feedback_table`, read from
        the run's ``results/feedback`` when step 05 published it), its events (for the personas'
        users) and its spec (stages, personas, language).
    per_cell
        Quotes kept per stage and persona, best first (6 by default: the map prints two, the
        others stand in when a quote was already printed at an earlier stage).

    Returns
    -------
    DataFrame
        ``stage``, ``persona`` (a persona id, or ``all``), ``quote`` (redacted, cleaned),
        ``language``, ``themes`` (list of theme ids), ``sentiment`` (−1 … +1, missing when unscored)
        and ``items`` (the feedback items coded to the stage for that persona, from which the quotes
        were chosen: the cell's n). A quote is in the project's language when the cell has items
        whose language was read or detected so (an item of assumed language is never preferred for
        it), else in the cell's most common language.
    """
    columns = ["stage", "persona", "quote", "language", "themes", "sentiment", "items"]
    fb = feedback_table(project)
    fb = fb[fb.stage.notna()] if len(fb) else fb
    if fb.empty:
        return pd.DataFrame(columns=columns)
    spec, rows = project.spec, []
    groups = [("all", fb)] + [(p.id, fb[fb.user_id.isin(persona_user_ids(project, p.id))])
                              for p in spec.personas]
    for persona, items in groups:
        for stage in spec.stages:
            rows += _cell(items, stage=stage.id, persona=persona, language=spec.project.language,
                          per_cell=per_cell)
    return pd.DataFrame(rows, columns=columns)
