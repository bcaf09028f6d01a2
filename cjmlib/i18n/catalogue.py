"""The words of the deliverables in the report's language (en, fr): one catalogue per language, as data.

Every word a client, a trainer or a participant reads lives in ``cjmlib/i18n/<language>/<section>.yml``
(``steps``, ``index``, ``plots``, ``values``, ``columns``, ``exercises``, ``map``, ``segments``, ``planning``,
``publish``, ``metrics``, ``notebooks``, ``tables``…): each file maps a key to a text, a list of texts
or a mapping of keys to texts. The playbook glossary, the YAML keys and the code keep one English vocabulary; only what a
reader sees is translated. A key missing in French falls back to English (and
``tests/unit/i18n`` lists it and fails).

Examples
--------
>>> from cjmlib.i18n.catalogue import say
>>> say("steps", "02-personas", "fr")
'Personas'
>>> say("plots", "breakdown_title", "fr", by="appareil")
'Répartition par appareil'
"""

from __future__ import annotations

import copy
import numbers
import string
from functools import cache
from importlib import resources

from ruamel.yaml import YAML

from .formats import NARROW_SPACE, number, percent

__all__ = ["COLUMN_LABELS", "EXERCISE_TEXTS", "INDEX_LABELS", "LANGUAGES", "PLOT_LABELS", "STEP_TITLES",
           "VALUE_LABELS", "check_language", "column_label", "exercise_text", "index_labels",
           "missing_translations", "number", "percent", "plot_label", "say", "sections", "step_title",
           "value_label", "words"]

LANGUAGES = ("en", "fr")


def check_language(language: str) -> str:
    """Return ``language`` when the deliverables speak it; raise ValueError naming the choices otherwise.

    Parameters
    ----------
    language
        A language code from ``project.language`` (``en`` or ``fr``).
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}; "
                         "set project.language in journey.yml")
    return language


@cache
def _load(language: str, section: str) -> dict:
    """The section's file of ``language`` as read once ({} when the language has no such file)."""
    path = resources.files(__package__) / language / f"{section}.yml"
    if not path.is_file():
        return {}
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise TypeError(f"cjmlib/i18n/{language}/{section}.yml must map keys to texts")
    return {str(k): v for k, v in data.items()}


def sections(language: str = "en") -> list[str]:
    """Return the names of the catalogue's sections in ``language`` (its ``<section>.yml`` files), sorted.

    Parameters
    ----------
    language
        ``en`` or ``fr``.
    """
    folder = resources.files(__package__) / language
    if not folder.is_dir():
        return []
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".yml"))


def words(section: str, language: str = "en") -> dict:
    """Return every text of ``section`` in ``language``, English filling the keys French lacks.

    Nested mappings are merged key by key; the result is a copy the caller may change.

    Parameters
    ----------
    section
        The file name without ``.yml`` (``map``, ``plots``…).
    language
        ``en`` or ``fr``.
    """
    english = _load("en", section)
    if language == "en":
        return copy.deepcopy(english)
    return _merged(english, _load(language, section))


def _merged(english: dict, other: dict) -> dict:
    out = copy.deepcopy(english)
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _lookup(table: dict, key: str):
    if key in table:
        return table[key]
    node = table
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def say(section: str, key: str, language: str = "en", **values) -> str:
    """Return the text ``key`` of ``section`` in ``language``, its ``{fields}`` filled with ``values``.

    A key missing in ``language`` is said in English; ``key`` may name a nested text with dots
    (``lanes.pain_points``).

    Parameters
    ----------
    section
        The catalogue's section: the file name without ``.yml`` (``map``, ``plots``, ``publish``…).
    key
        The text's key in that section.
    language
        ``en`` or ``fr``.
    **values
        The values of the text's ``{fields}``: texts, or numbers that a field's format
        (``{p:.2f}``, ``{n:,}``, ``{share:.1%}``) writes as ``language`` does.

    Examples
    --------
    >>> say("publish", "compared", "fr", date="2026-11-02", run="20261102-0900")
    "Comparaison avec l'exécution du 2026-11-02 (20261102-0900)."
    """
    text = _lookup(_load(language, section), key) if language != "en" else None
    if text is None:
        text = _lookup(_load("en", section), key)
    if not isinstance(text, str):
        known = ", ".join(sorted(k for k, v in _load("en", section).items() if isinstance(v, str))[:20])
        raise KeyError(f"cjmlib/i18n/en/{section}.yml has no text {key!r}" + (f"; texts: {known}…" if known else ""))
    return _NumberFormatter(language).format(text, **values)


