"""KPI baselines, opportunity scores (RICE, ICE, value ÷ effort), sizing from the funnel, roadmap, what-if."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers import SMALL_SPEC

import cjmlib as cjm
from cjmlib.errors import SpecError
from cjmlib.plan.sizing import MONTH_DAYS, size_step, what_if_table
from cjmlib.spec.io import parse_spec

Z = 1.959963984540054

# a purchase funnel worked out by hand: 1000 sessions land, 200 reach the cart, 100 the checkout, 50 order
FUNNEL = pd.DataFrame({"key": ["landing", "cart", "checkout", "order"], "label": ["Landing", "Cart", "Checkout", "Order"],
                       "units": [1000, 200, 100, 50], "previous": [1000, 1000, 200, 100]})

SCORED_SPEC = """\
project: {name: Scores, scoring: ice}
stages: [{id: purchase}]
touchpoints:
  - {id: cart, stage: purchase, match: {event: add_to_cart}}
opportunities:
  - {id: a, name: A, stage: purchase, reach: 1000, impact: 2, confidence: 0.5, effort: 4, ease: 3, value: 800}
  - {id: b, name: B, stage: purchase, reach: 300, impact: 3, confidence: 1.0, effort: 1, ease: 2, value: 100}
  - {id: c, name: C, stage: purchase, reach: 10, impact: 1, confidence: 0.8, effort: 2, ease: 9}
