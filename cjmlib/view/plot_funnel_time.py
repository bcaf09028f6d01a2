"""The charts of a funnel over time: its conversion per week with its band, and the time each step takes.

Both draw a table of :mod:`cjmlib.analytics.funnel_time` and compute nothing: the boxes of
:func:`plot_time_to_convert` are the percentiles of the table, not recomputed from units.
"""

from __future__ import annotations

import matplotlib.dates
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

from .chart_style import axes, chart_language, describe, label, number, percent, percent_axis
from .present import cell_text

__all__ = ["plot_conversion_trend", "plot_time_to_convert"]

#: The ticks of a time axis: seconds, the chart label that writes them, and its number.
_TIME_TICKS = [(1, "duration_s", 1), (10, "duration_s", 10), (60, "duration_min", 1), (600, "duration_min", 10),
               (3600, "duration_h", 1), (6 * 3600, "duration_h", 6), (86400, "duration_day", 1),
               (7 * 86400, "duration_days", 7), (30 * 86400, "duration_days", 30), (365 * 86400, "duration_days", 365)]


def plot_conversion_trend(table: pd.DataFrame, *, period: str = "week", ax=None, title: str | None = None):
    """Draw each funnel's conversion per period as a line with its 95 % band, one line per funnel.

    A period with censored units (their conversion window still open when the data ends) is drawn
    with a hollow marker: its rate can still rise.

    Parameters
    ----------
    table
        :func:`cjmlib.conversion_trend`: ``funnel``, ``funnel_name``, ``period``, ``rate``, ``ci_low``,
        ``ci_high``, ``converted``, ``entered``, ``censored``.
    period
        The period the table was counted by (``"day"``, ``"week"`` or ``"month"``), for the axis label.
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    told = []
    for i, (_, rows) in enumerate(table.groupby("funnel", sort=False)):
        rows = rows.sort_values("period")
        color, x, name = sns.color_palette("deep")[i % 10], pd.to_datetime(rows.period), rows.funnel_name.iloc[0]
        ax.fill_between(x, rows.ci_low, rows.ci_high, color=color, alpha=0.15, lw=0)
        ax.plot(x, rows.rate, color=color, label=name)
        open_ = rows.censored.to_numpy() > 0
        ax.scatter(x[~open_], rows.rate[~open_], color=color, s=20, zorder=3)
        ax.scatter(x[open_], rows.rate[open_], facecolors="white", edgecolors=color, s=24, zorder=3)
        first, last = rows.iloc[0], rows.iloc[-1]
        told.append(label("conversion_trend_told", funnel=name, first=percent(first.rate),
                          first_low=percent(first.ci_low), first_high=percent(first.ci_high),
                          last=percent(last.rate), low=percent(last.ci_low), high=percent(last.ci_high)))
    ax.set_ylim(0, max(float(table.ci_high.max()) * 1.1, 0.01) if len(table) else 1)
    percent_axis(ax.yaxis)
    if period == "week" and len(table):
        ax.xaxis.set_major_locator(matplotlib.dates.WeekdayLocator(
            byweekday=matplotlib.dates.MO, interval=max(1, table.period.nunique() // 10)))
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y-%m-%d"))
    ax.set_ylabel(label("conversion_trend_y"))
    ax.set_xlabel(label(f"conversion_trend_x_{period}"))
    if len(table):
        ax.legend(fontsize=8, loc="best")
    ax.set_title(title or label("conversion_trend_title"))
    ax.figure.autofmt_xdate()
    return describe(ax, f"{ax.get_title()}: " + "; ".join(told) + ".")


def _time_ticks(ax, low: float, high: float) -> None:
    """Put the readable durations between ``low`` and ``high`` seconds on the x axis (logarithmic)."""
    ticks = [(s, label(key, n=number(n))) for s, key, n in _TIME_TICKS if low <= s <= high]
    ax.xaxis.set_major_locator(matplotlib.ticker.FixedLocator([s for s, _ in ticks]))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FixedFormatter([t for _, t in ticks]))
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())


def _duration(seconds: float) -> str:
    """Return a time as a reader of the theme's language reads it (s, min, h or days)."""
    return cell_text(seconds, "duration", chart_language())


def plot_time_to_convert(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Draw each step's time to convert as a box: quartiles, median, whiskers from the 10th to the 90th percentile.

    The time axis is logarithmic (times under one second are drawn at one second); each box is
    labelled with its number of units.

    Parameters
    ----------
    table
        :func:`cjmlib.time_to_convert`: ``label``, ``since``, ``n``, ``p10_seconds``, ``q1_seconds``,
        ``median_seconds``, ``q3_seconds``, ``p90_seconds``.
    ax
        The Axes to draw on; a new figure when None (the default).
    title
        The chart's title; None (the default) for the default title in the theme's language.
    """
    ax = axes(ax)
    rows = table[table.n > 0]
    y = np.arange(len(rows))[::-1]
    stats = [{"whislo": max(r.p10_seconds, 1.0), "q1": max(r.q1_seconds, 1.0), "med": max(r.median_seconds, 1.0),
              "q3": max(r.q3_seconds, 1.0), "whishi": max(r.p90_seconds, 1.0), "fliers": []} for r in rows.itertuples()]
    if stats:
        ax.bxp(stats, positions=y, orientation="horizontal", widths=0.5, showfliers=False, patch_artist=True,
               boxprops={"facecolor": sns.color_palette("deep")[0], "alpha": 0.6},
               medianprops={"color": "black", "lw": 1.5})
    ax.set_xscale("log")
    low = min([s["whislo"] for s in stats], default=1.0)
    high = max([s["whishi"] for s in stats], default=60.0)
    ax.set_xlim(low / 2, high * 2)
    _time_ticks(ax, low / 2, high * 2)
    for yi, r in zip(y, rows.itertuples()):
        ax.text(1.01, yi, label("time_n", n=number(r.n)), va="center", fontsize=8, transform=ax.get_yaxis_transform())
    ax.set_yticks(y, rows.label)
    since = str(table.since.iloc[0]) if len(table) else "previous"
    ax.set_xlabel(label(f"time_x_{since}"))
    ax.set_title(title or label("time_title"))
    told = [label("time_told", step=r.label, median=_duration(r.median_seconds), q1=_duration(r.q1_seconds),
                  q3=_duration(r.q3_seconds), p90=_duration(r.p90_seconds), n=number(r.n)) for r in rows.itertuples()]
    return describe(ax, f"{ax.get_title()}, {ax.get_xlabel()}: " + "; ".join(told) + ".")