class _NumberFormatter(string.Formatter):
    """``str.format`` that writes numbers as the language does: ``{p:.2f}`` gives ``0.23`` in English and
    ``0,23`` in French, ``{n:,}`` ``1,234`` and ``1 234``, ``{s:.1%}`` ``59.1%`` and ``59,1 %``."""

    def __init__(self, language: str):
        self.language = language

    def format_field(self, value, format_spec: str) -> str:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return super().format_field(value, format_spec)
        text = format(value, format_spec)
        if self.language != "fr" or (not format_spec and isinstance(value, numbers.Integral)):
            return text
        text = text.replace(",", NARROW_SPACE).replace(".", ",")
        return text[:-1] + NARROW_SPACE + "%" if text.endswith("%") else text


def missing_translations(language: str = "fr") -> list[str]:
    """Return ``section:key`` of every English text that ``language`` lacks (nested keys joined by dots,
    an item of a list of texts as ``key[i]``).

    Parameters
    ----------
    language
        The language to check against English.
    """
    def walk(english: dict, other: dict, prefix: str) -> list[str]:
        out = []
        for key, value in english.items():
            if isinstance(value, dict):
                out += walk(value, other.get(key) if isinstance(other.get(key), dict) else {}, f"{prefix}{key}.")
            elif isinstance(value, list):
                given = other.get(key) if isinstance(other.get(key), list) else []
                out += [f"{prefix}{key}[{i}]" for i in range(len(value))
                        if i >= len(given) or not str(given[i]).strip()]
            elif not isinstance(other.get(key), str) or not other[key].strip():
                out.append(prefix + key)
        return out

    return [f"{section}:{key}" for section in sections("en")
            for key in walk(_load("en", section), _load(language, section), "")]


def _by_key(section: str) -> dict[str, dict[str, str]]:
    """A section as the former ``{key: {language: text}}`` tables (only the languages that have the key)."""
    table: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        for key, text in _load(language, section).items():
            table.setdefault(key, {})[language] = text
    return table


# The former tables, built from the catalogue's files, so that existing callers keep working
STEP_TITLES = _by_key("steps")
INDEX_LABELS = _by_key("index")
PLOT_LABELS = _by_key("plots")
VALUE_LABELS = _by_key("values")
EXERCISE_TEXTS = _by_key("exercises")
COLUMN_LABELS = {language: _load(language, "columns") for language in LANGUAGES if language != "en"}


def step_title(step: str, language: str = "en") -> str:
    """Return the title of a step's page in ``language`` (English when the language has none).

    Parameters
    ----------
    step
        The step's notebook name (``04-behaviour``).
    language
        ``en`` or ``fr``.
    """
    return say("steps", step, language)


def index_labels(language: str = "en") -> dict[str, str]:
    """Return every label of the index page in ``language``.

    Parameters
    ----------
    language
        ``en`` or ``fr``.
    """
    return words("index", language)


def plot_label(key: str, language: str = "en", **values) -> str:
    """Return the chart label ``key`` in ``language``, its ``{fields}`` filled with ``values``.

    Parameters
    ----------
    key
        The label's key in ``plots.yml``.
    language
        ``en`` or ``fr``.
    **values
        The values of the label's fields.
    """
    return say("plots", key, language, **values)


def value_label(value, language: str = "en") -> str:
    """Return a data value or column name as a reader of ``language`` expects it (itself when untranslated).

    Parameters
    ----------
    value
        The value (``desktop``, ``True``…) or column name.
    language
        ``en`` or ``fr``.
    """
    return _load(language, "values").get(str(value)) or _load("en", "values").get(str(value)) or str(value)


def column_label(name, language: str = "en") -> str:
    """Return a table's column header as a reader of ``language`` expects it (the name when untranslated).

    Parameters
    ----------
    name
        The column's name.
    language
        ``en`` or ``fr``.
    """
    return _load(language, "columns").get(str(name)) or str(name)


def exercise_text(key: str, language: str = "en", **values) -> str:
    """Return what an exercise check says for ``key`` in ``language``, its ``{fields}`` filled with ``values``.

    Parameters
    ----------
    key
        The text's key in ``exercises.yml``.
    language
        ``en`` or ``fr``.
    **values
        The values of the text's fields.
    """
    return say("exercises", key, language, **values)
