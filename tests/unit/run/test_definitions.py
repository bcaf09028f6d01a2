"""The definitions appendix: which metrics a run's results make appear, their words in en and fr, the page."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cjmlib.data.results import save_result
from cjmlib.run import report
from cjmlib.run.definitions import definition_sections, source_rows, write_definitions
from cjmlib.run.export import CSP, render_index, step_nav
from cjmlib.spec.io import load_spec

DEMO = Path(__file__).resolve().parents[3] / "templates" / "ecommerce" / "journey.yml"
EVENTS_SHA = "b" * 64


def _funnel(unit: str, window_days: float, name: str) -> pd.DataFrame:
    return pd.DataFrame({"step": ["a", "b"], "label": ["A", "B"], "entered": [10, 10], "converted": [10, 4],
                         "rate": [1.0, 0.4], "step_rate": [1.0, 0.4], "median_seconds": [np.nan, 60.0],
                         "unit": [unit, unit], "window_days": [window_days, window_days], "funnel_name": [name, name]})


@pytest.fixture()
def run_dir(tmp_path):
    """A run of a project with events and feedback but no surveys, orders or A/B tests."""
    save_result(tmp_path, "meta", {"period_start": "2026-01-01", "period_end": "2026-03-31",
                                   "sources": {"journey.yml": "a" * 64, "data/clicks.csv": EVENTS_SHA}})
    save_result(tmp_path, "kpis", pd.DataFrame({
        "id": ["conversion"], "name": ["Checkout conversion"], "metric": ["session_conversion"], "unit": ["share"],
        "baseline": [0.03], "ci_low": [0.02], "definition": ["sessions with a purchase ÷ sessions"]}))
    stages = _funnel("user", np.nan, "")
    save_result(tmp_path, "stage_funnel", stages.assign(drop_off=[0, 6]))
    save_result(tmp_path, "funnel-checkout", _funnel("session", np.nan, "Checkout funnel"))
    save_result(tmp_path, "funnel-trial", _funnel("user", 7.0, "Trial funnel").assign(ci_low=[0.9, 0.1]))
    save_result(tmp_path, "attribution", pd.DataFrame({"touchpoint": ["cart"], "removal_effect": [0.38], "low": [0.31],
                                                       "first_touch": [0.2], "unit": ["session"]}))
    save_result(tmp_path, "themes", pd.DataFrame({"theme": ["delay"], "share": [0.5], "negative_share": [np.nan]}))
    save_result(tmp_path, "opportunities", pd.DataFrame({"opportunity": ["faster"], "scoring": ["ice"],
                                                         "score": [12.0]}))
    save_result(tmp_path, "sizing", pd.DataFrame({"opportunity": ["faster"], "delta_per_month": [3.0],
                                                  "revenue_per_month": [np.nan], "days": [90.0]}))
    # saved by their steps but empty: no definition
    save_result(tmp_path, "experiments", pd.DataFrame({"experiment": [], "difference": []}))
    save_result(tmp_path, "nps_by_stage", pd.DataFrame({"stage": ["purchase"], "nps": [np.nan]}))
    return tmp_path


def _rows(sections: list[dict]) -> dict[str, dict]:
    return {row["metric"]: row for s in sections for row in s["rows"]}


def test_only_the_metrics_the_run_saved_are_defined(run_dir):
    sections = definition_sections(run_dir, language="en")
    assert [s["step"] for s in sections] == ["01-goals", "04-behaviour", "05-voice-of-customer", "06-improvements"]
    by_step = {s["step"]: [r["metric"] for r in s["rows"]] for s in sections}
    assert by_step["01-goals"] == ["Checkout conversion (goal KPI)"]
    assert by_step["04-behaviour"] == [
        "Share reaching a stage", "Stage-to-stage conversion", "Drop-off at a stage", "Time to the next step",
        "Checkout funnel: conversion to a step", "Checkout funnel: step conversion",
        "Trial funnel: conversion to a step", "Trial funnel: step conversion",
        "Conversions lost without a touchpoint (removal effect)", "First-touch and last-touch share"]
    # the negative share of the theme holds no value, the revenue of the sizing neither
    assert by_step["05-voice-of-customer"] == ["Share of feedback mentioning a theme"]
    assert by_step["06-improvements"] == ["Opportunity score (ICE)", "Conversions gained per month"]
    every = " ".join(str(v) for r in _rows(sections).values() for v in r.values())
    assert "NPS" not in every and "A/B" not in every and "Survey" not in every


def test_formula_unit_window_and_source_are_those_of_the_run(run_dir):
    rows = _rows(definition_sections(run_dir, language="en"))
    kpi = rows["Checkout conversion (goal KPI)"]
    assert kpi == {"metric": "Checkout conversion (goal KPI)", "formula": "sessions with a purchase ÷ sessions",
                   "unit": "share (%), with its 95 % interval", "window": "the data's period",
                   "source": "Website events"}
    assert rows["Checkout funnel: step conversion"]["formula"] == "sessions reaching the step ÷ sessions at the step before"
    assert rows["Checkout funnel: step conversion"]["window"] == "within one session, in the data's period"
    assert rows["Trial funnel: conversion to a step"]["formula"] == \
        "customers reaching the step ÷ customers at the funnel's first step"
    assert rows["Trial funnel: conversion to a step"]["window"] == "within 7 days of the first step, in the data's period"
    assert rows["Share reaching a stage"]["window"] == "no time limit from the first step, within the data's period"
    assert rows["Drop-off at a stage"]["unit"] == "count"
    assert rows["Opportunity score (ICE)"]["formula"] == "impact × confidence × ease"
    assert rows["Conversions gained per month"]["window"] == \
        "per month (30.4 days), scaled from the data's period (90 days)"
    assert rows["Share of feedback mentioning a theme"]["source"] == "Customer feedback"
    touch = rows["First-touch and last-touch share"]
    assert touch["formula"] == ("converting sessions whose first (or last) touchpoint before converting is this one"
                                " ÷ converting sessions with a touchpoint before converting")
    assert touch["unit"] == "share (%)"  # the result holds no interval for it
    assert rows["Conversions lost without a touchpoint (removal effect)"]["unit"] == "share (%), with its 95 % interval"
    # a share is said with its interval only when the result holds one
    assert rows["Trial funnel: conversion to a step"]["unit"] == "share (%), with its 95 % interval"
    assert rows["Checkout funnel: conversion to a step"]["unit"] == "share (%)"
    assert rows["Share of feedback mentioning a theme"]["unit"] == "share (%)"


def test_definitions_in_french(run_dir):
    sections = definition_sections(run_dir, language="fr", funnel_names={"checkout": "Tunnel de paiement"})
    assert sections[0]["title"].startswith("01 · ")
    rows = _rows(sections)
    kpi = rows["Checkout conversion (indicateur d'objectif)"]
    assert kpi["formula"] == "sessions avec un achat ÷ sessions"
    assert kpi["unit"] == "part (%), avec son intervalle à 95 %" and kpi["source"] == "Événements du site"
    step = rows["Tunnel de paiement : conversion d'étape"]
    assert step["formula"] == "sessions atteignant l'étape ÷ sessions à l'étape précédente"
    assert step["window"] == "au sein d'une même session, sur la période des données"
    assert rows["Trial funnel : conversion jusqu'à une étape"]["window"] == \
        "dans les 7 jours suivant la première étape, sur la période des données"
    assert rows["Score d'opportunité (ICE)"]["formula"] == "impact × confiance × facilité"
    assert rows["Conversions gagnées par mois"]["window"] == \
        "par mois (30,4 jours), rapporté à partir de la période des données (90 jours)"


def test_sources_are_named_by_what_they_hold_with_their_fingerprint(run_dir):
    assert source_rows(run_dir, language="fr", source_paths={"events": "data/clicks.csv"}) == [
        {"source": "Spécification du parcours (journey.yml)", "file": "journey.yml", "sha256": "a" * 64},
        {"source": "Événements du site", "file": "clicks.csv", "sha256": EVENTS_SHA}]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_page_is_safe_linked_and_in_the_report(run_dir, language, monkeypatch):
    spec = load_spec(DEMO)
    spec = spec.model_copy(update={"project": spec.project.model_copy(update={"language": language})})
    index = run_dir / "html" / "index.html"
    kwargs = {"title": "Report", "client": "Acme", "run_id": "r1", "run_date": "2026-04-01", "period": "Q1",
              "pages": [{"href": "01-goals.html", "title": "Goals"}], "kpis": [], "language": language}
    render_index(index, **kwargs)
    assert "definitions.html" not in index.read_text(encoding="utf-8")
    printed = []
    monkeypatch.setattr(report, "write_deck", lambda *a, **k: None)
    monkeypatch.setattr(report, "write_report_pdf", lambda html_dir, pages: printed.extend(pages) or None)
    (run_dir / "html" / "01-goals.html").write_text("<html></html>", encoding="utf-8")
    report.publish_report(spec, run_dir, steps=["01-goals", "02-personas"], run_date="2026-04-01")
    assert printed == ["index.html", "01-goals.html", "definitions.html"]
    page = (run_dir / "html" / "definitions.html").read_text(encoding="utf-8")
    assert f'content="{CSP}"' in page and "<script" not in page.lower() and f'lang="{language}"' in page
    title = {"en": "Definitions of the metrics", "fr": "Définitions des indicateurs"}[language]
    assert f"<h1>{title}</h1>" in page
    assert {"en": "January 1, 2026 to March 31, 2026", "fr": "du 1er janvier 2026 au 31 mars 2026"}[language] in page
    assert {"en": "How it is computed", "fr": "Mode de calcul"}[language] in page
    assert "a" * 64 in page  # journey.yml's fingerprint
    headers = re.findall(r"<th>(.*?)</th>", page)
    assert headers and not any(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", h) for h in headers)
    render_index(index, **kwargs)
    assert 'href="definitions.html"' in index.read_text(encoding="utf-8")


def test_write_definitions_escapes_the_spec_names(run_dir):
    spec = load_spec(DEMO)
    spec = spec.model_copy(update={"project": spec.project.model_copy(update={"client": "<img src=x onerror=1>"})})
    page = write_definitions(spec, run_dir).read_text(encoding="utf-8")
    assert "<img src=x" not in page and "&lt;img src=x onerror=1&gt;" in page


def test_the_last_step_leads_to_the_definitions():
    assert step_nav("07-journey-map", "fr")["next"] == {"href": "definitions.html",
                                                        "title": "Définitions des indicateurs"}
    assert step_nav("06-improvements", "en")["next"]["href"] == "07-journey-map.html"


def test_p_values_name_the_correction_used(tmp_path):
    save_result(tmp_path, "meta", {"period_start": "2026-01-01", "period_end": "2026-03-31"})
    save_result(tmp_path, "funnel_breakdowns", pd.DataFrame({"rate": [0.2], "p_adjusted": [0.04],
                                                             "correction": ["bh"]}))
    save_result(tmp_path, "trend_outliers", pd.DataFrame({"rate": [0.2], "p_adjusted": [0.5]}))
    rows = _rows(definition_sections(tmp_path, language="fr", correction="holm"))
    assert rows["Écart avec les autres segments"]["unit"] == \
        "valeur p, corrigée du nombre de comparaisons (Benjamini–Hochberg)"
    assert rows["Semaine inhabituelle"]["unit"] == "valeur p, corrigée du nombre de comparaisons (Holm)"


def test_the_maps_scores_and_the_operations_are_defined_by_the_rows_saved(tmp_path):
    save_result(tmp_path, "meta", {"period_start": "2026-01-01", "period_end": "2026-03-31"})
    save_result(tmp_path, "map_scores", pd.DataFrame({
        "stage": ["purchase", "purchase"], "kind": ["nps", "csat"], "score": [-16.0, 0.39],
        "ci_low": [-33.0, 0.30], "suppressed": [False, False]}))  # no CES answer: no CES definition
    save_result(tmp_path, "operations", pd.DataFrame({
        "measure": ["wait", "rework", "contact_rate", "churn_contact"], "touchpoint": [None] * 4,
        "median_days": [2.3, np.nan, np.nan, np.nan], "share": [np.nan, 0.01, np.nan, np.nan],
        "rate": [np.nan, np.nan, 0.18, np.nan], "ci_low": [np.nan, 0.0, 0.13, np.nan],
        "suppressed": [False, False, False, True]}))  # churn hidden under min_group_size: not defined
    rows = {s["step"]: s["rows"] for s in definition_sections(tmp_path, language="en", min_group_size=5)}
    metrics = [r["metric"] for r in rows["07-journey-map"]]
    assert metrics == ["NPS on the map, per stage and touchpoint", "CSAT on the map (% satisfied), per stage and touchpoint",
                       "Wait in a status (service blueprint)", "Rework loops (service blueprint)",
                       "Cases per order (service blueprint)"]
    by_name = {r["metric"]: r for r in rows["07-journey-map"]}
    assert by_name["Wait in a status (service blueprint)"]["unit"] == "median and 90th percentile, in days"
    assert by_name["Cases per order (service blueprint)"]["source"] == "Operations (tickets, order statuses), Orders"
    assert "hidden under 5 answers" in by_name["NPS on the map, per stage and touchpoint"]["formula"]
    french = definition_sections(tmp_path, language="fr", min_group_size=5)
    assert [r["metric"] for s in french for r in s["rows"]][2] == "Attente dans un statut (plan de service)"
