"""The playbook's chapters beside the steps: present, linked, and naming only what the workbench has.

The data-protection chapters describe the workbench's privacy settings and behaviour by name
(`keep_runs`, `allow_outside`, `[email]`…), the vendor-definitions chapters its funnel options and
functions (`tie_seconds`, `vendor_differences`…). Each such name is looked up in cjmlib's source, so that
a renamed setting or placeholder makes this test fail instead of leaving a chapter wrong.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = ROOT / "playbook"
PAGES = {"en": PLAYBOOK / "en" / "data-protection.md", "fr": PLAYBOOK / "fr" / "protection-des-donnees.md"}
# the chapters where client data is first loaded or kept, which must point to the data-protection chapter
LINKED_FROM = {"en": ["03-touchpoints.md", "scheduled-runs.md", "facilitator-guide.md"],
               "fr": ["03-touchpoints.md", "executions-planifiees.md", "guide-animateur.md"]}
# every chapter checked here: its pages per language, and the chapters that must link it
CHAPTERS = {
    "data-protection": (PAGES, LINKED_FROM),
    "vendor-definitions": ({"en": PLAYBOOK / "en" / "vendor-definitions.md",
                            "fr": PLAYBOOK / "fr" / "definitions-des-editeurs.md"},
                           {"en": ["04-behaviour.md"], "fr": ["04-behaviour.md"]}),
}
EACH_PAGE = [(chapter, language) for chapter in sorted(CHAPTERS) for language in ("en", "fr")]

_CODE = re.compile(r"`([^`\n]+)`")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+")  # snake_case or UPPER_CASE: a setting, column or code
_PLACEHOLDER = re.compile(r"\[[a-z ]+\]")  # what masking writes: [email], [national id]
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
_YAML = re.compile(r"^```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL)


def cjmlib_source() -> str:
    """Every Python file of cjmlib, joined."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "cjmlib").rglob("*.py")))


def named_in(markdown: str) -> tuple[set[str], set[str], set[str]]:
    """The names a page writes in backticks: (settings and codes, masking placeholders, cjm subcommands).

    A span ``key: value`` names ``key``; a dotted span (``project.min_group_size``) names each part
    with an underscore; a span starting ``cjm `` names the subcommand after it; the keys of a
    ``yaml`` block count as spans.
    """
    names, placeholders, commands = set(), set(), set()
    yaml_keys = [key for block in _YAML.findall(markdown) for key in re.findall(r"(?m)^\s*(\w+):", block)]
    for span in [*_CODE.findall(_YAML.sub("", markdown)), *yaml_keys]:
        span = span.strip()
        if _PLACEHOLDER.fullmatch(span):
            placeholders.add(span)
        elif span.startswith("cjm "):
            commands.add(span.split()[1])
        else:
            key = span.split(":", 1)[0] if re.match(r"[\w.]+: ", span) else span
            if re.fullmatch(r"[\w.]+", key):
                names.update(part for part in key.split(".") if _NAME.fullmatch(part))
    return names, placeholders, commands


def missing_from(source: str, markdown: str) -> list[str]:
    """The names of ``markdown`` that ``source`` lacks (a name as a whole word, a placeholder or a
    subcommand as a string literal)."""
    names, placeholders, commands = named_in(markdown)
    lost = [n for n in sorted(names) if not re.search(rf"\b{re.escape(n)}\b", source)]
    lost += [p for p in sorted(placeholders) if f'"{p}"' not in source]
    lost += [f"cjm {c}" for c in sorted(commands) if f'"{c}"' not in source]
    return lost


def test_the_name_reader_on_a_hand_written_page():
    page = ("Set `keep_runs: 5` and `project.min_group_size`; `CJM_SECRET` or `.cjm-secret`; "
            "`[national id]`; run `cjm run acme-shop`; `data/` and `journey.yml` are paths.\n"
            "```yaml\nsources:\n  events:\n    allow_outside: true\n```\n")
    assert named_in(page) == ({"keep_runs", "min_group_size", "CJM_SECRET", "allow_outside"}, {"[national id]"},
                              {"run"})
    source = 'keep_runs = 20\nmin_group_size = 5\nSECRET_ENV = "CJM_SECRET"\nsub.add_parser("run")\n'
    assert missing_from(source, page) == ["allow_outside", "[national id]"]
    assert missing_from(source, "`keep_runs_days` and `cjm purge`") == ["keep_runs_days", "cjm purge"]


@pytest.mark.parametrize(("chapter", "language"), EACH_PAGE)
def test_the_page_exists_and_the_playbook_contents_link_it(chapter, language):
    page = CHAPTERS[chapter][0][language]
    assert page.is_file()
    links = _LINK.findall((PLAYBOOK / "README.md").read_text(encoding="utf-8"))
    assert f"{language}/{page.name}" in links


@pytest.mark.parametrize(("chapter", "language"), EACH_PAGE)
def test_the_chapters_that_need_the_page_link_it(chapter, language):
    pages, linked_from = CHAPTERS[chapter]
    for other in linked_from[language]:
        links = _LINK.findall((PLAYBOOK / language / other).read_text(encoding="utf-8"))
        assert pages[language].name in links, other


@pytest.mark.parametrize(("chapter", "language"), EACH_PAGE)
def test_every_relative_link_of_the_page_leads_to_a_file(chapter, language):
    page = CHAPTERS[chapter][0][language]
    links = [link for link in _LINK.findall(page.read_text(encoding="utf-8")) if "://" not in link]
    assert links
    assert [link for link in links if not (page.parent / link).exists()] == []


@pytest.mark.parametrize(("chapter", "language"), EACH_PAGE)
def test_every_name_the_page_writes_is_in_the_workbench(chapter, language):
    assert missing_from(cjmlib_source(), CHAPTERS[chapter][0][language].read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("language", sorted(PAGES))
def test_the_data_protection_page_names_the_privacy_settings(language):
    names, placeholders, commands = named_in(PAGES[language].read_text(encoding="utf-8"))
    assert {"keep_runs", "allow_outside", "min_group_size", "masked_values", "CJM_SECRET"} <= names
    assert len(placeholders) == 7 and {"new", "run", "validate"} <= commands


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_vendor_page_names_the_rules_and_the_functions_of_the_page(language):
    text = CHAPTERS["vendor-definitions"][0][language].read_text(encoding="utf-8")
    names, _, _ = named_in(text)
    assert {"reconcile_funnels", "vendor_comparison", "vendor_differences", "tie_seconds", "first_k"} <= names
    assert "0001-how-a-funnel-counts.md" in text  # every statement about a tool cites the decision record


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_both_languages_name_the_same_settings(chapter):
    en, fr = (named_in(CHAPTERS[chapter][0][lang].read_text(encoding="utf-8")) for lang in ("en", "fr"))
    assert en == fr


def test_every_relative_link_of_the_readme_leads_to_a_file_and_the_chapters_are_named():
    links = [link for link in _LINK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
             if "://" not in link and not link.startswith("#")]
    assert [link for link in links if not (ROOT / link.split("#")[0]).exists()] == []
    for pages, _ in CHAPTERS.values():
        for page in pages.values():
            assert str(page.relative_to(ROOT)) in links
