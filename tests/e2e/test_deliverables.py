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
    # the index links the map first, then every step
    index = html["index.html"]
    assert index.index("journey-map.html") < index.index("01-goals.html")


def test_sidecar_results_agree_with_each_other(published_demo):
    run_dir = published_demo / "reports" / "latest"
    web = load_result(run_dir, "web_metrics").set_index("metric")
    kpis = load_result(run_dir, "kpis").set_index("metric")
    assert kpis.loc["session_conversion", "baseline"] == pytest.approx(web.loc["session_conversion", "value"])
    funnel = load_result(run_dir, "stage_funnel")
    assert funnel.units.is_monotonic_decreasing and funnel.rate.iloc[0] == 1
    weekly = load_result(run_dir, "weekly_abandonment")
    assert (weekly.abandoned <= weekly.sessions).all()
    assert isinstance(load_result(run_dir, "meta"), dict)


def test_planted_mobile_checkout_week_is_visible(published_demo):
    import json

    truth = json.loads((published_demo / "demo-truth.json").read_text())
    weekly = load_result(published_demo / "reports" / "latest", "weekly_abandonment")
    mobile = weekly[weekly.device == "mobile"].set_index("week")
    worst = pd.Timestamp(mobile.rate.idxmax()).date().isoformat()
    assert worst == truth["mobile_checkout_week"]["week_start"]
