"""Golden tests: each vendor preset against its vendor's documented rules and public test scenarios.

Every case is a small event table and the counts the vendor's documentation (or its public test
suite) gives for it, worked out by hand; each names the rule it checks and the page it comes from.
The scenarios are written anew from those pages (PostHog's from the scenarios of its public funnel
tests); nothing is copied. docs/adr/0001-how-a-funnel-counts.md lists, per preset, every rule and its
source. Rows are ``"user, minute, event"``; a user written ``u/s2`` is user ``u`` in session ``s2``.
"""

from __future__ import annotations

import pytest
from test_funnel import events

import cjmlib as cjm

# ---- sources -------------------------------------------------------------------------------------
GA4_FUNNEL = "https://docs.cloud.google.com/php/docs/reference/analytics-data/latest/V1alpha.Funnel"
GA4_STEP = "https://docs.cloud.google.com/php/docs/reference/analytics-data/latest/V1alpha.FunnelStep"
GA4_SESSION = "https://support.google.com/analytics/answer/12798876"
MP_ADVANCED = "https://docs.mixpanel.com/docs/reports/funnels/funnels-advanced"
MP_FAQ = "https://docs.mixpanel.com/docs/reports/funnels/funnels-faq"
MP_SESSIONS = "https://docs.mixpanel.com/docs/features/sessions"
AMP = "https://amplitude.com/docs/analytics/charts/funnel-analysis/"
AMP_COMPUTES = AMP + "funnel-analysis-how-amplitude-computes"
AMP_CONVERSIONS = AMP + "funnel-analysis-how-amplitude-computes-conversions"
AMP_SIMULTANEOUS = AMP + "funnel-analysis-how-amplitude-handles-simultaneous-events"
AMP_INTERPRET = AMP + "funnel-analysis-interpret"
AMP_BUILD = AMP + "funnel-analysis-build"
AMP_FAQ = "https://amplitude.zendesk.com/hc/en-us/articles/360054203872-FAQ-Funnel-Analysis"
AMP_ANY_ORDER = "https://amplitude.zendesk.com/hc/en-us/articles/19458087881627-How-Amplitude-computes-funnels"
AMP_SESSIONS = "https://amplitude.com/docs/data/sources/instrument-track-sessions"
PH_TESTS = "https://github.com/PostHog/posthog/blob/master/posthog/hogql_queries/insights/funnels/test/"
PH_FUNNEL = PH_TESTS + "test_funnel.py"
PH_UNORDERED = PH_TESTS + "test_funnel_unordered.py"
PH_STRICT = PH_TESTS + "test_funnel_strict.py"
PH_DOCS = "https://posthog.com/docs/product-analytics/funnels"
PH_EXCLUSION_SPEC = "https://github.com/PostHog/posthog/issues/5553"
PH_SESSIONS = "https://posthog.com/manual/sessions"

DAY, HOUR, SECOND = 1440, 60, 1 / 60


def _table(vendor, rows, steps, options):
    ev = events(rows)
    if any("/" in row.split(",")[0] for row in rows):  # "u/s2": user u, session u/s2
        ev = ev.mutate(session_id=ev.user_id, user_id=ev.user_id.split("/")[0])
    return cjm.funnel_table(ev, steps, by="event", emulate=vendor, **options)


def case(vendor, rule, source, rows, steps, expected, **options):
    return pytest.param(vendor, rows, steps, options, expected, id=f"{vendor}-{rule}")


