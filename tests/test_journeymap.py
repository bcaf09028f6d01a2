"""The journey map: built from the demo spec and small hand-made results, and its three renderings."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image as mpimg
import pandas as pd
import pytest
from browser import ARTIFACTS, BrowserSession, requires_chromium

from cjmlib.journeymap import (
    ALL_STAGES,
    Cell,
    MapModel,
    build_map,
    render_all,
    render_html,
    render_png,
    render_svg,
)
from cjmlib.results import save_result
from cjmlib.spec import Persona, Stage, load_spec

DEMO = Path(__file__).resolve().parent.parent / "templates" / "ecommerce" / "journey.yml"
STAGES = ["awareness", "consideration", "purchase", "retention", "advocacy"]
LANES = ["persona", "actions", "touchpoints", "thoughts", "emotion", "pain_points", "opportunities", "kpis"]
EVENTS_SHA = "0123456789abcdef" * 4
FEEDBACK_SHA = "fedcba9876543210" * 4
SURVEYS_SHA = "00112233445566778899" * 3 + "0011"
PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


@pytest.fixture(scope="module")
def journey():
    return load_spec(DEMO)


def _with(journey, **project):
    return journey.model_copy(update={"project": journey.project.model_copy(update=project)})


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """Write small hand-made results: 1000 sessions enter, 600 consider, 150 buy, 60 return, 20 advocate."""
    run = tmp_path_factory.mktemp("run")
    save_result(run, "meta", {"period_start": "2026-01-01", "period_end": "2026-03-31",
                              "sources": {"data/events.csv": EVENTS_SHA, "feedback": FEEDBACK_SHA,
                                          "surveys": SURVEYS_SHA}})
    units = [1000, 600, 150, 60, 20]
    save_result(run, "stage_funnel", pd.DataFrame({
        "stage": STAGES, "label": [s.capitalize() for s in STAGES], "step": [1, 2, 3, 4, 5], "units": units,
        "rate": [u / 1000 for u in units], "step_rate": [1.0, 0.6, 0.25, 0.4, 1 / 3],
        "drop_off": [0.0, 0.4, 0.75, 0.6, 2 / 3], "ci_low": [1.0, 0.57, 0.13, 0.05, 0.01],
        "ci_high": [1.0, 0.63, 0.17, 0.08, 0.03], "unit": ["session"] * 5}))
    save_result(run, "nps_by_stage", pd.DataFrame({
        "stage": ["purchase", "retention"], "label": ["Purchase", "Retention"], "responses": [40, 3],
        "promoters": [20, 1], "detractors": [8, 1], "nps": [30.0, 0.0], "ci_low": [8.0, -80.0],
        "ci_high": [52.0, 80.0]}))
    save_result(run, "themes", pd.DataFrame({
        "theme": ["shipping_cost", "shipping_cost", "checkout_usability", "delivery_delay",
                  "product_quality"],
        "label": ["Shipping cost", "Shipping cost", "Checkout usability", "Delivery delay",
                  "Product quality"],
        "stage": ["purchase", "consideration", "purchase", "retention", "advocacy"],
        "mentions": [30, 12, 17, 9, 4], "share": [0.15, 0.06, 0.085, 0.045, 0.02],
        "negative_share": [0.9, 0.8, 0.8, 0.7, 0.1],
        "quotes_en": [["Shipping cost doubled the price", "The delivery fee came as a shock"],
                      ["Postage was not shown"], ["The address form kept failing"],
                      ["Still waiting after 10 days"],
                      ["Beautiful, sturdy lamp"]],
        "quotes_fr": [["Frais de port exorbitants"], ["Port non affiché"], ["Formulaire d'adresse en échec"],
                      ["Toujours pas reçu"], ["Lampe magnifique"]]}))
    save_result(run, "emotion", pd.DataFrame({
        "stage": ["awareness", "consideration", "purchase", "retention"], "label": ["a", "c", "p", "r"],
        "persona": ["busy-parent"] * 4, "hypothesis": [1, 1, -1, 0], "measured": [0.8, 0.5, -1.2, -0.4],
        "ci_low": [0.5, 0.2, -1.5, -0.8], "ci_high": [1.1, 0.8, -0.9, 0.0], "n": [30, 40, 50, 20],
        "disagree": [False, False, False, True]}))
    save_result(run, "opportunities", pd.DataFrame({
        "opportunity": ["one-page-mobile-checkout", "show-shipping-early"], "name": ["b", "a"],
        "stage": ["purchase", "purchase"],
        "pain_points": [["mobile-checkout-form"], ["shipping-cost-surprise"]],
        "kpis": [["conversion"], ["cart-abandonment"]], "reach": [5000, 8000], "impact": [2, 2],
        "confidence": [0.6, 0.8], "effort": [5, 2], "rice": [1200.0, 6400.0], "priority": [2, 1]}))
    save_result(run, "touchpoints", pd.DataFrame({
        "touchpoint": ["landing", "cart"], "label": ["Landing page", "Cart"],
        "stage": ["awareness", "purchase"],
        "channel": ["web", "web"], "events": [2400, 520], "sessions": [1000, 300], "users": [800, 260]}))
    save_result(run, "kpis", pd.DataFrame({
        "id": ["conversion", "nps"], "metric": ["session_conversion", "nps"],
        "name": ["Session conversion", "NPS"],
        "unit": ["share", "score"], "direction": ["increase", "increase"], "baseline": [0.029, 12.0],
        "numerator": [29.0, None], "denominator": [1000.0, 43.0], "target": [0.04, 30.0],
        "gap": [0.011, 18.0],
        "definition": ["sessions with a purchase ÷ sessions", "% promoters − % detractors"]}))
    return run


@pytest.fixture(scope="module")
def model(journey, run_dir):
    return build_map(journey, run_dir, persona="busy-parent")


def _lane(model: MapModel, lane_id: str):
    return next(lane for lane in model.lanes if lane.id == lane_id)


def _cell(model: MapModel, lane_id: str, stage: str, startswith: str) -> Cell:
    return next(c for c in _lane(model, lane_id).cells[stage] if c.text.startswith(startswith))


# ---------------------------------------------------------------- the model

def test_every_stage_and_lane_present(model):
    assert [s["id"] for s in model.stages] == STAGES
    assert [s["label"] for s in model.stages] == [
        "Awareness", "Consideration", "Purchase", "Retention", "Advocacy"]
    assert [lane.id for lane in model.lanes] == LANES
    assert [lane.label for lane in model.lanes][:3] == ["Persona & goals", "Actions", "Touchpoints"]
    assert list(_lane(model, "persona").cells) == [ALL_STAGES]
    for lane in model.lanes[1:]:
        assert list(lane.cells) == STAGES
    assert (model.map_type, model.language, model.persona) == ("current_state", "en", "busy-parent")
    assert model.title == "Current-state journey map"
    assert model.period == "2026-01-01 – 2026-03-31"


def test_hypothesis_lanes_come_from_the_spec(model):
    persona = _lane(model, "persona").cells[ALL_STAGES]
    assert len(persona) == 1
    assert persona[0].text.splitlines() == [
        "Claire, the busy parent", "“If I have to type my address twice on my phone, I give up.”",
        "Goals: Buy what she saw on social media before she forgets"]
    assert [c.text for c in _lane(model, "actions").cells["purchase"]] == [
        "Adds to cart", "Fills the address form on her phone"]
    assert [c.text for c in _lane(model, "touchpoints").cells["retention"]] == [
        "Order tracking (web)", "Newsletter (email)"]


def test_funnel_and_nps_numbers_equal_the_sidecar(model):
    units = _cell(model, "kpis", "purchase", "150 sessions")
    rate = _cell(model, "kpis", "purchase", "15.0% of entries")
    drop = _cell(model, "kpis", "purchase", "drop-off 450 (75.0%)")
    nps = _cell(model, "kpis", "purchase", "NPS +30 (n = 40)")
    assert (units.value, rate.value, drop.value, nps.value) == (150.0, 0.15, 0.75, 30.0)
    # n of a rate is its denominator: 1000 entering sessions; of a drop-off, the 600 sessions one step before
    assert (units.provenance["n"], rate.provenance["n"], drop.provenance["n"], nps.provenance["n"]) == (
        150, 1000, 600, 40)
    assert rate.provenance["definition"] == "sessions reaching the stage ÷ sessions with a landing_view"
    assert nps.provenance["source"] == "surveys" and nps.provenance["sha256"] == SURVEYS_SHA[:12]
    # the first stage has no drop-off; advocacy loses 40 of the 60 sessions of retention
    assert [c.text for c in _lane(model, "kpis").cells["awareness"]] == [
        "1,000 sessions", "100.0% of entries"]
    advocacy = _cell(model, "kpis", "advocacy", "drop-off")
    assert (advocacy.text, advocacy.value) == ("drop-off 40 (66.7%)", pytest.approx(2 / 3))


def test_funnel_with_denominator_and_previous_columns(journey, tmp_path):
    """A funnel counted on users, with its own denominator and previous-step columns, as step 04 saves it."""
    save_result(tmp_path, "stage_funnel", pd.DataFrame({
        "step": [1, 2, 3], "stage": ["awareness", "consideration", "purchase"], "label": ["A", "C", "P"],
        "units": [3000, 2695, 752], "denominator": [3200, 3200, 3200],
        "rate": [3000 / 3200, 2695 / 3200, 752 / 3200], "previous": [3000, 3000, 2695],
        "step_rate": [1.0, 2695 / 3000, 752 / 2695], "drop_off": [0, 305, 1943],
        "ci_low": [0.9, 0.8, 0.2], "ci_high": [1.0, 0.9, 0.3], "unit": ["user"] * 3}))
    kpis = _lane(build_map(journey, tmp_path), "kpis").cells
    assert [c.text for c in kpis["purchase"]] == ["752 users", "23.5% of entries", "drop-off 1,943 (72.1%)"]
    assert [c.provenance["n"] for c in kpis["purchase"]] == [752, 3200, 2695]
    assert kpis["purchase"][2].value == pytest.approx(1943 / 2695)
    assert kpis["consideration"][1].provenance["definition"] == (
        "users reaching the stage ÷ users with a landing_view")
    assert kpis["retention"] == [Cell("no data")]


def test_touchpoint_sessions_and_pain_point_evidence(model):
    landing = _lane(model, "touchpoints").cells["awareness"][0]
    assert (landing.text, landing.value) == ("Landing page (web) · 1,000 sessions", 1000.0)
    pains = {c.text.split(" · ")[0]: c for stage in STAGES for c in _lane(model, "pain_points").cells[stage]}
    # shipping_cost is mentioned 30 times at purchase and 12 times at consideration: 42
    assert pains["Shipping costs discovered at checkout"].value == 42.0
    assert pains["Shipping costs discovered at checkout"].text.endswith("42 mentions")
    assert pains["Checkout form hard to use on a phone"].value == 17.0
    assert pains["Late or unclear delivery"].value == 9.0
    assert _lane(model, "pain_points").cells["awareness"] == []


def test_opportunities_ranked_by_rice_with_priority(model):
    cells = _lane(model, "opportunities").cells["purchase"]
    assert [c.value for c in cells] == [6400.0, 1200.0]
    assert cells[0].text == (
        "Show shipping costs on the product page and in the cart · priority 1 · RICE 6,400")
    assert cells[0].provenance["n"] == 8000
    # not scored in the results: the name only, no provenance
    assert _lane(model, "opportunities").cells["retention"] == [Cell("Proactive delivery updates by SMS")]


def test_thoughts_add_at_most_two_quotes_of_the_stage(model):
    purchase = [c.text for c in _lane(model, "thoughts").cells["purchase"]]
    # themes at purchase by mentions: shipping_cost (30, two quotes) before checkout_usability (17)
    assert purchase == ["Why are shipping costs so high?", "“Shipping cost doubled the price”",
                        "“The delivery fee came as a shock”"]
    # product_quality has 4 mentions, fewer than min_group_size 5: its quote stays out
    assert [c.text for c in _lane(model, "thoughts").cells["advocacy"]] == ["Lovely lamp, I would order again"]
    quote = _lane(model, "thoughts").cells["retention"][1]
    assert quote.provenance["n"] == 9 and quote.provenance["source"] == "feedback"


def test_emotion_hypothesis_and_measured(model):
    by_stage = {p["stage"]: p for p in model.emotion}
    assert [p["stage"] for p in model.emotion] == STAGES
    assert by_stage["purchase"] == {"stage": "purchase", "hypothesis": -1.0, "measured": -1.2, "ci_low": -1.5,
                                    "ci_high": -0.9, "n": 50}
    assert by_stage["advocacy"]["measured"] is None and by_stage["advocacy"]["hypothesis"] == 1.0
    assert _lane(model, "emotion").cells["purchase"][0].value == -1.2
    assert _lane(model, "emotion").cells["advocacy"] == [Cell("hypothesis +1.0 · no data")]


def test_emotion_of_all_personas_used_when_the_persona_has_none(journey, tmp_path):
    save_result(tmp_path, "emotion", pd.DataFrame({
        "stage": ["purchase"], "label": ["Purchase"], "persona": [None], "hypothesis": [0.0],
        "measured": [-0.6],
        "ci_low": [-0.9], "ci_high": [-0.3], "n": [25], "disagree": [False]}))
    cell = _lane(build_map(journey, tmp_path, persona="deal-planner"), "emotion").cells["purchase"][0]
    assert cell.value == -0.6
    assert cell.provenance["definition"].endswith("all personas")


def test_every_data_cell_has_provenance(model):
    data_cells = [c for lane in model.lanes for cells in lane.cells.values() for c in cells
                  if c.value is not None]
    assert len(data_cells) >= 20
    for cell in data_cells:
        assert set(cell.provenance) == {"n", "period", "source", "sha256", "definition"}
        assert cell.provenance["period"] == "2026-01-01 – 2026-03-31"
        assert cell.provenance["definition"]
    events = _cell(model, "kpis", "retention", "60 sessions").provenance
    assert events["source"] == "events" and events["sha256"] == EVENTS_SHA[:12]


def test_small_groups_are_hidden(model):
    hidden = _lane(model, "kpis").cells["retention"][-1]
    assert hidden.text == "NPS hidden (n < 5)"
    assert hidden.value is None and hidden.provenance["n"] == 3


@pytest.mark.parametrize("with_folder", [False, True])
def test_missing_results_leave_hypotheses_and_no_data(journey, tmp_path, with_folder):
    model = build_map(journey, tmp_path if with_folder else None, persona="busy-parent")
    assert [lane.id for lane in model.lanes] == LANES
    assert all(c.provenance is None for lane in model.lanes for cells in lane.cells.values() for c in cells)
    assert all(_lane(model, "kpis").cells[s] == [Cell("no data")] for s in STAGES)
    assert _lane(model, "emotion").cells["purchase"] == [Cell("hypothesis −1.0 · no data")]
    assert _lane(model, "pain_points").cells["purchase"] == [
        Cell("Shipping costs discovered at checkout"), Cell("Checkout form hard to use on a phone")]
    assert model.period == ""
    out = render_all(journey, tmp_path if with_folder else None, tmp_path / "out")
    assert all(path.stat().st_size > 0 for path in out.values())


def test_all_personas_when_none_is_chosen(journey, run_dir):
    model = build_map(journey, run_dir)
    assert model.persona is None
    assert len(_lane(model, "persona").cells[ALL_STAGES]) == 2
    assert [c.text for c in _lane(model, "actions").cells["retention"]] == [
        "Claire: Tracks the parcel", "Marc: Checks the delivery date"]
    # hypotheses 1 (Claire) and 0 (Marc) at awareness: mean 0.5; no overall measured rows
    assert model.emotion[0]["hypothesis"] == 0.5 and model.emotion[0]["measured"] is None


def test_unknown_persona_is_refused(journey):
    with pytest.raises(ValueError, match="busy-parent, deal-planner"):
        build_map(journey, persona="busy-parnet")


def test_french_labels_and_numbers(journey, run_dir):
    model = build_map(_with(journey, language="fr"), run_dir, persona="busy-parent")
    assert model.title == "Carte du parcours client — état actuel"
    assert [lane.label for lane in model.lanes] == [
        "Persona et objectifs", "Actions", "Points de contact", "Pensées", "Émotion", "Points de friction",
        "Opportunités", "Indicateurs"]
    texts = [c.text for c in _lane(model, "kpis").cells["purchase"]]
    assert texts[:3] == ["150 sessions", "15,0\u202f% des entrées", "abandon 450 (75,0\u202f%)"]
    assert _lane(model, "thoughts").cells["purchase"][1].text == "« Frais de port exorbitants »"
    assert _lane(model, "kpis").cells["retention"][-1].text == "NPS masqué (n < 5)"
    html = render_html(model, Path(run_dir) / "fr.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html and "Sources et définitions" in html


def test_service_blueprint_adds_frontstage_backstage(journey, run_dir, tmp_path):
    model = build_map(_with(journey, map_type="service_blueprint"), run_dir, persona="busy-parent")
    ids = [lane.id for lane in model.lanes]
    assert ids == LANES[:3] + ["frontstage", "backstage"] + LANES[3:]
    assert model.title == "Service blueprint"
    assert _lane(model, "backstage").cells["purchase"][1].text == "Checkout: Payment provider, fraud checks"
    html = render_html(model, tmp_path / "bp.html").read_text(encoding="utf-8")
    assert html.index('class="visibility"') < html.index("lane-head lane-backstage")
    assert html.index("lane-head lane-frontstage") < html.index('class="visibility"')


def test_future_state_shows_targets_beside_baselines(journey, run_dir):
    model = build_map(_with(journey, map_type="future_state"), run_dir, persona="busy-parent")
    assert model.title == "Future-state journey map"
    purchase = _lane(model, "kpis").cells["purchase"]
    conversion = next(c for c in purchase if c.text.startswith("Target Session conversion"))
    assert conversion.text == "Target Session conversion: 4.0% (baseline 2.9%)"
    assert conversion.value == 0.04 and conversion.provenance["n"] == 1000
    # cart abandonment has no measured row: target only, baseline unknown, no provenance
    assert Cell("Target Cart abandonment: 55.0% (baseline —)", 0.55) in purchase
    # the NPS is linked to the retention opportunity, and measured from surveys
    nps = next(c for c in _lane(model, "kpis").cells["retention"] if c.text.startswith("Target Net"))
    assert nps.text == "Target Net Promoter Score: 30.0 (baseline 12.0)"
    assert nps.provenance["source"] == "surveys"


# ---------------------------------------------------------------- HTML

def test_html_is_self_contained_and_scriptless(model, tmp_path):
    html = render_html(model, tmp_path / "map.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"(src|href)\s*=|https?://|@import|url\(", html, flags=re.IGNORECASE)
    assert ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
            "style-src 'unsafe-inline'\">") in html
    assert "@page { size: A3 landscape" in html and "@media print" in html
    assert html.count('class="stage-head"') == 5 and html.count("<polyline") == 2
    for stage in model.stages:
        assert f'<div class="stage-head">{stage["label"]}</div>' in html


def test_html_shows_provenance_on_hover_and_as_footnotes(model, tmp_path):
    html = render_html(model, tmp_path / "map.html").read_text(encoding="utf-8")
    tip = ("n = 1,000 · 2026-01-01 – 2026-03-31 · events sha256 0123456789ab · "
           "sessions reaching the stage ÷ sessions with a landing_view")
    assert f'title="{tip}"' in html
    notes = re.findall(r'<li value="(\d+)">([^<]*)</li>', html)
    assert [int(n) for n, _ in notes] == list(range(1, len(notes) + 1))
    assert tip in [text for _, text in notes]
    number = next(n for n, text in notes if text == tip)
    assert f'15.0% of entries<sup class="fn">{number}</sup>' in html


def test_html_escapes_payloads(journey, tmp_path):
    persona = journey.personas[0].model_copy(update={"name": PAYLOADS[0], "quote": PAYLOADS[1],
                                                     "goals": (PAYLOADS[1],)})
    stages = (journey.stages[0].model_copy(update={"name": PAYLOADS[1]}),) + journey.stages[1:]
    evil = journey.model_copy(update={"personas": (persona,) + journey.personas[1:], "stages": stages,
                                      "project": journey.project.model_copy(update={"name": PAYLOADS[0]})})
    save_result(tmp_path, "themes", pd.DataFrame({
        "theme": ["shipping_cost"], "label": [PAYLOADS[0]], "stage": ["purchase"], "mentions": [8],
        "share": [0.1],
        "negative_share": [1.0], "quotes_en": [[PAYLOADS[1]]], "quotes_fr": [[PAYLOADS[1]]]}))
    model = build_map(evil, tmp_path, persona="busy-parent")
    html = render_html(model, tmp_path / "evil.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "“&lt;img src=x onerror=alert(1)&gt;”" in html  # the quote from the themes result
    svg = render_svg(model, tmp_path / "evil.svg").read_text(encoding="utf-8")
    texts = _svg_texts(tmp_path / "evil.svg")
    assert PAYLOADS[1] in texts and "<img" not in svg


# ---------------------------------------------------------------- SVG and PNG

def _svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]


def test_svg_keeps_every_stage_label_as_text(model, tmp_path):
    texts = _svg_texts(render_svg(model, tmp_path / "map.svg"))
    for stage in model.stages:
        assert stage["label"] in texts
    assert "Current-state journey map" in texts
    assert any(t.startswith("[1] n = ") for t in texts)  # numbered footnotes


def test_png_has_sensible_dimensions(model, tmp_path):
    image = mpimg.imread(render_png(model, tmp_path / "map.png"))
    # 5 stages: columns of min(3.2, 22 / 5) = 3.2 in beside a 1.5 in label column = 17.5 in, at 110 dpi
    assert image.shape[1] == 1925
    assert 600 < image.shape[0] < 1925
    small = mpimg.imread(render_png(model, tmp_path / "small.png", dpi=40))
    assert small.shape[1] == 700


def test_render_all_writes_three_files(journey, run_dir, tmp_path):
    out = render_all(journey, run_dir, tmp_path / "html")
    assert {k: p.name for k, p in out.items()} == {"html": "journey-map.html", "svg": "journey-map.svg",
                                                   "png": "journey-map.png"}
    assert "Claire, the busy parent" in out["html"].read_text(encoding="utf-8")


# ---------------------------------------------------------------- in a browser

def _wide(journey, n_stages: int, n_personas: int):
    extra = tuple(Stage(id=f"extra-{i}", name=f"Extra stage number {i} with a long name")
                  for i in range(n_stages - 5))
    personas = journey.personas + tuple(
        Persona(id=f"p{i}", name=f"Persona {i} " + "x" * 60, quote="A long quote without spaces " + "y" * 120,
                goals=("Goal " * 30,)) for i in range(n_personas - 2))
    return journey.model_copy(update={"stages": (journey.stages + extra)[:max(n_stages, 3)],
                                      "personas": personas})


@pytest.mark.browser
@requires_chromium
@pytest.mark.parametrize("n_stages,n_personas", [(3, 2), (12, 5)])
def test_map_fits_the_page_width(journey, run_dir, tmp_path, n_stages, n_personas):
    wide = _wide(journey, n_stages, n_personas)
    if n_stages == 3:
        unused = ("touchpoints", "lanes", "pain_points", "opportunities")
        wide = wide.model_copy(update=dict.fromkeys(unused, ()))
    path = render_html(build_map(wide, run_dir), tmp_path / "wide.html")
    with BrowserSession(width=1280, height=900) as browser:
        report = browser.open(path)
        widths = browser.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        browser.screenshot(ARTIFACTS / f"journey-map-{n_stages}-stages.png")
    assert report.problems() == []
    assert widths[0] <= widths[1]
