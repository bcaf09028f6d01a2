"""Draw the journey map with matplotlib and save it as SVG (texts kept as text) or PNG.

The figure is sized in inches to its content: one column per stage (narrower as stages are
added, 3–12 stages fit), lanes as tall as their longest wrapped cell, so nothing overlaps. Long
texts wrap; the footnotes (provenance) follow the map as in the HTML page.
"""

from __future__ import annotations

import math
import os
import textwrap
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle

from .layout import PERSONA_COLORS, day_view, emotion_band, emotion_line, map_view, subtitle
from .model import MapModel
from .words import LABELS

__all__ = ["plot_overlay", "render_png", "render_svg"]

_FONT, _LINE, _CHARS_PER_INCH = 7.0, 0.13, 16
_LABEL_W, _PAD, _CURVE_H, _DAY_AXIS = 1.5, 0.08, 1.1, 0.55
_HEAD_CHARS_PER_INCH, _HEAD_LINE = 12, 0.16
_STYLES = {"hypothesis": {"color": "#c05621", "linestyle": "--", "marker": "o"},
           "measured": {"color": "#2b6cb0", "linestyle": "-", "marker": "s"},
           "target": {"color": "#2f855a", "linestyle": ":", "marker": "D"}}


def _wrap(items: list[dict], width_in: float) -> list[str]:
    width = max(8, int((width_in - 2 * _PAD) * _CHARS_PER_INCH))
    lines = []
    for item in items:
        text = item["text"] + (f" [{item['fn']}]" if item["fn"] else "")
        for i, para in enumerate(text.split("\n")):
            bullet = "• " if i == 0 and len(items) > 1 else ""
            lines += textwrap.wrap(bullet + para, width, subsequent_indent="  " if bullet else "") or [""]
    return lines


def _extra_height(lane_id: str, model: MapModel) -> float:
    """Return the height drawn above a lane's texts: the emotion curves or the day's timeline."""
    if lane_id in ("emotion", "overlay"):
        return _CURVE_H
    day = day_view(model) if lane_id == "day" else None
    return _DAY_AXIS + 0.22 * len({d["row"] for d in day["dots"]}) if day else 0


def _blocks(model: MapModel, lanes: list[dict], col: float) -> list[tuple[dict, list[list[str]], float]]:
    """Return each lane with its wrapped texts (one list of lines per column) and its height in inches."""
    n = len(model.stages)
    if model.overlay:
        at = next((i + 1 for i, lane in enumerate(lanes) if lane["id"] == "emotion"), len(lanes))
        lanes = [*lanes[:at], {"id": "overlay", "label": LABELS[model.language]["overlay"], "line": "",
                               "span": [], "stages": []}, *lanes[at:]]
    blocks = []
    for lane in lanes:
        if lane["id"] == "day":
            per_col = math.ceil(len(lane["span"]) / 2)
            texts = [_wrap(lane["span"][:per_col], n * col / 2), _wrap(lane["span"][per_col:], n * col / 2)]
        elif lane["span"] is not None:
            share = n * col / max(1, len(lane["span"]))
            texts = [_wrap([c], share) for c in lane["span"]]
        else:
            texts = [_wrap(cells, col) for cells in lane["stages"]]
        lines = max([len(t) for t in texts] + [1])
        height = lines * _LINE + 2 * _PAD + _extra_height(lane["id"], model)
        blocks.append((lane, texts, max(0.45, height)))
    return blocks


def _figure(model: MapModel):
    """Draw the map on a matplotlib figure sized to its content (inches, top-down coordinates)."""

    n = len(model.stages)
    col = max(1.9, min(3.2, 22 / n))
    width = _LABEL_W + n * col
    lanes, notes = map_view(model)
    blocks = _blocks(model, lanes, col)
    heads = [textwrap.wrap(s["label"], max(6, int((col - 2 * _PAD) * _HEAD_CHARS_PER_INCH))) or [""]
             for s in model.stages]
    head_h = max(0.4, max(len(h) for h in heads) * _HEAD_LINE + 0.12)
    note_lines = [line for num, tip in notes for line in textwrap.wrap(f"[{num}] {tip}", int(width / 2 * 18))]
    notes_h = (math.ceil(len(note_lines) / 2) + 2) * _LINE if note_lines else 0
    height = 0.75 + head_h + sum(b[2] for b in blocks) + notes_h + 0.2

    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    kw = {"parse_math": False, "va": "top", "ha": "left"}
    ax.text(0.1, 0.12, model.title, fontsize=14, weight="bold", **kw)
    ax.text(0.1, 0.45, subtitle(model), fontsize=8, color="#52606d", **kw)
    top = 0.75
    for i, lines in enumerate(heads):
        x = _LABEL_W + i * col
        ax.add_patch(_rect(x, top, col, head_h, "#243b53"))
        _clip(ax.text(x + _PAD, top + 0.08, "\n".join(lines), fontsize=9, weight="bold", color="white", **kw),
              ax, x, top, col, head_h)
    top += head_h
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

    return Rectangle((x, y), w, h, facecolor=color, edgecolor="white", linewidth=1.5)


