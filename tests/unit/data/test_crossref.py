"""`cjm validate` means it will run: every name the spec takes from the data is checked, and the
sections a run will skip are listed, each in one sentence."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import SMALL_SPEC, write_csv

import cjmlib as cjm
from cjmlib.data.project import validation_report


def write(path, extra: str, spec: str = SMALL_SPEC, columns: str = ""):
    text = spec + extra
    if columns:
        text = text.replace("  events: {path: data/events.csv}", f"  events: {{path: data/events.csv, columns: {columns}}}")
    (path / "journey.yml").write_text(text, encoding="utf-8")


def codes(path):
    return [(i.code, i.key) for i in cjm.validate_project(path) if i.code not in ("no_secret", "unused_columns")]


def test_funnel_events_are_checked_against_the_data(small_project):
    write(small_project, "funnels:\n  - {id: shop, by: event, steps: [landing_view, add_to_chart], "
                         "exclude: [refund]}\n")
    issues = [i for i in cjm.validate_project(small_project) if i.code.startswith("unknown")]
    step, excluded = issues
    assert step.code == "unknown_step" and step.severity == "error" and step.key == "funnels[0].steps[1]"
    assert step.line == len(SMALL_SPEC.splitlines()) + 2 and step.column == "event" and "Did you mean 'add_to_cart'" in step.fix
    assert "'shop'" in step.problem and "data/events.csv" in step.problem
    assert excluded.code == "unknown_exclusion" and excluded.severity == "warning"


def test_messages_name_the_files_own_columns(small_project):
    write_csv(small_project / "data" / "events.csv", "who,visit,when,action,platform,origin", [
        "u1,s1,2026-01-05T10:00:00Z,landing_view,mobile,ads", "u1,s1,2026-01-05T10:01:00Z,add_to_cart,mobile,ads",
        "u2,s2,2026-01-05T10:00:00Z,landing_view,desktop,seo"])
    write(small_project, "funnels:\n  - {id: shop, by: event, steps: [landing_view, add_to_chart]}\n"
                         "breakdowns: [platfrom, origin, platform]\n",
          spec=SMALL_SPEC.replace("rule: {device: mobile}", "rule: {platform: mobil}"),
          columns="{user_id: who, session_id: visit, ts: when, event: action, device: platform}")
    issues = {i.key: i for i in cjm.validate_project(small_project)}
    assert issues["funnels[0].steps[1]"].column == "action" and "`action`" in issues["funnels[0].steps[1]"].problem
    bad = issues["breakdowns[0]"]
    assert bad.code == "unknown_column" and bad.severity == "error" and "Did you mean 'platform'" in bad.fix
    assert "who" in bad.fix and "origin" in bad.fix and "device" not in bad.fix  # the file's names
    value = issues["personas[0].rule.platform"]
    assert value.code == "unknown_value" and value.column == "platform" and "Did you mean 'mobile'" in value.fix
    assert "breakdowns[1]" not in issues and "breakdowns[2]" not in issues  # unmapped and mapped: both fine


def test_persona_rule_columns(small_project):
    write(small_project, "", spec=SMALL_SPEC.replace("rule: {device: mobile}", "rule: {devise: mobile}"))
    (issue,) = [i for i in cjm.validate_project(small_project) if i.code == "unknown_column"]
    assert issue.key == "personas[0].rule" and issue.line == 3 and "Did you mean 'device'" in issue.fix
    with pytest.raises(cjm.DataError):  # a run stops before any step, with the same message
        cjm.load_project(small_project)


def test_an_empty_breakdown_column_is_a_warning_and_a_skipped_section(small_project):
    write_csv(small_project / "data" / "events.csv", "user_id,session_id,ts,event", [
        "u1,s1,2026-01-05T10:00:00Z,landing_view", "u1,s1,2026-01-05T10:01:00Z,add_to_cart"])
    write(small_project, "breakdowns: [device]\n", spec=SMALL_SPEC.replace("rule: {device: mobile}", "rule: {event: x}"))
    issues, skipped = validation_report(small_project)
    (empty,) = [i for i in issues if i.code == "empty_column"]
    assert empty.severity == "warning" and empty.key == "breakdowns[0]"
    keys = dict(skipped)
    for key in ("feedback", "surveys", "orders", "device", "channel", "page", "revenue", "persona:mobile-user",
                "breakdown:device", "sizing"):
        assert key in keys, key
    assert "sources.feedback" in keys["feedback"] and "device: <column>" in keys["device"]


def test_a_funnel_nobody_enters_is_a_skipped_section(small_project):
    write(small_project, "funnels:\n  - {id: shop, by: touchpoint, steps: [checkout, order]}\n"
                         "  - {id: ok, by: touchpoint, steps: [landing, cart]}\n")
    issues, skipped = validation_report(small_project)
    assert not [i for i in issues if i.severity == "error"]
    assert "funnel:shop" in dict(skipped) and "funnel:ok" not in dict(skipped)
    assert [i.code for i in issues if i.key == "funnels[0].steps[0]"] == ["empty_step"]


def test_duplicate_lanes(small_project):
    write(small_project, "", spec=SMALL_SPEC.replace(
        "  - {stage: purchase, persona: mobile-user, emotion: -1}\n",
        "  - {stage: purchase, persona: mobile-user, emotion: -1}\n  - {stage: purchase, persona: mobile-user}\n"))
    assert ("duplicate_lane", "lanes[1]") in codes(small_project)


def test_a_good_project_has_no_crossref_issue(small_project):
    write(small_project, "funnels:\n  - {id: shop, by: event, steps: [landing_view, add_to_cart], unit: session}\n"
                         "breakdowns: [device, channel]\n")
    assert codes(small_project) == []
    skipped = cjm.skipped_sections(cjm.load_project(small_project))
    assert all(isinstance(k, str) and s.endswith(".") for k, s in skipped)
    assert not [k for k, _ in skipped if k.startswith(("funnel:", "breakdown:", "persona:"))]


def test_cli_lists_the_skipped_sections_after_valid(small_project):
    proc = subprocess.run([sys.executable, "-m", "cjmlib.cli", "validate", str(small_project)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "valid" in out and "will be skipped" in out and out.index("valid") < out.index("will be skipped")
    assert "[feedback]" in out and "[sizing]" in out
