"""The published pages speak one language: no English product string or number format in a French report,
no French one in an English report.

Two small demo runs (800 users) feed the module: one with ``language: fr``, one in English. The word list
is the catalogue itself: every English text of ``cjmlib/i18n/en`` that French writes differently is a
product string that must not reach a French page (and the reverse), plus the leaks seen in earlier
reports. Customer quotes stay in the language they were written in, so only product strings are sought.
"""

from __future__ import annotations

import html
import re
import string
from pathlib import Path

import pytest
from conftest import KERNEL

from cjmlib.i18n import catalogue

# leaks seen in French reports before the catalogue held every product string
ENGLISH = ["not significant", "Compared with the run of", "share of", "increase", "decrease", "Bounce rate",
           "sessions with a", "Headline KPIs", "Sources and definitions", "What changed", "no interval", "n/a"]
FRENCH = ["non significatif", "Comparaison avec", "Taux de rebond", "Indicateurs clés", "Sources et définitions",
          "pas d'intervalle", "part des"]


def _texts(table: dict):
    for value in table.values():
        if isinstance(value, dict):
            yield from _texts(value)
        elif isinstance(value, list):
            yield from (str(v) for v in value)
        else:
            yield str(value)


def _fragments(text: str) -> list[str]:
    """The literal parts of a catalogue text between its {fields}."""
    return [part for part, *_ in string.Formatter().parse(text) if part]


def catalogue_phrases(language: str, other: str) -> set[str]:
    """Phrases of ``language``'s catalogue that ``other`` writes differently: several words, 12 characters or
    more, found in no text of ``other``'s catalogue."""
    theirs = " \n ".join(t for s in catalogue.sections(other) for t in _texts(catalogue.words(s, other)))
    phrases = set()
    for section in catalogue.sections(language):
        if section == "columns":
            continue  # English headers are the column names themselves
        for text in _texts(catalogue._load(language, section)):
            for part in _fragments(text):
                for piece in re.split(r"[()\[\]:;,.!?«»“”\"\n]|\s[−–-]\s|\s·\s", part):
                    piece = piece.strip()
                    if len(piece) >= 12 and " " in piece and re.search(r"[a-zA-Zéèà]{3}", piece) \
                            and piece not in theirs:
                        phrases.add(piece)
    return phrases


def visible_text(page: str) -> str:
    """The text a reader sees: style, script and tags removed, entities decoded, spaces collapsed."""
    page = re.sub(r"(?is)<(style|script)[^>]*>.*?</\1>", " ", page)
    return re.sub(r"[ \t\n\r]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


ENGLISH_NUMBER = re.compile(r"(?<![\d.,\w])(?:[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)(?![\d.,\w])")
FRENCH_NUMBER = re.compile(r"(?<![\d.,\w])\d+,\d{1,2}(?![\d,\w])|\d\u202f(?:%|\d{3})")


def number_problems(text: str, language: str) -> list[str]:
    """Numbers written the other language's way: ``1,234`` or ``0.5`` in French, ``0,5`` or ``59\u202f%`` in
    English (dates, times and version numbers are not numbers of a report)."""
    pattern = ENGLISH_NUMBER if language == "fr" else FRENCH_NUMBER
    return [text[max(0, m.start() - 30):m.end() + 20] for m in pattern.finditer(text)]


def word_problems(text: str, language: str) -> list[str]:
    """Product strings of the other language found in ``text``."""
    other = "en" if language == "fr" else "fr"
    phrases = sorted(catalogue_phrases(other, language), key=len, reverse=True)
    listed = ENGLISH if language == "fr" else FRENCH
    found = []
    for phrase in [*listed, *phrases]:
        m = re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)
        if m:
            found.append(f"{phrase!r} in …{text[max(0, m.start() - 40):m.end() + 40]}…")
    return found


