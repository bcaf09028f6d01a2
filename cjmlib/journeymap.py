"""The journey map: the spec's hypotheses and the run's results, stages as columns and lanes as rows.

:func:`build_map` assembles a :class:`MapModel` from the journey spec and the sidecar results of
a run (see :mod:`cjmlib.results`); the renderers draw that one model as self-contained HTML
(Jinja2 with autoescape, CSS grid, inline SVG emotion curve, no script) and as a matplotlib
figure saved as SVG or PNG. Every cell backed by data carries its provenance (n, period, source
hash, definition), shown on hover in HTML and as numbered footnotes in every rendering.

Rates and scores whose denominator is smaller than the project's ``min_group_size`` are hidden,
and so are the quotes of themes with fewer mentions.

Examples
--------
>>> from cjmlib.spec import load_spec
>>> from cjmlib.journeymap import build_map, render_all
>>> journey = load_spec("templates/ecommerce/journey.yml")            # doctest: +SKIP
>>> model = build_map(journey, "reports/latest", persona="busy-parent")  # doctest: +SKIP
>>> [lane.id for lane in model.lanes][:3]                                # doctest: +SKIP
['persona', 'actions', 'touchpoints']
>>> render_all(journey, "reports/latest", "reports/latest/html")        # doctest: +SKIP
"""

from __future__ import annotations

import math
import numbers
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .results import load_result
from .spec import Journey, Persona

__all__ = [
    "ALL_STAGES",
    "Cell",
    "Lane",
    "MapModel",
    "build_map",
    "render_all",
    "render_html",
    "render_png",
    "render_svg",
]

ALL_STAGES = "*"
"""Key of :attr:`Lane.cells` for cells spanning every stage (the persona lane)."""

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "map"

LABELS = {
    "en": {
        "map_type": {"current_state": "Current-state journey map", "future_state": "Future-state journey map",
                     "day_in_the_life": "Day-in-the-life map", "service_blueprint": "Service blueprint"},
        "lanes": {"persona": "Persona & goals", "actions": "Actions", "touchpoints": "Touchpoints",
                  "frontstage": "Frontstage", "backstage": "Backstage", "thoughts": "Thoughts",
                  "emotion": "Emotion", "pain_points": "Pain points", "opportunities": "Opportunities",
                  "kpis": "KPIs"},
        "units": {"session": "sessions", "user": "users"},
        "what": {"rate": "rate", "drop_off": "drop-off", "nps": "NPS", "emotion": "measured emotion"},
        "client": "Client", "persona": "Persona", "all_personas": "all personas", "period": "Period",
        "colon": ": ", "goals": "Goals: {}", "quote": "“{}”",
        "no_data": "no data", "hidden": "{what} hidden (n < {k})",
        "line_of_visibility": "line of visibility", "notes": "Sources and definitions",
        "hypothesis": "hypothesis", "measured": "measured", "interval": "95% interval",
        "emotion_scale": "emotion −2 … +2",
        "reached": "{units} {units_label}", "rate": "{value} of entries",
        "drop_off": "drop-off {count} ({value})",
        "nps": "NPS {value} (n = {n})", "mentions": "{n} mentions", "sessions": "{n} sessions",
        "priority": "priority {priority} · RICE {rice}",
        "emotion_cell": "hypothesis {hypothesis} · measured {measured} [{low}, {high}] (n = {n})",
        "emotion_hypothesis": "hypothesis {hypothesis}",
        "target": "Target {name}: {target} (baseline {baseline})",
        "def_units": "{units} reaching the stage",
        "def_rate": "{units} reaching the stage ÷ {entry}",
        "entry_events": "{units} with a{n} {events}",
        "entry_stage": "{units} reaching {stage}",
        "def_drop_off": "share of the {units} reaching the previous stage that do not reach this one",
        "def_nps": "% promoters (9–10) − % detractors (0–6) among survey responses at the stage",
        "def_sessions": "sessions with at least one event of the touchpoint",
        "def_mentions": "feedback items coded with the theme(s) {themes}",
        "def_quote": "verbatim of a feedback item coded with the theme {theme}",
        "def_emotion": "mean measured emotion on −2 … +2 with its 95% interval",
        "def_emotion_all": "mean measured emotion on −2 … +2 with its 95% interval, all personas",
        "def_rice": "RICE = reach × impact × confidence ÷ effort; priority ranks the opportunities by RICE",
        "def_target": "target set by the team; baseline measured over the period",
    },
    "fr": {
        "map_type": {"current_state": "Carte du parcours client — état actuel",
                     "future_state": "Carte du parcours client — état cible",
                     "day_in_the_life": "Carte « une journée dans la vie »",
                     "service_blueprint": "Plan de service"},
        "lanes": {"persona": "Persona et objectifs", "actions": "Actions", "touchpoints": "Points de contact",
                  "frontstage": "Front-office", "backstage": "Back-office", "thoughts": "Pensées",
                  "emotion": "Émotion", "pain_points": "Points de friction", "opportunities": "Opportunités",
                  "kpis": "Indicateurs"},
        "units": {"session": "sessions", "user": "utilisateurs"},
        "what": {"rate": "taux", "drop_off": "abandon", "nps": "NPS", "emotion": "émotion mesurée"},
        "client": "Client", "persona": "Persona", "all_personas": "tous les personas", "period": "Période",
        "colon": " : ", "goals": "Objectifs : {}", "quote": "« {} »",
        "no_data": "pas de données", "hidden": "{what} masqué (n < {k})",
        "line_of_visibility": "ligne de visibilité", "notes": "Sources et définitions",
        "hypothesis": "hypothèse", "measured": "mesurée", "interval": "intervalle à 95 %",
        "emotion_scale": "émotion −2 … +2",
        "reached": "{units} {units_label}", "rate": "{value} des entrées",
        "drop_off": "abandon {count} ({value})",
        "nps": "NPS {value} (n = {n})", "mentions": "{n} mentions", "sessions": "{n} sessions",
        "priority": "priorité {priority} · RICE {rice}",
        "emotion_cell": "hypothèse {hypothesis} · mesurée {measured} [{low} ; {high}] (n = {n})",
        "emotion_hypothesis": "hypothèse {hypothesis}",
        "target": "Cible {name} : {target} (référence {baseline})",
        "def_units": "{units} atteignant l'étape",
        "def_rate": "{units} atteignant l'étape ÷ {entry}",
        "entry_events": "{units} avec un événement {events}",
        "entry_stage": "{units} atteignant {stage}",
        "def_drop_off": "part des {units} de l'étape précédente qui n'atteignent pas celle-ci",
        "def_nps": "% promoteurs (9–10) − % détracteurs (0–6) parmi les réponses d'enquête à l'étape",
        "def_sessions": "sessions avec au moins un événement du point de contact",
        "def_mentions": "retours codés avec le(s) thème(s) {themes}",
        "def_quote": "verbatim d'un retour codé avec le thème {theme}",
        "def_emotion": "émotion mesurée moyenne sur −2 … +2 et son intervalle à 95 %",
        "def_emotion_all": "émotion mesurée moyenne sur −2 … +2 et son intervalle à 95 %, tous les personas",
        "def_rice": "RICE = portée × impact × confiance ÷ effort ; la priorité classe les opportunités "
                    "par RICE",
        "def_target": "cible fixée par l'équipe ; référence mesurée sur la période",
    },
}