GA4 = [
    # closed funnel (the default): users must enter at step 1 — GA4_FUNNEL, is_open_funnel
    case("ga4", "closed-entry", GA4_FUNNEL, ["u1, 0, A", "u1, 1, B", "u1, 2, C", "u2, 0, B", "u2, 1, C"],
         ["A", "B", "C"], [1, 1, 1]),
    # open funnel: users can enter at any step (u2 enters at B) — GA4_FUNNEL, is_open_funnel
    case("ga4", "open-entry", GA4_FUNNEL, ["u1, 0, A", "u1, 1, B", "u1, 2, C", "u2, 0, B", "u2, 1, C"],
         ["A", "B", "C"], [1, 2, 2], entry="open"),
    # sequential steps: a user who skips B stops after A — GA4_FUNNEL ("the sequential steps of this funnel")
    case("ga4", "sequential", GA4_FUNNEL, ["u, 0, A", "u, 1, C"], ["A", "B", "C"], [1, 0, 0]),
    # is_directly_followed_by false (the default): other events may come between steps — GA4_STEP
    case("ga4", "indirectly-followed", GA4_STEP, ["u, 0, A", "u, 1, X", "u, 2, B"], ["A", "B"], [1, 1]),
    # is_directly_followed_by true: the step must directly follow the previous one — GA4_STEP
    case("ga4", "directly-followed", GA4_STEP, ["u, 0, A", "u, 1, X", "u, 2, B", "v, 0, A", "v, 1, B"],
         ["A", "B"], [2, 1], order="strict"),
    # within_duration_from_prior_step is inclusive: 5 s completes at 5.0 s, not at 6 s — GA4_STEP
    case("ga4", "within-duration-inclusive", GA4_STEP,
         ["u, 0, A", f"u, {5 * SECOND}, B", "v, 0, A", f"v, {6 * SECOND}, B"], ["A", "B"], [2, 1],
         step_window_days=[None, 5 / 86400]),
    # no conversion window over the whole funnel (a Funnel has only steps and is_open_funnel; durations are
    # per step): B 60 days after A still converts — GA4_FUNNEL, GA4_STEP
    case("ga4", "no-funnel-window", GA4_FUNNEL, ["u, 0, A", f"u, {60 * DAY}, B"], ["A", "B"], [1, 1]),
    # a funnel reports on users: two passes through the funnel count one user — GA4_FUNNEL
    case("ga4", "users-not-totals", GA4_FUNNEL, ["u, 0, A", "u, 1, B", "u, 2, A", "u, 3, B"], ["A", "B"], [1, 1]),
    # a step at the instant the prior step completes is 0 s after it: within any duration (inclusive
    # endpoint) — GA4_STEP; GA4 documents no order for simultaneous events: the workbench's "at or after"
    case("ga4", "same-instant", GA4_STEP, ["u, 0, A", "u, 0, B", "v, 0, A"], ["A", "B"], [2, 1],
         step_window_days=[None, 5 / 86400]),
    # a session ends after 30 minutes of inactivity; sessions come from the export's session ids
    # (ga_session_id): u's second session converts, its first does not — GA4_SESSION
    case("ga4", "sessions", GA4_SESSION, ["u/s1, 0, A", "u/s2, 40, A", "u/s2, 41, B"], ["A", "B"], [2, 1],
         unit="session"),
    # a directly-followed open funnel: v enters at B, directly followed by C; u's B is followed by X, so u's C
    # is a new entry at C (users can enter at any step) — GA4_FUNNEL, GA4_STEP
    case("ga4", "open-and-direct", GA4_STEP, ["u, 0, A", "u, 1, B", "u, 2, X", "u, 3, C", "v, 0, B", "v, 1, C"],
         ["A", "B", "C"], [1, 2, 2], entry="open", order="strict"),
]

