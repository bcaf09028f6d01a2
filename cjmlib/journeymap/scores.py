"""The scores lane of the journey map: NPS, CSAT and CES where the surveys measured them.

Each stage shows its survey scores (step 7's ``map_scores`` result, :func:`cjmlib.map_scores`) with
their 95 % interval and n, and below them the scores of each touchpoint the answers name. A persona's
map shows its own users' answers where they are at least ``min_group_size``, else all customers'
answers, saying so; a figure resting on fewer answers than that is never shown.
"""

from __future__ import annotations

import pandas as pd

from ..i18n.formats import number, percent, signed
from .model import MapCell, MapContext, missing

__all__ = ["score_lane", "score_text", "with_scores"]

KINDS = ("nps", "csat", "ces")
"""The survey kinds shown, in the order a cell lists them."""


def score_text(ctx: MapContext, kind: str, score: float, low: float, high: float, n: int) -> str:
    """Return a survey score as the map prints it: ``NPS +12 (−4 to +27), n = 85``, ``CSAT 62% satisfied
    (55%–69%), n = 140``.

    Parameters
    ----------
    ctx
        The map's context (its language and words).
    kind
        ``nps`` (score −100 … +100) or ``csat``, ``ces`` (score the share satisfied or finding it easy, 0–1).
    score, low, high
        The score and its 95 % interval.
    n
        The answers it rests on.
    """
    lang = ctx.language
    if kind == "nps":
        value, low_text, high_text = (signed(round(x), lang, 0) for x in (score, low, high))  # never "+0"
    else:
        value, low_text, high_text = (percent(x, lang, 0) for x in (score, low, high))
    return ctx.text["scores"][kind].format(value=value, low=low_text, high=high_text, n=number(n, lang))


def _pick(rows: pd.DataFrame, persona: str | None, k: int) -> tuple[pd.Series | None, bool]:
    """Return the row of the persona when it has ``k`` answers or more, else all customers' row (and True)."""
    if persona is not None:
        mine = rows[rows["persona"] == persona]
        if len(mine) and mine["responses"].iloc[0] >= k:
            return mine.iloc[0], False
    everyone = rows[rows["persona"] == "all"]
    return (everyone.iloc[0] if len(everyone) else None), persona is not None


def _cell(ctx: MapContext, row: pd.Series, of_all: bool, touchpoint: str = "") -> MapCell:
    """Return one score as a cell (hidden under ``min_group_size``), its provenance naming whose answers."""
    kind = str(row["kind"])
    who = ctx.text["of_all"] if of_all else ctx.text["of_persona"] if ctx.persona is not None else ""
    prov = ctx.provenance(n=row["responses"], source="surveys",
                          definition=ctx.text["def_scores"][kind].format(who=who))
    k = ctx.spec.project.min_group_size
    if missing(row["score"]) or prov["n"] < k:
        return MapCell(ctx.text["hidden"].format(what=ctx.text["what"][kind], k=k), None, prov)
    text = score_text(ctx, kind, float(row["score"]), float(row["ci_low"]), float(row["ci_high"]),
                      int(row["responses"]))
    text = ctx.text["score_all"].format(score=text) if of_all else text
    text = ctx.text["score_at"].format(touchpoint=touchpoint, score=text) if touchpoint else text
    return MapCell(text, float(row["score"]), prov)


def score_lane(ctx: MapContext) -> dict[str, list[MapCell]] | None:
    """Return the survey scores per stage, or None when the run measured none (no ``map_scores`` result).

    Parameters
    ----------
    ctx
        The map's context: the run's ``map_scores`` result, the persona mapped and ``min_group_size``.

    Returns
    -------
    dict or None
        Per stage, for each kind measured there (NPS, CSAT, CES): the stage's score, then the score
        of each touchpoint its answers name (those with ``min_group_size`` answers; when one touchpoint
        holds every answer of the stage, the stage's score is labelled with it instead).
    """
    table = ctx.frame("map_scores")
    if table is None or not {"stage", "touchpoint", "persona", "kind", "responses", "score"} <= set(table.columns):
        return None
    k, cells = ctx.spec.project.min_group_size, ctx.per_stage()
    labels = {tp.id: tp.label or tp.id for tp in ctx.spec.touchpoints}
    for stage in cells:
        for kind in KINDS:
            rows = table[(table["stage"] == stage) & (table["kind"] == kind)]
            whole = rows[rows["touchpoint"].isna()]
            row, of_all = _pick(whole, ctx.persona, k)
            if row is None or not row["responses"]:
                continue
            at = rows[rows["touchpoint"].notna()]
            places = at.loc[at["persona"] == "all", "touchpoint"].tolist()
            everyone = whole.loc[whole["persona"] == "all", "responses"].sum()
            if len(places) == 1 and at.loc[at["persona"] == "all", "responses"].sum() == everyone:
                cells[stage].append(_cell(ctx, row, of_all, labels.get(places[0], places[0])))
                continue
            cells[stage].append(_cell(ctx, row, of_all))
            for place in places:
                one, one_all = _pick(at[at["touchpoint"] == place], ctx.persona, k)
                if one is not None and one["responses"] >= k:
                    cells[stage].append(_cell(ctx, one, one_all, labels.get(place, place)))
    return cells


def with_scores(ctx: MapContext, built: dict, order: list[str]) -> tuple[dict, list[str]]:
    """Return the lanes and their order with the scores lane after the emotion lane, when the run
    measured scores; unchanged otherwise.

    Parameters
    ----------
    ctx
        The map's context.
    built
        The lanes built so far, by id.
    order
        The lanes' ids in reading order.
    """
    cells = score_lane(ctx)
    if cells is None:
        return built, order
    at = order.index("emotion") + 1 if "emotion" in order else len(order)
    return {**built, "scores": cells}, [*order[:at], "scores", *order[at:]]
