"""Render the journey map as a self-contained HTML page, and print that page to PDF with headless Chromium.

The page is built by Jinja2 with autoescape from ``templates/map/``: a CSS grid (stages as
columns, lanes as rows), the emotion curves as inline SVG, no script and no external resource
(strict Content-Security-Policy), a print stylesheet for A3 landscape. The geometry helpers here
(:func:`map_view`, :func:`subtitle`, :func:`emotion_line`, :func:`emotion_band`, :func:`day_view`)
are shared with the matplotlib figure of :mod:`cjmlib.mapfigure`.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pypdf import PdfReader

from ..files import write_atomically
from .layout import compact_notes, curve, day_view, map_view, overlay, subtitle
from .model import MapModel
from .words import LABELS

__all__ = ["PRINT_ZOOMS", "find_chromium", "print_one_page", "render_html", "render_pdf", "screenshot_png"]

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "map"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--no-pdf-header-footer",
    "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
"""Headless printing with every network route closed (proxy to a dead port, no name resolution)."""
PRINT_ZOOMS = (1.0, 0.88, 0.78, 0.68, 0.6, 0.52, 0.45)
"""The print scales tried, largest first, until the map fits on one A3 page."""


# ---------------------------------------------------------------- HTML and PDF

def render_html(model: MapModel, path: str | os.PathLike, *, links: list[dict] | None = None,
                print_zoom: float = 1.0) -> Path:
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
    print_zoom
        The scale of the printed page (1: as designed); the screen is never scaled.

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
        curve=curve(model.emotion), overlay=overlay(model), day=day_view(model), links=links or [],
        compact=compact_notes(model), print_zoom=print_zoom,
        future=model.map_type == "future_state")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def print_one_page(model: MapModel, html_path: str | os.PathLike, pdf_path: str | os.PathLike, *,
                   links: list[dict] | None = None, chromium: str | None = None) -> Path | None:
    """Write the map's page and print it on ONE A3 page, scaling the print down until it fits.

    Each scale of :data:`PRINT_ZOOMS` is tried in turn (the page is rewritten with it, printed, and
    the PDF's pages counted); the smallest is kept when none fits.

    Parameters
    ----------
    model
        The map.
    html_path
        The HTML page to write (it keeps the print scale that fits).
    pdf_path
        The PDF to write.
    links
        The links to the other maps, as for :func:`render_html`.
    chromium
        The browser executable; found on the PATH when omitted.

    Returns
    -------
    Path or None
        ``pdf_path``; None when no Chromium is installed.
    """
    chromium = chromium or find_chromium()
    if chromium is None:
        return None
    for zoom in PRINT_ZOOMS:
        render_html(model, html_path, links=links, print_zoom=zoom)
        render_pdf(html_path, pdf_path, chromium=chromium)
        if len(PdfReader(str(pdf_path)).pages) == 1:
            break
    return Path(pdf_path)


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


A3_PIXELS = (1587, 1123)
"""A3 landscape in CSS pixels (420 × 297 mm at 96 px per inch)."""


def _with_dpi(png: bytes, dpi: int) -> bytes:
    """Return ``png`` with a pHYs chunk saying ``dpi`` (after the header chunk), so viewers print it at size."""
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    return png[:33] + chunk + png[33:] if png[12:16] == b"IHDR" else png


def screenshot_png(html_path: str | os.PathLike, png_path: str | os.PathLike, *, chromium: str | None = None,
                   dpi: int = 300, timeout: float = 120) -> Path | None:
    """Take the PNG of a map from the same page as its PDF: the print layout on A3, at ``dpi``.

    A hidden copy of the page applies its print stylesheet on screen; Chromium takes its screenshot
    in an A3-sized window scaled to ``dpi`` (4960 × 3508 pixels at 300 dpi), and the PNG says its dpi.

    Parameters
    ----------
    html_path
        The page written by :func:`render_html` (with the print scale that fits one page).
    png_path
        The PNG to write.
    chromium
        The browser executable; found on the PATH when omitted.
    dpi
        Pixels per inch of the A3 sheet.
    timeout
        Seconds Chromium may take.

    Returns
    -------
    Path or None
        ``png_path``; None when no Chromium is installed.

    Raises
    ------
    RuntimeError
        When Chromium fails or writes no PNG.
    """
    chromium = chromium or find_chromium()
    if chromium is None:
        return None
    page, png_path = Path(html_path), Path(png_path)
    html = page.read_text(encoding="utf-8").replace("@media print", "@media all")
    html = html.replace("</head>", "<style>body { padding: 10mm !important; }</style></head>", 1)
    copy = page.with_name(f".shot-{page.name}")
    copy.write_text(html, encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory(prefix="cjm-chromium-") as profile:
            shot = Path(profile) / "shot.png"
            args = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={shot}",
                    f"--window-size={A3_PIXELS[0]},{A3_PIXELS[1]}", f"--force-device-scale-factor={dpi / 96:g}",
                    "--hide-scrollbars", copy.resolve().as_uri()]
            try:
                done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"Chromium took longer than {timeout:g} s to draw {page.name}") from None
            data = shot.read_bytes() if shot.exists() else b""
            if done.returncode != 0 or data[:8] != b"\x89PNG\r\n\x1a\n":
                raise RuntimeError(f"Chromium could not draw {page.name} (exit code {done.returncode}).")
    finally:
        copy.unlink(missing_ok=True)
    return write_atomically(png_path, _with_dpi(data, dpi))