MIXPANEL = [
    # the window starts at the first A and is not reset by the second: A 1pm, A 1:30, B 1:45, C 2:15 with a
    # one-hour window converts to B, not to C — MP_ADVANCED, Conversion Window
    case("mixpanel", "window-starts-at-first-entry", MP_ADVANCED,
         ["u, 0, A", "u, 30, A", "u, 45, B", "u, 75, C"], ["A", "B", "C"], [1, 1, 0], window_days=1 / 24),
    # the default window is 7 days: B after 6 days converts, after 8 days does not — MP_ADVANCED
    case("mixpanel", "default-window-7-days", MP_ADVANCED,
         ["u, 0, A", f"u, {6 * DAY}, B", "v, 0, A", f"v, {8 * DAY}, B"], ["A", "B"], [2, 1]),
    # specific order: A B C D E, A B F C D E and A B D C D E convert; A B C E stops after C — MP_ADVANCED
    case("mixpanel", "specific-order", MP_ADVANCED,
         ["u1, 0, A", "u1, 1, B", "u1, 2, C", "u1, 3, D", "u1, 4, E",
          "u2, 0, A", "u2, 1, B", "u2, 2, F", "u2, 3, C", "u2, 4, D", "u2, 5, E",
          "u3, 0, A", "u3, 1, B", "u3, 2, D", "u3, 3, C", "u3, 4, D", "u3, 5, E",
          "u4, 0, A", "u4, 1, B", "u4, 2, C", "u4, 3, E"], list("ABCDE"), [4, 4, 4, 3, 3]),
    # default re-entry, scenario 1: A, its window ends, A^, B — only the first entry counts: not converted
    # — MP_ADVANCED, Optimized Re-entry
    case("mixpanel", "reentry-after-window", MP_ADVANCED, ["u, 0, A", "u, 90, A", "u, 100, B"], ["A", "B"],
         [1, 0], window_days=1 / 24),
    # default re-entry, scenario 2: A, A^, A's window ends, B — A^ is ignored: not converted — MP_ADVANCED
    case("mixpanel", "reentry-ignored-in-window", MP_ADVANCED, ["u, 0, A", "u, 30, A", "u, 70, B"], ["A", "B"],
         [1, 0], window_days=1 / 24),
    # a two-second grace period: B then A within two seconds counts as A → B; three seconds apart does
    # not — MP_FAQ, simultaneous events
    case("mixpanel", "two-second-grace", MP_FAQ, ["u, 0, B", f"u, {1.5 * SECOND}, A", "v, 0, B",
                                                  f"v, {3 * SECOND}, A"], ["A", "B"], [2, 1]),
    # a user qualifies for each step until the exclusion event: u1 (A, X, B, C) stays at A, u2 (A, B, X, C)
    # at B — MP_ADVANCED, Exclusion Steps, note 2
    case("mixpanel", "exclusion-stops-the-user", MP_ADVANCED,
         ["u1, 0, A", "u1, 1, X", "u1, 2, B", "u1, 3, C", "u2, 0, A", "u2, 1, B", "u2, 2, X", "u2, 3, C",
          "u3, 0, A", "u3, 1, B", "u3, 2, C"], ["A", "B", "C"], [3, 2, 1], exclude=["X"]),
    # an exclusion between specific steps (2 and 3): X before B does not count — MP_ADVANCED, Exclusion Steps
    case("mixpanel", "exclusion-between-steps", MP_ADVANCED,
         ["u1, 0, A", "u1, 1, X", "u1, 2, B", "u1, 3, C", "u2, 0, A", "u2, 1, B", "u2, 2, X", "u2, 3, C"],
         ["A", "B", "C"], [2, 2, 1], exclude=[{"event": "X", "between": [2, 3]}]),
    # totals with exclusion step A: A(1) A(2) A(3) B(4) enters at (1), drops at (2), re-enters at (3) and
    # converts at (4): two entries, one conversion — MP_ADVANCED, Exclusion Steps, note 1
    case("mixpanel", "totals-reenter-after-exclusion", MP_ADVANCED, ["u, 1, A", "u, 2, A", "u, 3, A", "u, 4, B"],
         ["A", "B"], [2, 1], counting="totals", exclude=["A"]),
    # totals re-enter after completion or time-out — MP_ADVANCED, Counting Methods (Totals)
    case("mixpanel", "totals-reenter", MP_ADVANCED,
         ["u, 0, A", "u, 1, B", "u, 2, A", "u, 3, B", "u, 100, A", "u, 200, A", "u, 201, B"], ["A", "B"], [4, 3],
         counting="totals", window_days=30 / 1440),
    # uniques: users enter the funnel the first time they do step 1 — MP_ADVANCED, Counting Methods (Uniques)
    case("mixpanel", "uniques", MP_ADVANCED, ["u, 0, A", "u, 1, B", "u, 2, A", "u, 3, B"], ["A", "B"], [1, 1]),
    # sessions: users can enter the funnel in each session that qualifies; a session ends after 30 minutes
    # of inactivity by default — MP_ADVANCED (Counting Methods), MP_SESSIONS
    case("mixpanel", "sessions", MP_SESSIONS, ["u/s1, 0, A", "u/s1, 1, B", "u/s2, 60, A"], ["A", "B"], [2, 1],
         unit="session"),
    # any order: all steps in any sequence convert — MP_ADVANCED, Any Order (what a middle step counts is
    # undocumented; ADR 0001 names the closest statement)
    case("mixpanel", "any-order", MP_ADVANCED, ["u, 0, C", "u, 1, B", "u, 2, A"], ["A", "B", "C"], [1, 1, 1],
         order="any"),
]

