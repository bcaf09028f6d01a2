"""The step notebooks stay thin, committed without outputs, with the parameters the runner sends."""

from __future__ import annotations

import re
from collections import Counter

import nbformat
import papermill
import pytest

from cjmlib.run.export import CLASSROOM_TAGS
from cjmlib.run.steps import NOTEBOOKS_DIR, PARAMETERS, STEPS

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def test_every_step_has_its_notebook():
    assert [p.stem for p in NOTEBOOKS] == [s.name for s in STEPS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin_and_clean(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "commit notebooks without outputs"
    for cell in code:
        assert not re.search(r"^\s*(def|class)\s", cell.source, re.MULTILINE), cell.source
        assert not re.search(r"^\s*(for|while)\s", cell.source, re.MULTILINE), \
            "no loops in notebooks: " + cell.source
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_markdown_cell_speaks_one_language_and_each_has_its_twin(path):
    """Each markdown cell is tagged lang-en or lang-fr (a teaching, exercise or solution cell too, beside its
    classroom tag), so a report shows one language only; both languages have as many cells, audience by
    audience."""
    nb = nbformat.read(path, as_version=4)
    counts = Counter()
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "markdown"):
        tags = set(cell.metadata.get("tags", []))
        languages = sorted(t for t in tags if t.startswith("lang-"))
        first = cell.source.strip().splitlines()[0] if cell.source.strip() else "(empty)"
        assert languages in (["lang-en"], ["lang-fr"]), (
            f"{path.name}, markdown cell {i} ({first!r}) is tagged {sorted(tags)}: tag it lang-en or lang-fr")
        counts[languages[0], frozenset(tags & CLASSROOM_TAGS)] += 1
    assert counts, f"{path.name} has no markdown cell"
    for audience in {key for _, key in counts}:
        en, fr = counts["lang-en", audience], counts["lang-fr", audience]
        assert en == fr, (f"{path.name}: {en} lang-en and {fr} lang-fr markdown cells tagged "
                          f"{sorted(audience) or 'for every audience'}: write the missing translation")


def test_every_saved_result_is_in_the_catalogue():
    """cjmlib.data.results lists every result a notebook saves, with the notebook that saves it."""
    import cjmlib.data.results

    rows = {m.group(1): m.group(2) for m in re.finditer(r"^``(\w+)``\s+(\S+)", cjmlib.data.results.__doc__, re.MULTILINE)}
    saved = {(name, path.stem) for path in NOTEBOOKS for cell in nbformat.read(path, as_version=4).cells
             for name in re.findall(r'project\.save\("(\w+)"', cell.source)}
    assert len(saved) >= 20
    assert sorted((name, step) for name, step in saved if rows.get(name) != step) == []
    assert set(rows) == {name for name, _ in saved} | {"meta"}, "the catalogue lists a result no step saves"
