"""Behaviour flow: transitions, step sankey, top paths and after drop-off, worked out by hand."""

from __future__ import annotations

import duckdb
import ibis
import matplotlib
import pandas as pd
import pytest
from helpers import REES_SPEC

import cjmlib as cjm
from cjmlib.analytics import paths

matplotlib.use("Agg")

# Four sessions of three users (14 events). Ordered paths (a tie in time is ordered by the step):
#   s1 (u1): home product product cart purchase
#   s2 (u1): home cart home
#   s3 (u2): product cart
#   s4 (u3): home product product cart      (home and the first product share 12:00)
ROWS = [
    ("u1", "s1", "2026-01-05 10:00", "home"), ("u1", "s1", "2026-01-05 10:01", "product"),
    ("u1", "s1", "2026-01-05 10:02", "product"), ("u1", "s1", "2026-01-05 10:03", "cart"),
    ("u1", "s1", "2026-01-05 10:04", "purchase"),
    ("u1", "s2", "2026-01-05 11:00", "home"), ("u1", "s2", "2026-01-05 11:01", "cart"),
    ("u1", "s2", "2026-01-05 11:02", "home"),
    ("u2", "s3", "2026-01-05 09:00", "product"), ("u2", "s3", "2026-01-05 09:01", "cart"),
    ("u3", "s4", "2026-01-05 12:00", "product"), ("u3", "s4", "2026-01-05 12:00", "home"),
    ("u3", "s4", "2026-01-05 12:01", "product"), ("u3", "s4", "2026-01-05 12:02", "cart"),
]
STAGE = {"home": "awareness", "product": "consideration", "cart": "purchase", "purchase": "purchase"}


@pytest.fixture
def events():
    df = pd.DataFrame(ROWS, columns=["user_id", "session_id", "ts", "event"])
    df["ts"] = pd.to_datetime(df.ts)
    df["stage"] = df.event.map(STAGE)
    return ibis.memtable(df)


def _pairs(table, *columns):
    return {tuple(r[:-1]): r[-1] for r in table[[*columns]].itertuples(index=False)}


def test_transitions_by_session(events):
    t = cjm.transition_table(events)
    assert _pairs(t, "source", "target", "transitions") == {
        ("home", "product"): 2, ("product", "product"): 2, ("product", "cart"): 3, ("cart", "purchase"): 1,
        ("home", "cart"): 1, ("cart", "home"): 1}
    row = t.set_index(["source", "target"]).loc[("product", "cart")]
    assert (row.out_of_source, row.units) == (5, 3)
    assert row.probability == pytest.approx(3 / 5) and row.ci_low < 0.6 < row.ci_high
    assert t.set_index(["source", "target"]).loc[("home", "product"), "probability"] == pytest.approx(2 / 3)
    assert t.iloc[0][["source", "target"]].tolist() == ["product", "cart"]  # most frequent first


def test_transitions_with_ends(events):
    t = cjm.transition_table(events, ends=True).set_index(["source", "target"])
    assert t.loc[(paths.START, "home"), "transitions"] == 3
    assert t.loc[(paths.START, "product"), "transitions"] == 1
    assert t.loc[("cart", paths.END), "transitions"] == 2
    assert t.loc[("home", "product"), "out_of_source"] == 4  # 2 to product, 1 to cart, 1 to the end
    assert t.loc[("cart", "purchase"), "probability"] == pytest.approx(1 / 4)


def test_transitions_by_user_join_the_sessions(events):
    t = cjm.transition_table(events, unit="user").set_index(["source", "target"])
    assert t.loc[("purchase", "home"), "transitions"] == 1  # end of s1 to start of s2, both u1
    assert t.loc[("product", "cart"), ["transitions", "units"]].tolist() == [3, 3]
    assert set(t.unit) == {"user"}


def test_transitions_by_another_column(events):
    t = cjm.transition_table(events, by="stage").set_index(["source", "target"])
    assert t.loc[("consideration", "purchase"), "transitions"] == 3
    assert t.loc[("purchase", "purchase"), "transitions"] == 1
    assert t.loc[("awareness", "consideration"), "transitions"] == 2


def test_transitions_of_a_project_by_touchpoint(small_project):
    project = cjm.load_project(small_project)
    t = cjm.transition_table(project, by="touchpoint").set_index(["source", "target"])
    assert t.loc[("landing", "cart"), "transitions"] == 2  # s2 and s3
    assert t.loc[("product", "cart"), "out_of_source"] == 4  # cart 2, landing 1, product 1
    assert t.loc[("landing", "cart"), "probability"] == pytest.approx(2 / 4)


def test_step_sankey_from_the_first_step(events):
    t = cjm.step_sankey_table(events, steps=3)
    assert _pairs(t, "step", "source", "target", "units") == {
        (1, "home", "product"): 2, (1, "home", "cart"): 1, (1, "product", "cart"): 1,
        (2, "product", "product"): 2, (2, "cart", "home"): 1, (2, "cart", paths.END): 1}
    home = t[(t.step == 1) & (t.source == "home")].set_index("target")
    assert home.denominator.tolist() == [3, 3] and home.loc["product", "share"] == pytest.approx(2 / 3)


