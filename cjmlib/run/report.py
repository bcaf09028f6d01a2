"""The whole report as one PDF: the index, every step page, the definitions appendix and the journey map, printed by Chromium.

Each page is printed as it is published (its own styles, no script), with a print stylesheet added
to a throw-away copy so that page breaks never cut a table row, a chart or a card; the journey map
keeps its own A3 landscape PDF. The pages' PDFs are then joined in reading order into
``report.pdf`` beside them.

Examples
--------
>>> from cjmlib.run.report import write_report_pdf
>>> write_report_pdf("reports/latest/html", ["index.html", "01-goals.html"])  # doctest: +SKIP
PosixPath('reports/latest/html/report.pdf')
"""

from __future__ import annotations

import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from ..files import write_atomically
from ..i18n.catalogue import say
from ..journeymap.html import find_chromium, render_pdf
from ..spec.model import Journey
from .deck import write_deck
from .definitions import write_definitions

__all__ = ["PRINT_CSS", "pdf_page_count", "publish_report", "write_report_pdf"]

PRINT_CSS = """
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  html, body { background: #fff !important; }
  img, svg, figure, table, tr, thead, pre, blockquote, li, details > summary,
  .jp-RenderedImage, .jp-RenderedSVG, .kpi, .card, .finding { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  img, svg { max-width: 100% !important; height: auto !important; }
  table { max-width: 100%; }
  nav, .map-links { display: none !important; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""
"""The print rules added to every page of the report: A4, nothing cut across a page break."""


def pdf_page_count(path: str | os.PathLike) -> int:
    """Return the number of pages of a PDF file.

    Parameters
    ----------
    path
        The PDF file.
    """
    return len(PdfReader(str(path)).pages)


def _with_print_css(page: Path) -> Path:
    """Write a hidden copy of ``page`` beside it (relative links still resolve) with :data:`PRINT_CSS`."""
    html = page.read_text(encoding="utf-8")
    style = f"<style>{PRINT_CSS}</style>"
    html = html.replace("</head>", style + "</head>", 1) if "</head>" in html else style + html
    copy = page.with_name(f".print-{page.name}")
    copy.write_text(html, encoding="utf-8")
    return copy


def write_report_pdf(html_dir: str | os.PathLike, pages: list[str], *, out: str = "report.pdf",
                     map_pdf: str | None = "journey-map.pdf", chromium: str | None = None,
                     timeout: float = 120) -> Path | None:
    """Print the pages of a run and the journey map into one PDF, ``html_dir/out``.

    Parameters
    ----------
    html_dir
        The run's ``html/`` folder holding the pages.
    pages
        The pages to print, in reading order (file names in ``html_dir``: the index, then each step).
    out
        The PDF's file name in ``html_dir``.
    map_pdf
        The journey map's PDF already printed in ``html_dir``, appended as it is (A3 landscape);
        ``None`` or a missing file: nothing appended.
    chromium
        The browser executable; found on the PATH when omitted.
    timeout
        Seconds Chromium may take for each page.

    Returns
    -------
    Path or None
        The PDF written; None when no Chromium is installed (nothing is written).

    Raises
    ------
    RuntimeError
        When Chromium cannot print a page.
    """
    chromium = chromium or find_chromium()
    if chromium is None:
        return None
    html_dir = Path(html_dir)
    writer = PdfWriter()
    with tempfile.TemporaryDirectory(prefix="cjm-report-") as tmp:
        def print_one(name: str) -> Path:
            copy = _with_print_css(html_dir / name)
            try:
                return render_pdf(copy, Path(tmp) / f"{copy.stem}.pdf", chromium=chromium, timeout=timeout)
            finally:
                copy.unlink(missing_ok=True)

        with ThreadPoolExecutor(max_workers=2) as pool:  # two Chromiums print at once
            printed = list(pool.map(print_one, pages))
        for pdf in printed:
            writer.append(str(pdf))
        if map_pdf and (html_dir / map_pdf).exists():
            writer.append(str(html_dir / map_pdf))
        buffer = io.BytesIO()
        writer.write(buffer)
    return write_atomically(html_dir / out, buffer.getvalue())


def publish_report(spec: Journey, run_dir: str | os.PathLike, *, steps: list[str], run_date: str = "") -> list[str]:
    """Write ``definitions.html``, ``report.pdf`` and ``deck.pptx`` into the run's ``html/`` once its pages and map
    are there; the report prints the definitions after the steps, before the map.

    Parameters
    ----------
    spec
        The journey spec.
    run_dir
        The run folder; its ``html/`` holds ``index.html``, one page per step and the journey map.
    steps
        The step notebooks' names, in reading order (their pages are ``<step>.html``).
    run_date
        The run's date, shown on the deck's cover.

    Returns
    -------
    list of str
        What could not be made, as sentences (no Chromium: no PDF; a page Chromium could not print).
    """
    html_dir = Path(run_dir) / "html"
    write_deck(spec, run_dir, html_dir / "deck.pptx", steps=steps, run_date=run_date)
    definitions = write_definitions(spec, run_dir, run_date=run_date)
    pages = ["index.html", *[f"{step}.html" for step in steps if (html_dir / f"{step}.html").exists()],
             definitions.name]
    language = spec.project.language
    try:
        written = write_report_pdf(html_dir, pages)
    except RuntimeError as err:
        return [say("deck", "report_failed", language, reason=err)]
    return [] if written is not None else [say("deck", "report_absent", language)]