def _draw_lane(ax, model: MapModel, lane: dict, texts: list[list[str]], *, top: float, height: float,
               col: float) -> None:
    kw = {"parse_math": False, "va": "top", "ha": "left", "fontsize": _FONT}
    n = len(model.stages)
    ax.add_patch(_rect(0, top, _LABEL_W, height, "#d9e2ec"))
    ax.text(_PAD, top + _PAD, "\n".join(textwrap.wrap(lane["label"], 16)), weight="bold", **kw)
    ax.add_patch(_rect(_LABEL_W, top, n * col, height, "#f7f9fb"))
    if lane["line"]:
        style = {"backstage": "-", "support": ":"}.get(lane["id"], "--")
        ax.plot([0, _LABEL_W + n * col], [top, top], color="#c05621", linestyle=style, linewidth=1.2)
        ax.text(_LABEL_W + n * col - _PAD, top - 0.02, lane["line"], color="#c05621", parse_math=False,
                va="bottom", ha="right", fontsize=6)
    width = n * col / max(1, len(texts)) if lane["span"] is not None else col
    text_top = top + _PAD + _extra_height(lane["id"], model)
    for i, lines in enumerate(texts):
        _clip(ax.text(_LABEL_W + i * width + _PAD, text_top, "\n".join(lines), linespacing=1.25, **kw),
              ax, _LABEL_W + i * width, top, width - _PAD / 2, height)
    if lane["id"] == "emotion":
        _draw_curves(ax, model, top=top + _PAD, height=_CURVE_H - _PAD, col=col)
    elif lane["id"] == "overlay":
        _draw_overlay(ax, model, top=top + _PAD, height=_CURVE_H - _PAD, col=col)
    elif lane["id"] == "day":
        _draw_day(ax, model, top=top + _PAD, left=_LABEL_W + _PAD, right=_LABEL_W + n * col - _PAD)


def _scales(model: MapModel, *, top: float, height: float, col: float):
    def y(v: float) -> float:
        return top + height / 2 - max(-2.0, min(2.0, v)) * height * 0.22

    def x(i: int) -> float:
        return _LABEL_W + (i + 0.5) * col

    return x, y


def _draw_curves(ax, model: MapModel, *, top: float, height: float, col: float) -> None:
    x, y = _scales(model, top=top, height=height, col=col)
    ax.plot([_LABEL_W, _LABEL_W + len(model.stages) * col], [y(0), y(0)], color="#9aa5b1", linewidth=0.6,
            linestyle=":")
    band = emotion_band(model.emotion, x, y)
    if band:
        ax.fill_between(*zip(*band, strict=True), color="#2b6cb0", alpha=0.18, linewidth=0)
    text = LABELS[model.language]
    keys = ("hypothesis", "measured", "target") if model.map_type == "future_state" else ("hypothesis", "measured")
    handles = []
    for key in keys:
        pts = emotion_line(model.emotion, key, x, y)
        if pts:
            handles += ax.plot(*zip(*pts, strict=True), linewidth=1.6, markersize=4, label=text[key],
                               **_STYLES[key])
    _legend(ax, handles, top=top + 0.3)


def _draw_overlay(ax, model: MapModel, *, top: float, height: float, col: float) -> None:
    x, y = _scales(model, top=top, height=height, col=col)
    ax.plot([_LABEL_W, _LABEL_W + len(model.stages) * col], [y(0), y(0)], color="#9aa5b1", linewidth=0.6,
            linestyle=":")
    handles = []
    for i, persona in enumerate(model.overlay):
        color = PERSONA_COLORS[i % len(PERSONA_COLORS)]
        for key, style in (("hypothesis", "--"), ("measured", "-")):
            pts = emotion_line(persona["points"], key, x, y)
            if pts:
                handles += ax.plot(*zip(*pts, strict=True), color=color, linestyle=style, marker="o", markersize=3,
                                   linewidth=1.4 if key == "measured" else 1.0, label=textwrap.shorten(
                                       f"{persona['name']} · {LABELS[model.language][key]}", 28))
    _legend(ax, handles, top=top + 0.3)


