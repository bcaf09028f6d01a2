"""Assemble the journey map from the spec and the sidecar results of a run.

:func:`build_map` fills a :class:`~cjmlib.mapmodel.MapModel`: the spec gives the hypotheses
(persona, actions, thoughts, emotion, the persona's day, frontstage, backstage and support
processes), the run's results give the evidence (sessions per touchpoint, quotes, measured
emotion, pain-point mentions, the opportunities' scores by the run's method: RICE, ICE or
value/effort; the funnel, the NPS and, on a future-state map, the KPI targets and the what-if
of step 6). :func:`persona_emotions` computes the measured emotion curve of every persona, for
the overlay of their curves.

Examples
--------
>>> from cjmlib.spec import load_spec
>>> from cjmlib.mapbuild import build_map
>>> journey = load_spec("templates/ecommerce/journey.yml")              # doctest: +SKIP
>>> model = build_map(journey, "reports/latest", persona="busy-parent")  # doctest: +SKIP
>>> [lane.id for lane in model.lanes][:3]                                # doctest: +SKIP
['persona', 'actions', 'touchpoints']
"""

from __future__ import annotations

import math
import numbers
import os

import pandas as pd

from ..data.results import load_result
from ..i18n.formats import number, percent, signed
from ..spec.model import Journey, Persona
from ..voice.emotion import emotion_curve
from .blueprint import blueprint_lane
from .evidence import persona_evidence, persona_facts, unique_quotes
from .kpis import kpi_lane
from .layout import day_text
from .model import (
    ALL_STAGES,
    MapCell,
    MapContext,
    MapModel,
    MapRow,
    as_list,
    missing,
    optional,
    period_of,
    short_name,
)
from .scores import with_scores
from .words import LABELS

__all__ = ["RESULTS", "build_map", "persona_emotions"]

RESULTS = ("kpis", "touchpoints", "stage_funnel", "nps_by_stage", "themes", "emotion", "emotion_personas",
           "map_quotes", "map_scores", "attribution", "opportunities", "what_if", "personas", "meta",
           "operations")
"""The sidecar results a map reads (each is optional)."""

_BLUEPRINT_LINES = {"frontstage": "line_of_interaction", "backstage": "line_of_visibility",
                    "support": "line_of_internal_interaction"}


def _prefix(ctx: MapContext, persona: Persona) -> str:
    return f"{short_name(persona)}: " if len(ctx.personas) > 1 else ""


def _persona_lane(ctx: MapContext) -> dict[str, list[MapCell]]:
    cells = []
    for p in ctx.personas:
        lines = [p.name] + ([ctx.text["quote"].format(p.quote)] if p.quote else [])
        lines += [ctx.text["goals"].format(" · ".join(p.goals))] if p.goals else []
        cells.append(MapCell("\n".join(lines)))
    facts = persona_facts(ctx)
    return {ALL_STAGES: cells + ([facts] if facts else [])}


def _hypothesis_lane(ctx: MapContext, field: str) -> dict[str, list[MapCell]]:
    """Return the spec lanes' ``actions`` or ``thoughts`` of the selected personas, per stage."""
    cells = ctx.per_stage()
    for stage in cells:
        for p in ctx.personas:
            lane = ctx.spec.lane(stage, p.id)
            cells[stage] += [MapCell(_prefix(ctx, p) + item) for item in (getattr(lane, field) if lane else ())]
    return cells


def _attribution_cell(ctx: MapContext, tp_id: str) -> MapCell | None:
    """Return what removing the touchpoint costs the main funnel's conversions (step 4), or None."""
    table = ctx.frame("attribution")
    if table is None or "touchpoint" not in table:
        return None
    row = table[table["touchpoint"] == tp_id]
    if row.empty or missing(row["removal_effect"].iloc[0]):
        return None
    r, lang = row.iloc[0], ctx.language
    prov = ctx.provenance(n=r["conversions"], source="events", definition=ctx.text["def_attribution"])
    effect, low, high = (percent(r[k], lang, 0) for k in ("removal_effect", "low", "high"))
    if r["high"] <= 1e-12:  # on no path to a conversion
        text = ctx.text["attribution_none"]
    elif low == high:  # every resample agrees (e.g. every conversion passes through it)
        text = ctx.text["attribution_exact"].format(effect=effect)
    else:
        text = ctx.text["attribution"].format(effect=effect, low=low, high=high)
    return ctx.stat(text, float(r["removal_effect"]), prov, what="rate")


