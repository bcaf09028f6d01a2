"""The data-protection chapters of the playbook: present, linked, and naming only what the workbench has.

The chapters describe the workbench's privacy settings and behaviour by name (`keep_runs`,
`allow_outside`, `[email]`…). Each such name is looked up in cjmlib's source, so that a renamed
setting or placeholder makes this test fail instead of leaving the chapter wrong.
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


@pytest.mark.parametrize("language", sorted(PAGES))
def test_the_page_exists_and_the_playbook_contents_link_it(language):
    page = PAGES[language]
    assert page.is_file()
    links = _LINK.findall((PLAYBOOK / "README.md").read_text(encoding="utf-8"))
    assert f"{language}/{page.name}" in links


@pytest.mark.parametrize("language", sorted(PAGES))
def test_the_chapters_that_load_data_link_the_page(language):
    for chapter in LINKED_FROM[language]:
        links = _LINK.findall((PLAYBOOK / language / chapter).read_text(encoding="utf-8"))
        assert PAGES[language].name in links, chapter


@pytest.mark.parametrize("language", sorted(PAGES))
def test_every_relative_link_of_the_page_leads_to_a_file(language):
    page = PAGES[language]
    links = [link for link in _LINK.findall(page.read_text(encoding="utf-8")) if "://" not in link]
    assert links
    assert [link for link in links if not (page.parent / link).exists()] == []


@pytest.mark.parametrize("language", sorted(PAGES))
def test_every_setting_the_page_names_is_in_the_workbench(language):
    text = PAGES[language].read_text(encoding="utf-8")
    names, placeholders, commands = named_in(text)
    assert {"keep_runs", "allow_outside", "min_group_size", "masked_values", "CJM_SECRET"} <= names
    assert len(placeholders) == 7 and {"new", "run", "validate"} <= commands
    assert missing_from(cjmlib_source(), text) == []


def test_both_languages_name_the_same_settings():
    en, fr = (named_in(PAGES[lang].read_text(encoding="utf-8")) for lang in ("en", "fr"))
    assert en == fr
