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

__all__ = ["plot_emotion", "plot_funnel", "plot_nps", "plot_themes", "plot_weekly_abandonment", "set_theme"]

__all__ += ["plot_cohorts", "plot_sankey", "plot_transitions"]

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


__all__ += ["plot_breakdown"]


def plot_breakdown(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Points of ``rate`` per cell of a breakdown with the Wilson interval, the overall rate as a
    line, ``*`` on cells that differ from the rest after Holm's correction, suppressed cells named."""
    ax = _ax(ax)
    y = np.arange(len(table))[::-1]
    shown = ~table.suppressed.to_numpy(dtype=bool)
    colors = [PALETTE["accent"] if s else PALETTE["main"] for s in table.significant]
    rate = table.rate.to_numpy(dtype=float)
    err = np.vstack([rate - table.ci_low.to_numpy(dtype=float), table.ci_high.to_numpy(dtype=float) - rate])
    ax.errorbar(rate[shown], y[shown], xerr=err[:, shown], fmt="none", ecolor="grey", capsize=3, lw=1)
    ax.scatter(rate[shown], y[shown], c=[c for c, s in zip(colors, shown) if s], s=50, zorder=3)
    ax.axvline(table.overall_rate.iloc[0], color=PALETTE["muted"], ls="--", lw=1)
    for yi, (_, r) in zip(y, table.iterrows()):
        text = (f"suppressed (n={r.n:,})" if r.suppressed else
                f"{r.rate:.1%}{' *' if r.significant else ''}  (n={r.n:,})")
        ax.text(0.76, yi, text, va="center", fontsize=8, transform=ax.get_yaxis_transform())
    ax.set_yticks(y, table.value)
    xmax = max(1e-3, np.nanmax(np.r_[table.ci_high.to_numpy(dtype=float), table.overall_rate.iloc[0]]))
    ax.set_xlim(0, xmax * 1.45)  # the right quarter holds the labels
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("rate (95 % interval); dashed: all units; * differs from the rest (Holm-adjusted p < 0.05)")
    ax.set_ylabel(table.by.iloc[0])
    ax.set_title(title or f"Breakdown by {table.by.iloc[0]}")
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


__all__ += ["plot_score_trend", "plot_triangulation"]


def plot_score_trend(table: pd.DataFrame, *, by: str = "stage", ax=None, title: str | None = None):
    """Lines of ``score`` per ``period`` (from ``score_table(..., period=...)``), one per value of
    ``by``, with interval bands; suppressed groups leave gaps."""
    ax = _ax(ax)
    for i, (key, sub) in enumerate(table.groupby(by, sort=False)):
        color = sns.color_palette("deep")[i % 10]
        x = pd.to_datetime(sub.period)
        ax.plot(x, sub.score.astype(float), marker="o", color=color, label=str(sub.label.iloc[0]))
        ax.fill_between(x, sub.ci_low.astype(float), sub.ci_high.astype(float), color=color, alpha=0.12)
    kind = table.kind.iloc[0] if len(table) else "score"
    ax.set_ylabel({"nps": "NPS (promoters − detractors, %)", "csat": "mean CSAT (1–5)",
                   "ces": "mean CES (1–7)"}.get(kind, kind))
    ax.set_xlabel("period")
    ax.legend(title=by, fontsize=8)
    ax.set_title(title or f"{kind.upper()} over time ({table.rule.iloc[0] if len(table) else ''})", fontsize=10)
    ax.figure.autofmt_xdate()
    return ax


def plot_triangulation(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Bars of each stage's share of negative feedback beside its behavioural drop-off rate; flagged
    stages are named under their bars."""
    ax = _ax(ax)
    x = np.arange(len(table))
    ax.bar(x - 0.2, table.negative_share.astype(float), 0.4, color=PALETTE["bad"], label="share of negative feedback")
    ax.bar(x + 0.2, table.drop_off_rate.astype(float).fillna(0), 0.4, color=PALETTE["main"],
           label="drop-off rate from the previous stage")
    tops = np.fmax(table.negative_share.astype(float).fillna(0), table.drop_off_rate.astype(float).fillna(0))
    for xi, flag, top in zip(x, table.flag, tops):
        if flag:
            ax.annotate(flag.replace(" without ", "\nwithout "), (xi, top), xytext=(0, 4), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7, color=PALETTE["bad"])
    ax.set_xticks(x, table.label)
    ax.set_ylim(0, 1.25)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title or "Voice against behaviour per stage")
    return ax


def plot_transitions(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Heatmap of transition ``probability`` (rows: from, columns: to), each cell labelled with it."""
    ax = _ax(ax)
    grid = table.pivot_table(index="source", columns="target", values="probability", aggfunc="sum")
    image = ax.imshow(grid.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
        if not np.isnan(value):
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=8,
                    color="white" if value > 0.6 else "black")
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=45, ha="right")
    ax.set_yticks(range(grid.shape[0]), grid.index)
    ax.set_xlabel("to (next step)")
    ax.set_ylabel("from")
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label="transitions ÷ transitions leaving the row's step")
    ax.set_title(title or "What comes next")
    return ax


