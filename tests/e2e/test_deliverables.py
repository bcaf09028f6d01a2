"""The published deliverables of a full run on the demo: complete, computed, client-safe."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from cjmlib.data.results import load_result
from cjmlib.run.steps import STEPS

RAW_ID = re.compile(r"\b[US]\d{6,7}\b")  # the demo's user and session ids
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def html(published_demo):
    folder = published_demo / "reports" / "latest" / "html"
    return {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.html")}


def test_every_page_is_published(html, published_demo):
    expected = {f"{s.name}.html" for s in STEPS} | {"index.html", "journey-map.html"}
    assert expected <= set(html)
    folder = published_demo / "reports" / "latest" / "html"
    assert (folder / "journey-map.svg").stat().st_size > 10_000
    assert (folder / "journey-map.png").stat().st_size > 10_000


def test_definitions_appendix_is_published_linked_and_printed(html, published_demo):
    page = html["definitions.html"]
    assert "<h1>Definitions of the metrics</h1>" in page
    # the demo has surveys, so NPS is defined, with the funnel's window as journey.yml declares it
    assert "NPS per stage" in page and "within 7 days of the first step" in page
    assert 'href="definitions.html"' in html["index.html"]
    folder = published_demo / "reports" / "latest" / "html"
    if (folder / "report.pdf").exists():
        from pypdf import PdfReader

        text = " ".join(p.extract_text() or "" for p in PdfReader(str(folder / "report.pdf")).pages)
        assert "Definitions of the metrics" in text.replace("\ufb01", "fi")  # the "fi" ligature of the font


def test_pages_hold_no_code_no_script_no_external_resource(html):
    for name, text in html.items():
        assert "<script" not in text.lower(), name
        assert not EXTERNAL.search(text), name
        assert "Content-Security-Policy" in text, name
        assert "Traceback" not in text and "Error:" not in text, name
        assert "cjm.open_project" not in text and "project.save(" not in text, f"input code in {name}"
        assert "/tmp/" not in text and "/work/" not in text and "/home/" not in text, f"local path in {name}"


def test_no_personal_data_in_deliverables(html):
    for name, text in html.items():
        assert not RAW_ID.search(text), f"raw id in {name}: {RAW_ID.search(text).group()}"
        assert not EMAIL.search(text), f"e-mail in {name}: {EMAIL.search(text).group()}"


def test_stage_names_and_computed_kpis_appear(html, published_demo):
    run_dir = published_demo / "reports" / "latest"
    for stage in ("Awareness", "Consideration", "Purchase", "Retention", "Advocacy"):
        assert stage in html["04-behaviour.html"]
        assert stage in html["journey-map.html"]
    kpis = load_result(run_dir, "kpis").set_index("id")
    conversion = kpis.loc["conversion"]
    assert f"{conversion.baseline:.1%}" in html["index.html"]
    assert f"{int(conversion.numerator):,} of {int(conversion.denominator):,}" in html["index.html"]
    # the index's contents link the map first, then every step (the page's "next" navigation aside)
    index = re.sub(r'<nav class="report-nav.*?</nav>', "", html["index.html"], flags=re.DOTALL)
    assert index.index("journey-map.html") < index.index("01-goals.html")


def test_sidecar_results_agree_with_each_other(published_demo):
    run_dir = published_demo / "reports" / "latest"
    web = load_result(run_dir, "web_metrics").set_index("metric")
    kpis = load_result(run_dir, "kpis").set_index("metric")
    assert kpis.loc["session_conversion", "baseline"] == pytest.approx(web.loc["session_conversion", "value"])
    funnel = load_result(run_dir, "stage_funnel")
    assert funnel.units.is_monotonic_decreasing and funnel.rate.iloc[0] == 1
    funnel = load_result(run_dir, "funnel-purchase").set_index("step")
    trend = load_result(run_dir, "funnel_trend")
    assert (trend.converted + trend.censored <= trend.entered).all()
    assert trend.step_rate.to_numpy() == pytest.approx((trend.converted / trend.entered).to_numpy())
    # the whole funnel's weeks add up to the declared funnel: each unit counts in the week it entered
    weeks = trend[trend.by == ""].groupby("key")[["entered", "converted"]].sum()
    assert weeks.to_dict("index") == {k: {"entered": funnel.loc[k, "entered"], "converted": funnel.loc[k, "converted"]}
                                      for k in weeks.index}
    outliers = load_result(run_dir, "trend_outliers")
    cells = trend.assign(n=trend.entered - trend.censored).set_index(["period", "by", "value", "key"])
    for row in outliers.itertuples():
        cell = cells.loc[(row.period, row.by, row.value, row.key)]
        assert (row.n, row.converted) == (cell.n, cell.converted) and row.p_adjusted < 0.05
    assert isinstance(load_result(run_dir, "meta"), dict)


def test_planted_mobile_checkout_week_is_visible(published_demo, html):
    import json

    truth = json.loads((published_demo / "demo-truth.json").read_text())["mobile_checkout_week"]
    run_dir = published_demo / "reports" / "latest"
    trend, outliers = load_result(run_dir, "funnel_trend"), load_result(run_dir, "trend_outliers")
    # found from the data alone: mobile's worst week at a checkout step is the planted week, and it is tested apart
    mobile = outliers[(outliers.by == "device") & (outliers.value == truth["device"])]
    worst = mobile.sort_values("difference").iloc[0]
    assert pd.Timestamp(worst.period).date().isoformat() == truth["week_start"] and worst.difference < -0.2
    series = trend[(trend.by == "device") & (trend.value == truth["device"]) & (trend.key == worst.key)]
    assert pd.Timestamp(series.set_index("period").step_rate.idxmin()).date().isoformat() == truth["week_start"]
    # and told: the behaviour page's and the index's key findings name the week, the step and the device
    day = pd.Timestamp(truth["week_start"]).strftime("%b %-d, %Y")
    told = f"In the week of {day}, only {int(worst.converted)} of {int(worst.n)} sessions (device: mobile)"
    findings = re.search(r'<section class="cjm-findings">.*?</section>', html["04-behaviour.html"], re.DOTALL).group(0)
    assert told in findings and worst.label in findings
    assert told in html["index.html"]
