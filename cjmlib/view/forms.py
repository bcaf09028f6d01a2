"""The form of one entry of the journey spec: ipywidgets built from the entry's model fields.

:func:`build_form` turns an entry (a goal, a persona, a lane…) into an :class:`ItemForm`:

- text fields are text boxes; lists of text are text areas, one item per line;
- a reference to a stage or a persona is a drop-down, a list of references a multiple selection;
- the emotion hypothesis of a lane is a slider from -2 to +2;
- optional numbers are text boxes (empty means "not set").

:meth:`ItemForm.read` gives the entry's data back as the widgets hold it, with an issue for every
field that cannot be read; :class:`cjmlib.view.widgets.SpecEditor` puts the forms together.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w
from pydantic import BaseModel

from ..errors import Issue
from ..spec.issues import dotted
from ..spec.model import (
    KPI,
    Goal,
    Journey,
    Lane,
    Opportunity,
    PainPoint,
    Persona,
    Stage,
    Theme,
    Touchpoint,
)

__all__ = [
    "FIELD_LAYOUT",
    "FIELD_STYLE",
    "SECTIONS",
    "SPEC_FILE",
    "ItemForm",
    "build_form",
    "entries",
    "entry_label",
    "put_entry",
]

SPEC_FILE = "journey.yml"
#: section -> tab title, entry label, model of an entry
SECTIONS: dict[str, tuple[str, str, type[BaseModel]]] = {
    "goals": ("Goals", "Goal", Goal), "kpis": ("KPIs", "KPI", KPI), "personas": ("Personas", "Persona", Persona),
    "stages": ("Stages", "Stage", Stage), "touchpoints": ("Touchpoints", "Touchpoint", Touchpoint),
    "lanes": ("Lanes", "Stage — persona", Lane), "pain_points": ("Pain points", "Pain point", PainPoint),
    "opportunities": ("Opportunities", "Opportunity", Opportunity), "themes": ("Codebook", "Theme", Theme),
}
_NOT_EDITED = {"goals": ("kpis",), "lanes": ("stage", "persona"),  # KPIs have their tab; a lane is its cell
               "personas": ("day",)}  # the day-in-the-life moments are edited in journey.yml
_REFERENCES = {"stage": "stages", "persona": "personas", "touchpoints": "touchpoints", "touchpoint": "touchpoints",
               "pain_points": "pain_points", "kpis": "kpis", "themes": "themes"}
_LONG_TEXT = {"statement", "description", "quote", "frontstage", "backstage"}
_MATCH_KEYS = ("event", "page", "channel")
#: The layout and label style of every field.
FIELD_LAYOUT = w.Layout(width="48em")
FIELD_STYLE = {"description_width": "11em"}


@dataclass
class ItemForm:
    """The widgets editing one entry of the spec.

    ``widgets`` maps a field name (``"name"``, ``"needs"``; ``"match.event"`` or ``"keywords.fr"``
    for a part of a field) to its widget; ``form["name"]`` is ``form.widgets["name"]``.
    ``location`` is the entry's place in the spec data (``("personas", 0)``); its last part is
    ``None`` for a lane not written yet, which a save adds once it holds something.
    """

    location: tuple
    base: dict
    widgets: dict[str, w.Widget] = field(default_factory=dict)
    readers: dict[str, Callable[[], Any]] = field(default_factory=dict)
    required: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> w.Widget:
        return self.widgets[name]

    @property
    def box(self) -> w.VBox:
        """Return the form's widgets stacked, in the order of the model's fields."""
        return w.VBox(list(self.widgets.values()))

    def read(self) -> tuple[dict, list[Issue]]:
        """Return the entry's data as the widgets hold it, and the problems found reading them.

        A field that cannot be read keeps its value from the spec, so the rest is still checked.
        """
        data, issues = dict(self.base), []
        key = dotted(tuple(p for p in self.location if p is not None))
        for name, reader in self.readers.items():
            try:
                data[name] = reader()
            except ValueError as exc:
                issues.append(Issue(code="bad_value", file=SPEC_FILE, key=f"{key}.{name}", problem=str(exc),
                                    fix="Correct this field, then save again."))
        for name in self.required:
            if not str(data.get(name) or "").strip():
                issues.append(Issue(code="empty_value", file=SPEC_FILE, key=f"{key}.{name}",
                                    problem=f"'{name}' may not be empty.", fix=f"Write a {name}."))
        return data, issues


# ---------------------------------------------------------------- entries of a section

def entries(spec: Journey, section: str) -> dict[Any, tuple[tuple, BaseModel | None]]:
    """Return ``key -> (location in the spec data, entry)`` for the entries of ``section``.

    Parameters
    ----------
    spec
        The spec.
    section
        A key of :data:`SECTIONS`.

    Returns
    -------
    dict
        Keyed by the entry's id, ``(stage, persona)`` for a lane. Every stage × persona cell is a
        lane: one not written yet has the location ``("lanes", None)`` and no entry.
    """
    if section == "kpis":
        return {k.id: (("goals", i, "kpis", j), k) for i, g in enumerate(spec.goals) for j, k in enumerate(g.kpis)}
    if section == "themes":
        return {t.id: (("codebook", "themes", i), t) for i, t in enumerate(spec.codebook.themes)}
    if section == "lanes":
        index = {(ln.stage, ln.persona): i for i, ln in enumerate(spec.lanes)}
        return {(s, p.id): (("lanes", index.get((s, p.id))), spec.lane(s, p.id))
                for p in spec.personas for s in spec.stage_ids}
    return {item.id: ((section, i), item) for i, item in enumerate(getattr(spec, section))}


def entry_label(spec: Journey, section: str, key: Any) -> str:
    """Return how the drop-down of ``section`` names the entry ``key`` of the spec ``journey``.

    Parameters
    ----------
    spec
        The spec.
    section
        A key of :data:`SECTIONS`.
    key
        The entry's id, ``(stage, persona)`` for a lane (shown as "Stage label — persona name").
    """
    if section == "lanes":
        persona = next(p for p in spec.personas if p.id == key[1])
        return f"{spec.stage(key[0]).label} — {persona.name}"
    return str(key)


def _known(spec: Journey, section: str) -> list[str]:
    return [str(k) for k in entries(spec, section)]


def put_entry(data: dict, location: tuple, values: dict) -> None:
    """Write an entry's ``values`` at ``location`` of the spec data; a new lane is added when not empty.

    Parameters
    ----------
    data
        The spec as plain data (``Journey.model_dump(mode="json")``), changed in place.
    location
        The entry's place in ``data`` (:attr:`ItemForm.location`).
    values
        The entry's data.
    """
    parent = data
    for part in location[:-1]:
        parent = parent[part]
    if location[-1] is not None:
        parent[location[-1]] = values
    elif values.get("actions") or values.get("thoughts") or values.get("emotion"):
        parent.append(values)


# ---------------------------------------------------------------- building a form from a model

def build_form(spec: Journey, section: str, location: tuple, item: BaseModel | None, base: dict) -> ItemForm:
    """Return the form of one entry: one widget (or a few) per field of the entry's model.

    Parameters
    ----------
    spec
        The spec (the choices of the drop-downs of references).
    section
        A key of :data:`SECTIONS`.
    location
        The entry's place in the spec data, as :func:`entries` gives it.
    item
        The entry; None for a lane not written yet.
    base
        The fields of an entry not written yet (the stage and persona of a new lane).
    """
    model = SECTIONS[section][2]
    form = ItemForm(location=location, base=item.model_dump(mode="json") if item is not None else dict(base))
    for name, info in model.model_fields.items():
        if name in _NOT_EDITED.get(section, ()):
            continue
        value = getattr(item, name) if item is not None else info.get_default(call_default_factory=True)
        _add_field(form, spec, name, info, value)
        if info.is_required() and info.annotation is str:
            form.required += (name,)
    return form


def _add_field(form: ItemForm, spec: Journey, name: str, info, value: Any) -> None:
    label = name.replace("_", " ").capitalize()
    ann = info.annotation
    optional = type(None) in typing.get_args(ann)
    if name == "match":
        _add_match(form, value)
    elif name == "rule":
        _add_rule(form, value)
    elif name == "keywords":
        _add_keywords(form, spec, value)
    elif name in _REFERENCES and typing.get_origin(ann) is tuple:
        known = _known(spec, _REFERENCES[name])
        box = w.SelectMultiple(options=known, value=[v for v in value if v in known], description=label,
                               rows=min(max(len(known), 2), 6), layout=FIELD_LAYOUT, style=FIELD_STYLE)
        form.widgets[name], form.readers[name] = box, lambda: list(box.value)
    elif name in _REFERENCES:
        known = _known(spec, _REFERENCES[name])
        options = [("(none)", ""), *((k, k) for k in known)] if optional else known
        box = w.Dropdown(options=options, value=value or "", description=label, layout=FIELD_LAYOUT, style=FIELD_STYLE)
        form.widgets[name] = box
        form.readers[name] = (lambda: box.value or None) if optional else (lambda: box.value)
    elif typing.get_origin(ann) is typing.Literal:
        box = w.Dropdown(options=list(typing.get_args(ann)), value=value, description=label, layout=FIELD_LAYOUT,
                         style=FIELD_STYLE)
        form.widgets[name], form.readers[name] = box, lambda: box.value
    elif ann is int:
        bounds = {type(m).__name__: m for m in info.metadata}
        box = w.IntSlider(value=value, min=bounds["Ge"].ge, max=bounds["Le"].le, description=label,
                          style=FIELD_STYLE) if {"Ge", "Le"} <= set(bounds) else w.IntText(value=value, description=label)
        form.widgets[name], form.readers[name] = box, lambda: box.value
    elif typing.get_origin(ann) is tuple:
        box = _lines_box(value, label)
        form.widgets[name], form.readers[name] = box, lambda: _lines(box.value)
    elif float in typing.get_args(ann):
        box = w.Text(value="" if value is None else f"{value:g}", description=label, placeholder="not set",
                     layout=FIELD_LAYOUT, style=FIELD_STYLE)
        form.widgets[name], form.readers[name] = box, lambda: _number(box.value, name)
    else:
        kind = w.Textarea if name in _LONG_TEXT else w.Text
        box = kind(value=value or "", description=label, layout=FIELD_LAYOUT, style=FIELD_STYLE)
        form.widgets[name], form.readers[name] = box, lambda: box.value.strip()


def _add_match(form: ItemForm, value) -> None:
    """The events rule of a touchpoint: event names, page patterns and channels, one per line."""
    boxes = {k: _lines_box(getattr(value, k) if value is not None else (), f"Match {k}") for k in _MATCH_KEYS}
    form.widgets.update({f"match.{k}": box for k, box in boxes.items()})

    def read():
        rule = {k: _lines(box.value) for k, box in boxes.items() if _lines(box.value)}
        return rule or None
    form.readers["match"] = read


def _add_rule(form: ItemForm, value) -> None:
    """A persona's users in the events: one ``column: value, value`` per line."""
    text = "\n".join(f"{col}: {v if isinstance(v, str) else ', '.join(v)}" for col, v in (value or {}).items())
    box = w.Textarea(value=text, description="Rule", placeholder="device: mobile", layout=FIELD_LAYOUT, style=FIELD_STYLE)
    form.widgets["rule"] = box

    def read():
        rule = {}
        for line in _lines(box.value):
            column, sep, values = line.partition(":")
            items = [v.strip() for v in values.split(",") if v.strip()]
            if not sep or not column.strip() or not items:
                raise ValueError(f"rule line '{line}' is not 'column: value' or 'column: value, value'.")
            rule[column.strip()] = items[0] if len(items) == 1 else items
        return rule or None
    form.readers["rule"] = read


def _add_keywords(form: ItemForm, spec: Journey, value: dict) -> None:
    """A theme's keywords: one text area per language, one keyword or pattern per line."""
    languages = list(dict.fromkeys([spec.project.language, "en", "fr", *value]))
    boxes = {lang: _lines_box(value.get(lang, ()), f"Keywords ({lang})") for lang in languages}
    form.widgets.update({f"keywords.{lang}": box for lang, box in boxes.items()})
    form.readers["keywords"] = lambda: {lang: _lines(b.value) for lang, b in boxes.items() if _lines(b.value)}


def _lines_box(values, label: str) -> w.Textarea:
    return w.Textarea(value="\n".join(values), description=label, placeholder="one per line",
                      rows=max(len(values), 2) + 1, layout=FIELD_LAYOUT, style=FIELD_STYLE)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _number(text: str, name: str) -> float | None:
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a number for '{name}'. Write a number such as 0.8, "
                         "or leave it empty.") from None
