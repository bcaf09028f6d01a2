"""The client pages of the demo, in English and in French, as a client sees them in Chromium at 1440 px and
printed on A4: nothing wider than the page, no header in snake_case, the key findings first, and screenshots
of the index, of 04 and of the map written to tests/artifacts/ for a reviewer."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from chromium import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, requires_chromium
from conftest import KERNEL

from cjmlib.run.runner import run_playbook

pytestmark = [pytest.mark.browser, requires_chromium]

A4_CONTENT_PX = 680  # 210 mm − 2 × 15 mm margins (templates/report/style.css @page) at 96 px per inch
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$|^[a-z_]+:[a-z0-9_-]+$")
MEASURE = """() => {
  const W = document.documentElement.clientWidth, out = [];
  if (document.documentElement.scrollWidth > W + 1) out.push('page ' + document.documentElement.scrollWidth + '>' + W);
  for (const el of document.querySelectorAll('table, img, svg')) {
    if (el.closest('details:not([open])')) continue;
    const right = el.getBoundingClientRect().right;
    if (right > W + 1 || el.scrollWidth > el.clientWidth + 1)
      out.push(el.tagName.toLowerCase() + ' ' + Math.round(right) + '>' + W + ' ' + el.outerHTML.slice(0, 80));
  }
  return out;
}"""
SHOTS = ("index", "04-behaviour", "journey-map")  # the pages a reviewer looks at first
HEADERS = "() => Array.from(document.querySelectorAll('th')).map(th => th.textContent.trim())"


def _open_all_details(page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")


def check_pages(html: Path, language: str, *, shots: str = "") -> dict[str, list[str]]:
    """Open every page of ``html`` at 1440 px and at A4 print width; return the problems per page.

    The "More columns" and "Method and data" sections are opened too: what they hold must fit as well.
    With ``shots``, screenshots of the index, of 04 and of the map are saved as ``tests/artifacts/<shots>-<page>.png``.
    """
    from playwright.sync_api import sync_playwright

    problems: dict[str, list[str]] = {}
    pages = sorted(p for p in html.glob("*.html"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        for label, width, media in (("1440 px", 1440, "screen"), ("A4 print", A4_CONTENT_PX, "print")):
            page = browser.new_page(viewport={"width": width, "height": 1000})
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                       else route.abort("blockedbyclient"))
            page.emulate_media(media=media)
            for path in pages:
                page.goto(path.resolve().as_uri(), wait_until="load")
                if shots and media == "screen" and path.stem in SHOTS:
                    ARTIFACTS.mkdir(exist_ok=True)
                    page.screenshot(path=str(ARTIFACTS / f"{shots}-{path.stem}.png"), full_page=True)
                _open_all_details(page)
                found = [f"{label}: {p}" for p in page.evaluate(MEASURE)]
                if media == "screen":
                    found += [f"snake_case header {h!r}" for h in page.evaluate(HEADERS) if SNAKE.match(h)]
                if found:
                    problems.setdefault(path.name, []).extend(found)
            page.close()
        browser.close()
    return problems


def _assert_client_ready(html: Path, language: str) -> None:
    assert (html / "index.html").exists()
    assert check_pages(html, language, shots=f"pages-{language}") == {}
    page = (html / "04-behaviour.html").read_text(encoding="utf-8")
    title = "Key findings" if language == "en" else "Constats clés"
    # the findings come first, right under the page's header (before the notebook's first text cell)
    if 'class="cjm-findings"' in page:
        assert page.index(title) < page.index("jp-MarkdownCell")
    for name in SHOTS:
        assert (ARTIFACTS / f"pages-{language}-{name}.png").stat().st_size > 20_000


def test_english_pages_fit_and_read(published_demo):
    _assert_client_ready(published_demo / "reports" / "latest" / "html", "en")


@pytest.fixture(scope="session")
def published_demo_fr(demo_project, tmp_path_factory) -> Path:
    """A copy of the demo project set to French, after one full run."""
    target = tmp_path_factory.mktemp("demo-fr") / "shop"
    shutil.copytree(demo_project, target, ignore=shutil.ignore_patterns("reports"))
    spec = target / "journey.yml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(re.sub(r"(?m)^(\s+language:\s*)en\b", r"\1fr", text, count=1), encoding="utf-8")
    run_playbook(target, kernel_name=KERNEL)
    return target


def test_french_pages_fit_and_read(published_demo_fr):
    _assert_client_ready(published_demo_fr / "reports" / "latest" / "html", "fr")
