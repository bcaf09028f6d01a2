"""The catalogue of words: one file per section and language, read once, French complete, fields alike."""

from __future__ import annotations

import re
import string

import pytest

import cjmlib as cjm
from cjmlib.i18n import catalogue
from cjmlib.i18n.catalogue import (
    COLUMN_LABELS,
    INDEX_LABELS,
    STEP_TITLES,
    VALUE_LABELS,
    column_label,
    missing_translations,
    say,
    sections,
    value_label,
    words,
)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _texts(table: dict, prefix: str = ""):
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _texts(value, f"{prefix}{key}.")
        elif isinstance(value, list):
            yield from ((f"{prefix}{key}[{i}]", item) for i, item in enumerate(value))
        else:
            yield prefix + key, value


def test_every_english_text_has_a_french_one():
    assert missing_translations("fr") == []


def test_french_texts_take_only_fields_the_english_ones_have():
    """French may leave a field out (English's article 'a'/'an'), never ask for one the caller does not give."""
    differ = []
    for section in sections("en"):
        french = dict(_texts(catalogue._load("fr", section)))
        for key, text in _texts(catalogue._load("en", section)):
            if key in french and not _fields(french[key]) <= _fields(text):
                differ.append(f"{section}:{key} {sorted(_fields(french[key]))} ⊄ {sorted(_fields(text))}")
    assert differ == []


def test_every_file_maps_keys_to_texts():
    for language in ("en", "fr"):
        assert sections(language), language
        for section in sections(language):
            for key, text in _texts(catalogue._load(language, section)):
                assert isinstance(text, str), f"{language}/{section}.yml: {key} is {text!r}, not a text"


def test_both_languages_have_the_same_files():
    assert sections("en") == sections("fr")
    assert {"steps", "index", "plots", "values", "columns", "exercises", "map", "segments", "planning",
            "publish", "metrics"} <= set(sections("en"))


def test_say_fills_the_fields_and_reads_nested_keys():
    assert say("plots", "breakdown_title", "fr", by="appareil") == "Répartition par appareil"
    assert say("plots", "breakdown_title", by="device") == "Breakdown by device"
    assert say("map", "lanes.pain_points", "fr") == "Points de friction"
    assert say("publish", "compared", "fr", date="2026-11-02", run="r1") == \
        "Comparaison avec l'exécution du 2026-11-02 (r1)."
    assert cjm.say is say


def test_say_falls_back_to_english_and_names_an_unknown_key(monkeypatch):
    french = dict(catalogue._load("fr", "steps"))
    del french["01-goals"]
    load = catalogue._load
    monkeypatch.setattr(catalogue, "_load", lambda language, section: french if (language, section) == (
        "fr", "steps") else load(language, section))
    assert say("steps", "01-goals", "fr") == "Goals and KPIs"
    assert say("steps", "02-personas", "fr") == "Personas"
    with pytest.raises(KeyError, match="en/steps.yml has no text '08-extra'"):
        say("steps", "08-extra", "fr")


def test_missing_translations_lists_what_french_lacks(monkeypatch):
    tables = {("en", "demo"): {"a": "one", "b": {"c": "two", "d": "three"}, "e": ["x", "y"]},
              ("fr", "demo"): {"a": "un", "b": {"c": "  "}, "e": ["x"]}}
    monkeypatch.setattr(catalogue, "_load", lambda language, section: tables[(language, section)])
    monkeypatch.setattr(catalogue, "sections", lambda language="en": ["demo"])
    assert missing_translations("fr") == ["demo:b.c", "demo:b.d", "demo:e[1]"]


def test_words_merges_english_under_french_and_returns_a_copy():
    fr = words("map", "fr")
    assert fr["lanes"]["pain_points"] == "Points de friction"
    fr["lanes"]["pain_points"] = "changed"
    assert words("map", "fr")["lanes"]["pain_points"] == "Points de friction"
    assert words("no-such-section", "fr") == {}


def test_former_tables_are_built_from_the_files():
    assert STEP_TITLES["04-behaviour"] == {"en": "Behaviour: funnels and abandonment",
                                          "fr": "Comportement : entonnoirs et abandons"}
    assert INDEX_LABELS["kpis"]["fr"] == "Indicateurs clés"
    assert COLUMN_LABELS["fr"]["ci_low"] == "IC bas" and "en" not in COLUMN_LABELS
    assert column_label("ci_low", "fr") == "IC bas" and column_label("ci_low", "en") == "ci_low"
    assert VALUE_LABELS["desktop"] == {"fr": "ordinateur"}  # English: the value itself
    assert value_label("desktop", "fr") == "ordinateur" and value_label("desktop") == "desktop"
    assert value_label(True, "fr") == "oui" and value_label("unheard-of", "fr") == "unheard-of"


def test_metric_words_cover_every_kpi_metric_of_the_spec():
    from typing import get_args

    from cjmlib.spec.model import KPI

    metrics = get_args(KPI.model_fields["metric"].annotation)
    for language in ("en", "fr"):
        table = words("metrics", language)
        assert sorted(set(metrics) - set(table)) == [], language
    assert say("metrics", "session_conversion.definition", "fr") == "sessions avec un achat ÷ sessions"


def _spec_keys() -> set[str]:
    """Every key journey.yml may hold (the fields of the spec's models)."""
    from pydantic import BaseModel

    from cjmlib.spec import model

    return {name for cls in vars(model).values() if isinstance(cls, type) and issubclass(cls, BaseModel)
            for name in cls.model_fields}


def test_french_texts_use_french_punctuation():
    """A French text puts a space before ':' and ';' (not inside a time, a URL, a {field} or a YAML key)."""
    keys = "|".join(sorted(_spec_keys(), key=len, reverse=True))
    wrong = []
    for section in sections("fr"):
        for key, text in _texts(catalogue._load("fr", section)):
            plain = re.sub(rf"\{{[^}}]*\}}|https?://\S+|\d:\d|\b(?:{keys}):", "", text)
            if re.search(r"\S[:;](\s|$)", plain):
                wrong.append(f"{section}:{key}: {text}")
    assert wrong == []


def test_say_writes_numbers_as_the_language_does(monkeypatch):
    tables = {("en", "demo"): {"t": "{p:.2f} · {n:,} · {s:.1%} · {k} · {x} · {w}"}, ("fr", "demo"): {}}
    monkeypatch.setattr(catalogue, "_load", lambda language, section: tables[(language, section)])
    values = {"p": 0.983, "n": 1234567, "s": 0.591, "k": 2026, "x": 0.5, "w": "1.5 (text)"}
    assert say("demo", "t", **values) == "0.98 · 1,234,567 · 59.1% · 2026 · 0.5 · 1.5 (text)"
    # French: decimal comma, narrow no-break spaces; an int without a format stays as it is (a year)
    assert say("demo", "t", "fr", **values) == "0,98 · 1\u202f234\u202f567 · 59,1\u202f% · 2026 · 0,5 · 1.5 (text)"
