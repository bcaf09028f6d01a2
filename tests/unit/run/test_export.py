"""The exporter: executed notebooks become self-contained, script-free, input-free client pages."""

from __future__ import annotations

import re
import sys

import nbclient
import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cjmlib.run.export import CSP, TEMPLATE_DIR, clean_notebook, export_notebook, render_index

EXTERNAL = re.compile(
    r"""(?:src|href|action)\s*=\s*["']?\s*(?:[a-z]+:)?//|url\(\s*["']?\s*(?:[a-z]+:)?//|@import""",
    re.IGNORECASE)


def _csp(html):
    """Return the CSP meta tags' contents, checking the first one comes right after the charset."""
    head = BeautifulSoup(html, "html.parser").head
    metas = head.find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert head.find_all(True)[:2] == [head.find("meta", charset=True), *metas[:1]]
    return [meta["content"] for meta in metas]

REPORT_CELLS = [
    new_markdown_cell("# Checkout behaviour\n\nWhere shoppers **leave** the journey."),
    new_code_cell('print("injected-marker")', metadata={"tags": ["injected-parameters"]}),
    new_code_cell("import sys\nprint(sys.prefix)", metadata={"tags": ["remove"]}),
    new_code_cell('import sys, warnings\nprint("stdout-marker-123")\n'
                  'print("stderr-marker-456", file=sys.stderr)\nwarnings.warn("warning-marker-789")'),
    new_code_cell('import pandas as pd\n'
                  'pd.DataFrame({"stage": ["awareness", "checkout"], "sessions": [2134, 69]})'),
    new_code_cell('import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(3, 2))\n'
                  'ax.bar(["cart", "paid"], [2134, 69])\nplt.show()'),
    new_code_cell('from IPython.display import display\n'
                  'display("output-removed-marker", metadata={"tags": ["remove"]})\n'
                  'print("kept-after-removed")'),
    new_code_cell("import ipywidgets\nipywidgets.IntSlider(3)"),
    new_code_cell("1 / 0"),
]
PAYLOAD_CELLS = [
    new_markdown_cell("# Quotes\n\n<img src=x onerror=\"document.title='pwned'\">"),
    new_code_cell('from IPython.display import HTML\n'
                  'HTML("<script>window.x=1</script><p>raw-html-marker</p>")'),
]


