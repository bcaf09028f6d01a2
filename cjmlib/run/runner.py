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
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import nbformat
import pandas as pd
import papermill
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from ..data.privacy import ensure_secret
from ..data.project import ENGINE_FILE, load_project
from ..data.results import load_result, save_result
from ..errors import Issue, RunError, SpecError
from ..files import write_atomically
from ..i18n import catalogue
from ..i18n.catalogue import index_labels, step_title
from ..i18n.formats import kpi_value, number, signed
from ..journeymap.maps import render_all
from .cover import downloads, kpi_cards, map_thumbnail, top_findings, top_opportunities
from .export import export_notebook, render_index
from .publish import (
    check_reports,
    drop_engine_files,
    mark_abandoned,
    previous_manifest,
    project_lock,
    prune_runs,
    stale_warning,
    switch_latest,
    what_changed,
)
from .report import publish_report
from .schedule import StepScheduler, start_kernel, stop_kernel
from .steps import NOTEBOOKS_DIR, STEPS, Step, check_parameters

__all__ = ["KERNEL_NAME", "RunResult", "message_line", "run_playbook"]

KERNEL_NAME = "cjm"


@dataclass
class RunResult:
    """A published run: its id and folder, its index page, its status, the seconds each part took and the KPIs."""

    run_id: str
    run_dir: Path
    index: Path
    status: str
    durations: dict[str, float] = field(default_factory=dict)
    kpis: list[dict] = field(default_factory=list)


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
    base = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    run_id, n = base, 1
    while (runs / run_id).exists():
        run_id, n = f"{base}-{n}", n + 1
    return run_id


@contextlib.contextmanager
def _kernel_stderr(path: Path):
    """Send the stderr of the kernels papermill starts to ``path``, not to the terminal or a cron mail.

    The redirection is at the file-descriptor level (the kernels inherit it); what the runner itself
    has to say (``sys.stderr`` in Python) still reaches the original stderr.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    python_stderr = sys.stderr
    original = os.fdopen(os.dup(saved), "w", encoding="utf-8", errors="replace", buffering=1)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
        sys.stderr = original
        try:
            yield
        finally:
            sys.stderr = python_stderr
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            original.close()


def _kernel_failed_to_start(exc: BaseException, output: Path) -> bool:
    """True when papermill failed before any cell ran (a kernel that did not start), worth one retry."""
    if not isinstance(exc, (RuntimeError, TimeoutError)):
        return False
    try:
        nb = nbformat.read(output, as_version=4)
        return all(c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    except (OSError, ValueError):  # no readable output notebook: nothing ran
        return True


def message_line(text: str) -> str:
    """The line of an error message that says what went wrong, at most 300 characters.

    Engines spread a message over lines (DuckDB: the error, a guess, a blank line, then the query with
    ``^^^`` under the culprit): the first line that is neither blank, a query excerpt (``LINE n:``) nor
    the carets is kept; "" when there is none.

    Parameters
    ----------
    text
        The exception's message.
    """
    lines = (line.strip() for line in str(text).splitlines())
    return next((line[:300] for line in lines if line and not line.startswith("LINE ") and line.strip("^ ")), "")


def _execute(step: Step, run_dir: Path, project_dir: Path, params: dict, *, kernel_name: str,
             cell_timeout: int | None, km=None) -> Path:
    """Execute a step's notebook in the kernel ``km`` started for it, or in a kernel of its own."""
    source = NOTEBOOKS_DIR / f"{step.name}.ipynb"
    output = run_dir / "notebooks" / f"{step.name}.ipynb"
    for attempt in (1, 2):
        try:
            papermill.execute_notebook(str(source), str(output), parameters=params, kernel_name=kernel_name,
                                       # the kernel starts in the project folder; papermill's own `cwd=`
                                       # would chdir the whole process, a race between steps run in threads
                                       resources={"metadata": {"path": str(project_dir)}},
                                       progress_bar=False, log_output=False,
                                       execution_timeout=cell_timeout, km=km if attempt == 1 else None)
            return output
        except papermill.PapermillExecutionError as err:
            evalue = message_line(err.evalue)
            raise RunError(f"step {step.name} failed in cell {err.exec_count}: {err.ename}: {evalue}",
                           step=step.name, cell=err.exec_count, ename=err.ename, evalue=evalue,
                           notebook=str(output)) from None
        except CellTimeoutError as err:
            raise RunError(f"step {step.name} timed out: a cell ran longer than {cell_timeout} s",
                           step=step.name, ename="CellTimeoutError", evalue=str(err)[:300],
                           notebook=str(output)) from None
        except DeadKernelError as err:
            raise RunError(f"step {step.name}: the kernel died ({err})", step=step.name, ename="DeadKernelError",
                           notebook=str(output)) from None
        except (RuntimeError, TimeoutError) as err:
            if attempt == 1 and _kernel_failed_to_start(err, output):
                continue  # one retry when the kernel did not start
            raise RunError(f"step {step.name}: the kernel '{kernel_name}' did not start ({err})", step=step.name,
                           ename=type(err).__name__, notebook=str(output)) from None
    return output  # pragma: no cover