_METRIC_STAGE = {"session_conversion": "purchase", "user_conversion": "purchase",
                 "cart_abandonment": "purchase", "checkout_abandonment": "purchase",
                 "average_order_value": "purchase",
                 "bounce_rate": "awareness", "repeat_purchase_rate": "retention", "csat": "retention",
                 "nps": "advocacy"}
_METRIC_SOURCE = {"nps": "surveys", "csat": "surveys", "repeat_purchase_rate": "orders",
                  "average_order_value": "orders"}


@dataclass(frozen=True)
class Cell:
    """One item of a map cell: its text, the number it shows and where that number comes from.

    ``provenance`` (data-backed cells only) holds ``n``, ``period``, ``source`` (the input's
    name), ``sha256`` (first 12 characters of the input's hash) and ``definition``.
    """

    text: str
    value: float | None = None
    provenance: dict | None = None


@dataclass(frozen=True)
class Lane:
    """One row of the map: ``cells`` maps a stage id (or :data:`ALL_STAGES`) to its cells."""

    id: str
    label: str
    cells: dict[str, list[Cell]]


@dataclass(frozen=True)
class MapModel:
    """Everything a renderer draws: the stages (columns), the lanes (rows) and the emotion curve.

    ``emotion`` holds one dict per stage: stage, hypothesis, measured, ci_low, ci_high, n.
    """

    title: str
    project: str
    client: str
    map_type: str
    language: str
    persona: str | None
    stages: list[dict]
    lanes: list[Lane]
    emotion: list[dict]
    period: str


# ---------------------------------------------------------------- formatting

def _number(x: float, lang: str, digits: int = 0) -> str:
    text = f"{x:,.{digits}f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text


def _percent(x: float, lang: str) -> str:
    return _number(100 * x, lang, 1) + ("\u202f%" if lang == "fr" else "%")


def _signed(x: float, lang: str, digits: int = 1) -> str:
    text = _number(abs(x), lang, digits)
    return ("+" if x > 0 else "−" if x < 0 else "") + text


def _kpi_value(x: float | None, unit: str, lang: str) -> str:
    if x is None:
        return "—"
    if unit == "share":
        return _percent(x, lang)
    return _number(x, lang, {"currency": 2, "count": 0, "days": 1}.get(unit, 1))


def _missing(x) -> bool:
    return x is None or (pd.api.types.is_scalar(x) and bool(pd.isna(x)))


