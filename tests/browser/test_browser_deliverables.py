"""Every published page of the demo opens in headless Chromium, network blocked, without a problem."""

from __future__ import annotations

import pytest
from chromium import ARTIFACTS, BrowserSession, requires_chromium

import cjmlib as cjm
from cjmlib.run.steps import STEPS

pytestmark = [pytest.mark.browser, requires_chromium]


def test_published_pages_load_cleanly(published_demo):
    html = published_demo / "reports" / "latest" / "html"
    pages = sorted(html.glob("*.html"))
    personas = [p.id for p in cjm.load_spec(published_demo / "journey.yml").personas]
    expected = {"index", "journey-map", "definitions", *(f"journey-map-{p}" for p in personas), *(s.name for s in STEPS)}
    assert {p.stem for p in pages} == expected
    ARTIFACTS.mkdir(exist_ok=True)
    with BrowserSession(width=1400, height=1000) as browser:
        for page in pages:
            report = browser.open(page)
            assert report.problems() == [], page.name
            # nothing wider than the page
            overflow = browser.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{page.name} overflows by {overflow}px"
            if page.stem in ("index", "journey-map"):
                browser.screenshot(ARTIFACTS / f"demo-{page.stem}.png")
    assert (ARTIFACTS / "demo-index.png").stat().st_size > 5_000
