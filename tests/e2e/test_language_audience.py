"""Report language and audiences: a French demo run for the trainer, then the same notebooks exported for
participants and clients.

One run of the whole playbook (a small demo, ``language: fr``, ``--audience trainer``) feeds every test of
the module; the participant and client pages are exported from the executed notebooks of that run.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from conftest import KERNEL

from cjmlib.i18n.catalogue import STEP_TITLES, index_labels, step_title
from cjmlib.run.export import export_notebook
from cjmlib.run.steps import NOTEBOOKS_DIR, STEPS
from cjmlib.view import plot

NNBSP = "\u202f"  # French writes "50,0 %" with a narrow no-break space


def _text(page: str) -> str:
    """The visible text of a page: tags and the style sheet removed, entities decoded, spaces collapsed."""
    body = re.sub(r"<style.*?</style>", " ", page, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _headings(page: str) -> set[str]:
    """The text of every heading of a page (without the ¶ anchor nbconvert appends)."""
    return {_text(h).replace("¶", "").strip() for h in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", page, re.DOTALL)}


def _shows(cell, page: str) -> bool:
    """Whether a markdown cell is on the page: its heading among the page's headings, or its first line in
    the page's text."""
    if cell.source.lstrip().startswith("#"):
        return _first_line(cell) in _headings(page)
    return _first_line(cell) in _text(page)


def _first_line(cell) -> str:
    """The first line of a markdown cell as it reads on the page (heading marks and emphasis removed)."""
    line = cell.source.strip().splitlines()[0]
    return re.sub(r"[#>*`]", "", line).strip()


# ------------------------------------------------------------------ chart labels follow set_theme

@pytest.fixture
def french_charts():
    plot.set_theme(language="fr")
    yield
    plot.set_theme(language="en")
    plt.close("all")


FUNNEL = pd.DataFrame({"label": ["Cart", "Checkout"], "rate": [1.0, 0.5], "ci_low": [0.7, 0.24],
                       "ci_high": [1.0, 0.76], "units": [10, 5], "denominator": [10, 10], "unit": "session"})
WEEKLY = pd.DataFrame({"week": ["2026-01-05", "2026-01-05", "2026-01-12", "2026-01-12"],
                       "device": ["desktop", "mobile", "desktop", "mobile"], "rate": [0.4, 0.5, 0.4, 0.8],
                       "ci_low": [0.2, 0.3, 0.2, 0.6], "ci_high": [0.6, 0.7, 0.6, 0.9]})
THEMES = pd.DataFrame({"label": ["Shipping cost"], "mentions": [4], "negative": [3], "share": [0.4],
                       "feedback_items": [10]})
TRIANGULATION = pd.DataFrame({"label": ["Purchase", "Advocacy"], "negative_share": [0.9, 0.0],
                              "drop_off_rate": [0.2, 0.8], "flag": ["pain without behavioural evidence",
                                                                    "drop-off without a voice"]})


def test_charts_speak_french_after_set_theme_fr(french_charts):
    ax = plot.plot_funnel(FUNNEL)
    assert ax.get_title() == "Entonnoir"
    assert ax.get_xlabel() == "part des sessions entrées à l'étape 1 (intervalle à 95 %)"
    assert f"50,0{NNBSP}%  (5 sur 10)" in [t.get_text() for t in ax.texts]
    assert ax.xaxis.get_major_formatter()(0.2, 0) == f"20{NNBSP}%"

    ax = plot.plot_weekly_abandonment(WEEKLY, by="device")
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "appareil"
    assert [t.get_text() for t in legend.get_texts()] == ["ordinateur", "mobile"]
    assert (ax.get_title(), ax.get_xlabel()) == ("Abandons par semaine", "semaine (lundi)")

    ax = plot.plot_themes(THEMES)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["toutes les mentions", "avec une note de 1 à 2"]
    assert f" 4 (40{NNBSP}% de 10)" in [t.get_text() for t in ax.texts]

    ax = plot.plot_triangulation(TRIANGULATION)
    assert ax.get_title() == "Voix du client et comportement par étape"
    assert "perte\nsans plainte" in [t.get_text() for t in ax.texts]


