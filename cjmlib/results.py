"""The run's sidecar: key tables each step saves for the later steps and the journey map.

Steps never re-parse another notebook: they save their results here with :func:`save_result`
and read earlier ones with :func:`load_result`. Tables are Parquet, small documents JSON.

The tables of the playbook (every rate has its numerator and denominator beside it):

========================  =================  ==========================================================
name                      written by         columns / keys
========================  =================  ==========================================================
``kpis``                  01-goals           id, goal, metric, name, unit, direction, baseline, numerator,
                                             denominator, ci_low, ci_high, target, gap, on_track, definition
``personas``              02-personas        persona, users, share_users, revenue, share_revenue,
                                             sessions, conversions, conversion (= conversions/sessions)
``touchpoints``           03-touchpoints     touchpoint, label, stage (the stage's label), channel, events,
                                             sessions, users, share_sessions, has_data
``stage_funnel``          04-behaviour       step, stage, label, units, denominator (units of step 1),
                                             rate (= units/denominator), ci_low, ci_high, previous
                                             (units of the previous step), step_rate (= units/previous),
                                             drop_off (a count: previous − units), unit ("session"/"user")
``web_metrics``           04-behaviour       list of {metric, value, numerator, denominator, definition}
``weekly_abandonment``    04-behaviour       week (Monday), device, sessions (with a checkout), abandoned
                                             (of those, without a purchase), rate, ci_low, ci_high
``nps_by_stage``          05-voice           stage, label, responses, promoters, detractors, nps,
                                             ci_low, ci_high
``themes``                05-voice           theme, label, stage, polarity, mentions, feedback_items,
                                             share (= mentions/feedback_items), negative (rated 1–2),
                                             negative_share (= negative/mentions), mean_rating,
                                             quotes_en, quotes_fr
``emotion``               05-voice           stage, label, hypothesis, measured, ci_low, ci_high, n,
                                             disagree
``opportunities``         06-improvements    opportunity, name, stage, pain_points, kpis, reach, impact,
                                             confidence, effort, rice, evidence, rank, priority
                                             (now / next / later)
``meta``                  runner             period_start, period_end, sources (name -> sha256)
========================  =================  ==========================================================
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd

__all__ = ["has_result", "load_result", "results_dir", "save_result"]


def results_dir(run_dir: str | os.PathLike) -> Path:
    path = Path(run_dir) / "results"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def save_result(run_dir: str | os.PathLike, name: str, value) -> Path:
    """Save a step's result: a DataFrame as Parquet, anything JSON-able as JSON.

    Returns the path written. Writing is atomic: a reader never sees half a file.
    """
    folder = results_dir(run_dir)
    if isinstance(value, pd.DataFrame):
        path = folder / f"{name}.parquet"
        tmp = folder / f".{name}.parquet.tmp"
        value.reset_index(drop=True).to_parquet(tmp, index=False)
        os.replace(tmp, path)
        return path
    path = folder / f"{name}.json"
    _atomic_write(path, json.dumps(value, indent=2, ensure_ascii=False, default=str).encode("utf-8"))
    return path


def has_result(run_dir: str | os.PathLike, name: str) -> bool:
    folder = Path(run_dir) / "results"
    return (folder / f"{name}.parquet").exists() or (folder / f"{name}.json").exists()


def load_result(run_dir: str | os.PathLike, name: str, default=None):
    """Load a result saved by an earlier step; ``default`` when that step did not save it."""
    folder = Path(run_dir) / "results"
    if (folder / f"{name}.parquet").exists():
        return pd.read_parquet(folder / f"{name}.parquet")
    if (folder / f"{name}.json").exists():
        return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    return default