AMPLITUDE = [
    # the default conversion window is one day: B 23 h after A converts, 25 h after does not — AMP_INTERPRET
    case("amplitude", "default-window-1-day", AMP_INTERPRET,
         ["u, 0, A", f"u, {23 * HOUR}, B", "v, 0, A", f"v, {25 * HOUR}, B"], ["A", "B"], [2, 1]),
    # the window is 24 hours, not calendar days: A at 23:30, B at 00:30 the next day converts — AMP_FAQ
    case("amplitude", "window-24-hours", AMP_FAQ, ["u, 810, A", "u, 870, B"], ["A", "B"], [1, 1]),
    # events are unique per conversion path: search ×4 then add to cart is one conversion — AMP_COMPUTES
    case("amplitude", "one-conversion-per-path", AMP_COMPUTES,
         ["u, 0, search", "u, 1, search", "u, 2, search", "u, 3, search", "u, 4, cart"], ["search", "cart"],
         [1, 1]),
    # this order: other events may come between steps — AMP_COMPUTES
    case("amplitude", "this-order", AMP_COMPUTES, ["u, 0, A", "u, 1, X", "u, 2, B"], ["A", "B"], [1, 1]),
    # exact order: no other event between steps — AMP_COMPUTES
    case("amplitude", "exact-order", AMP_COMPUTES, ["u, 0, A", "u, 1, X", "u, 2, B", "v, 0, A", "v, 1, B"],
         ["A", "B"], [2, 1], order="strict"),
    # repeated steps: A → A → B needs A twice, then B — AMP_ANY_ORDER ("you can repeat events")
    case("amplitude", "repeated-step", AMP_ANY_ORDER, ["u, 0, A", "u, 1, A", "u, 2, B", "v, 0, A", "v, 1, B"],
         ["A", "A", "B"], [2, 1, 1]),
    # one-second window: B then A within one second counts as A → B; five seconds apart does not
    # — AMP_SIMULTANEOUS
    case("amplitude", "simultaneous-events", AMP_SIMULTANEOUS,
         ["u, 0, B", f"u, {1 * SECOND}, A", "v, 0, B", f"v, {5 * SECOND}, A"], ["A", "B"], [2, 1]),
    # uniques count the earliest, longest (most complete) conversion: the second A, two days later,
    # converts within its day — AMP_CONVERSIONS
    case("amplitude", "earliest-longest", AMP_CONVERSIONS, ["u, 0, A", f"u, {2 * DAY}, A", f"u, {2 * DAY + 5}, B"],
         ["A", "B"], [1, 1]),
    # totals: every conversion path counts, not only the earliest-longest — AMP_CONVERSIONS, AMP_FAQ
    case("amplitude", "totals", AMP_CONVERSIONS, ["u, 0, A", "u, 1, B", "u, 2, A", "u, 3, B"], ["A", "B"], [2, 2],
         counting="totals", reentry="first"),
    # exclusion: users who trigger the event between the funnel's steps are excluded from the funnel
    # — AMP_BUILD, step 5
    case("amplitude", "exclusion-removes-the-user", AMP_BUILD, ["u1, 0, A", "u1, 1, X", "u1, 2, B", "u2, 0, A",
                                                               "u2, 1, B"], ["A", "B"], [1, 1], exclude=["X"]),
    # exclusion between two specific steps (2 and 3): X before B does not exclude — AMP_BUILD, step 5
    case("amplitude", "exclusion-between-steps", AMP_BUILD,
         ["u1, 0, A", "u1, 1, X", "u1, 2, B", "u1, 3, C", "u2, 0, A", "u2, 1, B", "u2, 2, X", "u2, 3, C",
          "u3, 0, A", "u3, 1, B", "u3, 2, C"], ["A", "B", "C"], [2, 2, 2],
         exclude=[{"event": "X", "between": [2, 3]}]),
    # any order: all steps in any order convert, but users must fire the first event to be in the funnel
    # — AMP_ANY_ORDER
    case("amplitude", "any-order-needs-step-1", AMP_ANY_ORDER, ["u1, 0, C", "u1, 1, B", "u1, 2, A", "u2, 0, B",
                                                               "u2, 1, C"], ["A", "B", "C"], [1, 1, 1], order="any"),
    # holding the session id constant counts user sessions with a conversion; a web session times out
    # after 30 minutes — AMP_CONVERSIONS, AMP_SESSIONS
    case("amplitude", "sessions", AMP_SESSIONS, ["u/s1, 0, A", "u/s1, 1, B", "u/s2, 60, A"], ["A", "B"], [2, 1],
         unit="session"),
]