def _opt(x) -> float | None:
    return None if _missing(x) else float(x)


def _as_list(x) -> list[str]:
    if _missing(x):
        return []
    return [x] if isinstance(x, str) else [str(v) for v in x]


def _short_name(persona: Persona) -> str:
    return persona.name.split(",")[0].strip()


# ---------------------------------------------------------------- assembling

@dataclass(frozen=True)
class _Context:
    journey: Journey
    text: dict
    results: dict
    personas: tuple[Persona, ...]
    persona: str | None
    period: str

    def frame(self, name: str) -> pd.DataFrame | None:
        value = self.results.get(name)
        return value if isinstance(value, pd.DataFrame) and not value.empty else None

    def provenance(self, *, n, source: str, definition: str) -> dict:
        """Return the provenance of a data-backed cell."""
        hashes = (self.results.get("meta") or {}).get("sources") or {}
        digest = next((str(v) for k, v in hashes.items() if k == source or Path(str(k)).stem == source), None)
        return {"n": None if _missing(n) else int(n), "period": self.period, "source": source,
                "sha256": digest[:12] if digest else None, "definition": definition}

    def stat(self, text: str, value: float, provenance: dict, *, what: str) -> Cell:
        """Return a rate or score cell, hidden when its n is below the project's minimum group size."""
        k = self.journey.project.min_group_size
        if provenance["n"] is not None and provenance["n"] < k:
            return Cell(self.text["hidden"].format(what=self.text["what"][what], k=k), None, provenance)
        return Cell(text, value, provenance)


def _period(meta) -> str:
    if not isinstance(meta, dict) or not meta.get("period_start"):
        return ""
    return f"{str(meta['period_start'])[:10]} – {str(meta.get('period_end', ''))[:10]}"


def _per_stage(journey: Journey) -> dict[str, list[Cell]]:
    return {s.id: [] for s in journey.stages}


def _persona_lane(ctx: _Context) -> dict[str, list[Cell]]:
    cells = []
    for p in ctx.personas:
        lines = [p.name] + ([ctx.text["quote"].format(p.quote)] if p.quote else [])
        lines += [ctx.text["goals"].format(" · ".join(p.goals))] if p.goals else []
        cells.append(Cell("\n".join(lines)))
    return {ALL_STAGES: cells}


def _hypothesis_lane(ctx: _Context, field: str) -> dict[str, list[Cell]]:
    """Return the spec lanes' ``actions`` or ``thoughts`` of the selected personas, per stage."""
    cells = _per_stage(ctx.journey)
    for stage in cells:
        for p in ctx.personas:
            lane = ctx.journey.lane(stage, p.id)
            prefix = f"{_short_name(p)}: " if len(ctx.personas) > 1 else ""
            cells[stage] += [Cell(prefix + item) for item in (getattr(lane, field) if lane else ())]
    return cells


def _touchpoint_lane(ctx: _Context) -> dict[str, list[Cell]]:
    cells = _per_stage(ctx.journey)
    counts = ctx.frame("touchpoints")
    for tp in ctx.journey.touchpoints:
        text = tp.label + (f" ({tp.channel})" if tp.channel else "")
        row = counts[counts["touchpoint"] == tp.id] if counts is not None else None
        if row is not None and len(row) and not _missing(row["sessions"].iloc[0]):
            n = int(row["sessions"].iloc[0])
            prov = ctx.provenance(n=n, source="events", definition=ctx.text["def_sessions"])
            text += " · " + ctx.text["sessions"].format(n=_number(n, ctx.journey.project.language))
            cells[tp.stage].append(Cell(text, float(n), prov))
        else:
            cells[tp.stage].append(Cell(text))
    return cells


def _stage_lane(ctx: _Context, field: str) -> dict[str, list[Cell]]:
    """Return the touchpoints' ``frontstage`` or ``backstage`` descriptions per stage."""
    cells = _per_stage(ctx.journey)
    for tp in ctx.journey.touchpoints:
        if getattr(tp, field):
            cells[tp.stage].append(Cell(f"{tp.label}: {getattr(tp, field)}"))
    return cells


def _quotes(ctx: _Context, stage: str) -> list[Cell]:
    themes = ctx.frame("themes")
    if themes is None or "stage" not in themes:
        return []
    lang = ctx.journey.project.language
    rows = themes[(themes["stage"] == stage) & (themes["mentions"] >= ctx.journey.project.min_group_size)]
    out = []
    for _, row in rows.sort_values("mentions", ascending=False).iterrows():
        other = "fr" if lang == "en" else "en"
        quotes = _as_list(row.get(f"quotes_{lang}")) or _as_list(row.get(f"quotes_{other}"))
        label = row.get("label") if not _missing(row.get("label")) else row["theme"]
        definition = ctx.text["def_quote"].format(theme=label)
        prov = ctx.provenance(n=row["mentions"], source="feedback", definition=definition)
        out += [Cell(ctx.text["quote"].format(q), None, prov) for q in quotes]
    return out[:2]