def _touchpoint_lane(ctx: MapContext) -> dict[str, list[MapCell]]:
    cells = ctx.per_stage()
    counts = ctx.frame("touchpoints")
    for tp in ctx.spec.touchpoints:
        text = tp.label + (f" ({tp.channel})" if tp.channel else "")
        row = counts[counts["touchpoint"] == tp.id] if counts is not None else None
        if row is not None and len(row) and not missing(row["sessions"].iloc[0]):
            n = int(row["sessions"].iloc[0])
            prov = ctx.provenance(n=n, source="events", definition=ctx.text["def_sessions"])
            text += " · " + ctx.text["sessions"].format(n=number(n, ctx.language))
            cells[tp.stage].append(MapCell(text, float(n), prov))
        else:
            cells[tp.stage].append(MapCell(text))
        effect = _attribution_cell(ctx, tp.id)
        if effect is not None:
            cells[tp.stage].append(effect)
    return cells


def _day(ctx: MapContext) -> list[dict]:
    """Return the moments of the selected personas' days, by time of day."""
    touchpoints = {tp.id: tp for tp in ctx.spec.touchpoints}
    moments = []
    for p in ctx.personas:
        for m in p.day:
            tp = touchpoints.get(m.touchpoint) if m.touchpoint else None
            hours, minutes = m.time.split(":")
            moments.append({"time": m.time, "minutes": int(hours) * 60 + int(minutes), "activity": m.activity,
                            "persona": short_name(p) if len(ctx.personas) > 1 else "",
                            "touchpoint": tp.id if tp else None, "touchpoint_label": tp.label if tp else "",
                            "channel": tp.channel if tp else "", "stage": tp.stage if tp else None})
    return sorted(moments, key=lambda m: m["minutes"])


def _chosen_quotes(ctx: MapContext, stage: str, seen: set[str]) -> list[MapCell] | None:
    """Return two quotes of the stage chosen by step 7 (:func:`cjmlib.voice.quotes.map_quotes`) for the
    persona mapped, or for all customers when the persona's items at the stage are too few; None when
    step 7 chose none (an older run)."""
    chosen = ctx.frame("map_quotes")
    if chosen is None or "persona" not in chosen:
        return None
    k, at_stage = ctx.spec.project.min_group_size, chosen[chosen["stage"] == stage]
    mine = at_stage[(at_stage["persona"] == ctx.persona) & (at_stage["items"] >= k)] if ctx.persona else at_stage[:0]
    rows = mine if len(mine) else at_stage[(at_stage["persona"] == "all") & (at_stage["items"] >= k)]
    labels = {t.id: t.label or t.id for t in ctx.spec.codebook.themes}
    key = "def_persona_quote" if len(mine) else "def_stage_quote"
    out = []
    for row in rows.itertuples():
        for quote in unique_quotes([row.quote], seen):
            theme = ", ".join(labels.get(t, t) for t in as_list(row.themes)) or "—"
            definition = ctx.text[key].format(theme=theme) + (ctx.text["of_all"] if ctx.persona and not len(mine) else "")
            out.append(MapCell(ctx.text["quote"].format(quote), None,
                               ctx.provenance(n=row.items, source="feedback", definition=definition)))
        if len(out) == 2:
            break
    return out


def _quotes(ctx: MapContext, stage: str, seen: set[str]) -> list[MapCell]:
    """Return two quotes of the stage, cleaned, never one shown twice: those step 7 chose for the stage
    and persona, else (an older run) quotes of the stage's themes, on a persona's map only the themes
    its users mention most (all themes when the run cannot tell)."""
    chosen = _chosen_quotes(ctx, stage, seen)
    if chosen is not None:
        return chosen
    themes = ctx.frame("themes")
    if themes is None or "stage" not in themes:
        return []
    rows = themes[(themes["stage"] == stage) & (themes["mentions"] >= ctx.spec.project.min_group_size)]
    facts = persona_evidence(ctx)
    if facts and facts["themes"]:
        rows = rows[rows["theme"].isin(facts["themes"])]
    out = []
    for _, row in rows.sort_values("mentions", ascending=False).iterrows():
        other = "fr" if ctx.language == "en" else "en"
        quotes = unique_quotes(as_list(row.get(f"quotes_{ctx.language}")) or as_list(row.get(f"quotes_{other}")), seen)
        label = row.get("label") if not missing(row.get("label")) else row["theme"]
        definition = ctx.text["def_quote"].format(theme=label) + (ctx.text["of_all"] if ctx.persona else "")
        prov = ctx.provenance(n=row["mentions"], source="feedback", definition=definition)
        out += [MapCell(ctx.text["quote"].format(q), None, prov) for q in quotes]
    return out[:2]


