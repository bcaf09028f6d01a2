"""The notebooks of ``cjm lab``: the workbench and the step notebooks, pointed at one project.

They are copied into ``<project>/notebooks/`` with their ``project_dir`` parameter set the way
papermill sets parameters (:func:`papermill.parameterize.parameterize_notebook`): a cell tagged
``injected-parameters`` right after the ``parameters`` cell. Opened in JupyterLab, a notebook
then works on the project as it is; a copy already there (the consultant's own) is never overwritten.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from ..files import write_atomically
from .steps import NOTEBOOKS_DIR

__all__ = ["WORKBENCH_NOTEBOOK", "lab_notebooks"]

#: The notebook of the spec editors (:class:`cjmlib.view.widgets.SpecEditor`).
WORKBENCH_NOTEBOOK = Path(__file__).resolve().parents[2] / "templates" / "lab" / "workbench.ipynb"


def lab_notebooks(project_dir: str | os.PathLike) -> list[Path]:
    """Copy the workbench and the step notebooks into ``project_dir/notebooks/``, parameterized for it.

    Parameters
    ----------
    project_dir
        The journey project; its absolute path becomes each notebook's ``project_dir``.

    Returns
    -------
    list of Path
        The notebooks written; those already in the folder are left as they are and not listed.
    """
    directory = Path(project_dir).resolve()
    folder = directory / "notebooks"
    folder.mkdir(exist_ok=True)
    written = []
    for source in [WORKBENCH_NOTEBOOK, *sorted(NOTEBOOKS_DIR.glob("*.ipynb"))]:
        target = folder / source.name
        if target.exists():  # never overwrite the consultant's own copy
            continue
        nb = parameterize_notebook(load_notebook_node(str(source)), {"project_dir": str(directory)})
        written.append(write_atomically(target, nbformat.writes(nb)))
    return written