POSTHOG = [
    # the default window is 14 days: 1 March 15:10 → 15 March 14:27 converts (the scenario of
    # test_funnel_window_ignores_dst_transition) — PH_UNORDERED
    case("posthog", "default-window-14-days", PH_UNORDERED, ["u, 0, pageview", f"u, {14 * DAY - 43}, signup"],
         ["pageview", "signup"], [1, 1], order="any"),
    # ... and 15 days later does not — PH_UNORDERED (the same default)
    case("posthog", "after-14-days", PH_UNORDERED, ["u, 0, A", f"u, {15 * DAY}, B"], ["A", "B"], [1, 0]),
    # an exclusion inside the conversion window drops the person even without the next step; outside the
    # window (p4, 25 h later) it does not (test_funnel_exclusion_no_end_event) — PH_FUNNEL
    case("posthog", "exclusion-no-end-event", PH_FUNNEL,
         ["p1, 60, signup", "p1, 120, paid", "p2, 180, signup", "p2, 210, x", "p2, 240, paid",
          "p3, 300, signup", "p3, 360, x", "p4, 420, signup", f"p4, {420 + 25 * HOUR}, x"],
         ["signup", "paid"], [2, 1], window_days=1, exclude=[{"event": "x", "between": [1, 2]}]),
    # step one, exclusion, step one 31 s later (10 s window): the later entry counts
    # (test_funnel_exclusion_multiple_possible_no_end_event1) — PH_FUNNEL
    case("posthog", "exclusion-later-entry", PH_FUNNEL, ["u, 0, one", f"u, {1 * SECOND}, ex", f"u, {31 * SECOND}, one"],
         ["one", "two"], [1, 0], window_days=10 / 86400, exclude=["ex"]),
    # step one, step one 31 s later, exclusion at 32 s: the first entry's window had closed (…_event2) — PH_FUNNEL
    case("posthog", "exclusion-after-window", PH_FUNNEL,
         ["u, 0, one", f"u, {31 * SECOND}, one", f"u, {32 * SECOND}, ex"], ["one", "two"], [1, 0],
         window_days=10 / 86400, exclude=["ex"]),
    # step one at 0 s and 1 s, exclusion at 2 s: both entries are dropped, nobody is left (…_event3) — PH_FUNNEL
    case("posthog", "exclusion-drops-every-entry", PH_FUNNEL,
         ["u, 0, one", f"u, {1 * SECOND}, one", f"u, {2 * SECOND}, ex"], ["one", "two"], [0, 0],
         window_days=10 / 86400, exclude=["ex"]),
    # an exclusion between steps 2 and 3 only (funnel_from_step 1, funnel_to_step 2): X before B does not
    # count; X after B drops the person from the whole funnel, even when C never comes — PH_EXCLUSION_SPEC,
    # PH_FUNNEL (test_funnel_exclusions_invalid_params: ranges are per step)
    case("posthog", "exclusion-step-range", PH_EXCLUSION_SPEC,
         ["u1, 0, A", "u1, 1, X", "u1, 2, B", "u1, 3, C", "u2, 0, A", "u2, 1, B", "u2, 2, X", "u2, 3, C",
          "u3, 0, A", "u3, 1, B", "u3, 2, X"], ["A", "B", "C"], [1, 1, 1],
         exclude=[{"event": "X", "between": [2, 3]}]),
    # strict order: any other event between two steps stops the person (test_basic_strict_funnel's person3,
    # person6, person7) — PH_STRICT
    case("posthog", "strict", PH_STRICT,
         ["p3, 0, signup", "p3, 1, pageview", "p3, 2, blah", "p3, 3, insight",
          "p6, 0, blah", "p6, 1, signup", "p6, 2, blah", "p6, 3, pageview",
          "p7, 0, blah", "p7, 1, signup", "p7, 2, pageview", "p7, 3, insight", "p7, 4, blah"],
         ["signup", "pageview", "insight"], [3, 2, 1], order="strict"),
    # thirty step-one events, step two and step three at one instant: the person converts
    # (test_multiple_events_same_timestamp_doesnt_blow_up) — PH_STRICT
    case("posthog", "same-instant-strict", PH_STRICT,
         [*(["u, 0, one"] * 30), "u, 0, two", "u, 0, three"], ["one", "two", "three"], [1, 1, 1], order="strict"),
    # a later step at the instant of the previous one counts as converted — PH_STRICT (same scenario, ordered)
    case("posthog", "same-instant", PH_STRICT, ["u1, 0, $pageview", "u1, 0, signup", "u2, 0, $pageview"],
         ["$pageview", "signup"], [2, 1]),
    # any order: step k = completed any k of the steps within the window from the first of them; p3 does
    # insight, signup, pageview (test_basic_unordered_funnel_conversion_times) — PH_UNORDERED
    case("posthog", "unordered-any-k", PH_UNORDERED,
         ["p1, 1440, signup", "p2, 1440, pageview", "p2, 1500, signup", "p3, 1440, insight", "p3, 1560, signup",
          "p3, 1680, pageview", "p3, 2880, pageview", "p3, 3060, insight", "p3, 3240, signup"],
         ["signup", "pageview", "insight"], [3, 2, 1], order="any", window_days=1),
    # unordered with exclusions x and y over the whole funnel: an excluded attempt is dropped, a person keeps
    # the furthest attempt with no exclusion (test_advanced_funnel_multiple_exclusions_between_steps) — PH_UNORDERED
    case("posthog", "unordered-exclusions", PH_UNORDERED,
         ["p1, 60, signup", "p1, 120, x", "p1, 180, pv", "p1, 240, insight", "p1, 270, y", "p1, 300, invite",
          "p1, 360, pv2",
          "p2, 60, signup", "p2, 90, y", "p2, 120, pv", "p2, 240, insight", "p2, 270, y", "p2, 300, invite",
          "p2, 330, x", "p2, 360, pv2",
          "p3, 60, signup", "p3, 90, x", "p3, 120, pv", "p3, 240, insight", "p3, 300, invite", "p3, 330, x",
          "p3, 360, pv2",
          "p4, 60, signup", "p4, 120, pv", "p4, 240, insight", "p4, 300, invite", "p4, 360, pv2",
          "p5, 60, signup", "p5, 90, x", "p5, 120, pv", "p5, 150, x", "p5, 240, insight", "p5, 270, y",
          "p5, 300, invite", "p5, 330, x", "p5, 360, pv2"],
         ["signup", "pv", "insight", "invite", "pv2"], [5, 2, 1, 1, 1], order="any", exclude=["x", "y"]),
    # unordered, 6 h window: user 1 does steps 1 and 2, the exclusion, then step 3 — only step 3 alone is
    # left (test_unordered_trend_with_partial_steps_and_exclusion) — PH_UNORDERED
    case("posthog", "unordered-exclusion-partial", PH_UNORDERED,
         ["u1, 600, s1", "u1, 660, s2", "u1, 720, ex", "u1, 780, s3", "u2, 600, s1", "u2, 660, s2", "u2, 720, s3"],
         ["s1", "s2", "s3"], [2, 1, 1], order="any", window_days=0.25, exclude=["ex"]),
    # unordered: an exclusion after the funnel was completed does not count
    # (test_unordered_exclusion_after_completion) — PH_UNORDERED
    case("posthog", "unordered-exclusion-after-completion", PH_UNORDERED,
         ["u, 60, signup", "u, 120, paid", "u, 180, left", "u, 240, x", "u, 300, left"],
         ["signup", "paid", "left"], [1, 1, 1], order="any", exclude=["x"]),
    # unordered: p2 signs up, does x, pays — counted at step 1 only, by its payment alone
    # (test_funnel_exclusions_full_window) — PH_UNORDERED
    case("posthog", "unordered-exclusion-full-window", PH_UNORDERED,
         ["p1, 60, signup", "p1, 120, paid", "p2, 180, signup", "p2, 210, x", "p2, 240, paid", "p3, 300, signup",
          "p3, 360, paid"], ["signup", "paid"], [3, 2], order="any", exclude=["x"]),
    # persons, not totals: p3 completes the funnel twice and counts once (test_basic_unordered_funnel_conversion
    # _times: 3 at step 1) — PH_UNORDERED; PostHog funnels have no totals mode (PostHog/posthog#27988);
    # re-entry: a later entry starts a new attempt and the furthest counts (…_no_end_event1) — PH_FUNNEL
    case("posthog", "persons-and-best-attempt", PH_FUNNEL,
         ["u, 0, A", f"u, {15 * DAY}, A", f"u, {15 * DAY + 60}, B", "v, 0, A", "v, 1, B", "v, 2, A", "v, 3, B"],
         ["A", "B"], [2, 2]),
    # sessions: a new $session_id after 30 minutes without activity; funnels counted per session — PH_SESSIONS
    case("posthog", "sessions", PH_SESSIONS, ["u/s1, 0, A", "u/s1, 1, B", "u/s2, 60, A"], ["A", "B"], [2, 1],
         unit="session"),
]


