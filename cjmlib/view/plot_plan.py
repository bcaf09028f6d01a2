"""Charts of the plan: opportunities, sizing and the read-out of A/B tests.

Each draws a table of :mod:`cjmlib.plan` onto one Axes and returns it (see :mod:`cjmlib.view.plot`,
which re-exports them as ``cjm.plot.plot_*``); none computes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .chart_style import PALETTE, axes, describe, label, number, percent, percent_axis, value_label

__all__ = ["plot_opportunities", "plot_readout", "plot_sizing"]


def plot_opportunities(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Plot the score against the effort of :func:`cjmlib.opportunity_table`, coloured by now / next / later.

    Parameters
    ----------
    table
        :func:`cjmlib.opportunity_table`: ``name``, ``score``, ``effort``, ``rank``, ``priority``, ``scoring``
        (opportunities without a score or an effort are left out).
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    colors = {"now": PALETTE["good"], "next": PALETTE["accent"], "later": PALETTE["muted"]}
    shown = table.dropna(subset=["score", "effort"]).sort_values("rank")
    x_max = max(float(shown.effort.max()) * 1.15, 1.0) if len(shown) else 1.0
    y_max = max(float(shown.score.max()) * 1.15, 1e-9) if len(shown) else 1.0
    x_mid, y_mid = x_max / 2, y_max / 2
    ax.axvline(x_mid, color=PALETTE["muted"], lw=0.8, ls=":")
    ax.axhline(y_mid, color=PALETTE["muted"], lw=0.8, ls=":")
    for key, (x, y, ha, va) in {"quadrant_quick_wins": (0.02, 0.98, "left", "top"),
                                "quadrant_big_bets": (0.98, 0.98, "right", "top"),
                                "quadrant_fill_ins": (0.02, 0.02, "left", "bottom"),
                                "quadrant_money_pits": (0.98, 0.02, "right", "bottom")}.items():
        ax.text(x, y, label(key), transform=ax.transAxes, ha=ha, va=va, fontsize=8, color=PALETTE["muted"],
                style="italic")
    # each point carries its rank only; the names are listed beside the chart, so no label overlaps another
    for r in shown.itertuples():
        ax.scatter(r.effort, r.score, s=260, color=colors.get(r.priority, PALETTE["main"]), zorder=3,
                   edgecolor="white", linewidth=1)
        ax.text(r.effort, r.score, str(r.rank), ha="center", va="center", fontsize=8, color="white",
                weight="bold", zorder=4)
    names = "\n".join(f"{r.rank}. {r.name}" for r in shown.itertuples())
    if names:
        ax.text(1.03, 1.0, names, transform=ax.transAxes, ha="left", va="top", fontsize=8, wrap=True)
    for key, color in colors.items():
        ax.scatter([], [], color=color, label=value_label(key))
    ax.set_xlim(0, x_max)
    ax.set_ylim(0, y_max)
    ax.set_xlabel(label("opportunities_x"))
    ax.set_ylabel(label("opportunities_y", scoring=str(table.scoring.iloc[0]).upper() if len(table) else ""))
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.02, 0.35))
    ax.set_title(title or label("opportunities_title"))
    return describe(ax, f"{ax.get_title()}: " + "; ".join(
        f"{r.rank}. {r.name} ({value_label(r.priority)}, {number(r.score, 1)} / {number(r.effort, 1)})"
        for r in shown.itertuples()) + ".")


def plot_sizing(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Draw bars of :func:`cjmlib.sizing_table`'s extra conversions per month with their interval.

    Parameters
    ----------
    table
        :func:`cjmlib.sizing_table`: ``name``, ``delta_per_month``, ``delta_low``, ``delta_high``,
        ``rate_now``, ``rate_target``.
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    table = table[np.isfinite(table.delta_per_month.astype(float))]  # a step no unit reached cannot be sized
    low = table.delta_low.where(np.isfinite(table.delta_low.astype(float)), table.delta_per_month)
    high = table.delta_high.where(np.isfinite(table.delta_high.astype(float)), table.delta_per_month)
    y = np.arange(len(table))[::-1]
    ax.barh(y, table.delta_per_month, color=PALETTE["good"], alpha=0.85)
    err = np.clip(np.vstack([table.delta_per_month - low, high - table.delta_per_month]), 0, None)
    ax.errorbar(table.delta_per_month, y, xerr=err, fmt="none", ecolor="black", capsize=3, lw=1)
    for yi, r, right in zip(y, table.itertuples(), high):
        ax.text(right * 1.02, yi, f"{number(r.delta_per_month)}  ({percent(r.rate_now)} → {percent(r.rate_target)})",
                va="center", fontsize=8)
    ax.set_yticks(y, table.name)
    left = min(0.0, float(low.min())) if len(table) else 0.0
    right = max(0.0, float(high.max())) * 1.6 if len(table) else 1.0
    ax.set_xlim(left, right if right > left else left + 1)
    ax.set_xlabel(label("sizing_x"))
    ax.set_title(title or label("sizing_title"))
    return ax


def plot_readout(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Draw a forest plot of :func:`cjmlib.readout`: each variant's difference from its control.

    Parameters
    ----------
    table
        :func:`cjmlib.readout`: ``experiment``, ``variant``, ``difference``, ``diff_ci_low``,
        ``diff_ci_high``, ``significant``, ``prob_to_beat``, ``p_value``; ``p_adjusted`` (the p
        written beside each variant, when the table has it: the raw ``p_value`` otherwise).
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    y = np.arange(len(table))[::-1]
    colors = [PALETTE["good"] if s else PALETTE["muted"] for s in table.significant]
    ax.errorbar(table.difference, y, xerr=np.vstack([table.difference - table.diff_ci_low,
                                                     table.diff_ci_high - table.difference]),
                fmt="none", ecolor="black", capsize=3, lw=1)
    ax.scatter(table.difference, y, color=colors, s=60, zorder=3)
    ax.axvline(0, color="black", lw=0.8)
    for yi, r in zip(y, table.itertuples()):
        ax.text(r.diff_ci_high + 0.005, yi, label("readout_bar", prob=percent(r.prob_to_beat),
                                                p=number(getattr(r, "p_adjusted", r.p_value), 3)),
                va="center", fontsize=8)
    ax.set_yticks(y, [f"{value_label(e)} ({value_label(v)})" for e, v in zip(table.experiment, table.variant)])
    span = float(max(table.diff_ci_high.max(), 0) - min(table.diff_ci_low.min(), 0)) if len(table) else 1
    ax.set_xlim(min(float(table.diff_ci_low.min()), 0) - 0.1 * span, float(table.diff_ci_high.max()) + 0.8 * span)
    percent_axis(ax.xaxis)
    ax.set_xlabel(label("readout_x"))
    ax.set_title(title or label("readout_title"))
    return ax