def _sankey_nodes(table: pd.DataFrame) -> dict:
    """Node sizes per column (step): the larger of the units flowing in and out."""
    out = table.groupby(["step", "source"]).units.sum()
    into = table.assign(step=table.step + 1).groupby(["step", "target"]).units.sum()
    sizes = pd.concat([out.rename_axis(["step", "node"]), into.rename_axis(["step", "node"])], axis=1).max(axis=1)
    return {step: sizes.loc[step].sort_values(ascending=False) for step in sorted(sizes.index.get_level_values(0).unique())}


def plot_sankey(table: pd.DataFrame, *, ax=None, title: str | None = None, gap: float = 0.03):
    """Step sankey: one column of nodes per step, bands as wide as the units flowing between them."""
    ax = _ax(ax)
    nodes = _sankey_nodes(table)
    scale = (1 - gap * max(len(n) for n in nodes.values())) / max(n.sum() for n in nodes.values())
    top, bottom = {}, 0.0
    colors = dict(zip(sorted(set(table.source) | set(table.target)), sns.color_palette("deep", 20) * 5))
    for step, sizes in nodes.items():
        y = 1.0
        for node, size in sizes.items():
            top[(step, node)] = y
            ax.add_patch(matplotlib.patches.Rectangle((step - 0.04, y - size * scale), 0.08, size * scale,
                                                      color=colors[node]))
            ax.text(step + 0.06, y - size * scale / 2, f"{node} ({int(size):,})", va="center", fontsize=8)
            bottom = min(bottom, y - size * scale)
            y -= size * scale + gap
    out_cursor, in_cursor = dict(top), dict(top)
    for _, link in table.sort_values(["step", "units"], ascending=[True, False]).iterrows():
        h = link.units * scale
        y0, y1 = out_cursor[(link.step, link.source)], in_cursor[(link.step + 1, link.target)]
        out_cursor[(link.step, link.source)] -= h
        in_cursor[(link.step + 1, link.target)] -= h
        x0, x1, mid = link.step + 0.04, link.step + 1 - 0.04, link.step + 0.5
        verts = [(x0, y0), (mid, y0), (mid, y1), (x1, y1), (x1, y1 - h), (mid, y1 - h), (mid, y0 - h), (x0, y0 - h),
                 (x0, y0)]
        codes = [matplotlib.path.Path.MOVETO] + [matplotlib.path.Path.CURVE4] * 3 + [matplotlib.path.Path.LINETO] \
            + [matplotlib.path.Path.CURVE4] * 3 + [matplotlib.path.Path.CLOSEPOLY]
        ax.add_patch(matplotlib.patches.PathPatch(matplotlib.path.Path(verts, codes), color=colors[link.source],
                                                  alpha=0.35, lw=0))
    steps = list(nodes)
    ax.set_xlim(steps[0] - 0.2, steps[-1] + 0.8)
    ax.set_ylim(bottom - 0.02, 1.02)
    ax.set_xticks(steps, [f"step {s}" for s in steps])
    ax.set_yticks([])
    ax.grid(False)
    ax.set_title(title or f"Flows between steps ({table.unit.iloc[0]}s)")
    return ax


def plot_cohorts(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Heatmap of retention ``rate`` per cohort (rows) and period after the start (columns)."""
    ax = _ax(ax)
    grid = table.pivot(index="cohort", columns="period", values="rate")
    sizes = table.groupby("cohort").cohort_size.first()
    image = ax.imshow(grid.to_numpy(dtype=float), cmap="Greens", vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
        if not np.isnan(value):
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=7,
                    color="white" if value > 0.6 else "black")
    ax.set_xticks(range(grid.shape[1]), grid.columns)
    ax.set_yticks(range(grid.shape[0]), [f"{c}  (n={sizes[c]:,})" for c in grid.index])
    ax.set_xlabel("periods after the cohort's start")
    ax.grid(False)
    when = "in" if table["mode"].iloc[0] == "on" else "in or after"
    ax.figure.colorbar(image, ax=ax, label=f"users active {when} the period ÷ cohort size")
    ax.set_title(title or "Retention by cohort")
    return ax
