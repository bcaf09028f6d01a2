"""The key findings of each step, read from the results the steps saved (the sidecar), as numbers.

A finding is a key of the words catalogue (``tables.yml``, section ``findings``) and the figures that fill
it, each with the kind that says how to write it (share, count, number, date, text). Wording and number
formats belong to the page (:mod:`cjmlib.view.findings`); this module only chooses and computes. Every
finding reads one or two results and is left out when one of them is absent or lacks a column, so a
project without surveys or without A/B tests simply has fewer findings.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd

from ..analytics.trend import week_that_broke
from ..data.results import load_result

__all__ = ["FINDERS", "Finding", "key_findings"]


@dataclass(frozen=True)
class Finding:
    """One finding: the catalogue ``key`` of its sentence and its figures as ``{name: (value, kind)}``."""

    key: str
    values: dict = field(default_factory=dict)


def _interval(row, value: str, low: str, high: str, kind: str = "share") -> dict:
    return {"value": (row[value], kind), "low": (row[low], kind), "high": (row[high], kind)}


def _largest_drop(funnel: pd.DataFrame) -> list[Finding]:
    """The step of a declared funnel (``funnel-<id>``) with the lowest step rate among those anybody entered."""
    steps = funnel.iloc[1:]
    steps = steps[steps["entered"] > 0]
    if steps.empty:
        return []
    at = steps["step_rate"].astype(float).idxmin()
    row, before = funnel.loc[at], funnel.iloc[funnel.index.get_loc(at) - 1]
    return [Finding("funnel_drop", {
        "funnel": (str(row.get("funnel_name", row.get("funnel", ""))), "text"), "from": (before["label"], "text"),
        "to": (row["label"], "text"), "units": (str(row.get("unit", "session")), "unit"),
        "entered": (row["entered"], "count"), "converted": (row["converted"], "count"),
        **_interval(row, "step_rate", "step_ci_low", "step_ci_high")})]


def _worst_segment(breakdowns: pd.DataFrame, funnel_id: str, label: str) -> list[Finding]:
    """The value of a breakdown that converts least through one funnel, and whether it differs from the rest."""
    table = breakdowns[breakdowns["funnel"].astype(str) == funnel_id]
    table = table[~table["suppressed"].astype(bool)] if "suppressed" in table else table
    if len(table) < 2:
        return []
    worse = table[table["significant"].astype(bool) & (table["rate"] < table["rest_rate"])]
    row = (worse if len(worse) else table).sort_values(["rate", "n"], ascending=[True, False], kind="stable").iloc[0]
    key = "segment_worse" if len(worse) else "segment_no_difference"
    return [Finding(key, {"funnel": (label, "text"), "by": (str(row["by"]), "value"),
                          "segment": (str(row["value"]), "value"), "n": (row["n"], "count"),
                          "rest": (row["rest_rate"], "share"), **_interval(row, "rate", "ci_low", "ci_high")})]


def _week_that_broke(results) -> list[Finding]:
    """The week whose step rate fell furthest below the other weeks' (``trend_outliers``), with n and interval."""
    row = week_that_broke(results("trend_outliers"))
    if row is None:
        return []
    try:
        trend = results("funnel_trend")
        unit = str(trend["unit"].iloc[0]) if len(trend) else "session"
    except KeyError:
        unit = "session"
    values = {"week": (row["period"], "date"), "step": (row["label"], "text"), "units": (unit, "unit"),
              "converted": (row["converted"], "count"), "n": (row["n"], "count"),
              "rest": (row["rest_rate"], "share"), **_interval(row, "rate", "ci_low", "ci_high")}
    if str(row["by"] or "") == "":
        return [Finding("week_broke_all", values)]
    return [Finding("week_broke", {**values, "by": (str(row["by"]), "value"), "segment": (str(row["value"]), "value")})]


def _goals(results) -> list[Finding]:
    kpis = results("kpis")
    out = []
    known = kpis[kpis["on_track"].notna()]
    if len(known):
        out.append(Finding("kpis_on_track", {"on": (int(known["on_track"].astype(bool).sum()), "count"),
                                             "total": (len(known), "count")}))
    off = kpis[~kpis["on_track"].fillna(True).astype(bool) & kpis["baseline"].notna() & kpis["target"].notna()]
    for _, row in off.head(3).iterrows():
        kind = {"share": "share", "count": "count"}.get(row["unit"], "number")
        out.append(Finding("kpi_off_track", {"name": (row["name"], "text"), "target": (row["target"], kind),
                                             "n": (row["denominator"], "count"),
                                             **_interval(row, "baseline", "ci_low", "ci_high", kind)}))
    return out


