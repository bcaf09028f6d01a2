"""The analytics engine: the same Ibis expressions over DuckDB (the default), Apache Spark or BigQuery.

A project is always loaded and validated into the embedded DuckDB (:func:`cjmlib.load_project`).
When the spec names another engine (``project.engine: pyspark``), :func:`open_engine` hands the
canonical tables to it and returns an :class:`EngineProject`: the part of a project the Ibis
analytics use (``spec``, ``table``, ``has``, ``backend``), over that engine. The analytics
(:func:`cjmlib.funnel_table`, :func:`cjmlib.transition_table`, :func:`cjmlib.web_metrics`…) then
run unchanged. In a step notebook, :func:`cjmlib.open_project` does it by itself
(:func:`attach_engine`); :func:`engine_issues` is the check ``cjm validate`` and ``cjm run`` make
first. docs/adr/0002-analytics-engine.md gives the reasons, the BigQuery path and the limits.

Examples
--------
>>> project = cjm.load_project("demo")           # doctest: +SKIP
>>> with to_spark(project) as engine:            # doctest: +SKIP
...     cjm.stage_funnel(engine, unit="session")
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import ibis

from ..errors import Issue, RunError, SpecError
from ..spec.model import Journey

__all__ = ["CANONICAL_TABLES", "EngineProject", "attach_engine", "engine_issues", "open_engine", "spark_project",
           "spark_session", "to_spark"]

CANONICAL_TABLES = ("events", "feedback", "surveys", "orders")
# small local-mode settings: few shuffle partitions, no web UI, timestamps read as UTC (the engine's time)
SPARK_DEFAULTS = {
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
}


@dataclass
class EngineProject:
    """The canonical tables of a project on an Ibis backend, with the project's spec.

    Attributes
    ----------
    spec
        The journey spec.
    backend
        The Ibis backend holding the tables.
    tables
        The canonical tables present (a project may have no feedback, surveys or orders).
    staging
        A folder holding the tables' files, deleted by :meth:`close`; ``None`` when there is none.
    session
        A Spark session started for this project, stopped by :meth:`close`.
    """

    spec: Journey
    backend: object
    tables: tuple[str, ...]
    staging: Path | None = None
    session: object | None = None

    def has(self, name: str) -> bool:
        """Tell whether the project has the canonical table ``name``."""
        return name in self.tables

    def table(self, name: str):
        """Return a canonical table (``events``, ``feedback``, ``surveys``, ``orders``) as an Ibis table.

        Parameters
        ----------
        name
            The canonical table's name; KeyError when the project does not have it.
        """
        if not self.has(name):
            raise KeyError(f"the project has no {name!r} table; it has {', '.join(self.tables) or 'none'}")
        return self.backend.table(name)

    def close(self) -> None:
        """Delete the staged files and stop the Spark session this project started."""
        if self.session is not None:
            self.session.stop()
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _engine_issue(problem: str, fix: str) -> SpecError:
    return SpecError([Issue(code="engine_unavailable", file="journey.yml", key="project.engine",
                            problem=problem, fix=fix)])


def _java() -> str | None:
    """The java command Spark will start: ``$JAVA_HOME/bin/java``, else the one on the PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        return str(candidate) if candidate.exists() else None
    return shutil.which("java")


def engine_issues(spec: Journey) -> list[Issue]:
    """Check, without starting it, that the engine the spec names can run on this machine.

    Returns
    -------
    list of Issue
        Empty for ``duckdb``; for ``pyspark``, an ``engine_unavailable`` issue (key
        ``project.engine``) when PySpark is not installed or Java cannot be found, and an
        ``engine_option`` issue per ``project.engine_options`` key Spark does not take.
    """
    info = spec.project
    if info.engine == "duckdb":
        return []
    issues = [Issue(code="engine_option", file="journey.yml", key=f"project.engine_options.{k}",
                    problem=f"{k!r} is not an option of the pyspark engine.",
                    fix="Use master or a Spark setting (spark.driver.memory, …).")
              for k in sorted(info.engine_options) if k != "master" and not k.startswith("spark.")]
    if importlib.util.find_spec("pyspark") is None:
        issues += _engine_issue("the engine is pyspark but PySpark is not installed.",
                                "Install it (pip install 'cjm-workbench[spark]'), or set project.engine to "
                                "duckdb.").issues
    elif _java() is None:
        where = "JAVA_HOME/bin/java" if os.environ.get("JAVA_HOME") else "java on the PATH"
        issues += _engine_issue(f"the engine is pyspark but Java was not found ({where}); Spark needs it.",
                                "Install Java 17 (apt-get install openjdk-17-jre-headless) or set JAVA_HOME, "
                                "or set project.engine to duckdb.").issues
    return issues