def _thoughts_lane(ctx: _Context) -> dict[str, list[Cell]]:
    cells = _hypothesis_lane(ctx, "thoughts")
    for stage in cells:
        cells[stage] += _quotes(ctx, stage)
    return cells


def _emotion_rows(ctx: _Context) -> tuple[pd.DataFrame | None, bool]:
    """Return the emotion rows of the selected persona (or all personas) and whether they are overall."""
    frame = ctx.frame("emotion")
    if frame is None or "persona" not in frame:
        return frame, True
    overall = frame[frame["persona"].isna() | frame["persona"].isin(["", "all"])]
    if ctx.persona is not None and (frame["persona"] == ctx.persona).any():
        return frame[frame["persona"] == ctx.persona], False
    return overall, True


def _emotion_cell(ctx: _Context, point: dict, row: pd.Series, definition: str) -> Cell:
    """Return the measured emotion of a stage beside its hypothesis; fill ``point`` unless hidden."""
    lang = ctx.journey.project.language
    prov = ctx.provenance(n=row.get("n"), source="feedback", definition=definition)
    hyp = _signed(point["hypothesis"], lang) if point["hypothesis"] is not None else "—"
    text = ctx.text["emotion_cell"].format(
        hypothesis=hyp, measured=_signed(row["measured"], lang), low=_signed(row["ci_low"], lang),
        high=_signed(row["ci_high"], lang), n=_number(prov["n"] or 0, lang))
    cell = ctx.stat(text, float(row["measured"]), prov, what="emotion")
    if cell.value is not None:
        point.update(measured=cell.value, ci_low=_opt(row["ci_low"]), ci_high=_opt(row["ci_high"]),
                     n=prov["n"])
    return cell


def _emotion(ctx: _Context) -> tuple[dict[str, list[Cell]], list[dict]]:
    text = ctx.text
    rows, overall = _emotion_rows(ctx)
    definition = text["def_emotion_all"] if overall and ctx.persona else text["def_emotion"]
    cells, points = _per_stage(ctx.journey), []
    for stage in cells:
        guesses = [ln.emotion for p in ctx.personas if (ln := ctx.journey.lane(stage, p.id))]
        point = {"stage": stage, "hypothesis": sum(guesses) / len(guesses) if guesses else None,
                 "measured": None, "ci_low": None, "ci_high": None, "n": None}
        row = rows[rows["stage"] == stage] if rows is not None else None
        if row is not None and len(row) and not _missing(row["measured"].iloc[0]):
            cells[stage].append(_emotion_cell(ctx, point, row.iloc[0], definition))
        elif point["hypothesis"] is not None:
            hyp = _signed(point["hypothesis"], ctx.journey.project.language)
            hyp = text["emotion_hypothesis"].format(hypothesis=hyp)
            cells[stage].append(Cell(f"{hyp} · {text['no_data']}"))
        else:
            cells[stage].append(Cell(text["no_data"]))
        points.append(point)
    return cells, points


def _pain_lane(ctx: _Context) -> dict[str, list[Cell]]:
    cells, themes = _per_stage(ctx.journey), ctx.frame("themes")
    for pp in ctx.journey.pain_points:
        if themes is None or not pp.themes:
            cells[pp.stage].append(Cell(pp.name))
            continue
        mentions = int(themes.loc[themes["theme"].isin(pp.themes), "mentions"].sum())
        prov = ctx.provenance(n=mentions, source="feedback",
                              definition=ctx.text["def_mentions"].format(themes=", ".join(pp.themes)))
        count = ctx.text["mentions"].format(n=_number(mentions, ctx.journey.project.language))
        cells[pp.stage].append(Cell(f"{pp.name} · {count}", float(mentions), prov))
    return cells


def _opportunity_lane(ctx: _Context) -> dict[str, list[Cell]]:
    cells, scored, lang = _per_stage(ctx.journey), ctx.frame("opportunities"), ctx.journey.project.language
    ranked = []
    for opp in ctx.journey.opportunities:
        row = scored[scored["opportunity"] == opp.id] if scored is not None else None
        if row is None or not len(row) or _missing(row["rice"].iloc[0]):
            ranked.append((opp.stage, -math.inf, Cell(opp.name)))
            continue
        r = row.iloc[0]
        priority = r["priority"] if not _missing(r.get("priority")) else "—"
        priority = _number(priority, lang) if isinstance(priority, numbers.Real) else str(priority)
        prov = ctx.provenance(n=r.get("reach"), source="journey", definition=ctx.text["def_rice"])
        rank = ctx.text["priority"].format(priority=priority, rice=_number(r["rice"], lang))
        text = f"{opp.name} · {rank}"
        ranked.append((opp.stage, float(r["rice"]), Cell(text, float(r["rice"]), prov)))
    for stage, _, cell in sorted(ranked, key=lambda item: -item[1]):
        cells[stage].append(cell)
    return cells


