"""The steps of the playbook, the order they may run in, and the parameters every step notebook takes.

Each step is a parameterized notebook of ``notebooks/`` (``01-goals.ipynb`` … ``07-journey-map.ipynb``).
A step names the steps whose results it reads; :func:`waves` groups the steps that can run side by
side. Every step notebook declares the same typed parameters (:data:`PARAMETERS`), and
:func:`check_parameters` refuses a run whose parameters do not match a notebook's declaration
(papermill itself would only log a warning for a misspelt name).

Examples
--------
>>> [s.number for s in STEPS][:3]
['01', '02', '03']
>>> [[s.name for s in wave] for wave in waves(list(STEPS))][1]
['05-voice-of-customer']
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import papermill

from ..errors import RunError
from ..i18n.catalogue import step_title

__all__ = [
    "NOTEBOOKS_DIR",
    "PARAMETERS",
    "STEPS",
    "Step",
    "check_parameters",
    "notebook_parameters",
    "waves",
]

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"


@dataclass(frozen=True)
class Step:
    """One step of the playbook: its notebook's stem and the steps whose results it reads."""

    name: str   # notebook stem, e.g. "04-behaviour"
    after: tuple[str, ...] = ()  # steps whose results this one reads

    @property
    def title(self) -> str:
        """The step's title in English, e.g. "Behaviour: funnels and abandonment"."""
        return step_title(self.name)

    @property
    def number(self) -> str:
        """The step's number, e.g. "04"."""
        return self.name.split("-", 1)[0]


STEPS: tuple[Step, ...] = (
    Step("01-goals"),
    Step("02-personas"),
    Step("03-touchpoints"),
    Step("04-behaviour"),
    Step("05-voice-of-customer", after=("04-behaviour",)),
    Step("06-improvements", after=("01-goals", "05-voice-of-customer")),
    Step("07-journey-map", after=("01-goals", "02-personas", "03-touchpoints", "04-behaviour",
                                  "05-voice-of-customer", "06-improvements")),
)


def waves(steps: list[Step]) -> list[list[Step]]:
    """Group steps into waves that can run side by side: a step waits for the steps it reads.

    Parameters
    ----------
    steps
        The steps to run, in playbook order; a step read by one of them but absent is not waited for.

    Returns
    -------
    list of list of Step
        The waves, in the order they run.
    """
    names = {s.name for s in steps}
    done: set[str] = set()
    out = []
    pending = list(steps)
    while pending:
        ready = [s for s in pending if all(a in done or a not in names for a in s.after)]
        out.append(ready)
        done |= {s.name for s in ready}
        pending = [s for s in pending if s not in ready]
    return out


# the parameters every step notebook declares, with their types
PARAMETERS: dict[str, type] = {"project_dir": str, "run_dir": str, "as_of": str, "language": str, "audience": str}


def notebook_parameters(path: str | os.PathLike) -> dict[str, dict]:
    """Return the parameters a notebook declares in its ``parameters`` cell (papermill's inspection).

    Parameters
    ----------
    path
        The notebook.

    Returns
    -------
    dict
        Parameter name → papermill's description (``name``, ``inferred_type_name``, ``default``, ``help``).
    """
    return papermill.inspect_notebook(str(path))


def check_parameters(path: str | os.PathLike, params: dict) -> None:
    """Raise RunError unless ``params`` has exactly the notebook's declared names, each of the right type.

    Parameters
    ----------
    path
        The step notebook.
    params
        The values a run would pass it.

    Raises
    ------
    RunError
        Naming every unknown, missing or mistyped parameter (exit code 1).
    """
    declared = notebook_parameters(path)
    name = Path(path).stem
    unknown = sorted(set(params) - set(declared))
    missing = sorted(set(declared) - set(params))
    problems = []
    if unknown:
        problems.append(f"unknown parameter(s) {', '.join(unknown)} (declared: {', '.join(declared)})")
    if missing:
        problems.append(f"missing parameter(s) {', '.join(missing)}")
    for key, value in params.items():
        expected = PARAMETERS.get(key)
        if expected is not None and not isinstance(value, expected):
            problems.append(f"parameter {key} must be {expected.__name__}, got {type(value).__name__}")
    if problems:
        raise RunError(f"step {name}: " + "; ".join(problems), step=name)
