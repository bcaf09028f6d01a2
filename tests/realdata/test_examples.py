"""The example projects of examples/ on the real public data (../shared/data): `cjm run` exits 0 on each, and
the figures each publishes (reports/latest/results/*.parquet) equal values computed here with plain
DuckDB or pandas from the raw files.

Each example runs once, in its own folder (what a run writes there is git-ignored by examples/.gitignore).
Skipped, with the reason, when ../shared/data is absent.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import KERNEL, ROOT, SHARED_DATA

from cjmlib import cli
from cjmlib.run.runner import run_playbook
from cjmlib.run.steps import STEPS

EXAMPLES = ROOT / "examples"
pytestmark = pytest.mark.skipif(not SHARED_DATA.exists(), reason=f"the shared real data is not at {SHARED_DATA}")

REES46 = SHARED_DATA / "rees46-oct2019-head" / "events.csv"
UCI = SHARED_DATA / "uci-online-shoppers" / "online_shoppers_intention.csv"
CDNOW = SHARED_DATA / "cdnow" / "cdnow_master.csv"
OLIST = SHARED_DATA / "olist-classified" / "olist_classified_public_dataset.csv"

# view → cart → purchase, each step at or after the previous one in the same unit (user or session)
ORDERED_FUNNEL_SQL = """
WITH e AS (SELECT user_id, user_session AS session_id, CAST(replace(event_time, ' UTC', '') AS TIMESTAMP) AS ts,
                  event_type FROM read_csv('{path}', all_varchar=true)),
     s1 AS (SELECT {unit} AS u, min(ts) t FROM e WHERE event_type = 'view' GROUP BY 1),
     s2 AS (SELECT e.{unit} AS u, min(e.ts) t FROM e JOIN s1 ON e.{unit} = s1.u
            WHERE e.event_type = 'cart' AND e.ts >= s1.t GROUP BY 1),
     s3 AS (SELECT e.{unit} AS u, min(e.ts) t FROM e JOIN s2 ON e.{unit} = s2.u
            WHERE e.event_type = 'purchase' AND e.ts >= s2.t GROUP BY 1)
