"""The map's geometry, shared by the HTML page and the matplotlib figure.

Where each lane, cell, footnote, emotion point and moment of the day goes, in drawing units; no
drawing here. :mod:`cjmlib.journeymap.html` and :mod:`cjmlib.journeymap.figure` both read it, so
the two renderings show the same map.
"""

from __future__ import annotations

import math

from ..i18n.formats import number
from .model import ALL_STAGES, MapCell, MapModel
from .words import LABELS

__all__ = ["PERSONA_COLORS", "compact_notes", "curve", "day_text", "day_view", "emotion_band", "emotion_line", "map_view",
           "overlay", "provenance_text", "subtitle"]

PERSONA_COLORS = ("#6b46c1", "#0f766e", "#b83280", "#975a16", "#4a5568", "#5f7a1a", "#1e3a8a")
"""Colour of each persona's curve on the overlay, in the spec's order (cycled past seven); none is the
colour of the hypothesis (orange), of the measured curve (blue) or of the to-be curve (green)."""


def day_text(moment: dict) -> str:
    """Return a moment of the day as one line: time, persona, activity and touchpoint (channel)."""
    who = f"{moment['persona']}: " if moment["persona"] else ""
    where = moment["touchpoint_label"] + (f" ({moment['channel']})" if moment["channel"] else "")
    return f"{moment['time']} · {who}{moment['activity']}" + (f" · {where}" if moment["touchpoint"] else "")


def provenance_text(prov: dict, language: str) -> str:
    """Return a cell's provenance as one line: n, period, source and hash, definition.

    Parameters
    ----------
    prov
        The cell's provenance (:meth:`~cjmlib.journeymap.model.MapContext.provenance`): n, period,
        source, sha256, definition; a missing or empty part is left out.
    language
        The map's language (``en`` or ``fr``), for the number's format.
    """
    parts = [f"n = {number(prov['n'], language)}"] if prov.get("n") is not None else []
    parts += [prov["period"]] if prov.get("period") else []
    source = prov.get("source") or ""
    parts += [f"{source} sha256 {prov['sha256']}" if prov.get("sha256") else source] if source else []
    return " · ".join(parts + [prov.get("definition") or ""]).strip(" ·")


def map_view(model: MapModel) -> tuple[list[dict], list[tuple[int, str]]]:
    """Return the lanes as renderers draw them (cells with tooltip and footnote number) and the footnotes.

    Each lane is a dict: id, label, line (the blueprint line above it, as text, or empty), span
    (cells across every stage, or None) and stages (one list of cells per stage). Each cell is a
    dict: text, tip (its provenance as text, or None) and fn (its footnote number, or None).

    Parameters
    ----------
    model
        The map to draw (:class:`~cjmlib.journeymap.model.MapModel`).
    """
    notes: dict[str, int] = {}
    lines = LABELS[model.language]["lines"]

    def mark(cell: MapCell) -> dict:
        if not cell.provenance:
            return {"text": cell.text, "tip": None, "fn": None}
        tip = provenance_text(cell.provenance, model.language)
        return {"text": cell.text, "tip": tip, "fn": notes.setdefault(tip, len(notes) + 1)}

    lanes = [{"id": lane.id, "label": lane.label, "line": lines.get(lane.line, ""),
              "span": [mark(c) for c in lane.cells[ALL_STAGES]] if ALL_STAGES in lane.cells else None,
              "stages": [[mark(c) for c in lane.cells.get(s["id"], [])] for s in model.stages]}
             for lane in model.lanes]
    return lanes, [(n, tip) for tip, n in notes.items()]


def compact_notes(model: MapModel) -> dict:
    """Return the footnotes compacted for print: one line per definition, one line per source.

    Footnote numbers are those of :func:`map_view`. Each definition lists its footnotes with their n
    (and their period when it is not the map's); each source is named once with its sha256.

    Parameters
    ----------
    model
        The map to draw (:class:`~cjmlib.journeymap.model.MapModel`).

    Returns
    -------
    dict
        ``groups``: one dict per definition (``definition``, ``items``: list of (footnote number,
        ``n = …``)), in order of first footnote; ``sources``: ``source · sha256 …`` texts.
    """
    numbers: dict[str, int] = {}
    groups: dict[str, list[tuple[int, str]]] = {}
    sources: dict[str, str] = {}
    for lane in model.lanes:
        cells = lane.cells.get(ALL_STAGES, []) + [c for s in model.stages for c in lane.cells.get(s["id"], [])]
        for cell in cells:
            prov = cell.provenance
            if not prov:
                continue
            tip = provenance_text(prov, model.language)
            if tip in numbers:
                continue
            numbers[tip] = len(numbers) + 1
            what = [f"n = {number(prov['n'], model.language)}"] if prov.get("n") is not None else []
            what += [prov["period"]] if prov.get("period") and prov["period"] != model.period else []
            groups.setdefault(prov.get("definition") or "", []).append((numbers[tip], " · ".join(what) or "—"))
            if prov.get("source"):
                name = LABELS[model.language]["source_names"].get(prov["source"], prov["source"])
                sources.setdefault(prov["source"], f"{name} · sha256 {prov['sha256']}" if prov.get("sha256") else name)
    return {"groups": [{"definition": d, "items": items} for d, items in groups.items()],
            "sources": list(sources.values())}


