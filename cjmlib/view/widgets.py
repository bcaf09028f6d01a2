"""Edit the journey spec live in JupyterLab: ipywidgets forms that validate, then save atomically.

:class:`SpecEditor` shows one tab per section of ``journey.yml`` (goals, KPIs, personas, stages,
touchpoints, lanes, pain points, opportunities, codebook themes). Each tab picks one entry and
shows a small form built from the entry's model fields:

- text fields are text boxes; lists of text are text areas, one item per line;
- a reference to a stage or a persona is a drop-down, a list of references a multiple selection;
- the emotion hypothesis of a lane is a slider from -2 to +2;
- optional numbers are text boxes (empty means "not set").

**Save** validates the whole spec first: on any problem the status line lists every one of them
and nothing is written. A valid save replaces ``journey.yml`` atomically, keeps the consultant's
comments and leaves the previous file as ``journey.yml.<timestamp>.bak``. **Undo** puts back the
file as it was before the last save of this editor. **Run step** re-runs one playbook step.

The logic runs without a browser: set a widget's ``value`` and call ``click()`` on a button.

Examples
--------
>>> editor = SpecEditor("demo")                                   # doctest: +SKIP
>>> editor.persona_form("busy-parent")["name"].value = "Claire"   # doctest: +SKIP
>>> editor.save_button.click()                                    # doctest: +SKIP
>>> editor.undo_button.click()                                    # doctest: +SKIP
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import os
import tempfile
import time
import typing
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import ipywidgets as w
from pydantic import BaseModel

from ..errors import CjmError, Issue, SpecError
from ..run.runner import STEPS
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
    load_spec,
    parse_spec,
    save_spec,
)

__all__ = ["ItemForm", "SpecEditor"]

SPEC_FILE = "journey.yml"
_SECTIONS: dict[str, tuple[str, str, type[BaseModel]]] = {  # section -> tab title, entry label, model
    "goals": ("Goals", "Goal", Goal), "kpis": ("KPIs", "KPI", KPI), "personas": ("Personas", "Persona", Persona),
    "stages": ("Stages", "Stage", Stage), "touchpoints": ("Touchpoints", "Touchpoint", Touchpoint),
    "lanes": ("Lanes", "Stage — persona", Lane), "pain_points": ("Pain points", "Pain point", PainPoint),
    "opportunities": ("Opportunities", "Opportunity", Opportunity), "themes": ("Codebook", "Theme", Theme),
}
_NOT_EDITED = {"goals": ("kpis",), "lanes": ("stage", "persona"),  # KPIs have their tab; a lane is its cell
               "personas": ("day",)}  # the day-in-the-life moments are edited in journey.yml
_REFERENCES = {"stage": "stages", "persona": "personas", "touchpoints": "touchpoints",
               "pain_points": "pain_points", "kpis": "kpis", "themes": "themes"}
_LONG_TEXT = {"statement", "description", "quote", "frontstage", "backstage"}
_MATCH_KEYS = ("event", "page", "channel")
_WIDE = w.Layout(width="48em")
_STYLE = {"description_width": "11em"}


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
        key = _dotted(self.location)
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


class SpecEditor:
    """Editors for the journey spec of ``project_dir``, with Save, Undo, Reload and Run step.

    Parameters
    ----------
    project_dir
        The journey project folder (holding ``journey.yml``).
    rerun
        Called as ``rerun(project_dir, only="04")`` by the Run step button; defaults to
        :func:`cjmlib.runner.run_playbook`.

    Attributes
    ----------
    widget
        The whole editor (tabs, buttons, status line); a notebook cell ending with the editor shows it.
    issues
        The problems that stopped the last save (empty after a good one).
    """

    def __init__(self, project_dir: str | os.PathLike, *, rerun: Callable[..., Any] | None = None):
        self.project_dir = Path(project_dir).resolve()
        self.path = self.project_dir / SPEC_FILE
        self.issues: tuple[Issue, ...] = ()
        self._rerun = rerun
        self._undo: list[Path] = []
        self.status = w.HTML()
        self.save_button = w.Button(description="Save", button_style="primary", icon="save")
        self.undo_button = w.Button(description="Undo last save", icon="undo")
        self.reload_button = w.Button(description="Reload", icon="refresh",
                                      tooltip="read journey.yml again; unsaved edits are dropped")
        self.step = w.Dropdown(options=[(f"{s.number} {s.title}", s.number) for s in STEPS], value="04",
                               description="Step", layout=w.Layout(width="24em"))
        self.run_button = w.Button(description="Run step", icon="play")
        self.save_button.on_click(lambda _: self.save())
        self.undo_button.on_click(lambda _: self.undo())
        self.reload_button.on_click(lambda _: self.reload())
        self.run_button.on_click(lambda _: self.run_step())
        self._selectors = {s: w.Dropdown(description=label, layout=_WIDE, style=_STYLE)
                           for s, (_, label, _) in _SECTIONS.items()}
        self._panes = {s: w.VBox() for s in _SECTIONS}
        for section, selector in self._selectors.items():
            selector.observe(lambda change, s=section: self._show(s), names="value")
        self.tabs = w.Tab(children=[w.VBox([self._selectors[s], self._panes[s]]) for s in _SECTIONS],
                          titles=[title for title, _, _ in _SECTIONS.values()])
        buttons = w.HBox([self.save_button, self.undo_button, self.reload_button, self.step, self.run_button])
        self.widget = w.VBox([self.tabs, buttons, self.status])
        self.reload(message=f"Editing {self.path}.")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ------------------------------------------------------------ forms

    def form(self, section: str, key: Any) -> ItemForm:
        """Return the form of entry ``key`` (its id; ``(stage, persona)`` for a lane) of ``section``."""
        if (section, key) not in self._forms:
            entries = _entries(self.journey, section)
            if key not in entries:
                known = ", ".join(str(k) for k in entries) or "none"
                raise KeyError(f"{section} has no entry {key!r}; known: {known}")
            location, item = entries[key]
            base = {"stage": key[0], "persona": key[1]} if section == "lanes" else {}
            self._forms[section, key] = _build_form(self.journey, section, location, item, base)
        return self._forms[section, key]

    def goal_form(self, goal_id: str) -> ItemForm:
        """Return the form of a goal."""
        return self.form("goals", goal_id)

    def kpi_form(self, kpi_id: str) -> ItemForm:
        """Return the form of a KPI."""
        return self.form("kpis", kpi_id)

    def persona_form(self, persona_id: str) -> ItemForm:
        """Return the form of a persona."""
        return self.form("personas", persona_id)

    def stage_form(self, stage_id: str) -> ItemForm:
        """Return the form of a stage."""
        return self.form("stages", stage_id)

    def touchpoint_form(self, touchpoint_id: str) -> ItemForm:
        """Return the form of a touchpoint."""
        return self.form("touchpoints", touchpoint_id)

    def lane_form(self, stage: str, persona: str) -> ItemForm:
        """Return the form of the lane cell of ``stage`` and ``persona`` (actions, thoughts, emotion)."""
        return self.form("lanes", (stage, persona))

    def pain_point_form(self, pain_point_id: str) -> ItemForm:
        """Return the form of a pain point."""
        return self.form("pain_points", pain_point_id)

    def opportunity_form(self, opportunity_id: str) -> ItemForm:
        """Return the form of an opportunity."""
        return self.form("opportunities", opportunity_id)

    def theme_form(self, theme_id: str) -> ItemForm:
        """Return the form of a codebook theme."""
        return self.form("themes", theme_id)

    def _show(self, section: str) -> None:
        key = self._selectors[section].value
        self._panes[section].children = [self.form(section, key).box] if key is not None else []

    # ------------------------------------------------------------ actions

    def edited(self) -> Journey:
        """Return the spec as the forms hold it, validated.

        Raises
        ------
        SpecError
            Listing every problem: unreadable or empty fields, then the spec's own checks.
        """
        data = self.journey.model_dump(mode="json")
        issues: list[Issue] = []
        for form in self._forms.values():
            values, found = form.read()
            issues.extend(found)
            _put(data, form.location, values)
        try:
            journey, _ = parse_spec(json.dumps(data), file=SPEC_FILE)
        except SpecError as exc:  # lines would point into the generated text, not the file
            issues.extend(replace(i, line=None) for i in exc.issues)
        if issues:
            raise SpecError(issues)
        return journey

    def save(self) -> bool:
        """Validate the edits and write ``journey.yml``; return whether it was written."""
        try:
            journey = self.edited()
            if journey == self.journey:
                self._report("Nothing to save: the spec is unchanged.")
                return False
            self._check_unchanged_on_disk()
            before = set(_backups(self.path))
            save_spec(journey, self.path, tree=copy.deepcopy(self._tree), backup=True)
        except SpecError as exc:
            self.issues = exc.issues
            self._report(f"<b>Not saved</b>: {html.escape(exc.headline)}; journey.yml is unchanged."
                         + _issue_list(exc.issues), error=True)
            return False
        backup = sorted(set(_backups(self.path)) - before)
        self._undo.extend(backup)
        self.reload(message=f"Saved {SPEC_FILE} at {time.strftime('%H:%M:%S')}"
                            + (f"; the previous version is kept as {html.escape(backup[-1].name)}." if backup else "."))
        return True

    def undo(self) -> bool:
        """Put back ``journey.yml`` as it was before this editor's last save; return whether it did."""
        if not self._undo:
            self._report("Nothing to undo: no save was made from this editor.")
            return False
        backup = self._undo.pop()
        _write_atomically(self.path, backup.read_bytes())
        self.reload(message=f"Undone: {SPEC_FILE} is back to {html.escape(backup.name)}.")
        return True

    def reload(self, *, message: str = "") -> None:
        """Read ``journey.yml`` again and rebuild the forms; unsaved edits are dropped."""
        self.journey, self._tree = load_spec(self.path, with_tree=True)
        self._digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        self._forms: dict[tuple[str, Any], ItemForm] = {}
        self.issues = ()
        for section, selector in self._selectors.items():
            previous = selector.value
            selector.options = [(_label(self.journey, section, k), k) for k in _entries(self.journey, section)]
            keys = [v for _, v in selector.options]
            selector.value = previous if previous in keys else (keys[0] if keys else None)
            self._show(section)
        self._report(message or f"Reloaded {SPEC_FILE}.")

    def run_step(self) -> Any:
        """Re-run the playbook step chosen in the Step drop-down on the saved spec; return its result."""
        rerun = self._rerun
        if rerun is None:
            from ..run.runner import run_playbook as rerun
        self._report(f"Running step {self.step.value}…")
        try:
            result = rerun(self.project_dir, only=self.step.value)
        except CjmError as exc:
            self._report(f"<b>Step {self.step.value} failed</b>:<pre>{html.escape(str(exc))}</pre>", error=True)
            return None
        run = getattr(result, "run_id", None)
        self._report(f"Step {self.step.value} ran on the saved spec" + (f" (run {html.escape(run)})." if run else "."))
        return result

    def _check_unchanged_on_disk(self) -> None:
        if hashlib.sha256(self.path.read_bytes()).hexdigest() != self._digest:
            raise SpecError([Issue(code="changed_on_disk", file=SPEC_FILE,
                                   problem="the file was changed by another program since the editor read it.",
                                   fix="Click Reload (edits not saved here are dropped), then edit again.")])

    def _report(self, message: str, *, error: bool = False) -> None:
        color = "#b00020" if error else "#1b5e20"
        self.status.value = f'<div style="color:{color}">{message}</div>'


