"""Charts: each draws a table computed elsewhere onto one Axes and returns it; none computes.

Every function takes the tidy table that an analytic returned, ``ax=None`` (a new figure when
omitted) and returns the Axes, so charts compose and tests can read the artists back.
Default titles, axis labels and legends speak the language chosen with ``set_theme(language=...)``
(labels in :mod:`cjmlib.i18n`); a ``title`` passed by the caller is used as given.
"""

from __future__ import annotations

import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ..i18n import catalogue as i18n

__all__ = ["plot_emotion", "plot_funnel", "plot_nps", "plot_themes", "plot_weekly_abandonment", "set_theme"]

__all__ += ["plot_cohorts", "plot_sankey", "plot_transitions"]

PALETTE = {"main": "#2f5d8a", "accent": "#d9822b", "bad": "#b03a2e", "good": "#2e7d4f", "muted": "#9aa5b1"}


_LANGUAGE = {"current": "en"}  # the language of default labels, set by set_theme


def set_theme(language: str = "en") -> None:
    """Apply the workbench's chart theme and choose the language of every chart's default labels.

    Parameters
    ----------
    language
        ``en`` or ``fr`` (the spec's ``project.language``): titles, axis labels, legends and
        percentages of every ``plot_*`` function are written in it.

    Examples
    --------
    >>> set_theme(language="fr")  # doctest: +SKIP
    """
    _LANGUAGE["current"] = i18n.check_language(language)
    sns.set_theme(style="whitegrid", context="notebook", rc={"figure.dpi": 100, "axes.titleweight": "bold",
                                                             "figure.figsize": (8, 4)})


def _t(key: str, **values) -> str:
    """The chart label ``key`` in the theme's language."""
    return i18n.plot_label(key, _LANGUAGE["current"], **values)


def _v(value) -> str:
    """A data value or column name (device, unit, flag…) in the theme's language."""
    return i18n.value_label(value, _LANGUAGE["current"])


def _pct(x: float, digits: int = 1) -> str:
    return i18n.percent(x, _LANGUAGE["current"], digits)


def _n(x: float) -> str:
    return i18n.number(x, _LANGUAGE["current"])


def _percent_axis(axis) -> None:
    """Format an axis of shares (0–1) as percentages in the theme's language."""
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _pos: _pct(x, 0)))


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
                _t("funnel_bar", rate=_pct(r.rate), units=_n(r.units), denominator=_n(r.denominator)), va="center",
                fontsize=9)
    ax.set_yticks(y, table.label)
    ax.set_xlim(0, 1.35)
    ax.set_xticks(np.linspace(0, 1, 6))
    _percent_axis(ax.xaxis)
    ax.set_xlabel(_t("funnel_x", units=_v(table.unit.iloc[0])))
    ax.set_title(title or _t("funnel_title"))
    return ax


__all__ += ["plot_breakdown"]


