"""Charts: each draws a table computed elsewhere onto one Axes and returns it; none computes.

Every function takes the tidy table that an analytic returned, ``ax=None`` (a new figure when
omitted) and returns the Axes, so charts compose and tests can read the artists back.
Default titles, axis labels and legends speak the language chosen with ``set_theme(language=...)``
(labels in :mod:`cjmlib.i18n`); a ``title`` passed by the caller is used as given.

This module draws the behaviour (funnels, breakdowns, paths, cohorts, segments, personas,
touchpoints) and is the one place to find every chart: the voice of the customer's charts
(:mod:`cjmlib.view.plot_voice`), the plan's (:mod:`cjmlib.view.plot_plan`) and :func:`set_theme`
(:mod:`cjmlib.view.chart_style`) are imported here, so ``cjm.plot.plot_nps(...)`` works as
``cjm.plot.plot_funnel(...)`` does.
"""

from __future__ import annotations

import matplotlib
import matplotlib.dates
import numpy as np
import pandas as pd
import seaborn as sns

from .chart_style import PALETTE, axes, describe, label, number, percent, percent_axis, set_theme, value_label
from .plot_attribution import plot_attribution
from .plot_funnel_time import plot_conversion_trend, plot_time_to_convert
from .plot_plan import plot_opportunities, plot_readout, plot_sizing
from .plot_voice import plot_emotion, plot_nps, plot_score_trend, plot_themes, plot_triangulation

__all__ = ["plot_attribution", "plot_breakdown", "plot_cohorts", "plot_conversion_trend", "plot_coverage", "plot_emotion",
           "plot_funnel", "plot_nps", "plot_opportunities", "plot_persona_mix", "plot_readout", "plot_sankey", "plot_score_trend",
           "plot_segments", "plot_sizing", "plot_themes", "plot_time_to_convert", "plot_touchpoint_conversion", "plot_transitions",
           "plot_triangulation", "plot_weekly_abandonment", "set_theme"]