def test_charts_are_english_by_default_and_a_given_title_wins(french_charts):
    assert plot.plot_funnel(FUNNEL, title="Mon titre").get_title() == "Mon titre"
    plot.set_theme()
    ax = plot.plot_funnel(FUNNEL)
    assert ax.get_title() == "Funnel" and "50.0%  (5 of 10)" in [t.get_text() for t in ax.texts]
    assert ax.get_xlabel() == "share of sessions entering step 1 (95 % interval)"


def test_an_unknown_language_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="language must be one of en, fr, not 'de'"):
        plot.set_theme(language="de")


# ------------------------------------------------------------------ the French trainer run

@pytest.fixture(scope="module")
def french_run(tmp_path_factory) -> Path:
    """A small demo with ``language: fr``, run for the trainer; returns the run folder."""
    from cjmlib.demo.templates import new_project
    from cjmlib.run.runner import run_playbook

    target = tmp_path_factory.mktemp("fr") / "boutique"
    new_project(target, users=800)
    spec = target / "journey.yml"
    text = spec.read_text(encoding="utf-8")
    assert "\n  language: en " in text
    spec.write_text(text.replace("\n  language: en ", "\n  language: fr ", 1), encoding="utf-8")
    return run_playbook(target, audience="trainer", kernel_name=KERNEL).run_dir


def _page(run_dir: Path, name: str) -> str:
    return (run_dir / "html" / name).read_text(encoding="utf-8")


def test_index_is_in_french(french_run):
    page = _page(french_run, "index.html")
    text = _text(page)
    assert '<html lang="fr"' in page
    labels = index_labels("fr")
    for key in ("steps", "journey_map", "kpis"):
        assert labels[key] in text, key
    for step in STEP_TITLES:
        assert step_title(step, "fr") in text
    assert "Journey map" not in text and "Headline KPIs" not in text


@pytest.mark.parametrize("step", [s.name for s in STEPS])
def test_every_step_page_has_its_french_title(step, french_run):
    page = _page(french_run, f"{step}.html")
    assert '<html lang="fr"' in page
    assert step_title(step, "fr") in _text(page)


def test_the_journey_map_is_labelled_in_french(french_run):
    text = _text(_page(french_run, "journey-map.html"))
    for label in ("Carte du parcours client — état actuel", "Points de contact", "Émotion", "Opportunités"):
        assert label in text
    for english in ("Current-state journey map", "Touchpoints", "Opportunities"):
        assert english not in text


def test_step_5_narrative_chart_titles_and_captions_are_french(french_run):
    text = _text(_page(french_run, "05-voice-of-customer.html"))
    for french in ("Étape 5 — La voix du client", "Comment les retours ont été lus", "Note pédagogique",
                   "Retours clients par langue et méthode de lecture du sentiment", "CSAT (1–5) par étape",
                   "Verbatims courts par thème", "La courbe des émotions : la mesure face à l'hypothèse de l'atelier"):
        assert french in text, french
    for english in ("Step 5 — Voice of the customer", "How the feedback was read", "Teaching note",
                    "Feedback items per language", "CSAT (1–5) by stage", "groups of fewer than"):
        assert english not in text, english
    executed = nbformat.read(french_run / "notebooks" / "05-voice-of-customer.ipynb", as_version=4)
    source = "\n".join(c.source for c in executed.cells if c.cell_type == "code")
    assert 'language = "fr"' in source and "cjm.plot.set_theme(language)" in source


@pytest.mark.parametrize("step", [s.name for s in STEPS])
def test_no_english_only_narrative_leaks_into_the_french_pages(step, french_run):
    """Every markdown cell is tagged lang-en or lang-fr; no English cell shows on the French page, every
    French cell does."""
    notebook = nbformat.read(NOTEBOOKS_DIR / f"{step}.ipynb", as_version=4)
    page = _page(french_run, f"{step}.html")
    untagged = [_first_line(c) for c in notebook.cells if c.cell_type == "markdown"
                and not any(t.startswith("lang-") for t in c.metadata.get("tags", []))]
    assert not untagged, f"{step}: markdown cells in one language only, without a lang-en/lang-fr tag: {untagged}"
    french = {_first_line(c) for c in notebook.cells if "lang-fr" in c.metadata.get("tags", [])}
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown" and "lang-en" in tags and _first_line(cell) not in french:
            assert not _shows(cell, page), f"English cell on the French page of {step}: {_first_line(cell)}"
        if cell.cell_type == "markdown" and "lang-fr" in tags:
            assert _shows(cell, page), f"French cell missing from {step}: {_first_line(cell)}"