def _format_kpi(value, unit: str, language: str = "en") -> str:
    return kpi_value(None if value is None or pd.isna(value) else float(value), unit, language)


def _change_row(c: dict, language: str) -> dict:
    """A row of the index's table of changes, in the report's language (numbers through i18n.formats)."""
    share = c["unit"] == "share"

    def delta(x: float) -> str:
        return catalogue.say("index", "points", language, value=signed(100 * x, language)) if share else \
            signed(x, language)

    significance = ("significant" if c["significant"] else "not_significant") if c["p_value"] == c["p_value"] \
        else "no_interval"
    return {"name": c["name"], "previous": _format_kpi(c["previous"], c["unit"], language),
            "current": _format_kpi(c["current"], c["unit"], language), "delta": delta(c["delta"]),
            "interval": "" if c["ci_low"] != c["ci_low"] else catalogue.say(
                "index", "from_to", language, low=delta(c["ci_low"]), high=delta(c["ci_high"])),
            "significance": catalogue.say("index", significance, language, p=number(
                c["p_value"], language, 3 if c["significant"] else 2) if c["p_value"] == c["p_value"] else "")}


def _export_step(step: Step, spec, run_dir: Path, *, run_date: str, audience: str) -> Path:
    """Export a step's executed notebook to ``html/<step>.html``."""
    language = spec.project.language
    return export_notebook(run_dir / "notebooks" / f"{step.name}.ipynb", run_dir / "html" / f"{step.name}.html",
                           title=step_title(step.name, language), subtitle=spec.project.name,
                           run_date=run_date, language=language, audience=audience)


def _publish_html(spec, run_dir: Path, run_id: str, period: str, *, audience: str, run_date: str,
                  changes: list[dict], notes: list[str], first_run: bool = False) -> Path:
    """Export the steps not exported as they finished (those taken from the last run), the map and the index."""
    html = run_dir / "html"
    html.mkdir(parents=True, exist_ok=True)
    language = spec.project.language
    pages = []
    for step in STEPS:
        if not (html / f"{step.name}.html").exists():
            _export_step(step, spec, run_dir, run_date=run_date, audience=audience)
        pages.append({"href": f"{step.name}.html", "title": f"{step.number} · {step_title(step.name, language)}",
                      "summary": ""})
    maps = render_all(spec, run_dir, html)
    kpis = load_result(run_dir, "kpis", default=None)
    kpi_rows = []
    for row in ([] if kpis is None else kpis.to_dict("records")):
        detail = ""
        if row.get("unit") == "share" and row.get("denominator") == row.get("denominator") \
                and row.get("numerator") == row.get("numerator"):
            detail = (f"{number(row['numerator'], language)} {index_labels(language)['of']} "
                      f"{number(row['denominator'], language)}")
        kpi_rows.append({"name": row["name"], "value": _format_kpi(row.get("baseline"), row.get("unit"), language),
                         "detail": detail})
    change_rows = [_change_row(c, language) for c in changes]
    extra: list[str] = []

    def write_index() -> Path:
        return render_index(html / "index.html", title=spec.project.name, client=spec.project.client,
                            run_id=run_id, run_date=run_date, period=period, pages=pages, kpis=kpi_rows,
                            map_page="journey-map.html", notes=[*notes, *maps.notes, *extra], changes=change_rows,
                            language=language, map_pages=[{"href": p["html"], "title": p["name"]} for p in maps.personas],
                            cover={"cards": kpi_cards(kpis, changes, language), "first_run": first_run,
                                   "findings": top_findings(run_dir, language), "downloads": downloads(html, language),
                                   "opportunities": top_opportunities(run_dir, language),
                                   "thumbnail": map_thumbnail(html / "journey-map.png")})

    write_index()
    # report.pdf prints the index and every page, deck.pptx is made from the same results; then the
    # index is written again so that it links them
    extra += publish_report(spec, run_dir, steps=[step.name for step in STEPS], run_date=run_date)
    return write_index()


