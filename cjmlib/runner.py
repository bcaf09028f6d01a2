"""Run the playbook: execute the step notebooks with papermill, export them, publish atomically.

A run goes to ``reports/runs/<run-id>/``:

- ``notebooks/`` the executed notebooks (a failed one is kept, with papermill's error banner);
- ``results/`` the sidecar tables the steps saved;
- ``html/`` one page per step, ``index.html`` and the journey map;
- ``manifest.json`` inputs (sha256), parameters, versions, per-step durations, KPIs, status.

``reports/latest`` is switched to the new run only when every step succeeded, by replacing a
symbolic link in one system call; a failed run leaves it where it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

from .errors import RunError
from .project import ENGINE_FILE, load_project
from .results import load_result, save_result

__all__ = ["STEPS", "Step", "RunResult", "run_playbook", "notebook_parameters", "check_parameters",
           "NOTEBOOKS_DIR", "KERNEL_NAME"]

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
KERNEL_NAME = "cjm"


@dataclass(frozen=True)
class Step:
    name: str   # notebook stem, e.g. "04-behaviour"
    title: str

    @property
    def number(self) -> str:
        return self.name.split("-", 1)[0]


STEPS: tuple[Step, ...] = (
    Step("01-goals", "Goals and KPIs"),
    Step("02-personas", "Personas"),
    Step("03-touchpoints", "Stages and touchpoints"),
    Step("04-behaviour", "Behaviour: funnels and abandonment"),
    Step("05-voice-of-customer", "Voice of the customer"),
    Step("06-improvements", "Improvements and priorities"),
    Step("07-journey-map", "The journey map"),
)

# the parameters every step notebook declares, with their types
PARAMETERS: dict[str, type] = {"project_dir": str, "run_dir": str, "as_of": str, "language": str, "audience": str}


@dataclass
class RunResult:
    run_id: str
    run_dir: Path
    index: Path
    status: str
    durations: dict[str, float] = field(default_factory=dict)
    kpis: list[dict] = field(default_factory=list)


def notebook_parameters(path: str | os.PathLike) -> dict[str, dict]:
    """Return the parameters a notebook declares in its ``parameters`` cell (papermill's inspection)."""
    import papermill

    return papermill.inspect_notebook(str(path))


def check_parameters(path: str | os.PathLike, params: dict) -> None:
    """Raise RunError unless ``params`` has exactly the notebook's declared names, each of the right type."""
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


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("cjm-workbench", "pandas", "duckdb", "ibis-framework", "papermill", "nbconvert", "seaborn",
                "matplotlib", "pydantic", "jupyterlab", "ipywidgets"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


def _new_run_id(runs: Path) -> str:
    base = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    run_id, n = base, 1
    while (runs / run_id).exists():
        run_id, n = f"{base}-{n}", n + 1
    return run_id


def _switch_latest(reports: Path, run_dir: Path) -> None:
    """Point reports/latest at run_dir atomically (rename of a fresh symlink over the old one)."""
    tmp = reports / f".latest-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(Path("runs") / run_dir.name, tmp)
    os.replace(tmp, reports / "latest")


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Send this process's (and its children's) stderr to ``path`` at the file-descriptor level.

    The kernels papermill starts inherit it, so their log lines land in the run's log file instead
    of the consultant's terminal or a cron mail.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def _execute(step: Step, run_dir: Path, project_dir: Path, params: dict, *, kernel_name: str,
             cell_timeout: int | None) -> Path:
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    source = NOTEBOOKS_DIR / f"{step.name}.ipynb"
    output = run_dir / "notebooks" / f"{step.name}.ipynb"
    try:
        with _stderr_to(run_dir / "notebooks" / "kernel.log"):
                papermill.execute_notebook(str(source), str(output), parameters=params, kernel_name=kernel_name,
                                       cwd=str(project_dir), progress_bar=False, log_output=False,
                                       execution_timeout=cell_timeout)
    except papermill.PapermillExecutionError as err:
        evalue = str(err.evalue).strip().splitlines()[-1][:300] if str(err.evalue).strip() else ""
        raise RunError(f"step {step.name} failed in cell {err.exec_count}: {err.ename}: {evalue}",
                       step=step.name, cell=err.exec_count, ename=err.ename, evalue=evalue,
                       notebook=str(output)) from None
    except CellTimeoutError as err:
        raise RunError(f"step {step.name} timed out: a cell ran longer than {cell_timeout} s",
                       step=step.name, ename="CellTimeoutError", evalue=str(err)[:300], notebook=str(output)) from None
    except DeadKernelError as err:
        raise RunError(f"step {step.name}: the kernel died ({err})", step=step.name, ename="DeadKernelError",
                       notebook=str(output)) from None
    return output


def _format_kpi(row: dict) -> str:
    value = row.get("baseline")
    if value is None or value != value:
        return "n/a"
    return f"{value:.1%}" if row.get("unit") == "share" else f"{value:,.1f}"


def _publish_html(journey, run_dir: Path, run_id: str, period: str, steps_done: list[Step]) -> Path:
    from .export import export_notebook, render_index
    from .journeymap import render_all

    html = run_dir / "html"
    html.mkdir(parents=True, exist_ok=True)
    run_date = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    pages = []
    for step in steps_done:
        nb = run_dir / "notebooks" / f"{step.name}.ipynb"
        export_notebook(nb, html / f"{step.name}.html", title=step.title, subtitle=journey.project.name,
                        run_date=run_date)
        pages.append({"href": f"{step.name}.html", "title": f"{step.number} · {step.title}", "summary": ""})
    render_all(journey, run_dir, html)
    kpis = load_result(run_dir, "kpis", default=None)
    kpi_rows = []
    if kpis is not None:
        for row in kpis.to_dict("records"):
            detail = ""
            if row.get("denominator") == row.get("denominator") and row.get("numerator") == row.get("numerator") \
                    and row.get("unit") == "share":
                detail = f"{int(row['numerator']):,} of {int(row['denominator']):,}"
            kpi_rows.append({"name": row["name"], "value": _format_kpi(row), "detail": detail})
    return render_index(html / "index.html", title=journey.project.name, client=journey.project.client,
                        run_id=run_id, run_date=run_date, period=period, pages=pages, kpis=kpi_rows,
                        map_page="journey-map.html")


