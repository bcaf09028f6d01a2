"""Codebook regular expressions: RE2 syntax checked at validation, matched in linear time."""

from __future__ import annotations

import pandas as pd
from helpers import SMALL_SPEC, write_csv

from cjmlib.data.project import validate_project
from cjmlib.data.regex import is_regex_keyword, regex_contains, regex_error
from cjmlib.voice.text import code_texts


def test_regex_keywords_are_written_between_slashes():
    assert [is_regex_keyword(k) for k in ("/late/", " /a+/ ", "late", "//", "/x")] == [True, True, False, False, False]


def test_patterns_outside_re2_are_named_with_the_reason():
    assert regex_error(r"\border\s+\d{4,}\b") is None
    assert "missing )" in regex_error("(unclosed")
    assert "(?=" in regex_error("(?=(a+)+b)")
    assert regex_error(r"(a)\1") is not None  # a back-reference


def test_a_pattern_that_backtracks_in_python_runs_in_linear_time():
    """(a+)+b on 'aaa…c' takes exponential time in Python's re; RE2 answers at once (this would hang)."""
    texts = pd.Series(["a" * 5_000 + "c", "aab", None, "order 12345"], index=[3, 1, 2, 0])
    assert regex_contains(texts, "(a+)+b").tolist() == [False, True, False, False]
    assert regex_contains(texts, r"order \d{4,}").index.tolist() == [3, 1, 2, 0]


def test_code_texts_runs_regex_keywords_over_the_normalised_text():
    texts = pd.Series(["Commande 12345 jamais REÇUE", "rien", "order 99"])
    coded = code_texts(texts, {"lost": {"fr": ("/commande \\d{4,} .*recue/",)}})
    assert coded.lost.tolist() == [True, False, False]


def test_validate_names_the_line_of_a_bad_pattern(tmp_path):
    spec = SMALL_SPEC.replace("keywords: {en: [late], fr: [retard]}", "keywords: {en: [late, '/(?<!not )late/']}")
    assert spec != SMALL_SPEC
    (tmp_path / "journey.yml").write_text(spec, encoding="utf-8")
    write_csv(tmp_path / "data" / "events.csv", "user_id,session_id,ts,event", ["u1,s1,2026-01-01T10:00:00Z,landing_view"])
    (issue,) = [i for i in validate_project(tmp_path) if i.severity == "error"]
    line = spec.splitlines().index("      keywords: {en: [late, '/(?<!not )late/']}") + 1
    assert (issue.code, issue.line, issue.key) == ("bad_pattern", line, "codebook.themes[1].keywords.en[1]")
    assert "RE2" in issue.problem and "look-around" in issue.fix
