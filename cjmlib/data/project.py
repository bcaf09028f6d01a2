"""A journey project: the spec, its data loaded into the engine, and what was found on the way.

Examples
--------
>>> import cjmlib as cjm
>>> project = cjm.load_project("demo")          # doctest: +SKIP
>>> project.table("events").count().execute()  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import ibis
import pandas as pd

from ..errors import DataError, Issue, SpecError
from ..i18n.labels import in_language
from ..spec.io import load_spec
from ..spec.issues import dotted, line_of
from ..spec.model import Journey
from .abtests import results_issues
from .crossref import data_issues, skipped_sections
from .engine import attach_engine, engine_issues
from .privacy import SECRET_ENV, SECRET_FILE, read_secret
from .regex import regex_issues
from .results import load_result, save_result
from .sources import file_sha256, load_sources

__all__ = ["ENGINE_FILE", "Project", "load_project", "open_project", "validate_project", "validation_report"]

ENGINE_FILE = Path("work") / "engine.duckdb"
# the engine never downloads an extension: a run makes no network request (parquet, json, icu are built in)
ENGINE_CONFIG = {"autoinstall_known_extensions": False}


def _connect(database: str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the engine; it prints no progress bar (it would reach a terminal or a kernel's stderr)."""
    con = duckdb.connect(database, read_only=read_only, config=ENGINE_CONFIG)
    con.execute("SET enable_progress_bar = false")
    return con


@dataclass
class Project:
    """A loaded journey project.

    Attributes
    ----------
    spec
        The journey spec.
    directory
        The project folder.
    con
        The DuckDB connection holding the canonical tables (events, feedback, surveys, orders).
    issues
        Warnings found while loading (rows set aside, duplicates, events matching no touchpoint).
    quality
        The data-quality table: one row per source.
    hashes
        Source path -> sha256.
    run_dir
        The run folder the steps save their results in; None outside a run.
    cache
        Results computed once per project and reused by later calls (the coded feedback).
    """

    spec: Journey
    directory: Path
    con: duckdb.DuckDBPyConnection
    issues: list[Issue] = field(default_factory=list)
    quality: list[dict] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)
    run_dir: Path | None = None
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def save(self, name: str, value) -> Path:
        """Save a result to the run's sidecar (see :mod:`cjmlib.results`).

        Parameters
        ----------
        name
            The result's name, e.g. ``stage_funnel``; a later save of the same name replaces it.
        value
            A DataFrame (saved as Parquet) or any JSON-able value (saved as JSON).
        """
        return save_result(self.workdir, name, value)

    def result(self, name: str, default=None):
        """Load a result an earlier step saved in this run; ``default`` when there is none.

        Parameters
        ----------
        name
            The result's name, e.g. ``stage_funnel``.
        default
            What to return when no step saved it (None by default).
        """
        return load_result(self.workdir, name, default)

    @property
    def workdir(self) -> Path:
        """Where the steps save results: the run folder, or reports/lab outside a run (in JupyterLab)."""
        return self.run_dir or (self.directory / "reports" / "lab")

    @property
    def backend(self):
        """The Ibis backend over the engine connection."""
        if not hasattr(self, "_backend"):
            self._backend = ibis.duckdb.from_connection(self.con)
        return self._backend

    def has(self, name: str) -> bool:
        """Tell whether the engine holds a table of that name.

        Parameters
        ----------
        name
            A table name, e.g. ``orders`` (a source the spec does not declare has no table).
        """
        return name in {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}

    def table(self, name: str):
        """Return a canonical table (``events``, ``feedback``, ``surveys``, ``orders``) as an Ibis table.

        Parameters
        ----------
        name
            The canonical table's name.
        """
        return self.backend.table(name)

    def sql(self, query: str) -> pd.DataFrame:
        """Run a SQL query on the engine connection and return its rows as a DataFrame.

        Parameters
        ----------
        query
            A DuckDB SQL query over the canonical tables.
        """
        return self.con.execute(query).fetchdf()

    @property
    def period(self) -> tuple[str, str]:
        """First and last day of the events (or of any source when there are no events)."""
        for q in self.quality:
            if q.get("first_ts") and q["first_ts"] != "None":
                return q["first_ts"][:10], q["last_ts"][:10]
        return "", ""

    def quality_table(self) -> pd.DataFrame:
        """Return the data-quality table (rows read, kept, rejected, duplicates, unmatched events, time range)."""
        return pd.DataFrame(self.quality)

    def issues_table(self) -> pd.DataFrame:
        """Return the loading issues as a table: severity, file, row, column, problem, fix."""
        cols = ["severity", "file", "row", "column", "problem", "fix"]
        return pd.DataFrame([{c: getattr(i, c) for c in cols} for i in self.issues], columns=cols)


