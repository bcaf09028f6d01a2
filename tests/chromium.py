"""Open deliverables in Debian's headless Chromium with the network cut off, and report what went wrong.

Browser tests import from here::

    from browser import BrowserSession, requires_chromium

    @requires_chromium
    def test_page(tmp_path):
        with BrowserSession() as browser:
            report = browser.open(tmp_path / "page.html")
            browser.screenshot(ARTIFACTS / "page.png")
        assert report.problems() == []

Every request other than the opened ``file://`` page itself (and ``data:`` URIs) is aborted
and recorded in ``blocked_requests``: a self-contained page attempts none.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import pytest

__all__ = ["ARTIFACTS", "CHROMIUM", "CHROMIUM_ARGS", "BrowserSession", "PageReport", "requires_chromium"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

requires_chromium = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK) or importlib.util.find_spec("playwright") is None,
    reason=f"needs {CHROMIUM} (`apt-get install -y chromium`) and the playwright Python package",
)


@dataclass
class PageReport:
    """What happened while a page loaded: one entry per problem, as text.

    ``blocked_requests`` are the requests the session aborted (anything but the page);
    ``failed_requests`` are the other requests that failed.
    """

    url: str
    title: str = ""
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Return every console error, page error, failed and blocked request, labelled."""
        return ([f"console: {m}" for m in self.console_errors] + [f"page: {m}" for m in self.page_errors]
                + [f"failed: {m}" for m in self.failed_requests]
                + [f"blocked: {m}" for m in self.blocked_requests])


class BrowserSession:
    """A headless Chromium (Debian's ``/usr/bin/chromium``) driven by Playwright, without network.

    Use as a context manager; :meth:`open` loads a local HTML file and returns its
    :class:`PageReport`, :meth:`screenshot` saves a PNG of the page opened last.
    """

    def __init__(self, *, width: int = 1280, height: int = 900):
        self._viewport = {"width": width, "height": height}
        self._playwright = self._browser = self._context = self._page = None

    def __enter__(self) -> Self:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        self._context = self._browser.new_context(viewport=self._viewport, service_workers="block")
        return self

    def __exit__(self, *exc) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()

    def open(self, html_path: str | os.PathLike, *, settle_ms: int = 300) -> PageReport:
        """Load ``html_path`` with every other request aborted; return what went wrong.

        ``settle_ms`` is waited after the load event so late errors are caught.
        """
        url = Path(html_path).resolve().as_uri()
        report = PageReport(url=url)
        page = self._context.new_page()

        def on_console(message):
            if message.type == "error":
                report.console_errors.append(message.text)

        def on_request_failed(request):
            if request.url not in report.blocked_requests:
                report.failed_requests.append(f"{request.url} ({request.failure})")

        def only_the_page(route):
            if route.request.url == url or route.request.url.startswith("data:"):
                route.continue_()
            else:
                report.blocked_requests.append(route.request.url)
                route.abort("blockedbyclient")

        page.on("console", on_console)
        page.on("pageerror", lambda error: report.page_errors.append(str(error)))
        page.on("requestfailed", on_request_failed)
        page.route("**/*", only_the_page)
        page.goto(url, wait_until="load")
        page.wait_for_timeout(settle_ms)
        report.title = page.title()
        self._page = page
        return report

    def screenshot(self, path: str | os.PathLike, *, full_page: bool = True) -> Path:
        """Save a PNG of the page opened last; its folder is created when missing."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._page.screenshot(path=str(path), full_page=full_page)
        return path

    def evaluate(self, expression: str):
        """Return the value of a JavaScript ``expression`` evaluated in the page opened last."""
        return self._page.evaluate(expression)