def page_problems(html_dir: Path, language: str) -> list[str]:
    """Every page of a run's html/ folder with the other language's words or number formats."""
    problems = []
    for page in sorted(html_dir.glob("*.html")):
        source = page.read_text(encoding="utf-8")
        if f'<html lang="{language}"' not in source:
            problems.append(f"{page.name}: not marked lang={language}")
        text = visible_text(source)
        problems += [f"{page.name}: words {w}" for w in word_problems(text, language)]
        problems += [f"{page.name}: number …{n}…" for n in number_problems(text, language)[:5]]
    return problems


# ------------------------------------------------------------------ the detectors, on text written by hand

def test_the_detectors_find_english_in_french_and_french_in_english():
    fr = "Taux de conversion 3,5\u202f% (1\u202f234 sur 35\u202f000), not significant (p = 0.23), soit 1,121.0 €"
    assert [p.split("'")[1] for p in word_problems(fr, "fr")][:1] == ["not significant"]
    assert [n.strip() for n in number_problems("p = 0.23 et 1,121.0 €", "fr")] == ["p = 0.23 et 1,121.0 €",
                                                                               "p = 0.23 et 1,121.0 €"]
    assert len(ENGLISH_NUMBER.findall(fr)) == 2  # 0.23 and 1,121.0; 3,5 and 1 234 are French
    assert ENGLISH_NUMBER.findall("le 2026-10-05 à 09:30, version 0.1.0, 0,040") == []
    en = "Conversion rate 3.5% (1,234 of 35,000), non significatif (p = 0,23)"
    assert any("non significatif" in p for p in word_problems(en, "en"))
    assert FRENCH_NUMBER.findall(en) == ["0,23"]
    assert FRENCH_NUMBER.findall("59,1\u202f% et 1\u202f234 ou 59\u202f%") == ["59,1", "1\u202f234", "9\u202f%"]


def test_the_catalogue_phrases_are_product_strings_of_one_language():
    english = catalogue_phrases("en", "fr")
    assert "Compared with the run of" in english and "What changed since the last run" in english
    assert not any("sessions" == p for p in english)
    french = catalogue_phrases("fr", "en")
    assert "Comparaison avec l'exécution du" in french


# ------------------------------------------------------------------ the demo, published in each language

def _demo_run(tmp_path_factory, language: str) -> Path:
    from cjmlib.demo.templates import new_project
    from cjmlib.run.runner import run_playbook

    target = tmp_path_factory.mktemp(language) / "shop"
    new_project(target, users=800)
    spec = target / "journey.yml"
    text = spec.read_text(encoding="utf-8")
    assert "\n  language: en " in text
    spec.write_text(text.replace("\n  language: en ", f"\n  language: {language} ", 1), encoding="utf-8")
    return run_playbook(target, kernel_name=KERNEL).run_dir


@pytest.fixture(scope="module")
def french_run(tmp_path_factory) -> Path:
    """The demo (800 users) published with ``language: fr``; returns the run folder."""
    return _demo_run(tmp_path_factory, "fr")


@pytest.fixture(scope="module")
def english_run(tmp_path_factory) -> Path:
    """The demo (800 users) published in English; returns the run folder."""
    return _demo_run(tmp_path_factory, "en")


def test_french_pages_hold_no_english_product_string_or_number(french_run):
    assert page_problems(french_run / "html", "fr") == []


def test_english_pages_hold_no_french_product_string_or_number(english_run):
    assert page_problems(english_run / "html", "en") == []


def test_french_pages_show_the_spec_names_in_french(french_run):
    index = visible_text((french_run / "html" / "index.html").read_text(encoding="utf-8"))
    behaviour = visible_text((french_run / "html" / "04-behaviour.html").read_text(encoding="utf-8"))
    journey_map = visible_text((french_run / "html" / "journey-map.html").read_text(encoding="utf-8"))
    assert "Conversion des sessions" in index  # the KPI's name under translations.fr.kpis
    assert "Fiche produit" in behaviour and "Product page" not in behaviour  # translations.fr.touchpoints
    assert "Découverte" in journey_map and "Awareness" not in journey_map  # translations.fr.stages
