"""Execute the step notebooks in this process, cell by cell, as the runner's kernels would.

The runner loads the project once into the run's engine database, then each step notebook runs
with the parameters papermill injects. Here the same happens without a kernel: each notebook's code
cells are executed in one namespace per notebook, a cell's last expression is formatted as Jupyter
would display it (a Styler's HTML, an image), and every open figure is drawn to PNG at the end of
each cell, as the inline backend does. Cells tagged ``exercise`` hold ``answer = None`` placeholders
and are skipped; ``solution`` cells run. Any exception becomes a :class:`CellFailure` naming the
notebook, the cell and its source.
"""

from __future__ import annotations

import ast
import contextlib
import io
import traceback
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
from IPython.core.formatters import DisplayFormatter

from cjmlib.data.privacy import ensure_secret
from cjmlib.data.project import ENGINE_FILE, load_project
from cjmlib.data.results import save_result
from cjmlib.run.steps import NOTEBOOKS_DIR, STEPS

__all__ = ["CellFailure", "run_steps_in_process"]

_FORMATTER = DisplayFormatter()


class CellFailure(AssertionError):
    """A cell raised: the notebook, the cell's index in the notebook, its source and the traceback."""

    def __init__(self, notebook: str, cell: int, source: str, error: BaseException):
        self.notebook, self.cell, self.source, self.error = notebook, cell, source, error
        tb = "".join(traceback.format_exception(error)[-6:])
        super().__init__(f"{notebook} cell [{cell}] raised {type(error).__name__}: {error}\n"
                         f"--- cell source\n{source}\n--- traceback (tail)\n{tb}")


def _display(value) -> None:
    """Compute every representation Jupyter would ask for (HTML of a Styler, PNG of an image)."""
    if value is not None:
        _FORMATTER.format(value)


def _draw_figures() -> None:
    for number in plt.get_fignums():
        plt.figure(number).savefig(io.BytesIO(), format="png", dpi=30)  # every artist drawn, few pixels
    plt.close("all")


def _run_cell(source: str, namespace: dict) -> None:
    tree = ast.parse(source)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr) and not source.rstrip().endswith(";"):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, "<cell>", "exec"), namespace)  # noqa: S102 - the notebooks' own code
    if last is not None:
        _display(eval(compile(last, "<cell>", "eval"), namespace))
    _draw_figures()


def run_notebook(path: Path, params: dict) -> None:
    """Execute one step notebook's code cells in a fresh namespace with ``params`` injected."""
    nb = nbformat.read(path, as_version=4)
    namespace: dict = {"__name__": "__main__", "display": _display}
    try:
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            tags = cell.metadata.get("tags", [])
            if "exercise" in tags:
                continue
            try:
                _run_cell(cell.source, namespace)
            except Exception as exc:
                raise CellFailure(path.name, index, cell.source, exc) from exc
            if "parameters" in tags:
                namespace.update(params)  # papermill's injected-parameters cell
    finally:
        plt.close("all")
        project = namespace.get("project")
        con = getattr(project, "con", None)
        if con is not None:
            with contextlib.suppress(Exception):
                con.close()


def run_steps_in_process(project_dir: Path, run_dir: Path, *, maps: bool = True,
                         keep_going: bool = False) -> list[CellFailure]:
    """Do what ``cjm run`` does short of papermill and nbconvert: load, run the seven steps, draw the maps.

    With ``keep_going`` a failed notebook is recorded and the next one runs (to find every failure of a
    project at once); the failures are returned.

    Raises
    ------
    CellFailure
        The first cell that raised, with its notebook and source (unless ``keep_going``).
    """
    failures: list[CellFailure] = []
    from cjmlib.journeymap.maps import render_all

    project_dir, run_dir = Path(project_dir).resolve(), Path(run_dir).resolve()
    (run_dir / "notebooks").mkdir(parents=True, exist_ok=True)
    (run_dir / ENGINE_FILE).parent.mkdir(parents=True, exist_ok=True)
    ensure_secret(project_dir)
    project = load_project(project_dir, database=run_dir / ENGINE_FILE)
    spec, period, hashes = project.spec, project.period, project.hashes
    project.con.close()
    save_result(run_dir, "meta", {"period_start": period[0], "period_end": period[1], "sources": hashes,
                                  "run_id": run_dir.name})
    params = {"project_dir": str(project_dir), "run_dir": str(run_dir), "as_of": "",
              "language": spec.project.language, "audience": "client"}
    with contextlib.chdir(project_dir):
        for step in STEPS:
            try:
                run_notebook(NOTEBOOKS_DIR / f"{step.name}.ipynb", params)
            except CellFailure as failure:
                if not keep_going:
                    raise
                failures.append(failure)
        if maps:
            try:
                render_all(spec, run_dir, run_dir / "html", pdf=False)
            except Exception as exc:
                failure = CellFailure("journey maps (render_all)", 0, "render_all(journey, run_dir, html)", exc)
                if not keep_going:
                    raise failure from exc
                failures.append(failure)
    return failures