def _entry_phrase(ctx: _Context, funnel: pd.DataFrame, units: str) -> str:
    first = funnel.sort_values("step").iloc[0]["stage"]
    events = [e for tp in ctx.journey.touchpoints if tp.stage == first and tp.match for e in tp.match.event]
    if events:
        article = "n" if events[0][:1].lower() in "aeiou" else ""
        return ctx.text["entry_events"].format(units=units, n=article, events=" / ".join(events))
    label = next((s.label for s in ctx.journey.stages if s.id == first), first)
    return ctx.text["entry_stage"].format(units=units, stage=label)


def _funnel_cells(ctx: _Context, funnel: pd.DataFrame) -> dict[str, list[Cell]]:
    cells, text, lang = _per_stage(ctx.journey), ctx.text, ctx.journey.project.language
    funnel = funnel.sort_values("step").reset_index(drop=True)
    unit = str(funnel["unit"].iloc[0]) if "unit" in funnel else "session"
    units = text["units"].get(unit, unit + "s")
    entry, first = _entry_phrase(ctx, funnel, units), int(funnel["units"].iloc[0])
    definitions = {key: text[f"def_{key}"].format(units=units, entry=entry)
                   for key in ("units", "rate", "drop_off")}
    for i, r in funnel.iterrows():
        if r["stage"] not in cells:
            continue
        n, out = int(r["units"]), cells[r["stage"]]
        out.append(Cell(text["reached"].format(units=_number(n, lang), units_label=units), float(n),
                        ctx.provenance(n=n, source="events", definition=definitions["units"])))
        prov = ctx.provenance(n=r.get("denominator", first), source="events", definition=definitions["rate"])
        out.append(ctx.stat(text["rate"].format(value=_percent(r["rate"], lang)), float(r["rate"]), prov,
                            what="rate"))
        previous = int(r.get("previous", funnel["units"].iloc[i - 1])) if i > 0 else 0
        if previous > 0:
            share = (previous - n) / previous
            prov = ctx.provenance(n=previous, source="events", definition=definitions["drop_off"])
            label = text["drop_off"].format(count=_number(previous - n, lang), value=_percent(share, lang))
            out.append(ctx.stat(label, share, prov, what="drop_off"))
    return cells


def _nps_cells(ctx: _Context, nps: pd.DataFrame, cells: dict[str, list[Cell]]) -> None:
    lang = ctx.journey.project.language
    for _, r in nps.iterrows():
        if r["stage"] in cells and not _missing(r["nps"]):
            prov = ctx.provenance(n=r["responses"], source="surveys", definition=ctx.text["def_nps"])
            text = ctx.text["nps"].format(value=_signed(r["nps"], lang, 0), n=_number(prov["n"], lang))
            cells[r["stage"]].append(ctx.stat(text, float(r["nps"]), prov, what="nps"))


def _kpi_stage(ctx: _Context, kpi_id: str, metric: str) -> list[str]:
    stages = [o.stage for o in ctx.journey.opportunities if kpi_id in o.kpis]
    default = _METRIC_STAGE.get(metric)
    return list(dict.fromkeys(stages)) or [default if default in ctx.journey.stage_ids
                                           else ctx.journey.stage_ids[-1]]


def _target_cells(ctx: _Context, cells: dict[str, list[Cell]]) -> None:
    """Add each KPI's target beside its measured baseline (future-state map)."""
    lang, measured = ctx.journey.project.language, ctx.frame("kpis")
    for kpi in ctx.journey.kpis:
        row = measured[measured["id"] == kpi.id] if measured is not None else None
        r = row.iloc[0] if row is not None and len(row) else None
        baseline = _opt(r["baseline"]) if r is not None else kpi.baseline
        text = ctx.text["target"].format(name=kpi.name or kpi.id,
                                         target=_kpi_value(kpi.target, kpi.unit, lang),
                                         baseline=_kpi_value(baseline, kpi.unit, lang))
        prov = None
        if r is not None and baseline is not None:
            definition = r.get("definition") if not _missing(r.get("definition")) else ctx.text["def_target"]
            prov = ctx.provenance(n=r.get("denominator"), source=_METRIC_SOURCE.get(kpi.metric, "events"),
                                  definition=str(definition))
        for stage in _kpi_stage(ctx, kpi.id, kpi.metric):
            cells[stage].append(Cell(text, kpi.target, prov))


def _kpi_lane(ctx: _Context) -> dict[str, list[Cell]]:
    funnel, nps = ctx.frame("stage_funnel"), ctx.frame("nps_by_stage")
    cells = _funnel_cells(ctx, funnel) if funnel is not None else _per_stage(ctx.journey)
    if nps is not None:
        _nps_cells(ctx, nps, cells)
    for stage_cells in cells.values():
        if not stage_cells:
            stage_cells.append(Cell(ctx.text["no_data"]))
    if ctx.journey.project.map_type == "future_state":
        _target_cells(ctx, cells)
    return cells


