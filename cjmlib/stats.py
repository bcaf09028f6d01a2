"""Intervals and small-sample rules shared by every analytic."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _st
from statsmodels.stats.multitest import multipletests

__all__ = ["CORRECTIONS", "Z95", "adjust_p_values", "mean_interval", "nps_interval", "poisson_rate_interval",
           "suppress_small", "wilson_interval"]

#: The corrections for testing several hypotheses at once: Holm's step-down (controls the chance of any
#: false positive, the default) and Benjamini–Hochberg's step-up (controls the expected share of false
#: positives among the findings: more findings, weaker promise).
CORRECTIONS = ("holm", "bh")

#: The z of a two-sided 95 % interval: the 97.5 % quantile of the standard normal,
#: ``scipy.stats.norm.ppf(0.975)``. Every 95 % interval of the library uses it.
Z95 = 1.959963984540054


def wilson_interval(successes, trials, *, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Return the Wilson score interval (low, high) of successes/trials, elementwise.

    ``z`` sets the level (:data:`Z95` for 95 %). Trials of 0 give NaN bounds.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    low, high = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def nps_interval(promoters, detractors, responses, *, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Return the normal-approximation interval of NPS = 100 × (promoters − detractors) / responses.

    The variance of the difference of two proportions of one multinomial sample is
    (p + d − (p − d)²) / n; ``z`` sets the level (:data:`Z95` for 95 %).
    """
    pr = np.asarray(promoters, dtype=float)
    de = np.asarray(detractors, dtype=float)
    n = np.asarray(responses, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p, d = pr / n, de / n
        se = np.sqrt((p + d - (p - d) ** 2) / n)
        low, high = 100 * np.clip(p - d - z * se, -1, 1), 100 * np.clip(p - d + z * se, -1, 1)
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def poisson_rate_interval(counts, exposure, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Return the exact (Garwood) Poisson interval (low, high) of the rate counts/exposure, elementwise.

    For a count k the bounds are chi2(α/2; 2k)/2 and chi2(1 − α/2; 2k + 2)/2 (low 0 when k = 0), divided
    by the exposure; an exposure of 0 gives NaN bounds. It suits rates that may pass 1, e.g. cases per order.

    Parameters
    ----------
    counts
        The events counted (e.g. support cases), a number or an array.
    exposure
        What they are counted per (e.g. orders), the same shape.
    level
        The confidence level (0.95 for a 95 % interval).
    """
    k = np.asarray(counts, dtype=float)
    e = np.asarray(exposure, dtype=float)
    alpha = 1 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(k > 0, _st.chi2.ppf(alpha / 2, 2 * k) / 2, 0.0) / e
        high = _st.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2 / e
    return np.where(e > 0, low, np.nan), np.where(e > 0, high, np.nan)


def mean_interval(values) -> tuple[float, float, float, int]:
    """Return (mean, low, high, n) of ``values`` with a Student-t 95 % interval; NaN bounds for n < 2."""
    x = pd.Series(values, dtype=float).dropna()
    n = len(x)
    if n == 0:
        return np.nan, np.nan, np.nan, 0
    mean = float(x.mean())
    if n < 2:
        return mean, np.nan, np.nan, n
    half = float(_st.t.ppf(0.975, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half, n


def suppress_small(table: pd.DataFrame, *, n_column: str, min_n: int, columns: list[str]) -> pd.DataFrame:
    """Return a copy of ``table`` with ``columns`` blank where ``n_column`` < ``min_n``.

    The rows blanked are marked in a ``suppressed`` column.
    """
    out = table.copy()
    small = out[n_column] < min_n
    for col in columns:
        out[col] = out[col].astype(float).where(~small)
    out["suppressed"] = small
    return out


def adjust_p_values(p_values, correction: str = "holm") -> np.ndarray:
    """Return the p-values adjusted for testing them together, NaN kept where a p-value is missing.

    Parameters
    ----------
    p_values
        The p-values of the tests read together (a sequence or array; NaN for an untested cell).
    correction
        ``"holm"`` (the default: Holm's step-down, family-wise error rate) or ``"bh"``
        (Benjamini–Hochberg's step-up, false discovery rate); see :data:`CORRECTIONS`.
    """
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {', '.join(CORRECTIONS)}, not {correction!r}")
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        out[tested] = multipletests(p[tested], method={"holm": "holm", "bh": "fdr_bh"}[correction])[1]
    return out
