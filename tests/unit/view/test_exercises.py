"""The exercise checks on a project small enough to work every expected answer out by hand.

Nine sessions over two weeks (Mondays 2026-01-05 and 2026-01-12):

====  =====  =======  =====================================  ==========
sess  week   device   touchpoints                            outcome
====  =====  =======  =====================================  ==========
s1    1      mobile   landing product cart checkout order    bought
s2    1      mobile   landing product cart checkout          abandoned
s3    1      desktop  landing product cart                   cart only
s4    1      desktop  landing product cart checkout order    bought
s5    2      mobile   landing product cart checkout          abandoned
s6    2      mobile   landing product cart checkout          abandoned
s7    2      mobile   landing product cart checkout order    bought
s8    2      desktop  landing product                        browsed
s9    2      desktop  landing                                bounced
====  =====  =======  =====================================  ==========

The spec declares one funnel of sessions by touchpoint: landing 9, product 8, cart 7, checkout 6,
order 3. Step rates: product 8 ÷ 9 = 88.9 %, cart 7 ÷ 8 = 87.5 %, checkout 6 ÷ 7 = 85.71 %, order
3 ÷ 6 = 50 %: the funnel loses most at the order, whose step rate is the answer of ``step_conversion``;
the share of all sessions reaching the order is 3 ÷ 9 = 33.3 %.

Weeks: no week differs from the other (a few sessions each; Fisher's p near 1), so ``trend_week`` is
unavailable here; :func:`_break` builds 120 sessions over three weeks where one week breaks.

Feedback (negative = rated 1–2): shipping_cost 4 mentions, 3 negative; payment 1 mention,
1 negative (both at purchase); delay 1 mention, 1 negative (retention). 5 negative items in all.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from helpers import write_csv

import cjmlib as cjm
from cjmlib.view.exercises import EXERCISES, check

SPEC = """\
project: {name: Exercise shop, min_group_size: 1, language: LANG}
personas:
  - {id: claire, name: "Claire, the busy parent", rule: {device: mobile}}
stages:
  - {id: awareness}
  - {id: consideration}
  - {id: purchase}
  - {id: retention}
touchpoints:
  - {id: landing, name: Landing page, stage: awareness, match: {event: landing_view}}
  - {id: product-page, name: Product page, stage: consideration, match: {event: product_view}}
  - {id: cart, name: Cart, stage: purchase, match: {event: add_to_cart}}
  - {id: checkout, name: Checkout, stage: purchase, match: {event: begin_checkout}}
  - {id: order-confirmation, name: Order confirmation, stage: purchase, match: {event: purchase}}
pain_points:
  - {id: shipping-surprise, name: Shipping costs discovered late, stage: purchase, themes: [shipping_cost]}
codebook:
  themes:
    - {id: shipping_cost, label: Shipping cost, stage: purchase,
       keywords: {en: [shipping cost, delivery fee], fr: [frais de port]}}
    - {id: payment, label: Payment, stage: purchase, keywords: {en: [payment], fr: [paiement]}}
    - {id: delay, label: Delay, stage: retention, keywords: {en: [late], fr: [retard]}}
funnels:
  - {id: purchase, name: Purchase funnel, by: touchpoint, unit: session,
     steps: [landing, product-page, cart, checkout, order-confirmation]}
breakdowns: [device]
sources:
  events: {path: data/events.csv}
  feedback: {path: data/feedback.csv}
