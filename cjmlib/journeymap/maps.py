"""The journey map: the spec's hypotheses and the run's results, stages as columns and lanes as rows.

This module gathers the map's public names and publishes a run's maps (:func:`render_all`):

- :func:`build_map` (:mod:`cjmlib.mapbuild`) assembles a :class:`MapModel` from the journey spec
  and the sidecar results of a run, for the spec's ``map_type`` (current state, future state,
  day in the life, service blueprint);
- :func:`render_html` and :func:`render_pdf` (:mod:`cjmlib.maprender`) write a self-contained
  page (Jinja2 with autoescape, CSS grid, inline SVG curves, no script) and print it to PDF with
  headless Chromium when it is installed;
- :func:`render_svg` and :func:`render_png` (:mod:`cjmlib.mapfigure`) draw the same map with
  matplotlib.

Every cell backed by data carries its provenance (n, period, source hash, definition), shown on
hover in HTML and as numbered footnotes in every rendering. Rates and scores whose denominator is
smaller than the project's ``min_group_size`` are hidden, and so are the quotes of themes with
fewer mentions.

Examples
--------
>>> from cjmlib.spec import load_spec
>>> from cjmlib.journeymap import build_map, render_all
>>> journey = load_spec("templates/ecommerce/journey.yml")            # doctest: +SKIP
>>> model = build_map(journey, "reports/latest", persona="busy-parent")  # doctest: +SKIP
>>> [lane.id for lane in model.lanes][:3]                                # doctest: +SKIP
['persona', 'actions', 'touchpoints']
>>> render_all(journey, "reports/latest", "reports/latest/html").names  # doctest: +SKIP
['journey-map.html', 'journey-map.svg', 'journey-map.png', 'journey-map.pdf', ...]
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..i18n.catalogue import say
from ..spec.model import Journey
from .build import build_map, persona_emotions
from .figure import plot_overlay, render_png, render_svg
from .html import find_chromium, print_one_page, render_html, render_pdf, screenshot_png
from .model import ALL_STAGES, MapCell, MapModel, MapRow, persona_slug
from .words import LABELS

__all__ = [
    "ALL_STAGES",
    "MapCell",
    "MapModel",
    "MapRow",
    "PublishedMaps",
    "build_map",
    "persona_emotions",
    "persona_slug",
    "plot_overlay",
    "render_all",
    "render_html",
    "render_pdf",
    "render_png",
    "render_svg",
]

@dataclass(frozen=True)
class PublishedMaps:
    """The files :func:`render_all` wrote.

    ``files`` maps each file name to its path; ``personas`` lists the map of each persona
    (``persona`` id, ``name``, ``html`` file name); ``notes`` says what could not be made (the PDF
    without Chromium). ``maps["html"]`` is the main map's ``journey-map.html`` (likewise svg, png, pdf).
    """

    files: dict[str, Path]
    personas: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __getitem__(self, fmt: str) -> Path:
        return self.files[f"journey-map.{fmt}"]

    @property
    def names(self) -> list[str]:
        """The names of the files written, in the order they were written."""
        return list(self.files)


def _links(pages: list[tuple[str, str, MapModel]], current: str, *, pdf: bool) -> list[dict]:
    """Return the links of a map page to the other maps (each with its SVG, PNG and PDF)."""
    formats = ("html", "svg", "png", "pdf") if pdf else ("html", "svg", "png")
    return [{"label": label, "files": [(fmt.upper(), f"{stem}.{fmt}") for fmt in formats]}
            for stem, label, _ in pages if len(pages) > 1 and stem != current]


def _write_pages(pages: list[tuple[str, str, MapModel]], out: Path, *, pdf: bool) -> dict[str, Path]:
    files = {}
    for stem, _, model in pages:
        files[f"{stem}.html"] = render_html(model, out / f"{stem}.html", links=_links(pages, stem, pdf=pdf))
    return files


def _pdfs_done(html: list[Path], futures: list) -> dict[str, Path]:
    """Wait for the PDFs being printed; on any failure remove them all and raise the first error."""
    errors = [f.exception() for f in futures]
    if any(errors):
        for page in html:
            page.with_suffix(".pdf").unlink(missing_ok=True)
        raise next(e for e in errors if e)
    return {page.with_suffix(".pdf").name: page.with_suffix(".pdf") for page in html}


def render_all(spec: Journey, run_dir: str | os.PathLike | None, out_dir: str | os.PathLike, *,
               pdf: bool = True) -> PublishedMaps:
    """Write the journey maps of a run: the main map, the map of each persona, SVG, PNG and PDF of each.

    The PNG is the printed page drawn by Chromium at 300 dpi (matplotlib's figure without Chromium).
    The main map ``journey-map.html/.svg/.png`` is the whole journey (every persona together), with
    the overlay of every persona's emotion curve; when the spec has several personas, each also gets
    ``journey-map-<persona-slug>.html/.svg/.png``, and every page links the others. The PDFs
    (``.pdf`` beside each page) are printed by headless Chromium: all of them or, when Chromium is
    missing or fails, none, with a note saying why.

    Parameters
    ----------
    spec
        The journey spec.
    run_dir
        The run folder holding ``results/`` (``None``: the spec's hypotheses only).
    out_dir
        Folder for the files; created when missing.
    pdf
        Print the pages to PDF when Chromium is installed.

    Returns
    -------
    PublishedMaps
        The files written, the persona maps and the notes.
    """
    out = Path(out_dir)
    pages = [("journey-map", LABELS[spec.project.language]["main_map"], build_map(spec, run_dir))]
    if len(spec.personas) > 1:  # one overlay of the personas' curves: on the main map
        pages += [(f"journey-map-{persona_slug(p)}", p.name,
                   replace(build_map(spec, run_dir, persona=p.id), overlay=[])) for p in spec.personas]
    chromium = find_chromium() if pdf else None
    files = _write_pages(pages, out, pdf=chromium is not None)
    html = [files[f"{stem}.html"] for stem, _, _ in pages]
    notes = [say("map", "pdf_absent", spec.project.language)] if pdf and chromium is None else []
    with ThreadPoolExecutor(max_workers=2) as pool:  # Chromium prints while matplotlib draws
        printing = [pool.submit(print_one_page, model, page, page.with_suffix(".pdf"), chromium=chromium,
                                links=_links(pages, stem, pdf=True))
                    for page, (stem, _, model) in zip(html if chromium else [], pages)]
        for stem, _, model in pages:
            files[f"{stem}.svg"] = render_svg(model, out / f"{stem}.svg")
        try:
            files |= _pdfs_done(html, printing) if chromium else {}
        except RuntimeError as err:
            files |= _write_pages(pages, out, pdf=False)  # no link to a PDF that is not there
            notes.append(say("map", "pdf_failed", spec.project.language, reason=err))
        # the PNG is the printed page itself (300 dpi) when Chromium draws it; else matplotlib's figure
        shots = {stem: pool.submit(screenshot_png, page, out / f"{stem}.png", chromium=chromium)
                 for page, (stem, _, _) in zip(html if chromium else [], pages)}
        for stem, _, model in pages:
            shot = shots.get(stem)
            files[f"{stem}.png"] = (shot.result() if shot is not None and shot.exception() is None
                                    else render_png(model, out / f"{stem}.png"))
    personas = [{"persona": model.persona, "name": label, "html": f"{stem}.html"}
                for stem, label, model in pages[1:]]
    return PublishedMaps(files=files, personas=personas, notes=notes)
