"""Breakdowns: a rate per value of any column, each cell tested against the rest.

A breakdown takes one row per unit (session or user) with a 0/1 outcome and a column to break
down by (persona, channel, device, landing touchpoint, week…). The counting runs in the engine;
the tests run on the small table of cells: a two-sided two-proportion z-test of each cell
against all other units (Fisher's exact test when an expected count is below 5), corrected for
testing every cell at once: Holm's step-down by default, Benjamini–Hochberg's step-up on request
(``correction="bh"``; the spec's ``project.correction``). Cells with fewer than ``min_n`` units are suppressed and not tested, but
their units still count in the other cells' "rest".
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
from scipy import stats as _st
from statsmodels.stats.proportion import proportions_ztest

from ..stats import adjust_p_values, wilson_interval

__all__ = ["breakdown_table", "unit_outcomes"]

_FIRST = ("channel", "device", "touchpoint", "page")
_CORRECTED = {"holm": "Holm-corrected", "bh": "Benjamini–Hochberg-corrected"}


def unit_outcomes(source, *, unit: str = "session", goal: str = "purchase", goal_by: str = "event"):
    """Return an engine table with one row per unit, what it came through, and whether it reached the goal.

    Parameters
    ----------
    source
        A Project or an Ibis table of events.
    unit
        ``"session"`` or ``"user"``.
    goal
        The value of ``goal_by`` that counts as converting.
    goal_by
        The events' column holding ``goal``.

    Returns
    -------
    ibis Table
        ``unit_id``, ``user_id``, ``week`` (Monday of the unit's first event), ``events``,
        ``first_channel``, ``first_device``, ``landing_touchpoint``, ``landing_page`` (each when the
        events have the column; the value of the unit's first event) and ``converted`` (1 when a
        ``goal`` event happened, else 0).
    """
    if unit not in ("session", "user"):
        raise ValueError(f"unit must be 'session' or 'user', not {unit!r}")
    events = source.table("events") if hasattr(source, "table") else source
    key = "session_id" if unit == "session" else "user_id"
    firsts = {}
    for col in _FIRST:
        if col in events.columns:
            name = {"touchpoint": "landing_touchpoint", "page": "landing_page"}.get(col, f"first_{col}")
            firsts[name] = events[col].argmin(events.ts)
    table = events.group_by(unit_id=events[key]).agg(
        user_id=events.user_id.min(), week=events.ts.min().truncate("W").cast("date"),
        events=events.ts.count(), **firsts,
        converted=(events[goal_by] == goal).ifelse(1, 0).max())
    return table


def _test(k: int, n: int, k_rest: int, n_rest: int) -> tuple[float, str]:
    total_rate = (k + k_rest) / (n + n_rest)
    expected = np.array([n * total_rate, n * (1 - total_rate), n_rest * total_rate, n_rest * (1 - total_rate)])
    if expected.min() < 5:
        return float(_st.fisher_exact([[k, n - k], [k_rest, n_rest - k_rest]])[1]), "fisher"
    if k + k_rest in (0, n + n_rest):
        return 1.0, "z"
    return float(proportions_ztest([k, k_rest], [n, n_rest])[1]), "z"


def breakdown_table(table, by: str, *, outcome: str = "converted", min_n: int = 30,
                    alpha: float = 0.05, correction: str = "holm") -> pd.DataFrame:
    """Break a 0/1 outcome down by a column, with intervals, tests against the rest and suppression.

    Parameters
    ----------
    table
        One row per unit: an Ibis table (counted in the engine) or a pandas DataFrame.
    by
        The column to break down by; missing values form the cell ``"(none)"``.
    outcome
        The 0/1 (or boolean) column whose rate is broken down.
    min_n
        Cells with fewer units are suppressed: no rate, interval or test is shown.
    alpha
        The significance level applied to the adjusted p-values.
    correction
        How the p-values of the cells tested are adjusted: ``"holm"`` (the default) or ``"bh"``
        (Benjamini–Hochberg); see :func:`cjmlib.stats.adjust_p_values`.

    Returns
    -------
    DataFrame
        One row per value of ``by``, largest first: ``by`` (the column's name), ``value``, ``n``
        (units in the cell), ``successes``, ``rate`` (successes ÷ n), ``ci_low``, ``ci_high``
        (Wilson 95 %), ``rest_n``, ``rest_successes``, ``rest_rate`` (the other units' rate),
        ``difference`` (rate − rest_rate), ``test`` (``"z"`` or ``"fisher"``), ``p_value``,
        ``p_adjusted`` (``correction`` over the cells tested), ``significant``, ``suppressed``,
        ``overall_rate`` (all successes ÷ all units), ``total_n``, ``correction`` and ``rule`` (the
        suppression and testing rule, in words).
    """
    if isinstance(table, pd.DataFrame):
        key = table[by].astype(object).where(table[by].notna(), "(none)").astype(str)
        cells = (table.assign(_v=key, _y=table[outcome].astype(float))
                 .groupby("_v", dropna=False)["_y"].agg(["count", "sum"]).reset_index())
        cells.columns = ["value", "n", "successes"]
    else:
        value = ibis.coalesce(table[by].cast("string"), ibis.literal("(none)"))
        y = table[outcome].cast("int64")
        cells = table.group_by(value=value).agg(n=y.count(), successes=y.sum()).execute()
    cells = cells.astype({"value": str, "n": int, "successes": int}).sort_values(["n", "value"], ascending=[False, True])
    total_n, total_k = int(cells.n.sum()), int(cells.successes.sum())
    cells["rest_n"] = total_n - cells.n
    cells["rest_successes"] = total_k - cells.successes
    small = cells.n < min_n
    tested = ~small & (cells.rest_n > 0)
    results = [_test(k, n, kr, nr) if t else (np.nan, "") for k, n, kr, nr, t in
               zip(cells.successes, cells.n, cells.rest_successes, cells.rest_n, tested)]
    cells["p_value"] = [r[0] for r in results]
    cells["test"] = [r[1] for r in results]
    cells["p_adjusted"] = adjust_p_values(cells.p_value, correction)
    with np.errstate(invalid="ignore", divide="ignore"):
        cells["rate"] = cells.successes / cells.n
        cells["rest_rate"] = cells.rest_successes / cells.rest_n
    cells["ci_low"], cells["ci_high"] = wilson_interval(cells.successes, cells.n)
    cells["difference"] = cells.rate - cells.rest_rate
    for col in ("rate", "ci_low", "ci_high", "difference", "successes"):
        cells[col] = cells[col].astype(float).where(~small)
    cells["significant"] = (cells.p_adjusted < alpha).fillna(False).astype(bool)
    cells["suppressed"] = small.to_numpy()
    cells["overall_rate"] = total_k / total_n if total_n else np.nan
    cells["total_n"] = total_n
    cells["by"] = by
    cells["correction"] = correction
    cells["rule"] = (f"cells with fewer than {min_n} units are suppressed (their units still count in the rest); "
                     f"each other cell is compared with all other units by a two-sided two-proportion z-test "
                     f"(Fisher's exact test when an expected count is below 5); p-values {_CORRECTED[correction]} over "
                     f"the {int(tested.sum())} cells tested; significant when the adjusted p < {alpha}")
    cols = ["by", "value", "n", "successes", "rate", "ci_low", "ci_high", "rest_n", "rest_successes", "rest_rate",
            "difference", "test", "p_value", "p_adjusted", "significant", "suppressed", "overall_rate", "total_n",
            "correction", "rule"]
    return cells[cols].reset_index(drop=True)
