"""Breakdowns with intervals, tests against the rest, Holm correction and suppression."""

from __future__ import annotations

import math

import duckdb
import ibis
import pandas as pd
import pytest
from scipy.stats import fisher_exact, norm

import cjmlib as cjm
from cjmlib.analytics.breakdown import breakdown_table, unit_outcomes
from cjmlib.stats import wilson_interval


def _units(cells: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """One row per unit: ``cells`` maps a value to (units, successes)."""
    rows = []
    for value, (n, k) in cells.items():
        rows += [{"channel": value, "converted": int(i < k)} for i in range(n)]
    return pd.DataFrame(rows)


def _z_by_hand(k1, n1, k2, n2):
    p = (k1 + k2) / (n1 + n2)
    z = (k1 / n1 - k2 / n2) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return 2 * (1 - norm.cdf(abs(z)))


def test_cells_tests_holm_and_suppression_by_hand():
    units = _units({"ads": (40, 20), "email": (40, 8), "social": (5, 5)})
    table = breakdown_table(units, "channel", min_n=30).set_index("value")
    assert table.loc["ads", ["n", "successes", "rest_n", "rest_successes"]].tolist() == [40, 20, 45, 13]
    assert table.loc["ads", "rate"] == 0.5 and table.loc["ads", "rest_rate"] == pytest.approx(13 / 45)
    low, high = wilson_interval([8], [40])
    assert (table.loc["email", "ci_low"], table.loc["email", "ci_high"]) == pytest.approx((low[0], high[0]))
    p_ads, p_email = _z_by_hand(20, 40, 13, 45), _z_by_hand(8, 40, 25, 45)
    assert table.loc["ads", "p_value"] == pytest.approx(p_ads)
    assert table.loc["email", "p_value"] == pytest.approx(p_email)
    # Holm over two tests: the smaller p doubled, the larger kept (never below the first)
    small, large = sorted([p_ads, p_email])
    adjusted = {p_ads: None, p_email: None}
    adjusted[small] = min(1, 2 * small)
    adjusted[large] = max(adjusted[small], large)
    assert table.loc["ads", "p_adjusted"] == pytest.approx(adjusted[p_ads])
    assert table.loc["email", "p_adjusted"] == pytest.approx(adjusted[p_email])
    assert table.loc["email", "significant"]  # 20 % against 56 %
    # the small cell: suppressed, untested, but its units are in the others' rest
    assert table.loc["social", "suppressed"] and math.isnan(table.loc["social", "rate"])
    assert math.isnan(table.loc["social", "p_value"]) and not table.loc["social", "significant"]
    assert table.loc["ads", "overall_rate"] == pytest.approx(33 / 85)
    assert "fewer than 30 units are suppressed" in table.rule.iloc[0] and "Holm" in table.rule.iloc[0]


def test_breakdown_with_bh_by_hand():
    cells = {"ads": (60, 33), "email": (60, 18), "seo": (60, 24)}
    units = _units(cells)
    p = {"ads": _z_by_hand(33, 60, 42, 120), "email": _z_by_hand(18, 60, 57, 120), "seo": _z_by_hand(24, 60, 51, 120)}
    order = sorted(p, key=p.get)  # ranks 1, 2, 3
    bh, running = {}, 1.0
    for rank in (3, 2, 1):
        name = order[rank - 1]
        running = min(running, p[name] * 3 / rank)
        bh[name] = running
    table = breakdown_table(units, "channel", min_n=30, correction="bh").set_index("value")
    for name in cells:
        assert table.loc[name, "p_value"] == pytest.approx(p[name])
        assert table.loc[name, "p_adjusted"] == pytest.approx(bh[name])
        assert table.loc[name, "significant"] == (bh[name] < 0.05)
    assert (table.correction == "bh").all() and "Benjamini–Hochberg" in table.rule.iloc[0]
    holm = breakdown_table(units, "channel", min_n=30).set_index("value")
    assert (holm.correction == "holm").all() and "Holm" in holm.rule.iloc[0]
    smallest = order[0]
    assert holm.loc[smallest, "p_adjusted"] == pytest.approx(min(1, 3 * p[smallest]))
    assert holm.loc[order[1], "p_adjusted"] > table.loc[order[1], "p_adjusted"]  # BH is the lenient one
    with pytest.raises(ValueError):
        breakdown_table(units, "channel", correction="fdr")


def test_fisher_when_expected_counts_are_small_and_engine_equals_pandas():
    units = _units({"a": (12, 1), "b": (30, 2)})
    table = breakdown_table(units, "channel", min_n=10).set_index("value")
    assert table.loc["a", "test"] == "fisher"
    assert table.loc["a", "p_value"] == pytest.approx(fisher_exact([[1, 11], [2, 28]])[1])
    con = duckdb.connect()
    con.execute("CREATE TABLE units AS SELECT * FROM units")
    engine = breakdown_table(ibis.duckdb.from_connection(con).table("units"), "channel", min_n=10)
    pd.testing.assert_frame_equal(engine.set_index("value"), table, check_dtype=False)


def test_unit_outcomes_by_hand(small_project):
    project = cjm.load_project(small_project)
    sessions = unit_outcomes(project).execute().set_index("unit_id").sort_index()
    assert sessions.converted.tolist() == [1, 0, 0, 0, 0]  # only s1 bought
    assert sessions.landing_touchpoint.tolist() == ["landing", "landing", "product", "landing", "product"]
    assert sessions.first_channel.tolist() == ["social", "email", "search", "ads", "ads"]
    assert sessions.events.tolist() == [4, 2, 3, 4, 1]
    assert set(sessions.week.astype(str)) == {"2026-01-05"}  # a Monday
    table = breakdown_table(unit_outcomes(project), "landing_touchpoint", min_n=1).set_index("value")
    assert table.loc["landing", ["n", "successes"]].tolist() == [3, 1] and table.loc["product", "n"] == 2


def test_uci_online_shoppers_conversion_and_visitor_type(shared_data):
    path = shared_data / "uci-online-shoppers" / "online_shoppers_intention.csv"
    frame = pd.read_csv(path, sep=";")
    con = duckdb.connect()
    con.execute(f"CREATE TABLE sessions AS SELECT *, CAST(Revenue AS INTEGER) AS converted, "
                f"ProductRelated + Administrative + Informational = 1 AS one_page FROM read_csv('{path}', delim=';')")
    sessions = ibis.duckdb.from_connection(con).table("sessions")
    table = breakdown_table(sessions, "VisitorType", min_n=100).set_index("value")
    assert table.total_n.iloc[0] == 12330
    assert table.overall_rate.iloc[0] == pytest.approx(0.1547, abs=5e-5)  # the known 15.47 %
    expected = frame.groupby("VisitorType").Revenue.agg(["count", "sum"])
    for value in ("New_Visitor", "Returning_Visitor"):
        assert table.loc[value, "n"] == expected.loc[value, "count"]
        assert table.loc[value, "rate"] == pytest.approx(expected.loc[value, "sum"] / expected.loc[value, "count"])
        assert table.loc[value, "significant"]  # new visitors convert far more often than the rest
    assert table.loc["Other", "suppressed"] and table.loc["Other", "n"] == 85
    assert table.loc["New_Visitor", "rate"] > table.loc["New_Visitor", "rest_rate"]
    # bounce (a single page seen) broken down the same way, against the independent pandas count
    bounce = breakdown_table(sessions.mutate(converted=sessions.one_page.cast("int64")), "VisitorType", min_n=100)
    pages = frame.ProductRelated + frame.Administrative + frame.Informational
    assert bounce.overall_rate.iloc[0] == pytest.approx((pages == 1).mean())


def test_plot_breakdown_marks_significance_and_names_suppressed_cells():
    import matplotlib

    matplotlib.use("Agg")
    from cjmlib.view.plot import plot_breakdown

    table = breakdown_table(_units({"ads": (40, 20), "email": (40, 8), "social": (5, 5)}), "channel", min_n=30)
    ax = plot_breakdown(table)
    texts = [t.get_text() for t in ax.texts]
    # Holm over the two tested cells, by hand: email (smaller p) × 2, ads × 1 (not below email's)
    p_email, p_ads = table.p_value[1], table.p_value[0]
    assert f"20.0% *  (n=40; p={2 * p_email:.3f})" in texts and "suppressed (n=5)" in texts
    assert f"50.0% *  (n=40; p={max(p_ads, 2 * p_email):.3f})" in texts
    assert len(ax.collections[-1].get_offsets()) == 2  # the suppressed cell has no point
    labels = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    assert labels["ads"] > labels["email"] > labels["social"]  # largest cell on top
    assert ax.lines[-1].get_xdata()[0] == pytest.approx(33 / 85)  # the overall rate
