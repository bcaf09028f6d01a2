"""The four journey maps of the demo in headless Chromium (network cut off): they render without a console
error, nothing is wider than the page, long texts wrap, spec fields holding markup show as text and never run.

The demo is generated and run once per session (``published_demo``); the maps are rendered straight from
its published run with ``build_map`` and ``render_html``, one page per map type.
"""

from __future__ import annotations

import re
import shutil
from itertools import pairwise

import pytest
from chromium import ARTIFACTS, BrowserSession, requires_chromium

from cjmlib.journeymap import build_map, render_html, render_pdf
from cjmlib.spec.io import load_spec
from cjmlib.spec.model import DayActivity, Persona, Stage, Touchpoint

pytestmark = [pytest.mark.browser, requires_chromium]

MAP_TYPES = ("current_state", "future_state", "day_in_the_life", "service_blueprint")
MARKER = "cjm-pwned"
PAYLOADS = (f"<script>document.title='{MARKER}';window.cjmPwned=1</script>",
            f"<img src=x onerror=\"document.title='{MARKER}';window.cjmPwned=1\">")

# every element of the page that sticks out of the viewport, or whose content overflows its own box
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.left < -1 || box.right > width + 1) out.push('outside: ' + el.tagName + '.' + el.getAttribute('class'));
  }
  for (const el of document.querySelectorAll('.stage-head, .lane-head, .cell, .persona, ol.day li, .notes li')) {
    if (el.scrollWidth > el.clientWidth + 1) out.push('overflows: ' + el.className + ' ' + el.textContent.slice(0, 40));
  }
  return out;
}"""


@pytest.fixture(scope="module")
def demo(published_demo):
    return load_spec(published_demo), published_demo / "reports" / "latest"


@pytest.fixture(scope="module")
def browser():
    with BrowserSession(width=1280, height=900) as session:
        yield session


def _as(journey, map_type: str, **changes):
    project = journey.project.model_copy(update={"map_type": map_type})
    return journey.model_copy(update={"project": project, **changes})


@pytest.mark.parametrize("map_type", MAP_TYPES)
def test_every_map_type_renders_for_the_demo(demo, browser, tmp_path, map_type):
    journey, run = demo
    model = build_map(_as(journey, map_type), run, persona=journey.personas[0].id)
    page = render_html(model, tmp_path / f"{map_type}.html",
                       links=[{"label": "Marc", "files": [("HTML", "journey-map-deal-planner.html")]}])
    report = browser.open(page)
    browser.screenshot(ARTIFACTS / f"journey-map-{map_type.replace('_', '-')}.png")
    assert report.problems() == []
    assert browser.evaluate(OVERFLOW) == []
    heads = browser.evaluate("Array.from(document.querySelectorAll('.stage-head'), e => e.innerText)")
    assert heads == [s.label for s in journey.stages]
    expected = [lane.id for lane in model.lanes]
    expected.insert(expected.index("emotion") + 1, "overlay")  # the demo has two personas
    lanes = browser.evaluate("Array.from(document.querySelectorAll('.lane-head'), e => e.className)")
    assert [c.split()[1].removeprefix("lane-") for c in lanes] == expected
    # a figure's provenance is on hover: the first touchpoint's sessions, as in the sidecar
    tip = browser.evaluate("document.querySelector('.lane-touchpoints li.data').getAttribute('title')")
    assert re.match(r"n = [\d,]+ · \d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d · events sha256 [0-9a-f]{12} · ", tip)
    if map_type == "service_blueprint":
        lines = browser.evaluate("Array.from(document.querySelectorAll('.blueprint-line'), e => e.innerText)")
        assert lines == ["line of interaction", "line of visibility", "line of internal interaction"]
    if map_type == "day_in_the_life":
        brand = browser.evaluate("document.querySelectorAll('ol.day li.brand').length")
        assert brand == sum(1 for m in journey.personas[0].day if m.touchpoint) > 0
    if map_type == "future_state":
        assert browser.evaluate("document.querySelectorAll('.curve polyline.target').length") == 1


def _crowded(journey, n_stages: int, n_personas: int):
    """The demo spec with ``n_stages`` stages and ``n_personas`` personas, every text long or unbroken."""
    stages = (journey.stages + tuple(Stage(id=f"extra-{i}", name=f"Extra stage number {i} with a long name")
                                     for i in range(n_stages)))[:n_stages]
    day = tuple(DayActivity(time=f"{7 + i:02d}:{5 * i:02d}", activity="A long activity " + "z" * 70,
                            touchpoint="checkout" if i % 2 else None) for i in range(8))
    personas = (journey.personas + tuple(
        Persona(id=f"p{i}", name=f"Persona {i} " + "x" * 60, quote="A long quote without spaces " + "y" * 120,
                goals=("Goal " * 30,), day=day) for i in range(n_personas)))[:n_personas]
    ids = {s.id for s in stages}
    touchpoints = tuple(tp for tp in journey.touchpoints if tp.stage in ids) + (
        Touchpoint(id="long", name="Touchpoint " + "w" * 80, stage=stages[-1].id, channel="web",
                   frontstage="f" * 90, backstage="b" * 90, support="s" * 90),)
    keep = {p.id for p in personas}
    return journey.model_copy(update={
        "stages": stages, "personas": personas, "touchpoints": touchpoints,
        "lanes": tuple(ln for ln in journey.lanes if ln.stage in ids and ln.persona in keep),
        "pain_points": tuple(x for x in journey.pain_points if x.stage in ids),
        "opportunities": tuple(x for x in journey.opportunities if x.stage in ids)})


@pytest.mark.parametrize("n_stages,n_personas", [(3, 1), (12, 5)])
@pytest.mark.parametrize("map_type", ["day_in_the_life", "service_blueprint"])
def test_3_to_12_stages_and_1_to_5_personas_fit_without_overlap(demo, browser, tmp_path, map_type, n_stages,
                                                                 n_personas):
    journey, run = demo
    crowded = _as(_crowded(journey, n_stages, n_personas), map_type)
    model = build_map(crowded, run)
    assert len(model.stages) == n_stages and len(model.overlay) == (n_personas if n_personas > 1 else 0)
    report = browser.open(render_html(model, tmp_path / "crowded.html"))
    browser.screenshot(ARTIFACTS / f"journey-map-{n_stages}-stages-{n_personas}-personas-{map_type}.png")
    assert report.problems() == []
    assert browser.evaluate(OVERFLOW) == []
    # the stage heads sit side by side in one row, in order, none over another
    boxes = browser.evaluate("Array.from(document.querySelectorAll('.stage-head'), e => "
                             "{const b = e.getBoundingClientRect(); return [b.left, b.right, b.top];})")
    assert len(boxes) == n_stages and len({top for _, _, top in boxes}) == 1
    assert all(right <= next_left + 0.5 for (_, right, _), (next_left, _, _) in pairwise(boxes))


def _poisoned(journey):
    """Put a payload in every text field of the spec the map shows."""
    script, img = PAYLOADS
    persona = journey.personas[0]
    return journey.model_copy(update={
        "project": journey.project.model_copy(update={"name": script, "client": img}),
        "personas": (persona.model_copy(update={
            "name": img, "quote": script, "goals": (img,),
            "day": tuple(m.model_copy(update={"activity": script if i % 2 else img})
                         for i, m in enumerate(persona.day))}),) + journey.personas[1:],
        "stages": tuple(s.model_copy(update={"name": img}) for s in journey.stages),
        "touchpoints": tuple(tp.model_copy(update={"name": script, "channel": img, "frontstage": img,
                                                   "backstage": script, "support": img})
                             for tp in journey.touchpoints),
        "lanes": tuple(ln.model_copy(update={"actions": (script,), "thoughts": (img,)}) for ln in journey.lanes),
        "pain_points": tuple(x.model_copy(update={"name": img}) for x in journey.pain_points),
        "opportunities": tuple(x.model_copy(update={"name": script}) for x in journey.opportunities),
        "goals": tuple(g.model_copy(update={"kpis": tuple(k.model_copy(update={"name": img}) for k in g.kpis)})
                       for g in journey.goals),
    })


@pytest.mark.parametrize("map_type", MAP_TYPES)
def test_markup_in_spec_fields_shows_as_text_and_never_runs(demo, browser, tmp_path, map_type):
    journey, run = demo
    model = build_map(_as(_poisoned(journey), map_type), run, persona=journey.personas[0].id)
    page = render_html(model, tmp_path / "poisoned.html")
    report = browser.open(page)
    browser.screenshot(ARTIFACTS / f"journey-map-payloads-{map_type.replace('_', '-')}.png")
    assert browser.evaluate("document.title") != MARKER
    assert browser.evaluate("typeof window.cjmPwned") == "undefined"
    assert browser.evaluate("document.querySelectorAll('main script, main img, header script').length") == 0
    text = browser.evaluate("document.body.innerText")
    assert PAYLOADS[0] in text and PAYLOADS[1] in text  # shown, as text
    assert report.problems() == []  # and nothing was even requested
    assert MARKER in page.read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium (apt-get install -y chromium)")
def test_pdf_is_a3_landscape(demo, tmp_path):
    journey, run = demo
    page = render_html(build_map(_as(journey, "service_blueprint"), run, persona="busy-parent"), tmp_path / "m.html")
    pdf = render_pdf(page, tmp_path / "m.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 20_000
    # A3 landscape is 420 × 297 mm = 1190.55 × 841.89 pt
    sizes = {(round(float(w)), round(float(h))) for w, h in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
    assert sizes == {(1191, 842)}
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_published_maps_print_on_one_a3_page_and_png_is_300_dpi(demo, tmp_path, language):
    """Every map render_all publishes is one A3 page; its PNG is that page drawn at 300 dpi; screenshots of
    the whole-journey map and a persona's map go to tests/artifacts/ for a reviewer."""
    from cjmlib.journeymap.maps import render_all
    from cjmlib.run.report import pdf_page_count

    journey, run = demo
    project = journey.project.model_copy(update={"language": language})
    maps = render_all(journey.model_copy(update={"project": project}), run, tmp_path / "html")
    assert maps.notes == []
    pdfs = sorted((tmp_path / "html").glob("journey-map*.pdf"))
    assert len(pdfs) == 1 + len(journey.personas)
    assert {pdf.name: pdf_page_count(pdf) for pdf in pdfs} == {pdf.name: 1 for pdf in pdfs}
    png = maps["png"].read_bytes()
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert abs(width - 4961) <= 4 and abs(height - 3508) <= 4  # A3 landscape at 300 dpi: 420 × 297 mm
    assert b"pHYs" in png[:64]
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(maps["png"], ARTIFACTS / f"map-{language}.png")
    persona_png = tmp_path / "html" / f"{maps.personas[-1]['html'][:-5]}.png"
    shutil.copy(persona_png, ARTIFACTS / f"map-persona-{language}.png")
    html = maps["html"].read_text(encoding="utf-8")
    # the whole-journey map shows every persona's curve, each in its own colour
    assert html.count('class="overlay-layer"') == len(journey.personas)
    colours = re.findall(r'style="--persona: (#[0-9a-f]{6})"', html)
    assert len(set(colours)) == len(journey.personas)