def run_playbook(project_dir: str | os.PathLike, *, as_of: str | None = None, only: str | None = None,
                 audience: str = "client", kernel_name: str | None = None, cell_timeout: int | None = 600,
                 run_timeout: int | None = None, workers: int | None = None,
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
        The Jupyter kernel to execute with (default: ``cjm``).
    cell_timeout
        Seconds a single cell may run.
    run_timeout
        Seconds the whole run may take; the step running when it is over fails.
    workers
        Steps run side by side (default: the number of cores); steps wait for those they read.
    progress
        Called with a line of text as each step starts and ends.

    Returns
    -------
    RunResult

    Raises
    ------
    SpecError, DataError
        The spec or data is invalid (nothing is run).
    LockedError
        Another run of this project is under way (exit code 3).
    RunError
        A step failed: the failed notebook is kept, ``reports/latest`` is left untouched.
    """
    project_dir = Path(project_dir).resolve()
    if not (project_dir / "journey.yml").exists():
        raise SpecError([Issue(code="missing_file", file=str(project_dir / "journey.yml"),
                               problem="the project has no journey.yml.",
                               fix="Create a project with: cjm new DIR --template ecommerce.")])
    reports = project_dir / "reports"
    with project_lock(reports):
        return _run_locked(project_dir, reports, as_of=as_of, only=only, audience=audience,
                           kernel_name=kernel_name or KERNEL_NAME, cell_timeout=cell_timeout,
                           run_timeout=run_timeout, workers=workers or os.cpu_count() or 1,
                           say=progress or (lambda _msg: None))


def _run_locked(project_dir: Path, reports: Path, *, as_of, only, audience, kernel_name, cell_timeout, run_timeout,
                workers, say) -> RunResult:
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

    check_reports(reports)
    runs.mkdir(parents=True, exist_ok=True)
    for name in mark_abandoned(reports):
        say(f"run {name} was stopped before it finished: marked abandoned")
    run_id = _new_run_id(runs)
    run_dir = runs / run_id
    (run_dir / "notebooks").mkdir(parents=True)
    started = time.perf_counter()
    manifest: dict = {"run_id": run_id, "status": "running", "project": project_dir.name,
                      "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                      "parameters": {"as_of": as_of or "", "audience": audience, "only": only or ""},
                      "versions": _versions(), "durations": {}}

    def write_manifest():
        write_atomically(run_dir / "manifest.json", json.dumps(manifest, indent=2, default=str))

    write_manifest()
    run_date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    context: dict = {"run_date": run_date, "audience": audience}
    try:
        # the steps' kernels start (and import the library) while the project loads; they inherit the log
        with _kernel_stderr(run_dir / "notebooks" / "kernel.log"), \
                _scheduler(steps, run_dir, project_dir, manifest, context, kernel_name=kernel_name,
                           cell_timeout=cell_timeout, run_timeout=run_timeout, started=started, workers=workers,
                           say=say) as scheduler:
            say("loading and checking the project")
            t0 = time.perf_counter()
            (run_dir / ENGINE_FILE).parent.mkdir(parents=True, exist_ok=True)
            ensure_secret(project_dir)  # a run always pseudonymizes customer ids
            project = load_project(project_dir, as_of=as_of, database=run_dir / ENGINE_FILE)
            spec = project.spec
            period = project.period
            manifest["inputs"] = {path: {"sha256": digest} for path, digest in project.hashes.items()}
            manifest["data_quality"] = project.quality
            manifest["warnings"] = [str(i) for i in project.issues]
            project.con.close()
            save_result(run_dir, "meta", {"period_start": period[0], "period_end": period[1],
                                          "sources": project.hashes, "run_id": run_id})
            manifest["durations"]["load"] = round(time.perf_counter() - t0, 2)
            stale = stale_warning(period[1], as_of=as_of, max_age_days=spec.project.stale_after_days)
            if stale:
                manifest["warnings"].append(stale)
                say(f"warning: {stale}")
            if only:
                src = previous.resolve()
                for name in ("results", "notebooks"):
                    for f in (src / name).glob("*"):
                        target = run_dir / name / f.name
                        if not target.exists() and f.is_file() and f.name != "meta.json":
                            shutil.copy2(f, target)
            params = {"project_dir": str(project_dir), "run_dir": str(run_dir), "as_of": as_of or "",
                      "language": spec.project.language, "audience": audience}
            for step in steps:  # check every notebook before running any
                check_parameters(NOTEBOOKS_DIR / f"{step.name}.ipynb", params)
            context.update(params=params, spec=spec)
            scheduler.go()
        say("exporting the deliverables")
        t0 = time.perf_counter()
        before = previous_manifest(reports)
        kpis = load_result(run_dir, "kpis", default=None)
        manifest["kpis"] = [] if kpis is None else json.loads(kpis.to_json(orient="records"))
        manifest["changes"] = what_changed(manifest["kpis"], (before or {}).get("kpis"), language=spec.project.language)
        notes = [stale_warning(period[1], as_of=as_of, max_age_days=spec.project.stale_after_days,
                               language=spec.project.language)] if stale else []
        if before and manifest["changes"]:
            notes.append(catalogue.say("publish", "compared", spec.project.language, date=before["started"][:10],
                                       run=before["run_id"]))
        index = _publish_html(spec, run_dir, run_id, f"{period[0]} – {period[1]}", audience=audience,
                              run_date=run_date, changes=manifest["changes"], notes=notes, first_run=before is None)
        manifest["durations"]["export"] = round(time.perf_counter() - t0, 2)
    except BaseException as exc:
        manifest["status"] = "failed"
        manifest["error"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        manifest["durations"]["total"] = round(time.perf_counter() - started, 2)
        write_manifest()
        shutil.rmtree(run_dir / "html", ignore_errors=True)  # never leave half a report behind
        drop_engine_files(run_dir)
        raise
    drop_engine_files(run_dir)
    manifest["status"] = "succeeded"
    manifest["durations"]["total"] = round(time.perf_counter() - started, 2)
    write_manifest()
    switch_latest(reports, run_dir)
    manifest["pruned"] = prune_runs(reports, keep=spec.project.keep_runs)
    write_manifest()
    say(f"published {reports / 'latest' / 'html' / 'index.html'}")
    return RunResult(run_id, run_dir, index, "succeeded", manifest["durations"], manifest["kpis"])


@contextlib.contextmanager
def _scheduler(steps, run_dir, project_dir, manifest, context, *, kernel_name, cell_timeout, run_timeout, started,
               workers, say):
    """A :class:`~cjmlib.run.schedule.StepScheduler` whose steps execute, then export their page at once.

    Kernels start at once; the steps run on ``scheduler.go()``, once ``context`` has the
    ``params`` and the ``journey``. Leaving the block cancels what has not run and shuts every
    kernel down.
    """
    total, lock, started_steps = len(steps), threading.Lock(), []
    exporting = threading.Lock()  # one export at a time: it holds the GIL anyway, and nbconvert is not made for threads

    def run(step, km):
        timeout = cell_timeout
        if run_timeout is not None:
            left = run_timeout - (time.perf_counter() - started)
            if left <= 0:
                raise RunError(f"the run took longer than its {run_timeout} s limit before {step.name}",
                               step=step.name, ename="RunTimeout")
            timeout = int(min(cell_timeout or left, left)) or 1
        with lock:
            started_steps.append(step.name)
            say(f"[{len(started_steps)}/{total}] {step.name} …")
        t0 = time.perf_counter()
        _execute(step, run_dir, project_dir, context["params"], kernel_name=kernel_name, cell_timeout=timeout,
                 km=km)
        seconds = round(time.perf_counter() - t0, 2)
        with exporting:
            _export_step(step, context["spec"], run_dir, run_date=context["run_date"], audience=context["audience"])
        with lock:
            manifest["durations"][step.name] = seconds
            say(f"      {step.name} done in {seconds:.1f} s")

    scheduler = StepScheduler(steps, run, workers=workers, ahead=2 * workers,
                              start=lambda _step: start_kernel(kernel_name, str(project_dir)), stop=stop_kernel)
    try:
        yield scheduler
    finally:
        scheduler.close()
