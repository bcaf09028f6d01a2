"""The charts' look and language: palette, seaborn theme, and labels and numbers in the chosen language.

:func:`set_theme` applies the theme and chooses the language of every chart's default titles, axis
labels, legends and numbers (words in :mod:`cjmlib.i18n`); the helpers below write in that language,
for the chart modules :mod:`cjmlib.view.plot`, :mod:`cjmlib.view.plot_voice` and
:mod:`cjmlib.view.plot_plan`.
"""

from __future__ import annotations

import io
import struct

import matplotlib
import matplotlib.pyplot as plt
import seaborn as sns
from IPython import get_ipython
from matplotlib.figure import Figure

from ..i18n import catalogue as i18n
from .chart_words import chart_language, set_chart_language

__all__ = ["PALETTE", "axes", "chart_language", "describe", "figure_description", "figure_png", "label", "number",
           "percent", "percent_axis", "set_theme", "value_label"]

#: The colours every chart shares: the main series, an accent, bad and good news, and the rest.
PALETTE = {"main": "#2f5d8a", "accent": "#d9822b", "bad": "#b03a2e", "good": "#2e7d4f", "muted": "#9aa5b1"}



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
    set_chart_language(language)
    sns.set_theme(style="whitegrid", context="notebook", rc={"figure.dpi": 100, "axes.titleweight": "bold",
                                                             "figure.figsize": (8, 4),
                                                             # a `$` in a name is a dollar, not mathematics
                                                             "text.parse_math": False})
    shell = get_ipython()
    if shell is not None:  # a notebook: figures shown as 2x PNG carrying their description (alt text)
        plt.close(plt.figure())  # load the inline backend now: it registers its own formatter when loaded
        formatter = shell.display_formatter.formatters["image/png"]
        formatter.for_type(Figure, lambda fig: figure_png(fig))
        shell.display_formatter.formatters["image/svg+xml"].pop(Figure, None)


def describe(ax, text: str):
    """Attach what a chart shows to its figure (the alt text of the displayed image) and return ``ax``.

    Parameters
    ----------
    ax
        The Axes drawn on; the description is kept on its figure, after those of its other Axes.
    text
        One sentence saying what the chart shows.
    """
    figure = ax.figure
    figure.cjm_description = [*getattr(figure, "cjm_description", []), text]
    return ax


def _axes_summary(ax) -> str:
    """Return an Axes' title, its axis labels and its categories as one line (read from the artists)."""
    parts = [ax.get_title()]
    for axis, name in ((ax.yaxis, ax.get_ylabel()), (ax.xaxis, ax.get_xlabel())):
        ticks = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
        categorical = ticks and not any(ch.isdigit() for ch in "".join(ticks))
        parts.append(f"{name}: {', '.join(ticks[:12])}" if categorical and name else
                     ", ".join(ticks[:12]) if categorical else name)
    return " · ".join(p for p in parts if p)


def figure_description(figure) -> str:
    """Return what a figure shows: the descriptions attached with :func:`describe`, else its titles,
    axis labels and categories read from the artists.

    Parameters
    ----------
    figure
        A matplotlib figure.
    """
    attached = getattr(figure, "cjm_description", None)
    if attached:
        return " ".join(attached)
    summaries = [s for ax in figure.axes if (s := _axes_summary(ax))]
    return " — ".join(summaries) or label("chart")


def figure_png(figure) -> tuple[bytes, dict]:
    """Return a figure as a PNG at twice its resolution, with its display size and alt text.

    Parameters
    ----------
    figure
        A matplotlib figure.

    Returns
    -------
    tuple
        The PNG bytes and the display metadata: ``width`` and ``height`` (CSS pixels, half the
        image's) and ``alt`` (:func:`figure_description`).
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=2 * figure.dpi, bbox_inches="tight", facecolor="white")
    data = buffer.getvalue()
    width, height = struct.unpack(">II", data[16:24])
    return data, {"width": width // 2, "height": height // 2, "alt": figure_description(figure)}


def label(key: str, **values) -> str:
    """Return the chart label ``key`` (:data:`cjmlib.i18n.PLOT_LABELS`) in the theme's language, its
    ``{name}`` fields filled with ``values``."""
    return i18n.plot_label(key, chart_language(), **values)


def value_label(value) -> str:
    """Return a data value or column name (device, unit, flag…) in the theme's language."""
    return i18n.value_label(value, chart_language())


def percent(x: float, digits: int = 1) -> str:
    """Return the share ``x`` (0–1) as a percentage with ``digits`` decimals, in the theme's language."""
    return i18n.percent(x, chart_language(), digits)


def number(x: float, digits: int = 0) -> str:
    """Return ``x`` with ``digits`` decimals as the theme's language writes it."""
    return i18n.number(x, chart_language(), digits)


def percent_axis(axis) -> None:
    """Format an axis of shares (0–1) as percentages in the theme's language."""
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _pos: percent(x, 0)))


def axes(ax=None):
    """Return ``ax``, or the Axes of a new 8 × 4 in figure when it is None."""
    return ax if ax is not None else plt.subplots(figsize=(8, 4))[1]
