"""The `funnels:` and `breakdowns:` sections of journey.yml and the opportunities' `funnel:` / `step:`."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cjmlib.errors import SpecError
from cjmlib.spec import Funnel, duration_days, parse_spec

BASE = """\
project: {name: Shop}
stages: [{id: browse}, {id: buy}]
touchpoints:
  - {id: product, stage: browse}
  - {id: cart, stage: buy}
"""


def issues(text):
    with pytest.raises(SpecError) as err:
        parse_spec(BASE + text)
    return err.value.issues


def test_funnels_and_breakdowns_are_read():
    journey, _ = parse_spec(BASE + """\
funnels:
  - id: checkout
    name: Checkout funnel
    by: event
    steps: [product_view, add_to_cart, purchase]
    unit: session
    window: 1d
    order: strict
  - {id: stages, by: stage, steps: [browse, buy]}
breakdowns: [platform, acquisition_channel]
opportunities:
  - {id: o, name: O, stage: buy, funnel: checkout, step: purchase, target_rate: 0.5}
""")
    checkout = journey.funnel("checkout")
    assert checkout.steps == ("product_view", "add_to_cart", "purchase") and checkout.unit == "session"
    assert checkout.window_days == 1 and checkout.order == "strict" and checkout.label == "Checkout funnel"
    assert journey.funnel("stages").unit == "user" and journey.funnel("stages").by == "stage"
    assert journey.breakdowns == ("platform", "acquisition_channel")
    assert journey.opportunities[0].funnel == "checkout" and journey.opportunities[0].step == "purchase"
    with pytest.raises(ValidationError):  # frozen, like every model of the spec
        checkout.unit = "user"


@pytest.mark.parametrize("text, days", [("30m", 30 / 1440), ("2h", 2 / 24), ("7d", 7), ("2w", 14), ("45s", 45 / 86400),
                                        (3, 3), ("1.5d", 1.5)])
def test_durations(text, days):
    assert duration_days(text) == pytest.approx(days)


@pytest.mark.parametrize("text", ["0d", "-1h", "abc", "nan", "inf", "7 days"])
def test_bad_durations(text):
    with pytest.raises(ValueError, match="not a duration"):
        duration_days(text)
    with pytest.raises(ValidationError):
        Funnel(id="f", steps=("a",), window=text)


def test_the_old_funnel_step_key_says_how_to_rename_it():
    found = issues("opportunities:\n  - {id: o, name: O, stage: buy, funnel_step: cart, target_rate: 0.5}\n")
    assert [i.code for i in found] == ["renamed_key"]
    assert found[0].line == 7 and "`funnel:" in found[0].fix and "`step:" in found[0].fix


def test_touchpoint_and_stage_steps_are_checked():
    found = issues("funnels:\n  - {id: f, by: touchpoint, steps: [product, carts]}\n"
                   "  - {id: g, by: stage, steps: [browse, bye]}\n")
    assert [i.code for i in found] == ["unknown_reference", "unknown_reference"]
    assert found[0].key == "funnels[0].steps[1]" and "Did you mean 'cart'" in found[0].fix
    assert found[1].key == "funnels[1].steps[1]" and "Did you mean 'buy'" in found[1].fix
    assert found[0].line == 7 and found[1].line == 8


def test_opportunity_funnel_and_step_are_checked():
    funnels = "funnels:\n  - {id: f, by: touchpoint, steps: [product, cart]}\n  - {id: g, by: stage, steps: [browse, buy]}\n"
    found = issues(funnels + "opportunities:\n"
                   "  - {id: a, name: A, stage: buy, funnel: ff, step: cart, target_rate: 0.5}\n"
                   "  - {id: b, name: B, stage: buy, funnel: f, step: carts, target_rate: 0.5}\n"
                   "  - {id: c, name: C, stage: buy, funnel: f, step: product, target_rate: 0.5}\n"
                   "  - {id: d, name: D, stage: buy, step: cart, target_rate: 0.5}\n"
                   "  - {id: e, name: E, stage: buy, funnel: f, step: cart}\n")
    by_key = {i.key: i for i in found}
    assert by_key["opportunities[0].funnel"].code == "unknown_reference"
    assert "Did you mean 'f'" in by_key["opportunities[0].funnel"].fix
    assert by_key["opportunities[1].step"].code == "unknown_step" and "Did you mean 'cart'" in by_key[
        "opportunities[1].step"].fix
    assert "first step" in by_key["opportunities[2].step"].problem
    assert by_key["opportunities[3].funnel"].code == "missing_key"  # two funnels: which one?
    assert by_key["opportunities[4].target_rate"].code == "missing_key"
    assert len(found) == 5


def test_without_funnels_the_default_funnel_is_journey():
    journey, _ = parse_spec(BASE + "opportunities:\n  - {id: o, name: O, stage: buy, step: buy, target_rate: 0.5}\n")
    assert journey.opportunities[0].funnel == ""
    found = issues("opportunities:\n  - {id: o, name: O, stage: buy, funnel: checkout, step: buy, target_rate: 0.5}\n")
    assert found[0].code == "unknown_reference" and "`journey`" in found[0].fix


def test_inconsistent_options_are_reported_with_their_line():
    found = issues("funnels:\n  - {id: f, steps: [a, b], step_windows: [1h]}\n"
                   "  - {id: g, steps: [a, b], counting: totals, emulate: posthog}\n"
                   "  - {id: h, steps: [a, b], window: soon}\n  - {id: f, steps: [a]}\n")
    assert len(found) == 4
    text = " ".join(i.problem for i in found)
    assert "one value per step" in text and "reentry: first" in text and "not a duration" in text
    assert "used twice" in text


def test_exclusions_between_two_steps_are_read():
    journey, _ = parse_spec(BASE + """\
funnels:
  - id: checkout
    steps: [view, cart, pay]
    exclude: [refund, {event: coupon, between: [1, 2]}]
  - {id: one, steps: [view, cart], exclude: refund}
""")
    checkout = journey.funnel("checkout")
    assert checkout.exclude[0] == "refund"  # a plain name keeps its meaning: the whole funnel
    assert checkout.exclude[1].event == "coupon" and checkout.exclude[1].between == (1, 2)
    assert journey.funnel("one").exclude == ("refund",)


@pytest.mark.parametrize("between", ["[0, 2]", "[2, 4]", "[2, 2]", "[3, 1]"])
def test_an_exclusion_range_outside_the_steps_names_the_funnel(between):
    found = issues(f"funnels:\n  - {{id: checkout, steps: [view, cart, pay], exclude: [{{event: coupon, between: {between}}}]}}\n")
    assert len(found) == 1
    assert "checkout" in found[0].problem and "coupon" in found[0].problem and "1 <= i < j <= 3" in found[0].problem


def test_an_exclusion_by_stage_is_checked_by_its_event():
    found = issues("funnels:\n  - {id: f, by: stage, steps: [browse, buy], exclude: [{event: buyy, between: [1, 2]}]}\n")
    assert [i.code for i in found] == ["unknown_reference"] and found[0].value == "buyy"
    journey, _ = parse_spec(BASE + "funnels:\n  - {id: f, by: stage, steps: [browse, buy], "
                                   "exclude: [{event: buy, between: [1, 2]}]}\n")
    assert journey.funnel("f").exclude[0].event == "buy"
