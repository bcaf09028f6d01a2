"""Persona maps that claim only what the run measured for the persona; quotes fit to print; notes compacted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cjmlib.data.results import save_result
from cjmlib.journeymap import build_map
from cjmlib.journeymap.evidence import clean_quote, unique_quotes
from cjmlib.journeymap.layout import PERSONA_COLORS, compact_notes
from cjmlib.spec.io import load_spec

DEMO = Path(__file__).resolve().parents[3] / "templates" / "ecommerce" / "journey.yml"


@pytest.mark.parametrize(("raw", "clean"), [
    ("Hi! Expensive shipping, so I left my cart.", "Expensive shipping, so I left my cart."),
    ("Hello. Payment failed three times, I gave up. Regards. Call me back on [number].",
     "Payment failed three times, I gave up."),
    ("Beautiful jute rug, even nicer than in the photos. Best, a customer.",
     "Beautiful jute rug, even nicer than in the photos."),
    ("Bonsoir ! Le vase est magnifique. Cordialement. [order].", "Le vase est magnifique."),
    ("Livraison en retard de 15 jours, aucune nouvelle. [order].", "Livraison en retard de 15 jours, aucune nouvelle."),
    ("Thanks for nothing, it broke.", "Thanks for nothing, it broke."),  # a first word is not a sign-off
])
def test_quotes_lose_greetings_and_sign_offs(raw, clean):
    assert clean_quote(raw) == clean


def test_quotes_shown_once_across_the_map():
    seen: set[str] = set()
    first = unique_quotes(["Hi! Expensive shipping.", "Expensive shipping."], seen)
    again = unique_quotes(["expensive   SHIPPING!", "Slow delivery."], seen)
    assert first == ["Expensive shipping."] and again == ["Slow delivery."]


@pytest.fixture(scope="module")
def journey():
    return load_spec(DEMO)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """Step 2 measured Marc (deal-planner): 400 of 1000 users; his feedback mentions shipping cost (12)
    and delivery delay (5), never the checkout form; all customers: shipping 30, checkout 17, delay 9."""
    run = tmp_path_factory.mktemp("run")
    save_result(run, "meta", {"period_start": "2026-01-01", "period_end": "2026-03-31",
                              "sources": {"data/events.csv": "ab" * 32, "data/feedback.csv": "cd" * 32}})
    save_result(run, "themes", pd.DataFrame({
        "theme": ["shipping_cost", "checkout_usability", "delivery_delay"],
        "label": ["Shipping cost", "Checkout usability", "Delivery delay"],
        "stage": ["purchase", "purchase", "retention"], "mentions": [30, 17, 9],
        "quotes_en": [["Hi! Shipping doubled the price. Thanks, Ann", "Shipping doubled the price."],
                      ["The form kept failing on my phone"], ["Still waiting after 10 days"]],
        "quotes_fr": [["Port trop cher"], ["Formulaire en échec"], ["Toujours pas reçu"]]}))
    save_result(run, "personas", pd.DataFrame({
        "persona": ["Claire, the busy parent", "Marc, the deal-hunting planner"], "users": [600, 400],
        "share_users": [0.6, 0.4], "sessions": [1500, 900], "conversion": [0.02, 0.05],
        "top_themes": ["Shipping cost (18) · Checkout usability (17)", "Shipping cost (12) · Delivery delay (5)"]}))
    save_result(run, "touchpoints", pd.DataFrame({
        "touchpoint": ["landing"], "label": ["Landing page"], "stage": ["awareness"], "channel": ["web"],
        "sessions": [2400]}))
    return run


def _texts(model, lane_id):
    lane = next(lane for lane in model.lanes if lane.id == lane_id)
    return {stage: [c.text for c in cells] for stage, cells in lane.cells.items()}


def test_a_persona_map_counts_the_persona_only(journey, run_dir):
    model = build_map(journey, run_dir, persona="deal-planner")
    pains = _texts(model, "pain_points")
    # Marc's users never mention the phone checkout form: that pain point is not his; the others are
    # counted among his users (12 and 5), not among all customers (30 and 9)
    assert pains["purchase"] == ["Shipping costs discovered at checkout · 12 mentions"]
    assert pains["retention"] == ["Late or unclear delivery · 5 mentions"]
    # and the opportunity that only answers the phone checkout form is not on his map
    opportunities = [c for cells in _texts(model, "opportunities").values() for c in cells]
    assert not any(o.startswith("One-page mobile checkout") for o in opportunities)
    assert any(o.startswith("Show shipping costs") for o in opportunities)
    # his own figures on his card: 400 users, 40 % of all, conversion 5.0 % of 900 sessions (this run
    # saved neither the conversions nor the interval: none is made up)
    assert _texts(model, "persona")["*"][-1] == "400 users (40% of all) · conversion 5.0%, n\u00a0=\u00a0900 sessions"
    # lanes the run cannot split by persona say so
    labels = {lane.id: lane.label for lane in model.lanes}
    assert labels["touchpoints"] == "Touchpoints (all customers)" and labels["kpis"] == "KPIs (all customers)"
    # quotes only of his themes, cleaned, each once
    thoughts = _texts(model, "thoughts")
    assert "“Shipping doubled the price.”" in thoughts["purchase"]
    assert thoughts["purchase"].count("“Shipping doubled the price.”") == 1
    assert not any("form kept failing" in t for t in thoughts["purchase"])


def test_the_whole_journey_map_counts_everyone_and_shows_every_persona(journey, run_dir):
    model = build_map(journey, run_dir)
    pains = _texts(model, "pain_points")
    assert pains["purchase"] == ["Shipping costs discovered at checkout · 30 mentions",
                                 "Checkout form hard to use on a phone · 17 mentions"]
    assert [lane.label for lane in model.lanes if lane.id == "touchpoints"] == ["Touchpoints"]
    assert [o["persona"] for o in model.overlay] == [p.id for p in journey.personas]


def test_a_persona_without_measures_says_all_customers(journey, tmp_path):
    save_result(tmp_path, "themes", pd.DataFrame({
        "theme": ["shipping_cost"], "label": ["Shipping cost"], "stage": ["purchase"], "mentions": [30],
        "quotes_en": [["Shipping doubled the price."]], "quotes_fr": [["Port trop cher"]]}))
    model = build_map(journey, tmp_path, persona="deal-planner")
    cell = next(lane for lane in model.lanes if lane.id == "pain_points").cells["purchase"][0]
    assert cell.text == "Shipping costs discovered at checkout · 30 mentions"
    assert cell.provenance["definition"].endswith(", all customers")


def test_notes_name_each_source_once_and_group_footnotes_by_definition(journey, run_dir):
    model = build_map(journey, run_dir)
    notes = compact_notes(model)
    assert notes["sources"] == ["events · sha256 " + "ab" * 6, "feedback · sha256 " + "cd" * 6]
    groups = {g["definition"]: g["items"] for g in notes["groups"]}
    assert groups["sessions with at least one event of the touchpoint"] == [(1, "n = 2,400")]
    numbers = [fn for g in notes["groups"] for fn, _ in g["items"]]
    assert sorted(numbers) == list(range(1, len(numbers) + 1))


def test_persona_colours_never_mean_hypothesis_measured_or_target():
    assert not {"#c05621", "#2b6cb0", "#2f855a"} & set(PERSONA_COLORS)
    assert len(set(PERSONA_COLORS)) == len(PERSONA_COLORS)


def test_quotes_chosen_per_stage_and_persona_fall_back_to_all_customers(journey, tmp_path):
    k = journey.project.min_group_size
    save_result(tmp_path, "map_quotes", pd.DataFrame({
        "stage": ["purchase", "purchase", "purchase", "retention", "retention"],
        "persona": ["all", "all", "deal-planner", "all", "deal-planner"],
        "quote": ["Shipping doubled the price.", "The form kept failing.", "Coupon refused at checkout.",
                  "Still waiting after ten days.", "Parcel lost, no answer."],
        "language": ["en"] * 5, "themes": [["shipping_cost"], ["checkout_usability"], ["shipping_cost"],
                                           ["delivery_delay"], ["delivery_delay"]],
        "sentiment": [-0.5] * 5, "items": [40, 40, k, 20, k - 1]}))
    everyone = _texts(build_map(journey, tmp_path), "thoughts")
    assert everyone["purchase"][-2:] == ["“Shipping doubled the price.”", "“The form kept failing.”"]
    marc = build_map(journey, tmp_path, persona="deal-planner")
    lane = next(lane for lane in marc.lanes if lane.id == "thoughts")
    purchase, retention = lane.cells["purchase"][-1], lane.cells["retention"][-1]
    # at purchase Marc's users wrote k items: his own quote; at retention k − 1: all customers' quote
    assert purchase.text == "“Coupon refused at checkout.”" and purchase.provenance["n"] == k
    assert "persona's users" in purchase.provenance["definition"]
    assert retention.text == "“Still waiting after ten days.”"
    assert retention.provenance["definition"].endswith(", all customers") and retention.provenance["n"] == 20


def test_touchpoints_say_what_removing_them_costs_the_main_funnel(journey, tmp_path):
    save_result(tmp_path, "touchpoints", pd.DataFrame({
        "touchpoint": ["landing", "search", "cart"], "label": ["Landing page", "Site search", "Cart"],
        "stage": ["awareness", "consideration", "purchase"], "channel": ["web"] * 3, "sessions": [2400, 900, 300]}))
    save_result(tmp_path, "attribution", pd.DataFrame({
        "touchpoint": ["cart", "search", "landing", "referral"], "removal_effect": [1.0, 0.354, 0.0, 0.0],
        "low": [1.0, 0.346, 0.0, 0.0], "high": [1.0, 0.363, 0.0, 0.0], "conversions": [120, 120, 120, 120]}))
    touchpoints = _texts(build_map(journey, tmp_path), "touchpoints")
    assert touchpoints["purchase"][:2] == ["Cart (web) · 300 sessions", "without it: −100% of conversions"]
    assert "without it: −35% of conversions (35%–36%)" in touchpoints["consideration"]
    assert touchpoints["awareness"][:2] == ["Landing page (web) · 2,400 sessions", "before no conversion"]
    # a funnel with fewer conversions than min_group_size hides the figure
    save_result(tmp_path, "attribution", pd.DataFrame({
        "touchpoint": ["cart"], "removal_effect": [0.5], "low": [0.2], "high": [0.8], "conversions": [3]}))
    cart = _texts(build_map(journey, tmp_path), "touchpoints")["purchase"][1]
    assert "50%" not in cart and "hidden" in cart.lower()
