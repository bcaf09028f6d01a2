"""The service blueprint of the services template shows the operations' measured waits and loops in its backstage
lane, in English and in French, and the spec's text alone when the run has no operations result."""

from __future__ import annotations

import pytest

import cjmlib as cjm
from cjmlib.demo.templates import new_project
from cjmlib.journeymap import build_map, render_html
from cjmlib.journeymap.blueprint import day_span


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    folder = new_project(tmp_path_factory.mktemp("loans") / "loans", template="services", users=600)
    project = cjm.load_project(folder)
    run = folder / "reports" / "lab"
    cjm.save_result(run, "operations", cjm.service_measures(project))
    return project, run


def _texts(model, lane):
    return [c.text for cells in model.lane(lane).cells.values() for c in cells]


def test_the_backstage_lane_shows_measured_waits_in_english_and_french(services, tmp_path):
    project, run = services
    waits = cjm.operation_waits(project)
    review = waits[waits.touchpoint == "credit-decision"].iloc[0]
    english = build_map(project.spec, run)
    texts = _texts(english, "backstage")
    expected = (f"Credit decision: median wait {review.median_days:.1f} days (p90 {review.p90_days:.1f}), "
                f"n = {int(review.cases)} cases")
    assert any(t.startswith(expected) for t in texts), texts
    assert any(t.startswith("Credit decision: Scoring and underwriting") for t in texts)  # the spec's text stays
    cell = next(c for cells in english.lane("backstage").cells.values() for c in cells if c.text.startswith(expected))
    assert cell.provenance["n"] == review.cases and cell.provenance["source"] == "operations"
    french_spec = project.spec.model_copy(update={"project": project.spec.project.model_copy(update={"language": "fr"})})
    french = build_map(french_spec, run)
    median = f"{review.median_days:.1f}".replace(".", ",")
    assert any(f"attente médiane {median} jours" in t and "dossiers" in t for t in _texts(french, "backstage"))
    html = render_html(french, tmp_path / "map-fr.html").read_text(encoding="utf-8")
    assert f"attente médiane {median} jours" in html


def test_without_the_result_the_lanes_show_the_spec_only(services):
    project, _ = services
    model = build_map(project.spec, None)
    assert not any("median wait" in t for t in _texts(model, "backstage"))
    assert any(t.startswith("Credit decision: Scoring and underwriting") for t in _texts(model, "backstage"))


def test_a_period_reads_as_a_client_reads_it():
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    assert day_span("2026-09-01", "2026-11-30", months) == "1 Sep–30 Nov 2026"
    assert day_span("2025-12-30", "2026-01-02", months) == "30 Dec 2025–2 Jan 2026"


def test_a_current_state_project_draws_its_measured_blueprint_beside_its_map(tmp_path):
    folder = new_project(tmp_path / "shop", template="ecommerce", users=400)
    project = cjm.load_project(folder)
    assert project.spec.project.map_type == "current_state"
    run = folder / "reports" / "lab"
    measures = cjm.service_measures(project)
    cjm.save_result(run, "operations", measures)
    blueprint = build_map(project.spec, run, map_type="service_blueprint")
    assert blueprint.map_type == "service_blueprint" and project.spec.project.map_type == "current_state"
    waits = measures[(measures.measure == "wait") & ~measures.suppressed.astype(bool) & measures.touchpoint.notna()]
    shown = [t for t in _texts(blueprint, "backstage") if "median wait" in t]
    assert len(shown) == len(waits) > 0, (shown, waits)
    with pytest.raises(ValueError, match="service_blueprint"):
        build_map(project.spec, run, map_type="blueprint")


def test_page_07_reads_the_operations_as_sentences_in_english_and_french(services):
    project, _ = services
    measures = cjm.service_measures(project)
    table = cjm.journeymap.operations_table(project.spec, measures)
    assert list(table.columns) == ["touchpoint", "measure", "figure"] and len(table) == len(measures)
    review = measures[(measures.measure == "wait") & (measures.touchpoint == "credit-decision")].iloc[0]
    row = table[(table.touchpoint == "Credit decision") & (table.measure == "Wait")].iloc[0]
    assert row.figure.startswith(f"Median wait {review.median_days:.1f} days (p90 {review.p90_days:.1f}), "
                                 f"n = {int(review.cases)} cases")
    assert table.touchpoint.iloc[0] == "All touchpoints"
    assert not table.touchpoint.isin(measures.touchpoint.dropna()).any()  # names, never ids
    hidden = measures.assign(suppressed=True)
    assert (cjm.journeymap.operations_table(project.spec, hidden).figure.str.contains(r"hidden \(n < 5\)")).all()
    french = project.spec.model_copy(update={"project": project.spec.project.model_copy(update={"language": "fr"})})
    median = f"{review.median_days:.1f}".replace(".", ",")
    figures = cjm.journeymap.operations_table(french, measures).figure
    assert figures.str.startswith(f"Attente médiane {median} jours").any()
