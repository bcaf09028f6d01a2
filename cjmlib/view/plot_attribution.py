"""The chart of touchpoint attribution: what each touchpoint brings to a funnel's conversion."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .chart_style import PALETTE, axes, describe, label, percent, percent_axis

__all__ = ["plot_attribution"]


def plot_attribution(table: pd.DataFrame, *, ax=None, title: str | None = None, top: int = 12):
    """Draw the removal effect of each touchpoint as a bar with its bootstrap interval, first- and
    last-touch shares beside it as markers.

    Parameters
    ----------
    table
        :func:`cjmlib.funnel_attribution`: ``label`` (or ``touchpoint``), ``removal_effect``, ``low``,
        ``high``, ``first_touch``, ``last_touch``, ``conversions``.
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    top
        The touchpoints drawn at most, largest removal effect first (12 by default).
    """
    ax = axes(ax)
    rows = table.sort_values("removal_effect", ascending=False).head(top)
    names = rows["label"] if "label" in rows else rows["touchpoint"]
    y = np.arange(len(rows))[::-1]
    effect = rows.removal_effect.to_numpy(dtype=float)
    err = np.clip(np.vstack([effect - rows.low.to_numpy(dtype=float), rows.high.to_numpy(dtype=float) - effect]),
                  0, None)
    ax.barh(y, effect, color=PALETTE["main"], height=0.6, label=label("attribution_removal"))
    ax.errorbar(effect, y, xerr=err, fmt="none", ecolor="grey", capsize=3, lw=1)
    ax.scatter(rows.first_touch, y + 0.15, marker="v", color=PALETTE["accent"], s=30, zorder=3,
               label=label("attribution_first"))
    ax.scatter(rows.last_touch, y - 0.15, marker="^", color=PALETTE["muted"], s=30, zorder=3,
               label=label("attribution_last"))
    for yi, r in zip(y, rows.itertuples()):
        ax.text(1.02, yi, f"{percent(r.removal_effect)} ({percent(r.low)}–{percent(r.high)})", va="center",
                fontsize=8, transform=ax.get_yaxis_transform())
    ax.set_yticks(y, names)
    ax.set_xlim(0, 1)
    percent_axis(ax.xaxis)
    ax.set_xlabel(label("attribution_x"))
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title or label("attribution_title"))
    return describe(ax, f"{ax.get_title()}: " + "; ".join(
        f"{n} {percent(r.removal_effect)} ({percent(r.low)}–{percent(r.high)})"
        for n, r in zip(names, rows.itertuples())) + ".")
