"""Issue codes are an enum: every code a check writes is a member, and an unknown code is refused."""

import ast
import json
from pathlib import Path

import pytest

from cjmlib.errors import Issue, IssueCode

CJMLIB = Path(__file__).resolve().parents[2] / "cjmlib"


def _literal_codes() -> set[str]:
    """Every string written as (part of) the ``code=`` of an ``Issue(...)`` in cjmlib."""
    codes = set()
    for path in CJMLIB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Issue":
                for kw in node.keywords:
                    if kw.arg == "code":
                        codes |= {c.value for c in ast.walk(kw.value)
                                  if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return codes


def test_every_literal_code_is_a_member():
    literal = _literal_codes()
    # `f"unknown_{what}"` gives the parts "unknown_"; conditional codes give both branches
    whole = {c for c in literal if not c.endswith("_") and "_" in c}
    assert len(whole) > 30
    assert whole - {m.value for m in IssueCode} == set()


def test_a_code_is_its_text_and_travels_as_text():
    issue = Issue(code="bad_value", file="data/events.csv", problem="'x' is not a number.", row=3, column="amount")
    assert issue.code is IssueCode.BAD_VALUE and issue.code == "bad_value"
    record = issue.as_dict()
    assert type(record["code"]) is str
    assert Issue(**json.loads(json.dumps(record))) == issue


def test_an_unknown_code_is_refused():
    with pytest.raises(ValueError, match="'bad_vlaue' is not an issue code"):
        Issue(code="bad_vlaue", file="journey.yml", problem="?")