def _thoughts_lane(ctx: MapContext) -> dict[str, list[MapCell]]:
    cells, seen = _hypothesis_lane(ctx, "thoughts"), set()
    for stage in cells:
        cells[stage] += _quotes(ctx, stage, seen)
    return cells


def _emotion_rows(ctx: MapContext) -> tuple[pd.DataFrame | None, bool]:
    """Return the emotion rows of the selected persona (or of all personas) and whether they are overall."""
    frames = [f for f in (ctx.frame("emotion_personas"), ctx.frame("emotion")) if f is not None]
    if ctx.persona is not None:
        for frame in frames:
            if "persona" in frame and (frame["persona"] == ctx.persona).any():
                return frame[frame["persona"] == ctx.persona], False
    frame = ctx.frame("emotion")
    if frame is None or "persona" not in frame:
        return frame, True
    return frame[frame["persona"].isna() | frame["persona"].isin(["", "all"])], True


def _emotion_cell(ctx: MapContext, point: dict, row: pd.Series, definition: str) -> MapCell:
    """Return the measured emotion of a stage beside its hypothesis; fill ``point`` unless hidden."""
    prov = ctx.provenance(n=row.get("n"), source="feedback", definition=definition)
    hyp = signed(point["hypothesis"], ctx.language) if point["hypothesis"] is not None else "—"
    text = ctx.text["emotion_cell"].format(
        hypothesis=hyp, measured=signed(row["measured"], ctx.language), low=signed(row["ci_low"], ctx.language),
        high=signed(row["ci_high"], ctx.language), n=number(prov["n"] or 0, ctx.language))
    cell = ctx.stat(text, float(row["measured"]), prov, what="emotion")
    if cell.value is not None:
        point.update(measured=cell.value, ci_low=optional(row["ci_low"]), ci_high=optional(row["ci_high"]),
                     n=prov["n"])
    return cell


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _emotion(ctx: MapContext) -> tuple[dict[str, list[MapCell]], list[dict]]:
    text = ctx.text
    rows, overall = _emotion_rows(ctx)
    definition = text["def_emotion_all"] if overall and ctx.persona else text["def_emotion"]
    cells, points = ctx.per_stage(), []
    for stage in cells:
        lanes = [ln for p in ctx.personas if (ln := ctx.spec.lane(stage, p.id))]
        point = {"stage": stage, "hypothesis": _mean([ln.emotion for ln in lanes]), "measured": None,
                 "ci_low": None, "ci_high": None, "n": None,
                 "target": _mean([ln.future_emotion for ln in lanes if ln.future_emotion is not None])}
        row = rows[rows["stage"] == stage] if rows is not None else None
        if row is not None and len(row) and not missing(row["measured"].iloc[0]):
            cells[stage].append(_emotion_cell(ctx, point, row.iloc[0], definition))
        elif point["hypothesis"] is not None:
            hyp = text["emotion_hypothesis"].format(hypothesis=signed(point["hypothesis"], ctx.language))
            cells[stage].append(MapCell(f"{hyp} · {text['no_data']}"))
        else:
            cells[stage].append(MapCell(text["no_data"]))
        if ctx.spec.project.map_type == "future_state" and point["target"] is not None:
            cells[stage].append(MapCell(text["emotion_target"].format(target=signed(point["target"], ctx.language))))
        points.append(point)
    return cells, points


def _pain_lane(ctx: MapContext) -> dict[str, list[MapCell]]:
    """Return the pain points per stage with their mentions; on a persona's map, those its users
    mention (counted among them) when the run says so, else every pain point counted on all customers."""
    cells, themes = ctx.per_stage(), ctx.frame("themes")
    facts = persona_evidence(ctx)
    own = facts["themes"] if facts and facts["themes"] else None
    names = dict(zip(themes["theme"], themes["label"])) if themes is not None and "label" in themes else {}
    for pp in ctx.spec.pain_points:
        named = ", ".join(str(names.get(t, t)) for t in pp.themes)
        if themes is None or not pp.themes:
            cells[pp.stage].append(MapCell(pp.name))
            continue
        if own is not None:
            if not set(pp.themes) & set(own):
                continue  # not among this persona's themes
            mentions = sum(own.get(t, 0) for t in pp.themes)
            definition = ctx.text["def_persona_mentions"].format(themes=named)
        else:
            mentions = int(themes.loc[themes["theme"].isin(pp.themes), "mentions"].sum())
            definition = ctx.text["def_mentions"].format(themes=named)
            definition += ctx.text["of_all"] if ctx.persona is not None else ""
        prov = ctx.provenance(n=mentions, source="feedback", definition=definition)
        count = ctx.text["mentions"].format(n=number(mentions, ctx.language))
        cells[pp.stage].append(MapCell(f"{pp.name} · {count}", float(mentions), prov))
    return cells


