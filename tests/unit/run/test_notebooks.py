"""The step notebooks stay thin, committed without outputs, with the parameters the runner sends."""

from __future__ import annotations

import functools
import io
import re
import tokenize
from collections import Counter

import nbformat
import papermill
import pytest

from cjmlib.i18n.catalogue import words
from cjmlib.run.export import CLASSROOM_TAGS
from cjmlib.run.steps import NOTEBOOKS_DIR, PARAMETERS, STEPS
from cjmlib.spec.io import load_spec

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


# ------------------------------------------------------------------ nothing of the demo in the notebooks

# Plain words of the method that the demo shop also uses as ids (its stages, a touchpoint named "search"):
# allowed in the narrative of markdown cells, never in code
PROSE = {"awareness", "consideration", "purchase", "retention", "advocacy", "search", "review", "newsletter",
         "referral"}


def _demo_literals() -> set[str]:
    """Every id, event name and persona-rule column and value of the demo spec (templates/ecommerce/journey.yml)."""
    spec = load_spec(NOTEBOOKS_DIR.parent / "templates" / "ecommerce" / "journey.yml")
    found = {*spec.stage_ids, *(t.id for t in spec.touchpoints), *(p.id for p in spec.personas),
             *(p.id for p in spec.pain_points), *(o.id for o in spec.opportunities),
             *(t.id for t in spec.codebook.themes), *(f.id for f in spec.funnels),
             *(s for f in spec.funnels for s in f.steps), *spec.breakdowns}
    for t in spec.touchpoints:
        for value in t.match.model_dump().values():
            found |= {value} if isinstance(value, str) else set(value or ())
    for p in spec.personas:
        for column, value in (p.rule or {}).items():
            found |= {column} | ({value} if isinstance(value, str) else set(value))
    return {str(x) for x in found if x} - {"channel"}  # a canonical column of every events table


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+(?:-\w+)*", text))


def _code_words(source: str) -> set[str]:
    """The names and the words inside the string literals of a code cell."""
    words = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME:
            words.add(token.string)
        elif token.type == tokenize.STRING or token.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            words |= _words(token.string)
    return words


def test_the_demo_literals_are_read_from_the_demo_spec():
    literals = _demo_literals()
    assert {"checkout", "product-page", "landing_view", "add_to_cart", "mobile", "device", "busy-parent",
            "shipping_cost", "show-shipping-early", "awareness", "order-confirmation"} <= literals


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_hold_nothing_of_the_demo(path):
    """No id, event name, column or column value of the demo spec in a notebook: everything comes from the spec.

    Code cells may not name one at all (as a name or inside a string); markdown cells may use the plain words
    of the method (PROSE), never an id of the demo such as a touchpoint, an event or a persona rule's value.
    """
    literals = _demo_literals()
    nb = nbformat.read(path, as_version=4)
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            hits = _code_words(cell.source) & literals
            if "parameters" in cell.metadata.get("tags", []):
                hits = set()
        else:
            hits = {w for w in _words(cell.source) if w.lower() in literals} - PROSE - {w.capitalize() for w in PROSE}
        found += [f"cell {i} ({cell.cell_type}): {w}" for w in sorted(hits)]
    assert found == [], f"{path.name} names the demo's ids; read them from the spec instead: {found}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_hold_no_language_literal(path):
    """Words of a language live in cjmlib/i18n/<language>/notebooks.yml: no {"en": …, "fr": …} in a code cell."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
            assert not re.search(r"""["'](en|fr)["']\s*:""", cell.source), cell.source
            assert not re.search(r"""_(en|fr)\b""", cell.source), cell.source


def test_every_text_a_notebook_says_exists_in_both_languages():
    """Each say("…")/missing("…") key of the notebooks is in notebooks.yml, in English and in French."""
    keys = set()
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            keys |= set(re.findall(r"""\bsay\(\s*"([\w.]+)\"""", cell.source))
            keys |= {f"missing.{k}" for k in re.findall(r"""\bmissing\(\s*"(\w+)\"""", cell.source)}
            keys |= {f"missing.{k}" for k in re.findall(r"""\bmissing\(\s*"(\w+)" if""", cell.source)}
    assert len(keys) > 40
    texts = {language: words("notebooks", language) for language in ("en", "fr")}
    for key in sorted(keys):
        english, french = (functools.reduce(lambda d, k: d.get(k, {}), key.split("."), texts[language])
                           for language in ("en", "fr"))
        assert isinstance(english, str) and isinstance(french, str), f"{key}: missing in notebooks.yml (en or fr)"
        assert english != french, f"{key}: the French text is the English one"
        assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", french)), key
