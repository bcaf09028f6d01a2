"""Where each feedback item sits on the journey: its touchpoint and its stage.

An item is placed by the first of these that tells (``touchpoint_by`` says which):

1. ``column``: its own ``touchpoint`` column names a touchpoint of the spec (its id or its name,
   whatever the case and accents);
2. ``page``: its own ``page`` column matches the ``page`` patterns of a touchpoint's match rule
   (the same globs as the events', first touchpoint of the spec that matches);
3. ``theme``: a codebook theme it is coded with names a touchpoint (``touchpoint:`` of the theme,
   first coded theme in codebook order);
4. ``text``: its text names a touchpoint (the touchpoint's name as whole words, whatever the case
   and accents; the longest name wins);
5. none: the item has no touchpoint.

Its stage is the stage of a touchpoint read from its own columns (1, 2), else the stage of its first
coded theme with a stage, else the stage of the touchpoint found by theme or text.
"""

from __future__ import annotations

import fnmatch
import re

import pandas as pd

from .text import normalize_text

__all__ = ["PLACED_BY", "place_feedback", "placement_table"]

#: How an item was placed, in the order tried.
PLACED_BY = ("column", "page", "theme", "text")


def _by_column(values: pd.Series, touchpoints) -> pd.Series:
    names = {}
    for tp in reversed(touchpoints):  # the first touchpoint of the spec wins a shared name
        names[normalize_text(tp.label).strip()] = tp.id
        names[normalize_text(tp.id).strip()] = tp.id
    return values.map(lambda v: None if pd.isna(v) else names.get(normalize_text(v).strip()))


def _by_page(pages: pd.Series, touchpoints) -> pd.Series:
    globs = [(tp.id, tp.match.page) for tp in touchpoints if tp.match is not None and tp.match.page]

    def first(page):
        if pd.isna(page) or not globs:
            return None
        return next((tid for tid, patterns in globs if any(fnmatch.fnmatchcase(str(page), p) for p in patterns)),
                    None)
    return pages.map(first)


def _by_theme(themes: pd.Series, codebook) -> pd.Series:
    named = {t.id: t.touchpoint for t in codebook.themes if t.touchpoint}
    return themes.map(lambda ts: next((named[t] for t in ts if t in named), None))


def _by_text(texts: pd.Series, touchpoints) -> pd.Series:
    names = sorted(((normalize_text(tp.label).strip(), tp.id) for tp in touchpoints
                    if len(normalize_text(tp.label).strip()) >= 4), key=lambda nt: -len(nt[0]))
    if not names:
        return pd.Series(None, index=texts.index, dtype=object)
    patterns = [(re.compile(rf"(?<!\w){re.escape(name)}(?!\w)"), tid) for name, tid in names]

    def first(text):
        folded = normalize_text(text)
        return next((tid for pattern, tid in patterns if pattern.search(folded)), None)
    return texts.fillna("").map(first)


def place_feedback(fb: pd.DataFrame, spec) -> pd.DataFrame:
    """Return the feedback with its ``touchpoint``, ``touchpoint_by`` and ``stage`` (see the module).

    Parameters
    ----------
    fb
        The feedback, one row per item: ``text``, ``themes`` (lists of theme ids) and ``stage`` (the
        stage of its first coded theme, missing when none), with ``touchpoint`` and ``page`` when the
        source has them.
    spec
        The journey (its touchpoints and codebook).

    Returns
    -------
    DataFrame
        A copy of ``fb`` with ``touchpoint`` (an id, missing when unplaced), ``touchpoint_by``
        (``column``, ``page``, ``theme``, ``text``, missing when unplaced) and ``stage`` completed.
    """
    out = fb.copy()
    tps = spec.touchpoints
    empty = pd.Series(None, index=out.index, dtype=object)
    found = {"column": _by_column(out["touchpoint"], tps) if "touchpoint" in out else empty,
             "page": _by_page(out["page"], tps) if "page" in out else empty,
             "theme": _by_theme(out["themes"], spec.codebook) if len(out) else empty,
             "text": _by_text(out["text"], tps) if len(out) else empty}
    touchpoint, by = empty.copy(), empty.copy()
    for how in PLACED_BY:
        take = touchpoint.isna() & found[how].notna()
        touchpoint[take], by[take] = found[how][take], how
    stage_of = {tp.id: tp.stage for tp in tps}
    tp_stage = touchpoint.map(lambda t: stage_of.get(t) if isinstance(t, str) else None)
    own = by.isin(["column", "page"])
    stage = out.get("stage", empty)
    out["stage"] = tp_stage.where(own, stage.where(stage.notna(), tp_stage))
    out["touchpoint"], out["touchpoint_by"] = (s.astype(object).where(s.notna(), None) for s in (touchpoint, by))
    out["stage"] = out["stage"].astype(object).where(out["stage"].notna(), None)
    return out


def placement_table(fb: pd.DataFrame) -> pd.DataFrame:
    """Count how the feedback was placed on the journey: by each way of :data:`PLACED_BY`, unplaced, and
    placed nowhere (neither at a touchpoint nor at a stage).

    Parameters
    ----------
    fb
        The coded feedback (:func:`cjmlib.feedback_table`): ``touchpoint_by`` and ``stage``.

    Returns
    -------
    DataFrame
        ``placed_by`` (``placed_by_column``, ``placed_by_page``, ``placed_by_theme``,
        ``placed_by_text``, ``unplaced`` (no touchpoint): these five rows share out every item; then
        ``unassigned``: the items with neither a touchpoint nor a stage, counted again), ``items``,
        ``share`` = items ÷ ``feedback_items`` (all kept items), ``feedback_items``, and ``with_stage``
        (of those items, the ones with a stage).
    """
    total = len(fb)
    by = fb["touchpoint_by"].fillna("none") if total else pd.Series(dtype=object)
    staged = fb["stage"].notna() if total else pd.Series(dtype=bool)
    rows = [{"placed_by": "unplaced" if how == "none" else f"placed_by_{how}", "items": int((by == how).sum()),
             "with_stage": int(((by == how) & staged).sum())} for how in (*PLACED_BY, "none")]
    rows.append({"placed_by": "unassigned", "items": int(((by == "none") & ~staged).sum()), "with_stage": 0})
    out = pd.DataFrame(rows)
    out["feedback_items"] = total
    out["share"] = out["items"] / total if total else float("nan")
    return out[["placed_by", "items", "share", "feedback_items", "with_stage"]]
