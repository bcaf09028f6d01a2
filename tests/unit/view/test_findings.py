"""The key findings: chosen from small hand-made results, written with n and interval in en and fr, and
left out when a result is absent."""

from __future__ import annotations

import pandas as pd
import pytest

from cjmlib.data.results import save_result
from cjmlib.plan.findings import key_findings
from cjmlib.view.findings import FindingsBlock, findings_sentences

NNBSP = "\u202f"


def _funnel(unit: str) -> pd.DataFrame:
    # 400 enter, 300 go on (0.75), then 30 of 300 (0.10): the drop-off from Cart to Checkout is the largest
    return pd.DataFrame({"step": ["landing", "cart", "checkout"], "label": ["Landing", "Cart", "Checkout"],
                         "entered": [400, 400, 300], "converted": [400, 300, 30], "step_rate": [1.0, 0.75, 0.10],
                         "step_ci_low": [0.99, 0.71, 0.07], "step_ci_high": [1.0, 0.79, 0.14], "unit": [unit] * 3,
                         "funnel": ["buy"] * 3, "funnel_name": ["Purchase funnel"] * 3})


def _breakdowns(significant: bool) -> pd.DataFrame:
    # by device: mobile converts 5.0% of 200 against 10.0% for the rest (desktop: the reverse)
    return pd.DataFrame({"funnel": ["buy", "buy", "buy"], "by": ["device", "device", "channel"],
                         "value": ["mobile", "desktop", "ads"], "n": [200, 200, 3], "rate": [0.05, 0.10, 0.0],
                         "ci_low": [0.03, 0.07, 0.0], "ci_high": [0.09, 0.15, 0.56], "rest_rate": [0.10, 0.05, 0.075],
                         "significant": [significant, significant, False], "suppressed": [False, False, True]})


def _outliers() -> pd.DataFrame:
    # the week of 2026-09-21: 8 of 42 mobile sessions went on (0.19) against 0.54 in the other weeks; a week
    # of 20 social sessions fell further but is too small to be told; a better week is no break
    return pd.DataFrame({"period": [pd.Timestamp("2026-09-21").date()] * 3 + [pd.Timestamp("2026-09-14").date()],
                         "by": ["channel", "device", "", ""], "value": ["social", "mobile", "", ""],
                         "step": [3, 3, 3, 3], "key": ["checkout"] * 4, "label": ["Checkout"] * 4,
                         "n": [20, 42, 70, 300], "converted": [0, 8, 25, 200], "rate": [0.0, 8 / 42, 25 / 70, 2 / 3],
                         "ci_low": [0.0, 0.10, 0.255, 0.61], "ci_high": [0.16, 0.333, 0.474, 0.72],
                         "rest_rate": [0.55, 0.542, 0.567, 0.40], "difference": [-0.55, 8 / 42 - 0.542, -0.21, 0.27],
                         "p_adjusted": [0.001, 0.002, 0.01, 0.001]})


@pytest.fixture
def run_dir(tmp_path):
    save_result(tmp_path, "funnel-buy", _funnel("session"))
    save_result(tmp_path, "funnel_breakdowns", _breakdowns(significant=True))
    save_result(tmp_path, "trend_outliers", _outliers())
    save_result(tmp_path, "funnel_trend", pd.DataFrame({"period": ["2026-09-21"], "unit": ["session"]}))
    return tmp_path


def test_behaviour_findings_in_english(run_dir):
    assert findings_sentences(run_dir, "04-behaviour", "en") == [
        ("In the week of Sep 21, 2026, only 8 of 42 sessions (device: mobile) went on to Checkout: 19.0% (95 % CI "
         "10.0–33.3), against 54.2% in other weeks."),
        ("In Purchase funnel, the largest drop-off is from Cart to Checkout: 30 of 300 sessions went on, 10.0% "
         "(95 % CI 7.0–14.0)."),
        ("In Purchase funnel, by device, mobile converts least: 5.0% (95 % CI 3.0–9.0, n = 200) against 10.0% for "
         "the rest."),
    ]


def test_behaviour_findings_in_french(run_dir):
    sentences = findings_sentences(run_dir, "04-behaviour", "fr")
    assert sentences[0] == (f"La semaine du 21 sept. 2026, Checkout n'a été atteint que par 8 sessions sur 42 "
                            f"(appareil : mobile), soit 19,0{NNBSP}% (IC à 95 % 10,0–33,3), contre 54,2{NNBSP}% les "
                            f"autres semaines.")
    assert sentences[1].startswith("Dans Purchase funnel, la plus forte perte se situe entre Cart et Checkout : "
                                   "30 sur 300 sessions ont continué")


