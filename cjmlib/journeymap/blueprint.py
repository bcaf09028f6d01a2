"""The service blueprint's lanes below the line of interaction: the spec's processes and what the operations measure.

Each touchpoint's ``frontstage``, ``backstage`` and ``support`` descriptions from journey.yml fill
its stage's cell. When the run saved the ``operations`` result (:func:`cjmlib.service_measures`),
the backstage lane adds the touchpoint's measured waits (median, p90) and rework loops, the support
lane its contacts per order and the share of churned customers who had a case, each with its n and
period; without that result the lanes show the spec's text only. A figure resting on fewer cases
than ``min_group_size`` is hidden.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..i18n.formats import number, percent
from .model import MapCell, MapContext, missing
from .words import LABELS

__all__ = ["MEASURED_LANES", "blueprint_lane", "day_span", "operations_table"]

#: The blueprint lane -> the measures of :func:`cjmlib.service_measures` it shows.
MEASURED_LANES = {"backstage": ("wait", "rework"), "support": ("contact_rate", "churn_contact")}
_N = {"wait": "cases", "rework": "cases", "contact_rate": "cases", "churn_contact": "churned"}


def day_span(first: str, last: str, months: list[str]) -> str:
    """Return a period as a client reads it: ``1 Sep–30 Nov 2026`` (the year once when both days share it).

    Parameters
    ----------
    first, last
        The first and last day, ``YYYY-MM-DD``.
    months
        The twelve short month names of the map's language.
    """
    a, b = dt.date.fromisoformat(str(first)[:10]), dt.date.fromisoformat(str(last)[:10])
    start = f"{a.day} {months[a.month - 1]}" + ("" if a.year == b.year else f" {a.year}")
    return f"{start}–{b.day} {months[b.month - 1]} {b.year}"


def _text(words: dict, lang: str, measure: str, r: pd.Series) -> str:
    share = (lambda x: "—" if missing(x) else percent(x, lang, 0))
    period = day_span(r["first_day"], r["last_day"], words["months"])
    n = number(r[_N[measure]], lang)
    if measure == "wait":
        return words["wait"].format(median=number(r["median_days"], lang, 1), p90=number(r["p90_days"], lang, 1),
                                    n=n, period=period)
    if measure == "rework":
        return words["rework"].format(share=share(r["share"]), low=share(r["ci_low"]), high=share(r["ci_high"]),
                                      n=n, period=period)
    if measure == "contact_rate":
        return words["contact_rate"].format(rate=number(r["rate"], lang, 2), low=number(r["ci_low"], lang, 2),
                                            high=number(r["ci_high"], lang, 2), cases=n,
                                            orders=number(r["orders"], lang), period=period)
    return words["churn_contact"].format(share=share(r["share"]), low=share(r["ci_low"]), high=share(r["ci_high"]),
                                         n=n, retained=share(r["retained_share"]), days=int(r["churn_days"]),
                                         period=period)


def _measured(ctx: MapContext, table: pd.DataFrame, measure: str, tp) -> MapCell | None:
    """Return the touchpoint's cell of one measure, hidden below ``min_group_size``; None when not measured."""
    rows = table[(table["measure"] == measure) & (table["touchpoint"] == tp.id)]
    if rows.empty:
        return None
    r, words = rows.iloc[0], ctx.text["operations"]
    definition = words[f"def_{measure}"].format(days=int(r["churn_days"]) if measure == "churn_contact" else 0)
    prov = ctx.provenance(n=r[_N[measure]], source="operations", definition=definition)
    if bool(r["suppressed"]):
        hidden = ctx.text["hidden"].format(what=words["what"][measure], k=ctx.spec.project.min_group_size)
        return MapCell(f"{tp.label}: {hidden}", None, prov)
    value = r["median_days"] if measure == "wait" else r["rate"] if measure == "contact_rate" else r["share"]
    return MapCell(f"{tp.label}: {_text(words, ctx.language, measure, r)}", float(value), prov)


def blueprint_lane(ctx: MapContext, field: str) -> dict[str, list[MapCell]]:
    """Return the touchpoints' ``frontstage``, ``backstage`` or ``support`` cells per stage.

    Parameters
    ----------
    ctx
        The map's context; its ``operations`` result, when the run saved one, adds the measured figures.
    field
        ``frontstage``, ``backstage`` or ``support``: the spec's text of each touchpoint, then (backstage and
        support) the measures of :data:`MEASURED_LANES` for that touchpoint.
    """
    cells = ctx.per_stage()
    table = ctx.frame("operations")
    for tp in ctx.spec.touchpoints:
        if getattr(tp, field):
            cells[tp.stage].append(MapCell(f"{tp.label}: {getattr(tp, field)}"))
        for measure in MEASURED_LANES.get(field, ()) if table is not None else ():
            cell = _measured(ctx, table, measure, tp)
            if cell is not None:
                cells[tp.stage].append(cell)
    return cells


def operations_table(spec, measures: pd.DataFrame) -> pd.DataFrame:
    """Return the operations' measures as a client reads them: one sentence per measure and touchpoint.

    The same words as the blueprint's lanes, in the spec's language: the touchpoint's name (or "all
    touchpoints"), the measure, and its figure with interval, n and period, or "hidden (n < k)".

    Parameters
    ----------
    spec
        The journey spec (touchpoint names, ``project.language``, ``project.min_group_size``).
    measures
        The table of :func:`cjmlib.service_measures`.

    Returns
    -------
    DataFrame
        Columns ``touchpoint``, ``measure`` and ``figure``, overall first, then the touchpoints in the spec's order.
    """
    text = LABELS[spec.project.language]
    words, lang = text["operations"], spec.project.language
    names = {tp.id: tp.label for tp in spec.touchpoints}
    upper = (lambda words: words[:1].upper() + words[1:])
    rows = []
    for _, r in measures.iterrows():
        what = words["what"][r["measure"]]
        figure = (text["hidden"].format(what=what, k=spec.project.min_group_size) if bool(r["suppressed"])
                  else _text(words, lang, r["measure"], r))
        place = words["all"] if missing(r["touchpoint"]) else names.get(r["touchpoint"], r["touchpoint"])
        rows.append({"touchpoint": upper(place), "measure": upper(what), "figure": upper(figure)})
    return pd.DataFrame(rows, columns=["touchpoint", "measure", "figure"])
