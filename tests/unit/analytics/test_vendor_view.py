"""A declared funnel as the workbench and the four vendors count it: 14 events, every count worked out by hand."""

from __future__ import annotations

import pytest
from helpers import write_csv

import cjmlib as cjm
from cjmlib.analytics.vendor_view import vendor_comparison, vendor_differences

SPEC = """\
project: {name: Vendors, min_group_size: 1}
stages: [{id: browse}, {id: buy}]
touchpoints:
  - {id: product, name: Product page, stage: browse, match: {event: view}}
  - {id: basket, name: Basket, stage: buy, match: {event: cart}}
  - {id: order, name: Order, stage: buy, match: {event: purchase}}
funnels:
  - {id: checkout, name: Checkout, by: event, steps: [view, cart, purchase], window: 30d}
  - {id: open-checkout, by: event, steps: [view, cart, purchase], entry: open}
sources:
  events: {path: data/events.csv}
"""
# Day 0 is 2026-01-05. a buys 10 days after viewing (inside PostHog's 14 days and our 30, outside
# Mixpanel's 7 and Amplitude's 1); b goes through in 10 minutes; c carts one second BEFORE viewing
# (counted by Mixpanel's 2 s and Amplitude's 1 s in either order, not at 0 s); d views on day 0 and comes
# back on day 40 to view, cart and buy (our 30 days from the first view have run out; a tool that lets a
# later view start a new attempt, or has no window, counts it); e only views.
ROWS = [
    "a,sa1,2026-01-05T10:00:00Z,view", "a,sa1,2026-01-05T10:05:00Z,cart", "a,sa2,2026-01-15T10:00:00Z,purchase",
    "b,sb1,2026-01-05T11:00:00Z,view", "b,sb1,2026-01-05T11:05:00Z,cart", "b,sb1,2026-01-05T11:10:00Z,purchase",
    "c,sc1,2026-01-05T12:00:00Z,cart", "c,sc1,2026-01-05T12:00:01Z,view",
    "d,sd1,2026-01-05T13:00:00Z,view", "d,sd2,2026-02-14T13:00:00Z,view", "d,sd2,2026-02-14T13:05:00Z,cart",
    "d,sd2,2026-02-14T13:10:00Z,purchase",
    "e,se1,2026-01-05T14:00:00Z,view",
]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    path = tmp_path_factory.mktemp("vendors")
    (path / "journey.yml").write_text(SPEC, encoding="utf-8")
    write_csv(path / "data" / "events.csv", "user_id,session_id,ts,event", ROWS)
    return cjm.load_project(path)


@pytest.fixture(scope="module")
def tables(project):
    """Each table counted once for the module: (comparison, differences in en, differences in fr)."""
    return vendor_comparison(project), vendor_differences(project, language="en"), \
        vendor_differences(project, language="fr")


# Per user, the steps reached (view, cart, purchase):
#            ours (30 d, first entry, 0 s)  GA4 (no window)  Mixpanel (7 d, 2 s)  Amplitude (1 d, best, 1 s)  PostHog (14 d, best)
# a          3                              3                2 (buys on day 10)    2 (buys on day 10)          3
# b          3                              3                3                     3                           3
# c          1 (cart before view)           1                2 (cart 1 s before)   2 (cart 1 s before)         1
# d          1 (day 40 > 30 days)           3                1 (first entry only)  3 (day-40 view restarts)    3 (day-40 view restarts)
# e          1                              1                1                     1                           1
OURS, GA4, MIXPANEL, AMPLITUDE, POSTHOG = [5, 2, 2], [5, 3, 3], [5, 3, 1], [5, 4, 2], [5, 3, 3]


def test_the_main_funnel_counted_by_the_workbench_and_each_vendor(project, tables):
    table = tables[0]
    assert table.columns.tolist() == ["step", "label", "workbench", "ga4", "mixpanel", "amplitude", "posthog",
                                      "unit", "position", "funnel"]
    assert table.step.tolist() == ["view", "cart", "purchase"]
    assert table.label.tolist() == ["Product page", "Basket", "Order"]
    assert table.workbench.tolist() == OURS
    assert table.ga4.tolist() == GA4
    assert table.mixpanel.tolist() == MIXPANEL
    assert table.amplitude.tolist() == AMPLITUDE
    assert table.posthog.tolist() == POSTHOG
    assert (table.unit == "user").all() and (table.funnel == "checkout").all()
    assert table.position.tolist() == [1, 2, 3]
    # the workbench's column is the declared funnel as step 4 publishes it
    assert table.workbench.tolist() == cjm.declared_funnel_table(project, "checkout").units.tolist()


