"""Charts of the voice of the customer: survey scores, themes, the emotion curve, triangulation.

Each draws a table of :mod:`cjmlib.voice` onto one Axes and returns it (see :mod:`cjmlib.view.plot`,
which re-exports them as ``cjm.plot.plot_*``); none computes.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import seaborn as sns

from .chart_style import PALETTE, axes, label, number, percent, percent_axis, value_label

__all__ = ["plot_emotion", "plot_nps", "plot_score_trend", "plot_themes", "plot_triangulation"]


def plot_nps(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Plot the NPS per stage as points with 95 % intervals and the number of answers.

    Parameters
    ----------
    table
        :func:`cjmlib.nps_table`: ``label``, ``nps``, ``ci_low``, ``ci_high``, ``responses`` (groups
        without answers are left out).
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
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
    ax.set_ylabel(label("nps_y"))
    ax.set_title(title or label("nps_title"))
    return ax


def plot_themes(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Draw bars of mentions per theme, the negative part darker.

    Parameters
    ----------
    table
        :func:`cjmlib.theme_table`: ``label``, ``mentions``, ``negative``, ``share``, ``feedback_items``.
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    t = table.sort_values("mentions")
    ax.barh(t.label, t.mentions, color=PALETTE["muted"], label=label("themes_all"))
    ax.barh(t.label, t.negative, color=PALETTE["bad"], label=label("themes_negative"))
    for y, (_, r) in enumerate(t.iterrows()):
        ax.text(r.mentions, y, label("themes_bar", mentions=number(r.mentions), share=percent(r.share, 0),
                                  items=number(r.feedback_items)), va="center", fontsize=8)
    ax.set_xlabel(label("themes_x"))
    ax.legend(loc="lower right")
    ax.set_title(title or label("themes_title"))
    return ax


def plot_emotion(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Draw the emotion curve: the workshop's hypothesis beside the measured mean with its interval.

    Parameters
    ----------
    table
        :func:`cjmlib.emotion_curve`: ``label``, ``hypothesis``, ``measured``, ``ci_low``, ``ci_high``,
        ``disagree`` (marked ≠).
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    x = np.arange(len(table))
    ax.plot(x, table.hypothesis, ls="--", marker="s", color=PALETTE["muted"], label=label("emotion_hypothesis"))
    ax.plot(x, table.measured, marker="o", color=PALETTE["main"], label=label("emotion_measured"))
    ax.fill_between(x, table.ci_low.astype(float), table.ci_high.astype(float), color=PALETTE["main"], alpha=0.15)
    for xi, (_, r) in zip(x, table.iterrows()):
        if r.disagree:
            ax.annotate("≠", (xi, r.measured), xytext=(0, 8), textcoords="offset points", ha="center",
                        color=PALETTE["bad"], fontsize=14, weight="bold")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xticks(x, table.label)
    ax.set_ylim(-2.2, 2.2)
    ax.set_ylabel(label("emotion_y"))
    ax.legend(loc="lower left")
    ax.set_title(title or label("emotion_title"))
    return ax


def plot_score_trend(table: pd.DataFrame, *, by: str = "stage", ax=None, title: str | None = None):
    """Draw lines of ``score`` per ``period`` (from ``score_table(..., period=...)``), one per value of
    ``by``, with interval bands; suppressed groups leave gaps.

    Parameters
    ----------
    table
        :func:`cjmlib.score_table` with a ``period``: ``period``, ``label``, ``score``, ``ci_low``,
        ``ci_high``, ``kind``, ``rule`` and the ``by`` column.
    by
        The column the table was grouped by (``"stage"`` by default, ``"touchpoint"`` or ``"persona"``).
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    groups = list(table.groupby(by, sort=False))
    for i, (key, sub) in enumerate(groups):  # one point per period (a month is not a continuum): no line
        color = sns.color_palette("deep")[i % 10]
        x = pd.to_datetime(sub.period) + pd.to_timedelta((i - (len(groups) - 1) / 2) * 2.5, unit="D")
        score = sub.score.astype(float).to_numpy()
        err = np.clip(np.vstack([score - sub.ci_low.astype(float).to_numpy(),
                                 sub.ci_high.astype(float).to_numpy() - score]), 0, None)
        ax.errorbar(x, score, yerr=err, fmt="o", color=color, ecolor=color, elinewidth=1, capsize=2, alpha=0.9,
                    label=value_label(sub.label.iloc[0]))
    kind = table.kind.iloc[0] if len(table) else "score"
    bounds = {"nps": (-100, 100), "csat": (1, 5), "ces": (1, 7)}.get(kind)
    if bounds:  # the axis within what the score can be
        ax.set_ylim(bounds[0] - 0.02 * (bounds[1] - bounds[0]), bounds[1] + 0.02 * (bounds[1] - bounds[0]))
    ax.set_ylabel(label(f"{kind}_y") if kind in ("nps", "csat", "ces") else kind)
    ax.set_xlabel(label("period"))
    ax.legend(title=value_label(by), fontsize=8)
    k = re.search(r"min_group_size (\d+)", str(table.rule.iloc[0])) if len(table) else None
    rule = label("score_rule", k=k.group(1)) if k else (str(table.rule.iloc[0]) if len(table) else "")
    ax.set_title(title or label("score_title", kind=kind.upper(), rule=rule), fontsize=10)
    ax.figure.autofmt_xdate()
    return ax


def plot_triangulation(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Draw bars of each stage's share of negative feedback beside its behavioural drop-off rate; flagged
    stages are named under their bars.

    Parameters
    ----------
    table
        :func:`cjmlib.triangulation_table`: ``label``, ``negative_share``, ``drop_off_rate``, ``flag``.
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    x = np.arange(len(table))
    ax.bar(x - 0.2, table.negative_share.astype(float), 0.4, color=PALETTE["bad"], label=label("triangulation_negative"))
    ax.bar(x + 0.2, table.drop_off_rate.astype(float).fillna(0), 0.4, color=PALETTE["main"],
           label=label("triangulation_drop"))
    tops = np.fmax(table.negative_share.astype(float).fillna(0), table.drop_off_rate.astype(float).fillna(0))
    for xi, flag, top in zip(x, table.flag, tops):
        if flag:
            text = value_label(flag).replace(" without ", "\nwithout ").replace(" sans ", "\nsans ")
            ax.annotate(text, (xi, top), xytext=(0, 4), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7, color=PALETTE["bad"])
    ax.set_xticks(x, table.label)
    ax.set_ylim(0, 1.25)
    percent_axis(ax.yaxis)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title or label("triangulation_title"))
    return ax
