"""Tables in the deliverables: escaped, formatted, and in the report's language (headers, flags, numbers)."""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest
from ruamel.yaml import YAML

import cjmlib as cjm
from cjmlib.run.steps import NOTEBOOKS_DIR
from cjmlib.view import plot
from cjmlib.view.display import show_table, table_language
from cjmlib.view.present import I18N_DIR as I18N

NNBSP = "\u202f"
PAYLOAD = "<script>alert(1)</script>"


def _headers(shown) -> list[str]:
    """The headers of the main table (before "More columns"), entities decoded."""
    page = shown.to_html().split("<details", 1)[0]
    return [html.unescape(h) for h in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", page, re.DOTALL)]


def _cells(shown) -> list[str]:
    """The text of the main table's cells, row after row (entities decoded)."""
    page = shown.to_html().split("<details", 1)[0]
    return [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", page, re.DOTALL)]


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


def test_english_headers_in_words_and_the_interval_in_one_cell(funnel):
    shown = show_table(funnel, percent=("step_rate", "ci_low", "ci_high"), language="en")
    # the bare ci_low/ci_high belong to step_rate (no rate column); censored is technical: "More columns"
    assert _headers(shown) == ["Name", "Entered", "Went on", "Step rate (95 % CI)", "n", "Significant", "Signal"]
    assert _cells(shown) == ["Cart", "200", "150", "100.0% (98.0–100.0)", "1,234", "✓", "both",
                             "Checkout", "150", "90", "75.0% (68.0–81.0)", "56", "—", "drop-off without a voice"]


def test_english_theme_gives_english_headers(funnel, theme_language):
    theme_language(language="en")
    assert table_language() == "en"
    assert _headers(show_table(funnel[["entered", "converted"]])) == ["Entered", "Went on"]


def test_french_headers_flags_and_numbers(funnel):
    shown = show_table(funnel, percent=("step_rate", "ci_low", "ci_high"), language="fr")
    assert _headers(shown) == ["Nom", "Entrés", "Ont continué", "Taux de passage (IC à 95 %)", "n",
                               "Significatif", "Signal"]
    # 0.75 → 75,0 % with a narrow no-break space; 1234 → 1 234; the triangulation flags in French
    assert _cells(shown) == ["Cart", "200", "150", f"100,0{NNBSP}% (98,0–100,0)", f"1{NNBSP}234", "✓", "les deux",
                             "Checkout", "150", "90", f"75,0{NNBSP}% (68,0–81,0)", "56", "—", "perte sans plainte"]


def test_the_table_follows_the_chart_language(funnel, theme_language):
    theme_language(language="fr")
    assert table_language() == "fr"
    assert _headers(show_table(funnel[["entered", "step_rate"]])) == ["Entrés", "Taux de passage"]
    theme_language(language="en")
    assert _headers(show_table(funnel[["entered", "step_rate"]])) == ["Entered", "Step rate"]


def test_french_decimals_and_missing_values():
    table = pd.DataFrame({"score": [3.014, None], "responses": [1500, 4], "theme": ["Shipping cost", "Delay"],
                          "stage": ["Purchase", "Retention"]})
    shown = show_table(table, decimals={"score": 2}, language="fr")
    assert _headers(shown) == ["Score", "Réponses", "Thème", "Étape"]
    assert _cells(shown) == ["3,01", f"1{NNBSP}500", "Shipping cost", "Purchase", "—", "4", "Delay", "Retention"]


def test_unknown_columns_read_as_words_and_values_pass_through():
    table = pd.DataFrame({"my_metric": ["both?"], 7: [0.5], "Awareness": ["Landing page"]})
    shown = show_table(table, language="fr")
    assert _headers(shown) == ["My metric", "7", "Awareness"]
    assert _cells(shown) == ["both?", "0,50", "Landing page"]


def test_a_given_rename_wins_over_the_translation():
    table = pd.DataFrame({"units": [10], "rate": [0.1]})
    shown = show_table(table, percent=("rate",), columns={"units": "sessions"}, language="fr")
    assert _headers(shown) == ["sessions", "Taux"]
    assert _cells(shown) == ["10", f"10,0{NNBSP}%"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_escaping_is_kept_in_every_language(language):
    table = pd.DataFrame({PAYLOAD: [PAYLOAD], "quotes": [[PAYLOAD, "fine"]], "effect_size": [0.1]})
    page = show_table(table, caption="Table", language=language).to_html()
    assert "<script>" not in page and page.count("&lt;script&gt;") == 3
    # a French header with an apostrophe is escaped too
    assert bool(re.search(r">Taille d&#(39|x27);effet<", page)) == (language == "fr")


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language must be one of en, fr, not 'de'"):
        show_table(pd.DataFrame({"n": [1]}), language="de")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_headers_are_distinct(language):
    labels = list(_tables(language)["columns"].values())
    repeated = {label for label in labels if labels.count(label) > 1}
    assert repeated == {"Name" if language == "en" else "Nom"}  # name and label: present() tells them apart
    shown = show_table(pd.DataFrame({"name": ["Faster checkout"], "label": ["Checkout"]}), language=language)
    assert _headers(shown) == ["Name" if language == "en" else "Nom", "Label"]


def _tables(language):
    return YAML(typ="safe").load((I18N / language / "tables.yml").read_text(encoding="utf-8"))


def test_every_column_a_notebook_formats_has_a_header_in_both_languages():
    """The columns the notebooks name in percent=/decimals= are shown: each needs its header in words."""
    named = set()
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            for group in re.findall(r"(?:percent=\(|decimals=\{)([^)}]*)", source):
                named |= set(re.findall(r'"([a-z_0-9]+)"', group))
    assert len(named) > 40
    # interval bounds are merged into their value's cell; the others need a header
    named = {n for n in named if not n.endswith(("_low", "_high"))}
    for language in ("en", "fr"):
        assert sorted(named - set(_tables(language)["columns"])) == [], language


def test_a_measured_funnel_reads_in_french(small_project, theme_language):
    """The stage funnel of the hand-made project, shown as notebook 04 shows it, in a French report."""
    theme_language(language="fr")
    table = cjm.stage_funnel(cjm.load_project(small_project), unit="session", order="strict")
    shown = show_table(table[["label", "units", "rate", "step_rate"]], percent=("rate", "step_rate"))
    assert _headers(shown) == ["Nom", "Unités", "Taux", "Taux de passage"]
    # 4 sessions land, 2 reach consideration (2 ÷ 4), 1 reaches purchase (1 ÷ 4 overall, 1 ÷ 2 from the step before)
    cells = _cells(shown)
    assert cells[1::4] == ["4", "2", "1"]
    assert cells[2::4] == [f"100,0{NNBSP}%", f"50,0{NNBSP}%", f"25,0{NNBSP}%"]
    assert cells[3::4] == [f"100,0{NNBSP}%", f"50,0{NNBSP}%", f"50,0{NNBSP}%"]
