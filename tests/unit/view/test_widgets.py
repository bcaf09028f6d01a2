"""The spec editors, driven in plain Python: set widget values, click the buttons, read the file."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import ipywidgets as w
import nbformat
import papermill
import pytest

from cjmlib.errors import RunError
from cjmlib.spec.io import load_spec
from cjmlib.view.widgets import SpecEditor

SPEC = """\
# Journey spec of a tiny shop (hand comment at the top)
project:
  name: Tiny shop
  min_group_size: 1   # keep every group in the tests

goals:
  - id: sell-more
    statement: Sell more.
    kpis:
      - {id: conversion, metric: session_conversion, target: 0.04}

# the two personas of the workshop
personas:
  - id: parent
    name: Claire, the busy parent
    needs: [Order fast, Know the full price]
    rule: {device: mobile}   # mobile users
  - id: planner
    name: Marc, the planner

stages:
  - {id: discover, name: Discover}
  - {id: buy, name: Buy}
  - {id: return}

touchpoints:
  - {id: landing, stage: discover, match: {event: landing_view}}
  - {id: cart, stage: buy, match: {event: [add_to_cart, view_cart]}}

lanes:   # emotion on -2 .. +2
  - {stage: buy, persona: parent, actions: [Adds to cart], emotion: -1}

pain_points:
  - {id: fees, name: Surprise fees, stage: buy, touchpoints: [cart], themes: [shipping]}

opportunities:
  - {id: show-fees, name: Show fees early, stage: buy, pain_points: [fees], kpis: [conversion], impact: 2, reach: 100}

codebook:
  themes:
    - id: shipping
      stage: buy
      keywords: {en: [shipping cost], fr: [frais de port]}