def _select_personas(journey: Journey, persona: str | None) -> tuple[Persona, ...]:
    if persona is None:
        return journey.personas
    chosen = tuple(p for p in journey.personas if p.id == persona)
    if not chosen:
        known = ", ".join(p.id for p in journey.personas) or "none declared"
        raise ValueError(f"persona={persona!r} is not a persona of this journey; personas: {known}.")
    return chosen


def build_map(journey: Journey, run_dir: str | os.PathLike | None = None, *,
              persona: str | None = None) -> MapModel:
    """Assemble the journey map of ``journey`` from its spec and the sidecar results of a run.

    Parameters
    ----------
    journey
        The journey spec.
    run_dir
        The run folder holding ``results/``; without it (or for any missing result) the map shows
        the spec's hypotheses only, and "no data" where only data could fill a cell.
    persona
        Id of the persona to map; ``None`` maps every persona of the spec together.

    Returns
    -------
    MapModel
        Lanes in this order: persona, actions, touchpoints, (frontstage, backstage for a service
        blueprint), thoughts, emotion, pain_points, opportunities, kpis.

    Raises
    ------
    ValueError
        When ``persona`` is not a persona id of the spec.
    """
    names = ("kpis", "touchpoints", "stage_funnel", "nps_by_stage", "themes", "emotion", "opportunities",
             "meta")
    results = {name: load_result(run_dir, name) for name in names} if run_dir is not None else {}
    project = journey.project
    text = LABELS[project.language]
    ctx = _Context(journey=journey, text=text, results=results, personas=_select_personas(journey, persona),
                   persona=persona, period=_period(results.get("meta")))
    emotion_cells, points = _emotion(ctx)
    lanes = [("persona", _persona_lane(ctx)), ("actions", _hypothesis_lane(ctx, "actions")),
             ("touchpoints", _touchpoint_lane(ctx))]
    if project.map_type == "service_blueprint":
        lanes += [(side, _stage_lane(ctx, side)) for side in ("frontstage", "backstage")]
    lanes += [("thoughts", _thoughts_lane(ctx)), ("emotion", emotion_cells), ("pain_points", _pain_lane(ctx)),
              ("opportunities", _opportunity_lane(ctx)), ("kpis", _kpi_lane(ctx))]
    return MapModel(
        title=text["map_type"][project.map_type], project=project.name, client=project.client,
        map_type=project.map_type, language=project.language, persona=persona,
        stages=[{"id": s.id, "label": s.label} for s in journey.stages],
        lanes=[Lane(id=lane_id, label=text["lanes"][lane_id], cells=cells) for lane_id, cells in lanes],
        emotion=points, period=ctx.period)


# ---------------------------------------------------------------- rendering

def _provenance_text(prov: dict, lang: str) -> str:
    parts = [f"n = {_number(prov['n'], lang)}"] if prov.get("n") is not None else []
    parts += [prov["period"]] if prov.get("period") else []
    source = prov.get("source") or ""
    parts += [f"{source} sha256 {prov['sha256']}" if prov.get("sha256") else source] if source else []
    return " · ".join(parts + [prov.get("definition") or ""]).strip(" ·")


def _view(model: MapModel) -> tuple[list[dict], list[tuple[int, str]]]:
    """Return the lanes as renderers draw them (cells with tooltip and footnote number) and the footnotes."""
    notes: dict[str, int] = {}

    def mark(cell: Cell) -> dict:
        if not cell.provenance:
            return {"text": cell.text, "tip": None, "fn": None}
        tip = _provenance_text(cell.provenance, model.language)
        return {"text": cell.text, "tip": tip, "fn": notes.setdefault(tip, len(notes) + 1)}

    lanes = [{"id": lane.id, "label": lane.label,
              "span": [mark(c) for c in lane.cells[ALL_STAGES]] if ALL_STAGES in lane.cells else None,
              "stages": [[mark(c) for c in lane.cells.get(s["id"], [])] for s in model.stages]}
             for lane in model.lanes]
    return lanes, [(n, tip) for tip, n in notes.items()]


def _subtitle(model: MapModel) -> str:
    text = LABELS[model.language]
    pairs = [("client", model.client), ("persona", model.persona or text["all_personas"]),
             ("period", model.period)]
    return " · ".join([model.project] + [text[key] + text["colon"] + value for key, value in pairs if value])


def _emotion_line(model: MapModel, key: str, x, y) -> list[tuple[float, float]]:
    """Return the points of the stages whose ``key`` (hypothesis or measured) is known, in drawing units."""
    return [(x(i), y(p[key])) for i, p in enumerate(model.emotion) if p[key] is not None]


