"""The sizing chart draws what can be sized and leaves out a step no unit reached (NaN)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cjmlib.view import chart_style
from cjmlib.view.plot_plan import plot_sizing


def _sizing(delta, low, high):
    return pd.DataFrame({"name": [f"Idea {k}" for k in range(len(delta))], "delta_per_month": delta,
                         "delta_low": low, "delta_high": high, "rate_now": 0.2, "rate_target": 0.3})


def test_a_step_no_unit_reached_is_left_out():
    chart_style.set_theme("en")
    ax = plot_sizing(_sizing([10.0, np.nan], [4.0, np.nan], [16.0, np.nan]))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Idea 0"]
    assert ax.get_xlim() == (0.0, 16.0 * 1.6)
    plt.close(ax.figure)


def test_nothing_sizable_still_draws_an_empty_chart():
    ax = plot_sizing(_sizing([np.nan], [np.nan], [np.nan]))
    assert ax.get_xlim() == (0.0, 1.0) and len(ax.patches) == 0
    plt.close(ax.figure)


def test_a_negative_change_keeps_its_bar_in_view():
    ax = plot_sizing(_sizing([-5.0], [-9.0], [-1.0]))
    assert ax.get_xlim() == (-9.0, 0.0)
    plt.close(ax.figure)