def _scoring(ctx: MapContext, scored: pd.DataFrame | None) -> tuple[str, str]:
    """Return the scoring method the run used and the column holding its score.

    The ``scoring`` and ``score`` columns of :func:`cjmlib.opportunity_table` say it; an older table
    without them is read by the spec's ``project.scoring`` when it has that column, else by RICE.
    """
    if scored is not None and "scoring" in scored and "score" in scored and scored["scoring"].notna().any():
        return str(scored["scoring"].dropna().iloc[0]), "score"
    method = ctx.spec.project.scoring
    return (method, method) if scored is not None and method in scored else ("rice", "rice")


def _opportunity_lane(ctx: MapContext) -> dict[str, list[MapCell]]:
    """Return the opportunities per stage, best score first, labelled by the scoring method used."""
    cells, scored, language, text = ctx.per_stage(), ctx.frame("opportunities"), ctx.language, ctx.text
    method, column = _scoring(ctx, scored)
    if scored is not None and column not in scored:
        scored = None
    ranked, facts = [], persona_evidence(ctx)
    own = set(facts["themes"]) if facts and facts["themes"] else None
    theirs = {pp.id for pp in ctx.spec.pain_points if own is None or not pp.themes or set(pp.themes) & own}
    for opp in ctx.spec.opportunities:
        if opp.pain_points and not set(opp.pain_points) & theirs:
            continue  # it answers only pain points this persona's users do not report
        row = scored[scored["opportunity"] == opp.id] if scored is not None else None
        if row is None or not len(row) or missing(row[column].iloc[0]):
            ranked.append((opp.stage, -math.inf, MapCell(opp.name)))
            continue
        r, score = row.iloc[0], float(row[column].iloc[0])
        priority = r["priority"] if not missing(r.get("priority")) else "—"
        priority = number(priority, language) if isinstance(priority, numbers.Real) \
            else text["priorities"].get(str(priority), str(priority))
        prov = ctx.provenance(n=r.get("reach") if method == "rice" else None, source="journey",
                              definition=text["def_score"][method])
        label = text["priority"].format(priority=priority, method=text["scoring"][method],
                                        score=number(score, language, 1 if method == "ice" else 0))
        ranked.append((opp.stage, score, MapCell(f"{opp.name} · {label}", score, prov)))
    for stage, _, cell in sorted(ranked, key=lambda item: -item[1]):
        cells[stage].append(cell)
    return cells


def _select_personas(spec: Journey, persona: str | None) -> tuple[Persona, ...]:
    if persona is None:
        return spec.personas
    chosen = tuple(p for p in spec.personas if p.id == persona)
    if not chosen:
        known = ", ".join(p.id for p in spec.personas) or "none declared"
        raise ValueError(f"persona={persona!r} is not a persona of this journey; personas: {known}.")
    return chosen


def _overlay(ctx: MapContext) -> list[dict]:
    """Return the emotion curve of each persona of the spec (when it has several), for their overlay."""
    if len(ctx.spec.personas) < 2:
        return []
    frame, out = ctx.frame("emotion"), []
    persona_rows = frame[~(frame["persona"].isna() | frame["persona"].isin(["", "all"]))] \
        if frame is not None and "persona" in frame else None
    for p in ctx.spec.personas:
        only_persona = {**ctx.results, "emotion": persona_rows}  # never all personas' curve under one name
        one = MapContext(spec=ctx.spec, text=ctx.text, results=only_persona, personas=(p,), persona=p.id,
                         period=ctx.period)
        out.append({"persona": p.id, "name": short_name(p), "points": _emotion(one)[1]})
    return out


