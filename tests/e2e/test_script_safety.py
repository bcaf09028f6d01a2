"""Script safety: payloads in every user-text field of the demo never run in a published page.

The demo gets a script payload in every name and description of the spec, every touchpoint label,
the codebook labels, feedback texts, survey comments and event values (tests/bad_inputs/payloads.py);
the playbook runs; every published HTML page is opened in headless Chromium with the network cut
off. A payload that ran would push its number into ``window.__cjm_pwned``.
"""

from __future__ import annotations

from html.parser import HTMLParser
from xml.etree import ElementTree

import pandas as pd
import pytest
from bad_inputs.payloads import MARKER, PAYLOADS, payload_run
from chromium import BrowserSession, requires_chromium

pytestmark = pytest.mark.browser

# elements and attributes that would run script if a payload reached the DOM unescaped
DANGEROUS_DOM = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.getAttributeNames()) {
      const value = el.getAttribute(attr) || '';
      if (/^on/i.test(attr)) bad.push(el.tagName + '[' + attr + ']');
      if (/^\\s*javascript:/i.test(value)) bad.push(el.tagName + '[' + attr + '=javascript:]');
      if (attr === 'srcdoc') bad.push(el.tagName + '[srcdoc]');
    }
  }
  for (const s of document.querySelectorAll('script')) {
    if (s.textContent.includes('""" + MARKER + """')) bad.push('SCRIPT with the payload');
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def published():
    run = payload_run()
    assert run.returncode == 0, run.stdout + run.stderr
    html = run.project / "reports" / "latest" / "html"
    pages = sorted(html.glob("*.html"))
    assert len(pages) >= 9
    return run.project, pages


def test_the_payloads_reach_every_page(published):
    """The payloads are really in the deliverables (escaped), so the browser test below means something."""
    _, pages = published
    escaped = "&lt;script&gt;"
    for page in pages:
        if page.name in ("index.html", "journey-map.html", "01-goals.html", "03-touchpoints.html",
                         "05-voice-of-customer.html"):
            assert escaped in page.read_text(encoding="utf-8"), page.name


def test_no_payload_text_appears_unescaped_in_the_html(published):
    _, pages = published
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for payload in (p for p in PAYLOADS if "<" in p):  # plain "javascript:" text is harmless
            assert payload not in text, (page.name, payload)
        assert not _tags_carrying_the_marker(text), page.name


class _TagScan(HTMLParser):
    """The script, img, svg and iframe tags whose markup (not their describing text) holds the marker."""

    TAGS = frozenset({"script", "img", "svg", "iframe"})
    DESCRIBING = frozenset({"alt", "title", "aria-label"})  # escaped text that describes a chart: read, never run

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in self.TAGS and any(MARKER in (value or "") or MARKER in name
                                    for name, value in attrs if name not in self.DESCRIBING):
            self.found.append(tag)

    def handle_data(self, data):
        if self.lasttag == "script" and MARKER in data:
            self.found.append("script")


def _tags_carrying_the_marker(text: str) -> list[str]:
    scan = _TagScan()
    scan.feed(text)
    return scan.found


def test_the_tag_scan_finds_an_unescaped_payload():
    assert _tags_carrying_the_marker(f"<p><img src=x onerror='window.{MARKER}=1'></p>") == ["img"]
    assert _tags_carrying_the_marker(f"<script>window.{MARKER}=1</script>") == ["script"]
    assert not _tags_carrying_the_marker(f"<img alt='a &lt;script&gt;{MARKER}&lt;/script&gt;' src='data:,'>")


def test_the_svg_map_carries_no_payload(published):
    project, _ = published
    root = ElementTree.parse(project / "reports" / "latest" / "html" / "journey-map.svg").getroot()
    tags = {el.tag.rsplit("}", 1)[-1] for el in root.iter()}
    handlers = [(el.tag, a) for el in root.iter() for a in el.attrib if a.lower().startswith("on")]
    assert not tags & {"script", "foreignObject", "iframe", "img"} and handlers == []
    assert MARKER in ElementTree.tostring(root, encoding="unicode")  # the payloads are there, as text


def test_a_table_cell_holding_a_list_is_escaped():
    """show_table escapes text cells; a cell holding a list of quotes must be escaped too."""
    from cjmlib.view.display import show_table

    html = show_table(pd.DataFrame({"quotes": [[PAYLOADS[0], "fine"]], "n": [1]})).to_html()
    assert "<script>" not in html


def _open_all(pages):
    ran, requests, dom = {}, {}, {}
    with BrowserSession() as browser:
        for page in pages:
            report = browser.open(page, settle_ms=200)
            ran[page.name] = browser.evaluate(f"window.{MARKER} || []")
            requests[page.name] = report.blocked_requests + report.failed_requests
            dom[page.name] = browser.evaluate(DANGEROUS_DOM)
    return ran, requests, dom


@pytest.fixture(scope="module")
def opened(published):
    return _open_all(published[1])


@requires_chromium
def test_no_payload_runs(opened):
    ran, _, _ = opened
    assert {k: v for k, v in ran.items() if v} == {}, "payloads ran"


@requires_chromium
def test_no_request_leaves_a_page(opened):
    _, requests, _ = opened
    assert {k: v for k, v in requests.items() if v} == {}, "requests left the page"


@requires_chromium
def test_no_script_bearing_markup_reaches_the_dom(opened):
    _, _, dom = opened
    assert {k: v for k, v in dom.items() if v} == {}, "script-bearing markup reached the DOM"