"""


def test_rice_ice_and_value_effort_by_hand():
    journey, _ = parse_spec(SCORED_SPEC)
    table = cjm.opportunity_table(journey).set_index("opportunity").loc[["a", "b", "c"]]
    # RICE = reach × impact × confidence ÷ effort
    assert table.rice.tolist() == pytest.approx([1000 * 2 * 0.5 / 4, 300 * 3 * 1.0 / 1, 10 * 1 * 0.8 / 2])
    # ICE = impact × confidence × ease: A 3.0, B 6.0, C 7.2 → C, B, A under the spec's `scoring: ice`
    assert table.ice.tolist() == pytest.approx([3.0, 6.0, 7.2])
    assert table.value_effort.tolist()[:2] == pytest.approx([200.0, 100.0]) and math.isnan(table.loc["c", "value_effort"])
    assert (table.scoring == "ice").all() and table.score.tolist() == table.ice.tolist()
    assert table.sort_values("rank").index.tolist() == ["c", "b", "a"]
    assert table.sort_values("rank").priority.tolist() == ["now", "next", "later"]
    rice = cjm.opportunity_table(journey, scoring="rice")
    assert rice.opportunity.tolist() == ["b", "a", "c"]  # 900, 250, 4
    value = cjm.opportunity_table(journey, scoring="value_effort")
    assert value.opportunity.tolist() == ["a", "b", "c"]  # 200, 100, unscored last
    with pytest.raises(ValueError, match="scoring must be one of"):
        cjm.opportunity_table(journey, scoring="moscow")


def test_value_comes_from_sizing_when_the_spec_has_none():
    journey, _ = parse_spec(SCORED_SPEC)
    sizing = pd.DataFrame({"opportunity": ["c"], "revenue_per_month": [500.0]})
    table = cjm.opportunity_table(journey, sizing=sizing, scoring="value_effort").set_index("opportunity")
    assert table.loc["c", "value"] == 500 and table.loc["c", "value_effort"] == pytest.approx(250)
    assert table.loc["a", "value"] == 800  # the spec's value wins


def test_reach_is_measured_from_the_data(small_project):
    text = SMALL_SPEC + ("opportunities:\n  - {id: o, name: O, stage: purchase, touchpoints: [cart], reach: 5,"
                         " impact: 1, confidence: 1, effort: 1}\n")
    (small_project / "journey.yml").write_text(text, encoding="utf-8")
    project = cjm.load_project(small_project)
    row = cjm.opportunity_table(project.spec, project=project).iloc[0]
    # u1, u2 and u3 add to cart; the data covers one day (2026-01-05): 3 users × 30.4375 days per month
    assert row.reach_source == "data" and row.reach == pytest.approx(3 * MONTH_DAYS)
    assert row.rice == pytest.approx(3 * MONTH_DAYS)
    assert cjm.opportunity_table(project.spec).iloc[0].reach == 5  # without the project: the spec's reach


def test_size_step_by_hand():
    sized = size_step(FUNNEL, "checkout", 0.6, days=MONTH_DAYS, value=80.0, value_se=5.0)
    # p = 100/200, q = 50/100: Δ = 200 × (0.6 − 0.5) × 0.5 = 10 conversions over one month
    assert (sized["rate_now"], sized["downstream"]) == (0.5, 0.5)
    assert sized["delta_per_month"] == pytest.approx(10.0)
    var = 200**2 * (0.5**2 * 0.5 * 0.5 / 200 + 0.1**2 * 0.5 * 0.5 / 100)  # = 13.5
    assert sized["delta_low"] == pytest.approx(10 - Z * math.sqrt(var))
    assert sized["delta_high"] == pytest.approx(10 + Z * math.sqrt(var))
    assert sized["revenue_per_month"] == pytest.approx(800.0)
    revenue_se = math.sqrt(80**2 * var + 10**2 * 5**2)
    assert sized["revenue_high"] == pytest.approx(800 + Z * revenue_se)
    # over 60.875 days the same change is worth half as much per month
    assert size_step(FUNNEL, "checkout", 0.6, days=2 * MONTH_DAYS)["delta_per_month"] == pytest.approx(5.0)
    with pytest.raises(ValueError, match="first step"):
        size_step(FUNNEL, "landing", 0.5, days=30)
    with pytest.raises(ValueError, match="not a step of the funnel"):
        size_step(FUNNEL, "basket", 0.5, days=30)


def test_the_sizing_interval_matches_the_spread_of_simulated_data():
    rng = np.random.default_rng(3)
    prev, p, q, target = 200, 0.5, 0.5, 0.6
    units = rng.binomial(prev, p, 20000)
    last = rng.binomial(units, q)
    delta = prev * (target - units / prev) * (last / units)
    se = (size_step(FUNNEL, "checkout", target, days=MONTH_DAYS)["delta_high"] - 10.0) / Z
    assert delta.std() == pytest.approx(se, rel=0.05)


def test_what_if_table_by_hand():
    table = what_if_table(FUNNEL, {"checkout": 0.6}, days=MONTH_DAYS, value=80.0).set_index("measure")
    # end conversion 1 × 0.2 × 0.6 × 0.5 = 0.06 instead of 0.05
    assert table.loc["end_conversion", "now"] == pytest.approx(0.05)
    assert table.loc["end_conversion", "what_if"] == pytest.approx(0.06)
    assert table.loc["conversions_per_month", "change"] == pytest.approx(10.0)
    assert table.loc["revenue_per_month", "what_if"] == pytest.approx(60 * 80.0)
    assert table.loc["rate:cart", "change"] == 0


def test_what_if_intervals_by_hand():
    table = what_if_table(FUNNEL, {"checkout": 0.6}, days=MONTH_DAYS, value=80.0, value_se=5.0).set_index("measure")
    # step rates cart 0.2 of 1000, checkout 0.5 of 200 (set to 0.6: a constant), order 0.5 of 100
    var_cart, var_checkout, var_order = 0.2 * 0.8 / 1000, 0.5 * 0.5 / 200, 0.5 * 0.5 / 100
    # what if = p_cart × 0.6 × p_order: ∂/∂p_cart = 0.6 × 0.5, ∂/∂p_order = 0.2 × 0.6
    se_new = math.sqrt((0.6 * 0.5) ** 2 * var_cart + (0.2 * 0.6) ** 2 * var_order)
    end = table.loc["end_conversion"]
    assert (end.what_if_ci_low, end.what_if_ci_high) == pytest.approx((0.06 - Z * se_new, 0.06 + Z * se_new))
    # now = p_cart × p_checkout × p_order: the binomial variance of 50 in 1000
    se_now = math.sqrt(0.05 * 0.95 / 1000)
    assert (end.now_ci_low, end.now_ci_high) == pytest.approx((0.05 - Z * se_now, 0.05 + Z * se_now))
    # change = what if − now: ∂/∂p_cart = 0.3 − 0.25, ∂/∂p_checkout = −0.2 × 0.5, ∂/∂p_order = 0.12 − 0.1
    se_change = math.sqrt(0.05**2 * var_cart + 0.1**2 * var_checkout + 0.02**2 * var_order)
    assert (end.change_ci_low, end.change_ci_high) == pytest.approx((0.01 - Z * se_change, 0.01 + Z * se_change))
    conversions = table.loc["conversions_per_month"]  # 1000 entries a month (the data covers one month)
    assert conversions.what_if_ci_high == pytest.approx(60 + Z * 1000 * se_new)
    revenue = table.loc["revenue_per_month"]  # Var(conversions × value) = value² Var + conversions² se(value)²
    se_revenue = math.sqrt((80 * 1000 * se_new) ** 2 + 60**2 * 5.0**2)
    assert (revenue.what_if_ci_low, revenue.what_if_ci_high) == pytest.approx((4800 - Z * se_revenue,
                                                                              4800 + Z * se_revenue))
    # a rate kept has its binomial interval; a rate set to its target has none, its change has one
    assert table.loc["rate:order", "what_if_ci_low"] == pytest.approx(0.5 - Z * math.sqrt(var_order))
    assert math.isnan(table.loc["rate:checkout", "what_if_ci_low"])
    assert table.loc["rate:checkout", "change_ci_high"] == pytest.approx(0.1 + Z * math.sqrt(var_checkout))
    assert math.isnan(table.loc["rate:cart", "change_ci_low"])


def test_what_if_panel_sliders_update_the_table():
    seen = []
    panel = cjm.what_if_panel(FUNNEL, days=MONTH_DAYS, value=80.0, on_change=seen.append)
    slider = next(w for w in panel.children if getattr(w, "description", "") == "checkout")
    assert seen == []  # drawing the panel saves nothing: a batch run keeps the notebook's table
    slider.value = 0.6
    assert seen[-1].set_index("measure").loc["end_conversion", "what_if"] == pytest.approx(0.06)


def test_what_if_panel_starts_at_the_targets():
    panel = cjm.what_if_panel(FUNNEL, days=MONTH_DAYS, targets={"checkout": 0.6})
    start = {w.description: w.value for w in panel.children if hasattr(w, "description") and w.description}
    assert start["checkout"] == pytest.approx(0.6)
    assert start["cart"] == pytest.approx(0.2)  # no target: today's rate


def test_roadmap_and_kpi_before_after():
    journey, _ = parse_spec(SCORED_SPEC)
    roadmap = cjm.roadmap_table(cjm.opportunity_table(journey), language="fr")
    assert list(roadmap.columns) == ["rank", "Maintenant", "Ensuite", "Plus tard"]
    assert roadmap.iloc[0].tolist() == [1, "C (7,2)", "B (6,0)", "A (3,0)"]  # French decimal commas
    kpis = pd.DataFrame({"name": ["Conversion", "NPS"], "metric": ["session_conversion", "nps"], "unit": ["share", "score"],
                         "direction": ["increase", "increase"], "baseline": [0.02, -5.0], "denominator": [1000, 80],
                         "target": [0.04, 10.0], "on_track": [False, False]})
    what_if = what_if_table(FUNNEL, {"checkout": 0.6}, days=MONTH_DAYS)
    table = cjm.kpi_before_after(kpis, what_if=what_if).set_index("name")
    assert table.loc["Conversion", "change"] == pytest.approx(0.02)
    assert table.loc["Conversion", "relative_change"] == pytest.approx(1.0)  # 2 % → 4 % doubles it
    assert table.loc["Conversion", "what_if"] == pytest.approx(0.06)
    assert table.loc["NPS", "change"] == 15 and math.isnan(table.loc["NPS", "relative_change"])


def test_kpi_baselines_equal_the_behaviour_and_voice_results(demo_project):
    project = cjm.load_project(demo_project)
    kpis = cjm.kpi_table(project).set_index("metric")
    web = cjm.web_metrics(project).set_index("metric")
    first, last = project.sql("SELECT min(ts)::DATE::VARCHAR a, max(ts)::DATE::VARCHAR b FROM events").iloc[0]
    assert (kpis.period_start == first).all() and (kpis.period_end == last).all()  # what tells runs apart
    for metric in ("session_conversion", "cart_abandonment"):
        assert kpis.loc[metric, "baseline"] == web.loc[metric, "value"]
        assert kpis.loc[metric, "denominator"] == web.loc[metric, "denominator"]
    assert kpis.loc["repeat_purchase_rate", "baseline"] == cjm.repeat_purchase_rate(project).rate.iloc[0]
    nps = cjm.nps_table(project, by="stage")
    promoters, detractors, answers = nps.promoters.sum(), nps.detractors.sum(), nps.responses.sum()
    assert answers == project.sql("SELECT count(*) n FROM surveys WHERE kind = 'nps'").n.iloc[0]
    assert kpis.loc["nps", "baseline"] == pytest.approx(100 * (promoters - detractors) / answers)
    assert kpis.loc["nps", "denominator"] == answers
    assert kpis.loc["session_conversion", "gap"] == pytest.approx(0.04 - web.loc["session_conversion", "value"])


def test_sizing_table_on_the_demo(demo_project):
    project = cjm.load_project(demo_project)
    funnel = cjm.funnel_table(project, ["landing", "product-page", "cart", "checkout", "order-confirmation"],
                              by="touchpoint", unit="session")
    table = cjm.sizing_table(project, funnel).set_index("opportunity")
    assert list(table.index) == ["show-shipping-early", "one-page-mobile-checkout"]  # the two with a step
    declared = cjm.sizing_table(project).set_index("opportunity")  # each on the funnel it names: the same here
    assert declared.funnel.tolist() == ["purchase", "purchase"]
    same = [c for c in table.columns if c not in ("funnel", "label")]  # the declared funnel's labels are names
    pd.testing.assert_frame_equal(declared[same], table[same])
    row = table.loc["show-shipping-early"]
    checkout = funnel.set_index("key").loc["checkout"]
    assert row.rate_now == pytest.approx(checkout.units / checkout.previous) and row.rate_target == 0.68
    days = (pd.Timestamp(project.period[1]) - pd.Timestamp(project.period[0])).days + 1
    expected = checkout.previous * (0.68 - row.rate_now) * funnel.units.iloc[-1] / checkout.units * MONTH_DAYS / days
    assert row.delta_per_month == pytest.approx(expected) and row.delta_low < expected < row.delta_high
    value = cjm.revenue_per_conversion(project)
    buyers = project.sql("SELECT sum(revenue) r, count(DISTINCT session_id) n FROM events WHERE event = 'purchase'")
    assert value["value"] == pytest.approx(buyers.r.iloc[0] / buyers.n.iloc[0]) and value["n"] == buyers.n.iloc[0]


def test_a_sizing_step_outside_the_funnel_names_the_opportunity(demo_project, tmp_path):
    project = cjm.load_project(demo_project)
    funnel = cjm.funnel_table(project, ["landing", "cart", "order-confirmation"], by="touchpoint", unit="session")
    with pytest.raises(SpecError) as err:
        cjm.sizing_table(project, funnel)
    assert "opportunities[0].step" in str(err.value) and "'checkout'" in str(err.value)
    assert "Use one of: cart, order-confirmation" in str(err.value)


def test_a_funnel_step_without_a_target_rate_is_reported(small_project):
    text = SMALL_SPEC + ("funnels:\n  - {id: f, by: touchpoint, steps: [landing, cart], unit: session}\n"
                         "opportunities:\n  - {id: o, name: O, stage: purchase, funnel: f, step: cart}\n")
    (small_project / "journey.yml").write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match=r"opportunities\[0\].target_rate.*no target_rate"):
        cjm.load_project(small_project)


def test_sizing_and_test_plans_read_the_opportunitys_declared_funnel(small_project):
    text = SMALL_SPEC + ("funnels:\n  - {id: visits, by: event, steps: [landing_view, product_view], unit: session}\n"
                         "  - {id: people, by: event, steps: [landing_view, product_view], unit: user}\n"
                         "opportunities:\n"
                         "  - {id: s, name: S, stage: purchase, funnel: visits, step: product_view, target_rate: 0.9}\n"
                         "  - {id: u, name: U, stage: purchase, funnel: people, step: product_view, target_rate: 0.9}\n")
    (small_project / "journey.yml").write_text(text, encoding="utf-8")
    project = cjm.load_project(small_project)
    table = cjm.sizing_table(project).set_index("opportunity")
    # sessions with a landing: s1, s2, s3, s4; a product view at or after it: s1, s4 (s3 viewed before landing)
    # users: u1, u2, u3 land; u1 and u3 view a product after landing
    assert table.funnel.to_dict() == {"s": "visits", "u": "people"}
    assert (table.previous.to_dict(), table.units.to_dict()) == ({"s": 4, "u": 3}, {"s": 2, "u": 2})
    assert table.loc["s", "rate_now"] == pytest.approx(0.5)
    assert cjm.sizing_targets(project.spec, "visits") == {"product_view": 0.9}
    tests = cjm.opportunity_tests(table.loc[["s"]].reset_index())
    assert tests.funnel.tolist() == ["visits"] and tests.step.tolist() == ["product_view"]