def _personas(results) -> list[Finding]:
    personas = results("personas").sort_values("share_users", ascending=False, kind="stable")
    return [Finding("persona_weight", {"persona": (row["persona"], "text"), "share": (row["share_users"], "share"),
                                       "users": (row["users"], "count"),
                                       "revenue": (row["share_revenue"], "share"),
                                       "conversion": (row["conversion"], "share")})
            for _, row in personas.head(3).iterrows()]


def _touchpoints(results) -> list[Finding]:
    tps = results("touchpoints")
    seen = tps[tps["has_data"].astype(bool) & (tps["sessions"] >= 30)]
    out = []
    if len(seen):
        top = seen.sort_values("share_sessions", ascending=False, kind="stable").iloc[0]
        out.append(Finding("touchpoint_busiest", {"touchpoint": (top["label"], "text"),
                                                  "share": (top["share_sessions"], "share"),
                                                  "sessions": (top["sessions"], "count")}))
    blind = tps[~tps["has_data"].astype(bool)]
    if len(blind):
        out.append(Finding("touchpoint_blind", {"n": (len(blind), "count"),
                                                "names": (", ".join(map(str, blind["label"])), "text")}))
    return out


def _funnel_findings(results, funnel_id: str, breakdowns: pd.DataFrame | None) -> list[Finding]:
    """The largest drop-off of the funnel ``funnel-<funnel_id>``, then its breakdown's lowest value."""
    funnel = results(f"funnel-{funnel_id}")
    label = str(funnel["funnel_name"].iloc[0]) if "funnel_name" in funnel and len(funnel) else funnel_id
    found = _try(lambda: _largest_drop(funnel))
    return found + (_try(lambda: _worst_segment(breakdowns, funnel_id, label)) if breakdowns is not None else [])


def _behaviour(results) -> list[Finding]:
    """The week that broke, then for each declared funnel its largest drop-off and who converts least."""
    out = _try(lambda: _week_that_broke(results))
    breakdowns = _try(lambda: [results("funnel_breakdowns")])
    order = list(dict.fromkeys(breakdowns[0]["funnel"].astype(str))) if breakdowns and "funnel" in breakdowns[0] else []
    ids = sorted(results.names("funnel-"), key=lambda i: (order.index(i) if i in order else len(order), i))
    for funnel_id in ids:
        out += _try(partial(_funnel_findings, results, funnel_id, breakdowns[0] if breakdowns else None))
    return out


def _top_complaint(results) -> list[Finding]:
    tri = results("triangulation")
    themes = results("themes")
    tri = tri[tri["entered"] > 0]
    if tri.empty:
        return []
    stage = tri.sort_values("drop_off_rate", ascending=False, kind="stable").iloc[0]
    at_stage = themes[(themes["stage"] == stage["stage"]) & (themes["negative"] > 0)]
    if at_stage.empty:
        return []
    theme = at_stage.sort_values("negative", ascending=False, kind="stable").iloc[0]
    return [Finding("top_complaint", {"stage": (stage["label"], "text"), "drop": (stage["drop_off_rate"], "share"),
                                      "theme": (theme["label"], "text"), "negative": (theme["negative"], "count"),
                                      "mentions": (theme["mentions"], "count")})]


def _nps(results) -> list[Finding]:
    nps = results("nps_by_stage")
    nps = nps[~nps["suppressed"].astype(bool) & nps["nps"].notna()]
    if len(nps) < 2:
        return []
    row = nps.sort_values("nps", kind="stable").iloc[0]
    return [Finding("nps_lowest", {"stage": (row["label"], "text"), "n": (row["responses"], "count"),
                                   **_interval(row, "nps", "ci_low", "ci_high", "number")})]


def _pain(results) -> list[Finding]:
    pains = results("pain_points").dropna(subset=["share_of_negative"])
    if pains.empty:
        return []
    row = pains.sort_values("share_of_negative", ascending=False, kind="stable").iloc[0]
    return [Finding("pain_point_top", {"name": (row["name"], "text"), "negative": (row["negative"], "count"),
                                       "total": (row["negative_feedback"], "count"),
                                       **_interval(row, "share_of_negative", "ci_low", "ci_high")})]


