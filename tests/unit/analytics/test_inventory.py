"""The touchpoint inventory: stage × channel matrix, volume and conversion, coverage per persona, blind spots."""

from __future__ import annotations

import math

import pytest
from helpers import SMALL_SPEC, write_csv

import cjmlib as cjm
from cjmlib.spec.io import parse_spec


def test_volume_and_conversion_by_hand(small_project):
    table = cjm.touchpoint_volume(cjm.load_project(small_project)).set_index("touchpoint")
    # only s1 buys; the product page is seen in s1, s3, s4 and s5; the cart in s1, s2, s3 and s4
    assert (table.loc["product", "sessions"], table.loc["product", "converted"]) == (4, 1)
    assert table.loc["product", "conversion"] == pytest.approx(0.25)
    assert table.loc["cart", "conversion"] == pytest.approx(0.25) and table.loc["order", "conversion"] == 1
    assert table.loc["landing", "share_sessions"] == pytest.approx(4 / 5)
    assert table.loc["product", "ci_low"] < 0.25 < table.loc["product", "ci_high"]
    assert not table.loc["checkout", "has_data"] and math.isnan(table.loc["checkout", "conversion"])


def test_unmatched_events_are_flagged(tmp_path):
    (tmp_path / "journey.yml").write_text(SMALL_SPEC, encoding="utf-8")
    write_csv(tmp_path / "data" / "events.csv", "user_id,session_id,ts,event,page", [
        "a,s1,2026-01-05T10:00:00Z,landing_view,/", "a,s1,2026-01-05T10:01:00Z,chat_open,/help",
        "a,s1,2026-01-05T10:02:00Z,chat_open,/help", "b,s2,2026-01-05T11:00:00Z,chat_open,/faq",
        "b,s2,2026-01-05T11:01:00Z,store_locator,/stores",
    ])
    table = cjm.unmatched_events(cjm.load_project(tmp_path))
    assert table.event.tolist() == ["chat_open", "store_locator"]
    row = table.iloc[0]
    assert (row.events, row.all_events, row.sessions, row.example_page) == (3, 5, 2, "/help")
    assert row.share == pytest.approx(3 / 5)


def test_coverage_per_persona_by_hand(small_project):
    table = cjm.persona_coverage(cjm.load_project(small_project)).set_index("touchpoint")
    # the mobile persona is u1 alone: landing, product, cart and order, never checkout
    assert (table.persona_users == 1).all()
    assert table.share.to_dict() == {"landing": 1, "product": 1, "cart": 1, "checkout": 0, "order": 1}
    assert not table.in_lanes.any()  # the spec's only lane (purchase) lists no action


def test_stage_channel_matrix(spec_text):
    journey, _ = parse_spec(spec_text)
    matrix = cjm.touchpoint_matrix(journey).set_index("channel")
    assert list(matrix.columns) == ["Awareness", "Consideration", "Purchase", "Retention", "Advocacy"]
    assert matrix.loc["web", "Purchase"] == "Cart, Checkout, Order confirmation"
    assert matrix.loc["email", "Retention"] == "Newsletter" and matrix.loc["email", "Awareness"] == ""


def test_demo_touchpoints_add_up(demo_project):
    project = cjm.load_project(demo_project)
    table = cjm.touchpoint_volume(project).set_index("touchpoint")
    web = cjm.web_metrics(project).set_index("metric")
    assert table.events.sum() + cjm.unmatched_events(project).events.sum() == len(project.sql("SELECT 1 FROM events"))
    # every purchase session passes the order confirmation: its sessions are the converting sessions
    assert table.loc["order-confirmation", "sessions"] == web.loc["session_conversion", "numerator"]
    assert table.loc["landing", "conversion"] == pytest.approx(web.loc["session_conversion", "value"])
    assert cjm.persona_coverage(project).in_lanes.all()  # the demo's lanes list actions at every stage
