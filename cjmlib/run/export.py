"""Turn executed step notebooks into client-ready HTML pages, and write the run's index page.

Every page is one self-contained file: the code is hidden, images are embedded as ``data:``
URIs, no script, stylesheet or font is loaded from anywhere, and a Content-Security-Policy
meta tag forbids scripts altogether, so a payload that slipped into a table or a quote
cannot run in the client's browser. The page shell and its CSS live in
``templates/report/`` (an nbconvert template based on ``lab``).

What a client must not see is removed before rendering: stderr streams (warnings carry
local paths and user names), error outputs, the cell papermill injects with the run's
parameters, cells and outputs tagged ``remove``, and widget or JavaScript outputs (their
static fallback, if any, is kept).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import nbformat
from nbconvert import HTMLExporter

from ..files import write_atomically
from ..i18n.catalogue import index_labels, say, step_title
from ..view.present import table_word
from .steps import STEPS

__all__ = ["CSP", "DEFINITIONS_PAGE", "TEMPLATE_DIR", "clean_notebook", "export_notebook", "page_environment",
           "render_index", "step_nav"]

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "report"
"""The report template folder: ``conf.json``, ``index.html.j2``, ``run-index.html.j2``, ``style.css``."""

DEFINITIONS_PAGE = "definitions.html"
"""The run's definitions appendix (:mod:`cjmlib.run.definitions`), linked from the index when it is there."""

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
"""The Content-Security-Policy of every page; both templates spell it out (a test keeps them equal)."""

REMOVE_TAG = "remove"
AUDIENCES = ("client", "trainer", "participant")
# which cells each audience sees, by tag: teaching notes and exercises are for the classroom,
# solutions for the trainer only; a cell tagged lang-xx shows only in a report in language xx
AUDIENCE_TAGS = {"client": set(), "participant": {"teaching", "exercise"},
                 "trainer": {"teaching", "exercise", "solution"}}
CLASSROOM_TAGS = {"teaching", "exercise", "solution"}
INJECTED_TAG = "injected-parameters"
FINDINGS_TAG = "findings"
APPENDIX_TAG = "appendix"
SCRIPTED_MIMETYPES = ("application/vnd.jupyter.widget-view+json", "application/javascript")