def _execute(cells, path):
    """Execute a notebook of ``cells`` with the environment's ``python3`` kernel and save it to ``path``."""
    nb = new_notebook(cells=[nbformat.from_dict(cell) for cell in cells])
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=60, allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)
    return nb


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Execute the report and payload notebooks once and export both; return the executed nb and pages."""
    folder = tmp_path_factory.mktemp("run")
    executed = _execute(REPORT_CELLS, folder / "04-behaviour.ipynb")
    _execute(PAYLOAD_CELLS, folder / "05-voice.ipynb")
    report = export_notebook(folder / "04-behaviour.ipynb", folder / "html" / "04-behaviour.html",
                             title="Behaviour", subtitle="Acme Shop", run_date="2026-11-24")
    payload = export_notebook(folder / "05-voice.ipynb", folder / "html" / "05-voice.html", title="Voice")
    return {"executed": executed, "report": report.read_text(encoding="utf-8"),
            "payload": payload.read_text(encoding="utf-8"), "folder": folder}


def test_kernel_is_this_environment_and_produced_every_output(pages):
    cells = pages["executed"].cells
    assert cells[2].outputs[0].text.strip() == sys.prefix
    assert [o.name for o in cells[3].outputs] == ["stdout", "stderr"]
    stderr = cells[3].outputs[1].text
    assert "stderr-marker-456" in stderr and "warning-marker-789" in stderr
    assert "image/png" in cells[5].outputs[0].data
    assert "application/vnd.jupyter.widget-view+json" in cells[7].outputs[0].data
    assert cells[8].outputs[0].output_type == "error"


def test_page_has_no_script_and_loads_nothing(pages):
    html = pages["report"]
    assert "<script" not in html.lower()
    assert EXTERNAL.findall(html) == []
    assert "<link" not in html.lower()
    assert _csp(html) == [CSP]


def test_page_shows_outputs_and_header(pages):
    html = pages["report"]
    assert "<title>Behaviour</title>" in html
    assert "<h1>Behaviour</h1>" in html
    assert "Acme Shop" in html and "2026-11-24" in html
    assert "Checkout behaviour" in html and "<strong>leave</strong>" in html
    assert "stdout-marker-123" in html and "kept-after-removed" in html
    assert re.search(r'<table[^>]*class="dataframe"', html)
    assert "<td>checkout</td>" in html and "<td>2134</td>" in html
    sources = [img["src"] for img in BeautifulSoup(html, "html.parser").find_all("img")]
    assert len(sources) == 1 and re.fullmatch(r"data:image/png;base64,[A-Za-z0-9+/=]{200,}", sources[0])
    assert "IntSlider(value=3)" in html  # the widget's static fallback


def test_page_hides_input_prompts_and_what_a_client_must_not_see(pages):
    html = pages["report"]
    for code in ("import ", "print(", "pd.DataFrame", "plt.subplots", "1 / 0"):
        assert code not in html
    assert "In&nbsp;[" not in html and "Out[" not in html
    for hidden in ("stderr-marker-456", "warning-marker-789", "UserWarning", "injected-marker",
                   "output-removed-marker", "ZeroDivisionError", "Traceback", sys.prefix,
                   "widget-view", "widget-state"):
        assert hidden not in html


def test_raw_html_passes_through_and_csp_blocks_it(pages):
    html = pages["payload"]
    assert _csp(html) == [CSP]
    assert "script-src" not in CSP and "default-src 'none'" in CSP
    assert html.lower().count("<script") == 1  # the HTML() payload only; the template adds none
    assert "raw-html-marker" in html


def test_page_title_is_escaped(pages, tmp_path):
    page = export_notebook(pages["folder"] / "05-voice.ipynb", tmp_path / "p.html",
                           title="<script>alert(1)</script>", subtitle="A & B")
    html = page.read_text(encoding="utf-8")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in html
    assert "A &amp; B" in html


def test_export_writes_atomically_and_replaces(pages, tmp_path):
    target = tmp_path / "html" / "page.html"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    assert export_notebook(pages["folder"] / "05-voice.ipynb", target, title="Voice") == target
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in target.parent.iterdir()] == ["page.html"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_clean_notebook_keeps_static_fallbacks_and_drops_empty_cells():
    widget = new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "m"},
                                              "text/plain": "IntSlider(value=3)"})
    script_only = new_output("display_data", data={"application/javascript": "window.y = 2"})
    figure = new_output("display_data", data={"image/png": "iVBORw0KGgo=", "application/javascript": "x"})
    nb = new_notebook(cells=[
        new_code_cell("w", outputs=[widget]),
        new_code_cell("js", outputs=[script_only]),
        new_code_cell("fig", outputs=[figure]),
        new_code_cell("quiet"),
        new_markdown_cell("gone", metadata={"tags": ["remove"]}),
        new_markdown_cell("stays"),
    ], metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {}}})
    cleaned = clean_notebook(nb)
    assert [c.source for c in cleaned.cells] == ["w", "fig", "stays"]
    assert dict(cleaned.cells[0].outputs[0].data) == {"text/plain": "IntSlider(value=3)"}
    assert dict(cleaned.cells[1].outputs[0].data) == {"image/png": "iVBORw0KGgo="}
    assert "widgets" not in cleaned.metadata
    assert len(nb.cells) == 6 and "application/javascript" in nb.cells[2].outputs[0].data  # input untouched


INDEX_ARGS = {
    "title": "Customer journey report", "client": "Acme Shop", "run_id": "20261124-1200",
    "run_date": "2026-11-24", "period": "2026-09-01 to 2026-10-31",
    "pages": [{"href": "01-goals.html", "title": "Goals and KPIs", "summary": "What success means."},
              {"href": "04-behaviour.html", "title": "Behaviour", "summary": ""}],
    "kpis": [{"name": "Checkout conversion", "value": "3.2 %", "detail": "69 of 2,134 sessions"},
             {"name": "NPS", "value": "+12", "detail": ""}],
}


def test_index_lists_kpis_first_then_map_then_pages(tmp_path):
    html = render_index(tmp_path / "index.html", **INDEX_ARGS, map_page="journey-map.html",
                        notes=["Groups under 10 users are not shown."]).read_text(encoding="utf-8")
    body = html.split("</header>", 1)[1]  # the header's navigation links to the first page
    positions = [body.index(s) for s in ("Checkout conversion", "NPS", 'href="journey-map.html"',
                                         'href="01-goals.html"', 'href="04-behaviour.html"')]
    assert positions == sorted(positions)
    assert "69 of 2,134 sessions" in html and "3.2 %" in html and "+12" in html
    assert "What success means." in html and "Groups under 10 users are not shown." in html
    assert "2026-09-01 to 2026-10-31" in html and "20261124-1200" in html and "Acme Shop" in html
    assert html.count('class="kpi-detail"') == 1  # an empty detail shows nothing


def test_index_has_same_csp_and_style_and_no_script(tmp_path):
    html = render_index(tmp_path / "index.html", **INDEX_ARGS).read_text(encoding="utf-8")
    assert _csp(html) == [CSP]
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert EXTERNAL.findall(html) == []
    assert (TEMPLATE_DIR / "style.css").read_text(encoding="utf-8").strip() in html
    assert "index-map" not in html.split("</style>")[1]  # no map link without a map page


def test_index_escapes_every_text(tmp_path):
    evil = "<script>alert(1)</script>"
    args = {**INDEX_ARGS, "title": evil, "client": evil, "period": evil,
            "pages": [{"href": "01-goals.html", "title": evil, "summary": evil}],
            "kpis": [{"name": evil, "value": evil, "detail": evil}]}
    html = render_index(tmp_path / "index.html", **args, notes=[evil]).read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    # <title> twice (title, client), header 2, period, page title and summary, kpi 3, note, footer 2, and the
    # first page's title in the "next" links at the top and the bottom
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 15


@pytest.mark.parametrize("href", ["https://example.org/x.html", "//example.org/x.html",
                                  "javascript:alert(1)", "/etc/passwd"])
def test_index_refuses_links_leaving_the_run(tmp_path, href):
    with pytest.raises(ValueError, match="relative"):
        render_index(tmp_path / "index.html", **{**INDEX_ARGS, "pages": [{"href": href, "title": "x"}]})
    with pytest.raises(ValueError, match="relative"):
        render_index(tmp_path / "index.html", **INDEX_ARGS, map_page=href)
    assert list(tmp_path.iterdir()) == []


def test_index_names_a_missing_key(tmp_path):
    with pytest.raises(ValueError, match="value"):
        render_index(tmp_path / "index.html", **{**INDEX_ARGS, "kpis": [{"name": "NPS"}]})


def test_language_and_audience_filters():
    nb = nbformat.v4.new_notebook()
    cells = [("md", "Intro", []), ("md", "English text", ["lang-en"]), ("md", "Texte français", ["lang-fr"]),
             ("md", "Teaching note", ["teaching"]), ("md", "Exercise: compute it", ["exercise"]),
             ("md", "Solution: 42", ["solution"]), ("md", "Note pour formateur", ["teaching", "lang-fr"])]
    nb.cells = [nbformat.v4.new_markdown_cell(src, metadata={"tags": tags}) for _, src, tags in cells]

    def seen(**kw):
        return [c.source for c in clean_notebook(nb, **kw).cells]

    assert seen(language="en", audience="client") == ["Intro", "English text"]
    assert seen(language="fr", audience="client") == ["Intro", "Texte français"]
    assert seen(language="en", audience="participant") == ["Intro", "English text", "Teaching note",
                                                           "Exercise: compute it"]
    assert seen(language="fr", audience="trainer") == ["Intro", "Texte français", "Teaching note",
                                                       "Exercise: compute it", "Solution: 42", "Note pour formateur"]
    with pytest.raises(ValueError):
        clean_notebook(nb, audience="everyone")


def _tagged(source, tags, kind="md"):
    if kind == "md":
        return nbformat.v4.new_markdown_cell(source, metadata={"tags": tags})
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": tags})
    cell.outputs = [new_output("stream", name="stdout", text=f"{source}-output")]
    return cell


def test_findings_first_appendix_last_and_exercise_code_left_out():
    nb = nbformat.v4.new_notebook()
    nb.cells = [_tagged("# Step 4", []), _tagged("Data quality", ["appendix"]), _tagged("Funnel", []),
                _tagged("Exercise: the step rate", ["exercise"]), _tagged("answer", ["exercise"], "code"),
                _tagged("solution", ["solution"], "code"), _tagged("Method", ["appendix"]),
                _tagged("findings", ["findings"], "code")]
    for audience in ("trainer", "participant"):
        cells = clean_notebook(nb, audience=audience).cells
        order = [c.source for c in cells]
        expected = ["findings", "# Step 4", "Funnel", "Exercise: the step rate",
                    *(["solution"] if audience == "trainer" else []), "Data quality", "Method"]
        assert order == expected, audience  # the exercise's code cell ("answer = None") is notebook-only
        marks = [c.metadata.get("cjm_appendix") for c in cells]
        assert marks[-2:] == ["first", "last"] and marks.count(None) == len(cells) - 2


def test_page_has_navigation_edition_findings_and_method_section(tmp_path):
    cells = [new_markdown_cell("# Behaviour"), new_code_cell('print("body-marker")'),
             new_code_cell('print("method-marker")', metadata={"tags": ["appendix"]}),
             new_code_cell('print("findings-marker")', metadata={"tags": ["findings"]})]
    _execute(cells, tmp_path / "04-behaviour.ipynb")
    page = export_notebook(tmp_path / "04-behaviour.ipynb", tmp_path / "04-behaviour.html", title="Comportement",
                           language="fr", audience="trainer").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    assert page.index("findings-marker") < page.index("Behaviour") < page.index("body-marker")
    details = soup.find("details", class_="report-appendix")
    assert details.summary.get_text() == "Méthode et données" and "method-marker" in details.get_text()
    assert "body-marker" not in details.get_text()
    nav = soup.find("nav", class_="report-nav-top")
    assert [a["href"] for a in nav.find_all("a")] == ["03-touchpoints.html", "index.html", "05-voice-of-customer.html"]
    assert "Étapes et points de contact" in nav.get_text() and "Voix du client" in nav.get_text()
    assert soup.find(class_="report-edition").get_text() == "Édition formateur"
    assert "Édition formateur" in soup.find("footer").get_text()
    client = export_notebook(tmp_path / "04-behaviour.ipynb", tmp_path / "c.html", title="x").read_text(encoding="utf-8")
    assert "report-edition" not in client.split("</style>")[1]


def test_index_as_a_cover(tmp_path):
    cover = {"cards": [{"name": "Conversion", "value": "3.3%", "interval": "95 % CI 3.0–3.7", "detail": "n = 10,409",
                        "target": "Target 4.0%", "status": "off", "status_text": "Off track",
                        "change": "+0.4 pts since the last run (within the noise)"}],
             "findings": ["<b>finding</b> one"], "opportunities": [{"name": "Show shipping costs", "priority": "now",
                                                                     "score": "1,121"}],
             "thumbnail": "data:image/jpeg;base64,AAAA", "first_run": True,
             "downloads": [{"href": "journey-map.pdf", "title": "Journey map (PDF, A3)"}]}
    html = render_index(tmp_path / "index.html", **INDEX_ARGS, map_page="journey-map.html",
                        cover=cover).read_text(encoding="utf-8").split("</header>", 1)[1]
    positions = [html.index(s) for s in ("Off track", "first run", "&lt;b&gt;finding&lt;/b&gt; one",
                                         "Show shipping costs", 'class="index-map-thumb"', 'href="journey-map.pdf"',
                                         'href="01-goals.html"')]
    assert positions == sorted(positions)
    assert "95 % CI 3.0–3.7" in html and "Target 4.0%" in html and "+0.4 pts since the last run" in html
    assert "Checkout conversion" not in html  # the cards replace the plain KPI list
    with pytest.raises(ValueError, match="data:image"):
        render_index(tmp_path / "i2.html", **INDEX_ARGS, cover={"thumbnail": "journey-map.png"})
