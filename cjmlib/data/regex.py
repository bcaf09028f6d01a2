"""Regular expressions written by the client (codebook keywords between slashes), run in linear time.

A pattern from journey.yml is run by the engine's RE2 (DuckDB ``regexp_matches``), never by
Python's backtracking ``re``: RE2 runs in time linear in the text whatever the pattern, so a
pattern such as ``(a+)+b`` cannot stall a run. The price is RE2's syntax: no look-ahead or
look-behind (``(?=…)``, ``(?<!…)``) and no back-reference (``\\1``); ``cjm validate`` names a
pattern that uses them, with its line in journey.yml.

Examples
--------
>>> regex_error(r"\\border\\s+\\d{4,}\\b") is None
True
>>> regex_error("(?=(a+)+b)").startswith("the engine's regular expressions (RE2) refuse it")
True
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from ..errors import Issue
from ..spec.issues import line_of
from .sql import quote_literal

__all__ = ["is_regex_keyword", "regex_contains", "regex_error", "regex_issues"]


def is_regex_keyword(keyword: str) -> bool:
    """Say whether a codebook keyword is a regular expression (written between slashes, ``/…/``).

    Parameters
    ----------
    keyword
        One keyword of a codebook theme.
    """
    keyword = keyword.strip()
    return len(keyword) > 2 and keyword.startswith("/") and keyword.endswith("/")


def regex_error(pattern: str) -> str | None:
    """Say why the engine cannot run ``pattern`` (None when it can).

    Parameters
    ----------
    pattern
        A regular expression in RE2 syntax (the slashes of a codebook keyword removed).
    """
    try:
        duckdb.connect().execute(f"SELECT regexp_matches('', {quote_literal(pattern)})").fetchall()
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0].split(":", 1)[-1].strip()
        return f"the engine's regular expressions (RE2) refuse it: {reason[:200]}"
    return None


def regex_contains(texts: pd.Series, pattern: str) -> pd.Series:
    """Return, for each text, whether ``pattern`` matches somewhere in it (RE2, linear time).

    Parameters
    ----------
    texts
        The texts (missing values match nothing).
    pattern
        A regular expression in RE2 syntax (:func:`regex_error` says whether it is one).
    """
    frame = pd.DataFrame({"i": np.arange(len(texts)), "t": texts.astype("string").to_numpy()})
    con = duckdb.connect()
    con.register("texts", frame)
    found = con.execute(f"SELECT coalesce(regexp_matches(t, {quote_literal(pattern)}), false) AS hit "
                        "FROM texts ORDER BY i").fetchnumpy()["hit"]
    return pd.Series(np.asarray(found, dtype=bool), index=texts.index)


def regex_issues(spec, tree=None) -> list[Issue]:
    """Return an issue for every codebook keyword ``/…/`` the engine cannot run, with its line.

    Parameters
    ----------
    spec
        The journey spec (:class:`cjmlib.spec.model.Journey`).
    tree
        The parsed YAML of journey.yml, for line numbers (none when omitted).
    """
    issues = []
    for i, theme in enumerate(spec.codebook.themes):
        for language, keywords in theme.keywords.items():
            for j, keyword in enumerate(keywords):
                error = regex_error(keyword.strip()[1:-1]) if is_regex_keyword(keyword) else None
                if error:
                    issues.append(Issue(code="bad_pattern", file="journey.yml", value=keyword,
                                        line=line_of(tree, ("codebook", "themes", i, "keywords", language, j)),
                                        key=f"codebook.themes[{i}].keywords.{language}[{j}]",
                                        problem=f"the pattern {keyword} cannot be used: {error}.",
                                        fix="Write it without look-around (?=…) (?!…) (?<=…) and back-references "
                                            "(\\1), or as plain words without the slashes."))
    return issues