# ---------------------------------------------------------------- entries of a section

def _entries(journey: Journey, section: str) -> dict[Any, tuple[tuple, BaseModel | None]]:
    """Return ``key -> (location in the spec data, entry)`` for the entries of ``section``."""
    if section == "kpis":
        return {k.id: (("goals", i, "kpis", j), k) for i, g in enumerate(journey.goals) for j, k in enumerate(g.kpis)}
    if section == "themes":
        return {t.id: (("codebook", "themes", i), t) for i, t in enumerate(journey.codebook.themes)}
    if section == "lanes":
        index = {(ln.stage, ln.persona): i for i, ln in enumerate(journey.lanes)}
        return {(s, p.id): (("lanes", index.get((s, p.id))), journey.lane(s, p.id))
                for p in journey.personas for s in journey.stage_ids}
    return {item.id: ((section, i), item) for i, item in enumerate(getattr(journey, section))}


def _label(journey: Journey, section: str, key: Any) -> str:
    if section == "lanes":
        persona = next(p for p in journey.personas if p.id == key[1])
        return f"{journey.stage(key[0]).label} — {persona.name}"
    return str(key)


def _known(journey: Journey, section: str) -> list[str]:
    return [str(k) for k in _entries(journey, section)]


def _put(data: dict, location: tuple, values: dict) -> None:
    """Write an entry's ``values`` at ``location`` of the spec data; a new lane is added when not empty."""
    parent = data
    for part in location[:-1]:
        parent = parent[part]
    if location[-1] is not None:
        parent[location[-1]] = values
    elif values.get("actions") or values.get("thoughts") or values.get("emotion"):
        parent.append(values)