def test_a_whole_funnel_week_and_no_difference_by_breakdown(run_dir):
    save_result(run_dir, "trend_outliers", _outliers().iloc[[0, 2, 3]])  # mobile's week is gone: the whole funnel's
    save_result(run_dir, "funnel_breakdowns", _breakdowns(significant=False))
    found = key_findings(run_dir, "04-behaviour")
    assert [f.key for f in found] == ["week_broke_all", "funnel_drop", "segment_no_difference"]
    assert found[0].values["n"] == (70, "count") and "by" not in found[0].values
    assert findings_sentences(run_dir, "04-behaviour", "en")[2] == (
        "In Purchase funnel, conversion barely differs by device: the lowest, mobile, is 5.0% (95 % CI 3.0–9.0, "
        "n = 200) against 10.0% for the rest.")


def test_no_week_that_broke_when_no_week_fell(run_dir):
    save_result(run_dir, "trend_outliers", _outliers().iloc[[0, 3]])  # too small, or better than usual
    assert [f.key for f in key_findings(run_dir, "04-behaviour")] == ["funnel_drop", "segment_worse"]


def test_each_behaviour_finding_degrades_alone(run_dir):
    (run_dir / "results" / "funnel_breakdowns.parquet").unlink()
    (run_dir / "results" / "funnel_trend.parquet").unlink()  # the unit falls back to sessions
    assert findings_sentences(run_dir, "04-behaviour", "en")[0].startswith("In the week of Sep 21, 2026, only 8 of 42 sessions")
    assert [f.key for f in key_findings(run_dir, "04-behaviour")] == ["week_broke", "funnel_drop"]
    (run_dir / "results" / "trend_outliers.parquet").unlink()
    assert [f.key for f in key_findings(run_dir, "04-behaviour")] == ["funnel_drop"]
    (run_dir / "results" / "funnel-buy.parquet").unlink()
    save_result(run_dir, "funnel_breakdowns", _breakdowns(significant=True))
    assert key_findings(run_dir, "04-behaviour") == []  # a breakdown without its funnel tells nothing


def test_every_declared_funnel_has_its_drop_off_in_the_order_of_the_breakdowns(run_dir):
    users = _funnel("user").assign(funnel="a-users", funnel_name="Customers funnel")
    save_result(run_dir, "funnel-a-users", users)
    breakdowns = pd.concat([_breakdowns(significant=True), _breakdowns(significant=True).assign(funnel="a-users")])
    save_result(run_dir, "funnel_breakdowns", breakdowns)
    found = key_findings(run_dir, "04-behaviour")
    assert [(f.key, f.values["funnel"][0]) for f in found[1:]] == [
        ("funnel_drop", "Purchase funnel"), ("segment_worse", "Purchase funnel"),
        ("funnel_drop", "Customers funnel"), ("segment_worse", "Customers funnel")]
    assert found[3].values["units"] == ("user", "unit")


def test_absent_results_give_no_finding_and_no_block(tmp_path):
    for step in ("01-goals", "04-behaviour", "05-voice-of-customer", "06-improvements", "07-journey-map"):
        assert key_findings(tmp_path, step) == []
    assert FindingsBlock([]).to_html() == ""
    with pytest.raises(ValueError, match="unknown step"):
        key_findings(tmp_path, "08-nothing")


def test_the_largest_sized_effect_and_an_escaped_block(tmp_path):
    save_result(tmp_path, "sizing", pd.DataFrame({
        "name": ["Small fix", "Autofill <b>"], "label": ["Cart", "Checkout"], "rate_now": [0.5, 0.6],
        "rate_target": [0.55, 0.68], "delta_per_month": [3.0, 25.3], "delta_low": [1.0, 15.8],
        "delta_high": [5.0, 34.7]}))
    sentences = findings_sentences(tmp_path, "06-improvements", "en")
    assert sentences == [("Autofill <b> is worth the most: 25.3 extra conversions a month (95 % CI 15.8–34.7) by "
                          "raising Checkout from 60.0% to 68.0%.")]
    block = FindingsBlock(sentences, "fr").to_html()
    assert "Constats clés" in block and "&lt;b&gt;" in block and "<b>" not in block