def test_each_difference_names_the_rule_that_alone_moves_it(tables):
    table = tables[1]
    assert table.columns.tolist() == ["vendor", "step", "label", "workbench", "vendor_units", "difference", "cause",
                                      "explanation", "unit", "funnel"]
    rows = list(zip(table.vendor, table.step, table.workbench, table.vendor_units, table.difference, table.cause))
    assert rows == [
        # no window: d's day-40 cart and purchase count (a window of 30 days alone would drop them)
        ("ga4", "cart", 2, 3, 1, "Conversion window"),
        ("ga4", "purchase", 2, 3, 1, "Conversion window"),
        # 2 s in either order gives c its cart; 7 days take a's purchase (day 10)
        ("mixpanel", "cart", 2, 3, 1, "Steps recorded at the same moment"),
        ("mixpanel", "purchase", 2, 1, -1, "Conversion window"),
        # d's day-40 view restarts the funnel and c's cart is 1 s before its view; at the purchase a is lost
        # (1 day) and d gained (best entry): the same count, so no row
        ("amplitude", "cart", 2, 4, 2, "Which entry starts the clock; Steps recorded at the same moment"),
        # d's day-40 view restarts the funnel; a's day-10 purchase is inside 14 days as inside 30
        ("posthog", "cart", 2, 3, 1, "Which entry starts the clock"),
        ("posthog", "purchase", 2, 3, 1, "Which entry starts the clock"),
    ]
    assert table.label.tolist()[:2] == ["Basket", "Order"]
    assert table.explanation.iloc[0] == ("GA4 sets no time limit between entering the funnel and the last step; "
                                         "our definition counts a step only within 30 days of entering the funnel.")
    assert table.explanation.iloc[3] == ("Mixpanel counts a step only within 7 days of entering the funnel; "
                                         "our definition counts a step only within 30 days of entering the funnel.")
    assert table.explanation.iloc[2].startswith("Mixpanel accepts two steps recorded up to 2 seconds apart in "
                                                "either order; our definition takes steps recorded")
    # two rules, two sentences, in the order of the rule names
    assert table.explanation.iloc[4] == (
        "Amplitude lets a later return to the first step start a fresh attempt and keeps the one that goes "
        "furthest; our definition starts the clock the first time someone reaches the first step and never "
        "restarts it. Amplitude accepts two steps recorded up to one second apart in either order; our "
        "definition takes steps recorded at the same instant in the funnel's order, and a step recorded even "
        "one second before the previous one does not count.")


def test_the_words_are_french_in_a_french_report(tables):
    table = tables[2]
    window, ties, entry = "Fenêtre de conversion", "Étapes enregistrées au même moment", "Entrée qui lance le chronomètre"
    assert table.cause.tolist() == [window, window, ties, window, f"{entry} ; {ties}", entry, entry]
    assert table.explanation.iloc[0] == (
        "GA4 ne fixe aucune limite de temps entre l'entrée dans l'entonnoir et la dernière étape ; notre définition "
        "ne compte une étape que dans les 30 jours qui suivent l'entrée dans l'entonnoir.")
    assert table.difference.tolist() == [1, 1, 1, -1, 2, 1, 1]  # the numbers do not depend on the language


def test_the_page_shows_headers_and_tools_in_words(tables):
    for language, differences, ours, tool, cause in (
            ("en", tables[1], "Our count (journey.yml)", "Tool", "Rule behind the difference"),
            ("fr", tables[2], "Notre décompte (journey.yml)", "Outil", "Règle en cause")):
        html = cjm.show_table(tables[0], language=language).to_html()
        assert ours in html and "PostHog" in html and "posthog" not in html
        html = cjm.show_table(differences, language=language).to_html()
        assert tool in html and cause in html and ">GA4<" in html and ">ga4<" not in html
        assert "window_days" not in html and "tie_seconds" not in html


