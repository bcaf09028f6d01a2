"""The run's deck (read back with python-pptx) and its whole-report PDF (pages counted)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation

from cjmlib.data.results import save_result
from cjmlib.journeymap.html import render_pdf
from cjmlib.run.deck import write_deck
from cjmlib.run.report import PRINT_CSS, pdf_page_count, write_report_pdf
from cjmlib.spec.io import load_spec

DEMO = Path(__file__).resolve().parents[3] / "templates" / "ecommerce" / "journey.yml"
STEPS = ["01-goals", "04-behaviour"]


@pytest.fixture()
def run_dir(tmp_path):
    save_result(tmp_path, "meta", {"period_start": "2026-01-01", "period_end": "2026-03-31"})
    save_result(tmp_path, "kpis", pd.DataFrame({
        "id": ["conversion"], "name": ["Session conversion"], "unit": ["share"], "baseline": [0.029],
        "ci_low": [0.025], "ci_high": [0.034], "target": [0.04], "on_track": [False]}))
    save_result(tmp_path, "opportunities", pd.DataFrame({
        "opportunity": ["one-page-mobile-checkout", "show-shipping-early"], "stage": ["purchase", "purchase"],
        "scoring": ["rice", "rice"], "score": [61.8, 1121.0], "rank": [2, 1], "priority": ["next", "now"]}))
    save_result(tmp_path, "findings", pd.DataFrame({
        "step": ["04-behaviour"], "text": ["Mobile checkout abandonment rose to 81 % in the week of 2026-10-05."]}))
    html = tmp_path / "html"
    html.mkdir()
    (html / "01-goals.html").write_text("<html><body><h2>The goals ¶</h2><h2>KPIs &amp; targets</h2></body></html>")
    (html / "04-behaviour.html").write_text("<html><body><h2>Funnels</h2></body></html>")
    return tmp_path


def test_deck_slides_have_the_expected_titles_and_figures(run_dir):
    journey = load_spec(DEMO)
    deck = write_deck(journey, run_dir, run_dir / "html" / "deck.pptx", steps=STEPS, run_date="2026-04-01")
    slides = list(Presentation(str(deck)).slides)
    assert [s.shapes.title.text for s in slides] == [
        journey.project.name, "Key indicators", "The journey map", "What this step covers: Goals and KPIs",
        "Key findings: Behaviour: funnels and abandonment", "Top opportunities"]

    def body(slide):
        return [p.text for shape in slide.placeholders if shape.placeholder_format.idx == 1
                for p in shape.text_frame.paragraphs]

    assert body(slides[1]) == ["Session conversion: 2.9% (95 % interval 2.5% to 3.4%) · target 4.0%: off track"]
    assert body(slides[3]) == ["The goals", "KPIs & targets"]  # the page's headings, without the anchor sign
    assert body(slides[4]) == ["Mobile checkout abandonment rose to 81 % in the week of 2026-10-05."]
    # best score first, names and stage labels from the spec, the score as a whole number
    assert body(slides[5]) == [
        "1. Show shipping costs on the product page and in the cart (Purchase) · RICE 1,121 · priority now",
        "2. One-page mobile checkout with address autofill (Purchase) · RICE 62 · priority next"]
    prs = Presentation(str(deck))
    assert prs.slide_width > prs.slide_height  # 16:9
    for slide in prs.slides:  # every box inside the slide, none collapsed
        for shape in slide.shapes:
            assert shape.width > 0 and shape.height > 0
            assert shape.left >= 0 and shape.left + shape.width <= prs.slide_width
            assert shape.top >= 0 and shape.top + shape.height <= prs.slide_height


def test_deck_in_french(run_dir):
    journey = load_spec(DEMO)
    journey = journey.model_copy(update={"project": journey.project.model_copy(update={"language": "fr"})})
    deck = write_deck(journey, run_dir, run_dir / "html" / "deck.pptx", steps=STEPS)
    titles = [s.shapes.title.text for s in Presentation(str(deck)).slides]
    assert titles[1:3] == ["Indicateurs clés", "La carte du parcours"] and titles[-1] == "Opportunités prioritaires"


def test_print_rules_keep_tables_and_charts_whole():
    selectors = PRINT_CSS.split("{ break-inside: avoid")[0].rsplit("}", 1)[1]
    assert {"img", "svg", "table", "tr", ".jp-RenderedImage"} <= {s.strip() for s in selectors.split(",")}


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium (apt-get install -y chromium)")
def test_report_pdf_joins_every_page_and_the_map(tmp_path):
    rows = "".join(f"<tr><td>row {i}</td><td>{i * 3}</td></tr>" for i in range(200))
    (tmp_path / "index.html").write_text("<html><head></head><body><h1>Index</h1></body></html>")
    (tmp_path / "01-goals.html").write_text(f"<html><head></head><body><table>{rows}</table></body></html>")
    # the map's own PDF, one page, appended as it is
    (tmp_path / "map.html").write_text("<html><body>map</body></html>")
    render_pdf(tmp_path / "map.html", tmp_path / "journey-map.pdf")
    pdf = write_report_pdf(tmp_path, ["index.html", "01-goals.html"])
    # index: 1 page; 200 rows of about 20 px on A4 pages of about 1000 px: 4 to 6 pages; the map: 1
    assert 6 <= pdf_page_count(pdf) <= 8
    assert not list(tmp_path.glob(".print-*"))  # the print copies are gone
