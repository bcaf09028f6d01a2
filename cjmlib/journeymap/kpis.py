"""The KPI lane of the journey map: the funnel per stage, the NPS per stage and, on a future-state map,
each KPI's target beside its measured baseline and the what-if of step 6 (the funnel's outcome with the
opportunities' target rates) beside the as-is.

Every figure comes from the run's sidecar results (``stage_funnel``, ``nps_by_stage``, ``kpis``,
``what_if``) and carries its provenance; rates resting on fewer units than ``min_group_size`` are hidden.
"""

from __future__ import annotations

import pandas as pd

from ..i18n.formats import kpi_value, number, percent, signed
from .model import MapCell, MapContext, missing, optional

__all__ = ["kpi_lane"]

_METRIC_STAGE = {"session_conversion": "purchase", "user_conversion": "purchase",
                 "cart_abandonment": "purchase", "checkout_abandonment": "purchase",
                 "average_order_value": "purchase",
                 "bounce_rate": "awareness", "repeat_purchase_rate": "retention", "csat": "retention",
                 "nps": "advocacy"}
_METRIC_SOURCE = {"nps": "surveys", "csat": "surveys", "repeat_purchase_rate": "orders",
                  "average_order_value": "orders"}


def _entry_phrase(ctx: MapContext, funnel: pd.DataFrame, units: str) -> str:
    first = funnel.sort_values("step").iloc[0]["stage"]
    events = [e for tp in ctx.spec.touchpoints if tp.stage == first and tp.match for e in tp.match.event]
    if events:
        article = "n" if events[0][:1].lower() in "aeiou" else ""
        return ctx.text["entry_events"].format(units=units, n=article, events=" / ".join(events))
    label = next((s.label for s in ctx.spec.stages if s.id == first), first)
    return ctx.text["entry_stage"].format(units=units, stage=label)


def _funnel_cells(ctx: MapContext, funnel: pd.DataFrame) -> dict[str, list[MapCell]]:
    cells, text, language = ctx.per_stage(), ctx.text, ctx.spec.project.language
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
        out.append(MapCell(text["reached"].format(units=number(n, language), units_label=units), float(n),
                        ctx.provenance(n=n, source="events", definition=definitions["units"])))
        prov = ctx.provenance(n=r.get("denominator", first), source="events", definition=definitions["rate"])
        out.append(ctx.stat(text["rate"].format(value=percent(r["rate"], language)), float(r["rate"]), prov,
                            what="rate"))
        previous = int(r.get("previous", funnel["units"].iloc[i - 1])) if i > 0 else 0
        if previous > 0:
            share = (previous - n) / previous
            prov = ctx.provenance(n=previous, source="events", definition=definitions["drop_off"])
            label = text["drop_off"].format(count=number(previous - n, language), value=percent(share, language))
            out.append(ctx.stat(label, share, prov, what="drop_off"))
    return cells


def _nps_cells(ctx: MapContext, nps: pd.DataFrame, cells: dict[str, list[MapCell]]) -> None:
    language = ctx.spec.project.language
    for _, r in nps.iterrows():
        if r["stage"] in cells and not missing(r["nps"]):
            prov = ctx.provenance(n=r["responses"], source="surveys", definition=ctx.text["def_nps"])
            text = ctx.text["nps"].format(value=signed(r["nps"], language, 0), n=number(prov["n"], language))
            cells[r["stage"]].append(ctx.stat(text, float(r["nps"]), prov, what="nps"))


def _kpi_stage(ctx: MapContext, kpi_id: str, metric: str) -> list[str]:
    stages = [o.stage for o in ctx.spec.opportunities if kpi_id in o.kpis]
    default = _METRIC_STAGE.get(metric)
    return list(dict.fromkeys(stages)) or [default if default in ctx.spec.stage_ids
                                           else ctx.spec.stage_ids[-1]]


