"""The run's slide deck, ``deck.pptx``: cover, key indicators, the journey map, each step, top opportunities.

Consultants present in slides: the deck is written from the same results as the pages (the
sidecar ``kpis`` and ``opportunities``, the key findings each step page opens with, the map's PNG),
in the project's language, with every number formatted by :mod:`cjmlib.i18n.formats`. A step
without findings is summarised by the section headings of its published page.

Examples
--------
>>> from cjmlib.run.deck import write_deck
>>> write_deck(journey, "reports/latest", "reports/latest/html/deck.pptx")  # doctest: +SKIP
PosixPath('reports/latest/html/deck.pptx')
"""

from __future__ import annotations

import html
import io
import os
import re
from pathlib import Path

import pandas as pd
from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from ..data.results import load_result
from ..files import write_atomically
from ..i18n.catalogue import step_title, words
from ..i18n.formats import kpi_value, number
from ..journeymap.model import missing, optional, period_of
from ..spec.model import Journey
from ..view.findings import findings_sentences

__all__ = ["deck_outline", "write_deck"]

_WIDTH, _HEIGHT = Inches(13.333), Inches(7.5)
_HEADING = re.compile(r"<h2[^>]*>(.*?)</h2>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def _headings(page: Path, limit: int = 5) -> list[str]:
    """Return the first section headings of a published page, as plain text."""
    if not page.exists():
        return []
    found = [html.unescape(_TAG.sub("", h)).replace("¶", "").strip() for h in _HEADING.findall(page.read_text("utf-8"))]
    return list(dict.fromkeys(h for h in found if h))[:limit]


def _kpi_lines(kpis: pd.DataFrame | None, language: str, text: dict) -> list[str]:
    lines = []
    for r in ([] if kpis is None else kpis.to_dict("records")):
        unit = str(r.get("unit") or "")
        line = text["kpi_line"].format(name=r["name"], value=kpi_value(optional(r.get("baseline")), unit, language))
        if not missing(r.get("ci_low")) and not missing(r.get("ci_high")):
            line += text["kpi_interval"].format(low=kpi_value(float(r["ci_low"]), unit, language),
                                                high=kpi_value(float(r["ci_high"]), unit, language))
        if not missing(r.get("target")):
            status = text["on_track"] if r.get("on_track") is True else text["off_track"]
            line += text["kpi_target"].format(target=kpi_value(float(r["target"]), unit, language), status=status)
        lines.append(line)
    return lines


def _opportunity_lines(spec: Journey, table: pd.DataFrame | None, language: str, text: dict, top: int) -> list[str]:
    if table is None or table.empty or "score" not in table:
        return []
    labels = words("map", language)
    stages = {s.id: s.label for s in spec.stages}
    names = {o.id: o.name for o in spec.opportunities}
    ranked = table.sort_values("rank" if "rank" in table else "score", ascending="rank" in table).head(top)
    lines = []
    for i, r in enumerate(ranked.to_dict("records"), start=1):
        method = str(r.get("scoring") or "rice")
        priority = str(r.get("priority") or "—")
        lines.append(text["opportunity_line"].format(
            rank=i, name=names.get(r["opportunity"], r.get("name") or r["opportunity"]),
            stage=stages.get(r.get("stage"), r.get("stage") or ""), method=labels["scoring"].get(method, method),
            score=number(float(r["score"]), language, 1 if method == "ice" else 0),
            priority=labels["priorities"].get(priority, priority)))
    return lines


def _findings(run_dir: Path, step: str, language: str) -> list[str]:
    """Return the key findings of a step: those a step saved (result ``findings``: ``step``, ``text``),
    else the sentences the step page opens with (:func:`cjmlib.view.findings.findings_sentences`)."""
    table = load_result(run_dir, "findings", default=None)
    if isinstance(table, pd.DataFrame) and {"step", "text"} <= set(table.columns):
        return [str(t) for t in table.loc[table["step"] == step, "text"] if not missing(t)]
    try:
        return findings_sentences(run_dir, step, language)
    except (KeyError, ValueError, TypeError, IndexError):  # a finding that cannot be phrased: the headings then
        return []


def deck_outline(spec: Journey, run_dir: str | os.PathLike, html_dir: str | os.PathLike, *,
                 steps: list[str], run_date: str = "", top: int = 5) -> list[dict]:
    """Return the slides of the deck as data: one dict each with ``kind``, ``title`` and ``lines``.

    Parameters
    ----------
    spec
        The journey spec (its language, names and labels).
    run_dir
        The run folder holding ``results/``.
    html_dir
        The run's ``html/`` folder (step pages and ``journey-map.png``).
    steps
        The step notebooks' names, in order (``01-goals``…).
    run_date
        The run's date, shown on the cover.
    top
        How many opportunities the last slide lists.

    Returns
    -------
    list of dict
        ``cover``, ``kpis``, ``map`` (with ``image``: the map's PNG, or None), one ``step`` per
        step, ``opportunities``.
    """
    run_dir, html_dir = Path(run_dir), Path(html_dir)
    language, project = spec.project.language, spec.project
    text = words("deck", language)
    period = period_of(load_result(run_dir, "meta", default=None))
    cover = [project.client] if project.client else []
    cover += [text["period"].format(period=period)] if period else []
    cover += [text["run"].format(date=run_date)] if run_date else []
    image = html_dir / "journey-map.png"
    slides = [{"kind": "cover", "title": project.name, "lines": cover},
              {"kind": "kpis", "title": text["kpis"],
               "lines": _kpi_lines(load_result(run_dir, "kpis", default=None), language, text)},
              {"kind": "map", "title": text["map"], "lines": [], "image": image if image.exists() else None}]
    for step in steps:
        found = _findings(run_dir, step, language)
        title = text["findings" if found else "sections"].format(step=step_title(step, language))
        slides.append({"kind": "step", "title": title,
                       "lines": found or _headings(html_dir / f"{step}.html") or [text["no_findings"]]})
    opportunities = _opportunity_lines(spec, load_result(run_dir, "opportunities", default=None), language, text, top)
    slides.append({"kind": "opportunities", "title": text["opportunities"],
                   "lines": opportunities or [text["no_opportunities"]]})
    return slides


def _bullets(slide, lines: list[str]) -> None:
    body = slide.placeholders[1].text_frame
    body.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = body.paragraphs[0] if i == 0 else body.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(20 if len(lines) <= 5 else 16)


def _picture(slide, image: Path) -> None:
    """Place the map's image under the title, as large as the slide allows, its proportions kept."""
    picture = slide.shapes.add_picture(str(image), 0, 0)
    box_w, box_h = _WIDTH - Inches(0.6), _HEIGHT - Inches(1.5)
    scale = min(box_w / picture.width, box_h / picture.height)
    picture.width, picture.height = Emu(int(picture.width * scale)), Emu(int(picture.height * scale))
    picture.left = Emu(int((_WIDTH - picture.width) / 2))
    picture.top = Emu(int(Inches(1.25)))


def write_deck(spec: Journey, run_dir: str | os.PathLike, out: str | os.PathLike, *, steps: list[str],
               run_date: str = "") -> Path:
    """Write the run's slide deck (16:9) from :func:`deck_outline`.

    Parameters
    ----------
    spec
        The journey spec.
    run_dir
        The run folder holding ``results/``.
    out
        The ``.pptx`` file to write, in the run's ``html/`` folder (its pages and map are read there).
    steps
        The step notebooks' names, in order.
    run_date
        The run's date, shown on the cover.

    Returns
    -------
    Path
        ``out``.
    """
    out = Path(out)
    prs = Presentation()
    prs.slide_width, prs.slide_height = _WIDTH, _HEIGHT
    for item in deck_outline(spec, run_dir, out.parent, steps=steps, run_date=run_date):
        if item["kind"] == "cover":
            slide = prs.slides.add_slide(prs.slide_layouts[0])
            slide.shapes.title.text = item["title"]
            slide.placeholders[1].text = "\n".join(item["lines"])
        elif item["kind"] == "map":
            slide = prs.slides.add_slide(prs.slide_layouts[5])
            slide.shapes.title.text = item["title"]
            if item["image"] is not None:
                _picture(slide, item["image"])
        else:
            slide = prs.slides.add_slide(prs.slide_layouts[1])
            slide.shapes.title.text = item["title"]
            _bullets(slide, item["lines"])
        for shape in slide.placeholders:  # the default template's boxes are 4:3: stretch them to 16:9
            top, height = shape.top, shape.height  # inherited from the layout: kept once the box has its own
            shape.left, shape.top, shape.width, shape.height = Inches(0.5), top, _WIDTH - Inches(1.0), height
    buffer = io.BytesIO()
    prs.save(buffer)
    return write_atomically(out, buffer.getvalue())