def export_notebook(ipynb_path: str | os.PathLike, html_path: str | os.PathLike, *, title: str,
                    subtitle: str = "", run_date: str = "", language: str = "en", audience: str = "client",
                    nav: Mapping[str, Mapping[str, str]] | None = None) -> Path:
    """Export an executed notebook to a self-contained, input-free HTML page.

    Parameters
    ----------
    ipynb_path
        The executed notebook.
    html_path
        Where to write the page; written atomically (a temporary file, then a rename), its
        folder is created when missing.
    title
        Page title, shown in the header and the browser tab.
    subtitle
        The project or client name, shown above the title.
    run_date
        The run's date as it should read, e.g. ``"2026-11-24"``.
    language
        ISO 639-1 code of the page's language (the ``lang`` attribute); cells tagged for another
        language (``lang-fr``, ``lang-en``) are left out.
    audience
        ``client`` (no teaching notes, exercises or solutions), ``participant`` (no solutions) or
        ``trainer`` (everything); the trainer's and the participant's editions are labelled on the page.
    nav
        Links to the ``previous`` and ``next`` pages and the ``index`` (each a mapping with ``href`` and
        ``title``); by default the neighbours of the step named like ``ipynb_path`` and ``index.html``.

    Returns
    -------
    Path
        ``html_path``.

    Examples
    --------
    >>> export_notebook("runs/r1/04-behaviour.ipynb", "runs/r1/html/04-behaviour.html",
    ...                 title="Behaviour", subtitle="Acme Shop", run_date="2026-11-24")  # doctest: +SKIP
    """
    ipynb_path, html_path = Path(ipynb_path), Path(html_path)
    nb = clean_notebook(nbformat.read(ipynb_path, as_version=4), language=language, audience=audience)
    exporter = HTMLExporter(
        template_name=TEMPLATE_DIR.name,
        extra_template_basedirs=[str(TEMPLATE_DIR.parent)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        language_code=language,
    )
    edition = table_word(f"page.edition_{audience}", language) if audience != "client" else ""
    resources = {
        "metadata": {"name": ipynb_path.stem, "path": str(ipynb_path.parent)},
        "cjm": {"title": title, "subtitle": subtitle, "run_date": run_date, "edition": edition,
                "nav": step_nav(ipynb_path.stem, language) if nav is None else dict(nav),
                "words": {k: table_word(f"page.{k}", language) for k in ("appendix", "previous", "next", "index")}},
    }
    html, _ = exporter.from_notebook_node(nb, resources=resources)
    return write_atomically(html_path, html)


def step_nav(step: str, language: str = "en") -> dict[str, dict[str, str]]:
    """Return the links of a step page: ``previous`` and ``next`` step (when any) and the ``index``; the last
    step's ``next`` is the definitions appendix (written after the steps, in the same run).

    Parameters
    ----------
    step
        The step's id (``04-behaviour``); another name gets the index link only.
    language
        ``en`` or ``fr`` (the titles of the linked pages).
    """
    names = [s.name for s in STEPS]
    nav = {"index": {"href": "index.html", "title": table_word("page.index", language)}}
    if step in names:
        i = names.index(step)
        for key, j in (("previous", i - 1), ("next", i + 1)):
            if 0 <= j < len(names):
                nav[key] = {"href": f"{names[j]}.html", "title": f"{STEPS[j].number} · {step_title(names[j], language)}"}
        if i == len(names) - 1:
            nav["next"] = {"href": DEFINITIONS_PAGE, "title": say("definitions", "title", language)}
    return nav


def clean_notebook(nb: nbformat.NotebookNode, *, language: str = "en",
                   audience: str = "client") -> nbformat.NotebookNode:
    """Return a copy of ``nb`` holding only what its reader may see.

    Drops cells tagged ``remove`` or ``injected-parameters``, cells tagged for another language
    or for another audience (see ``AUDIENCE_TAGS``), the code cells of exercises (their output is an
    instruction for the notebook: "Replace ``answer = None``…"; the question and, for the trainer, the
    solution stay), stderr streams, error outputs, outputs tagged ``remove``, widget and JavaScript
    renderings (keeping any static fallback), code cells left without output, and the notebook's widget
    state. The cells tagged ``findings`` move to the top (under the page's title), those tagged
    ``appendix`` to the end, the first and last of them marked for the "Method and data" section.
    """
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
    nb = copy.deepcopy(nb)
    cells = []
    hidden = CLASSROOM_TAGS - AUDIENCE_TAGS[audience]
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", ()))
        if tags & ({REMOVE_TAG, INJECTED_TAG} | hidden):
            continue
        if "exercise" in tags and cell.cell_type == "code":
            continue
        languages = {t[5:] for t in tags if t.startswith("lang-")}
        if languages and language not in languages:
            continue
        if cell.cell_type == "code":
            cell.outputs = [out for out in map(_clean_output, cell.outputs) if out is not None]
            if not cell.outputs:
                continue
        cells.append(cell)
    nb.cells = _arranged(cells)
    nb.metadata.pop("widgets", None)
    return nb


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", ()))


def _arranged(cells: list) -> list:
    """The findings first (under the page's title), the body, then the appendix cells, their first and last marked."""
    findings = [c for c in cells if FINDINGS_TAG in _tags(c)]
    appendix = [c for c in cells if APPENDIX_TAG in _tags(c) and FINDINGS_TAG not in _tags(c)]
    moved = {id(c) for c in findings + appendix}
    body = [c for c in cells if id(c) not in moved]
    for cell in appendix:
        cell.metadata.pop("cjm_appendix", None)
    if appendix:
        appendix[0].metadata["cjm_appendix"] = "first"
        appendix[-1].metadata["cjm_appendix"] = "both" if len(appendix) == 1 else "last"
    return findings + body + appendix


def _clean_output(output: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    """Return ``output`` without what a client must not see, or None to drop it whole."""
    kind = output.output_type
    if kind == "error" or (kind == "stream" and output.name != "stdout"):
        return None
    if REMOVE_TAG in output.get("metadata", {}).get("tags", ()):
        return None
    if kind in ("display_data", "execute_result"):
        for mimetype in SCRIPTED_MIMETYPES:
            output.data.pop(mimetype, None)
        if not output.data:
            return None
    return output


def render_index(html_path: str | os.PathLike, *, title: str, client: str, run_id: str, run_date: str,
                 period: str, pages: Sequence[Mapping[str, str]], kpis: Sequence[Mapping[str, str]],
                 map_page: str | None = None, notes: Iterable[str] = (), changes: Sequence[Mapping[str, str]] = (),
                 language: str = "en", map_pages: Sequence[Mapping[str, str]] = (), cover: Mapping | None = None) -> Path:
    """Write the run's index page: the journey map first, then the step pages, then headline KPIs.

    When the definitions appendix (``definitions.html``) is already beside ``html_path``, the index links it
    under the step pages.

    Every value is escaped (Jinja autoescape); the page has the same look and the same
    Content-Security-Policy as the step pages and loads nothing.

    Parameters
    ----------
    html_path
        Where to write the page (usually ``<run_dir>/html/index.html``); written atomically.
    title
        Page title, e.g. ``"Customer journey report"``.
    client
        The client or project name.
    run_id
        The run's identifier, shown in small print.
    run_date
        The run's date as it should read.
    period
        The period the data covers, e.g. ``"2026-09-01 to 2026-10-31"``.
    pages
        One mapping per step page with keys ``href`` (relative link), ``title`` and
        ``summary`` (may be empty), in reading order.
    kpis
        One mapping per headline KPI with keys ``name``, ``value`` (already formatted text)
        and ``detail`` (e.g. ``"69 of 2,134 sessions"``, may be empty).
    map_page
        Relative link to the journey map page, shown first and prominently; None hides it.
    notes
        Short remarks shown at the end (e.g. suppressed small groups).
    changes
        "What changed since the last run": one mapping per KPI with ``name``, ``previous``, ``current``,
        ``delta``, ``interval`` and ``significance`` (already formatted text).
    language
        ISO 639-1 code of the page's language (the ``lang`` attribute).
    map_pages
        The map of each persona, listed under the journey map: one mapping each with ``href`` and
        ``title`` (the persona's name).
    cover
        The executive cover (:mod:`cjmlib.run.cover`): ``cards`` (KPI cards, shown instead of ``kpis``),
        ``findings`` (sentences), ``opportunities``, ``thumbnail`` (a ``data:`` URI), ``downloads``
        (links to files of the run) and ``first_run`` (True: say there is no earlier run).

    Returns
    -------
    Path
        ``html_path``.

    Examples
    --------
    >>> render_index("runs/r1/html/index.html", title="Customer journey report", client="Acme Shop",
    ...              run_id="r1", run_date="2026-11-24", period="September to October 2026",
    ...              pages=[{"href": "01-goals.html", "title": "Goals and KPIs", "summary": ""}],
    ...              kpis=[{"name": "Conversion", "value": "3.2 %", "detail": "69 of 2,134 sessions"}],
    ...              map_page="journey-map.html")  # doctest: +SKIP
    """
    context = {
        "title": title, "client": client, "run_id": run_id, "run_date": run_date, "period": period,
        "language": language, "notes": list(notes), "labels": index_labels(language),
        "map_page": None if map_page is None else _check_relative(map_page),
        "map_pages": [_pick(page, required=("href", "title"), optional=()) for page in map_pages],
        "pages": [_pick(page, required=("href", "title"), optional=("summary",)) for page in pages],
        "kpis": [_pick(kpi, required=("name", "value"), optional=("detail",)) for kpi in kpis],
        "changes": [_pick(c, required=("name", "previous", "current", "delta"), optional=("interval", "significance"))
                    for c in changes],
    }
    cover = dict(cover or {})
    thumbnail = str(cover.get("thumbnail", ""))
    if thumbnail and not thumbnail.startswith("data:image/"):
        raise ValueError("the map's thumbnail must be a data:image URI (the page loads nothing)")
    context["cover"] = {
        "cards": [dict(card) for card in cover.get("cards", ())], "findings": list(cover.get("findings", ())),
        "opportunities": [dict(o) for o in cover.get("opportunities", ())], "thumbnail": thumbnail,
        "downloads": [_pick(d, required=("href", "title"), optional=()) for d in cover.get("downloads", ())],
        "first_run": bool(cover.get("first_run", False)),
        "words": {k: table_word(f"cover.{k}", language) for k in (
            "first_run", "findings", "opportunities", "priority", "score", "downloads", "map_alt", "data")},
        "page": {k: table_word(f"page.{k}", language) for k in ("previous", "next", "index")},
    }
    context["nav"] = {"next": {"href": pages[0]["href"], "title": pages[0]["title"]}} if pages else {}
    definitions = Path(html_path).parent / DEFINITIONS_PAGE
    context["definitions"] = {"href": DEFINITIONS_PAGE, "title": say("definitions", "link", language)} \
        if definitions.exists() else None
    html = page_environment().get_template("run-index.html.j2").render(context)
    return write_atomically(html_path, html)


def _pick(item: Mapping[str, str], *, required: tuple[str, ...], optional: tuple[str, ...]) -> dict:
    """Return the ``required`` and ``optional`` keys of ``item`` as text; a missing required key raises."""
    missing = [key for key in required if key not in item]
    if missing:
        raise ValueError(f"{dict(item)!r} lacks the key(s) {missing}; expected {list(required + optional)}")
    picked = {key: "" if item.get(key) is None else str(item[key]) for key in required + optional}
    if "href" in picked:
        _check_relative(picked["href"])
    return picked


def _check_relative(href: str) -> str:
    """Return ``href`` if it is a relative link inside the run's pages; raise ValueError otherwise."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("/"):
        raise ValueError(f"link {href!r} must be relative to the index page, e.g. '01-goals.html'")
    return href


def page_environment() -> jinja2.Environment:
    """Return the Jinja environment of the pages written without nbconvert (the index, the definitions):
    the report template folder, autoescape on, undefined names raise."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
