"""Deliverables open in a real browser with the network cut off: nothing fails, nothing runs."""

from __future__ import annotations

import base64
import io

import nbformat
import pandas as pd
import pytest
from chromium import ARTIFACTS, BrowserSession, requires_chromium
from matplotlib.figure import Figure
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cjmlib.run.export import export_notebook, render_index

pytestmark = [pytest.mark.browser, requires_chromium]


def _png_base64() -> str:
    """Return a small bar chart as base64 PNG text, as the inline backend stores it."""
    fig = Figure(figsize=(4, 2.5))
    ax = fig.subplots()
    ax.bar(["cart", "checkout", "paid"], [2134, 412, 69], color="#0b6e4f")
    ax.set_ylabel("sessions")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _step_notebook() -> nbformat.NotebookNode:
    """Return an executed-looking step notebook: narrative, a table, a chart, stdout and stderr."""
    table = pd.DataFrame({"stage": ["cart", "checkout", "paid"], "sessions": [2134, 412, 69]})
    return new_notebook(cells=[
        new_markdown_cell("# Where shoppers leave\n\nThe funnel below counts **sessions**.\n\n"
                          "| stage | meaning |\n|---|---|\n| cart | a product was added |"),
        new_code_cell("table", execution_count=1, outputs=[new_output(
            "execute_result", execution_count=1,
            data={"text/html": table.to_html(), "text/plain": table.to_string()})]),
        new_code_cell("plot", execution_count=2, outputs=[
            new_output("display_data", data={"image/png": _png_base64(), "text/plain": "<Figure>"}),
            new_output("stream", name="stderr", text="UserWarning: /home/someone/data.csv\n")]),
        new_code_cell("print", execution_count=3, outputs=[
            new_output("stream", name="stdout", text="69 of 2,134 sessions paid\n")]),
    ])


def _payload_notebook() -> nbformat.NotebookNode:
    """Return a notebook carrying script payloads in markdown and in a raw HTML output."""
    return new_notebook(cells=[
        new_markdown_cell("# Quotes\n\n<img src=x onerror=\"document.title='pwned'\">"),
        new_code_cell("HTML(...)", execution_count=1, outputs=[new_output(
            "execute_result", execution_count=1,
            data={"text/html": "<script>window.x = 1; document.title = 'pwned';</script><p>quote</p>",
                  "text/plain": "<IPython.core.display.HTML object>"})]),
    ])


@pytest.fixture(scope="module")
def run_html(tmp_path_factory):
    """Export a step page, a payload page and the run index into one html folder."""
    folder = tmp_path_factory.mktemp("run")
    html = folder / "html"
    for name, nb in (("04-behaviour", _step_notebook()), ("05-voice", _payload_notebook())):
        nbformat.write(nb, folder / f"{name}.ipynb")
        title = name.split("-", 1)[1].title()
        export_notebook(folder / f"{name}.ipynb", html / f"{name}.html", title=title,
                        subtitle="Acme Shop", run_date="2026-11-24")
    render_index(html / "index.html", title="Customer journey report", client="Acme Shop",
                 run_id="20261124-1200", run_date="2026-11-24", period="2026-09-01 to 2026-10-31",
                 pages=[{"href": "04-behaviour.html", "title": "Behaviour",
                         "summary": "Where shoppers leave."},
                        {"href": "05-voice.html", "title": "Voice of the customer", "summary": ""}],
                 kpis=[{"name": "Checkout conversion", "value": "3.2 %", "detail": "69 of 2,134 sessions"}],
                 map_page="journey-map.html")
    return html


@pytest.fixture(scope="module")
def browser():
    with BrowserSession() as session:
        yield session


def test_step_page_loads_cleanly_offline(run_html, browser):
    report = browser.open(run_html / "04-behaviour.html")
    browser.screenshot(ARTIFACTS / "export-step-page.png")
    assert report.problems() == []
    assert report.title == "Behaviour"
    assert browser.evaluate("document.querySelector('main img').naturalWidth") == 320  # 4 in x 80 dpi
    assert browser.evaluate("document.querySelectorAll('table.dataframe tbody tr').length") == 3
    assert "someone" not in browser.evaluate("document.body.innerText")


def test_index_loads_cleanly_offline_with_map_first(run_html, browser):
    report = browser.open(run_html / "index.html")
    browser.screenshot(ARTIFACTS / "export-index.png")
    assert report.problems() == []
    assert report.title == "Customer journey report \u00b7 Acme Shop"
    links = browser.evaluate("[...document.querySelectorAll('main a')].map(a => a.getAttribute('href'))")
    assert links == ["journey-map.html", "04-behaviour.html", "05-voice.html"]


def test_csp_stops_injected_scripts(run_html, browser):
    report = browser.open(run_html / "05-voice.html")
    assert report.title == "Voice"
    assert browser.evaluate("typeof window.x") == "undefined"
    assert report.page_errors == [] and report.blocked_requests == []
    refusals = [m for m in report.console_errors if "Content Security Policy" in m]
    assert len(refusals) == 3  # the image load, its inline handler, the inline script
    assert browser.evaluate("document.body.innerText").count("quote") == 1


def test_session_reports_every_attempted_request_and_error(tmp_path, browser):
    (tmp_path / "sibling.png").write_bytes(base64.b64decode(_png_base64()))
    (tmp_path / "leaky.html").write_text(
        '<!DOCTYPE html><html><head><title>leaky</title>'
        '<link rel="stylesheet" href="https://cdn.example.org/a.css"></head>'
        '<body><img src="https://cdn.example.org/a.png"><img src="sibling.png">'
        '<script>throw new Error("boom")</script></body></html>', encoding="utf-8")
    report = browser.open(tmp_path / "leaky.html")
    assert sorted(report.blocked_requests) == [
        "file://" + str(tmp_path / "sibling.png"), "https://cdn.example.org/a.css",
        "https://cdn.example.org/a.png"]
    assert report.page_errors == ["boom"]
    assert report.failed_requests == []
    assert len(report.problems()) == 3 + 1 + 3  # each blocked load also logs a console error
