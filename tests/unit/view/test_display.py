"""Tables in the deliverables: escaped, formatted, and in the report's language (headers, flags, numbers)."""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest

import cjmlib as cjm
from cjmlib.i18n.catalogue import COLUMN_LABELS
from cjmlib.run.steps import NOTEBOOKS_DIR
from cjmlib.view import plot
from cjmlib.view.display import show_table, table_language

NNBSP = "\u202f"
PAYLOAD = "<script>alert(1)</script>"


def _headers(styler) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<th[^>]*class="col_heading[^"]*"[^>]*>(.*?)</th>',
                                                   styler.to_html(), re.DOTALL)]


def _cells(styler) -> list[str]:
    """The text of the body cells, row after row (entities decoded)."""
    return [html.unescape(c) for c in re.findall(r'<td[^>]*class="data[^"]*"[^>]*>(.*?)</td>',
                                                   styler.to_html(), re.DOTALL)]


@pytest.fixture
def theme_language():
    """Set the chart (and table) language; always back to English afterwards for the other tests."""
    yield plot.set_theme
    plot.set_theme(language="en")


@pytest.fixture
def funnel() -> pd.DataFrame:
    # 200 enter, 150 go on (step rate 150 ÷ 200 = 0.75), 3 of them still inside their window
    return pd.DataFrame({"label": ["Cart", "Checkout"], "entered": [200, 150], "converted": [150, 90],
                         "censored": [0, 3], "step_rate": [1.0, 0.75], "ci_low": [0.98, 0.68],
                         "ci_high": [1.0, 0.81], "n": [1234, 56], "significant": [True, False],
                         "flag": ["both", "drop-off without a voice"]})


def test_english_tables_are_unchanged(funnel):
    styler = show_table(funnel, percent=("step_rate", "ci_low", "ci_high"), language="en")
    assert _headers(styler) == list(funnel.columns)
    assert _cells(styler)[:10] == ["Cart", "200", "150", "0", "100.0%", "98.0%", "100.0%", "1,234", "True", "both"]
    assert _cells(styler)[10:] == ["Checkout", "150", "90", "3", "75.0%", "68.0%", "81.0%", "56", "False",
                                   "drop-off without a voice"]


def test_english_theme_gives_english_headers(funnel, theme_language):
    theme_language(language="en")
    assert table_language() == "en"
    assert _headers(show_table(funnel)) == list(funnel.columns)


def test_french_headers_flags_and_numbers(funnel):
    styler = show_table(funnel, percent=("step_rate", "ci_low", "ci_high"), language="fr")
    assert _headers(styler) == ["libellé", "entrés", "convertis", "censurés", "taux de passage", "IC bas",
                                "IC haut", "n", "significatif", "signal"]
    # 0.75 → 75,0 % with a narrow no-break space; 1234 → 1 234; True → oui; the triangulation flags in French
    assert _cells(styler)[:10] == ["Cart", "200", "150", "0", f"100,0{NNBSP}%", f"98,0{NNBSP}%",
                                   f"100,0{NNBSP}%", f"1{NNBSP}234", "oui", "les deux"]
    assert _cells(styler)[14:] == [f"75,0{NNBSP}%", f"68,0{NNBSP}%", f"81,0{NNBSP}%", "56", "non",
                                   "perte sans plainte"]


def test_the_table_follows_the_chart_language(funnel, theme_language):
    theme_language(language="fr")
    assert table_language() == "fr"
    assert _headers(show_table(funnel[["entered", "step_rate"]])) == ["entrés", "taux de passage"]
    theme_language(language="en")
    assert _headers(show_table(funnel[["entered", "step_rate"]])) == ["entered", "step_rate"]


def test_french_decimals_and_missing_values():
    table = pd.DataFrame({"score": [3.014, None], "responses": [1500, 4], "theme": ["Shipping cost", "Delay"],
                          "stage": ["purchase", "retention"]})
    styler = show_table(table, decimals={"score": 2}, language="fr")
    assert _headers(styler) == ["score", "réponses", "thème", "étape"]
    assert _cells(styler) == ["3,01", f"1{NNBSP}500", "Shipping cost", "purchase", "–", "4", "Delay", "retention"]


def test_unknown_columns_and_values_pass_through():
    table = pd.DataFrame({"my_metric": ["both?"], 7: [0.5], "Awareness": ["Landing page"]})
    styler = show_table(table, language="fr")
    assert _headers(styler) == ["my_metric", "7", "Awareness"]
    assert _cells(styler) == ["both?", "0,500000", "Landing page"]


def test_a_given_rename_wins_over_the_translation():
    table = pd.DataFrame({"units": [10], "rate": [0.1]})
    styler = show_table(table, percent=("rate",), columns={"units": "sessions"}, language="fr")
    assert _headers(styler) == ["sessions", "taux"]
    assert _cells(styler) == ["10", f"10,0{NNBSP}%"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_escaping_is_kept_in_every_language(language):
    table = pd.DataFrame({PAYLOAD: [PAYLOAD], "quotes": [[PAYLOAD, "fine"]], "effect_size": [0.1]})
    page = show_table(table, caption="Table", language=language).to_html()
    assert "<script>" not in page and page.count("&lt;script&gt;") == 3
    # a French header with an apostrophe is escaped too
    assert bool(re.search(r">taille d&#(39|x27);effet<", page)) == (language == "fr")


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language must be one of en, fr, not 'de'"):
        show_table(pd.DataFrame({"n": [1]}), language="de")


def test_french_headers_are_distinct():
    labels = list(COLUMN_LABELS["fr"].values())
    assert len(labels) == len(set(labels)), "two columns would show under one French header"


def test_every_column_a_notebook_formats_has_a_french_header():
    """The columns the notebooks name in percent=/decimals= are shown: each needs its French header."""
    named = set()
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            for group in re.findall(r"(?:percent=\(|decimals=\{)([^)}]*)", source):
                named |= set(re.findall(r'"([a-z_0-9]+)"', group))
    assert len(named) > 40
    assert sorted(named - set(COLUMN_LABELS["fr"])) == []


def test_a_measured_funnel_reads_in_french(small_project, theme_language):
    """The stage funnel of the hand-made project, shown as notebook 04 shows it, in a French report."""
    theme_language(language="fr")
    table = cjm.stage_funnel(cjm.load_project(small_project), unit="session", order="strict")
    styler = show_table(table[["label", "units", "rate", "step_rate"]], percent=("rate", "step_rate"))
    assert _headers(styler) == ["libellé", "unités", "taux", "taux de passage"]
    # 4 sessions land, 2 reach consideration (2 ÷ 4), 1 reaches purchase (1 ÷ 4 overall, 1 ÷ 2 from the step before)
    cells = _cells(styler)
    assert cells[1::4] == ["4", "2", "1"]
    assert cells[2::4] == [f"100,0{NNBSP}%", f"50,0{NNBSP}%", f"25,0{NNBSP}%"]
    assert cells[3::4] == [f"100,0{NNBSP}%", f"50,0{NNBSP}%", f"50,0{NNBSP}%"]
