"""Edit the journey spec live in JupyterLab: ipywidgets forms that validate, then save atomically.

:class:`SpecEditor` shows one tab per section of ``journey.yml`` (goals, KPIs, personas, stages,
touchpoints, lanes, pain points, opportunities, codebook themes). Each tab picks one entry and
shows a small form built from the entry's model fields (:mod:`cjmlib.view.forms`).

**Save** validates the whole spec first: on any problem the status line lists every one of them
and nothing is written. A valid save replaces ``journey.yml`` atomically, keeps the consultant's
comments and leaves the previous file as ``journey.yml.<timestamp>.bak``. **Undo** puts back the
file as it was before the last save of this editor. **Run step** re-runs one playbook step with
the run function the editor was given (``rerun=cjmlib.run.runner.run_playbook`` in the workbench).

The logic runs without a browser: set a widget's ``value`` and call ``click()`` on a button.

Examples
--------
>>> from cjmlib.run.runner import run_playbook                    # doctest: +SKIP
>>> editor = SpecEditor("demo", rerun=run_playbook)               # doctest: +SKIP
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
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..errors import CjmError, Issue, SpecError
from ..files import write_atomically
from ..i18n.catalogue import STEP_TITLES, step_title
from ..spec.io import load_spec, parse_spec, save_spec
from ..spec.model import Journey
from .forms import (
    FIELD_LAYOUT,
    FIELD_STYLE,
    SECTIONS,
    SPEC_FILE,
    ItemForm,
    build_form,
    entries,
    entry_label,
    put_entry,
)

__all__ = ["SpecEditor"]


class SpecEditor:
    """Editors for the journey spec of ``project_dir``, with Save, Undo, Reload and Run step.

    Parameters
    ----------
    project_dir
        The journey project folder (holding ``journey.yml``).
    rerun
        Called as ``rerun(project_dir, only="04")`` by the Run step button, usually
        :func:`cjmlib.run.runner.run_playbook` (the workbench notebook passes it). Without it the
        button is disabled: the editor only edits the spec.

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
        steps = [name.split("-", 1)[0] for name in STEP_TITLES]  # the playbook's steps, in order
        self.step = w.Dropdown(options=[(f"{number} {step_title(name)}", number)
                                        for number, name in zip(steps, STEP_TITLES, strict=True)],
                               value="04", description="Step", layout=w.Layout(width="24em"))
        self.run_button = w.Button(description="Run step", icon="play", disabled=rerun is None,
                                   tooltip="" if rerun else "this editor was opened without a run function")
        self.save_button.on_click(lambda _: self.save())
        self.undo_button.on_click(lambda _: self.undo())
        self.reload_button.on_click(lambda _: self.reload())
        self.run_button.on_click(lambda _: self.run_step())
        self._selectors = {s: w.Dropdown(description=label, layout=FIELD_LAYOUT, style=FIELD_STYLE)
                           for s, (_, label, _) in SECTIONS.items()}
        self._panes = {s: w.VBox() for s in SECTIONS}
        for section, selector in self._selectors.items():
            selector.observe(lambda change, s=section: self._show(s), names="value")
        self.tabs = w.Tab(children=[w.VBox([self._selectors[s], self._panes[s]]) for s in SECTIONS],
                          titles=[title for title, _, _ in SECTIONS.values()])
        buttons = w.HBox([self.save_button, self.undo_button, self.reload_button, self.step, self.run_button])
        self.widget = w.VBox([self.tabs, buttons, self.status])
        self.reload(message=f"Editing {self.path}.")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ------------------------------------------------------------ forms

    def form(self, section: str, key: Any) -> ItemForm:
        """Return the form of entry ``key`` (its id; ``(stage, persona)`` for a lane) of ``section``."""
        if (section, key) not in self._forms:
            found = entries(self.spec, section)
            if key not in found:
                known = ", ".join(str(k) for k in found) or "none"
                raise KeyError(f"{section} has no entry {key!r}; known: {known}")
            location, item = found[key]
            base = {"stage": key[0], "persona": key[1]} if section == "lanes" else {}
            self._forms[section, key] = build_form(self.spec, section, location, item, base)
        return self._forms[section, key]

    def goal_form(self, goal_id: str) -> ItemForm:
        """Return the form of the goal whose id is ``goal_id``."""
        return self.form("goals", goal_id)

    def kpi_form(self, kpi_id: str) -> ItemForm:
        """Return the form of the KPI whose id is ``kpi_id``."""
        return self.form("kpis", kpi_id)

    def persona_form(self, persona_id: str) -> ItemForm:
        """Return the form of the persona whose id is ``persona_id``."""
        return self.form("personas", persona_id)

    def stage_form(self, stage_id: str) -> ItemForm:
        """Return the form of the stage whose id is ``stage_id``."""
        return self.form("stages", stage_id)

    def touchpoint_form(self, touchpoint_id: str) -> ItemForm:
        """Return the form of the touchpoint whose id is ``touchpoint_id``."""
        return self.form("touchpoints", touchpoint_id)

    def lane_form(self, stage: str, persona: str) -> ItemForm:
        """Return the form of the lane cell of ``stage`` and ``persona`` (actions, thoughts, emotion)."""
        return self.form("lanes", (stage, persona))

    def pain_point_form(self, pain_point_id: str) -> ItemForm:
        """Return the form of the pain point whose id is ``pain_point_id``."""
        return self.form("pain_points", pain_point_id)

    def opportunity_form(self, opportunity_id: str) -> ItemForm:
        """Return the form of the opportunity whose id is ``opportunity_id``."""
        return self.form("opportunities", opportunity_id)

    def theme_form(self, theme_id: str) -> ItemForm:
        """Return the form of the codebook theme whose id is ``theme_id``."""
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
        data = self.spec.model_dump(mode="json")
        issues: list[Issue] = []
        for form in self._forms.values():
            values, found = form.read()
            issues.extend(found)
            put_entry(data, form.location, values)
        try:
            spec, _ = parse_spec(json.dumps(data), file=SPEC_FILE)
        except SpecError as exc:  # lines would point into the generated text, not the file
            issues.extend(replace(i, line=None) for i in exc.issues)
        if issues:
            raise SpecError(issues)
        return spec

    def save(self) -> bool:
        """Validate the edits and write ``journey.yml``; return whether it was written."""
        try:
            spec = self.edited()
            if spec == self.spec:
                self._report("Nothing to save: the spec is unchanged.")
                return False
            self._check_unchanged_on_disk()
            before = set(_backups(self.path))
            save_spec(spec, self.path, tree=copy.deepcopy(self._tree), backup=True)
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
        write_atomically(self.path, backup.read_bytes())
        self.reload(message=f"Undone: {SPEC_FILE} is back to {html.escape(backup.name)}.")
        return True

    def reload(self, *, message: str = "") -> None:
        """Read ``journey.yml`` again and rebuild the forms; unsaved edits are dropped.

        ``message`` goes to the status line (default: "Reloaded journey.yml.").
        """
        self.spec, self._tree = load_spec(self.path, with_tree=True)
        self._digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        self._forms: dict[tuple[str, Any], ItemForm] = {}
        self.issues = ()
        for section, selector in self._selectors.items():
            previous = selector.value
            selector.options = [(entry_label(self.spec, section, k), k) for k in entries(self.spec, section)]
            keys = [v for _, v in selector.options]
            selector.value = previous if previous in keys else (keys[0] if keys else None)
            self._show(section)
        self._report(message or f"Reloaded {SPEC_FILE}.")

    def run_step(self) -> Any:
        """Re-run the playbook step chosen in the Step drop-down on the saved spec; return its result.

        Returns None, saying so in the status line, when the step failed or the editor has no run function.
        """
        if self._rerun is None:
            self._report("No step can run from this editor: open it with "
                         "<code>SpecEditor(project_dir, rerun=run_playbook)</code>.", error=True)
            return None
        self._report(f"Running step {self.step.value}…")
        try:
            result = self._rerun(self.project_dir, only=self.step.value)
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


def _backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.*.bak"))


def _issue_list(issues) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(str(i))}</li>" for i in issues) + "</ul>"
