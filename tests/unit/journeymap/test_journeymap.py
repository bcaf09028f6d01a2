"""The journey map: built from the demo spec and small hand-made results, its four map types and renderings."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image as mpimg
import pandas as pd
import pytest

from cjmlib.data.results import load_result, save_result
from cjmlib.errors import SpecError
from cjmlib.journeymap import (
    ALL_STAGES,
    MapCell,
    MapModel,
    build_map,
    render_all,
    render_html,
    render_pdf,
    render_png,
    render_svg,
)
from cjmlib.journeymap import maps as journeymap_maps
from cjmlib.spec.io import load_spec, parse_spec

DEMO = Path(__file__).resolve().parents[3] / "templates" / "ecommerce" / "journey.yml"
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


def _cell(model: MapModel, lane_id: str, stage: str, startswith: str) -> MapCell:
    return next(c for c in _lane(model, lane_id).cells[stage] if c.text.startswith(startswith))


# ---------------------------------------------------------------- the model

def test_every_stage_and_lane_present(model):
    assert [s["id"] for s in model.stages] == STAGES
    assert [s["label"] for s in model.stages] == [
        "Awareness", "Consideration", "Purchase", "Retention", "Advocacy"]
    assert [lane.id for lane in model.lanes] == LANES
    # a persona's map says which lanes count every customer (the run has no such figure per persona)
    assert [lane.label for lane in model.lanes][:3] == ["Persona & goals", "Actions", "Touchpoints (all customers)"]
    assert model.lanes[-1].label == "KPIs (all customers)"
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
    assert kpis["retention"] == [MapCell("no data")]


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
    assert _lane(model, "opportunities").cells["retention"] == [MapCell("Proactive delivery updates by SMS")]


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
                                    "ci_high": -0.9, "n": 50, "target": 1.0}
    assert by_stage["advocacy"]["measured"] is None and by_stage["advocacy"]["hypothesis"] == 1.0
    assert _lane(model, "emotion").cells["purchase"][0].value == -1.2
    assert _lane(model, "emotion").cells["advocacy"] == [MapCell("hypothesis +1.0 · no data")]


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
    assert all(_lane(model, "kpis").cells[s] == [MapCell("no data")] for s in STAGES)
    assert _lane(model, "emotion").cells["purchase"] == [MapCell("hypothesis −1.0 · no data")]
    assert _lane(model, "pain_points").cells["purchase"] == [
        MapCell("Shipping costs discovered at checkout"), MapCell("Checkout form hard to use on a phone")]
    assert model.period == ""
    out = render_all(journey, tmp_path if with_folder else None, tmp_path / "out", pdf=False)
    assert len(out.names) == 9 and all(path.stat().st_size > 0 for path in out.files.values())


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
        "Persona et objectifs", "Actions", "Points de contact (tous les clients)", "Pensées", "Émotion",
        "Points de friction", "Opportunités", "Indicateurs (tous les clients)"]
    texts = [c.text for c in _lane(model, "kpis").cells["purchase"]]
    assert texts[:3] == ["150 sessions", "15,0\u202f% des entrées", "abandon 450 (75,0\u202f%)"]
    assert _lane(model, "thoughts").cells["purchase"][1].text == "« Frais de port exorbitants »"
    assert _lane(model, "kpis").cells["retention"][-1].text == "NPS masqué (n < 5)"
    html = render_html(model, Path(run_dir) / "fr.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html and "Sources et définitions" in html


def test_service_blueprint_lanes_and_lines(journey, run_dir, tmp_path):
    model = build_map(_with(journey, map_type="service_blueprint"), run_dir, persona="busy-parent")
    assert [(lane.id, lane.line) for lane in model.lanes] == [
        ("persona", ""), ("touchpoints", ""), ("actions", ""), ("thoughts", ""), ("emotion", ""),
        ("frontstage", "line_of_interaction"), ("backstage", "line_of_visibility"),
        ("support", "line_of_internal_interaction"), ("pain_points", ""), ("opportunities", ""), ("kpis", "")]
    assert model.title == "Service blueprint" and _lane(model, "actions").label == "Customer actions"
    assert _lane(model, "frontstage").cells["purchase"][0].text == "Cart: Cart page with shipping estimate"
    assert _lane(model, "backstage").cells["purchase"][1].text == "Checkout: Payment provider, fraud checks"
    assert [c.text for c in _lane(model, "support").cells["retention"]] == [
        "Order tracking: Carrier contracts, customer service desk",
        "Newsletter: Content calendar, consent management"]
    html = render_html(model, tmp_path / "bp.html").read_text(encoding="utf-8")
    order = ["lane-head lane-actions", "line of interaction", "lane-head lane-frontstage", "line of visibility",
             "lane-head lane-backstage", "line of internal interaction", "lane-head lane-support"]
    assert [html.index(mark) for mark in order] == sorted(html.index(mark) for mark in order)
    texts = _svg_texts(render_svg(model, tmp_path / "bp.svg"))
    assert {"line of interaction", "line of visibility", "line of internal interaction"} <= set(texts)


def test_future_state_shows_targets_beside_baselines(journey, run_dir):
    model = build_map(_with(journey, map_type="future_state"), run_dir, persona="busy-parent")
    assert model.title == "Future-state journey map"
    purchase = _lane(model, "kpis").cells["purchase"]
    conversion = next(c for c in purchase if c.text.startswith("Target Session conversion"))
    assert conversion.text == "Target Session conversion: 4.0% (baseline 2.9%)"
    assert conversion.value == 0.04 and conversion.provenance["n"] == 1000
    # cart abandonment has no measured row: target only, baseline unknown, no provenance
    assert MapCell("Target Cart abandonment: 55.0% (baseline —)", 0.55) in purchase
    # the NPS is linked to the retention opportunity, and measured from surveys
    nps = next(c for c in _lane(model, "kpis").cells["retention"] if c.text.startswith("Target Net"))
    assert nps.text == "Target Net Promoter Score: 30.0 (baseline 12.0)"
    assert nps.provenance["source"] == "surveys"


def test_future_state_draws_the_to_be_curve_beside_the_as_is(journey, run_dir, tmp_path):
    model = build_map(_with(journey, map_type="future_state"), run_dir, persona="busy-parent")
    # Claire's lanes: future_emotion 1, 2, 1, 1, 2 beside the as-is hypotheses 1, 1, -1, 0, 1
    assert [p["target"] for p in model.emotion] == [1.0, 2.0, 1.0, 1.0, 2.0]
    assert [c.text for c in _lane(model, "emotion").cells["purchase"]] == [
        "hypothesis −1.0 · measured −1.2 [−1.5, −0.9] (n = 50)", "to-be +1.0"]
    # all personas together: the mean of Claire's 2 and Marc's 2 at consideration, of 1 and 1 at purchase
    together = build_map(_with(journey, map_type="future_state"), run_dir)
    assert [p["target"] for p in together.emotion] == [0.5, 2.0, 1.0, 1.5, 1.5]
    html = render_html(model, tmp_path / "fs.html").read_text(encoding="utf-8")
    # x = 100 × stage + 50; y = 50 − 20 × emotion: +1 → 30, +2 → 10
    assert '<polyline class="target" points="50,30.0 150,10.0 250,30.0 350,30.0 450,10.0"/>' in html
    assert "key-target" in html
    current = render_html(build_map(journey, run_dir, persona="busy-parent"), tmp_path / "cs.html")
    assert 'class="target"' not in current.read_text(encoding="utf-8")


# ---------------------------------------------------------------- HTML

def test_html_is_self_contained_and_scriptless(model, tmp_path):
    html = render_html(model, tmp_path / "map.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"(src|href)\s*=|https?://|@import|url\(", html, flags=re.IGNORECASE)
    assert ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
            "style-src 'unsafe-inline'\">") in html
    assert "@page { size: A3 landscape" in html and "@media print" in html
    assert html.count('class="stage-head"') == 5
    # the emotion lane: hypothesis and measured; the overlay: the hypothesis of each of the two personas and
    # Claire's measured curve (Marc has no measured row)
    assert html.count("<polyline") == 2 + 3
    for stage in model.stages:
        assert f'<div class="stage-head" title="{stage["label"]}">{stage["label"]}</div>' in html


def test_html_shows_provenance_on_hover_and_as_footnotes(model, tmp_path):
    html = render_html(model, tmp_path / "map.html").read_text(encoding="utf-8")
    tip = ("n = 1,000 · 2026-01-01 – 2026-03-31 · events sha256 0123456789ab · "
           "sessions reaching the stage ÷ sessions with a landing_view")
    assert f'title="{tip}"' in html
    # print: one line per definition listing its footnotes with their n; each source once with its sha256
    notes = html[html.index('<section class="notes">'):]
    definition = "sessions reaching the stage ÷ sessions with a landing_view"
    line = next(li for li in re.findall(r"<li>(.*?)</li>", notes) if li.startswith(definition + ":"))
    pairs = re.findall(r"<sup>(\d+)</sup>&#8239;n = ([\d,]+)", line)
    number = next(fn for fn, n in pairs if n == "1,000")
    assert f'15.0% of entries<sup class="fn">{number}</sup>' in html
    assert notes.count("0123456789ab") == 1
    assert "events · sha256 0123456789ab" in re.search(r'<p class="sources">(.*?)</p>', notes).group(1)
    numbers = [int(n) for n in re.findall(r"<sup>(\d+)</sup>", notes)]
    assert sorted(numbers) == list(range(1, len(numbers) + 1))


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
    """Return every text of an SVG written by matplotlib, a multi-line text as one (its lines joined by spaces)."""
    root = ET.parse(path).getroot()
    svg = "{http://www.w3.org/2000/svg}"
    groups = [g for g in root.iter(f"{svg}g") if g.get("id", "").startswith("text_")]
    return [" ".join("".join(t.itertext()) for t in g.iter(f"{svg}text")) for g in groups]


def test_svg_keeps_every_stage_label_as_text(model, tmp_path):
    texts = _svg_texts(render_svg(model, tmp_path / "map.svg"))
    for stage in model.stages:
        assert stage["label"] in texts
    assert "Current-state journey map" in texts
    assert any(t.startswith("[1] n = ") for t in texts)  # numbered footnotes
    root = ET.parse(tmp_path / "map.svg").getroot()
    assert float(root.get("width").removesuffix("pt")) == 17.5 * 72  # 1.5 in + 5 stages × 3.2 in, at 72 pt/in


def test_png_has_sensible_dimensions(model, tmp_path):
    image = mpimg.imread(render_png(model, tmp_path / "map.png"))
    # 5 stages: columns of min(3.2, 22 / 5) = 3.2 in beside a 1.5 in label column = 17.5 in, at 110 dpi
    assert image.shape[1] == 1925
    assert 600 < image.shape[0] < 3000
    assert image[..., :3].std() > 0.05  # not a blank page
    small = mpimg.imread(render_png(model, tmp_path / "small.png", dpi=40))
    assert small.shape[1] == 700


# ---------------------------------------------------------------- day in the life

def test_day_in_the_life_lane_from_the_spec(journey, run_dir, tmp_path):
    model = build_map(_with(journey, map_type="day_in_the_life"), run_dir, persona="busy-parent")
    assert [lane.id for lane in model.lanes] == ["persona", "day", *LANES[1:]]
    assert model.title == "Day-in-the-life map" and _lane(model, "day").label == "A day in the life"
    assert [m["time"] for m in model.day] == ["06:30", "07:45", "12:30", "18:00", "21:15", "21:40"]
    assert [m["minutes"] for m in model.day][:2] == [6 * 60 + 30, 7 * 60 + 45]
    assert [m["touchpoint"] for m in model.day] == [None, None, "landing", None, "product-page", "checkout"]
    assert _lane(model, "day").cells[ALL_STAGES][2].text == (
        "12:30 · Scrolls social media at lunch and taps a sponsored post · Landing page (web)")
    html = render_html(model, tmp_path / "day.html").read_text(encoding="utf-8")
    assert html.count('<li class="moment brand"') == 3 and html.count('<li class="moment"') == 3
    assert html.count('<circle class="moment brand"') == 3
    # the axis runs over whole hours: 06:00 to 22:00, a tick every 2 hours (16 hours shown)
    assert re.findall(r'<text class="hour"[^>]*>([^<]+)</text>', html) == [
        f"{h:02d}:00" for h in range(6, 23, 2)]
    texts = _svg_texts(render_svg(model, tmp_path / "day.svg"))
    assert any("21:40 · Gives up at the address form" in t for t in texts)


def test_day_moments_of_every_persona_sorted_by_time(journey):
    model = build_map(_with(journey, map_type="day_in_the_life"))
    assert [m["time"] for m in model.day][:4] == ["06:30", "07:45", "08:15", "09:00"]
    assert [m["persona"] for m in model.day][:4] == ["Claire", "Claire", "Marc", "Marc"]
    # the current-state map has no day lane
    assert build_map(journey).day == [] and "day" not in [lane.id for lane in build_map(journey).lanes]


@pytest.mark.parametrize("moment,code,key", [
    ('{time: "7h30", activity: Wakes up}', "bad_value", "personas[0].day[0].time"),
    ('{time: "24:00", activity: Late}', "bad_value", "personas[0].day[0].time"),
    ('{time: "08:00", activity: Pays, touchpoint: chekout}', "unknown_reference", "personas[0].day[0].touchpoint"),
])
def test_day_is_validated(spec_text, moment, code, key):
    first = '      - {time: "06:30", activity: Gets the children ready for school}'
    assert first in spec_text
    with pytest.raises(SpecError) as err:
        parse_spec(spec_text.replace(first, f"      - {moment}"))
    assert [(i.code, i.key) for i in err.value.issues] == [(code, key)]
    if code == "unknown_reference":
        assert "Did you mean 'checkout'?" in str(err.value)


# ---------------------------------------------------------------- several personas

def test_overlay_of_the_persona_curves(journey, run_dir, tmp_path):
    save_result(tmp_path, "meta", load_result(run_dir, "meta"))
    save_result(tmp_path, "emotion_personas", pd.DataFrame({
        "stage": ["purchase", "retention", "purchase"], "persona": ["deal-planner", "deal-planner", "busy-parent"],
        "hypothesis": [0.0, 1.0, -1.0], "measured": [-0.3, 0.8, -0.5], "ci_low": [-0.5, 0.5, -0.8],
        "ci_high": [-0.1, 1.1, -0.2], "n": [40, 3, 60]}))
    save_result(tmp_path, "emotion", pd.DataFrame({  # all personas: never drawn under a persona's name
        "stage": ["awareness"], "persona": ["all"], "hypothesis": [0.5], "measured": [0.9], "ci_low": [0.7],
        "ci_high": [1.1], "n": [80]}))
    model = build_map(journey, tmp_path, persona="busy-parent")
    assert [(o["persona"], o["name"]) for o in model.overlay] == [("busy-parent", "Claire"), ("deal-planner", "Marc")]
    marc = {p["stage"]: p for p in model.overlay[1]["points"]}
    assert (marc["purchase"]["measured"], marc["purchase"]["n"]) == (-0.3, 40)
    assert marc["retention"]["measured"] is None  # 3 answers < min_group_size 5: hidden
    assert marc["awareness"]["measured"] is None and marc["awareness"]["hypothesis"] == 0.0
    # Claire's own map uses her rows, not the curve of all personas
    assert model.emotion[2]["measured"] == -0.5 and model.emotion[0]["measured"] is None
    html = render_html(model, tmp_path / "o.html").read_text(encoding="utf-8")
    assert "Emotion by persona" in html and html.count('class="overlay-layer"') == 2
    assert "Emotion by persona" in _svg_texts(render_svg(model, tmp_path / "o.svg"))


def test_render_all_publishes_a_map_per_persona(journey, run_dir, tmp_path):
    out = render_all(journey, run_dir, tmp_path / "html", pdf=False)
    stems = ["journey-map", "journey-map-busy-parent", "journey-map-deal-planner"]
    assert sorted(out.names) == sorted(f"{s}.{ext}" for s in stems for ext in ("html", "svg", "png"))
    assert out["html"].name == "journey-map.html" and out.notes == []
    assert [(p["persona"], p["html"]) for p in out.personas] == [
        ("busy-parent", "journey-map-busy-parent.html"), ("deal-planner", "journey-map-deal-planner.html")]
    main = out["html"].read_text(encoding="utf-8")
    assert re.findall(r'href="([^"]+)"', main) == [f"{s}.{ext}" for s in stems[1:] for ext in ("html", "svg", "png")]
    marc = (tmp_path / "html" / "journey-map-deal-planner.html").read_text(encoding="utf-8")
    assert "Persona: Marc, the deal-hunting planner" in marc and 'href="journey-map.html"' in marc
    assert "Emotion by persona" in main and "Emotion by persona" not in marc  # one overlay, on the main map


def test_one_persona_gets_one_map(journey, run_dir, tmp_path):
    alone = journey.model_copy(update={"personas": journey.personas[:1]})
    out = render_all(alone, run_dir, tmp_path, pdf=False)
    assert sorted(out.names) == ["journey-map.html", "journey-map.png", "journey-map.svg"] and out.personas == []
    assert "href=" not in out["html"].read_text(encoding="utf-8")


# ---------------------------------------------------------------- PDF

def _fake_chromium(tmp_path: Path, script: str) -> str:
    path = tmp_path / "chromium"
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def test_no_pdf_without_chromium(journey, run_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(journeymap_maps, "find_chromium", lambda: None)
    out = render_all(journey, run_dir, tmp_path, pdf=True)
    assert not list(tmp_path.glob("*.pdf")) and ".pdf" not in out["html"].read_text(encoding="utf-8")
    assert out.notes == ["The journey maps have no PDF: Chromium is not installed (apt-get install chromium)."]


def test_a_failing_chromium_leaves_no_pdf_and_no_link(journey, run_dir, tmp_path, monkeypatch):
    # writes half a PDF, then fails: nothing may be published
    fake = _fake_chromium(tmp_path, 'for a; do case "$a" in --print-to-pdf=*) printf %%PDF-1.4 > "${a#*=}";; esac; done; '
                                    "exit 1")
    monkeypatch.setattr(journeymap_maps, "find_chromium", lambda: fake)
    out = render_all(journey, run_dir, tmp_path / "html", pdf=True)
    assert not list((tmp_path / "html").glob("*.pdf")) and not list((tmp_path / "html").glob(".*"))
    assert all(".pdf" not in (tmp_path / "html" / name).read_text(encoding="utf-8")
               for name in out.names if name.endswith(".html"))
    assert len(out.notes) == 1 and "could not print" in out.notes[0]
    with pytest.raises(RuntimeError, match="exit code 1"):
        render_pdf(out["html"], tmp_path / "one.pdf", chromium=fake)
    assert not (tmp_path / "one.pdf").exists()


# ---------------------------------------------------------------- scoring method and what-if (future state)

def _run_with(run_dir, tmp_path, **results) -> Path:
    """A copy of the hand-made run with some results replaced."""
    import shutil

    run = tmp_path / "run"
    shutil.copytree(run_dir, run)
    for name, value in results.items():
        save_result(run, name, value)
    return run


def test_opportunities_labelled_and_ranked_by_ice(journey, run_dir, tmp_path):
    from cjmlib.plan.planning import opportunity_table

    ice = _with(journey, scoring="ice")
    # ICE = impact × confidence × ease from journey.yml: 2 × 0.8 × 8 = 12.8, 2 × 0.6 × 4 = 4.8, 1 × 0.5 × 6 = 3.0
    run = _run_with(run_dir, tmp_path, opportunities=opportunity_table(ice))
    lane = _lane(build_map(ice, run, persona="busy-parent"), "opportunities")
    assert [(c.text, c.value) for c in lane.cells["purchase"]] == [
        ("Show shipping costs on the product page and in the cart · priority now · ICE 12.8", 12.8),
        ("One-page mobile checkout with address autofill · priority next · ICE 4.8", 4.8)]
    assert lane.cells["retention"][0].text == "Proactive delivery updates by SMS · priority later · ICE 3.0"
    prov = lane.cells["purchase"][0].provenance
    assert prov["definition"].startswith("ICE = impact × confidence × ease") and prov["n"] is None
    french = _lane(build_map(_with(ice, language="fr"), run, persona="busy-parent"), "opportunities")
    assert french.cells["purchase"][0].text == (
        "Show shipping costs on the product page and in the cart · priorité maintenant · ICE 12,8")
    assert "RICE" not in " ".join(c.text for cells in french.cells.values() for c in cells)


def test_opportunities_labelled_and_ranked_by_value_effort(journey, run_dir, tmp_path):
    from cjmlib.plan.planning import opportunity_table

    spec = _with(journey, scoring="value_effort")
    sized = pd.DataFrame({"opportunity": ["show-shipping-early", "one-page-mobile-checkout"],
                          "revenue_per_month": [2000.0, 6000.0]})
    # value ÷ effort: 2000 ÷ 2 = 1000 and 6000 ÷ 5 = 1200, the reverse of their RICE order; no value: unscored
    run = _run_with(run_dir, tmp_path, opportunities=opportunity_table(spec, sizing=sized))
    lane = _lane(build_map(spec, run, persona="busy-parent"), "opportunities")
    assert [c.text for c in lane.cells["purchase"]] == [
        "One-page mobile checkout with address autofill · priority now · value/effort 1,200",
        "Show shipping costs on the product page and in the cart · priority next · value/effort 1,000"]
    assert lane.cells["retention"] == [MapCell("Proactive delivery updates by SMS")]
    french = _lane(build_map(_with(spec, language="fr"), run, persona="busy-parent"), "opportunities")
    assert french.cells["purchase"][0].text.endswith("· priorité maintenant · valeur/effort 1\u202f200")


@pytest.fixture
def what_if():
    """The what-if of step 6 on a hand-made session funnel, with the spec's targets (checkout 0.68,
    order confirmation 0.62), over one month, at 40 per conversion."""
    from cjmlib.plan.sizing import MONTH_DAYS, sizing_targets, what_if_table

    funnel = pd.DataFrame({"key": ["landing", "product-page", "cart", "checkout", "order-confirmation"],
                           "units": [1000, 600, 200, 100, 50], "previous": [1000, 1000, 600, 200, 100]})
    return what_if_table(funnel, sizing_targets(load_spec(DEMO)), days=MONTH_DAYS, value=40.0)


def test_future_state_shows_the_what_if_beside_the_as_is(journey, run_dir, tmp_path, what_if):
    run = _run_with(run_dir, tmp_path, what_if=what_if)
    model = build_map(_with(journey, map_type="future_state"), run, persona="busy-parent")
    to_be = [c for c in _lane(model, "kpis").cells["purchase"] if c.text.startswith("To-be")]
    # step rates 100 ÷ 200 = 50 % → 68 %, 50 ÷ 100 = 50 % → 62 %; the end conversion 50 ÷ 1000 = 5 % becomes
    # 0.6 × 1/3 × 0.68 × 0.62 = 8.432 %: 84.32 conversions a month instead of 50, × 40 = 3,372.8 instead of 2,000
    assert [c.text for c in to_be] == [
        "To-be conversion to Order confirmation: 8.4% (as-is 5.0%)",
        "To-be conversions per month: 84 (as-is 50)",
        "To-be revenue per month: 3,373 (as-is 2,000)",
        "To-be step rate to Checkout: 68.0% (as-is 50.0%)",
        "To-be step rate to Order confirmation: 62.0% (as-is 50.0%)"]
    assert [c.value for c in to_be] == pytest.approx([0.08432, 84.32, 3372.8, 0.68, 0.62])
    assert all(c.provenance["definition"].startswith("what-if of step 6") for c in to_be)
    # the steps the targets leave alone (product page, cart) add nothing; nor does a current-state map
    assert not [c for lane_cells in _lane(model, "kpis").cells.values() for c in lane_cells
                if "Product page" in c.text or "to Cart" in c.text]
    current = build_map(journey, run, persona="busy-parent")
    assert not [c for cells in _lane(current, "kpis").cells.values() for c in cells if c.text.startswith("To-be")]
    # beside the KPI targets, which stay
    assert any(c.text == "Target Session conversion: 4.0% (baseline 2.9%)" for c in _lane(model, "kpis").cells[
        "purchase"])


def test_french_what_if(journey, run_dir, tmp_path, what_if):
    run = _run_with(run_dir, tmp_path, what_if=what_if)
    model = build_map(_with(journey, map_type="future_state", language="fr"), run, persona="busy-parent")
    texts = [c.text for c in _lane(model, "kpis").cells["purchase"] if c.text.startswith("Cible ")]
    assert "Cible taux de passage vers Checkout : 68,0\u202f% (actuel 50,0\u202f%)" in texts
    assert "Cible chiffre d'affaires par mois : 3\u202f373 (actuel 2\u202f000)" in texts


def test_future_state_without_a_what_if_is_unchanged(journey, run_dir):
    model = build_map(_with(journey, map_type="future_state"), run_dir, persona="busy-parent")
    assert not [c for cells in _lane(model, "kpis").cells.values() for c in cells if c.text.startswith("To-be")]
