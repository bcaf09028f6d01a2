"""The charts of a funnel over time, read back from the drawn artists."""

import datetime as dt

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection

from cjmlib.view import chart_style
from cjmlib.view.plot_funnel_time import plot_conversion_trend, plot_time_to_convert

MONDAYS = [dt.date(2026, 1, 5), dt.date(2026, 1, 12), dt.date(2026, 1, 19)]


def _trend():
    return pd.DataFrame({"funnel": ["buy"] * 3 + ["sign"] * 3, "funnel_name": ["Buying"] * 3 + ["Signing up"] * 3,
                         "period": MONDAYS * 2, "entered": [4, 5, 3, 10, 10, 10], "converted": [2, 1, 2, 5, 6, 1],
                         "censored": [0, 0, 1, 0, 0, 0], "rate": [0.5, 0.2, 2 / 3, 0.5, 0.6, 0.1],
                         "ci_low": [0.15, 0.036, 0.21, 0.24, 0.31, 0.018],
                         "ci_high": [0.85, 0.62, 0.94, 0.76, 0.83, 0.40], "unit": ["user"] * 6})


def _times(since="previous"):
    return pd.DataFrame({"funnel": ["buy"] * 3, "step": [2, 3, 4], "key": ["b", "c", "d"],
                         "label": ["Basket", "Checkout", "Paid"], "since": since, "n": [6, 5, 0],
                         "p10_seconds": [90.0, 14.0, np.nan], "q1_seconds": [135.0, 20.0, np.nan],
                         "median_seconds": [210.0, 30.0, np.nan], "q3_seconds": [285.0, 40.0, np.nan],
                         "p90_seconds": [1950.0, 90000.0, np.nan], "unit": "user"})


def test_one_line_and_one_band_per_funnel_with_the_rates_as_drawn():
    chart_style.set_theme("en")
    ax = plot_conversion_trend(_trend())
    lines = [line for line in ax.get_lines() if line.get_label() in ("Buying", "Signing up")]
    assert [line.get_label() for line in lines] == ["Buying", "Signing up"]
    assert lines[0].get_ydata().tolist() == pytest.approx([0.5, 0.2, 2 / 3])
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2
    top = bands[0].get_paths()[0].vertices[:, 1]
    assert top.max() == pytest.approx(0.94) and top.min() == pytest.approx(0.036)
    assert ax.get_ylabel() == "last step ÷ step 1 (95 % band)" and ax.get_xlabel() == "week of entry (Monday)"
    plt.close(ax.figure)


def test_a_period_with_censored_units_has_a_hollow_marker():
    chart_style.set_theme("en")
    ax = plot_conversion_trend(_trend())
    hollow = [c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_offsets()) and
              tuple(c.get_facecolor()[0][:3]) == (1.0, 1.0, 1.0)]
    assert len(hollow) == 1 and hollow[0].get_offsets()[0][1] == pytest.approx(2 / 3)
    plt.close(ax.figure)


def test_the_trend_alt_text_and_labels_speak_french():
    chart_style.set_theme("fr")
    ax = plot_conversion_trend(_trend())
    text = chart_style.figure_description(ax.figure)
    assert ax.get_title() == "Conversion par semaine d'entrée"
    assert "Buying : de 50,0" in text and "la dernière" in text and "66,7" in text
    plt.close(ax.figure)
    chart_style.set_theme("en")


def test_each_step_reached_is_a_box_of_its_percentiles_on_a_log_time_axis():
    chart_style.set_theme("en")
    ax = plot_time_to_convert(_times())
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Basket", "Checkout"]  # Paid: nobody reached it
    boxes = [p for p in ax.patches]
    assert len(boxes) == 2
    x = boxes[0].get_path().vertices[:, 0]
    assert (x.min(), x.max()) == pytest.approx((135.0, 285.0))  # the box: first to third quartile
    whiskers = sorted(x for line in ax.get_lines() for x in line.get_xdata())
    assert 90.0 in whiskers and 1950.0 in whiskers and 90000.0 in whiskers
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "1 min" in ticks and "1 h" in ticks and "1 day" in ticks
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["n = 6", "n = 5"]
    assert ax.get_xlabel().startswith("time from the previous step")
    plt.close(ax.figure)


def test_the_time_alt_text_gives_readable_durations():
    chart_style.set_theme("fr")
    ax = plot_time_to_convert(_times(since="entry"))
    text = chart_style.figure_description(ax.figure)
    assert ax.get_xlabel().startswith("temps depuis l'entrée")
    assert "Basket : médiane 4 min (quartiles 2 min–5 min" in text and "90e centile 1,0 jours" in text
    plt.close(ax.figure)
    chart_style.set_theme("en")