def spark_session(*, master: str = "local[2]", config: dict[str, str] | None = None):
    """Start (or reuse) a small Spark session.

    Parameters
    ----------
    master
        The Spark master: ``local[N]`` runs on this machine with N threads; a cluster's URL otherwise.
    config
        Spark settings (``spark.*`` keys) added to, or replacing, the small defaults: 4 shuffle
        partitions, no web UI nor progress bars, session time zone UTC, a warehouse folder in a
        temporary directory (so nothing is written into the working directory).

    Raises
    ------
    SpecError
        ``engine_unavailable`` when PySpark is not installed.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise _engine_issue("the engine is pyspark but PySpark is not installed.",
                            "Install it (pip install 'cjm-workbench[spark]'; Spark needs Java 17), "
                            "or set project.engine to duckdb.") from None
    if _java() is None:
        raise _engine_issue("the engine is pyspark but Java was not found; Spark needs it.",
                            "Install Java 17 or set JAVA_HOME, or set project.engine to duckdb.")
    warehouse = Path(tempfile.mkdtemp(prefix="cjm-spark-warehouse-"))
    atexit.register(shutil.rmtree, warehouse, True)
    settings = {**SPARK_DEFAULTS, "spark.sql.warehouse.dir": warehouse.as_uri(), **(config or {})}
    builder = SparkSession.builder.master(master).appName("cjm-workbench")
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def to_spark(project, *, spark=None, master: str = "local[2]", config: dict[str, str] | None = None,
             directory: str | Path | None = None) -> EngineProject:
    """Hand a loaded project's canonical tables to Spark.

    Each table is written by DuckDB to Parquet, then read by Spark through Ibis; only the
    tables the project has are handed over.

    Parameters
    ----------
    project
        A loaded :class:`cjmlib.Project` (its DuckDB connection holds the canonical tables).
    spark
        A running SparkSession; one is started with :func:`spark_session` when omitted (and
        stopped by :meth:`EngineProject.close`).
    master
        The Spark master of the session started here.
    config
        Spark settings of the session started here (see :func:`spark_session`).
    directory
        Where to write the Parquet files: a temporary folder when omitted (deleted by
        :meth:`EngineProject.close`). With a cluster, give a folder its executors can read.

    Returns
    -------
    EngineProject
        The tables on Spark, with the project's spec.
    """
    started = spark_session(master=master, config=config) if spark is None else None
    spark = spark or started
    staging = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="cjm-spark-"))
    staging.mkdir(parents=True, exist_ok=True)
    files = {}
    for name in (name for name in CANONICAL_TABLES if project.has(name)):
        files[name] = staging / f"{name}.parquet"
        project.con.execute(f"COPY {name} TO '{files[name]}' (FORMAT parquet)")
    engine = spark_project(project.spec, files, spark=spark)
    engine.staging, engine.session = (staging if directory is None else None), started
    return engine


def _retrying(execute, *, attempts: int = 3):
    """Run a query again when Spark could not open its local socket to Python.

    Spark hands results to Python through a socket on 127.0.0.1 guarded by a secret; on a busy
    machine another process may take the connection first and the query fails with
    ``CANNOT_OPEN_SOCKET`` although nothing is wrong with it. The analytics only read, so running
    the query again is safe; any other error is raised at once.
    """
    @functools.wraps(execute)
    def run(*args, **kwargs):
        for _ in range(attempts - 1):
            try:
                return execute(*args, **kwargs)
            except Exception as error:
                if "CANNOT_OPEN_SOCKET" not in str(error):
                    raise
        return execute(*args, **kwargs)
    return run


def spark_project(spec: Journey, files: dict[str, str | Path], *, spark) -> EngineProject:
    """Canonical tables already written as Parquet (by DuckDB, a pipeline, a data lake), on Spark.

    Parameters
    ----------
    spec
        The journey spec (the analytics read stages and key events from it).
    files
        Canonical table name -> Parquet file or folder, readable by the Spark executors.
    spark
        A running SparkSession.

    Returns
    -------
    EngineProject
        Neither the files nor the session are owned: :meth:`EngineProject.close` leaves them.
    """
    unknown = sorted(set(files) - set(CANONICAL_TABLES))
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: not canonical tables ({', '.join(CANONICAL_TABLES)})")
    backend = ibis.pyspark.connect(spark)
    backend.execute = _retrying(backend.execute)
    for name, path in files.items():
        backend.read_parquet(str(path), table_name=name)
    return EngineProject(spec, backend, tuple(files))


def open_engine(project, *, directory: str | Path | None = None):
    """Return the project on the engine its spec names (``project.engine``).

    With ``duckdb`` (the default) the project itself is returned. With ``pyspark`` its tables are
    handed to Spark (:func:`to_spark`): ``project.engine_options`` gives the ``master``
    (default ``local[2]``) and any ``spark.*`` setting. ``directory`` is where the tables are
    staged as Parquet (a temporary folder when omitted); :meth:`EngineProject.close` deletes it
    and stops the session.

    Raises
    ------
    SpecError
        ``engine_option`` when an option is not one of these; ``engine_unavailable`` when PySpark
        or Java is missing (exit code 2 on the command line).
    RunError
        Spark was found but did not start.
    """
    info = project.spec.project
    if info.engine == "duckdb":
        return project
    issues = engine_issues(project.spec)
    if issues:
        raise SpecError(issues)
    options = dict(info.engine_options)
    master = options.pop("master", "local[2]")
    try:
        spark = spark_session(master=master, config=options)
    except SpecError:
        raise
    except Exception as exc:  # the JVM did not start or the master is unreachable: say so in the project's words
        raise RunError(f"the pyspark engine could not start: {str(exc).splitlines()[0][:300]}") from exc
    engine = to_spark(project, spark=spark, directory=directory)
    engine.session = spark
    if directory is not None:
        engine.staging = Path(directory)
    return engine


def attach_engine(project, directory: str | Path | None = None):
    """Make a loaded project's Ibis tables live on the engine its spec names; return the project.

    With ``duckdb`` nothing changes. With ``pyspark`` the canonical tables are handed to Spark
    (:func:`open_engine`) and ``project.table()``/``project.backend`` answer from Spark from then
    on, so every Ibis analytic a step calls runs there; DuckDB keeps what is not an Ibis
    analytic (the data-quality table, SQL helpers). The Spark session is stopped and the staged
    files deleted when the process exits.

    Parameters
    ----------
    project
        A loaded :class:`cjmlib.Project`.
    directory
        Where to stage the Parquet files (a temporary folder when omitted).
    """
    if project.spec.project.engine == "duckdb":
        return project
    engine = open_engine(project, directory=directory)
    project._backend = engine.backend
    project.engine = engine
    atexit.register(engine.close)
    return project