def _target_cells(ctx: MapContext, cells: dict[str, list[MapCell]]) -> None:
    """Add each KPI's target beside its measured baseline (future-state map)."""
    language, measured = ctx.spec.project.language, ctx.frame("kpis")
    for kpi in ctx.spec.kpis:
        row = measured[measured["id"] == kpi.id] if measured is not None else None
        r = row.iloc[0] if row is not None and len(row) else None
        baseline = optional(r["baseline"]) if r is not None else kpi.baseline
        text = ctx.text["kpi_target"].format(name=kpi.name or kpi.id,
                                         target=kpi_value(kpi.target, kpi.unit, language),
                                         baseline=kpi_value(baseline, kpi.unit, language))
        prov = None
        if r is not None and baseline is not None:
            definition = r.get("definition") if not missing(r.get("definition")) else ctx.text["def_target"]
            prov = ctx.provenance(n=r.get("denominator"), source=_METRIC_SOURCE.get(kpi.metric, "events"),
                                  definition=str(definition))
        for stage in _kpi_stage(ctx, kpi.id, kpi.metric):
            cells[stage].append(MapCell(text, kpi.target, prov))


def _step_stage(ctx: MapContext, key: str) -> tuple[str | None, str]:
    """Return the stage and the label of a funnel step (a touchpoint or a stage id); no stage when unknown."""
    touchpoint = next((tp for tp in ctx.spec.touchpoints if tp.id == key), None)
    if touchpoint is not None:
        return touchpoint.stage, touchpoint.label
    stage = next((s for s in ctx.spec.stages if s.id == key), None)
    return (stage.id, stage.label) if stage is not None else (None, key)


def _what_if_cells(ctx: MapContext, cells: dict[str, list[MapCell]]) -> None:
    """Add the what-if of step 6 as to-be values beside the as-is (future-state map).

    Each step whose rate the targets change shows at its stage; the end conversion, conversions and
    revenue per month show at the stage of the funnel's last step.
    """
    table, language, text = ctx.frame("what_if"), ctx.language, ctx.text
    if table is None or not {"measure", "now", "what_if"} <= set(table.columns):
        return
    steps = [str(m)[5:] for m in table["measure"] if str(m).startswith("rate:")]
    if not steps:
        return
    last_stage, last_label = _step_stage(ctx, steps[-1])
    names, prov = text["what_if_names"], ctx.provenance(n=None, source="events", definition=text["def_what_if"])
    for _, r in table.iterrows():
        measure, now, to_be = str(r["measure"]), optional(r["now"]), optional(r["what_if"])
        if measure.startswith("rate:"):
            stage, label = _step_stage(ctx, measure[5:])
            name, shown = names["rate"].format(step=label), percent
            if to_be == now:  # a step the targets leave as measured
                continue
        elif measure in names:
            stage, name = last_stage, names[measure].format(step=last_label)
            shown = percent if measure == "end_conversion" else lambda x, lg: number(x, lg)
        else:
            continue
        if stage in cells and now is not None and to_be is not None:
            cells[stage].append(MapCell(text["what_if"].format(name=name, to_be=shown(to_be, language),
                                                            as_is=shown(now, language)), to_be, prov))


def kpi_lane(ctx: MapContext) -> dict[str, list[MapCell]]:
    """Return the KPI cells per stage: units, rate and drop-off of the funnel, NPS (unless the run saved
    ``map_scores``: the scores lane shows it with its interval), and on a future-state map the KPI
    targets and the what-if of step 6.

    Parameters
    ----------
    ctx
        What the map is assembled from: the spec, its words and the run's results (``stage_funnel``,
        ``nps_by_stage``, ``kpis``, ``what_if``).
    """
    funnel, nps = ctx.frame("stage_funnel"), ctx.frame("nps_by_stage")
    cells = _funnel_cells(ctx, funnel) if funnel is not None else ctx.per_stage()
    if nps is not None and ctx.frame("map_scores") is None:  # else the scores lane shows it, with its interval
        _nps_cells(ctx, nps, cells)
    for stage_cells in cells.values():
        if not stage_cells:
            stage_cells.append(MapCell(ctx.text["no_data"]))
    if ctx.spec.project.map_type == "future_state":
        _target_cells(ctx, cells)
        _what_if_cells(ctx, cells)
    return cells