def _lanes(ctx: MapContext, emotion_cells: dict[str, list[MapCell]]) -> list[MapRow]:
    """Return the lanes of the map type, in reading order."""
    map_type, labels = ctx.spec.project.map_type, ctx.text["lanes"]
    built = {"persona": _persona_lane(ctx), "actions": _hypothesis_lane(ctx, "actions"),
             "touchpoints": _touchpoint_lane(ctx), "thoughts": _thoughts_lane(ctx), "emotion": emotion_cells,
             "pain_points": _pain_lane(ctx), "opportunities": _opportunity_lane(ctx), "kpis": kpi_lane(ctx)}
    order = ["persona", "actions", "touchpoints", "thoughts", "emotion", "pain_points", "opportunities", "kpis"]
    if map_type == "day_in_the_life":
        built["day"] = {ALL_STAGES: [MapCell(day_text(m)) for m in _day(ctx)]}
        order.insert(1, "day")
    if map_type == "service_blueprint":
        built |= {side: blueprint_lane(ctx, side) for side in _BLUEPRINT_LINES}
        order = ["persona", "touchpoints", "actions", "thoughts", "emotion", *_BLUEPRINT_LINES,
                 "pain_points", "opportunities", "kpis"]
    built, order = with_scores(ctx, built, order)  # after the emotion lane, when the run measured scores
    label = {"actions": labels["customer_actions"]} if map_type == "service_blueprint" else {}
    if ctx.persona is not None:  # counted on every customer: the run has no such figure per persona
        label |= {lane: ctx.text["lane_all"].format(lane=labels[lane]) for lane in ("touchpoints", "kpis")}
    return [MapRow(id=lane_id, label=label.get(lane_id, labels[lane_id]), cells=built[lane_id],
                 line=_BLUEPRINT_LINES.get(lane_id, "") if map_type == "service_blueprint" else "")
            for lane_id in order]


def build_map(spec: Journey, run_dir: str | os.PathLike | None = None, *,
              persona: str | None = None, map_type: str | None = None) -> MapModel:
    """Assemble the journey map of ``journey`` from its spec and the sidecar results of a run.

    Parameters
    ----------
    spec
        The journey spec; ``project.map_type`` chooses the map and ``project.language`` its words.
    run_dir
        The run folder holding ``results/``; without it (or for any missing result) the map shows
        the spec's hypotheses only, and "no data" where only data could fill a cell.
    persona
        Id of the persona to map; ``None`` maps every persona of the spec together.
    map_type
        Another map type than the spec's ``project.map_type`` (e.g. ``"service_blueprint"`` to draw the
        measured operations beside a current-state map); ``None`` keeps the spec's.

    Returns
    -------
    MapModel
        Lanes in this order: persona, (day for a day-in-the-life map), actions, touchpoints,
        thoughts, emotion, scores (survey scores, when the run measured them), pain_points,
        opportunities, kpis; a service blueprint reads persona,
        touchpoints, actions (customer actions), thoughts, emotion, scores, frontstage (below the line of
        interaction), backstage (below the line of visibility), support (below the line of internal
        interaction), pain_points, opportunities, kpis.

    Raises
    ------
    ValueError
        When ``persona`` is not a persona id of the spec, or ``map_type`` not a map type.
    """
    if map_type is not None and map_type != spec.project.map_type:
        project = type(spec.project).model_validate({**spec.project.model_dump(), "map_type": map_type})
        spec = spec.model_copy(update={"project": project})  # a ValidationError (ValueError) names the types
    results = {name: load_result(run_dir, name) for name in RESULTS} if run_dir is not None else {}
    project = spec.project
    text = LABELS[project.language]
    ctx = MapContext(spec=spec, text=text, results=results, personas=_select_personas(spec, persona),
                     persona=persona, period=period_of(results.get("meta")))
    emotion_cells, points = _emotion(ctx)
    return MapModel(
        title=text["map_type"][project.map_type], project=project.name, client=project.client,
        map_type=project.map_type, language=project.language, persona=persona,
        persona_name=ctx.personas[0].name if persona is not None else "",
        stages=[{"id": s.id, "label": s.label} for s in spec.stages], lanes=_lanes(ctx, emotion_cells),
        emotion=points, period=ctx.period, overlay=_overlay(ctx),
        day=_day(ctx) if project.map_type == "day_in_the_life" else [])


def persona_emotions(project) -> pd.DataFrame:
    """Return the measured emotion curve of every persona of the spec, for the map's persona overlay.

    Parameters
    ----------
    project
        An open project (:func:`cjmlib.open_project`).

    Returns
    -------
    DataFrame
        The rows of :func:`cjmlib.voc.emotion_curve` for each persona in turn (``persona`` is its
        id): ``stage``, ``label``, ``persona``, ``hypothesis``, ``measured``, ``ci_low``, ``ci_high``,
        ``n`` (answers and items of the persona's users at the stage), ``n_surveys``, ``n_feedback``,
        ``disagree``. Empty when the spec has no persona.
    """
    curves = [emotion_curve(project, persona=p.id) for p in project.spec.personas]
    return pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(
        columns=["stage", "label", "persona", "hypothesis", "measured", "ci_low", "ci_high", "n"])