"""
COMMENTS = [line.split("#", 1)[1] for line in SPEC.splitlines() if "#" in line]


@pytest.fixture
def project(tmp_path):
    (tmp_path / "journey.yml").write_text(SPEC, encoding="utf-8")
    return tmp_path


@pytest.fixture
def editor(project):
    return SpecEditor(project)


def backups(project):
    return sorted(project.glob("journey.yml.*.bak"))


def test_persona_edit_is_saved_with_comments_kept_and_a_backup(project, editor):
    form = editor.persona_form("parent")
    form["name"].value = "Claire, nurse"
    form["needs"].value = "Order fast\n\n  Pay by phone  \n"
    editor.save_button.click()

    spec = load_spec(project)
    assert spec.personas[0].name == "Claire, nurse"
    assert spec.personas[0].needs == ("Order fast", "Pay by phone")
    assert spec.personas[1].name == "Marc, the planner"
    text = (project / "journey.yml").read_text(encoding="utf-8")
    assert all(comment in text for comment in COMMENTS)
    assert [b.read_text(encoding="utf-8") for b in backups(project)] == [SPEC]
    assert editor.issues == ()
    assert "Saved journey.yml" in editor.status.value and backups(project)[0].name in editor.status.value
    assert not list(project.glob(".journey.yml.*"))  # no temporary file left behind


@pytest.mark.parametrize(("edit", "code", "key"), [
    (lambda e: setattr(e.opportunity_form("show-fees")["impact"], "value", "5"), "bad_value", "opportunities[0].impact"),
    (lambda e: setattr(e.opportunity_form("show-fees")["reach"], "value", "many"), "bad_value", "opportunities[0].reach"),
    (lambda e: setattr(e.persona_form("planner")["name"], "value", "  "), "empty_value", "personas[1].name"),
    (lambda e: setattr(e.persona_form("planner")["id"], "value", "parent"), "duplicate_id", "personas[1].id"),
    (lambda e: setattr(e.stage_form("buy")["id"], "value", "purchase"), "unknown_reference", "touchpoints[1].stage"),
    (lambda e: setattr(e.persona_form("parent")["rule"], "value", "mobile"), "bad_value", "personas[0].rule"),
], ids=["impact-over-3", "reach-not-a-number", "empty-name", "duplicate-id", "renamed-stage", "bad-rule"])
def test_invalid_input_is_refused_with_a_message_and_nothing_written(project, editor, edit, code, key):
    edit(editor)
    editor.save_button.click()

    assert (project / "journey.yml").read_text(encoding="utf-8") == SPEC
    assert backups(project) == []
    assert (code, key) in [(i.code, i.key) for i in editor.issues]
    assert "Not saved" in editor.status.value and f"`{key}`" in editor.status.value
    assert "journey.yml is unchanged" in editor.status.value


def test_every_problem_is_listed_at_once(project, editor):
    editor.opportunity_form("show-fees")["reach"].value = "many"
    editor.opportunity_form("show-fees")["confidence"].value = "1.5"
    editor.persona_form("planner")["name"].value = ""
    assert editor.save() is False
    assert sorted(i.key for i in editor.issues) == [
        "opportunities[0].confidence", "opportunities[0].reach", "personas[1].name"]
    assert editor.status.value.count("<li>") == 3


def test_user_text_in_the_status_line_is_escaped(editor):
    editor.persona_form("parent")["rule"].value = "<img src=x onerror=alert(1)>"
    editor.save_button.click()
    assert "<img" not in editor.status.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in editor.status.value


def test_undo_restores_each_previous_save_in_turn(project, editor):
    editor.persona_form("parent")["name"].value = "First"
    editor.save_button.click()
    after_first = (project / "journey.yml").read_text(encoding="utf-8")
    editor.persona_form("parent")["name"].value = "Second"
    editor.save_button.click()
    assert load_spec(project).personas[0].name == "Second"
    assert len(backups(project)) == 2

    editor.undo_button.click()
    assert (project / "journey.yml").read_text(encoding="utf-8") == after_first
    assert editor.persona_form("parent")["name"].value == "First"  # the forms follow the file
    editor.undo_button.click()
    assert (project / "journey.yml").read_text(encoding="utf-8") == SPEC
    assert "Undone" in editor.status.value

    assert editor.undo() is False
    assert "Nothing to undo" in editor.status.value
    assert (project / "journey.yml").read_text(encoding="utf-8") == SPEC


def test_lane_cells_are_edited_and_new_cells_added_only_when_filled(project, editor):
    cell = editor.lane_form("buy", "parent")
    assert isinstance(cell["emotion"], w.IntSlider) and (cell["emotion"].min, cell["emotion"].max) == (-2, 2)
    cell["emotion"].value = -2
    cell["thoughts"].value = "Why these fees?"
    new = editor.lane_form("discover", "planner")
    new["actions"].value = "Searches\nCompares"
    new["emotion"].value = 1
    editor.lane_form("return", "planner")  # opened, left empty
    editor.save_button.click()

    lanes = {(ln.stage, ln.persona): ln for ln in load_spec(project).lanes}
    assert set(lanes) == {("buy", "parent"), ("discover", "planner")}
    assert lanes["buy", "parent"].emotion == -2
    assert lanes["buy", "parent"].actions == ("Adds to cart",)
    assert lanes["buy", "parent"].thoughts == ("Why these fees?",)
    assert lanes["discover", "planner"].actions == ("Searches", "Compares")
    assert lanes["discover", "planner"].emotion == 1


def test_references_numbers_rules_and_keywords_round_trip(project, editor):
    touchpoint = editor.touchpoint_form("cart")
    assert isinstance(touchpoint["stage"], w.Dropdown)
    assert list(touchpoint["stage"].options) == ["discover", "buy", "return"]
    touchpoint["stage"].value = "return"
    touchpoint["match.event"].value = "add_to_cart"
    pain = editor.pain_point_form("fees")
    assert isinstance(pain["touchpoints"], w.SelectMultiple) and pain["touchpoints"].value == ("cart",)
    pain["touchpoints"].value = ("landing", "cart")
    editor.kpi_form("conversion")["target"].value = "0,05"   # a decimal comma is read too
    editor.opportunity_form("show-fees")["reach"].value = ""
    editor.persona_form("planner")["rule"].value = "device: desktop, tablet\nchannel: email"
    editor.theme_form("shipping")["keywords.fr"].value = "frais de port\nlivraison chère"
    editor.goal_form("sell-more")["questions"].value = "Where do visitors give up?"
    editor.save_button.click()

    spec = load_spec(project)
    assert spec.touchpoints[1].stage == "return"
    assert spec.touchpoints[1].match.event == ("add_to_cart",)
    assert spec.pain_points[0].touchpoints == ("landing", "cart")
    assert spec.kpis[0].target == 0.05
    assert spec.opportunities[0].reach is None and spec.opportunities[0].impact == 2
    assert spec.personas[1].rule == {"device": ("desktop", "tablet"), "channel": "email"}
    assert spec.codebook.themes[0].keywords == {"en": ("shipping cost",), "fr": ("frais de port", "livraison chère")}
    assert spec.goals[0].questions == ("Where do visitors give up?",)


def test_saving_without_changes_writes_nothing(project, editor):
    editor.persona_form("parent")  # opened, not changed
    assert editor.save() is False
    assert backups(project) == [] and (project / "journey.yml").read_text(encoding="utf-8") == SPEC
    assert "Nothing to save" in editor.status.value


def test_a_file_changed_by_another_program_is_not_overwritten(project, editor):
    edited_by_hand = SPEC.replace("Marc, the planner", "Marc, edited in a text editor")
    (project / "journey.yml").write_text(edited_by_hand, encoding="utf-8")
    editor.persona_form("parent")["name"].value = "Claire, nurse"
    editor.save_button.click()
    assert [i.code for i in editor.issues] == ["changed_on_disk"]
    assert (project / "journey.yml").read_text(encoding="utf-8") == edited_by_hand

    editor.reload_button.click()
    assert editor.persona_form("planner")["name"].value == "Marc, edited in a text editor"
    assert editor.persona_form("parent")["name"].value == "Claire, the busy parent"


def test_run_step_calls_the_runner_with_the_chosen_step(project):
    calls = []

    def rerun(project_dir, *, only):
        calls.append((project_dir, only))
        return SimpleNamespace(run_id="20261124-101500", status="ok")

    editor = SpecEditor(project, rerun=rerun)
    assert editor.step.value == "04"
    editor.step.value = "05"
    editor.run_button.click()
    assert calls == [(project.resolve(), "05")]
    assert "20261124-101500" in editor.status.value


def test_a_failed_step_is_reported_in_the_status_line(project):
    def rerun(project_dir, *, only):
        raise RunError("step 04-behaviour failed: <KeyError> 'device'", step="04-behaviour")

    editor = SpecEditor(project, rerun=rerun)
    assert editor.run_step() is None
    assert "failed" in editor.status.value and "&lt;KeyError&gt;" in editor.status.value


def test_the_editor_shows_one_tab_per_section(editor):
    assert editor.tabs.titles == ("Goals", "KPIs", "Personas", "Stages", "Touchpoints", "Lanes", "Pain points",
                                  "Opportunities", "Codebook")
    personas = editor.tabs.children[2]
    selector, pane = personas.children
    assert selector.options == (("parent", "parent"), ("planner", "planner"))
    assert pane.children[0].children[1].value == "Claire, the busy parent"
    selector.value = "planner"
    assert pane.children[0].children[1].value == "Marc, the planner"  # the pane shows the chosen persona
    assert "application/vnd.jupyter.widget-view+json" in editor._repr_mimebundle_()


def test_an_unknown_entry_names_the_known_ones(editor):
    with pytest.raises(KeyError, match="parent, planner"):
        editor.persona_form("parnet")


WORKBENCH = Path(__file__).resolve().parents[3] / "templates" / "lab" / "workbench.ipynb"


def test_workbench_notebook_is_thin_and_shows_the_editor(project, tmp_path):
    nb = nbformat.read(WORKBENCH, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert not any(re.search(r"^\s*(def|class|for|while)\s", c.source, re.MULTILINE) for c in code)
    assert [c for c in code if "parameters" in c.metadata.get("tags", [])] == code[:1]
    assert papermill.inspect_notebook(str(WORKBENCH))["project_dir"]["help"]

    out = tmp_path / "workbench.ipynb"
    papermill.execute_notebook(str(WORKBENCH), str(out), parameters={"project_dir": str(project)},
                               kernel_name="python3", cwd=str(project), progress_bar=False)
    shown = nbformat.read(out, as_version=4).cells[-2].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in shown)
    assert (project / "journey.yml").read_text(encoding="utf-8") == SPEC  # opening the editor writes nothing
