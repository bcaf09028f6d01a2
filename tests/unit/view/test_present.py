"""The presentation layer: headers in words, a rate and its interval in one cell, numbers as each language
writes them, technical and constant columns under "More columns". Expected texts are worked out by hand."""

from __future__ import annotations

import datetime as dt
import html
import re

import pandas as pd
import pytest

from cjmlib.view.display import show_table
from cjmlib.view.present import cell_text, header, present, value_text

NNBSP = "\u202f"
PAYLOAD = "<script>alert(1)</script>"


def _headers(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", page, re.DOTALL)]


def _cells(page: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", page, re.DOTALL)]


@pytest.fixture
def breakdown() -> pd.DataFrame:
    # 33 of 1,000 mobile sessions convert: 3.3 %, Wilson 95 % interval given as 0.030–0.037
    return pd.DataFrame({"by": ["device", "device"], "value": ["mobile", "desktop"], "n": [1000, 12345],
                         "rate": [0.033, 0.0412], "ci_low": [0.030, 0.038], "ci_high": [0.037, 0.0446],
                         "p_value": [0.0004, 0.2718], "p_adjusted": [0.0008, 0.2718], "significant": [True, False],
                         "rule": ["min_n 30", "min_n 30"]})


def test_english_headers_and_cells(breakdown):
    page = show_table(breakdown, language="en").to_html()
    main, more = page.split("<details", 1)
    # by and rule hold one value in every row, p_value gives way to the adjusted p: all under "More columns"
    assert _headers(main) == ["Value", "n", "Rate (95 % CI)", "p (adjusted)", "Significant"]
    assert _cells(main) == ["mobile", "1,000", "3.3% (3.0–3.7)", "< 0.001", "✓",
                            "desktop", "12,345", "4.1% (3.8–4.5)", "0.27", "—"]
    assert _headers(more) == ["Value", "Breakdown", "p", "Rule"]
    assert "More columns (3)" in more


def test_french_headers_and_cells(breakdown):
    page = show_table(breakdown, language="fr").to_html()
    main = page.split("<details", 1)[0]
    assert _headers(main) == ["Valeur", "n", "Taux (IC à 95 %)", "p (ajusté)", "Significatif"]
    assert _cells(main) == ["mobile", f"1{NNBSP}000", f"3,3{NNBSP}% (3,0–3,7)", "< 0,001", "✓",
                            "ordinateur", f"12{NNBSP}345", f"4,1{NNBSP}% (3,8–4,5)", "0,27", "—"]
    assert "Autres colonnes (3)" in page


def test_step_rate_and_share_intervals_merge_into_their_own_columns():
    funnel = pd.DataFrame({"step": [1, 2], "label": ["Cart", "Checkout"], "entered": [200, 150],
                           "step_rate": [1.0, 0.75], "step_ci_low": [0.98, 0.68], "step_ci_high": [1.0, 0.81],
                           "p90_seconds": [45, 158017]})
    shown = present(funnel, language="en")
    assert list(shown.main.columns) == ["Step", "Name", "Entered", "Step rate (95 % CI)", "Time (90th percentile)"]
    # 158,017 s = 1.83 days; 45 s stays in seconds
    assert shown.main.iloc[1].tolist() == ["2", "Checkout", "150", "75.0% (68.0–81.0)", "1.8 days"]
    assert shown.main.iloc[0, 4] == "45 s"


def test_durations_and_signed_intervals():
    assert cell_text(600, "duration") == "10 min"  # 600 s = 10 min
    assert cell_text(5400, "duration", "fr") == "1,5 h"  # 5,400 s = 1.5 h
    difference = pd.DataFrame({"difference": [0.026], "diff_ci_low": [-0.008], "diff_ci_high": [0.060]})
    assert present(difference, percent_columns=("difference",)).main.iloc[0, 0] == "2.6% (−0.8 to 6.0)"
    assert present(difference, language="fr", percent_columns=("difference",)).main.iloc[0, 0] == \
        f"2,6{NNBSP}% (−0,8 à 6,0)"


def test_each_row_in_its_own_unit():
    kpis = pd.DataFrame({"name": ["Conversion", "NPS"], "unit": ["share", "score"], "baseline": [0.25, 19.6],
                         "ci_low": [0.2, 8.48], "ci_high": [0.3, 30.8], "denominator": [400, 209]})
    shown = present(kpis, language="en")
    assert shown.main.columns.tolist() == ["Name", "Baseline (95 % CI)", "Out of"]
    assert shown.main["Baseline (95 % CI)"].tolist() == ["25.0% (20.0–30.0)", "19.6 (8.5–30.8)"]


def test_no_more_than_the_limit_and_the_name_stays():
    wide = pd.DataFrame({"name": ["A", "B"], **{f"m{i}": [i, i + 1] for i in range(12)}})
    shown = present(wide, max_columns=8)
    assert shown.main.columns.tolist() == ["Name", *(f"M{i}" for i in range(7))]
    assert shown.appendix.columns.tolist() == ["Name", *(f"M{i}" for i in range(7, 12))]


def test_headers_never_snake_case():
    assert header("ci_low") == "Ci low"
    assert header("rate:product-page") == "Rate: product page"
    assert header("p90_seconds", "fr") == "Durée (90e centile)"
    assert header("Awareness") == "Awareness"
    assert value_text("rate:order-confirmation") == "Step rate: order confirmation"
    assert value_text("end_conversion", "fr") == "Conversion de bout en bout"


def test_money_dates_and_missing_values():
    assert cell_text(1234.5, "money", "en", currency="EUR") == "€1,234.50"
    assert cell_text(1234.5, "money", "fr", currency="EUR") == f"1{NNBSP}234,50\u00a0€"
    assert cell_text(1234.5, "money", "en") == "1,234"  # no currency known: a whole number
    assert cell_text(dt.date(2026, 10, 5), "date", "en") == "Oct 5, 2026"
    assert cell_text(dt.date(2026, 10, 5), "date", "fr") == "5 oct. 2026"
    assert cell_text(float("nan"), "share") == "—"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_text_is_escaped(language):
    table = pd.DataFrame({PAYLOAD: [PAYLOAD], "quotes": [[PAYLOAD, "fine"]], "n": [3]})
    page = show_table(table, caption=PAYLOAD, language=language).to_html()
    assert "<script>" not in page and page.count("&lt;script&gt;") == 4


def test_an_empty_table_says_so():
    page = show_table(pd.DataFrame({"rate": []}), caption="Blind spots", language="fr").to_html()
    assert "Aucune ligne." in page and "<table" not in page
