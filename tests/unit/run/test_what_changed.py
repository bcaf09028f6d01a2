"""What changed since the last run: tested only when the two runs' data periods do not overlap."""

from __future__ import annotations

import math

import pytest
from scipy.stats import norm

from cjmlib.run.publish import periods_overlap, what_changed

Z = 1.959963984540054


def _kpi(baseline, low, high, start, end):
    return {"id": "conv", "name": "Conversion", "unit": "share", "baseline": baseline, "ci_low": low,
            "ci_high": high, "period_start": start, "period_end": end}


def test_periods_overlap_by_hand():
    assert periods_overlap(("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28")) is False  # adjacent
    assert periods_overlap(("2026-01-01", "2026-01-31"), ("2026-01-31", "2026-02-28")) is True  # one day shared
    assert periods_overlap(("2026-01-01", "2026-03-31"), ("2026-02-01", "2026-02-28")) is True  # one inside
    assert periods_overlap(("2026-02-01", "2026-02-28"), ("2026-01-01", "2026-01-15")) is False
    assert periods_overlap(None, ("2026-02-01", "2026-02-28")) is None
    assert periods_overlap(("", ""), ("2026-02-01", "2026-02-28")) is None


def test_non_overlapping_periods_are_tested_as_independent_samples():
    before = [_kpi(0.10, 0.08, 0.12, "2026-01-01", "2026-01-31")]
    after = [_kpi(0.15, 0.13, 0.17, "2026-02-01", "2026-02-28")]
    (row,) = what_changed(after, before)
    se = math.sqrt(2 * (0.04 / (2 * Z)) ** 2)  # each run's se from its own interval: width ÷ (2 × 1.96)
    assert row["delta"] == pytest.approx(0.05)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.05 - Z * se, 0.05 + Z * se))
    assert row["p_value"] == pytest.approx(2 * norm.sf(0.05 / se))
    assert row["significant"] and row["tested"] and row["note"] == ""


def test_overlapping_periods_are_not_tested_and_say_why():
    before = [_kpi(0.10, 0.08, 0.12, "2026-01-01", "2026-01-31")]
    after = [_kpi(0.15, 0.13, 0.17, "2026-01-08", "2026-02-07")]  # the same data extended by a week
    (row,) = what_changed(after, before)
    assert row["delta"] == pytest.approx(0.05) and (row["previous"], row["current"]) == (0.10, 0.15)
    assert all(math.isnan(row[k]) for k in ("ci_low", "ci_high", "p_value"))
    assert not row["significant"] and not row["tested"]
    assert "2026-01-01 – 2026-01-31" in row["note"] and "2026-01-08 – 2026-02-07" in row["note"]
    assert "independent" in row["note"]
    (fr,) = what_changed(after, before, language="fr")
    assert "se chevauchent" in fr["note"] and "2026-01-08 – 2026-02-07" in fr["note"]
    (same,) = what_changed(after, after)  # a run again on the same data: identical periods overlap
    assert same["delta"] == 0 and not same["tested"]


def test_an_unknown_period_is_not_tested():
    before = [{k: v for k, v in _kpi(0.10, 0.08, 0.12, "", "").items() if not k.startswith("period")}]
    after = [_kpi(0.15, 0.13, 0.17, "2026-02-01", "2026-02-28")]
    (row,) = what_changed(after, before)  # a manifest written before runs recorded their period
    assert math.isnan(row["p_value"]) and not row["tested"] and "not known" in row["note"]
    assert what_changed(after, None) == [] and what_changed(after, []) == []


def test_the_home_card_says_not_tested_when_the_runs_overlap_and_gives_the_verdict_otherwise():
    import pandas as pd

    from cjmlib.run.cover import kpi_cards

    before = [_kpi(0.10, 0.08, 0.12, "2026-01-01", "2026-01-31")]
    overlapping = [_kpi(0.15, 0.13, 0.17, "2026-01-08", "2026-02-07")]
    apart = [_kpi(0.15, 0.13, 0.17, "2026-02-01", "2026-02-28")]
    (card,) = kpi_cards(pd.DataFrame(overlapping), what_changed(overlapping, before), "en")
    assert card["change"] == "+5.0 pts since the last run (not tested: the two runs' data overlap)"
    (card,) = kpi_cards(pd.DataFrame(overlapping), what_changed(overlapping, before, language="fr"), "fr")
    assert "non testé" in card["change"] and "dans le bruit" not in card["change"]
    (card,) = kpi_cards(pd.DataFrame(apart), what_changed(apart, before), "en")
    assert card["change"].endswith("(significant)")  # p = 2·Φ(−0.05 / 0.0144) < 0.001, see above
