"""Render the journey map as a self-contained HTML page, and print that page to PDF with headless Chromium.

The page is built by Jinja2 with autoescape from ``templates/map/``: a CSS grid (stages as
columns, lanes as rows), the emotion curves as inline SVG, no script and no external resource
(strict Content-Security-Policy), a print stylesheet for A3 landscape. The geometry helpers here
(:func:`map_view`, :func:`subtitle`, :func:`emotion_line`, :func:`emotion_band`, :func:`day_view`)
are shared with the matplotlib figure of :mod:`cjmlib.mapfigure`.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .build import day_text
from .model import ALL_STAGES, Cell, MapModel
from .words import LABELS, number

__all__ = ["PERSONA_COLORS", "find_chromium", "map_view", "render_html", "render_pdf"]

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "map"
PERSONA_COLORS = ("#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#975a16", "#2c7a7b")
"""Colour of each persona's curve on the overlay, in the spec's order (cycled past seven)."""

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--no-pdf-header-footer",
    "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
"""Headless printing with every network route closed (proxy to a dead port, no name resolution)."""


# ---------------------------------------------------------------- shared geometry

def provenance_text(prov: dict, lang: str) -> str:
    """Return a cell's provenance as one line: n, period, source and hash, definition."""
    parts = [f"n = {number(prov['n'], lang)}"] if prov.get("n") is not None else []
    parts += [prov["period"]] if prov.get("period") else []
    source = prov.get("source") or ""
    parts += [f"{source} sha256 {prov['sha256']}" if prov.get("sha256") else source] if source else []
    return " · ".join(parts + [prov.get("definition") or ""]).strip(" ·")


def map_view(model: MapModel) -> tuple[list[dict], list[tuple[int, str]]]:
    """Return the lanes as renderers draw them (cells with tooltip and footnote number) and the footnotes.

    Each lane is a dict: id, label, line (the blueprint line above it, as text, or empty), span
    (cells across every stage, or None) and stages (one list of cells per stage). Each cell is a
    dict: text, tip (its provenance as text, or None) and fn (its footnote number, or None).
    """
    notes: dict[str, int] = {}
    lines = LABELS[model.language]["lines"]

    def mark(cell: Cell) -> dict:
        if not cell.provenance:
            return {"text": cell.text, "tip": None, "fn": None}
        tip = provenance_text(cell.provenance, model.language)
        return {"text": cell.text, "tip": tip, "fn": notes.setdefault(tip, len(notes) + 1)}

    lanes = [{"id": lane.id, "label": lane.label, "line": lines.get(lane.line, ""),
              "span": [mark(c) for c in lane.cells[ALL_STAGES]] if ALL_STAGES in lane.cells else None,
              "stages": [[mark(c) for c in lane.cells.get(s["id"], [])] for s in model.stages]}
             for lane in model.lanes]
    return lanes, [(n, tip) for tip, n in notes.items()]


def subtitle(model: MapModel) -> str:
    """Return the line under the title: project, client, persona and period."""
    text = LABELS[model.language]
    pairs = [("client", model.client), ("persona", model.persona_name or text["all_personas"]),
             ("period", model.period)]
    return " · ".join([model.project] + [text[key] + text["colon"] + value for key, value in pairs if value])


def emotion_line(points: list[dict], key: str, x, y) -> list[tuple[float, float]]:
    """Return the points whose ``key`` (hypothesis, measured or target) is known, in drawing units."""
    return [(x(i), y(p[key])) for i, p in enumerate(points) if p[key] is not None]


def emotion_band(points: list[dict], x, y) -> list[tuple[float, float, float]]:
    """Return (x, low, high) of the stages whose measured emotion has an interval, in drawing units."""
    return [(x(i), y(p["ci_low"]), y(p["ci_high"])) for i, p in enumerate(points)
            if p["ci_low"] is not None and p["ci_high"] is not None]


def day_view(model: MapModel, *, width: float = 1000.0, row_height: float = 26.0) -> dict | None:
    """Return the day-in-the-life timeline: hour ticks, one numbered dot per moment, the moments as text.

    Dots closer than 48 minutes go on separate rows so that none overlaps; ``x`` runs over the
    whole hours spanned by the moments (at least six hours), in units of a ``width``-wide drawing.
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


def _curve(points: list[dict], *, height: float = 100.0) -> dict:
    """Return an emotion curve in SVG units: one 100-wide slot per stage, -2 at the bottom, +2 at the top."""
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


def _overlay(model: MapModel) -> list[dict]:
    return [{"name": o["name"], "color": PERSONA_COLORS[i % len(PERSONA_COLORS)], "curve": _curve(o["points"])}
            for i, o in enumerate(model.overlay)]


# ---------------------------------------------------------------- HTML and PDF

def render_html(model: MapModel, path: str | os.PathLike, *, links: list[dict] | None = None) -> Path:
    """Write the map as one self-contained HTML page (no script, no external resource, strict CSP).

    Every text is escaped by Jinja's autoescape; provenance shows on hover (``title``) and as
    numbered footnotes. The print stylesheet lays the map on A3 landscape.

    Parameters
    ----------
    model
        The map built by :func:`cjmlib.mapbuild.build_map`.
    path
        The HTML file to write; its folder is created when missing.
    links
        The other maps to link (the map of each persona): one dict each with ``label`` and
        ``files``, a list of (format, relative file name) such as ``("HTML", "journey-map-x.html")``.

    Returns
    -------
    Path
        ``path``.
    """
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    lanes, notes = map_view(model)
    html = env.get_template("journey-map.html.j2").render(
        model=model, lanes=lanes, notes=notes, text=LABELS[model.language], subtitle=subtitle(model),
        curve=_curve(model.emotion), overlay=_overlay(model), day=day_view(model), links=links or [],
        future=model.map_type == "future_state")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def find_chromium() -> str | None:
    """Return the path of a Chromium executable (``chromium``, ``chromium-browser``), or None."""
    return next((found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None)


def render_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike, *, chromium: str | None = None,
               timeout: float = 120) -> Path | None:
    """Print an HTML map to PDF with headless Chromium (A3 landscape, from the page's print stylesheet).

    Chromium runs with a throw-away profile and every network route closed. The PDF is written to
    a temporary file, checked, then renamed: a failure never leaves a partial file behind.

    Parameters
    ----------
    html_path
        The page written by :func:`render_html`.
    pdf_path
        The PDF file to write.
    chromium
        The browser executable; found on the PATH when omitted.
    timeout
        Seconds Chromium may take.

    Returns
    -------
    Path or None
        ``pdf_path``; None when no Chromium is installed (nothing is written).

    Raises
    ------
    RuntimeError
        When Chromium fails, times out or writes something that is not a PDF.
    """
    chromium = chromium or find_chromium()
    if chromium is None:
        return None
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=pdf_path.parent, prefix=f".{pdf_path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with tempfile.TemporaryDirectory(prefix="cjm-chromium-") as profile:
            args = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={tmp}",
                    Path(html_path).resolve().as_uri()]
            try:
                done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"Chromium took longer than {timeout:g} s to print {Path(html_path).name}") \
                    from None
        head = Path(tmp).read_bytes()[:5]
        if done.returncode != 0 or head != b"%PDF-":
            raise RuntimeError(f"Chromium could not print {Path(html_path).name} (exit code {done.returncode}, "
                               f"{'a PDF' if head == b'%PDF-' else 'no PDF'} written).")
        os.chmod(tmp, 0o644)
        os.replace(tmp, pdf_path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return pdf_path
