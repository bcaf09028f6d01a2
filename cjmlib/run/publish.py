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

from ..errors import LockedError
from ..i18n.catalogue import say
from ..stats import Z95

__all__ = [
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


def switch_latest(reports: Path, run_dir: Path) -> None:
    """Point ``reports/latest`` at ``run_dir`` atomically (rename of a fresh symlink over the old one)."""
    tmp = reports / f".latest-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(Path("runs") / run_dir.name, tmp)
    os.replace(tmp, reports / "latest")


def prune_runs(reports: Path, *, keep: int) -> list[str]:
    """Delete the oldest run folders of ``reports/runs`` beyond the ``keep`` newest; never the one
    ``latest`` points to.

    Returns the names of the runs deleted.
    """
    runs = sorted((p for p in (reports / "runs").iterdir() if p.is_dir()), key=lambda p: p.name)
    latest = (reports / "latest").resolve() if (reports / "latest").exists() else None
    removed = []
    for old in runs[:-keep] if keep > 0 else []:
        if latest is not None and old.resolve() == latest:
            continue
        shutil.rmtree(old, ignore_errors=True)
        removed.append(old.name)
    return removed


def previous_manifest(reports: Path) -> dict | None:
    """The manifest of the run ``reports/latest`` points to, or None."""
    path = reports / "latest" / "manifest.json"
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def _se(row: dict) -> float:
    low, high = row.get("ci_low"), row.get("ci_high")
    if low is None or high is None or any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        return math.nan
    return (high - low) / (2 * Z95)


def what_changed(current: list[dict], previous: list[dict] | None) -> list[dict]:
    """Compare the KPIs of this run (``current``) with the ``previous`` run's.

    For each KPI present in both: ``name``, ``previous``, ``current``, ``delta`` (current − previous), its 95 %
    interval ``ci_low``/``ci_high`` and a two-sided ``p_value`` from the normal approximation, with the
    standard error of each run taken from its own 95 % interval (independent samples), and
    ``significant`` (p < 0.05). Without intervals the delta is shown alone.
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
        se = math.sqrt(_se(now) ** 2 + _se(old) ** 2)
        p = 2 * (1 - norm.cdf(abs(delta) / se)) if se and not math.isnan(se) else math.nan
        rows.append({"id": now["id"], "name": now.get("name", now["id"]), "unit": now.get("unit", "share"),
                     "previous": old["baseline"], "current": now["baseline"], "delta": delta,
                     "ci_low": delta - Z95 * se if not math.isnan(se) else math.nan,
                     "ci_high": delta + Z95 * se if not math.isnan(se) else math.nan,
                     "p_value": p, "significant": bool(p < 0.05) if not math.isnan(p) else False})
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