@pytest.mark.parametrize("vendor, rows, steps, options, expected", GA4 + MIXPANEL + AMPLITUDE + POSTHOG)
def test_vendor_counts_as_documented(vendor, rows, steps, options, expected):
    assert _table(vendor, rows, steps, options).units.tolist() == expected


def test_every_vendor_has_ten_golden_cases():
    for cases in (GA4, MIXPANEL, AMPLITUDE, POSTHOG):
        assert len(cases) >= 10


@pytest.mark.parametrize("emulate", [None, "ga4", "mixpanel", "amplitude", "posthog"])
@pytest.mark.parametrize("order", ["ordered", "strict"])
def test_renaming_a_step_never_changes_a_count(emulate, order):
    # u1's sign-up comes at the very instant of its page view: "at or after", whatever the page view is called
    # ($pageview sorts before signup, zz_pageview after it)
    rows = ["u1, 0, {pv}", "u1, 0, signup", "u2, 0, {pv}", "u2, 5, other", "u2, 6, signup", "u3, 0, {pv}"]
    counts = []
    for name in ("$pageview", "zz_pageview"):
        ev = events([r.format(pv=name) for r in rows])
        table = cjm.funnel_table(ev, [name, "signup"], by="event", emulate=emulate, order=order)
        counts.append(table.units.tolist())
    assert counts[0] == counts[1] == ([3, 2] if order == "ordered" else [3, 1])
