"""Feedback placed on the journey: its own columns first, then its themes, then its text."""

from __future__ import annotations

import pandas as pd

from cjmlib.spec.model import Journey
from cjmlib.voice.placement import place_feedback, placement_table

SPEC = Journey.model_validate({
    "project": {"name": "Shop"},
    "stages": [{"id": "consideration"}, {"id": "purchase"}, {"id": "retention"}],
    "touchpoints": [
        {"id": "product", "name": "Product page", "stage": "consideration", "match": {"page": ["/p/*"]}},
        {"id": "checkout", "name": "Checkout", "stage": "purchase", "match": {"page": ["/checkout*"]}},
        {"id": "support", "name": "Service client", "stage": "retention"},
        {"id": "app", "name": "App", "stage": "retention"},  # too short a name to look for in a text
    ],
    "codebook": {"themes": [
        {"id": "delay", "stage": "retention", "touchpoint": "support"},
        {"id": "price", "stage": "purchase"},
    ]},
})


def test_placed_by_column_page_theme_text_in_that_order():
    fb = pd.DataFrame({
        "text": ["the checkout failed", "late", "Le SERVICE CLIENT ne répond pas", "my app crashed", "nice",
                 "prices on the product page are high"],
        "touchpoint": ["Product Page", None, None, None, "nowhere", None],
        "page": [None, "/checkout/pay", None, None, None, None],
        "themes": [["price"], ["delay"], [], [], [], ["price"]],
        "stage": ["purchase", "retention", None, None, None, "purchase"],
    })
    out = place_feedback(fb, SPEC)
    # 0: its own column names "Product page" (whatever the case): consideration, not its theme's purchase
    # 1: its page matches /checkout*: checkout, purchase (its own column beats the theme's retention)
    # 2: no column, no theme touchpoint, its text names "Service client" (accents and case folded)
    # 3: "app" is shorter than four letters: never looked for; 4: "nowhere" is no touchpoint
    # 5: text names "Product page" but the stage stays its theme's (purchase)
    assert out.touchpoint.tolist() == ["product", "checkout", "support", None, None, "product"]
    assert out.touchpoint_by.tolist() == ["column", "page", "text", None, None, "text"]
    assert out.stage.tolist() == ["consideration", "purchase", "retention", None, None, "purchase"]


def test_a_theme_names_the_touchpoint_when_no_column_does():
    fb = pd.DataFrame({"text": ["parcel late again"], "themes": [["delay"]], "stage": ["retention"]})
    out = place_feedback(fb, SPEC)
    assert out.touchpoint.tolist() == ["support"] and out.touchpoint_by.tolist() == ["theme"]


def test_placement_table_counts_each_way_and_the_unplaced():
    fb = pd.DataFrame({"touchpoint_by": ["column", "text", None, None, "theme"],
                       "stage": ["purchase", None, "retention", None, "retention"]})
    table = placement_table(fb).set_index("placed_by")
    assert table["items"].tolist()[:5] == [1, 0, 1, 1, 2]
    assert table.loc["unplaced", "share"] == 2 / 5 and table.loc["unplaced", "with_stage"] == 1
    # placed nowhere: the 4th item only (no touchpoint, no stage); the 2nd has a touchpoint but no stage
    assert table.loc["unassigned", ["items", "share", "with_stage"]].tolist() == [1, 1 / 5, 0]
    assert (table.feedback_items == 5).all()
    assert placement_table(fb.iloc[:0])["items"].sum() == 0
