"""Charts: each draws a table computed elsewhere onto one Axes and returns it; none computes.

Every function takes the tidy table that an analytic returned, ``ax=None`` (a new figure when
omitted) and returns the Axes, so charts compose and tests can read the artists back.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

__all__ = ["set_theme", "plot_funnel", "plot_weekly_abandonment", "plot_nps", "plot_themes", "plot_emotion"]

PALETTE = {"main": "#2f5d8a", "accent": "#d9822b", "bad": "#b03a2e", "good": "#2e7d4f", "muted": "#9aa5b1"}


def set_theme() -> None:
    """Apply the workbench's chart theme."""
    sns.set_theme(style="whitegrid", context="notebook", rc={"figure.dpi": 100, "axes.titleweight": "bold",
                                                             "figure.figsize": (8, 4)})


def _ax(ax):
    return ax if ax is not None else plt.subplots(figsize=(8, 4))[1]


def plot_funnel(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Horizontal bars of ``rate`` per step with the Wilson interval, labelled with units of denominator."""
    ax = _ax(ax)
    y = np.arange(len(table))[::-1]
    ax.barh(y, table.rate, color=PALETTE["main"], alpha=0.85)
    err = np.clip(np.vstack([table.rate - table.ci_low, table.ci_high - table.rate]), 0, None)  # rounding at 0 and 1
    ax.errorbar(table.rate, y, xerr=err, fmt="none", ecolor="black", capsize=3, lw=1)
    for yi, (_, r) in zip(y, table.iterrows()):
        ax.text(min(r.ci_high if not np.isnan(r.ci_high) else r.rate, 1) + 0.01, yi,
                f"{r.rate:.1%}  ({r.units:,} of {r.denominator:,})", va="center", fontsize=9)
    ax.set_yticks(y, table.label)
    ax.set_xlim(0, 1.35)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel(f"share of {table.unit.iloc[0]}s entering step 1 (95 % interval)")
    ax.set_title(title or "Funnel")
    return ax


def plot_weekly_abandonment(table: pd.DataFrame, *, by: str = "device", ax=None, title: str | None = None):
    """Lines of abandonment ``rate`` per week, one per value of ``by``, with interval bands."""
    ax = _ax(ax)
    for i, (key, sub) in enumerate(table.groupby(by, sort=True)):
        color = sns.color_palette("deep")[i % 10]
        x = pd.to_datetime(sub.week)
        ax.plot(x, sub.rate, marker="o", color=color, label=str(key))
        ax.fill_between(x, sub.ci_low, sub.ci_high, color=color, alpha=0.15)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylim(0, 1)
    ax.set_ylabel("abandoned ÷ sessions that started it")
    ax.set_xlabel("week (Monday)")
    ax.legend(title=by)
    ax.set_title(title or "Abandonment per week")
    ax.figure.autofmt_xdate()
    return ax


def plot_nps(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Points of NPS per stage with 95 % intervals and the number of answers."""
    ax = _ax(ax)
    t = table[table.responses > 0]
    x = np.arange(len(t))
    colors = [PALETTE["bad"] if v < 0 else PALETTE["good"] for v in t.nps]
    yerr = np.clip(np.vstack([t.nps - t.ci_low, t.ci_high - t.nps]), 0, None)
    ax.errorbar(x, t.nps, yerr=yerr, fmt="none", ecolor="grey", capsize=4)
    ax.scatter(x, t.nps, c=colors, s=60, zorder=3)
    for xi, (_, r) in zip(x, t.iterrows()):
        ax.annotate(f"{r.nps:.0f}\nn={r.responses}", (xi, r.nps), textcoords="offset points", xytext=(12, -6), fontsize=8)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(x, t.label)
    ax.set_ylim(-100, 100)
    ax.set_ylabel("NPS (promoters − detractors, %)")
    ax.set_title(title or "NPS by stage")
    return ax


def plot_themes(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Bars of mentions per theme, the negative part darker."""
    ax = _ax(ax)
    t = table.sort_values("mentions")
    ax.barh(t.label, t.mentions, color=PALETTE["muted"], label="all mentions")
    ax.barh(t.label, t.negative, color=PALETTE["bad"], label="with a rating of 1–2")
    for y, (_, r) in enumerate(t.iterrows()):
        ax.text(r.mentions, y, f" {r.mentions} ({r.share:.0%} of {r.feedback_items})", va="center", fontsize=8)
    ax.set_xlabel("feedback items mentioning the theme")
    ax.legend(loc="lower right")
    ax.set_title(title or "Themes in the feedback")
    return ax


def plot_emotion(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """The emotion curve: the workshop's hypothesis beside the measured mean with its interval."""
    ax = _ax(ax)
    x = np.arange(len(table))
    ax.plot(x, table.hypothesis, ls="--", marker="s", color=PALETTE["muted"], label="hypothesis (workshop)")
    ax.plot(x, table.measured, marker="o", color=PALETTE["main"], label="measured (surveys, ratings)")
    ax.fill_between(x, table.ci_low.astype(float), table.ci_high.astype(float), color=PALETTE["main"], alpha=0.15)
    for xi, (_, r) in zip(x, table.iterrows()):
        if r.disagree:
            ax.annotate("≠", (xi, r.measured), xytext=(0, 8), textcoords="offset points", ha="center",
                        color=PALETTE["bad"], fontsize=14, weight="bold")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xticks(x, table.label)
    ax.set_ylim(-2.2, 2.2)
    ax.set_ylabel("emotion (−2 … +2)")
    ax.legend(loc="lower left")
    ax.set_title(title or "Emotion curve")
    return ax
