"""Analytics on small inputs, expected values worked out by hand (see conftest.small_project)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers import SMALL_SPEC, write_csv

import cjmlib as cjm
from cjmlib.stats import mean_interval, nps_interval, wilson_interval

STEPS = ["landing_view", "product_view", "add_to_cart", "purchase"]


def _wilson_by_hand(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_wilson_matches_the_formula_and_known_values():
    low, high = wilson_interval([1, 0, 5], [5, 5, 5])
    assert low[0] == pytest.approx(0.0362, abs=1e-4) and high[0] == pytest.approx(0.6245, abs=1e-4)
    assert low[1] == 0 and high[1] == pytest.approx(_wilson_by_hand(0, 5)[1])
    assert high[2] == 1
    assert np.isnan(wilson_interval([0], [0])[0][0])


def test_session_funnel_counts_in_order(small_project):
    project = cjm.load_project(small_project)
    table = cjm.funnel_table(project, STEPS, by="event", unit="session")
    # s1 reaches all four; s2 skips product; s3 saw product only before landing; s4 stops at cart; s5 never lands
    assert table.units.tolist() == [4, 2, 2, 1]
    assert table.denominator.tolist() == [4, 4, 4, 4]
    assert table.rate.tolist() == [1, 0.5, 0.5, 0.25]
    assert table.step_rate.tolist() == [1, 0.5, 1, 0.5]
    assert table.drop_off.tolist() == [0, 2, 0, 1]
    low, high = _wilson_by_hand(1, 4)
    assert table.ci_low.iloc[3] == pytest.approx(low) and table.ci_high.iloc[3] == pytest.approx(high)


def test_user_funnel_and_window(small_project):
    project = cjm.load_project(small_project)
    users = cjm.funnel_table(project, STEPS, by="event", unit="user")
    assert users.units.tolist() == [3, 2, 2, 1]
    # a 2-minute window from landing: u3's cart at +3 min no longer counts; u1's at +2 min does
    windowed = cjm.funnel_table(project, STEPS, by="event", unit="user", window_days=2 / 1440)
    assert windowed.units.tolist() == [3, 2, 1, 0]


def test_stage_funnel_uses_spec_order_and_labels(small_project):
    project = cjm.load_project(small_project)
    table = cjm.stage_funnel(project, unit="user")
    assert table.stage.tolist() == ["awareness", "consideration", "purchase"]
    assert table.label.tolist() == ["Awareness", "Consideration", "Purchase"]
    # u1: landing→product→cart; u2: landing, then cart (purchase stage) but product only before landing;
    # u3: landing→product→cart
    assert table.units.tolist() == [3, 2, 2]


def test_web_metrics_by_hand(small_project):
    project = cjm.load_project(small_project)
    web = cjm.web_metrics(project).set_index("metric")
    assert (web.loc["session_conversion", "numerator"], web.loc["session_conversion", "denominator"]) == (1, 5)
    # carts in s1, s2, s3, s4; only s1 bought
    assert (web.loc["cart_abandonment", "numerator"], web.loc["cart_abandonment", "denominator"]) == (3, 4)
    assert web.loc["cart_abandonment", "value"] == pytest.approx(0.75)
    assert web.loc["bounce_rate", "value"] == pytest.approx(1 / 5)  # s5 has a single event
    assert web.loc["user_conversion", "value"] == pytest.approx(1 / 3)
    assert web.loc["pages_per_session", "value"] == pytest.approx(14 / 5)
    # durations 3, 1, 6, 3, 0 minutes → median 3
    assert web.loc["median_session_minutes", "value"] == pytest.approx(3)
    assert web.loc["checkout_abandonment", "denominator"] == 0 and math.isnan(web.loc["checkout_abandonment", "value"])


def test_touchpoints_and_personas_by_hand(small_project):
    project = cjm.load_project(small_project)
    tp = cjm.touchpoint_volume(project).set_index("touchpoint")
    assert tp.loc["product", "events"] == 5 and tp.loc["product", "sessions"] == 4 and tp.loc["product", "users"] == 3
    assert tp.loc["checkout", "events"] == 0 and not tp.loc["checkout", "has_data"]
    personas = cjm.persona_evidence(project)
    row = personas.iloc[0]
    assert (row.users, row.sessions, row.conversions, row.revenue) == (1, 2, 1, 40)
    assert row.share_users == pytest.approx(1 / 3) and row.share_revenue == pytest.approx(1)


def test_sessions_are_built_by_inactivity_when_the_data_has_none(tmp_path):
    (tmp_path / "journey.yml").write_text(SMALL_SPEC, encoding="utf-8")
    write_csv(tmp_path / "data" / "events.csv", "user_id,ts,event", [
        "a,2026-01-05 10:00:00,landing_view", "a,2026-01-05 10:20:00,product_view",
        "a,2026-01-05 10:51:00,landing_view", "b,2026-01-05 10:00:00,landing_view",
    ])
    project = cjm.load_project(tmp_path)
    sessions = project.sql("SELECT user_id, count(DISTINCT session_id) n FROM events GROUP BY 1 ORDER BY 1")
    assert sessions.n.tolist() == [2, 1]  # 31 minutes of silence split a's visit


def test_nps_by_hand(small_project):
    write_csv(small_project / "data" / "surveys.csv", "id,ts,user_id,kind,score,comment,stage", [
        *(f"{i},2026-01-05,u1,nps,{s},,purchase" for i, s in enumerate([10, 9, 8, 7, 6, 0, 10, 3])),
        *(f"{10 + i},2026-01-05,u2,nps,{s},,awareness" for i, s in enumerate([9, 9, 9, 5])),
        "20,2026-01-05,u3,csat,4,,purchase", "21,2026-01-05,u3,csat,2,,purchase",
    ])
    spec = (small_project / "journey.yml").read_text() + "  surveys: {path: data/surveys.csv}\n"
    (small_project / "journey.yml").write_text(spec)
    project = cjm.load_project(small_project)
    nps = cjm.nps_table(project).set_index("stage")
    assert nps.loc["purchase", ["responses", "promoters", "detractors"]].tolist() == [8, 3, 3]
    assert nps.loc["purchase", "nps"] == 0
    assert nps.loc["awareness", "nps"] == 50
    # se = sqrt((p + d - (p - d)^2) / n) with p = .75, d = .25, n = 4
    se = math.sqrt((0.75 + 0.25 - 0.25) / 4)
    assert nps.loc["awareness", "ci_low"] == pytest.approx(100 * (0.5 - 1.959963984540054 * se))
    assert nps.loc["awareness", "ci_high"] == 100  # clipped at the scale's end
    assert nps.loc["consideration", "responses"] == 0 and math.isnan(nps.loc["consideration", "nps"])
    csat = cjm.csat_table(project).set_index("stage")
    assert csat.loc["purchase", "mean"] == 3 and csat.loc["purchase", "top2_rate"] == 0.5
    low, high = nps_interval([3], [3], [8])
    assert low[0] == pytest.approx(-high[0])


def test_theme_coding_accents_case_and_inflections(small_project):
    from cjmlib.voice.themes import code_themes

    codebook = cjm.load_project(small_project).spec.codebook
    texts = pd.Series([
        "The SHIPPING COSTS are way too high",      # en, plural
        "Les frais de port sont élevés",            # fr
        "FRAIS DE PORT exorbitants",                 # fr, upper case
        "livraison chere, vraiment",                 # fr without the accent
        "Livraison chère et en retard",              # two themes
        "O frete caro demais",                       # pt
        "Lovely lamp, fast delivery",                # none
        None,
    ])
    coded = code_themes(texts, codebook)
    assert coded.shipping_cost.tolist() == [True, True, True, True, True, True, False, False]
    assert coded.delay.tolist() == [False, False, False, False, True, False, False, False]


def test_redaction_of_personal_data():
    from cjmlib.voice.text import redact

    text = ("Write to jane.doe@example.com or call +33 6 12 34 56 78 about order #1234567, card 4111 1111 1111 1111, "
            "ref 98765 43210 12")
    out = redact(text)
    assert out == "Write to [email] or call [phone] about [order], card [card], ref [number]"


def test_emotion_curve_and_mean_interval(small_project):
    mean, _low, high, n = mean_interval([1, 2, 3])
    assert (mean, n) == (2, 3)
    assert high - mean == pytest.approx(4.302652729911275 * 1 / math.sqrt(3))  # t(0.975, 2) × s / √n
    write_csv(small_project / "data" / "surveys.csv", "id,ts,user_id,kind,score,comment,stage", [
        "1,2026-01-05,u1,nps,10,,purchase", "2,2026-01-05,u1,nps,0,,purchase", "3,2026-01-05,u1,csat,5,,purchase",
    ])
    spec = (small_project / "journey.yml").read_text() + "  surveys: {path: data/surveys.csv}\n"
    (small_project / "journey.yml").write_text(spec)
    curve = cjm.emotion_curve(cjm.load_project(small_project)).set_index("stage")
    # nps 10 → +2, nps 0 → −2, csat 5 → +2: mean 2/3 over 3 answers
    assert curve.loc["purchase", "measured"] == pytest.approx(2 / 3) and curve.loc["purchase", "n"] == 3
    assert curve.loc["purchase", "hypothesis"] == -1
    assert curve.loc["awareness", "n"] == 0


def test_opportunity_rice_and_priority(spec_text):
    from cjmlib.spec.io import parse_spec

    journey, _ = parse_spec(spec_text)
    themes = pd.DataFrame({"theme": ["shipping_cost", "delivery_delay"], "mentions": [40, 7]})
    table = cjm.opportunity_table(journey, themes=themes).set_index("opportunity")
    assert table.loc["show-shipping-early", "rice"] == pytest.approx(8000 * 2 * 0.8 / 2)
    assert table.loc["one-page-mobile-checkout", "rice"] == pytest.approx(5000 * 2 * 0.6 / 5)
    assert table.loc["proactive-delivery-updates", "rice"] == pytest.approx(1500 * 1 * 0.5 / 3)
    assert table.priority.tolist() == ["now", "next", "later"]
    assert table.loc["show-shipping-early", "evidence"] == 40
    assert table.loc["proactive-delivery-updates", "evidence"] == 7