def _emotion_band(model: MapModel, x, y) -> list[tuple[float, float, float]]:
    """Return (x, low, high) of the stages whose measured emotion has an interval, in drawing units."""
    return [(x(i), y(p["ci_low"]), y(p["ci_high"])) for i, p in enumerate(model.emotion)
            if p["ci_low"] is not None and p["ci_high"] is not None]


def _curve(model: MapModel, *, height: float = 100.0) -> dict:
    """Return the emotion curve in SVG units: one 100-wide slot per stage, -2 at the bottom, +2 at the top."""
    def y(v: float) -> float:
        return round(height / 2 - max(-2.0, min(2.0, v)) * height * 0.2, 2)

    def x(i: int) -> float:
        return i * 100 + 50

    hyp, meas = _emotion_line(model, "hypothesis", x, y), _emotion_line(model, "measured", x, y)
    band = _emotion_band(model, x, y)
    polygon = [(a, high) for a, _, high in band] + [(a, low) for a, low, _ in reversed(band)]

    def points(pairs):
        return " ".join(f"{a},{b}" for a, b in pairs)

    return {"width": 100 * len(model.emotion), "height": height, "zero": y(0), "hypothesis": points(hyp),
            "measured": points(meas), "band": points(polygon) if len(band) > 1 else "",
            "hypothesis_dots": hyp, "measured_dots": meas}


def render_html(model: MapModel, path: str | os.PathLike) -> Path:
    """Write the map as one self-contained HTML page (no script, no external resource, strict CSP).

    Every text is escaped by Jinja's autoescape; provenance shows on hover (``title``) and as
    numbered footnotes. The print stylesheet lays the map on A3 landscape.

    Parameters
    ----------
    model
        The map built by :func:`build_map`.
    path
        The HTML file to write; its folder is created when missing.

    Returns
    -------
    Path
        ``path``.
    """
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    lanes, notes = _view(model)
    html = env.get_template("journey-map.html.j2").render(
        model=model, lanes=lanes, notes=notes, text=LABELS[model.language], subtitle=_subtitle(model),
        curve=_curve(model))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


_FONT, _LINE, _CHARS_PER_INCH = 7.0, 0.13, 17
_LABEL_W, _PAD, _CURVE_H = 1.5, 0.08, 1.1


def _wrap(items: list[dict], width_in: float) -> list[str]:
    width = max(8, int((width_in - 2 * _PAD) * _CHARS_PER_INCH))
    lines = []
    for item in items:
        text = item["text"] + (f" [{item['fn']}]" if item["fn"] else "")
        for i, para in enumerate(text.split("\n")):
            bullet = "• " if i == 0 and len(items) > 1 else ""
            lines += textwrap.wrap(bullet + para, width, subsequent_indent="  " if bullet else "") or [""]
    return lines


def _figure(model: MapModel):
    """Draw the map on a matplotlib figure sized to its content (inches, top-down coordinates)."""
    from matplotlib.figure import Figure

    n = len(model.stages)
    col = max(1.9, min(3.2, 22 / n))
    width = _LABEL_W + n * col
    lanes, notes = _view(model)
    blocks = []
    for lane in lanes:
        if lane["span"] is not None:
            share = n * col / max(1, len(lane["span"]))
            texts = [_wrap([c], share) for c in lane["span"]]
        else:
            texts = [_wrap(cells, col) for cells in lane["stages"]]
        lines = max([len(t) for t in texts] + [1])
        height = lines * _LINE + 2 * _PAD + (_CURVE_H if lane["id"] == "emotion" else 0)
        blocks.append((lane, texts, max(0.45, height)))
    note_lines = [line for num, tip in notes for line in textwrap.wrap(f"[{num}] {tip}", int(width / 2 * 18))]
    notes_h = (math.ceil(len(note_lines) / 2) + 2) * _LINE if note_lines else 0
    height = 0.75 + 0.4 + sum(b[2] for b in blocks) + notes_h + 0.2

    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    kw = {"parse_math": False, "va": "top", "ha": "left"}
    ax.text(0.1, 0.12, model.title, fontsize=14, weight="bold", **kw)
    ax.text(0.1, 0.45, _subtitle(model), fontsize=8, color="#52606d", **kw)
    top = 0.75
    for i, stage in enumerate(model.stages):
        x = _LABEL_W + i * col
        ax.add_patch(_rect(x, top, col, 0.4, "#243b53"))
        ax.text(x + _PAD, top + 0.12, stage["label"], fontsize=9, weight="bold", color="white", **kw)
    top += 0.4
    for lane, texts, h in blocks:
        _draw_lane(ax, model, lane, texts, top=top, height=h, col=col)
        top += h
    if note_lines:
        ax.text(0.1, top + _LINE, LABELS[model.language]["notes"], fontsize=7, weight="bold", **kw)
    half = math.ceil(len(note_lines) / 2)
    for j, line in enumerate(note_lines):
        ax.text(0.1 + (j >= half) * width / 2, top + _LINE * (2 + j % half), line, fontsize=6,
                color="#52606d", **kw)
    return fig