def _non_finite(value, loc: tuple = ()):
    """Yield the location of every NaN or infinite number in a spec dump."""
    if isinstance(value, float) and not math.isfinite(value):
        yield loc
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, (*loc, key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _non_finite(item, (*loc, i))


def _spec_number_issues(spec: Journey, tree) -> list[Issue]:
    """Report NaN and infinite numbers in the spec (scores, reach, effort, KPI targets)."""
    return [Issue(code="not_finite", file="journey.yml", line=line_of(tree, loc), key=dotted(loc),
                  problem="NaN and infinity are not values here.", fix="Write a number, or delete the key.")
            for loc in _non_finite(spec.model_dump(mode="python"))]


def _with_fix(issue: Issue) -> Issue:
    """Give a spec issue that came without a fix one built from what the value should be."""
    if issue.fix:
        return issue
    _, sep, should = issue.problem.partition("Input should be ")
    should = should.split(" (got ")[0].rstrip(".")
    fix = (f"Change the value so that it is {should}." if sep and should
           else f"Correct `{issue.key or 'this value'}`; the template's journey.yml shows an example.")
    return Issue(**{**issue.as_dict(), "fix": fix})


def _secret_issue(secret: bytes | None) -> list[Issue]:
    if secret is not None:
        return []
    return [Issue(code="no_secret", file=SECRET_FILE, severity="warning",
                  problem="the project has no secret, so customer ids are not pseudonymized.",
                  fix=f"Create the file {SECRET_FILE} (cjm new does) or set {SECRET_ENV}; keep it out of git.")]


def _collect(project_dir: Path, *, as_of: str | None, database: str | None) -> tuple[Project | None, list[Issue]]:
    try:
        spec, tree = load_spec(project_dir / "journey.yml", with_tree=True)
    except SpecError as err:
        return None, [_with_fix(i) for i in err.issues]
    spec_issues = _spec_number_issues(spec, tree) + engine_issues(spec) + regex_issues(spec, tree)
    if spec_issues:
        return None, spec_issues
    secret = read_secret(project_dir)
    con = _connect(database or ":memory:")
    try:
        issues, quality, hashes = load_sources(con, spec, project_dir, as_of=as_of, secret=secret)
    except duckdb.Error as exc:  # an input the checks above did not foresee: still one clear record
        issues, quality, hashes = [Issue(code="engine_error", file="journey.yml", problem=(
            f"the data could not be loaded: {str(exc).splitlines()[0][:300]}"),
            fix="Check the sources section and the files it names.")], [], {}
    issues = _secret_issue(secret) + issues
    hashes = {"journey.yml": file_sha256(project_dir / "journey.yml"), **hashes}
    project = Project(in_language(spec, spec.project.language), project_dir, con, issues, quality, hashes)
    if not any(i.severity == "error" for i in issues):  # what the spec names, against the data it names it in
        try:
            issues += data_issues(project, tree)
        except duckdb.Error as exc:
            issues.append(Issue(code="engine_error", file="journey.yml", problem=(
                f"the spec could not be checked against the data: {str(exc).splitlines()[0][:300]}"),
                fix="Check the funnels, the personas' rules and the breakdowns."))
    issues += results_issues(project_dir)
    return project, issues


def validate_project(project_dir: str | os.PathLike, *, as_of: str | None = None) -> list[Issue]:
    """Check the spec and every data source; return every problem found (nothing is raised).

    Parameters
    ----------
    project_dir
        The project folder (holding ``journey.yml`` and ``data/``).
    as_of
        Check only data up to this day (``YYYY-MM-DD``), inclusive; all the data when omitted.
    """
    return validation_report(project_dir, as_of=as_of)[0]


def validation_report(project_dir: str | os.PathLike, *, as_of: str | None = None
                      ) -> tuple[list[Issue], list[tuple[str, str]]]:
    """Check the spec and the data, and say which report sections will be skipped (``cjm validate``).

    Parameters
    ----------
    project_dir
        The project folder (holding ``journey.yml`` and ``data/``).
    as_of
        Check only data up to this day (``YYYY-MM-DD``), inclusive; all the data when omitted.

    Returns
    -------
    issues
        Every problem found (:func:`validate_project`).
    skipped
        When no issue is an error: (section key, sentence) per section a run will leave out
        (:func:`cjmlib.data.crossref.skipped_sections`); else empty.
    """
    project, issues = _collect(Path(project_dir), as_of=as_of, database=None)
    skipped: list[tuple[str, str]] = []
    if project is not None:
        try:
            if not any(i.severity == "error" for i in issues):
                skipped = skipped_sections(project)
        finally:
            project.con.close()
    return issues, skipped


def load_project(project_dir: str | os.PathLike, *, as_of: str | None = None,
                 database: str | os.PathLike | None = None) -> Project:
    """Load a journey project: validate the spec, read every source into the engine.

    Parameters
    ----------
    project_dir
        The project folder (holding ``journey.yml`` and ``data/``).
    as_of
        Keep only data up to this day (``YYYY-MM-DD``), inclusive.
    database
        A DuckDB file to build the tables in (shared by the steps of a run); in memory when omitted.

    Raises
    ------
    SpecError, DataError
        One error listing every blocking problem.
    """
    project_dir = Path(project_dir).resolve()
    project, issues = _collect(project_dir, as_of=as_of, database=str(database) if database else None)
    if project is None:
        raise SpecError(issues)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        project.con.close()
        raise DataError(errors)
    if database:
        meta = {"quality": project.quality, "issues": [i.as_dict() for i in issues], "hashes": project.hashes}
        project.con.execute("CREATE OR REPLACE TABLE _cjm_meta AS SELECT ? AS meta", [json.dumps(meta, default=str)])
        project.con.execute("CHECKPOINT")
    return project


def open_project(project_dir: str | os.PathLike, run_dir: str | os.PathLike | None = None, *,
                 as_of: str | None = None) -> Project:
    """Open the project for a playbook step.

    Within a run, the engine database built once by the runner is opened read-only, so no
    step reads the raw files again; outside a run (in JupyterLab), the project is loaded.
    When the spec names another engine (``project.engine: pyspark``), the tables are handed to
    it and the Ibis analytics run there (:func:`cjmlib.engine.attach_engine`).

    Parameters
    ----------
    project_dir
        The project folder (holding ``journey.yml`` and ``data/``).
    run_dir
        The run folder; None (the default) outside a run, where results go to ``reports/lab``.
    as_of
        Keep only data up to this day (``YYYY-MM-DD``), inclusive, when the project is loaded; a run's
        engine database already holds the run's cut.
    """
    if run_dir:
        db = Path(run_dir) / ENGINE_FILE
        if db.exists():
            spec = load_spec(Path(project_dir) / "journey.yml")
            con = _connect(str(db), read_only=True)
            meta = json.loads(con.execute("SELECT meta FROM _cjm_meta").fetchone()[0])
            issues = [Issue(**i) for i in meta["issues"]]
            project = Project(in_language(spec, spec.project.language), Path(project_dir).resolve(), con,
                              issues, meta["quality"], meta["hashes"],
                              Path(run_dir).resolve())
            return attach_engine(project, project.run_dir / "work" / f"spark-{os.getpid()}")
    project = load_project(project_dir, as_of=as_of)
    project.run_dir = Path(run_dir).resolve() if run_dir else None
    return attach_engine(project)
