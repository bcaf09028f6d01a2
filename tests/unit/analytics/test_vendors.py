"""Golden tests: each vendor's documented examples (or rules, where no example is published).

Sources are cited in docs/adr/0001-how-a-funnel-counts.md.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_funnel import T0, events

import cjmlib as cjm
from cjmlib.analytics.reconcile import reconcile_funnels
from cjmlib.analytics.vendors import VENDORS, vendor_options


def _at(rows):
    """Rows of ``"user, HH:MM[:SS], event"`` on 2026-01-05."""
    out = []
    for row in rows:
        user, clock, event = (p.strip() for p in row.split(","))
        minutes = (pd.Timestamp(f"2026-01-05 {clock}") - T0).total_seconds() / 60
        out.append(f"{user}, {minutes}, {event}")
    return events(out)


def test_mixpanel_window_starts_at_the_first_entry_and_is_not_restarted():
    # Mixpanel's example: A→B→C, one-hour window; A at 1pm, A again at 1:30, B at 1:45, C at 2:15:
    # not counted as completing, since 1pm to 2:15pm is more than an hour
    ev = _at(["u, 13:00, A", "u, 13:30, A", "u, 13:45, B", "u, 14:15, C"])
    table = cjm.funnel_table(ev, ["A", "B", "C"], by="event", emulate="mixpanel", window_days=1 / 24)
    assert table.units.tolist() == [1, 1, 0]


def test_mixpanel_loose_ordering_examples():
    # Mixpanel's examples for A, B, C, D, E: exact order converts; F in between converts;
    # A, B, C, E stops after C
    ev = events(["u1, 0, A", "u1, 1, B", "u1, 2, C", "u1, 3, D", "u1, 4, E",
                 "u2, 0, A", "u2, 1, B", "u2, 2, F", "u2, 3, C", "u2, 4, D", "u2, 5, E",
                 "u3, 0, A", "u3, 1, B", "u3, 2, C", "u3, 3, E"])
    table = cjm.funnel_table(ev, list("ABCDE"), by="event", emulate="mixpanel")
    assert table.units.tolist() == [3, 3, 3, 2, 2]
    assert table.window_days.iloc[0] == 7  # the documented default window (docs.mixpanel.com)


def test_mixpanel_totals_reenter_after_completion_or_time_out():
    # Totals: a user is counted again after completing, or after the window runs out
    ev = events(["u, 0, A", "u, 1, B", "u, 2, A", "u, 3, B", "u, 100, A", "u, 200, A", "u, 201, B"])
    table = cjm.funnel_table(ev, ["A", "B"], by="event", emulate="mixpanel", counting="totals",
                             window_days=30 / 1440)
    # attempts: A@0→B@1, A@2→B@3, A@100 times out at 130, A@200→B@201
    assert table.units.tolist() == [4, 3]


def test_amplitude_one_conversion_per_path():
    # Amplitude's example: search four times, then add to cart: one conversion, not four
    ev = events(["u, 0, search", "u, 1, search", "u, 2, search", "u, 3, search", "u, 4, add_to_cart"])
    table = cjm.funnel_table(ev, ["search", "add_to_cart"], by="event", emulate="amplitude")
    assert table.units.tolist() == [1, 1]


def test_amplitude_events_in_the_same_second_count_in_either_order():
    # Amplitude: B fired first, then A within one second, counts as A → B
    ev = _at(["u, 10:00:00, B", "u, 10:00:01, A", "v, 10:00:00, B", "v, 10:00:05, A"])
    amplitude = cjm.funnel_table(ev, ["A", "B"], by="event", emulate="amplitude")
    assert amplitude.units.tolist() == [2, 1]  # v's A came 5 s after B
    assert cjm.funnel_table(ev, ["A", "B"], by="event").units.tolist() == [2, 0]


def test_amplitude_exact_order_is_strict():
    ev = events(["u, 0, A", "u, 1, X", "u, 2, B", "v, 0, A", "v, 1, B"])
    assert cjm.funnel_table(ev, ["A", "B"], by="event", emulate="amplitude", order="strict").units.tolist() == [2, 1]


def test_posthog_rules_window_strict_and_exclusions():
    # PostHog documents its orders (sequential, strict, any) and exclusion steps; its default window
    # is 14 days. No worked example is published: these cases follow the documented rules.
    day = 1440
    ev = events(["u1, 0, A", f"u1, {13 * day}, B",          # within 14 days
                 "u2, 0, A", f"u2, {15 * day}, B",          # after 14 days
                 "u3, 0, A", "u3, 1, X", "u3, 2, B",         # X between: sequential yes, strict no
                 f"u4, {20 * day}, A", f"u4, {20 * day + 1}, Z", f"u4, {20 * day + 2}, B"])
    sequential = cjm.funnel_table(ev, ["A", "B"], by="event", emulate="posthog")
    assert sequential.units.tolist() == [4, 3]
    strict = cjm.funnel_table(ev, ["A", "B"], by="event", emulate="posthog", order="strict")
    assert strict.units.tolist() == [4, 1]
    excluded = cjm.funnel_table(ev, ["A", "B"], by="event", emulate="posthog", exclude=["X", "Z"])
    assert excluded.units.tolist() == [2, 1]  # u3 and u4 leave the whole funnel


def test_ga4_open_and_closed_funnels():
    # GA4: a closed funnel is entered at step 1 only, an open one at any step; a user who goes from
    # A straight to D drops after A; a user entering at B is counted from B in an open funnel
    ev = events(["u1, 0, A", "u1, 1, B", "u1, 2, C", "u1, 3, D",
                 "u2, 0, A", "u2, 1, D",
                 "u3, 0, B", "u3, 1, C"])
    closed = cjm.funnel_table(ev, list("ABCD"), by="event", emulate="ga4")
    assert closed.units.tolist() == [2, 1, 1, 1]
    opened = cjm.funnel_table(ev, list("ABCD"), by="event", emulate="ga4", entry="open")
    assert opened.units.tolist() == [2, 2, 2, 2]  # u3 from B to C; u2's D also enters at D
    assert opened.new_entries.tolist() == [2, 1, 0, 1]


def test_ga4_within_duration_from_prior_step_is_inclusive():
    # GA4: a 5-second limit is met at 5.0 s, not after
    ev = _at(["u, 10:00:00, A", "u, 10:00:05, B", "v, 10:00:00, A", "v, 10:00:06, B"])
    table = cjm.funnel_table(ev, ["A", "B"], by="event", emulate="ga4", step_window_days=[None, 5 / 86400])
    assert table.units.tolist() == [2, 1]


def test_reconciliation_explains_why_counts_differ():
    # u buys 2 days after its first A but minutes after a second A: counted by every vendor whose window
    # holds 2 days, and by Amplitude (1 day) through the second A; w buys after 10 days: only GA4 (no
    # window) and PostHog (14 days) count it; x buys after 3 days: all but Amplitude
    day = 1440
    ev = events(["u, 0, A", f"u, {2 * day}, A", f"u, {2 * day + 5}, B", "w, 0, A", f"w, {10 * day}, B",
                 "x, 0, A", f"x, {3 * day}, B"])
    table = reconcile_funnels(ev, ["A", "B"], by="event", reference="ga4")
    step2 = table[table.step == 2].set_index("vendor")
    assert step2.units.to_dict() == {"ga4": 3, "mixpanel": 2, "amplitude": 1, "posthog": 3}
    assert step2.difference.to_dict() == {"ga4": 0, "mixpanel": -1, "amplitude": -2, "posthog": 0}
    assert "7.0 days" in step2.loc["mixpanel", "why"] and "ties" in step2.loc["mixpanel", "why"]
    assert "re-entry" in step2.loc["amplitude", "why"] and step2.loc["ga4", "why"] == ""
    # the rule behind each difference: the window alone moves Mixpanel's and Amplitude's count (Amplitude's
    # best re-entry alone changes nothing here: without a window every first A converts)
    assert step2.loc["mixpanel", "cause"] == "window_days" and step2.loc["amplitude", "cause"] == "window_days"
    assert step2.loc["posthog", "cause"] == "" and (table[table.step == 1].cause == "").all()
    with pytest.raises(ValueError, match="window_days"):
        reconcile_funnels(ev, ["A", "B"], by="event", window_days=1)


def test_reconciliation_names_the_exclusion_and_any_order_rules():
    # a: A, X, B; b: A, B, C; c: A, B, X. GA4 and Amplitude ("reached") drop a, whose X came before its last
    # step, and keep c at B; Mixpanel ("stop") keeps a at A and c at B; PostHog ("window") drops a and c
    ev = events(["a, 0, A", "a, 1, X", "a, 2, B", "b, 0, A", "b, 1, B", "b, 2, C", "c, 0, A", "c, 1, B", "c, 2, X"])
    table = reconcile_funnels(ev, ["A", "B", "C"], by="event", reference="ga4", exclude=["X"])
    by_vendor = table.set_index(["vendor", "step"])
    assert table[table.vendor == "ga4"].units.tolist() == [2, 2, 1]
    assert table[table.vendor == "amplitude"].units.tolist() == [2, 2, 1]
    assert table[table.vendor == "mixpanel"].units.tolist() == [3, 2, 1]
    assert table[table.vendor == "posthog"].units.tolist() == [1, 1, 1]
    assert by_vendor.loc[("mixpanel", 1), "cause"] == "exclusion_scope"
    assert by_vendor.loc[("posthog", 2), "cause"] == "exclusion_scope"
    # any order: b2 did C then B then nothing of A; PostHog counts "any k of the steps"
    ev = events(["b1, 0, A", "b1, 1, B", "b2, 0, C", "b2, 1, B"])
    table = reconcile_funnels(ev, ["A", "B", "C"], by="event", reference="ga4", order="any")
    posthog = table[table.vendor == "posthog"].set_index("step")
    assert posthog.units.tolist() == [2, 2, 0] and posthog.loc[1, "cause"] == "any_order"


def test_vendor_presets_are_complete_and_checked():
    assert set(VENDORS) == {"ga4", "mixpanel", "amplitude", "posthog"}
    assert vendor_options("posthog")["window_days"] == 14
    with pytest.raises(ValueError, match="'ga4'"):
        vendor_options("heap")


def test_presets_are_values_of_funnel_options():
    from cjmlib.analytics.vendors import PRESETS

    assert set(PRESETS) == set(VENDORS)
    for name, preset in PRESETS.items():
        assert isinstance(preset, cjm.FunnelOptions)
        assert {k: getattr(preset, k) for k in VENDORS[name]} == VENDORS[name]
    ev = _at(["u, 13:00, A", "u, 13:30, A", "u, 13:45, B", "u, 14:15, C", "v, 13:00, A", "v, 13:00, B"])
    for name, preset in PRESETS.items():
        by_name = cjm.funnel_table(ev, ["A", "B", "C"], by="event", emulate=name)
        by_value = cjm.funnel_table(ev, ["A", "B", "C"], by="event", options=preset)
        assert by_name.units.tolist() == by_value.units.tolist(), name
        assert by_name.units.tolist()[:2] == [2, 2], name  # v's B at A's instant counts, for every vendor