def plot_breakdown(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Points of ``rate`` per cell of a breakdown with the Wilson interval, the overall rate as a
    line, ``*`` on cells that differ from the rest after Holm's correction, each tested cell's
    Holm-adjusted p beside it, suppressed cells named."""
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
        p = float(r.p_adjusted)
        p_text = "" if np.isnan(p) else "; p" + ("<" + i18n.number(0.001, _LANGUAGE["current"], 3) if p < 0.001
                                                  else "=" + i18n.number(p, _LANGUAGE["current"], 3))
        text = (_t("breakdown_suppressed", n=_n(r.n)) if r.suppressed else
                f"{_pct(r.rate)}{' *' if r.significant else ''}  (n={_n(r.n)}{p_text})")
        ax.text(0.7, yi, text, va="center", fontsize=8, transform=ax.get_yaxis_transform())
    ax.set_yticks(y, table.value)
    xmax = max(1e-3, np.nanmax(np.r_[table.ci_high.to_numpy(dtype=float), table.overall_rate.iloc[0]]))
    ax.set_xlim(0, xmax * 1.6)  # the right 30 % hold the labels
    _percent_axis(ax.xaxis)
    ax.set_xlabel(_t("breakdown_x"))
    ax.set_ylabel(_v(table.by.iloc[0]))
    ax.set_title(title or _t("breakdown_title", by=_v(table.by.iloc[0])))
    return ax


def plot_weekly_abandonment(table: pd.DataFrame, *, by: str = "device", ax=None, title: str | None = None):
    """Lines of abandonment ``rate`` per week, one per value of ``by``, with interval bands."""
    ax = _ax(ax)
    for i, (key, sub) in enumerate(table.groupby(by, sort=True)):
        color = sns.color_palette("deep")[i % 10]
        x = pd.to_datetime(sub.week)
        ax.plot(x, sub.rate, marker="o", color=color, label=_v(key))
        ax.fill_between(x, sub.ci_low, sub.ci_high, color=color, alpha=0.15)
    _percent_axis(ax.yaxis)
    ax.set_ylim(0, 1)
    ax.set_ylabel(_t("weekly_y"))
    ax.set_xlabel(_t("weekly_x"))
    ax.legend(title=_v(by))
    ax.set_title(title or _t("weekly_title"))
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
    ax.set_ylabel(_t("nps_y"))
    ax.set_title(title or _t("nps_title"))
    return ax


def plot_themes(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Bars of mentions per theme, the negative part darker."""
    ax = _ax(ax)
    t = table.sort_values("mentions")
    ax.barh(t.label, t.mentions, color=PALETTE["muted"], label=_t("themes_all"))
    ax.barh(t.label, t.negative, color=PALETTE["bad"], label=_t("themes_negative"))
    for y, (_, r) in enumerate(t.iterrows()):
        ax.text(r.mentions, y, _t("themes_bar", mentions=_n(r.mentions), share=_pct(r.share, 0),
                                  items=_n(r.feedback_items)), va="center", fontsize=8)
    ax.set_xlabel(_t("themes_x"))
    ax.legend(loc="lower right")
    ax.set_title(title or _t("themes_title"))
    return ax


def plot_emotion(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """The emotion curve: the workshop's hypothesis beside the measured mean with its interval."""
    ax = _ax(ax)
    x = np.arange(len(table))
    ax.plot(x, table.hypothesis, ls="--", marker="s", color=PALETTE["muted"], label=_t("emotion_hypothesis"))
    ax.plot(x, table.measured, marker="o", color=PALETTE["main"], label=_t("emotion_measured"))
    ax.fill_between(x, table.ci_low.astype(float), table.ci_high.astype(float), color=PALETTE["main"], alpha=0.15)
    for xi, (_, r) in zip(x, table.iterrows()):
        if r.disagree:
            ax.annotate("≠", (xi, r.measured), xytext=(0, 8), textcoords="offset points", ha="center",
                        color=PALETTE["bad"], fontsize=14, weight="bold")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xticks(x, table.label)
    ax.set_ylim(-2.2, 2.2)
    ax.set_ylabel(_t("emotion_y"))
    ax.legend(loc="lower left")
    ax.set_title(title or _t("emotion_title"))
    return ax


__all__ += ["plot_score_trend", "plot_triangulation"]


def plot_score_trend(table: pd.DataFrame, *, by: str = "stage", ax=None, title: str | None = None):
    """Lines of ``score`` per ``period`` (from ``score_table(..., period=...)``), one per value of
    ``by``, with interval bands; suppressed groups leave gaps."""
    ax = _ax(ax)
    for i, (key, sub) in enumerate(table.groupby(by, sort=False)):
        color = sns.color_palette("deep")[i % 10]
        x = pd.to_datetime(sub.period)
        ax.plot(x, sub.score.astype(float), marker="o", color=color, label=_v(sub.label.iloc[0]))
        ax.fill_between(x, sub.ci_low.astype(float), sub.ci_high.astype(float), color=color, alpha=0.12)
    kind = table.kind.iloc[0] if len(table) else "score"
    ax.set_ylabel(_t(f"{kind}_y") if kind in ("nps", "csat", "ces") else kind)
    ax.set_xlabel(_t("period"))
    ax.legend(title=_v(by), fontsize=8)
    k = re.search(r"min_group_size (\d+)", str(table.rule.iloc[0])) if len(table) else None
    rule = _t("score_rule", k=k.group(1)) if k else (str(table.rule.iloc[0]) if len(table) else "")
    ax.set_title(title or _t("score_title", kind=kind.upper(), rule=rule), fontsize=10)
    ax.figure.autofmt_xdate()
    return ax


def plot_triangulation(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Bars of each stage's share of negative feedback beside its behavioural drop-off rate; flagged
    stages are named under their bars."""
    ax = _ax(ax)
    x = np.arange(len(table))
    ax.bar(x - 0.2, table.negative_share.astype(float), 0.4, color=PALETTE["bad"], label=_t("triangulation_negative"))
    ax.bar(x + 0.2, table.drop_off_rate.astype(float).fillna(0), 0.4, color=PALETTE["main"],
           label=_t("triangulation_drop"))
    tops = np.fmax(table.negative_share.astype(float).fillna(0), table.drop_off_rate.astype(float).fillna(0))
    for xi, flag, top in zip(x, table.flag, tops):
        if flag:
            text = _v(flag).replace(" without ", "\nwithout ").replace(" sans ", "\nsans ")
            ax.annotate(text, (xi, top), xytext=(0, 4), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7, color=PALETTE["bad"])
    ax.set_xticks(x, table.label)
    ax.set_ylim(0, 1.25)
    _percent_axis(ax.yaxis)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title or _t("triangulation_title"))
    return ax


def plot_transitions(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Heatmap of transition ``probability`` (rows: from, columns: to), each cell labelled with it."""
    ax = _ax(ax)
    grid = table.pivot_table(index="source", columns="target", values="probability", aggfunc="sum")
    image = ax.imshow(grid.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
        if not np.isnan(value):
            ax.text(j, i, _pct(value, 0), ha="center", va="center", fontsize=8,
                    color="white" if value > 0.6 else "black")
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=45, ha="right")
    ax.set_yticks(range(grid.shape[0]), grid.index)
    ax.set_xlabel(_t("transitions_x"))
    ax.set_ylabel(_t("transitions_y"))
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label=_t("transitions_bar"))
    ax.set_title(title or _t("transitions_title"))
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
            ax.text(step + 0.06, y - size * scale / 2, f"{node} ({_n(int(size))})", va="center", fontsize=8)
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
    ax.set_xticks(steps, [_t("sankey_step", step=s) for s in steps])
    ax.set_yticks([])
    ax.grid(False)
    ax.set_title(title or _t("sankey_title", units=_v(table.unit.iloc[0])))
    return ax


def plot_cohorts(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Heatmap of retention ``rate`` per cohort (rows) and period after the start (columns)."""
    ax = _ax(ax)
    grid = table.pivot(index="cohort", columns="period", values="rate")
    sizes = table.groupby("cohort").cohort_size.first()
    image = ax.imshow(grid.to_numpy(dtype=float), cmap="Greens", vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
        if not np.isnan(value):
            ax.text(j, i, _pct(value, 0), ha="center", va="center", fontsize=7,
                    color="white" if value > 0.6 else "black")
    ax.set_xticks(range(grid.shape[1]), grid.columns)
    ax.set_yticks(range(grid.shape[0]), [f"{c}  (n={_n(sizes[c])})" for c in grid.index])
    ax.set_xlabel(_t("cohorts_x"))
    ax.grid(False)
    bar = "cohorts_bar_on" if table["mode"].iloc[0] == "on" else "cohorts_bar_from"
    ax.figure.colorbar(image, ax=ax, label=_t(bar))
    ax.set_title(title or _t("cohorts_title"))
    return ax


__all__ += ["plot_coverage", "plot_opportunities", "plot_persona_mix", "plot_readout", "plot_segments",
            "plot_sizing", "plot_touchpoint_conversion"]


def plot_segments(table: pd.DataFrame, *, ax=None, title: str | None = None, top: int = 12):
    """Heatmap of :func:`cjmlib.segments.segment_profiles`: ``difference_sd`` per feature (rows, the
    ``top`` features that vary most across segments) and segment (columns, with their size)."""
    ax = _ax(ax)
    grid = table.pivot_table(index="label", columns="segment", values="difference_sd", sort=False)
    grid = grid.loc[grid.abs().max(axis=1).sort_values(ascending=False, kind="stable").index[:top]]
    sizes = table.groupby("segment").users.first()
    limit = max(float(np.nanmax(np.abs(grid.to_numpy()))), 0.5)
    image = ax.imshow(grid.to_numpy(dtype=float), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
        ax.text(j, i, i18n.number(value, _LANGUAGE["current"], 1), ha="center", va="center", fontsize=8,
                color="white" if abs(value) > 0.6 * limit else "black")
    ax.set_xticks(range(grid.shape[1]), [_t("segments_col", segment=s, n=_n(sizes[s])) for s in grid.columns])
    ax.set_yticks(range(grid.shape[0]), grid.index)
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label=_t("segments_bar"))
    ax.set_title(title or _t("segments_title"))
    return ax


def plot_persona_mix(table: pd.DataFrame, *, by: str = "device", ax=None, title: str | None = None):
    """Stacked bars of :func:`cjmlib.segments.persona_mix`: each persona's sessions by ``by``."""
    ax = _ax(ax)
    grid = table.pivot_table(index="persona", columns=by, values="share", sort=False).fillna(0)
    left = np.zeros(len(grid))
    colors = sns.color_palette("deep", len(grid.columns))
    for color, value in zip(colors, grid.columns):
        ax.barh(grid.index, grid[value], left=left, color=color, label=_v(value))
        for y, (x0, w) in enumerate(zip(left, grid[value])):
            if w >= 0.06:
                ax.text(x0 + w / 2, y, _pct(w, 0), ha="center", va="center", fontsize=8, color="white")
        left += grid[value].to_numpy()
    ax.set_xlim(0, 1)
    _percent_axis(ax.xaxis)
    ax.set_xlabel(_t("mix_x"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=min(len(grid.columns), 6), frameon=False)
    ax.set_title(title or _t("mix_title", by=_v(by)))
    return ax


def plot_coverage(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Heatmap of :func:`cjmlib.inventory.persona_coverage`: share of each persona's users per touchpoint."""
    ax = _ax(ax)
    grid = table.pivot_table(index="persona", columns="label", values="share", sort=False)
    image = ax.imshow(grid.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
        ax.text(j, i, _pct(value, 0), ha="center", va="center", fontsize=8, color="white" if value > 0.6 else "black")
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=35, ha="right")
    ax.set_yticks(range(grid.shape[0]), grid.index)
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label=_t("coverage_bar"))
    ax.set_title(title or _t("coverage_title"))
    return ax


def plot_touchpoint_conversion(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Bars of :func:`cjmlib.inventory.touchpoint_volume`'s ``conversion`` with its interval, per touchpoint."""
    ax = _ax(ax)
    shown = table[table.sessions > 0]
    y = np.arange(len(shown))[::-1]
    ax.barh(y, shown.conversion, color=PALETTE["main"], alpha=0.85)
    err = np.clip(np.vstack([shown.conversion - shown.ci_low, shown.ci_high - shown.conversion]), 0, None)
    ax.errorbar(shown.conversion, y, xerr=err, fmt="none", ecolor="black", capsize=3, lw=1)
    for yi, r in zip(y, shown.itertuples()):
        ax.text(min(r.ci_high, 1) + 0.01, yi, _t("tp_conversion_bar", rate=_pct(r.conversion), n=_n(r.sessions)),
                va="center", fontsize=8)
    ax.set_yticks(y, shown.label)
    ax.set_xlim(0, 1.3)
    ax.set_xticks(np.linspace(0, 1, 6))
    _percent_axis(ax.xaxis)
    ax.set_xlabel(_t("tp_conversion_x"))
    ax.set_title(title or _t("tp_conversion_title"))
    return ax


def plot_opportunities(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Score against effort of :func:`cjmlib.planning.opportunity_table`, coloured by now / next / later."""
    ax = _ax(ax)
    colors = {"now": PALETTE["good"], "next": PALETTE["accent"], "later": PALETTE["muted"]}
    shown = table.dropna(subset=["score", "effort"])
    for r in shown.itertuples():
        ax.scatter(r.effort, r.score, s=120, color=colors.get(r.priority, PALETTE["main"]), zorder=3)
        ax.annotate(f"{r.rank}. {r.name}", (r.effort, r.score), textcoords="offset points", xytext=(8, 4),
                    fontsize=8)
    for key, color in colors.items():
        ax.scatter([], [], color=color, label=_v(key))
    ax.set_xlim(0, max(shown.effort.max() * 1.6, 1) if len(shown) else 1)
    ax.set_ylim(0, shown.score.max() * 1.2 if len(shown) else 1)
    ax.set_xlabel(_t("opportunities_x"))
    ax.set_ylabel(_t("opportunities_y", scoring=str(table.scoring.iloc[0]).upper() if len(table) else ""))
    ax.legend(frameon=False)
    ax.set_title(title or _t("opportunities_title"))
    return ax


def plot_sizing(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Bars of :func:`cjmlib.sizing.sizing_table`'s extra conversions per month with their interval."""
    ax = _ax(ax)
    y = np.arange(len(table))[::-1]
    ax.barh(y, table.delta_per_month, color=PALETTE["good"], alpha=0.85)
    err = np.clip(np.vstack([table.delta_per_month - table.delta_low, table.delta_high - table.delta_per_month]),
                  0, None)
    ax.errorbar(table.delta_per_month, y, xerr=err, fmt="none", ecolor="black", capsize=3, lw=1)
    for yi, r in zip(y, table.itertuples()):
        ax.text(r.delta_high * 1.02, yi, f"{_n(r.delta_per_month)}  ({_pct(r.rate_now)} → {_pct(r.rate_target)})",
                va="center", fontsize=8)
    ax.set_yticks(y, table.name)
    ax.set_xlim(min(0, float(table.delta_low.min())) if len(table) else 0,
                float(table.delta_high.max()) * 1.6 if len(table) else 1)
    ax.set_xlabel(_t("sizing_x"))
    ax.set_title(title or _t("sizing_title"))
    return ax


def plot_readout(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Forest plot of :func:`cjmlib.experiments.readout`: each variant's difference from its control."""
    ax = _ax(ax)
    y = np.arange(len(table))[::-1]
    colors = [PALETTE["good"] if s else PALETTE["muted"] for s in table.significant]
    ax.errorbar(table.difference, y, xerr=np.vstack([table.difference - table.diff_ci_low,
                                                     table.diff_ci_high - table.difference]),
                fmt="none", ecolor="black", capsize=3, lw=1)
    ax.scatter(table.difference, y, color=colors, s=60, zorder=3)
    ax.axvline(0, color="black", lw=0.8)
    for yi, r in zip(y, table.itertuples()):
        ax.text(r.diff_ci_high + 0.005, yi, _t("readout_bar", prob=_pct(r.prob_to_beat),
                                                p=i18n.number(r.p_value, _LANGUAGE["current"], 3)),
                va="center", fontsize=8)
    ax.set_yticks(y, [f"{_v(e)} ({_v(v)})" for e, v in zip(table.experiment, table.variant)])
    span = float(max(table.diff_ci_high.max(), 0) - min(table.diff_ci_low.min(), 0)) if len(table) else 1
    ax.set_xlim(min(float(table.diff_ci_low.min()), 0) - 0.1 * span, float(table.diff_ci_high.max()) + 0.8 * span)
    _percent_axis(ax.xaxis)
    ax.set_xlabel(_t("readout_x"))
    ax.set_title(title or _t("readout_title"))
    return ax