def subtitle(model: MapModel) -> str:
    """Return the line under the title: project, client, persona and period.

    Parameters
    ----------
    model
        The map to draw (:class:`~cjmlib.journeymap.model.MapModel`).
    """
    text = LABELS[model.language]
    pairs = [("client", model.client), ("persona", model.persona_name or text["all_personas"]),
             ("period", model.period)]
    return " · ".join([model.project] + [text[key] + text["colon"] + value for key, value in pairs if value])


def emotion_line(points: list[dict], key: str, x, y) -> list[tuple[float, float]]:
    """Return the points whose ``key`` (hypothesis, measured or target) is known, in drawing units.

    Parameters
    ----------
    points
        One emotion dict per stage (``MapModel.emotion``, or a persona's ``points`` of the overlay).
    key
        ``"hypothesis"``, ``"measured"`` or ``"target"``.
    x
        Function giving the drawing x of a stage's index (0, 1, … in ``points``' order).
    y
        Function giving the drawing y of an emotion value on the −2…+2 scale.
    """
    return [(x(i), y(p[key])) for i, p in enumerate(points) if p[key] is not None]


def emotion_band(points: list[dict], x, y) -> list[tuple[float, float, float]]:
    """Return (x, low, high) of the stages whose measured emotion has an interval, in drawing units.

    Parameters
    ----------
    points
        One emotion dict per stage (``MapModel.emotion``), with ``ci_low`` and ``ci_high``.
    x
        Function giving the drawing x of a stage's index (0, 1, … in ``points``' order).
    y
        Function giving the drawing y of an emotion value on the −2…+2 scale.
    """
    return [(x(i), y(p["ci_low"]), y(p["ci_high"])) for i, p in enumerate(points)
            if p["ci_low"] is not None and p["ci_high"] is not None]


def day_view(model: MapModel, *, width: float = 1000.0, row_height: float = 26.0) -> dict | None:
    """Return the day-in-the-life timeline: hour ticks, one numbered dot per moment, the moments as text.

    Dots closer than 48 minutes go on separate rows so that none overlaps; ``x`` runs over the
    whole hours spanned by the moments (at least six hours), in units of a ``width``-wide drawing.

    Parameters
    ----------
    model
        The map (its ``day``); None is returned when it has no moments.
    width
        Width of the drawing, in drawing units (1000 by default).
    row_height
        Height of one row of dots, in drawing units (26 by default).
    """
    if not model.day:
        return None
    start = min(m["minutes"] for m in model.day) // 60 * 60
    end = max(math.ceil(max(m["minutes"] for m in model.day) / 60) * 60, start + 360)
    start, end = max(0, min(start, end - 360)), min(end, 1440)

    def x(minutes: float) -> float:
        return round(24 + (minutes - start) / (end - start) * (width - 48), 1)

    step = 60 if end - start <= 480 else 120 if end - start <= 960 else 180
    rows: list[float] = []
    dots = []
    for i, m in enumerate(model.day, start=1):
        row = next((r for r, last in enumerate(rows) if m["minutes"] - last >= 48), len(rows))
        rows[row:row + 1] = [m["minutes"]]
        dots.append({"x": x(m["minutes"]), "row": row, "number": i, "brand": bool(m["touchpoint"])})
    height = 40 + len(rows) * row_height
    for dot in dots:
        dot["y"] = 40 + (dot["row"] + 0.5) * row_height
    return {"width": width, "height": height, "axis": 22, "x0": x(start), "x1": x(end),
            "ticks": [(x(t), f"{t // 60:02d}:{t % 60:02d}") for t in range(start, end + 1, step)],
            "dots": dots, "items": [{"number": i, "text": day_text(m), "brand": bool(m["touchpoint"])}
                                    for i, m in enumerate(model.day, start=1)]}


def curve(points: list[dict], *, height: float = 100.0) -> dict:
    """Return an emotion curve in SVG units: one 100-wide slot per stage, -2 at the bottom, +2 at the top.

    Parameters
    ----------
    points
        One emotion dict per stage (hypothesis, measured, target, ci_low, ci_high; None where unknown).
    height
        Height of the curve, in SVG units (100 by default); values beyond ±2 are drawn at the edge.
    """
    def y(v: float) -> float:
        return round(height / 2 - max(-2.0, min(2.0, v)) * height * 0.2, 2)

    def x(i: int) -> float:
        return i * 100 + 50

    def joined(pairs) -> str:
        return " ".join(f"{a},{b}" for a, b in pairs)

    lines = {key: emotion_line(points, key, x, y) for key in ("hypothesis", "measured", "target")}
    band = emotion_band(points, x, y)
    polygon = [(a, high) for a, _, high in band] + [(a, low) for a, low, _ in reversed(band)]
    return {"width": 100 * len(points), "height": height, "zero": y(0),
            "band": joined(polygon) if len(band) > 1 else "",
            **{key: joined(pts) for key, pts in lines.items()}, **{f"{key}_dots": pts for key, pts in lines.items()}}


def overlay(model: MapModel) -> list[dict]:
    """Return each persona's emotion curve with its colour, for the overlay of the whole-journey map.

    Parameters
    ----------
    model
        The map to draw (:class:`~cjmlib.journeymap.model.MapModel`).
    """
    return [{"name": o["name"], "color": PERSONA_COLORS[i % len(PERSONA_COLORS)], "curve": curve(o["points"])}
            for i, o in enumerate(model.overlay)]