# ------------------------------------------------------------------ audiences

@pytest.fixture(scope="module")
def pages(french_run, tmp_path_factory) -> dict[str, dict[str, str]]:
    """audience -> step -> page text: the trainer's published pages, the others exported from the same run."""
    out: dict[str, dict[str, str]] = {"trainer": {s.name: _text(_page(french_run, f"{s.name}.html")) for s in STEPS}}
    folder = tmp_path_factory.mktemp("audiences")
    for audience in ("participant", "client"):
        out[audience] = {}
        for step in STEPS:
            path = export_notebook(french_run / "notebooks" / f"{step.name}.ipynb",
                                   folder / audience / f"{step.name}.html", title=step_title(step.name, "fr"),
                                   language="fr", audience=audience)
            out[audience][step.name] = _text(path.read_text(encoding="utf-8"))
    return out


def _classroom_cells(step: str) -> dict[str, list[str]]:
    """The first lines of the French (or language-neutral) markdown cells tagged teaching, exercise, solution."""
    notebook = nbformat.read(NOTEBOOKS_DIR / f"{step}.ipynb", as_version=4)
    out: dict[str, list[str]] = {"teaching": [], "exercise": [], "solution": []}
    for cell in notebook.cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "markdown" and "lang-en" not in tags:
            for kind in out.keys() & tags:
                out[kind].append(_first_line(cell))
    return out


def _verdicts(run_dir: Path, step: str) -> dict[str, list[str]]:
    """The summary line of every exercise verdict in the executed notebook, by the tag of its cell."""
    notebook = nbformat.read(run_dir / "notebooks" / f"{step}.ipynb", as_version=4)
    out: dict[str, list[str]] = {"exercise": [], "solution": []}
    for cell in notebook.cells:
        tags = set(cell.metadata.get("tags", [])) & out.keys()
        for output in cell.get("outputs", []):
            page = output.get("data", {}).get("text/html", "")
            if "cjm-verdict" in page:
                summary = _text(re.search(r"<p[^>]*>(.*?)</p>", page).group(1)).strip()
                for kind in tags:
                    out[kind].append(summary)
    return out


def test_step_5_has_its_exercise_solution_and_teaching_notes(french_run):
    cells = _classroom_cells("05-voice-of-customer")
    assert len(cells["teaching"]) == 2 and len(cells["exercise"]) == 1 and len(cells["solution"]) == 1
    verdicts = _verdicts(french_run, "05-voice-of-customer")
    assert verdicts["exercise"] == ["… Un irritant tiré des verbatims — Pas encore de réponse."]
    assert verdicts["solution"] == ["✓ Un irritant tiré des verbatims — Juste."]  # the worked answer checks out


@pytest.mark.parametrize("step", [s.name for s in STEPS])
def test_each_audience_sees_what_it_should(step, pages, french_run):
    """The trainer sees teaching notes, exercises and their solutions (with the solution's verdict); the
    participant the notes and exercises; the client none. The verdict of an unanswered exercise ("Pas encore
    de réponse") is an instruction for the notebook: no edition shows it."""
    cells, verdicts = _classroom_cells(step), _verdicts(french_run, step)
    seen = {"trainer": {"teaching", "exercise", "solution"}, "participant": {"teaching", "exercise"},
            "client": set()}
    for audience, kinds in seen.items():
        text = pages[audience][step]
        for kind in ("teaching", "exercise", "solution"):
            for line in cells[kind]:
                assert (line in text) == (kind in kinds), f"{audience} page of {step}, {kind} cell: {line}"
        for summary in verdicts["solution"]:
            assert (summary in text) == (audience == "trainer"), f"{audience} page of {step}, solution: {summary}"
        for summary in verdicts["exercise"]:
            assert summary not in text, f"{audience} page of {step}, notebook-only verdict: {summary}"
        assert "Pas encore de réponse" not in text, f"{audience} page of {step}"
        edition = {"trainer": "Édition formateur", "participant": "Édition participant"}
        assert all((label in text) == (who == audience) for who, label in edition.items()), f"{audience}: {step}"
    assert "Pas encore de réponse" not in pages["client"][step] and "Juste." not in pages["client"][step]
    assert "Note pédagogique" not in pages["client"][step]
