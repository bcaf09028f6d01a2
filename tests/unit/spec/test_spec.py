"""The journey spec: loading, errors with lines and suggestions, saving with comments kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from cjmlib.errors import SpecError
from cjmlib.spec.io import load_spec, parse_spec, save_spec
from cjmlib.spec.model import DEFAULT_STAGES, Journey


def test_demo_spec_loads(spec_text):
    journey, _ = parse_spec(spec_text)
    assert journey.stage_ids == list(DEFAULT_STAGES)
    assert {p.id for p in journey.personas} == {"busy-parent", "deal-planner"}
    assert journey.project.map_type == "current_state"
    assert journey.touchpoints[0].match.event == ("landing_view",)
    assert journey.personas[1].rule == {"device": ("desktop", "tablet")}


def test_spec_is_frozen(spec_text):
    journey, _ = parse_spec(spec_text)
    with pytest.raises(ValidationError):
        journey.project = None
    renamed = journey.model_copy(update={"project": journey.project.model_copy(update={"name": "Other"})})
    assert renamed.project.name == "Other" and journey.project.name != "Other"


def test_minimal_spec_gets_default_stages():
    journey, _ = parse_spec("project:\n  name: Tiny\n")
    assert journey.stage_ids == list(DEFAULT_STAGES)
    assert journey.project.language == "en"


def test_three_mistakes_reported_at_once_with_lines(spec_text):
    text = spec_text.replace("map_type: current_state", "map_type: current_stat", 1)
    text = text.replace("    name: Site search\n    stage: consideration", "    name: Site search\n    stage: considration", 1)
    text = text.replace("  - id: busy-parent\n    name:", "  - id: busy-parent\n    nmae:", 1)
    with pytest.raises(SpecError) as info:
        parse_spec(text)
    issues = info.value.issues
    by_code = {i.code: i for i in issues}
    assert {"not_allowed", "unknown_reference", "unknown_key"} <= set(by_code)
    lines = text.splitlines()
    for issue in issues:
        assert issue.line is not None
    assert "current_stat" in lines[by_code["not_allowed"].line - 1]
    assert "considration" in lines[by_code["unknown_reference"].line - 1]
    assert "Did you mean 'consideration'" in by_code["unknown_reference"].fix
    assert "nmae" in lines[by_code["unknown_key"].line - 1]
    assert "Did you mean 'name'" in by_code["unknown_key"].fix
    assert "Did you mean 'current_state'" in by_code["not_allowed"].fix


def test_dangling_references_are_listed(spec_text):
    text = spec_text.replace("pain_points: [shipping-cost-surprise]", "pain_points: [shiping-cost-surprise]", 1)
    text = text.replace("kpis: [cart-abandonment, conversion]", "kpis: [cart-abandonment, convertion]", 1)
    with pytest.raises(SpecError) as info:
        parse_spec(text)
    values = {i.value for i in info.value.issues if i.code == "unknown_reference"}
    assert values == {"shiping-cost-surprise", "convertion"}


def test_emotion_outside_scale_is_an_error():
    text = "project: {name: X}\npersonas: [{id: a, name: A}]\nlanes:\n  - {stage: purchase, persona: a, emotion: 3}\n"
    with pytest.raises(SpecError) as info:
        parse_spec(text)
    (issue,) = info.value.issues
    assert issue.code == "bad_value" and issue.line == 4 and "emotion" in issue.key


@pytest.mark.parametrize("text, code", [
    ("project:\n  name: A\n  name: B\n", "duplicate_key"),
    ("project:\n\tname: A\n", "invalid_yaml"),
    ("", "empty_spec"),
    ("- a\n- b\n", "not_a_mapping"),
    ("goals: []\n", "missing_key"),
    ("project: {name: A}\nstages: [{id: a}, {id: a}]\n", "duplicate_id"),
])
def test_broken_specs_give_one_clear_error(text, code):
    with pytest.raises(SpecError) as info:
        parse_spec(text)
    assert code in info.value.codes


def test_save_keeps_comments_and_validates(tmp_path, spec_text):
    path = tmp_path / "journey.yml"
    path.write_text(spec_text, encoding="utf-8")
    journey, tree = load_spec(path, with_tree=True)
    persona = journey.personas[0].model_copy(update={"name": "Claire, the night-shift parent"})
    edited = journey.model_copy(update={"personas": (persona,) + journey.personas[1:]})
    save_spec(edited, path, tree=tree)
    text = path.read_text(encoding="utf-8")
    assert "Claire, the night-shift parent" in text
    assert "# Step 2 — personas" in text  # a consultant's comment survives
    assert "# current_state | future_state" in text
    assert load_spec(path) == edited
    backups = list(tmp_path.glob("journey.yml.*.bak"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == spec_text


def test_save_refuses_an_invalid_spec_and_leaves_the_file(tmp_path, spec_text):
    path = tmp_path / "journey.yml"
    path.write_text(spec_text, encoding="utf-8")
    journey = load_spec(path)
    bad_tp = journey.touchpoints[0].model_copy(update={"stage": "nowhere"})
    bad = journey.model_copy(update={"touchpoints": (bad_tp,) + journey.touchpoints[1:]})
    with pytest.raises(SpecError):
        save_spec(bad, path)
    assert path.read_text(encoding="utf-8") == spec_text
    assert not list(tmp_path.glob("*.bak"))


def test_missing_spec_file(tmp_path):
    with pytest.raises(SpecError) as info:
        load_spec(tmp_path)
    assert info.value.codes == ["missing_file"]


def test_journey_has_no_mutable_defaults():
    a = Journey.model_validate({"project": {"name": "a"}})
    b = Journey.model_validate({"project": {"name": "b"}})
    assert a.sources.model_dump() == b.sources.model_dump()


def test_saving_an_unchanged_spec_changes_nothing(tmp_path, spec_text):
    path = tmp_path / "journey.yml"
    path.write_text(spec_text, encoding="utf-8")
    journey, tree = load_spec(path, with_tree=True)
    save_spec(journey, path, tree=tree, backup=False)
    assert path.read_text(encoding="utf-8") == spec_text


@pytest.mark.parametrize("template", ["minimal", "ecommerce", "saas", "services"])
def test_saving_an_unchanged_template_changes_nothing(tmp_path, template):
    text = (Path(__file__).resolve().parents[3] / "templates" / template / "journey.yml").read_text(encoding="utf-8")
    path = tmp_path / "journey.yml"
    path.write_text(text, encoding="utf-8")
    journey, tree = load_spec(path, with_tree=True)
    save_spec(journey, path, tree=tree, backup=False)
    assert path.read_text(encoding="utf-8") == text


def test_a_theme_touchpoint_must_be_a_touchpoint(spec_text):
    text = spec_text.replace("      touchpoint: order-tracking\n", "      touchpoint: order-trackng\n", 1)
    with pytest.raises(SpecError) as info:
        parse_spec(text)
    [issue] = info.value.issues
    assert issue.code == "unknown_reference" and issue.key == "codebook.themes[2].touchpoint"
    assert "order-trackng" in text.splitlines()[issue.line - 1] and "Did you mean 'order-tracking'" in issue.fix
