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
    return pd.DataFrame({"step": [1, 2, 3], "label": ["Landing", "Cart", "Checkout"], "entered": [400, 400, 300],
                         "converted": [400, 300, 30], "step_rate": [1.0, 0.75, 0.10], "step_ci_low": [0.99, 0.71, 0.07],
                         "step_ci_high": [1.0, 0.79, 0.14], "unit": [unit] * 3})


@pytest.fixture
def run_dir(tmp_path):
    save_result(tmp_path, "purchase_funnel_7d", _funnel("session"))
    weeks = []
    for i, week in enumerate(pd.date_range("2026-09-07", periods=4, freq="7D")):
        broke = i == 2  # mobile: 40 of 50 abandon in the third week (0.80) against 20 of 50 (0.40) usually
        weeks.append({"week": week, "device": "mobile", "sessions": 50, "abandoned": 40 if broke else 20,
                      "rate": 0.8 if broke else 0.4, "ci_low": 0.67 if broke else 0.28, "ci_high": 0.89 if broke else 0.54})
    save_result(tmp_path, "weekly_abandonment", pd.DataFrame(weeks))
    return tmp_path


def test_behaviour_findings_in_english(run_dir):
    assert findings_sentences(run_dir, "04-behaviour", "en") == [
        ("In the week of Sep 21, 2026, mobile checkout abandonment reached 80.0% (95 % CI 67.0–89.0; 40 of 50 "
         "sessions), against 40.0% in a usual week."),
        ("The largest drop-off of the purchase funnel is from Cart to Checkout: 30 of 300 sessions went on, 10.0% "
         "(95 % CI 7.0–14.0)."),
    ]


def test_behaviour_findings_in_french(run_dir):
    sentences = findings_sentences(run_dir, "04-behaviour", "fr")
    assert sentences[0] == (f"La semaine du 21 sept. 2026, l'abandon du paiement sur mobile a atteint 80,0{NNBSP}% "
                            f"(IC à 95 % 67,0–89,0 ; 40 sessions sur 50), contre 40,0{NNBSP}% une semaine habituelle.")
    assert sentences[1].startswith("La plus forte perte de l'entonnoir d'achat se situe entre Cart et Checkout")


def test_a_week_within_its_usual_range_is_no_finding(run_dir):
    weeks = pd.read_parquet(run_dir / "results" / "weekly_abandonment.parquet")
    weeks.loc[2, "ci_low"] = 0.39  # the interval now reaches the usual 0.40: no week broke
    save_result(run_dir, "weekly_abandonment", weeks)
    assert [f.key for f in key_findings(run_dir, "04-behaviour")] == ["funnel_drop"]


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