"""

PATHS = {"bought": ["landing_view", "product_view", "add_to_cart", "begin_checkout", "purchase"],
         "abandoned": ["landing_view", "product_view", "add_to_cart", "begin_checkout"],
         "cart only": ["landing_view", "product_view", "add_to_cart"],
         "browsed": ["landing_view", "product_view"], "bounced": ["landing_view"]}
SESSIONS = [("s1", "2026-01-05", "mobile", "bought"), ("s2", "2026-01-06", "mobile", "abandoned"),
            ("s3", "2026-01-07", "desktop", "cart only"), ("s4", "2026-01-08", "desktop", "bought"),
            ("s5", "2026-01-12", "mobile", "abandoned"), ("s6", "2026-01-13", "mobile", "abandoned"),
            ("s7", "2026-01-14", "mobile", "bought"), ("s8", "2026-01-15", "desktop", "browsed"),
            ("s9", "2026-01-16", "desktop", "bounced")]
FEEDBACK = [("f1", "The shipping cost is far too high", 1, "en"), ("f2", "That delivery fee was a shock", 2, "en"),
            ("f3", "Shipping cost was fine for me", 4, "en"), ("f4", "Payment failed twice", 1, "en"),
            ("f5", "Les frais de port sont trop chers", 1, "fr"), ("f6", "My parcel came late", 2, "en"),
            ("f7", "Lovely lamp, thank you", 5, "en")]

RIGHT_STATEMENT = "Customers drop their cart when the shipping cost appears only at checkout."


def _build(folder, language: str, sessions=SESSIONS, spec=SPEC):
    (folder / "journey.yml").write_text(spec.replace("LANG", language), encoding="utf-8")
    rows = []
    for i, (session, day, device, outcome) in enumerate(sessions):
        for minute, event in enumerate(PATHS[outcome]):
            rows.append(f"u{i},{session},{day}T10:{minute:02d}:00Z,{event},/,web,{device},"
                        + ("30" if event == "purchase" else ""))
    write_csv(folder / "data" / "events.csv", "user_id,session_id,ts,event,page,channel,device,revenue", rows)
    write_csv(folder / "data" / "feedback.csv", "id,ts,user_id,text,rating,source,language",
              [f'{fid},2026-01-10T09:00:00Z,u{i},"{text}",{rating},review,{lang}'
               for i, (fid, text, rating, lang) in enumerate(FEEDBACK)])
    return cjm.load_project(folder)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("exercises-en"), "en")


@pytest.fixture(scope="module")
def projet(tmp_path_factory):
    """The same project with ``language: fr``."""
    return _build(tmp_path_factory.mktemp("exercises-fr"), "fr")


def test_the_small_project_holds_the_numbers_worked_out_above(project):
    funnel = cjm.funnel_table(project, ["landing", "product-page", "cart", "checkout", "order-confirmation"],
                              by="touchpoint", unit="session")
    assert funnel.units.tolist() == [9, 8, 7, 6, 3]
    declared = cjm.declared_funnel_table(project, "purchase")
    assert declared.converted.tolist() == [9, 8, 7, 6, 3] and cjm.largest_drop_off(declared) == "order-confirmation"
    themes = cjm.theme_table(project).set_index("theme")
    assert themes.loc[["shipping_cost", "payment", "delay"], "negative"].tolist() == [3, 1, 1]
    assert themes.loc["shipping_cost", "mentions"] == 4


# ------------------------------------------------------------------ every exercise: no answer, wrong type

@pytest.mark.parametrize("exercise", EXERCISES)
def test_no_answer_yet_says_so_without_computing_or_raising(exercise, project):
    for answer in (None, "", "   "):
        verdict = check(exercise, answer, project)
        assert verdict.status == "no_answer" and not verdict.correct
        assert "No answer yet" in verdict.summary and "answer = None" in verdict.reasons[0]
        assert verdict.expected is None  # the answer is not given away before trying


def test_an_unknown_exercise_is_refused_with_the_list_of_exercises(project):
    with pytest.raises(ValueError, match="step_conversion, trend_week, pain_point_from_quotes"):
        check("step_convresion", 0.5, project)


@pytest.mark.parametrize(("exercise", "answer", "kind"), [
    ("step_conversion", "0.86", "str"), ("step_conversion", True, "bool"), ("step_conversion", [0.86], "list"),
    ("trend_week", 3, "int"), ("trend_week", ["2026-01-12"], "list"),
    ("pain_point_from_quotes", 42, "int"), ("pain_point_from_quotes", ["shipping_cost"], "list"),
])
def test_a_wrong_type_gets_an_explanation_not_an_exception(exercise, answer, kind, project):
    verdict = check(exercise, answer, project)
    assert verdict.status == "invalid" and not verdict.correct
    assert f"not {kind} (" in verdict.reasons[0] and "must be" in verdict.reasons[0]


# ------------------------------------------------------------------ step_conversion

@pytest.mark.parametrize("answer", [0.5, 3 / 6, 0.503, 0.4955, np.float64(0.5)])
def test_step_conversion_right_within_half_a_point(answer, project):
    verdict = check("step_conversion", answer, project)
    assert verdict.status == "right", verdict
    assert verdict.expected == pytest.approx(3 / 6)
    assert verdict.reasons[0] == ("The lowest step rate of the funnel Purchase funnel is at the step Order confirmation: "
                                  "50.0%, 3 of the 6 sessions that reached Checkout went on to Order confirmation "
                                  "(3 ÷ 6).")


def test_step_conversion_reads_a_percentage_and_says_so(project):
    verdict = check("step_conversion", 50, project)
    assert verdict.correct
    assert "read as a percentage" in verdict.reasons[0] and "0.5000" in verdict.reasons[0]


@pytest.mark.parametrize(("answer", "gap", "diagnosis"), [
    (3 / 9, "16.7", "share of all the sessions entering the funnel that reached Order confirmation (3 of 9)"),
    (6 / 7, "35.7", "is the step rate of Checkout (6 of 7), not of Order confirmation"),
    (0.875, "37.5", "is the step rate of Cart (7 of 8)"),
    (0.5051, "0.5", None),  # 0.51 points away: just outside the tolerance
    (0.70, "20.0", None),
])
def test_step_conversion_wrong_says_the_gap_and_the_likely_mistake(answer, gap, diagnosis, project):
    verdict = check("step_conversion", answer, project)
    assert verdict.status == "wrong"
    assert verdict.reasons[0].startswith("The lowest step rate of the funnel Purchase funnel is at the step Order")
    assert f"is {gap} points away; the tolerance is 0.5 points" in verdict.reasons[1]
    if diagnosis:
        assert diagnosis in verdict.reasons[2]
    else:
        assert len(verdict.reasons) == 2


@pytest.mark.parametrize("answer", [-0.2, 180, float("nan"), float("inf")])
def test_step_conversion_outside_0_100_or_not_finite_is_explained(answer, project):
    verdict = check("step_conversion", answer, project)
    assert verdict.status == "invalid"
    assert "rate" in verdict.reasons[0] or "number" in verdict.reasons[0]


def test_step_conversion_when_nobody_enters_the_funnel_is_unavailable(tmp_path):
    """The funnel starts at the cart and every session stopped before it: no step rate has a denominator."""
    spec = SPEC.replace("steps: [landing, product-page, cart, checkout, order-confirmation]",
                        "steps: [cart, checkout, order-confirmation]")
    browsing = _build(tmp_path, "en", sessions=[s for s in SESSIONS if s[3] in ("browsed", "bounced")], spec=spec)
    verdict = check("step_conversion", 0.5, browsing)
    assert verdict.status == "unavailable" and "Nobody entered a funnel of journey.yml" in verdict.reasons[0]


# ------------------------------------------------------------------ trend_week

def _break(folder):
    """120 sessions over three weeks (40 each, Mondays 2026-01-05, -12, -19), every one reaching checkout;
    32 of 40 order in weeks 1 and 3, 4 of 40 in week 2: at the order step, week 2 is 4 ÷ 40 = 10 %
    against (32 + 32) ÷ 80 = 80 % in the other weeks."""
    sessions = []
    for week, (monday, bought) in enumerate((("2026-01-05", 32), ("2026-01-12", 4), ("2026-01-19", 32))):
        day = pd.Timestamp(monday)
        sessions += [(f"w{week}s{i}", (day + pd.Timedelta(days=i % 5)).date().isoformat(), ("mobile", "desktop")[i % 2],
                      "bought" if i < bought else "abandoned") for i in range(40)]
    return _build(folder, "en", sessions=sessions)


@pytest.mark.parametrize("answer", ["2026-01-12", "2026-01-18", dt.date(2026, 1, 14), pd.Timestamp("2026-01-13"),
                                    np.datetime64("2026-01-16")])
def test_trend_week_any_day_of_the_week_that_broke_is_right(answer, tmp_path_factory):
    verdict = check("trend_week", answer, _break(tmp_path_factory.mktemp("break")))
    assert verdict.status == "right", verdict
    assert verdict.expected == dt.date(2026, 1, 12)
    assert verdict.reasons[0].startswith("The week of 2026-01-12 stands out at the step Order confirmation: 4 of "
                                         "the 40 sessions went on (10.0%) against 80.0% in the other weeks")


def test_trend_week_wrong_week_shows_its_own_rate(tmp_path):
    verdict = check("trend_week", "2026-01-11", _break(tmp_path))  # a Sunday: still week 1
    assert verdict.status == "wrong"
    assert "week of 2026-01-05, where the step rate was 80.0% (32 of 40)" in verdict.reasons[1]


def test_trend_week_outside_the_data_is_said(tmp_path):
    verdict = check("trend_week", "2026-03-02", _break(tmp_path))
    assert verdict.status == "wrong"
    assert "falls in no week of the data (2026-01-05 to 2026-01-25)" in verdict.reasons[1]


def test_trend_week_without_a_week_that_differs_is_unavailable(project):
    verdict = check("trend_week", "2026-01-12", project)
    assert verdict.status == "unavailable" and "No week stands out" in verdict.reasons[0]


def test_trend_week_text_that_is_not_a_date_is_explained(project):
    verdict = check("trend_week", "the week of the incident", project)
    assert verdict.status == "invalid" and "a date" in verdict.reasons[0]


# ------------------------------------------------------------------ pain_point_from_quotes

def test_pain_point_right_names_the_evidence_and_the_rule(project):
    verdict = check("pain_point_from_quotes",
                    {"stage": "purchase", "theme": "shipping_cost", "statement": RIGHT_STATEMENT}, project)
    assert verdict.status == "right", verdict
    why = " ".join(verdict.reasons)
    assert "Shipping cost (shipping_cost) carries the most negative feedback: 3 negative items of its 4 mentions" in why
    assert "'Shipping costs discovered late': 3 of all 5 negative items (60.0%)" in why
    assert "has 12 words and names Cart, Checkout, Shipping cost" in why
    assert verdict.expected == {"stage": "purchase", "theme": "shipping_cost"}


def test_pain_point_labels_are_accepted_for_ids(project):
    answer = {"stage": "Purchase", "theme": "Shipping Cost", "statement": RIGHT_STATEMENT}
    assert check("pain_point_from_quotes", answer, project).correct


def test_pain_point_written_as_text_is_read_through_the_codebook(project):
    verdict = check("pain_point_from_quotes", "I gave up at checkout because the delivery fee showed up at the end.",
                    project)
    assert verdict.status == "right", verdict
    assert verdict.reasons[0] == "The text was read as the theme Shipping cost (shipping_cost) at the stage Purchase (purchase)."


def test_pain_point_not_the_most_complained_theme(project):
    answer = {"stage": "purchase", "theme": "payment", "statement": "Customers see their payment fail at checkout, "
                                                                    "twice in a row."}
    verdict = check("pain_point_from_quotes", answer, project)
    assert verdict.status == "wrong"
    assert ("the theme with the most negative feedback is Shipping cost (shipping_cost), with 3 negative items; "
            "Payment (payment) has 1") in verdict.reasons[0]
    assert verdict.expected == {"stage": "purchase", "theme": "shipping_cost"}


def test_pain_point_theme_of_another_stage(project):
    answer = {"stage": "purchase", "theme": "delay", "statement": RIGHT_STATEMENT}
    verdict = check("pain_point_from_quotes", answer, project)
    assert verdict.status == "wrong"
    assert "Delay (delay) belongs to the stage Retention (retention), not to Purchase (purchase)" in verdict.reasons[0]


def test_pain_point_stage_without_complaints(project):
    verdict = check("pain_point_from_quotes", {"stage": "retention", "theme": "delay",
                                               "statement": "My parcel came late and nobody told me when it would come."},
                    project)
    assert verdict.correct  # delay is the only (so the top) negative theme at retention: 1 item


@pytest.mark.parametrize(("statement", "complaints"), [
    ("Reduce the shipping cost.", ["does not mention the customer", "has 4 words; write at least 8"]),
    ("We must lower our shipping cost to grow the conversion rate this year.", ["does not mention the customer"]),
    ("Customers are unhappy with how things go for them at this stage.",
     ["names neither a touchpoint of the stage (Cart, Checkout, Order confirmation) nor the customers' words"]),
    ("Claire finds the shipping cost too high.", ["has 7 words; write at least 8"]),
])
def test_pain_point_statement_rule_explains_each_failure(statement, complaints, project):
    answer = {"stage": "purchase", "theme": "shipping_cost", "statement": statement}
    verdict = check("pain_point_from_quotes", answer, project)
    assert verdict.status == "wrong"
    why = " ".join(verdict.reasons)
    assert "carries the most negative feedback" in why  # the theme itself was right
    for complaint in complaints:
        assert complaint in why
    assert sum(("does not mention" in r) or ("write at least" in r) or ("names neither" in r)
               for r in verdict.reasons) == len(complaints)


def test_pain_point_unknown_stage_or_theme_lists_the_choices(project):
    stage = check("pain_point_from_quotes", {"stage": "checkout", "theme": "shipping_cost", "statement": "x"}, project)
    assert "'checkout' is not a stage of journey.yml. Stages: awareness, consideration, purchase, retention" \
        in stage.reasons[0]
    theme = check("pain_point_from_quotes", {"stage": "purchase", "theme": "price", "statement": "x"}, project)
    assert "'price' is not a theme of the codebook. Themes: shipping_cost, payment, delay" in theme.reasons[0]
    missing = check("pain_point_from_quotes", {"stage": "purchase"}, project)
    assert missing.status == "invalid" and "lacks the key(s) theme, statement" in missing.reasons[0]
    not_text = check("pain_point_from_quotes", {"stage": "purchase", "theme": "payment", "statement": 3}, project)
    assert not_text.status == "invalid"
    no_theme = check("pain_point_from_quotes", "Customers find the whole site rather confusing overall.", project)
    assert no_theme.status == "wrong" and "names no theme of the codebook" in no_theme.reasons[0]


# ------------------------------------------------------------------ French, and the HTML rendering

def test_french_project_gets_french_verdicts_with_french_numbers(projet):
    right = check("step_conversion", 0.5, projet)
    assert right.summary == "Le taux d'étape là où l'entonnoir perd le plus — Juste."
    assert "3 des 6 sessions arrivées à l'étape Checkout" in right.reasons[0] and "50,0\u202f%" in right.reasons[0]
    wrong = check("step_conversion", 3 / 9, projet)
    assert wrong.summary.endswith("Pas encore juste.")
    assert "s'en écarte de 16,7 points" in wrong.reasons[1] and "(3 sur 9)" in wrong.reasons[2]
    week = check("trend_week", "2026-01-06", projet)
    assert week.status == "unavailable" and "Aucune semaine ne se distingue" in week.reasons[0]
    none = check("pain_point_from_quotes", None, projet)
    assert none.summary == "Un irritant tiré des verbatims — Pas encore de réponse."
    pain = check("pain_point_from_quotes", {"stage": "purchase", "theme": "shipping_cost",
                                            "statement": "Les clients abandonnent leur panier quand les frais de "
                                                         "port apparaissent au paiement."}, projet)
    assert pain.correct and "compte 13 mots" in " ".join(pain.reasons)
    bad_type = check("trend_week", 3, projet)
    assert "La réponse doit être une date" in bad_type.reasons[0]


def test_language_argument_overrides_the_spec(project):
    assert check("step_conversion", 0.5, project, language="fr").summary.endswith("Juste.")


def test_html_repr_is_escaped_and_says_the_status(project):
    payload = "<img src=x onerror=alert(1)>"
    verdict = check("pain_point_from_quotes", {"stage": payload, "theme": "x", "statement": "y"}, project)
    page = verdict._repr_html_()
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'class="cjm-verdict cjm-verdict-wrong"' in page and 'data-exercise="pain_point_from_quotes"' in page
    right = check("step_conversion", 0.5, project)._repr_html_()
    assert "cjm-verdict-right" in right and "✓ Step rate where the funnel loses most — Right." in right
    assert "<script" not in right


def test_the_demo_plants_what_the_exercises_ask(demo_project):
    """On the generated demo, the checks find the planted stories (the truth file says the week)."""
    import json

    demo = cjm.load_project(demo_project)
    truth = json.loads((demo_project / "demo-truth.json").read_text(encoding="utf-8"))
    week = check("trend_week", truth["mobile_checkout_week"]["week_start"], demo)
    assert week.correct, week
    funnel = cjm.declared_funnel_table(demo, cjm.journey_funnels(demo.spec)[0]).set_index("step")
    worst = funnel.iloc[1:].step_rate.idxmin()
    rate = funnel.loc[worst, "converted"] / funnel.loc[worst, "entered"]
    assert check("step_conversion", rate, demo).correct
    assert not check("step_conversion", rate + 0.006, demo).correct
    pain = check("pain_point_from_quotes", {"stage": "purchase", "theme": "shipping_cost",
                                            "statement": "Customers leave their cart when the shipping cost shows "
                                                         "up at checkout."}, demo)
    assert pain.correct, pain


def test_a_project_without_the_data_gets_unavailable_not_an_error(small_project):
    """small_project has no feedback and too few sessions for a week to differ."""
    small = cjm.load_project(small_project)
    week = check("trend_week", "2026-01-05", small)
    assert week.status == "unavailable" and "No week stands out" in week.reasons[0]
    pain = check("pain_point_from_quotes", RIGHT_STATEMENT, small)
    assert pain.status == "unavailable" and "has no feedback source" in pain.reasons[0]
    assert "–" in pain._repr_html_() and "cjm-verdict-unavailable" in pain._repr_html_()
