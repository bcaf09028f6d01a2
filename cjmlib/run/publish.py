"""Publishing a run: the atomic switch of ``reports/latest``, run history, "what changed", pruning, the lock.

A run folder is complete before ``latest`` moves: the switch is the rename of a fresh symbolic
link over the old one, a single system call, so a reader (or a web server) sees either the old
run or the new one, never a half-published report.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import math
import os
import shutil
from pathlib import Path

from scipy.stats import norm

from ..data.project import ENGINE_FILE
from ..errors import LockedError, RunError
from ..files import write_atomically
from ..i18n.catalogue import say
from ..stats import Z95

__all__ = [
    "FAILED_RUN_DAYS",
    "check_reports",
    "drop_engine_files",
    "mark_abandoned",
    "periods_overlap",
    "previous_manifest",
    "project_lock",
    "prune_runs",
    "stale_warning",
    "switch_latest",
    "what_changed",
]


class project_lock:
    """Hold ``reports/.lock`` for the duration of a run; a second run is refused at once (exit code 3).

    The lock is an advisory ``flock`` on an open file: the system releases it when the process ends,
    so a run killed by cron or the OOM killer never leaves a stale lock behind.
    """

    def __init__(self, reports: Path):
        self.path = Path(reports) / ".lock"
        self.fh = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.seek(0)
            holder = self.fh.read().strip() or "another run"
            self.fh.close()
            raise LockedError(f"the project is locked by {holder}; this run was not started. "
                              "Wait for it to finish (runs never overlap).") from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(f"pid {os.getpid()} since {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}")
        self.fh.flush()
        return self

    def __exit__(self, *exc):
        self.fh.seek(0)
        self.fh.truncate()
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


FAILED_RUN_DAYS = 14  # a failed or abandoned run is kept this long for diagnosis, whatever ``keep_runs`` says


def check_reports(reports: Path) -> None:
    """Refuse to start a run when ``reports/`` cannot take one: say which path is wrong and the fix.

    ``reports/latest`` must be a link (a copy made with ``cp -rL`` or a sync tool turns it into a
    folder), ``reports/runs`` a folder, and ``reports/`` writable.

    Parameters
    ----------
    reports
        The project's ``reports`` folder.

    Raises
    ------
    RunError
        With exit code 2, naming the path and how to repair it; nothing was run.
    """
    latest, runs = reports / "latest", reports / "runs"
    if latest.exists() and not latest.is_symlink():
        raise RunError(f"{latest} is a {'folder' if latest.is_dir() else 'file'}, not a link to a run (a copy "
                       "made with `cp -rL` or a sync tool does this). Move it away, e.g. "
                       f"`mv {latest} {reports / 'latest-copy'}`, and run again.", exit_code=2)
    if runs.exists() and not runs.is_dir():
        raise RunError(f"{runs} is a file where the run history folder belongs. Move it away and run again.",
                       exit_code=2)
    if not os.access(reports, os.W_OK | os.X_OK):
        raise RunError(f"{reports} is not writable, so no run can be published. "
                       f"Give your user write access (e.g. `chmod u+w {reports}`) and run again.", exit_code=2)


def _read_manifest(run_dir: Path) -> dict:
    try:
        return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def drop_engine_files(run_dir: Path) -> None:
    """Delete a run's engine files: the DuckDB database and the Spark engine's table copies.

    Parameters
    ----------
    run_dir
        The run folder, ``reports/runs/<run id>``.
    """
    (run_dir / ENGINE_FILE).unlink(missing_ok=True)
    for staged in (run_dir / ENGINE_FILE.parent).glob("spark-*"):
        shutil.rmtree(staged, ignore_errors=True)


def mark_abandoned(reports: Path) -> list[str]:
    """Mark the runs a killed process left "running" as abandoned, and drop their half-written pages.

    Called with the project lock held: no other run can be running, so a "running" folder is debris
    (``kill -9``, a power cut). Returns the names of the runs marked.

    Parameters
    ----------
    reports
        The project's ``reports`` folder.
    """
    marked = []
    for run_dir in sorted(p for p in (reports / "runs").glob("*") if p.is_dir()):
        manifest = _read_manifest(run_dir)
        if manifest.get("status") != "running":
            continue
        manifest.update(status="abandoned", error="the run was stopped before it finished (killed, or the "
                                                  "machine stopped); nothing of it was published")
        write_atomically(run_dir / "manifest.json", json.dumps(manifest, indent=2, default=str))
        shutil.rmtree(run_dir / "html", ignore_errors=True)
        drop_engine_files(run_dir)
        marked.append(run_dir.name)
    return marked


def switch_latest(reports: Path, run_dir: Path) -> None:
    """Point ``reports/latest`` at ``run_dir`` atomically (rename of a fresh symlink over the old one)."""
    tmp = reports / f".latest-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(Path("runs") / run_dir.name, tmp)
    try:
        os.replace(tmp, reports / "latest")
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def prune_runs(reports: Path, *, keep: int, failed_days: int = FAILED_RUN_DAYS, now: dt.datetime | None = None
               ) -> list[str]:
    """Delete old run folders of ``reports/runs``; never the one ``latest`` points to.

    Successful runs: the ``keep`` newest stay (failed runs do not count, so failures never push out
    the last good report). Failed and abandoned runs: kept ``failed_days`` days after they started,
    for diagnosis, then deleted. A folder without a readable manifest counts as failed, dated by
    its modification time.

    Parameters
    ----------
    reports
        The project's ``reports`` folder.
    keep
        How many successful runs to keep (``project.keep_runs``).
    failed_days
        How many days a failed or abandoned run is kept.
    now
        The time to measure ages from; the current time by default.

    Returns the names of the runs deleted.
    """
    now = now or dt.datetime.now(dt.UTC)
    runs = sorted((p for p in (reports / "runs").iterdir() if p.is_dir()), key=lambda p: p.name)
    latest = (reports / "latest").resolve() if (reports / "latest").exists() else None
    manifests = {run: _read_manifest(run) for run in runs}
    succeeded = [run for run in runs if manifests[run].get("status") == "succeeded"]
    doomed = set(succeeded[:-keep] if keep > 0 else [])
    for run in runs:
        status = manifests[run].get("status")
        if status in ("succeeded", "running"):
            continue
        try:
            started = dt.datetime.fromisoformat(manifests[run]["started"])
        except (KeyError, TypeError, ValueError):
            started = dt.datetime.fromtimestamp(run.stat().st_mtime, dt.UTC)
        if now - started > dt.timedelta(days=failed_days):
            doomed.add(run)
    removed = []
    for old in runs:
        if old not in doomed or (latest is not None and old.resolve() == latest):
            continue
        shutil.rmtree(old, ignore_errors=True)
        removed.append(old.name)
    return removed


def previous_manifest(reports: Path) -> dict | None:
    """The manifest of the run ``reports/latest`` points to, or None."""
    return _read_manifest(reports / "latest") or None


def _se(row: dict) -> float:
    low, high = row.get("ci_low"), row.get("ci_high")
    if low is None or high is None or any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        return math.nan
    return (high - low) / (2 * Z95)


def _period(row: dict) -> tuple[str, str] | None:
    start, end = str(row.get("period_start") or "")[:10], str(row.get("period_end") or "")[:10]
    return (start, end) if start and end else None


def periods_overlap(first: tuple[str, str] | None, second: tuple[str, str] | None) -> bool | None:
    """Whether two periods (first day, last day, ``YYYY-MM-DD``, both included) share a day; None if one is unknown.

    Parameters
    ----------
    first, second
        The periods; None (or an empty day) when the period is not known.
    """
    if not first or not second or not all((*first, *second)):
        return None
    return first[0] <= second[1] and second[0] <= first[1]


def what_changed(current: list[dict], previous: list[dict] | None, *, language: str = "en") -> list[dict]:
    """Compare the KPIs of this run (``current``) with the ``previous`` run's.

    For each KPI present in both: ``name``, ``previous``, ``current``, ``delta`` (current − previous).
    The change is tested only when the two baselines are independent samples: when the two runs' data
    periods (``period_start``, ``period_end`` of each KPI, see :func:`cjmlib.kpi_table`) do not share a
    day. Then the 95 % interval ``ci_low``/``ci_high`` and the two-sided ``p_value`` come from the
    normal approximation, with the standard error of each run taken from its own 95 % interval, and
    ``significant`` is p < 0.05. When the periods overlap (a run on data extended by a week counts the
    same customers and events twice) or a period is unknown, the two figures share units and the
    independent-samples test would be wrong; only the runs' totals are kept, so the overlap cannot be
    taken out either: the delta is shown alone (NaN interval and p, ``significant`` False) and ``note``
    says why in ``language``. Without intervals the delta is shown alone too.

    Parameters
    ----------
    current
        This run's KPIs (records of :func:`cjmlib.kpi_table`: ``id``, ``baseline``, ``ci_low``, ``ci_high``,
        ``period_start``, ``period_end``…).
    previous
        The previous run's KPIs (its manifest's ``kpis``); None or empty: no comparison.
    language
        The language of ``note`` (``en`` or ``fr``).

    Returns
    -------
    list of dict
        One per KPI in both runs: ``id``, ``name``, ``unit``, ``previous``, ``current``, ``delta``, ``ci_low``,
        ``ci_high``, ``p_value``, ``significant``, ``tested`` (whether the test was made) and ``note``
        ("" when tested).
    """
    if not previous:
        return []
    earlier = {k["id"]: k for k in previous}
    rows = []
    for now in current:
        old = earlier.get(now["id"])
        if old is None or old.get("baseline") is None or now.get("baseline") is None:
            continue
        delta = now["baseline"] - old["baseline"]
        overlap = periods_overlap(_period(old), _period(now))
        note = ""
        if overlap is None:
            note = say("publish", "period_unknown", language)
        elif overlap:
            (s0, e0), (s1, e1) = _period(old), _period(now)
            note = say("publish", "periods_overlap", language, previous=f"{s0} – {e0}", current=f"{s1} – {e1}")
        se = math.sqrt(_se(now) ** 2 + _se(old) ** 2) if not note else math.nan
        p = 2 * (1 - norm.cdf(abs(delta) / se)) if se and not math.isnan(se) else math.nan
        rows.append({"id": now["id"], "name": now.get("name", now["id"]), "unit": now.get("unit", "share"),
                     "previous": old["baseline"], "current": now["baseline"], "delta": delta,
                     "ci_low": delta - Z95 * se if not math.isnan(se) else math.nan,
                     "ci_high": delta + Z95 * se if not math.isnan(se) else math.nan,
                     "p_value": p, "significant": bool(p < 0.05) if not math.isnan(p) else False,
                     "tested": not math.isnan(p), "note": note})
    return rows


def stale_warning(period_end: str, *, as_of: str | None, max_age_days: int | None,
                  language: str = "en") -> str | None:
    """Return a warning when the data ends (``period_end``) more than ``max_age_days`` before the run's date
    (or ``as_of``); None otherwise.

    Parameters
    ----------
    period_end
        The last day of the data (``YYYY-MM-DD``…).
    as_of
        The run's cut-off day; None for today.
    max_age_days
        The spec's ``stale_after_days``; None never warns.
    language
        The warning's language (``en`` or ``fr``).
    """
    if not max_age_days or not period_end:
        return None
    today = dt.date.fromisoformat(as_of) if as_of else dt.datetime.now(dt.UTC).date()
    age = (today - dt.date.fromisoformat(period_end[:10])).days
    if age > max_age_days:
        return say("publish", "stale", language, end=period_end[:10], age=age, today=today.isoformat(),
                   limit=max_age_days)
    return None
