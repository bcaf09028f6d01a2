"""Read and write the journey spec (``journey.yml``).

The spec is read with ruamel.yaml in round-trip mode, so a programmatic save keeps the
consultant's comments and key order. Every problem is reported at once, each with the file,
the line, the key, what is allowed and the closest allowed name (:mod:`cjmlib.spec.issues`).

Examples
--------
>>> from cjmlib.spec import load_spec
>>> spec = load_spec("templates/ecommerce/journey.yml")   # doctest: +SKIP
>>> [s.id for s in spec.stages]                             # doctest: +SKIP
['awareness', 'consideration', 'purchase', 'retention', 'advocacy']
"""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError

from ..errors import Issue, SpecError
from ..files import write_atomically
from .issues import pydantic_issues, reference_issues
from .model import Journey

__all__ = ["load_spec", "parse_spec", "save_spec", "spec_to_data"]


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.allow_duplicate_keys = False
    return yaml


# A spec is a few hundred lines; these bounds only stop text built to exhaust the machine
MAX_SPEC_BYTES = 2_000_000  # a journey.yml larger than this is not a spec
MAX_SPEC_DEPTH = 100  # brackets [ { open at once; a spec nests a few levels
MAX_SPEC_VALUES = 200_000  # values once aliases (``*name``) are expanded: ten aliases of ten aliases… stop here


class _TooLarge(Exception):
    pass


def _plain(node: Any, budget: list[int] | None = None) -> Any:
    """Turn a ruamel tree into plain dicts and lists, expanding at most :data:`MAX_SPEC_VALUES` values."""
    budget = [MAX_SPEC_VALUES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
    if isinstance(node, dict):
        return {str(k): _plain(v, budget) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v, budget) for v in node]
    return node


def _bounds_issue(text: str, file: str) -> Issue | None:
    """Return the issue of a text no spec can be: a NUL byte, or too large (checked before parsing)."""
    if "\x00" in text:
        before = text[:text.index("\x00")]
        column = len(before) - before.rfind("\n")
        return Issue(code="nul_byte", file=file, line=before.count("\n") + 1,
                     problem=f"a NUL byte (a binary zero) at column {column}.",
                     fix="The file is not text: open it in a text editor, delete the character and save as UTF-8.")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_SPEC_BYTES:
        return Issue(code="too_large", file=file,
                     problem=f"the spec is larger than {MAX_SPEC_BYTES // 1_000_000} MB.",
                     fix="A spec describes the journey; data belongs in the files under data/ that `sources:` names.")
    depth = 0
    for bracket in re.finditer(r"[\[\]{}]", text):
        depth = max(depth + (1 if bracket.group() in "[{" else -1), 0)
        if depth > MAX_SPEC_DEPTH:
            return _too_deep(file, text.count("\n", 0, bracket.start()) + 1, brackets=True)
    return None


def _spec_path(path: str | os.PathLike) -> Path:
    """The spec file of ``path``: itself, or the ``journey.yml`` of a project folder.

    Raises a SpecError when ``path`` is a folder named like a spec (a ``journey.yml`` that is a folder).
    """
    path = Path(path)
    if path.is_dir() and not (path / "journey.yml").exists() and path.name.endswith((".yml", ".yaml")):
        raise SpecError([Issue(code="not_a_file", file=str(path), problem="this is a folder, not a spec file.",
                               fix="Move the folder away and put the project's journey.yml in its place.")])
    return path / "journey.yml" if path.is_dir() else path


def _too_deep(file: str, line: int | None = None, *, brackets: bool = False) -> Issue:
    problem = (f"more than {MAX_SPEC_DEPTH} brackets [ or braces {{ are open at once." if brackets
               else "the spec nests lists or mappings too deeply to be read.")
    return Issue(code="too_deep", file=file, line=line, problem=problem,
                 fix="A spec nests a few levels; check the brackets [ ], braces { } and aliases (*name).")


