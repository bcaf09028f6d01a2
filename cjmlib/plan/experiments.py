"""A/B tests: designed from the measured baseline and traffic, read out from the results.

Design. For a conversion rate p₁ today and a minimum detectable effect (MDE) that would move it to
p₂, the sample per arm is the one of a two-sided two-sample z-test on Cohen's effect size
h = 2·asin √p₂ − 2·asin √p₁ (statsmodels' ``NormalIndPower``; 2·asin √p̂ has variance 1/n, so the
difference of two arms has 2/n):

    n = 2 × ((z_{1−α/2} + z_{1−β}) ÷ h)²   per arm,

rounded up; the duration is the arms' total sample ÷ the eligible units per day measured in the data.

Read-out. For each variant against the control: both rates with Wilson 95 % intervals, the
difference with Newcombe's hybrid-score interval, the two-sided p-value of the pooled
two-proportion z-test, and the probability that the variant's true rate beats the control's under
uniform Beta(1, 1) priors (exact sum, no simulation). Several variants read together are several
tests: their p-values are adjusted together (Holm's step-down by default, Benjamini–Hochberg's
step-up with ``correction="bh"``, the spec's ``project.correction``) and only the adjusted p makes
a variant significant.

Examples
--------
>>> design_test(0.05, 0.10, daily_units=400)["n_per_arm"]     # doctest: +SKIP
31218
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import betaln
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_effectsize, proportions_ztest

from ..analytics.web import key_events, web_metrics
from ..data.abtests import read_results
from ..data.sql import literal_list
from ..i18n.catalogue import words
from ..i18n.formats import percent
from ..stats import adjust_p_values, wilson_interval
from .sizing import period_days

__all__ = ["MESSAGES", "design_test", "message_tests", "opportunity_tests", "prob_to_beat", "read_results",
           "readout", "sample_size"]

#: On-site messages the playbook tests, with the sessions they target and the conversion they aim at.
#: Their words are the catalogue's ``experiments`` section (``messages``).
MESSAGES = {key: {"en": info["name"], "fr": words("experiments", "fr")["messages"][key]["name"],
                  "unit": info["unit"], "metric": info["metric"]}
            for key, info in words("experiments")["messages"].items()}


def sample_size(baseline: float, mde: float, *, relative: bool = True, alpha: float = 0.05,
                power: float = 0.8) -> dict:
    """Units per arm to detect a move of the rate ``baseline`` by ``mde``.

    Parameters
    ----------
    baseline
        The control's conversion rate, p₁ (a share in (0, 1)).
    mde
        Minimum detectable effect: relative (0.10 = +10 % of p₁) or, with ``relative=False``, in
        points of share (0.01 = +1 point).
    alpha, power
        Two-sided significance level and power.

    Returns
    -------
    dict
        ``baseline``, ``target`` (p₂), ``effect_size`` (Cohen's h), ``n_per_arm`` (rounded up),
        ``alpha``, ``power``.
    """
    target = baseline * (1 + mde) if relative else baseline + mde
    if not (0 < baseline < 1 and 0 < target < 1) or target == baseline:
        raise ValueError(f"the baseline ({baseline}) and the target ({target}) must be different shares in (0, 1)")
    h = float(proportion_effectsize(target, baseline))
    n = NormalIndPower().solve_power(effect_size=abs(h), alpha=alpha, power=power, ratio=1.0,
                                     alternative="two-sided")
    return {"baseline": baseline, "target": target, "effect_size": h, "n_per_arm": math.ceil(float(n)),
            "alpha": alpha, "power": power}


def design_test(baseline: float, mde: float, *, daily_units: float, arms: int = 2, share: float = 1.0,
                relative: bool = True, alpha: float = 0.05, power: float = 0.8) -> dict:
    """Plan an A/B test: :func:`sample_size` plus the days the measured traffic needs.

    ``daily_units`` is the eligible traffic per day; ``share`` the part of it put in the test.
    ``days`` = ⌈arms × n_per_arm ÷ (daily_units × share)⌉.

    Parameters
    ----------
    baseline
        The control's conversion rate, p₁ (a share in (0, 1)).
    mde
        Minimum detectable effect: relative (0.10 = +10 % of p₁) or, with ``relative=False``, in
        points of share (0.01 = +1 point).
    daily_units
        Eligible units (users or sessions) per day; ``days`` is None when it is 0.
    arms
        Number of arms, the control included (2 by default).
    share
        Share of the eligible traffic put in the test, in (0, 1] (1.0 by default: all of it).
    relative
        Whether ``mde`` is relative to the baseline (True, the default) or in points of share.
    alpha
        Two-sided significance level (0.05 by default).
    power
        Power: the chance of detecting the effect when it is real (0.8 by default).
    """
    plan = sample_size(baseline, mde, relative=relative, alpha=alpha, power=power)
    per_day = daily_units * share
    days = math.ceil(arms * plan["n_per_arm"] / per_day) if per_day > 0 else None
    return {**plan, "arms": arms, "daily_units": daily_units, "share_in_test": share, "days": days}


def _per_day(count: float, days: float) -> float:
    return count / days if days else float("nan")


def message_tests(project, *, mde: float = 0.10, alpha: float = 0.05, power: float = 0.8,
                  language: str = "en") -> pd.DataFrame:
    """Test plans for the on-site messages of :data:`MESSAGES`, from the project's baselines and traffic.

    Baselines reuse the results of step 4: exit intent = 1 − checkout abandonment, cart recovery =
    1 − cart abandonment (:func:`cjmlib.web_metrics`); NPS banner = customers with a purchase who
    answered an NPS survey ÷ customers with a purchase.

    Parameters
    ----------
    project
        The loaded project (DuckDB engine): its events, surveys and period.
    mde
        Minimum detectable effect, relative to each baseline (0.10 by default: +10 %).
    alpha
        Two-sided significance level (0.05 by default).
    power
        Power: the chance of detecting the effect when it is real (0.8 by default).
    language
        Language of the messages' name, unit and metric: ``"en"`` (the default) or ``"fr"``; any other
        gives English.

    Returns
    -------
    DataFrame
        ``message``, ``name``, ``unit``, ``metric``, ``numerator``, ``denominator``, ``baseline``,
        then the keys of :func:`design_test`.
    """
    days = period_days(project)
    web = web_metrics(project).set_index("metric")
    counts = {}
    for key, metric in (("exit_intent", "checkout_abandonment"), ("cart_recovery", "cart_abandonment")):
        r = web.loc[metric]
        counts[key] = (int(r.denominator - r.numerator), int(r.denominator))
    if project.has("surveys"):
        purchase = literal_list(key_events(project)["purchase"])
        row = project.sql(f"""WITH b AS (SELECT DISTINCT user_id FROM events WHERE event IN ({purchase}))
                              SELECT count(*) buyers, count(*) FILTER (WHERE user_id IN
                                     (SELECT user_id FROM surveys WHERE kind = 'nps')) answered FROM b""").iloc[0]
        counts["nps_banner"] = (int(row.answered), int(row.buyers))
    rows = []
    for key, (num, den) in counts.items():
        info = words("experiments", language)["messages"][key]
        base = {"message": key, "name": info["name"], "unit": info["unit"], "metric": info["metric"], "numerator": num, "denominator": den, "baseline": num / den if den else np.nan}
        try:
            plan = design_test(base["baseline"], mde, daily_units=_per_day(den, days), alpha=alpha, power=power)
        except ValueError:
            plan = {}  # a baseline of 0 or 1 cannot be moved by a relative effect
        rows.append({**base, **plan})
    return pd.DataFrame(rows)


def _untestable(now: float, target: float, language: str) -> str:
    """Why no test can detect the rate moving from ``now`` to ``target`` ("" when one can)."""
    text = words("experiments", language)["untestable"]
    if pd.isna(now):
        return text["no_units"]
    if not 0 < now < 1:
        return text["rate_bound"].format(rate=percent(now, language, 0))
    if pd.isna(target) or not 0 < target < 1:
        return text["target_bound"].format(rate=target if pd.isna(target) else percent(target, language, 0))
    return text["same_rate"].format(rate=percent(now, language, 1)) if target == now else ""


def opportunity_tests(sizing: pd.DataFrame, *, alpha: float = 0.05, power: float = 0.8,
                      language: str = "en") -> pd.DataFrame:
    """A test plan for each sized opportunity: detect its step rate moving from p to the p′ aimed at.

    ``sizing`` is :func:`cjmlib.sizing.sizing_table`; the eligible traffic is the units reaching the
    step before, per day. A step no test can measure (no unit before it, a rate of 0 or 1 today, a
    target of 0 or 1, a target equal to today's rate) gets no plan: its sample size and days are NaN
    and a ``note`` column says why.

    Parameters
    ----------
    sizing
        The table of :func:`cjmlib.plan.sizing.sizing_table` (``rate_now``, ``rate_target``, ``previous``,
        ``days`` and the opportunity's ``opportunity``, ``name``, ``step``).
    alpha
        Two-sided significance level (0.05 by default).
    power
        Power: the chance of detecting the effect when it is real (0.8 by default).
    language
        Language of the notes: ``"en"`` (the default) or ``"fr"``; any other gives English.

    Returns
    -------
    DataFrame
        ``opportunity``, ``name``, ``funnel`` (the id of the funnel sized), ``step``, then the keys of
        :func:`design_test` (``mde`` relative); plus ``note`` when a row has no plan.
    """
    rows = []
    for r in sizing.itertuples():
        daily = _per_day(r.previous, r.days)
        note = _untestable(r.rate_now, r.rate_target, language)
        if note:
            mde = r.rate_target / r.rate_now - 1 if r.rate_now > 0 else np.nan
            plan = {"baseline": r.rate_now, "target": r.rate_target, "effect_size": np.nan, "n_per_arm": np.nan,
                    "alpha": alpha, "power": power, "arms": 2, "daily_units": daily, "share_in_test": 1.0,
                    "days": np.nan, "note": note}
        else:
            mde = r.rate_target / r.rate_now - 1
            plan = design_test(r.rate_now, mde, daily_units=daily, alpha=alpha, power=power)
        rows.append({"opportunity": r.opportunity, "name": r.name, "funnel": getattr(r, "funnel", ""),
                     "step": r.step, "mde": mde, **plan})
    table = pd.DataFrame(rows, columns=None if rows else ["opportunity", "name", "funnel", "step", "mde"])
    if "note" in table:
        table["note"] = table["note"].fillna("")
    return table


# ---------------------------------------------------------------- results

def prob_to_beat(conv_b: int, n_b: int, conv_a: int, n_a: int) -> float:
    """Return P(rate B > rate A) with uniform priors: Beta(1 + conversions, 1 + failures) posteriors, exact sum.

    Parameters
    ----------
    conv_b
        Conversions of arm B (the variant).
    n_b
        Units exposed in arm B.
    conv_a
        Conversions of arm A (the control).
    n_a
        Units exposed in arm A.
    """
    a_a, b_a, a_b, b_b = 1 + conv_a, 1 + n_a - conv_a, 1 + conv_b, 1 + n_b - conv_b
    i = np.arange(a_b, dtype=float)
    terms = betaln(a_a + i, b_a + b_b) - np.log(b_b + i) - betaln(1 + i, b_b) - betaln(a_a, b_a)
    return float(np.clip(np.exp(terms).sum(), 0.0, 1.0))


def readout(results: pd.DataFrame, *, alpha: float = 0.05, correction: str = "holm") -> pd.DataFrame:
    """Read out each variant against its experiment's control.

    Parameters
    ----------
    results
        The table of :func:`read_results`: ``experiment``, ``variant`` (one ``control`` per experiment),
        ``users``, ``conversions``.
    alpha
        Significance level of the ``significant`` column (0.05 by default); the intervals stay 95 %.
    correction
        How the p-values of all the variants read (every experiment of ``results``) are adjusted
        together: ``"holm"`` (the default) or ``"bh"`` (Benjamini–Hochberg); see
        :func:`cjmlib.stats.adjust_p_values`.

    Returns
    -------
    DataFrame
        ``experiment``, ``variant``, ``control_users``, ``control_conversions``, ``control_rate`` with
        ``control_ci_low``, ``control_ci_high``; ``users``, ``conversions``, ``rate``, ``ci_low``,
        ``ci_high``; ``difference`` (rate − control rate) with ``diff_ci_low``, ``diff_ci_high``
        (Newcombe, 95 %), ``relative_lift`` (difference ÷ control rate), ``p_value`` (pooled z-test,
        two-sided), ``p_adjusted`` (``correction`` over the variants read), ``correction``,
        ``prob_to_beat`` and ``significant`` (adjusted p < ``alpha``).
    """
    rows = []
    for name, sub in results.groupby("experiment", sort=False):
        is_control = sub.variant.str.lower().eq("control")
        c = sub[is_control].iloc[0]
        for v in sub[~is_control].itertuples():
            low, high = confint_proportions_2indep(v.conversions, v.users, c.conversions, c.users,
                                                   method="newcomb", compare="diff", alpha=0.05)
            _, p = proportions_ztest([v.conversions, c.conversions], [v.users, c.users])
            rows.append({"experiment": name, "variant": v.variant, "control_users": int(c.users),
                         "control_conversions": int(c.conversions), "users": int(v.users),
                         "conversions": int(v.conversions), "diff_ci_low": float(low), "diff_ci_high": float(high),
                         "p_value": float(p), "prob_to_beat": prob_to_beat(v.conversions, v.users, c.conversions,
                                                                           c.users)})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["control_rate"] = table.control_conversions / table.control_users
    table["control_ci_low"], table["control_ci_high"] = wilson_interval(table.control_conversions, table.control_users)
    table["rate"] = table.conversions / table.users
    table["ci_low"], table["ci_high"] = wilson_interval(table.conversions, table.users)
    table["difference"] = table.rate - table.control_rate
    table["relative_lift"] = table.difference / table.control_rate
    table["p_adjusted"] = adjust_p_values(table.p_value, correction)
    table["correction"] = correction
    table["significant"] = table.p_adjusted < alpha
    return table[["experiment", "variant", "control_users", "control_conversions", "control_rate", "control_ci_low",
                  "control_ci_high", "users", "conversions", "rate", "ci_low", "ci_high", "difference",
                  "diff_ci_low", "diff_ci_high", "relative_lift", "p_value", "p_adjusted", "correction", "prob_to_beat",
                  "significant"]]