def _dotted(location: tuple) -> str:
    head, *rest = [p for p in location if p is not None]
    return str(head) + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest)


def _backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.*.bak"))


def _write_atomically(path: Path, content: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".journey-", suffix=".yml", dir=path.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    os.replace(tmp, path)


def _issue_list(issues) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(str(i))}</li>" for i in issues) + "</ul>"


# ---------------------------------------------------------------- building a form from a model

def _build_form(journey: Journey, section: str, location: tuple, item: BaseModel | None, base: dict) -> ItemForm:
    """Return the form of one entry: one widget (or a few) per field of the entry's model.

    ``base`` holds the fields of an entry not written yet (the stage and persona of a new lane).
    """
    model = _SECTIONS[section][2]
    form = ItemForm(location=location, base=item.model_dump(mode="json") if item is not None else dict(base))
    for name, info in model.model_fields.items():
        if name in _NOT_EDITED.get(section, ()):
            continue
        value = getattr(item, name) if item is not None else info.get_default(call_default_factory=True)
        _add_field(form, journey, name, info, value)
        if info.is_required() and info.annotation is str:
            form.required += (name,)
    return form


def _add_field(form: ItemForm, journey: Journey, name: str, info, value: Any) -> None:
    label = name.replace("_", " ").capitalize()
    ann = info.annotation
    optional = type(None) in typing.get_args(ann)
    if name == "match":
        _add_match(form, value)
    elif name == "rule":
        _add_rule(form, value)
    elif name == "keywords":
        _add_keywords(form, journey, value)
    elif name in _REFERENCES and typing.get_origin(ann) is tuple:
        known = _known(journey, _REFERENCES[name])
        box = w.SelectMultiple(options=known, value=[v for v in value if v in known], description=label,
                               rows=min(max(len(known), 2), 6), layout=_WIDE, style=_STYLE)
        form.widgets[name], form.readers[name] = box, lambda: list(box.value)
    elif name in _REFERENCES:
        options = ([("(none)", "")] if optional else []) + _known(journey, _REFERENCES[name])
        box = w.Dropdown(options=options, value=value or "", description=label, layout=_WIDE, style=_STYLE)
        form.widgets[name] = box
        form.readers[name] = (lambda: box.value or None) if optional else (lambda: box.value)
    elif typing.get_origin(ann) is typing.Literal:
        box = w.Dropdown(options=list(typing.get_args(ann)), value=value, description=label, layout=_WIDE,
                         style=_STYLE)
        form.widgets[name], form.readers[name] = box, lambda: box.value
    elif ann is int:
        bounds = {type(m).__name__: m for m in info.metadata}
        box = w.IntSlider(value=value, min=bounds["Ge"].ge, max=bounds["Le"].le, description=label,
                          style=_STYLE) if {"Ge", "Le"} <= set(bounds) else w.IntText(value=value, description=label)
        form.widgets[name], form.readers[name] = box, lambda: box.value
    elif typing.get_origin(ann) is tuple:
        box = _lines_box(value, label)
        form.widgets[name], form.readers[name] = box, lambda: _lines(box.value)
    elif float in typing.get_args(ann):
        box = w.Text(value="" if value is None else f"{value:g}", description=label, placeholder="not set",
                     layout=_WIDE, style=_STYLE)
        form.widgets[name], form.readers[name] = box, lambda: _number(box.value, name)
    else:
        kind = w.Textarea if name in _LONG_TEXT else w.Text
        box = kind(value=value or "", description=label, layout=_WIDE, style=_STYLE)
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
    box = w.Textarea(value=text, description="Rule", placeholder="device: mobile", layout=_WIDE, style=_STYLE)
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


def _add_keywords(form: ItemForm, journey: Journey, value: dict) -> None:
    """A theme's keywords: one text area per language, one keyword or pattern per line."""
    languages = list(dict.fromkeys([journey.project.language, "en", "fr", *value]))
    boxes = {lang: _lines_box(value.get(lang, ()), f"Keywords ({lang})") for lang in languages}
    form.widgets.update({f"keywords.{lang}": box for lang, box in boxes.items()})
    form.readers["keywords"] = lambda: {lang: _lines(b.value) for lang, b in boxes.items() if _lines(b.value)}


def _lines_box(values, label: str) -> w.Textarea:
    return w.Textarea(value="\n".join(values), description=label, placeholder="one per line",
                      rows=max(len(values), 2) + 1, layout=_WIDE, style=_STYLE)


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
