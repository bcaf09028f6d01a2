"""Drivers of drop-off: a 2×2 table, its odds ratio, Woolf interval, Holm adjustment and suppression by hand."""

from __future__ import annotations

import math

import pytest
from helpers import SMALL_SPEC, write_csv
from scipy.stats import fisher_exact

import cjmlib as cjm
from cjmlib.analytics.drivers import DRIVER_COLUMNS, funnel_drivers, odds_ratio_interval
from cjmlib.stats import adjust_p_values

FUNNELS = """\
funnels:
  - {id: buy, by: event, steps: [landing_view, purchase], unit: session}
  - {id: all, by: event, steps: [landing_view, product_view], unit: session}
breakdowns: [device]
"""


def _project(tmp_path):
    (tmp_path / "journey.yml").write_text(SMALL_SPEC + FUNNELS, encoding="utf-8")
    rows = []
    # 4 mobile sessions (1 buys), 4 desktop sessions (3 buy); every session views a product first
    for i, (device, bought) in enumerate([("mobile", 1), ("mobile", 0), ("mobile", 0), ("mobile", 0),
                                          ("desktop", 1), ("desktop", 1), ("desktop", 1), ("desktop", 0)]):
        s = f"s{i}"
        rows.append(f"u{i},{s},2026-01-05T10:00:00Z,product_view,/p,ads,{device},")
        rows.append(f"u{i},{s},2026-01-05T10:01:00Z,landing_view,/,ads,{device},")
        if bought:
            rows.append(f"u{i},{s},2026-01-05T10:02:00Z,purchase,/ok,ads,{device},10")
    write_csv(tmp_path / "data" / "events.csv", "user_id,session_id,ts,event,page,channel,device,revenue", rows)
    return cjm.load_project(tmp_path)


def test_two_by_two_odds_ratio_woolf_and_fisher_by_hand(tmp_path):
    table = funnel_drivers(_project(tmp_path), "buy").set_index(["feature", "value"])
    mobile = table.loc[("device", "mobile")]
    # with mobile: 4 sessions, 1 went on, 3 stopped; without (desktop): 4 sessions, 3 went on, 1 stopped
    assert [mobile.units_with, mobile.went_on_with, mobile.units_without, mobile.went_on_without] == [4, 1, 4, 3]
    assert (mobile.step, mobile.next_step) == ("landing_view", "purchase")
    assert mobile.rate_with == 0.25 and mobile.rate_without == 0.75
    # OR = (1 × 1) / (3 × 3) = 1/9; se = √(1/1 + 1/3 + 1/3 + 1/1) = √(8/3) = 1.63299
    # low = exp(ln(1/9) − 1.959964 × 1.63299) = exp(−2.19722 − 3.20060) = exp(−5.39782) = 0.004525
    # high = exp(−2.19722 + 3.20060) = exp(1.00338) = 2.72748
    assert mobile.odds_ratio == pytest.approx(1 / 9)
    assert mobile.ci_low == pytest.approx(0.004525, rel=1e-3) and mobile.ci_high == pytest.approx(2.72748, rel=1e-4)
    # Fisher, two-sided, [[1, 3], [3, 1]]: tables as or more extreme: a = 0, 1, 3, 4 → (1 + 16 + 16 + 1) / 70
    assert mobile.p_value == pytest.approx(34 / 70)
    assert mobile.p_value == pytest.approx(fisher_exact([[1, 3], [3, 1]])[1])
    desktop = table.loc[("device", "desktop")]
    assert desktop.odds_ratio == pytest.approx(9)
    # prior event: every session viewed a product before landing: it splits nobody, so no row
    assert ("prior_event", "product_view") not in table.index
    assert list(funnel_drivers(_project(tmp_path), "buy").columns) == DRIVER_COLUMNS


def test_haldane_correction_when_a_cell_is_zero():
    # [[0, 4], [3, 1]] + 0.5: OR = (0.5 × 1.5) / (4.5 × 3.5) = 0.75 / 15.75 = 0.047619
    ratio, low, high = odds_ratio_interval(0, 4, 3, 1)
    assert ratio == pytest.approx(0.75 / 15.75)
    se = math.sqrt(1 / 0.5 + 1 / 4.5 + 1 / 3.5 + 1 / 1.5)
    assert low == pytest.approx(math.exp(math.log(0.75 / 15.75) - 1.959964 * se), rel=1e-6)
    assert high == pytest.approx(math.exp(math.log(0.75 / 15.75) + 1.959964 * se), rel=1e-6)


def test_holm_over_the_candidates_by_hand(tmp_path):
    table = funnel_drivers(_project(tmp_path), "buy", correction="holm")
    p = table.p_value.tolist()
    assert len(p) == 2  # device mobile and desktop (one channel and one first touchpoint split nobody)
    # Holm over two equal p = 34/70: the smaller × 2 = 0.971, the larger max(that, p × 1) = 0.971
    assert table.p_adjusted.tolist() == pytest.approx([min(1, 2 * 34 / 70)] * 2)
    assert not table.significant.any() and (table.correction == "holm").all()
    # three p-values 0.01, 0.04, 0.03 by hand: 0.01 × 3 = 0.03; 0.03 × 2 = 0.06; max(0.06, 0.04 × 1) = 0.06
    assert adjust_p_values([0.01, 0.04, 0.03], "holm").tolist() == pytest.approx([0.03, 0.06, 0.06])


def test_small_groups_suppressed(tmp_path):
    table = funnel_drivers(_project(tmp_path), "buy", min_group=5).set_index("value")
    assert table.suppressed.all()  # 4 units on each side, fewer than 5
    assert table.loc["mobile", "units_with"] == 4 and math.isnan(table.loc["mobile", "odds_ratio"])
    assert math.isnan(table.loc["mobile", "p_value"]) and not table.significant.any()


def test_degenerate_inputs_give_an_empty_table(tmp_path):
    project = _project(tmp_path)
    # every session that lands had viewed a product before, but nobody views one after landing: no one goes on
    everyone = funnel_drivers(project, "all")
    assert everyone.empty and list(everyone.columns) == DRIVER_COLUMNS
    with pytest.raises(cjm.SpecError):
        funnel_drivers(project, "nope")