def _legend(ax, handles: list, *, top: float) -> None:
    """Add a legend of ``handles`` in the lane-label column at ``top`` (each lane keeps its own legend)."""

    if handles:
        ax.add_artist(Legend(ax, handles, [h.get_label() for h in handles], loc="upper left", fontsize=5.5,
                             bbox_to_anchor=(0, top), bbox_transform=ax.transData, frameon=False))


def _clip(text, ax, x: float, y: float, w: float, h: float) -> None:
    """Cut ``text`` at its cell's box (x, y, w, h in inches): a long word never runs into the next cell."""

    text.set_clip_path(Rectangle((x, y), w, h, transform=ax.transData))


def _draw_day(ax, model: MapModel, *, top: float, left: float, right: float) -> None:
    """Draw the day's time axis, hour ticks and one numbered dot per moment (brand touchpoints in colour)."""
    day = day_view(model)
    if day is None:
        return

    def x(u: float) -> float:
        return left + u / day["width"] * (right - left)

    axis = top + 0.2
    ax.plot([x(day["x0"]), x(day["x1"])], [axis, axis], color="#52606d", linewidth=1)
    for u, label in day["ticks"]:
        ax.plot([x(u), x(u)], [axis - 0.04, axis + 0.04], color="#52606d", linewidth=0.8)
        ax.text(x(u), axis - 0.06, label, parse_math=False, ha="center", va="bottom", fontsize=6, color="#52606d")
    for dot in day["dots"]:
        y = axis + 0.2 + 0.22 * dot["row"]
        ax.plot([x(dot["x"])], [y], marker="o", markersize=10, color="#c05621" if dot["brand"] else "#9aa5b1")
        ax.text(x(dot["x"]), y, str(dot["number"]), parse_math=False, ha="center", va="center", fontsize=6,
                color="white", weight="bold")


def plot_overlay(model: MapModel, *, ax=None):
    """Draw the emotion curve of each persona on one axes: measured (solid, where known) and hypothesis (dashed).

    Parameters
    ----------
    model
        A map built for a spec with several personas (``model.overlay`` is empty otherwise).
    ax
        The matplotlib axes to draw on; a new figure's when omitted.

    Returns
    -------
    Axes
        The axes drawn on: one line per persona and kind, x the stages in order, y the emotion −2 … +2.
    """
    if ax is None:
        ax = plt.figure(figsize=(9, 3.6)).add_subplot()
    text = LABELS[model.language]
    for i, persona in enumerate(model.overlay):
        color = PERSONA_COLORS[i % len(PERSONA_COLORS)]
        for key, style in (("measured", "-"), ("hypothesis", "--")):
            pts = emotion_line(persona["points"], key, lambda k: k, lambda v: v)
            if pts:
                ax.plot(*zip(*pts, strict=True), color=color, linestyle=style, marker="o",
                        label=f"{persona['name']} · {text[key]}")
    ax.axhline(0, color="#9aa5b1", linewidth=0.6, linestyle=":")
    ax.set_xticks(range(len(model.stages)), [s["label"] for s in model.stages])
    ax.set_ylim(-2.2, 2.2)
    ax.set_ylabel(text["emotion_scale"])
    ax.set_title(text["overlay"])
    if model.overlay:
        ax.legend(loc="lower left", fontsize=8)
    return ax


def _save(model: MapModel, path: str | os.PathLike, fmt: str, dpi: float) -> Path:

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cjm-journey-map",
                              "text.parse_math": False}):
        _figure(model).savefig(path, format=fmt, dpi=dpi)
    return path


def render_svg(model: MapModel, path: str | os.PathLike) -> Path:
    """Draw the map with matplotlib and save it as SVG, its texts kept as ``<text>`` elements.

    Parameters
    ----------
    model
        The map built by :func:`cjmlib.mapbuild.build_map`.
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
        The map built by :func:`cjmlib.mapbuild.build_map`.
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
