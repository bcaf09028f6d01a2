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

import pandas as pd

from ..data.results import load_result

__all__ = ["FINDERS", "Finding", "key_findings"]


@dataclass(frozen=True)
class Finding:
    """One finding: the catalogue ``key`` of its sentence and its figures as ``{name: (value, kind)}``."""

    key: str
    values: dict = field(default_factory=dict)


def _interval(row, value: str, low: str, high: str, kind: str = "share") -> dict:
    return {"value": (row[value], kind), "low": (row[low], kind), "high": (row[high], kind)}


def _largest_drop(results, name: str, funnel_key: str) -> list[Finding]:
    funnel = results(name)
    steps = funnel[(funnel["step"] > 1) & (funnel["entered"] > 0)]
    if steps.empty:
        return []
    row = steps.sort_values(["step_rate", "step"], kind="stable").iloc[0]
    previous = funnel[funnel["step"] == row["step"] - 1]
    return [Finding("funnel_drop", {
        "funnel": (funnel_key, "word"), "from": (previous["label"].iloc[0] if len(previous) else "", "text"),
        "to": (row["label"], "text"), "units": (str(row.get("unit", "session")), "unit"),
        "entered": (row["entered"], "count"), "converted": (row["converted"], "count"),
        **_interval(row, "step_rate", "step_ci_low", "step_ci_high")})]


def _worst_segment(results, name: str) -> list[Finding]:
    table = results(name)
    table = table[~table["suppressed"].astype(bool)] if "suppressed" in table else table
    if len(table) < 2:
        return []
    row = table.sort_values("rate", kind="stable").iloc[0]
    key = "segment_worse" if bool(row.get("significant", False)) else "segment_no_difference"
    return [Finding(key, {"by": (str(row["by"]), "value"), "segment": (str(row["value"]), "value"),
                          "n": (row["n"], "count"), "rest": (row["rest_rate"], "share"),
                          **_interval(row, "rate", "ci_low", "ci_high")})]


def _week_that_broke(results) -> list[Finding]:
    weeks = results("weekly_abandonment")
    weeks = weeks[weeks["sessions"] >= 20]
    if weeks.empty or weeks["week"].nunique() < 3:
        return []
    usual = weeks.groupby("device")["rate"].transform("median")
    jump = weeks.assign(usual=usual, jump=weeks["rate"] - usual).sort_values("jump", ascending=False, kind="stable")
    row = jump.iloc[0]
    if row["ci_low"] <= row["usual"]:
        return []
    return [Finding("week_broke", {"week": (row["week"], "date"), "device": (str(row["device"]), "value"),
                                   "abandoned": (row["abandoned"], "count"), "sessions": (row["sessions"], "count"),
                                   "usual": (row["usual"], "share"), **_interval(row, "rate", "ci_low", "ci_high")})]


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


def _behaviour(results) -> list[Finding]:
    return [*_try(lambda: _week_that_broke(results)),
            *_try(lambda: _largest_drop(results, "purchase_funnel_7d", "purchase_funnel")),
            *_try(lambda: _largest_drop(results, "stage_funnel", "stage_funnel")),
            *_try(lambda: _worst_segment(results, "conversion_by_device")),
            *_try(lambda: _worst_segment(results, "conversion_by_channel"))][:5]


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

    def results(name: str) -> pd.DataFrame:
        table = load_result(run_dir, name, default=None)
        if not isinstance(table, pd.DataFrame):
            raise KeyError(name)
        return table

    return _try(lambda: FINDERS[step](results))[:limit]