def test_a_funnel_named_by_its_id_open_against_ga4_closed(project):
    # open entry: c enters at the cart (its cart came before its view) and d's day-0 view reaches the day-40
    # cart and purchase (no window): view a b c d e, cart a b c d, purchase a b d. GA4 counts a closed
    # funnel (step 1 first): c stops at the view.
    table = vendor_comparison(project, "open-checkout")
    assert table.workbench.tolist() == [5, 4, 3]
    # the vendors' counts depend on the steps, never on the declared window or entry
    assert table[["ga4", "mixpanel", "amplitude", "posthog"]].T.values.tolist() == [GA4, MIXPANEL, AMPLITUDE,
                                                                                    POSTHOG]
    diffs = vendor_differences(project, "open-checkout", language="en")
    ga4 = diffs.loc[diffs.vendor == "ga4"]
    assert list(zip(ga4.step, ga4.difference, ga4.cause)) == [("cart", -1, "Where the funnel starts")]
    assert ga4.explanation.iloc[0] == ("GA4 counts only those who start at the first step; our definition also "
                                       "counts those who join at a later step.")
    assert (diffs.funnel == "open-checkout").all()


def test_no_difference_no_row(tmp_path):
    (tmp_path / "journey.yml").write_text(SPEC, encoding="utf-8")
    write_csv(tmp_path / "data" / "events.csv", "user_id,session_id,ts,event", ROWS[3:6])  # b alone
    table = vendor_differences(cjm.load_project(tmp_path), language="fr")
    assert table.empty and "explanation" in table.columns


def test_an_excluded_event_under_each_vendor_rule(tmp_path):
    # f asks for help after its cart and never buys; g asks for help between the view and the cart, then
    # buys; h goes through. Ours (and GA4's and Amplitude's "reached"): g is out (help before the last step
    # it reached), f is in (help after it) -> view f h, cart f h, purchase h. Mixpanel ("stop") keeps g's
    # view, reached before the help -> 3, 2, 1. PostHog ("window") also drops f, whose help falls in its
    # window with the purchase never coming -> h alone: 1, 1, 1.
    (tmp_path / "journey.yml").write_text(SPEC.replace(
        "  - {id: checkout, name: Checkout, by: event, steps: [view, cart, purchase], window: 30d}\n",
        "  - {id: no-help, by: event, steps: [view, cart, purchase], exclude: [help]}\n"), encoding="utf-8")
    write_csv(tmp_path / "data" / "events.csv", "user_id,session_id,ts,event", [
        "f,sf,2026-01-05T10:00:00Z,view", "f,sf,2026-01-05T10:05:00Z,cart", "f,sf,2026-01-05T10:07:00Z,help",
        "g,sg,2026-01-05T11:00:00Z,view", "g,sg,2026-01-05T11:02:00Z,help", "g,sg,2026-01-05T11:05:00Z,cart",
        "g,sg,2026-01-05T11:10:00Z,purchase",
        "h,sh,2026-01-05T12:00:00Z,view", "h,sh,2026-01-05T12:05:00Z,cart", "h,sh,2026-01-05T12:10:00Z,purchase",
    ])
    project = cjm.load_project(tmp_path)
    table = vendor_comparison(project)
    assert (table.funnel == "no-help").all()
    assert table[["workbench", "ga4", "mixpanel", "amplitude", "posthog"]].T.values.tolist() == [
        [2, 2, 1], [2, 2, 1], [3, 2, 1], [2, 2, 1], [1, 1, 1]]
    diffs = vendor_differences(project, language="en")
    assert list(zip(diffs.vendor, diffs.step, diffs.difference, diffs.cause)) == [
        ("mixpanel", "view", 1, "Excluded events"), ("posthog", "view", -1, "Excluded events"),
        ("posthog", "cart", -1, "Excluded events")]
    assert diffs.explanation.iloc[0] == (
        "Mixpanel stops an attempt at an excluded event but keeps the steps reached before it; our definition "
        "drops an attempt when an excluded event comes before the last step it reached.")
    french = vendor_differences(project, language="fr")
    assert french.cause.tolist() == ["Événements exclus"] * 3
    assert french.explanation.iloc[1].startswith("PostHog écarte une tentative quand un événement exclu survient "
                                                 "avant l'étape suivante, ou n'importe quand dans sa fenêtre")