def test_step_sankey_after_a_start(events):
    t = cjm.step_sankey_table(events, steps=3, start="cart")
    assert _pairs(t, "step", "source", "target", "units") == {
        (1, "cart", paths.END): 2, (1, "cart", "purchase"): 1, (1, "cart", "home"): 1,
        (2, "purchase", paths.END): 1, (2, "home", paths.END): 1}
    assert t[t.step == 1].denominator.unique().tolist() == [4]


def test_step_sankey_before_an_anchor(events):
    t = cjm.step_sankey_table(events, steps=3, anchor="cart")
    assert _pairs(t, "step", "source", "target", "units") == {
        (-2, "product", "product"): 2, (-2, paths.START, "home"): 1, (-2, paths.START, "product"): 1,
        (-1, "product", "cart"): 3, (-1, "home", "cart"): 1}
    purchase = cjm.step_sankey_table(events, steps=2, anchor="purchase")  # only s1 has one
    assert _pairs(purchase, "step", "source", "target", "units") == {(-1, "cart", "purchase"): 1}


@pytest.mark.parametrize("options", [{"steps": 1}, {"start": "home", "anchor": "cart"}, {"unit": "visitor"}])
def test_step_sankey_rejects_bad_options(events, options):
    with pytest.raises(ValueError):
        cjm.step_sankey_table(events, **options)


def test_top_paths_whole(events):
    t = cjm.top_paths(events)
    assert set(t.path) == {"home → product → product → cart → purchase", "home → cart → home", "product → cart",
                           "home → product → product → cart"}
    assert t.units.tolist() == [1, 1, 1, 1] and t.denominator.unique().tolist() == [4]
    assert t.set_index("path").loc["product → cart", "steps"] == 2


def test_top_paths_first_steps_and_top(events):
    t = cjm.top_paths(events, max_steps=2, top=1)
    assert t[["path", "units", "denominator"]].values.tolist() == [["home → product", 2, 4]]
    assert t.share.iloc[0] == pytest.approx(0.5)


def test_top_paths_collapse_repeats(events):
    t = cjm.top_paths(events, max_steps=3, collapse_repeats=True).set_index("path")
    assert t.loc["home → product → cart", ["units", "steps"]].tolist() == [2, 3]  # s1 (purchase cut) and s4
    assert t.units.sum() == 4


def test_after_drop_off(events):
    t = cjm.after_drop_off(events, ["home", "cart", "purchase"], at="cart")
    assert dict(zip(t.next, t.units)) == {"home": 1, paths.END: 1}  # s2 went home, s4 stopped
    assert t.denominator.unique().tolist() == [2] and t.share.tolist() == [0.5, 0.5]
    first = cjm.after_drop_off(events, ["home", "product"], at="home")
    assert first[["next", "units", "denominator"]].values.tolist() == [["cart", 1, 1]]  # s2


def test_after_drop_off_by_user(events):
    t = cjm.after_drop_off(events, ["home", "cart", "purchase"], at="cart", unit="user")
    assert t[["next", "units", "denominator"]].values.tolist() == [[paths.END, 1, 1]]  # u3; u1 bought


def test_after_drop_off_rejects_the_last_step(events):
    with pytest.raises(ValueError, match="at must be"):
        cjm.after_drop_off(events, ["home", "cart"], at="cart")


def test_charts_draw_the_tables(events):
    ax = cjm.plot.plot_transitions(cjm.transition_table(events))
    assert "67%" in [t.get_text() for t in ax.texts]  # home → product = 2/3
    sankey = cjm.step_sankey_table(events, steps=3)
    ax = cjm.plot.plot_sankey(sankey)
    bands = [p for p in ax.patches if isinstance(p, matplotlib.patches.PathPatch)]
    assert len(bands) == len(sankey) == 6
    assert "home (3)" in [t.get_text() for t in ax.texts]



TRANSITIONS_SQL = """
WITH e AS (SELECT user_session AS s, event_type AS a,
                  lead(event_type) OVER (PARTITION BY user_session
                      ORDER BY CAST(replace(event_time, ' UTC', '') AS TIMESTAMP), event_type) AS b
           FROM read_csv('{path}', all_varchar=true) WHERE user_session IS NOT NULL)
SELECT a, b, count(*) AS n, count(DISTINCT s) AS sessions FROM e WHERE b IS NOT NULL GROUP BY 1, 2
"""


def test_rees46_transitions_equal_plain_sql(shared_data, tmp_path):
    path = shared_data / "rees46-oct2019-head" / "events.csv"
    (tmp_path / "journey.yml").write_text(REES_SPEC.format(path=path), encoding="utf-8")
    project = cjm.load_project(tmp_path)
    table = cjm.transition_table(project)
    expected = duckdb.connect().execute(TRANSITIONS_SQL.format(path=path)).fetchall()
    assert _pairs(table, "source", "target", "transitions") == {(a, b): n for a, b, n, _ in expected}
    assert _pairs(table, "source", "target", "units") == {(a, b): s for a, b, _, s in expected}
    assert table.transitions.sum() > 6000  # 9,999 events in 3,188 sessions
    sessions = cjm.top_paths(project, top=10_000)
    assert sessions.units.sum() == 3188
