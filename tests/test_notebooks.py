"""The step notebooks stay thin, committed without outputs, with the parameters the runner sends."""

from __future__ import annotations

import re

import nbformat
import papermill
import pytest

from cjmlib.runner import NOTEBOOKS_DIR, PARAMETERS, STEPS

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def test_every_step_has_its_notebook():
    assert [p.stem for p in NOTEBOOKS] == [s.name for s in STEPS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin_and_clean(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "commit notebooks without outputs"
    for cell in code:
        assert not re.search(r"^\s*(def|class)\s", cell.source, re.M), cell.source
        assert not re.search(r"^\s*(for|while)\s", cell.source, re.M), "no loops in notebooks: " + cell.source
        lines = [ln for ln in cell.source.splitlines() if ln.strip()]
        assert len(lines) <= 15, f"cell over 15 lines in {path.name}"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one parameters cell"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# Step")
    assert "questions the method asks" in nb.cells[0].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_match_the_runner_schema(path):
    declared = papermill.inspect_notebook(str(path))
    assert set(declared) == set(PARAMETERS)
    for name, info in declared.items():
        assert info["inferred_type_name"] == PARAMETERS[name].__name__, name
        assert info["help"], f"{name} needs a help comment"
