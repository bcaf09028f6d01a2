"""The house rules of cjmlib, read from the source with the standard library's ``ast``.

- no import circle between modules (imports inside functions count too);
- no module imports a private name (``_x``) of another module;
- a package imports only from the packages below it (docs/adr/0003-package-layout.md);
- no module is longer than 450 lines;
- imports sit at the top of modules, except the few lazy ones listed in LAZY_IMPORTS;
- every public function's docstring names each of its parameters.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "cjmlib"

LAYERS = ["errors", "stats", "files", "spec", "i18n", "data", "analytics", "voice", "plan", "journeymap", "view",
          "run", "demo", "cli"]
"""Lowest first: a module may import from its own package and from the packages before it."""

MAX_LINES = 450

LAZY_IMPORTS = {
    # the command line imports only what the command it runs needs: `cjm --help` loads no chart library
    "cjmlib.cli",
    # PySpark is an optional engine, imported only when a project asks for it
    "cjmlib.data.engine",
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str | None:
    """The absolute name of the module an ``ImportFrom`` reads, or None outside cjmlib."""
    if node.level == 0:
        return node.module if node.module and node.module.startswith("cjmlib") else None
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(name: str, path: Path) -> list[tuple[str, str, ast.ImportFrom, bool]]:
    """(target module, imported name, node, at top level) for every cjmlib import of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = _resolve(name, node, path.name == "__init__.py")
            if target is None:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.append((sub if sub in MODULES else target, alias.name, node, id(node) in top))
        elif isinstance(node, ast.Import):
            out += [(a.name, a.name, node, id(node) in top) for a in node.names if a.name.startswith("cjmlib")]
    return out


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else -1


def test_no_import_circle():
    edges = {m: {t for t, _, _, _ in imports if t in MODULES and t != m} for m, imports in GRAPH.items()}
    # a package's __init__ re-exports its modules; an import of a package's module goes through it
    circles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if nxt == "cjmlib" or node == "cjmlib":
                continue
            if state.get(nxt) == 1:
                circles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_no_private_name_imported_across_modules():
    private = [f"{m} imports {name} from {t}" for m, imports in GRAPH.items() for t, name, _, _ in imports
               if name.startswith("_") and not name.startswith("__") and t != m]
    assert private == []


def test_packages_import_downwards_only():
    upward = [f"{m} imports {t}" for m, imports in GRAPH.items() if m != "cjmlib"
              for t, _, _, _ in imports if t != "cjmlib" and _layer(t) > _layer(m)]
    assert upward == []


def test_no_long_module():
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_imports_at_the_top_of_modules():
    nested = []
    for name, path in MODULES.items():
        if name in LAZY_IMPORTS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top:
                nested.append(f"{name}:{node.lineno}")
    assert nested == []


def _public_functions():
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
                yield name, node
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and not item.name.startswith("_"):
                        yield f"{name}.{node.name}", item


@pytest.mark.parametrize("package", sorted({m.split(".")[1] if "." in m else m for m in MODULES}))
def test_docstrings_name_their_parameters(package):
    missing = []
    for where, node in _public_functions():
        if not (where == package or where.startswith(f"cjmlib.{package}")):
            continue
        doc = ast.get_docstring(node)
        args = [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)
                if a.arg not in ("self", "cls")]
        if not doc:
            missing.append(f"{where}.{node.name}: no docstring")
            continue
        text = inspect.cleandoc(doc)
        missing += [f"{where}.{node.name}: {arg}" for arg in args if arg not in text]
    assert missing == []