def run_playbook(project_dir: str | os.PathLike, *, as_of: str | None = None, only: str | None = None,
                 audience: str = "client", kernel_name: str = KERNEL_NAME, cell_timeout: int | None = 600,
                 progress: Callable[[str], None] | None = None) -> RunResult:
    """Run every step of the playbook on a journey project and publish the deliverables.

    Parameters
    ----------
    project_dir
        The journey project.
    as_of
        Use data up to this day (YYYY-MM-DD).
    only
        Run just this step (``04`` or ``04-behaviour``); the other steps' results and pages are taken
        from the latest published run.
    audience
        ``client``, ``trainer`` or ``participant``.
    kernel_name
        The Jupyter kernel to execute with.
    cell_timeout
        Seconds a single cell may run.
    progress
        Called with a line of text as each step starts and ends.

    Returns
    -------
    RunResult

    Raises
    ------
    SpecError, DataError
        The spec or data is invalid (nothing is run).
    RunError
        A step failed: the failed notebook is kept, ``reports/latest`` is left untouched.
    """
    say = progress or (lambda _msg: None)
    project_dir = Path(project_dir).resolve()
    reports = project_dir / "reports"
    runs = reports / "runs"
    steps = list(STEPS)
    previous = reports / "latest"
    if only:
        chosen = [s for s in STEPS if s.name == only or s.number == only or s.name.split("-", 1)[1] == only]
        if not chosen:
            raise RunError(f"unknown step '{only}'. Steps: {', '.join(s.name for s in STEPS)}", exit_code=2)
        if not (previous.exists() and (previous / "results").exists()):
            raise RunError(f"--only {only} needs a previous complete run to take the other steps from; "
                           "run the whole playbook once first", exit_code=2)
        steps = chosen

    runs.mkdir(parents=True, exist_ok=True)
    run_id = _new_run_id(runs)
    run_dir = runs / run_id
    (run_dir / "notebooks").mkdir(parents=True)
    started = time.perf_counter()
    manifest: dict = {"run_id": run_id, "status": "running", "project": project_dir.name,
                      "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                      "parameters": {"as_of": as_of or "", "audience": audience, "only": only or ""},
                      "versions": _versions(), "durations": {}}

    def write_manifest():
        (run_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")

    write_manifest()
    try:
        say("loading and checking the project")
        t0 = time.perf_counter()
        (run_dir / ENGINE_FILE).parent.mkdir(parents=True, exist_ok=True)
        project = load_project(project_dir, as_of=as_of, database=run_dir / ENGINE_FILE)
        period = project.period
        manifest["inputs"] = {path: {"sha256": digest} for path, digest in project.hashes.items()}
        manifest["data_quality"] = project.quality
        manifest["warnings"] = [str(i) for i in project.issues]
        project.con.close()
        save_result(run_dir, "meta", {"period_start": period[0], "period_end": period[1],
                                      "sources": project.hashes, "run_id": run_id})
        manifest["durations"]["load"] = round(time.perf_counter() - t0, 2)
        if only:
            src = previous.resolve()
            for name in ("results", "notebooks"):
                for f in (src / name).glob("*"):
                    target = run_dir / name / f.name
                    if not target.exists() and f.is_file():
                        target.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(f, target)
        params = {"project_dir": str(project_dir), "run_dir": str(run_dir), "as_of": as_of or "",
                  "language": project.spec.project.language, "audience": audience}
        for step in steps:  # check every notebook before running any
            check_parameters(NOTEBOOKS_DIR / f"{step.name}.ipynb", params)
        for i, step in enumerate(steps, 1):
            say(f"[{i}/{len(steps)}] {step.name} …")
            t0 = time.perf_counter()
            _execute(step, run_dir, project_dir, params, kernel_name=kernel_name, cell_timeout=cell_timeout)
            manifest["durations"][step.name] = round(time.perf_counter() - t0, 2)
            say(f"[{i}/{len(steps)}] {step.name} done in {manifest['durations'][step.name]:.1f} s")
        say("exporting the deliverables")
        t0 = time.perf_counter()
        index = _publish_html(project.spec, run_dir, run_id, f"{period[0]} – {period[1]}", list(STEPS))
        manifest["durations"]["export"] = round(time.perf_counter() - t0, 2)
    except BaseException as exc:
        manifest["status"] = "failed"
        manifest["error"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        manifest["durations"]["total"] = round(time.perf_counter() - started, 2)
        write_manifest()
        shutil.rmtree(run_dir / "html", ignore_errors=True)  # never leave half a report behind
        (run_dir / ENGINE_FILE).unlink(missing_ok=True)
        raise
    (run_dir / ENGINE_FILE).unlink(missing_ok=True)
    kpis = load_result(run_dir, "kpis", default=None)
    manifest["kpis"] = [] if kpis is None else json.loads(kpis.to_json(orient="records"))
    manifest["status"] = "succeeded"
    manifest["durations"]["total"] = round(time.perf_counter() - started, 2)
    write_manifest()
    _switch_latest(reports, run_dir)
    say(f"published {reports / 'latest' / 'html' / 'index.html'}")
    return RunResult(run_id, run_dir, index, "succeeded", manifest["durations"], manifest["kpis"])

