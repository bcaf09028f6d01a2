"""Charts shown in a page: a 2x PNG carrying what the chart shows as its alt text; week ticks on Mondays."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

from cjmlib.view import chart_style
from cjmlib.view.plot import plot_funnel, plot_weekly_abandonment


def _funnel():
    return pd.DataFrame({"step": [1, 2], "label": ["Product page", "Cart"], "units": [200, 50],
                         "denominator": [200, 200], "rate": [1.0, 0.25], "ci_low": [0.98, 0.19],
                         "ci_high": [1.0, 0.32], "unit": ["session", "session"]})


def test_funnel_description_names_each_step_with_its_rate_and_counts():
    chart_style.set_theme("en")
    ax = plot_funnel(_funnel())
    text = chart_style.figure_description(ax.figure)
    assert text.startswith("Funnel: ")
    assert "Product page 100.0 % (200/200)" in text or "Product page 100.0% (200/200)" in text
    assert "Cart 25.0" in text and "(50/200)" in text
    plt.close(ax.figure)


def test_figure_png_is_twice_the_display_size_and_carries_the_alt_text():
    fig, ax = plt.subplots(figsize=(4, 2), dpi=100)
    ax.plot([0, 1], [0, 1])
    ax.set_title("Sessions per week")
    data, meta = chart_style.figure_png(fig)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (meta["width"], meta["height"]) == (width // 2, height // 2)
    assert 300 <= meta["width"] <= 420  # 4 in at 100 dpi, trimmed by bbox_inches="tight"
    assert meta["alt"].startswith("Sessions per week")
    plt.close(fig)


def test_untitled_figure_still_has_a_description():
    fig, _ = plt.subplots()
    fig.axes[0].set_axis_off()
    assert chart_style.figure_description(fig) == "Chart"
    plt.close(fig)


def test_weekly_ticks_fall_on_mondays_and_rates_stay_within_0_100():
    chart_style.set_theme("en")
    weeks = pd.date_range("2026-09-07", periods=6, freq="W-MON")
    table = pd.DataFrame({"week": list(weeks) * 2, "device": ["mobile"] * 6 + ["desktop"] * 6,
                          "rate": [0.5, 0.52, 0.81, 0.5, 0.49, 0.5] + [0.3] * 6,
                          "ci_low": [0.4] * 6 + [0.2] * 6, "ci_high": [0.6, 0.6, 0.9, 0.6, 0.6, 0.6] + [0.4] * 6})
    ax = plot_weekly_abandonment(table)
    ticks = [matplotlib.dates.num2date(t) for t in ax.get_xticks()]
    assert ticks and all(t.weekday() == 0 for t in ticks)
    assert ax.get_ylim() == (0, 1)
    text = chart_style.figure_description(ax.figure)
    assert "81.0" in text and "mobile" in text.lower() and "2026-09-21" in text
    plt.close(ax.figure)


def test_impact_effort_labels_never_overlap_and_quadrants_are_named():
    from cjmlib.view.plot_plan import plot_opportunities

    chart_style.set_theme("en")
    table = pd.DataFrame({"name": ["Show shipping costs early", "One-page checkout", "SMS updates"],
                          "score": [100.0, 98.0, 97.0], "effort": [2.0, 2.05, 2.1], "rank": [1, 2, 3],
                          "priority": ["now", "next", "later"], "scoring": ["rice"] * 3})
    ax = plot_opportunities(table)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in ax.texts if t.get_text().strip()]
    boxes = [t.get_window_extent(renderer) for t in texts if t.get_text() not in ("1", "2", "3")]
    assert all(not a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    words = {t.get_text() for t in texts}
    assert {"quick wins", "big bets", "fill-ins", "costly, little gain"} <= words
    assert "1. Show shipping costs early\n2. One-page checkout\n3. SMS updates" in words
    assert ax.get_xlim()[0] == 0 and ax.get_ylim()[0] == 0
    plt.close(fig)


def test_monthly_scores_are_points_within_the_scale():
    from cjmlib.view.plot_voice import plot_score_trend

    chart_style.set_theme("en")
    table = pd.DataFrame({"period": ["2026-09-01", "2026-10-01"] * 2, "stage": ["purchase"] * 2 + ["retention"] * 2,
                          "label": ["Purchase"] * 2 + ["Retention"] * 2, "score": [-16.0, 20.0, 27.0, 30.0],
                          "ci_low": [-40.0, -5.0, 5.0, 10.0], "ci_high": [8.0, 45.0, 49.0, 50.0],
                          "kind": ["nps"] * 4, "rule": ["min_group_size 10"] * 4})
    ax = plot_score_trend(table)
    # no line joins the months: every data line is drawn as markers only
    lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 2]
    assert lines and all(ln.get_linestyle() == "None" for ln in lines)
    low, high = ax.get_ylim()
    assert -104 <= low <= -100 and 100 <= high <= 104
    plt.close(ax.figure)


def test_dollar_signs_in_names_are_drawn_as_text_not_mathematics():
    # `$…$` in a persona or a channel was read as mathematics and stopped step 02 ("valid", then exit 1)
    from io import BytesIO

    from cjmlib.view.plot import plot_persona_mix

    chart_style.set_theme("en")
    table = pd.DataFrame({"persona": ["Saver $5 $^^x", "Big $\\pender$"], "channel": ["$cpc$_{x", "email"],
                          "share": [1.0, 1.0]})
    ax = plot_persona_mix(table, by="channel")
    ax.figure.savefig(BytesIO(), format="png")
    assert "Saver $5 $^^x" in [t.get_text() for t in ax.get_yticklabels()]
    plt.close(ax.figure)