def _voice(results) -> list[Finding]:
    return [*_try(lambda: _top_complaint(results)), *_try(lambda: _pain(results)), *_try(lambda: _nps(results))]


def _improvements(results) -> list[Finding]:
    out = []

    def sized():
        sizing = results("sizing").dropna(subset=["delta_per_month"])
        row = sizing.sort_values("delta_per_month", ascending=False, kind="stable").iloc[0]
        return [Finding("sizing_top", {"name": (row["name"], "text"), "step": (row["label"], "text"),
                                       "now": (row["rate_now"], "share"), "target": (row["rate_target"], "share"),
                                       **_interval(row, "delta_per_month", "delta_low", "delta_high", "number")})]

    def ranked():
        opportunities = results("opportunities").sort_values("rank", kind="stable")
        row = opportunities.iloc[0]
        return [Finding("opportunity_top", {"name": (row["name"], "text"), "score": (row["score"], "number"),
                                            "priority": (str(row["priority"]), "value")})]

    def tested():
        readout = results("experiments")
        wins = readout[readout["significant"].astype(bool)].sort_values("difference", ascending=False)
        return [Finding("experiment_win", {"experiment": (str(row["experiment"]), "value"),
                                           "rate": (row["rate"], "share"), "control": (row["control_rate"], "share"),
                                           "n": (row["users"], "count"),
                                           **_interval(row, "difference", "diff_ci_low", "diff_ci_high")})
                for _, row in wins.head(2).iterrows()]

    for finder in (sized, ranked, tested):
        out.extend(_try(finder))
    return out


def _journey_map(results) -> list[Finding]:
    emotion = results("emotion").dropna(subset=["measured"])
    if emotion.empty:
        return []
    row = emotion.sort_values("measured", kind="stable").iloc[0]
    out = [Finding("emotion_lowest", {"stage": (row["label"], "text"), "n": (row["n"], "count"),
                                      **_interval(row, "measured", "ci_low", "ci_high", "number")})]
    if "disagree" in emotion and emotion["disagree"].astype(bool).any():
        stages = emotion[emotion["disagree"].astype(bool)]["label"]
        out.append(Finding("emotion_disagree", {"n": (len(stages), "count"), "stages": (", ".join(stages), "text")}))
    return out


def _try(finder: Callable[[], list[Finding]]) -> list[Finding]:
    """The findings of ``finder``; none when a result it reads is absent or lacks a column."""
    try:
        return finder()
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return []


FINDERS = {"01-goals": _goals, "02-personas": _personas, "03-touchpoints": _touchpoints,
           "04-behaviour": _behaviour, "05-voice-of-customer": _voice, "06-improvements": _improvements,
           "07-journey-map": _journey_map}
"""The finder of each step: results in (a function of the result's name), findings out."""


def key_findings(run_dir: str | os.PathLike, step: str, *, limit: int = 5) -> list[Finding]:
    """Return the key findings of ``step`` from the results saved in ``run_dir`` (at most ``limit``).

    Parameters
    ----------
    run_dir
        The run folder (or the notebook's work folder) whose ``results/`` the steps saved.
    step
        The step's id, e.g. ``04-behaviour``.
    limit
        Findings at most.

    Returns
    -------
    list of Finding
        Possibly empty: a finding whose results are absent is left out.
    """
    if step not in FINDERS:
        raise ValueError(f"unknown step {step!r}; steps: {', '.join(FINDERS)}")

    return _try(lambda: FINDERS[step](_Results(run_dir)))[:limit]


class _Results:
    """The results a run saved: called with a name, the table (KeyError when absent); ``names`` lists them."""

    def __init__(self, run_dir: str | os.PathLike):
        self.folder = Path(run_dir) / "results"
        self.run_dir = run_dir

    def __call__(self, name: str) -> pd.DataFrame:
        table = load_result(self.run_dir, name, default=None)
        if not isinstance(table, pd.DataFrame):
            raise KeyError(name)
        return table

    def names(self, prefix: str) -> list[str]:
        """Return the names after ``prefix`` of the tables saved under a name starting with it."""
        return sorted(p.stem[len(prefix):] for p in self.folder.glob(f"{prefix}*.parquet"))