def plot_funnel(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Draw horizontal bars of ``rate`` per step with the Wilson interval, labelled with units of denominator.

    Parameters
    ----------
    table
        :func:`cjmlib.funnel_table` or :func:`cjmlib.stage_funnel`: ``label``, ``rate``, ``ci_low``,
        ``ci_high``, ``units``, ``denominator``, ``unit``.
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    y = np.arange(len(table))[::-1]
    ax.barh(y, table.rate, color=PALETTE["main"], alpha=0.85)
    err = np.clip(np.vstack([table.rate - table.ci_low, table.ci_high - table.rate]), 0, None)  # rounding at 0 and 1
    ax.errorbar(table.rate, y, xerr=err, fmt="none", ecolor="black", capsize=3, lw=1)
    for yi, (_, r) in zip(y, table.iterrows()):
        ax.text(min(r.ci_high if not np.isnan(r.ci_high) else r.rate, 1) + 0.01, yi,
                label("funnel_bar", rate=percent(r.rate), units=number(r.units), denominator=number(r.denominator)), va="center",
                fontsize=9)
    ax.set_yticks(y, table.label)
    ax.set_xlim(0, 1.35)
    ax.set_xticks(np.linspace(0, 1, 6))
    percent_axis(ax.xaxis)
    ax.set_xlabel(label("funnel_x", units=value_label(table.unit.iloc[0])))
    ax.set_title(title or label("funnel_title"))
    return describe(ax, f"{ax.get_title()}: " + "; ".join(
        f"{r.label} {percent(r.rate)} ({number(r.units)}/{number(r.denominator)})" for r in table.itertuples()) + ".")


def plot_breakdown(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Draw points of ``rate`` per cell of a breakdown with the Wilson interval, the overall rate as a
    line, ``*`` on cells that differ from the rest after the correction for testing every cell (the
    table's ``correction``: Holm or Benjamini–Hochberg), each tested cell's adjusted p beside it,
    suppressed cells named.

    Parameters
    ----------
    table
        :func:`cjmlib.breakdown_table`: ``value``, ``rate``, ``ci_low``, ``ci_high``, ``n``, ``suppressed``,
        ``significant``, ``p_adjusted``, ``overall_rate``, ``by``.
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    y = np.arange(len(table))[::-1]
    shown = ~table.suppressed.to_numpy(dtype=bool)
    colors = [PALETTE["accent"] if s else PALETTE["main"] for s in table.significant]
    rate = table.rate.to_numpy(dtype=float)
    err = np.clip(np.vstack([rate - table.ci_low.to_numpy(dtype=float), table.ci_high.to_numpy(dtype=float) - rate]),
                  0, None)  # a rate of 0 or 1 sits on its bound: rounding must not make a negative error
    ax.errorbar(rate[shown], y[shown], xerr=err[:, shown], fmt="none", ecolor="grey", capsize=3, lw=1)
    ax.scatter(rate[shown], y[shown], c=[c for c, s in zip(colors, shown) if s], s=50, zorder=3)
    ax.axvline(table.overall_rate.iloc[0], color=PALETTE["muted"], ls="--", lw=1)
    for yi, (_, r) in zip(y, table.iterrows()):
        p = float(r.p_adjusted)
        p_text = "" if np.isnan(p) else "; p" + ("<" + number(0.001, 3) if p < 0.001
                                                  else "=" + number(p, 3))
        text = (label("breakdown_suppressed", n=number(r.n)) if r.suppressed else
                f"{percent(r.rate)}{' *' if r.significant else ''}  (n={number(r.n)}{p_text})")
        ax.text(0.7, yi, text, va="center", fontsize=8, transform=ax.get_yaxis_transform())
    ax.set_yticks(y, table.value)
    xmax = max(1e-3, np.nanmax(np.r_[table.ci_high.to_numpy(dtype=float), table.overall_rate.iloc[0]]))
    ax.set_xlim(0, xmax * 1.6)  # the right 30 % hold the labels
    percent_axis(ax.xaxis)
    method = str(table["correction"].iloc[0]) if "correction" in table and len(table) else "holm"
    ax.set_xlabel(label("breakdown_x", correction=label(f"correction_{method}")))
    ax.set_ylabel(value_label(table.by.iloc[0]))
    ax.set_title(title or label("breakdown_title", by=value_label(table.by.iloc[0])))
    return describe(ax, f"{ax.get_title()}: " + "; ".join(
        f"{value_label(r.value)} {'—' if r.suppressed else percent(r.rate)} (n = {number(r.n)})"
        for r in table.itertuples()) + ".")


def plot_weekly_abandonment(table: pd.DataFrame, *, by: str = "device", ax=None, title: str | None = None):
    """Draw lines of abandonment ``rate`` per week, one per value of ``by``, with interval bands.

    Parameters
    ----------
    table
        :func:`cjmlib.weekly_abandonment`: ``week``, ``rate``, ``ci_low``, ``ci_high`` and the ``by`` column.
    by
        The column the table was split by (``"device"`` by default), as in :func:`cjmlib.weekly_abandonment`.
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    for i, (key, sub) in enumerate(table.groupby(by, sort=True)):
        color = sns.color_palette("deep")[i % 10]
        x = pd.to_datetime(sub.week)
        ax.plot(x, sub.rate, marker="o", color=color, label=value_label(key))
        ax.fill_between(x, sub.ci_low, sub.ci_high, color=color, alpha=0.15)
    percent_axis(ax.yaxis)
    ax.set_ylim(0, 1)
    ax.xaxis.set_major_locator(matplotlib.dates.WeekdayLocator(byweekday=matplotlib.dates.MO,
                                                               interval=max(1, table.week.nunique() // 10)))
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y-%m-%d"))
    ax.set_ylabel(label("weekly_y"))
    ax.set_xlabel(label("weekly_x"))
    ax.legend(title=value_label(by))
    ax.set_title(title or label("weekly_title"))
    ax.figure.autofmt_xdate()
    worst = table.loc[table.rate.idxmax()] if len(table) else None
    return describe(ax, f"{ax.get_title()} ({value_label(by)}: "
                    + ", ".join(value_label(v) for v in sorted(table[by].unique())) + ")"
                    + ("" if worst is None else f"; max {percent(worst.rate)} ({value_label(worst[by])}, "
                       f"{str(worst.week)[:10]})") + ".")


def plot_transitions(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Draw a heatmap of transition ``probability`` (rows: from, columns: to), each cell labelled with it.

    Parameters
    ----------
    table
        :func:`cjmlib.transition_table`: ``source``, ``target``, ``probability``.
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    grid = table.pivot_table(index="source", columns="target", values="probability", aggfunc="sum")
    image = ax.imshow(grid.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
        if not np.isnan(value):
            ax.text(j, i, percent(value, 0), ha="center", va="center", fontsize=8,
                    color="white" if value > 0.6 else "black")
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=45, ha="right")
    ax.set_yticks(range(grid.shape[0]), grid.index)
    ax.set_xlabel(label("transitions_x"))
    ax.set_ylabel(label("transitions_y"))
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label=label("transitions_bar"))
    ax.set_title(title or label("transitions_title"))
    return ax


def _sankey_nodes(table: pd.DataFrame) -> dict:
    """Node sizes per column (step): the larger of the units flowing in and out."""
    out = table.groupby(["step", "source"]).units.sum()
    into = table.assign(step=table.step + 1).groupby(["step", "target"]).units.sum()
    sizes = pd.concat([out.rename_axis(["step", "node"]), into.rename_axis(["step", "node"])], axis=1).max(axis=1)
    return {step: sizes.loc[step].sort_values(ascending=False) for step in sorted(sizes.index.get_level_values(0).unique())}


def plot_sankey(table: pd.DataFrame, *, ax=None, title: str | None = None, gap: float = 0.03):
    """Draw a step sankey: one column of nodes per step, bands as wide as the units flowing between them.

    Parameters
    ----------
    table
        :func:`cjmlib.step_sankey_table`: ``step``, ``source``, ``target``, ``units``, ``unit``.
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    gap
        Space between two nodes of a column, as a share of the chart's height (0.03 by default).
    """
    ax = axes(ax)
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
            ax.text(step + 0.06, y - size * scale / 2, f"{node} ({number(int(size))})", va="center", fontsize=8)
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
    ax.set_xticks(steps, [label("sankey_step", step=s) for s in steps])
    ax.set_yticks([])
    ax.grid(False)
    ax.set_title(title or label("sankey_title", units=value_label(table.unit.iloc[0])))
    return ax


def plot_cohorts(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Draw a heatmap of retention ``rate`` per cohort (rows) and period after the start (columns).

    Parameters
    ----------
    table
        :func:`cjmlib.cohort_table`: ``cohort``, ``period``, ``rate``, ``cohort_size``, ``mode``.
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    grid = table.pivot(index="cohort", columns="period", values="rate")
    sizes = table.groupby("cohort").cohort_size.first()
    image = ax.imshow(grid.to_numpy(dtype=float), cmap="Greens", vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
        if not np.isnan(value):
            ax.text(j, i, percent(value, 0), ha="center", va="center", fontsize=7,
                    color="white" if value > 0.6 else "black")
    ax.set_xticks(range(grid.shape[1]), grid.columns)
    ax.set_yticks(range(grid.shape[0]), [f"{c}  (n={number(sizes[c])})" for c in grid.index])
    ax.set_xlabel(label("cohorts_x"))
    ax.grid(False)
    bar = "cohorts_bar_on" if table["mode"].iloc[0] == "on" else "cohorts_bar_from"
    ax.figure.colorbar(image, ax=ax, label=label(bar))
    ax.set_title(title or label("cohorts_title"))
    return ax


def plot_segments(table: pd.DataFrame, *, ax=None, title: str | None = None, top: int = 12):
    """Draw a heatmap of :func:`cjmlib.segment_profiles`: ``difference_sd`` per feature (rows, the
    ``top`` features that vary most across segments) and segment (columns, with their size).

    Parameters
    ----------
    table
        :func:`cjmlib.segment_profiles`: ``label``, ``segment``, ``difference_sd``, ``users``.
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    top
        How many features to show at most (12 by default).
    """
    ax = axes(ax)
    grid = table.pivot_table(index="label", columns="segment", values="difference_sd", sort=False)
    grid = grid.loc[grid.abs().max(axis=1).sort_values(ascending=False, kind="stable").index[:top]]
    sizes = table.groupby("segment").users.first()
    limit = max(float(np.nanmax(np.abs(grid.to_numpy()))), 0.5)
    image = ax.imshow(grid.to_numpy(dtype=float), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
        ax.text(j, i, number(value, 1), ha="center", va="center", fontsize=8,
                color="white" if abs(value) > 0.6 * limit else "black")
    ax.set_xticks(range(grid.shape[1]), [label("segments_col", segment=s, n=number(sizes[s])) for s in grid.columns])
    ax.set_yticks(range(grid.shape[0]), grid.index)
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label=label("segments_bar"))
    ax.set_title(title or label("segments_title"))
    return ax


def plot_persona_mix(table: pd.DataFrame, *, by: str = "device", ax=None, title: str | None = None):
    """Draw stacked bars of :func:`cjmlib.persona_mix`: each persona's sessions by ``by``.

    Parameters
    ----------
    table
        :func:`cjmlib.persona_mix`: ``persona``, ``share`` and the ``by`` column.
    by
        The column the table was made with (``"device"`` by default, or ``"channel"``).
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    grid = table.pivot_table(index="persona", columns=by, values="share", sort=False).fillna(0)
    left = np.zeros(len(grid))
    colors = sns.color_palette("deep", len(grid.columns))
    for color, value in zip(colors, grid.columns):
        ax.barh(grid.index, grid[value], left=left, color=color, label=value_label(value))
        for y, (x0, w) in enumerate(zip(left, grid[value])):
            if w >= 0.06:
                ax.text(x0 + w / 2, y, percent(w, 0), ha="center", va="center", fontsize=8, color="white")
        left += grid[value].to_numpy()
    ax.set_xlim(0, 1)
    percent_axis(ax.xaxis)
    ax.set_xlabel(label("mix_x"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=min(len(grid.columns), 6), frameon=False)
    ax.set_title(title or label("mix_title", by=value_label(by)))
    return ax


def plot_coverage(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Draw a heatmap of :func:`cjmlib.persona_coverage`: share of each persona's users per touchpoint.

    Parameters
    ----------
    table
        :func:`cjmlib.persona_coverage`: ``persona``, ``label``, ``share``.
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    grid = table.pivot_table(index="persona", columns="label", values="share", sort=False)
    image = ax.imshow(grid.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
        ax.text(j, i, percent(value, 0), ha="center", va="center", fontsize=8, color="white" if value > 0.6 else "black")
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=35, ha="right")
    ax.set_yticks(range(grid.shape[0]), grid.index)
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label=label("coverage_bar"))
    ax.set_title(title or label("coverage_title"))
    return ax


def plot_touchpoint_conversion(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Draw bars of :func:`cjmlib.touchpoint_volume`'s ``conversion`` with its interval, per touchpoint.

    Parameters
    ----------
    table
        :func:`cjmlib.touchpoint_volume`: ``label``, ``sessions``, ``conversion``, ``ci_low``, ``ci_high``
        (touchpoints without sessions are left out).
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    shown = table[table.sessions > 0]
    y = np.arange(len(shown))[::-1]
    ax.barh(y, shown.conversion, color=PALETTE["main"], alpha=0.85)
    err = np.clip(np.vstack([shown.conversion - shown.ci_low, shown.ci_high - shown.conversion]), 0, None)
    ax.errorbar(shown.conversion, y, xerr=err, fmt="none", ecolor="black", capsize=3, lw=1)
    for yi, r in zip(y, shown.itertuples()):
        ax.text(min(r.ci_high, 1) + 0.01, yi, label("tp_conversion_bar", rate=percent(r.conversion), n=number(r.sessions)),
                va="center", fontsize=8)
    ax.set_yticks(y, shown.label)
    ax.set_xlim(0, 1.3)
    ax.set_xticks(np.linspace(0, 1, 6))
    percent_axis(ax.xaxis)
    ax.set_xlabel(label("tp_conversion_x"))
    ax.set_title(title or label("tp_conversion_title"))
    return describe(ax, f"{ax.get_title()}: " + "; ".join(
        f"{r.label} {percent(r.conversion)} (n = {number(r.sessions)})" for r in shown.itertuples()) + ".")
