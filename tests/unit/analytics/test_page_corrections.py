"""The pages adjust p-values as journey.yml says (``project.correction``: holm or bh), never Holm regardless."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import nbformat
import pytest

import cjmlib as cjm

NOTEBOOKS = sorted((Path(__file__).parents[3] / "notebooks").glob("*.ipynb"))


def _fixed_to_holm() -> set[str]:
    """The public functions whose ``correction`` defaults to Holm rather than to the spec's choice."""
    names = set()
    for name in cjm.__all__:
        value = getattr(cjm, name)
        parameters = inspect.signature(value).parameters if inspect.isfunction(value) else {}
        if "correction" in parameters and parameters["correction"].default == "holm":
            names.add(name)
    return names


def test_the_functions_checked_include_the_trend_test():
    assert "trend_outliers" in _fixed_to_holm()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_call_of_a_function_defaulting_to_holm_passes_the_correction(path):
    fixed = _fixed_to_holm()
    missing = []
    for cell in nbformat.read(path, 4).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in fixed
                    and not any(k.arg == "correction" for k in node.keywords)):
                missing.append(f"{cell.id}: {node.func.attr}")
    assert missing == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_text_naming_holm_names_benjamini_hochberg_too(path):
    for cell in nbformat.read(path, 4).cells:
        if cell.cell_type == "markdown" and "Holm" in cell.source:
            assert "Benjamini" in cell.source, cell.id