def parse_spec(text: str, *, file: str = "journey.yml") -> tuple[Journey, Any]:
    """Parse spec text; return the model and the round-trip YAML tree (for saving with comments).

    Parameters
    ----------
    text
        The YAML text of a spec.
    file
        The file name the issues name (``journey.yml`` by default).

    Raises
    ------
    SpecError
        Listing every problem found, each with its line.
    """
    issue = _bounds_issue(text, file)
    if issue is not None:
        raise SpecError([issue])
    try:
        root = _yaml().load(text)
    except RecursionError:
        raise SpecError([_too_deep(file)]) from None
    except DuplicateKeyError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SpecError([Issue(code="duplicate_key", file=file, line=line,
                               problem=f"a key appears twice in the same mapping ({exc.problem}).",
                               fix="Keep one of them and delete the other.")]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SpecError([Issue(code="invalid_yaml", file=file, line=line,
                               problem=f"this is not valid YAML: {exc.problem or exc.context}.",
                               fix="Check the indentation (spaces, not tabs) and the quotes on this line.")]) from None
    if root is None:
        raise SpecError([Issue(code="empty_spec", file=file, problem="the spec is empty.",
                               fix="Start from a template: cjm new DIR --template ecommerce.")])
    if not isinstance(root, dict):
        raise SpecError([Issue(code="not_a_mapping", file=file, line=1,
                               problem="the spec must be a mapping of sections (project:, goals:, stages:, ...).",
                               fix="Start from a template: cjm new DIR --template ecommerce.")])
    try:
        data = _plain(root)
    except _TooLarge:
        raise SpecError([Issue(code="too_large", file=file,
                               problem=f"its aliases (*name) expand to more than {MAX_SPEC_VALUES:,} values.",
                               fix="Write the values out, or use fewer aliases of aliases.")]) from None
    except RecursionError:
        raise SpecError([_too_deep(file)]) from None
    issues: list[Issue] = []
    spec = None
    try:
        spec = Journey.model_validate(data)
    except ValidationError as err:
        issues.extend(pydantic_issues(err, root, file))
    issues.extend(reference_issues(data, root, file))
    if issues:
        issues.sort(key=lambda i: (i.line or 0))
        raise SpecError(issues)
    return spec, root


def load_spec(path: str | os.PathLike, *, with_tree: bool = False):
    """Load and validate ``journey.yml``.

    Parameters
    ----------
    path
        The spec file, or a journey project folder holding ``journey.yml``.
    with_tree
        Also return the round-trip YAML tree, to save later with comments kept.

    Returns
    -------
    Journey, or (Journey, tree) when ``with_tree`` is true.
    """
    path = _spec_path(path)
    if not path.exists():
        raise SpecError([Issue(code="missing_file", file=str(path), problem="the spec file does not exist.",
                               fix="Create a project with: cjm new DIR --template ecommerce.")])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError([Issue(code="bad_encoding", file=path.name,
                               problem=f"the file is not UTF-8 text (byte {exc.start}).",
                               fix="Save it as UTF-8 in your editor.")]) from None
    spec, tree = parse_spec(text, file=path.name)
    return (spec, tree) if with_tree else spec


def spec_to_data(spec: Journey) -> dict:
    """Return the spec as plain data, leaving out defaults that were never written.

    Parameters
    ----------
    spec
        The validated spec.
    """
    return spec.model_dump(mode="json", exclude_defaults=True)


def _merge(tree: Any, full: Any, sparse: Any) -> Any:
    """Update a round-trip tree in place, keeping comments and the keys the consultant wrote.

    ``full`` is the whole model dump; ``sparse`` leaves out defaults. A key already in the file is
    updated (even to its default); a key not in the file is added only when it is not a default.
    """
    if isinstance(tree, CommentedMap) and isinstance(full, dict):
        sparse = sparse if isinstance(sparse, dict) else {}
        for key in [k for k in tree if k not in full]:
            del tree[key]
        for key, value in full.items():
            if key in tree:
                tree[key] = _merge(tree[key], value, sparse.get(key))
            elif key in sparse:
                tree[key] = sparse[key]
        return tree
    if isinstance(tree, CommentedSeq) and isinstance(full, list):
        sparse = sparse if isinstance(sparse, list) else [None] * len(full)
        for i, value in enumerate(full):
            if i < len(tree):
                tree[i] = _merge(tree[i], value, sparse[i] if i < len(sparse) else None)
            else:
                tree.append(sparse[i] if i < len(sparse) and sparse[i] is not None else value)
        del tree[len(full):]
        return tree
    if isinstance(full, list) and full == [tree]:
        return tree  # a one-item list the consultant wrote as a single value
    return full if tree != full else tree


def save_spec(spec: Journey, path: str | os.PathLike, *, tree: Any = None, backup: bool = True) -> Path:
    """Write ``journey`` to ``path`` atomically, keeping the comments of ``tree`` (or of the file on disk).

    The spec is validated again from the text about to be written; on any problem nothing
    is written. With ``backup`` the previous file is kept as ``journey.yml.<timestamp>.bak``.
    """
    path = _spec_path(path)
    if tree is None and path.exists():
        tree = _yaml().load(path.read_text(encoding="utf-8-sig"))
    sparse = spec_to_data(spec)
    tree = _merge(tree, spec.model_dump(mode="json"), sparse) if tree is not None else sparse
    buf = io.StringIO()
    _yaml().dump(tree, buf)
    text = buf.getvalue()
    parse_spec(text, file=path.name)  # never write a spec that does not load back
    if backup and path.exists():
        stamp = time.strftime("%Y%m%d-%H%M%S")
        bak = path.with_name(f"{path.name}.{stamp}.bak")
        n = 1
        while bak.exists():
            bak = path.with_name(f"{path.name}.{stamp}-{n}.bak")
            n += 1
        bak.write_bytes(path.read_bytes())
    return write_atomically(path, text)