def _rect(x: float, y: float, w: float, h: float, color: str):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=color, edgecolor="white", linewidth=1.5)


def _draw_lane(ax, model: MapModel, lane: dict, texts: list[list[str]], *, top: float, height: float,
               col: float) -> None:
    kw = {"parse_math": False, "va": "top", "ha": "left", "fontsize": _FONT}
    n = len(model.stages)
    ax.add_patch(_rect(0, top, _LABEL_W, height, "#d9e2ec"))
    ax.text(_PAD, top + _PAD, "\n".join(textwrap.wrap(lane["label"], 16)), weight="bold", **kw)
    ax.add_patch(_rect(_LABEL_W, top, n * col, height, "#f7f9fb"))
    if lane["id"] == "backstage":
        ax.plot([0, _LABEL_W + n * col], [top, top], color="#c05621", linestyle="--", linewidth=1.2)
        ax.text(_LABEL_W + n * col - _PAD, top - 0.02, LABELS[model.language]["line_of_visibility"],
                color="#c05621", parse_math=False, va="bottom", ha="right", fontsize=6)
    width = n * col / max(1, len(texts)) if lane["span"] is not None else col
    text_top = top + _PAD + (_CURVE_H if lane["id"] == "emotion" else 0)
    for i, lines in enumerate(texts):
        ax.text(_LABEL_W + i * width + _PAD, text_top, "\n".join(lines), linespacing=1.25, **kw)
    if lane["id"] == "emotion":
        _draw_curve(ax, model, top=top + _PAD, height=_CURVE_H - _PAD, col=col)


def _draw_curve(ax, model: MapModel, *, top: float, height: float, col: float) -> None:
    def y(v: float) -> float:
        return top + height / 2 - max(-2.0, min(2.0, v)) * height * 0.22

    def x(i: int) -> float:
        return _LABEL_W + (i + 0.5) * col

    ax.plot([_LABEL_W, x(len(model.emotion) - 1) + col / 2], [y(0), y(0)], color="#9aa5b1", linewidth=0.6,
            linestyle=":")
    band = _emotion_band(model, x, y)
    if band:
        ax.fill_between(*zip(*band, strict=True), color="#2b6cb0", alpha=0.18, linewidth=0)
    text = LABELS[model.language]
    for key, style in (("hypothesis", {"color": "#c05621", "linestyle": "--", "marker": "o"}),
                       ("measured", {"color": "#2b6cb0", "linestyle": "-", "marker": "s"})):
        pts = _emotion_line(model, key, x, y)
        if pts:
            ax.plot(*zip(*pts, strict=True), linewidth=1.6, markersize=4, label=text[key], **style)
    if any(p["hypothesis"] is not None or p["measured"] is not None for p in model.emotion):
        ax.legend(loc="upper left", bbox_to_anchor=(0, top + 0.3), bbox_transform=ax.transData, fontsize=6,
                  frameon=False)


def _save(model: MapModel, path: str | os.PathLike, fmt: str, dpi: float) -> Path:
    import matplotlib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cjm-journey-map"}):
        _figure(model).savefig(path, format=fmt, dpi=dpi)
    return path


def render_svg(model: MapModel, path: str | os.PathLike) -> Path:
    """Draw the map with matplotlib and save it as SVG, its texts kept as ``<text>`` elements.

    Parameters
    ----------
    model
        The map built by :func:`build_map`.
    path
        The SVG file to write; its folder is created when missing.

    Returns
    -------
    Path
        ``path``.
    """
    return _save(model, path, "svg", 72)


def render_png(model: MapModel, path: str | os.PathLike, *, dpi: float = 110) -> Path:
    """Draw the map with matplotlib (Agg) and save it as PNG.

    Parameters
    ----------
    model
        The map built by :func:`build_map`.
    path
        The PNG file to write; its folder is created when missing.
    dpi
        Pixels per inch of the image (the figure is sized in inches to its content).

    Returns
    -------
    Path
        ``path``.
    """
    return _save(model, path, "png", dpi)


def render_all(journey: Journey, run_dir: str | os.PathLike | None,
               out_dir: str | os.PathLike) -> dict[str, Path]:
    """Build the map of the first persona (or of none) and write ``journey-map.html/.svg/.png``.

    Parameters
    ----------
    journey
        The journey spec.
    run_dir
        The run folder holding ``results/`` (``None``: the spec's hypotheses only).
    out_dir
        Folder for the three files; created when missing.

    Returns
    -------
    dict
        ``{"html": Path, "svg": Path, "png": Path}``.
    """
    model = build_map(journey, run_dir, persona=journey.personas[0].id if journey.personas else None)
    out = Path(out_dir)
    return {"html": render_html(model, out / "journey-map.html"),
            "svg": render_svg(model, out / "journey-map.svg"),
            "png": render_png(model, out / "journey-map.png")}