SELECT (SELECT count(*) FROM s1), (SELECT count(*) FROM s2), (SELECT count(*) FROM s3)
"""


def _run(example: str) -> Path:
    """`cjm validate` then `cjm run` on an example, in process; return its folder."""
    folder = EXAMPLES / example
    assert cli.main(["validate", str(folder)]) == 0
    if KERNEL == "cjm":
        assert cli.main(["run", str(folder), "--quiet"]) == 0
    else:
        run_playbook(folder, kernel_name=KERNEL)
    pages = {p.name for p in (folder / "reports" / "latest" / "html").glob("*.html")}
    assert {f"{s.name}.html" for s in STEPS} | {"index.html", "journey-map.html"} <= pages
    return folder


def _result(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(folder / "reports" / "latest" / "results" / f"{name}.parquet")


@pytest.fixture(scope="module")
def rees46() -> Path:
    return _run("rees46")


@pytest.fixture(scope="module")
def uci() -> Path:
    done = subprocess.run([sys.executable, str(EXAMPLES / "uci-online-shoppers" / "prepare.py")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return _run("uci-online-shoppers")


@pytest.mark.parametrize("funnel, unit", [("sessions", "session_id"), ("users", "user_id")])
def test_rees46_published_funnels_equal_plain_sql(rees46, funnel, unit):
    expected = duckdb.connect().execute(ORDERED_FUNNEL_SQL.format(path=REES46, unit=unit)).fetchone()
    assert expected == ((3188, 69, 31) if unit == "session_id" else (2867, 67, 30))  # the figures
    table = _result(rees46, f"funnel-{funnel}")
    assert list(table.step) == ["view", "cart", "purchase"]
    assert tuple(table.converted) == expected


def test_rees46_published_cart_abandonment_equals_plain_sql(rees46):
    carts, abandoned = duckdb.connect().execute(f"""
        SELECT count(*), count(*) FILTER (WHERE NOT bought) FROM (
            SELECT user_session, bool_or(event_type = 'purchase') AS bought FROM read_csv('{REES46}', all_varchar=true)
            GROUP BY 1 HAVING bool_or(event_type = 'cart'))""").fetchone()
    assert (abandoned, carts) == (38, 69)
    kpis = _result(rees46, "kpis").set_index("id")
    assert (kpis.loc["cart-abandonment", "numerator"], kpis.loc["cart-abandonment", "denominator"]) == (38, 69)
    assert kpis.loc["cart-abandonment", "baseline"] == pytest.approx(38 / 69)


def test_uci_published_conversion_equals_pandas(uci):
    sessions = pd.read_csv(UCI, sep=";")
    bought = int(sessions.Revenue.astype(str).str.upper().eq("TRUE").sum())
    assert (bought, len(sessions)) == (1908, 12330)
    kpis = _result(uci, "kpis").set_index("id")
    assert (kpis.loc["conversion", "numerator"], kpis.loc["conversion", "denominator"]) == (1908, 12330)
    assert round(kpis.loc["conversion", "baseline"] * 100, 2) == 15.47
    product = sessions.ProductRelated > 0
    bought_after_a_product = product & sessions.Revenue.astype(str).str.upper().eq("TRUE")
    table = _result(uci, "funnel-sessions")
    assert list(table.converted) == [len(sessions), int(product.sum()), int(bought_after_a_product.sum())]
    # the funnel broken down by visitor type: sessions per type, and those reaching the purchase
    breakdown = _result(uci, "funnel_breakdowns")
    by_type = breakdown[breakdown.by == "VisitorType"].set_index("value")
    expected = bought_after_a_product.groupby(sessions.VisitorType).agg(["size", "sum"])
    assert by_type.n.sort_index().tolist() == expected["size"].sort_index().tolist()
    assert by_type.successes.sort_index().tolist() == expected["sum"].sort_index().tolist()
    assert by_type.rate["New_Visitor"] > by_type.rate["Returning_Visitor"]


def test_cdnow_published_repeat_purchase_equals_pandas():
    orders = pd.read_csv(CDNOW, dtype={"customer_id": str})
    per_customer = orders.customer_id.value_counts()
    repeaters = int((per_customer >= 2).sum())
    assert (len(orders), len(per_customer), repeaters) == (69659, 23570, 11662)  # the README's figures
    assert round(orders.dollar_value.sum(), 2) == 2500315.63
    folder = _run("cdnow")
    quality = _result(folder, "data_quality").set_index("table")
    assert quality.loc["orders", "rows_kept"] == len(orders)  # one order per row: no id, none set aside
    kpis = _result(folder, "kpis").set_index("id")
    assert (kpis.loc["repeat-purchase", "numerator"], kpis.loc["repeat-purchase", "denominator"]) == (repeaters, 23570)
    assert kpis.loc["repeat-purchase", "baseline"] == pytest.approx(repeaters / len(per_customer))
    assert kpis.loc["order-value", "denominator"] == len(orders)
    assert kpis.loc["order-value", "baseline"] == pytest.approx(orders.dollar_value.sum() / len(orders))
    # the RFM segments cover every customer once, and their revenue shares add up to all the revenue
    segments = _result(folder, "segments")
    assert segments.users.sum() == len(per_customer)
    assert segments.share_revenue.sum() == pytest.approx(1.0)


def test_olist_published_voice_agrees_with_the_human_labels():
    folder = _run("olist")
    reviews = pd.read_csv(OLIST)
    quality = _result(folder, "data_quality").set_index("table")
    assert quality.loc["feedback", "rows_kept"] == len(reviews) == 3584
    themes = _result(folder, "themes").set_index("theme")
    assert (themes.feedback_items == len(reviews)).all()
    labels = reviews.most_voted_class.value_counts()
    # the people who labelled the comments found delivery problems twice as often as quality problems
    assert labels["problemas_de_entrega"] > 1.5 * labels["problemas_de_qualidade"]
    assert themes.loc["atraso", "mentions"] > themes.loc["qualidade", "mentions"]
    # customers who write about a late delivery score lower than the average customer
    assert themes.loc["atraso", "mean_rating"] < reviews.review_score.mean() - 1
