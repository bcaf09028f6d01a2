"""A/B test design (sample size, duration) and read-out, computed by hand and against statsmodels."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from helpers import write_csv
from scipy import stats
from statsmodels.stats.power import NormalIndPower

import cjmlib as cjm
from cjmlib.errors import DataError
from cjmlib.plan.experiments import prob_to_beat
from cjmlib.stats import wilson_interval

Z_A, Z_B = stats.norm.ppf(0.975), stats.norm.ppf(0.8)


def test_sample_size_by_hand_and_against_statsmodels():
    plan = cjm.sample_size(0.10, 0.20)  # +20 % relative: 10 % → 12 %
    assert plan["target"] == pytest.approx(0.12)
    h = 2 * math.asin(math.sqrt(0.12)) - 2 * math.asin(math.sqrt(0.10))
    assert plan["effect_size"] == pytest.approx(h)
    # 2·asin √p̂ has variance 1/n: the difference of two arms has 2/n
    assert plan["n_per_arm"] == math.ceil(2 * ((Z_A + Z_B) / h) ** 2)  # 3,835
    power = NormalIndPower()
    assert power.power(h, nobs1=plan["n_per_arm"], alpha=0.05) >= 0.8
    assert power.power(h, nobs1=plan["n_per_arm"] - 1, alpha=0.05) < 0.8
    # the textbook formula on the two variances agrees within 1 %
    fleiss = (Z_A + Z_B) ** 2 * (0.1 * 0.9 + 0.12 * 0.88) / 0.02**2
    assert plan["n_per_arm"] == pytest.approx(fleiss, rel=0.01)
    assert cjm.sample_size(0.10, 0.02, relative=False)["n_per_arm"] == plan["n_per_arm"]
    with pytest.raises(ValueError, match="must be different shares"):
        cjm.sample_size(0.6, 1.0)


def test_duration_from_traffic():
    plan = cjm.design_test(0.10, 0.20, daily_units=250, share=0.5)
    assert plan["days"] == math.ceil(2 * plan["n_per_arm"] / 125)  # 7,670 units at 125 a day: 62 days
    assert cjm.design_test(0.10, 0.20, daily_units=250, arms=3)["days"] == math.ceil(3 * plan["n_per_arm"] / 250)


def test_probability_to_beat_control():
    # Beta(1, 2) against Beta(2, 1): ∫∫_{b>a} 2(1−a)·2b = 5/6
    assert prob_to_beat(1, 1, 0, 1) == pytest.approx(5 / 6)
    assert prob_to_beat(40, 200, 40, 200) == pytest.approx(0.5)
    rng = np.random.default_rng(0)
    draws = rng.beta(41, 161, 400_000) > rng.beta(31, 171, 400_000)
    assert prob_to_beat(40, 200, 30, 200) == pytest.approx(draws.mean(), abs=0.003)


def test_readout_by_hand(tmp_path):
    path = write_csv(tmp_path / "results.csv", "experiment,variant,users,conversions",
                     ["banner,control,1000,100", "banner,variant,1000,130"])
    row = cjm.readout(cjm.read_results(path)).iloc[0]
    assert (row.control_rate, row.rate) == (0.1, 0.13)
    assert row.difference == pytest.approx(0.03) and row.relative_lift == pytest.approx(0.3)
    pooled = 230 / 2000
    z = 0.03 / math.sqrt(pooled * (1 - pooled) * (2 / 1000))
    assert row.p_value == pytest.approx(2 * stats.norm.sf(z))  # z = 2.10, p = 0.036
    (l1,), (u1,) = wilson_interval([130], [1000])
    (l2,), (u2,) = wilson_interval([100], [1000])
    assert row.diff_ci_low == pytest.approx(0.03 - math.sqrt((0.13 - l1) ** 2 + (u2 - 0.10) ** 2))  # Newcombe
    assert row.diff_ci_high == pytest.approx(0.03 + math.sqrt((u1 - 0.13) ** 2 + (0.10 - l2) ** 2))
    assert (row.ci_low, row.ci_high) == pytest.approx((l1, u1))
    assert row.prob_to_beat == pytest.approx(prob_to_beat(130, 1000, 100, 1000)) and row.prob_to_beat > 0.98
    assert row.significant


def _z_p(k1, n1, k2, n2):
    pooled = (k1 + k2) / (n1 + n2)
    z = (k1 / n1 - k2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return 2 * stats.norm.sf(abs(z))


def test_three_variants_read_together_are_corrected(tmp_path):
    path = write_csv(tmp_path / "results.csv", "experiment,variant,users,conversions",
                     ["banner,control,1000,100", "banner,variant,1000,130", "banner,bold,1000,118",
                      "mail,control,800,80", "mail,variant,800,103"])
    p = {("banner", "variant"): _z_p(130, 1000, 100, 1000), ("banner", "bold"): _z_p(118, 1000, 100, 1000),
         ("mail", "variant"): _z_p(103, 800, 80, 800)}
    ranked = sorted(p, key=p.get)
    holm, running = {}, 0.0  # Holm: the i-th smallest × (3 − i + 1), never below the one before
    for i, key in enumerate(ranked):
        running = max(running, min(1.0, p[key] * (3 - i)))
        holm[key] = running
    bh, running = {}, 1.0  # Benjamini–Hochberg: the i-th smallest × 3 ÷ i, never above the one after
    for i in (3, 2, 1):
        running = min(running, p[ranked[i - 1]] * 3 / i)
        bh[ranked[i - 1]] = running
    for correction, expected in (("holm", holm), ("bh", bh)):
        table = cjm.readout(cjm.read_results(path), correction=correction).set_index(["experiment", "variant"])
        for key, value in expected.items():
            assert table.loc[key, "p_value"] == pytest.approx(p[key])
            assert table.loc[key, "p_adjusted"] == pytest.approx(value)
            assert table.loc[key, "significant"] == (value < 0.05)
        assert (table.correction == correction).all()
    # banner's variant alone is significant at 5 % (p = 0.036), not once three variants are read
    assert p[("banner", "variant")] < 0.05 and holm[("banner", "variant")] > 0.05
    assert not cjm.readout(cjm.read_results(path)).set_index(["experiment", "variant"]).loc[
        ("banner", "variant"), "significant"]


def test_bad_results_are_reported_with_row_and_column(tmp_path):
    path = write_csv(tmp_path / "results.csv", "experiment,variant,users,conversions",
                     ["a,control,100,10", "a,variant,100,many", "b,new,50,60"])
    with pytest.raises(DataError) as err:
        cjm.read_results(path)
    text = str(err.value)
    assert "results.csv, row 3, column `conversions`: 'many' is not a count." in text
    assert "row 4, column `conversions`" in text and "more conversions than users" in text
    assert "experiment 'b' has no `control` variant" in text
    write_csv(tmp_path / "other.csv", "experiment,arm,users", ["a,control,1"])
    with pytest.raises(DataError, match="no column `variant`"):
        cjm.read_results(tmp_path / "other.csv")
    assert cjm.read_results(tmp_path / "missing.csv").empty


def test_message_and_opportunity_plans_use_the_measured_baselines(demo_project):
    project = cjm.load_project(demo_project)
    web = cjm.web_metrics(project).set_index("metric")
    days = cjm.period_days(project)
    plans = cjm.message_tests(project, mde=0.10).set_index("message")
    checkout = web.loc["checkout_abandonment"]
    assert plans.loc["exit_intent", "baseline"] == pytest.approx(1 - checkout.value)
    assert plans.loc["exit_intent", "daily_units"] == pytest.approx(checkout.denominator / days)
    assert plans.loc["cart_recovery", "baseline"] == pytest.approx(1 - web.loc["cart_abandonment", "value"])
    assert plans.loc["nps_banner", "denominator"] == web.loc["user_conversion", "numerator"]  # the buyers
    for r in plans.itertuples():
        assert r.n_per_arm == cjm.sample_size(r.baseline, 0.10)["n_per_arm"]
        assert r.days == math.ceil(2 * r.n_per_arm / r.daily_units)


def test_demo_readout_covers_the_planted_effects(demo_project):
    truth = json.loads((demo_project / "demo-truth.json").read_text(encoding="utf-8"))["experiments"]
    table = cjm.readout(cjm.read_results(demo_project / "experiments" / "results.csv")).set_index("experiment")
    assert set(table.index) == {"exit_intent", "cart_recovery", "nps_banner"}
    for name, rates in truth.items():
        planted = rates["variant"] - rates["control"]
        assert table.loc[name, "diff_ci_low"] < planted < table.loc[name, "diff_ci_high"], name


def test_opportunity_tests_says_why_a_step_cannot_be_tested():
    import pandas as pd

    sizing = pd.DataFrame({"opportunity": ["a", "b", "c", "d", "e", "f"], "name": list("ABCDEF"),
                           "funnel": "f", "step": "s", "previous": [100, 100, 100, 100, 0, 100],
                           "rate_now": [0.2, 1.0, 0.0, 0.3, np.nan, 0.2],
                           "rate_target": [0.3, 0.5, 0.1, 0.3, 0.5, 1.0], "days": 10})
    tests = cjm.opportunity_tests(sizing).set_index("opportunity")
    plan = cjm.design_test(0.2, 0.5, daily_units=10)  # the testable row is unchanged by the others
    assert tests.loc["a", "n_per_arm"] == plan["n_per_arm"] and tests.loc["a", "days"] == plan["days"]
    assert tests.loc["a", "note"] == "" and tests.loc["a", "mde"] == pytest.approx(0.5)
    untestable = tests.drop(index="a")
    assert untestable.n_per_arm.isna().all() and untestable.days.isna().all()
    assert untestable.note.tolist() == [
        "today's rate is 100%: a test cannot measure a rate that every unit or no unit reaches",
        "today's rate is 0%: a test cannot measure a rate that every unit or no unit reaches",
        "the target rate equals today's rate (30.0%): there is no change to detect",
        "no unit reached the step before: no rate to test",
        "the target rate 100% is not a share between 0 and 1 (both excluded)"]
    assert tests.loc["b", "baseline"] == 1 and tests.loc["b", "daily_units"] == 10
    assert "note" not in cjm.opportunity_tests(sizing.iloc[:1])  # every row planned: no note column
    assert cjm.opportunity_tests(sizing.iloc[1:2], language="fr").note.iloc[0].startswith("le taux actuel")
