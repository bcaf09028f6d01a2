"""The report's definitions appendix: every metric the run's pages show, its formula, unit, window and source.

The metrics are read from the run's results (``results/*.parquet`` and ``meta.json``), never from the
pages: a metric is listed only when the step that shows it saved a result with rows (a project without
surveys has no NPS definition). The words come from the catalogue (``cjmlib/i18n/<language>/definitions.yml``
and, for the KPIs and web metrics, ``metrics.yml``); windows are those the run used (a funnel's window and
unit as its result records them, the data's period from ``meta.json``), sources are named with the
SHA-256 fingerprint of the file the run read.

Examples
--------
>>> from cjmlib.run.definitions import definition_sections
>>> definition_sections("reports/latest", language="fr")  # doctest: +SKIP
[{'step': '01-goals', 'title': '01 · Objectifs', 'rows': [...]}, ...]
"""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path

import pandas as pd
from babel.dates import format_date

from ..data.results import load_result
from ..files import write_atomically
from ..i18n.catalogue import say, step_title, words
from ..i18n.formats import number
from ..view.present import table_word
from .export import DEFINITIONS_PAGE, page_environment
from .steps import STEPS

__all__ = ["METRIC_SOURCES", "RESULT_METRICS", "definition_sections", "definitions_context", "source_rows",
           "write_definitions"]

METRIC_SOURCES = {
    "session_conversion": ("events",), "user_conversion": ("events",), "cart_abandonment": ("events",),
    "checkout_abandonment": ("events",), "bounce_rate": ("events",), "pages_per_session": ("events",),
    "median_session_minutes": ("events",), "revenue_per_conversion": ("events",),
    "repeat_purchase_rate": ("orders",), "average_order_value": ("orders",),
    "nps": ("surveys",), "csat": ("surveys",), "ces": ("surveys",), "custom": ("spec",),
}
"""The data source of each metric a KPI or the web metrics may measure (``metrics.yml``'s keys)."""

_METRIC_UNITS = {"pages_per_session": "ratio", "median_session_minutes": "minutes", "nps": "nps", "csat": "score",
                 "ces": "score", "average_order_value": "money", "revenue_per_conversion": "money"}
_KPI_UNITS = {"share": "share", "count": "count", "currency": "money", "days": "days", "score": "score"}

RESULT_METRICS = (
    # step, result, metric key, unit key, window ("period", "funnel", "weekly", "monthly", "test",
    # "estimates"), sources, the column that must hold a value (None: any row)
    ("02-personas", "personas", "persona_share", "share_plain", "period", ("events", "orders"), "share_users"),
    ("02-personas", "personas", "persona_conversion", "share", "period", ("events",), "conversion"),
    ("02-personas", "segments", "segment_nps", "nps", "period", ("surveys",), "nps"),
    ("03-touchpoints", "touchpoints", "touchpoint_share", "share_plain", "period", ("events",), "share_sessions"),
    ("03-touchpoints", "touchpoints", "touchpoint_conversion", "share", "period", ("events",), "conversion"),
    ("04-behaviour", "stage_funnel", "stage_reach", "share", "funnel", ("events",), "rate"),
    ("04-behaviour", "stage_funnel", "stage_step_rate", "share", "funnel", ("events",), "step_rate"),
    ("04-behaviour", "stage_funnel", "stage_drop_off", "count", "funnel", ("events",), "drop_off"),
    ("04-behaviour", "stage_funnel", "time_to_step", "duration", "funnel", ("events",), "median_seconds"),
    ("04-behaviour", "funnel-*", "", "", "", (), None),  # each declared funnel: see _funnel_rows
    ("04-behaviour", "attribution", "attribution_removal", "share", "period", ("events",), "removal_effect"),
    ("04-behaviour", "attribution", "attribution_touch", "share", "period", ("events",), "first_touch"),
    ("04-behaviour", "funnel_breakdowns", "breakdown_rate", "share", "period", ("events",), "rate"),
    ("04-behaviour", "funnel_breakdowns", "breakdown_p", "p_value", "period", ("events",), "p_adjusted"),
    ("04-behaviour", "funnel_trend", "trend_rate", "share", "weekly", ("events",), "step_rate"),
    ("04-behaviour", "trend_outliers", "trend_outlier", "p_value", "weekly", ("events",), "p_adjusted"),
    ("04-behaviour", "conversion_trend", "weekly_conversion", "share", "weekly", ("events",), "rate"),
    ("04-behaviour", "time_to_convert", "time_to_convert", "duration", "funnel", ("events",), "median_seconds"),
    ("05-voice-of-customer", "nps_by_stage", "nps_stage", "nps", "period", ("surveys",), "nps"),
    ("05-voice-of-customer", "themes", "theme_share", "share", "period", ("feedback",), "share"),
    ("05-voice-of-customer", "themes", "theme_negative", "share", "period", ("feedback",), "negative_share"),
    ("05-voice-of-customer", "pain_points", "pain_share", "share", "period", ("feedback",), "share_of_negative"),
    ("05-voice-of-customer", "triangulation", "triangulation", "share", "period", ("feedback", "events"), None),
    ("05-voice-of-customer", "emotion", "emotion", "emotion", "period", ("surveys", "feedback"), "measured"),
    ("06-improvements", "opportunities", "opportunity", "points_score", "estimates", ("spec", "events"), "score"),
    ("06-improvements", "sizing", "sizing_conversions", "count_month", "monthly", ("events",), "delta_per_month"),
    ("06-improvements", "sizing", "sizing_revenue", "money_month", "monthly", ("events", "orders"),
     "revenue_per_month"),
    ("06-improvements", "what_if", "what_if", "share", "period", ("events", "spec"), None),
    ("06-improvements", "experiments", "experiment_difference", "points", "test", ("experiments",), "difference"),
    ("06-improvements", "experiments", "experiment_lift", "relative", "test", ("experiments",), "relative_lift"),
    ("06-improvements", "experiments", "experiment_beat", "probability", "test", ("experiments",), "prob_to_beat"),
    ("07-journey-map", "map_scores", "map_nps", "nps", "period", ("surveys",), "score"),
    ("07-journey-map", "map_scores", "map_csat", "share", "period", ("surveys",), "score"),
    ("07-journey-map", "map_scores", "map_ces", "share", "period", ("surveys",), "score"),
    ("07-journey-map", "operations", "operation_wait", "duration_days", "period", ("operations",), "median_days"),
    ("07-journey-map", "operations", "operation_rework", "share", "period", ("operations",), "share"),
    ("07-journey-map", "operations", "operation_contacts", "rate_poisson", "period", ("operations", "orders"), "rate"),
    ("07-journey-map", "operations", "churn_contact", "share", "period", ("operations", "orders"), "share"),
)
"""Which result makes which metric appear, on which page, in which unit, over which window, from which source."""

_ROWS_OF = {"map_nps": ("kind", "nps"), "map_csat": ("kind", "csat"), "map_ces": ("kind", "ces"),
            "operation_wait": ("measure", "wait"), "operation_rework": ("measure", "rework"),
            "operation_contacts": ("measure", "contact_rate"), "churn_contact": ("measure", "churn_contact")}
"""The rows of a result holding several metrics that belong to each (column, value)."""

_INTERVALS = {"persona_conversion": "ci_low", "segment_nps": "nps_ci_low", "touchpoint_conversion": "ci_low",
              "stage_reach": "ci_low", "stage_step_rate": "step_ci_low", "funnel_rate": "ci_low",
              "funnel_step_rate": "step_ci_low", "breakdown_rate": "ci_low", "trend_rate": "ci_low",
              "nps_stage": "ci_low", "theme_share": "share_ci_low", "theme_negative": "negative_ci_low",
              "pain_share": "ci_low", "what_if": "what_if_ci_low", "attribution_removal": "low",
              "attribution_touch": "first_touch_low",
              "weekly_conversion": "ci_low", "map_nps": "ci_low", "map_csat": "ci_low", "map_ces": "ci_low",
              "operation_rework": "ci_low", "churn_contact": "ci_low"}
"""The interval column of each share or score: a result without it has its unit said without an interval."""


def _unit(unit: str, key: str, table) -> str:
    """``unit``, or its ``_plain`` form (no interval) when the result holds no interval for ``key``."""
    if unit in ("share", "nps") and not _has_values(table, _INTERVALS.get(key, "")):
        return f"{unit}_plain"
    return unit


def _has_values(table, column: str | None) -> bool:
    if not isinstance(table, pd.DataFrame) or table.empty:
        return False
    return column is None or (column in table and table[column].notna().any())


def _date(text: str, language: str) -> str:
    """A day as the report's language writes it in full: ``November 1, 2026``, ``1er novembre 2026``."""
    try:
        day = dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return str(text)
    written = format_date(day, format="long", locale=language)
    return "1er" + written[1:] if language == "fr" and day.day == 1 else written


class _Run:
    """What the definitions need of a run: its results (read once), period and words."""

    def __init__(self, run_dir, language: str, min_group_size: int, funnel_names: dict[str, str],
                 correction: str = "holm"):
        self.run_dir, self.language, self.k, self.correction = Path(run_dir), language, min_group_size, correction
        self.funnel_names = funnel_names
        self.text = words("definitions", language)
        meta = load_result(run_dir, "meta", default=None) or {}
        self.meta = meta
        self.start = _date(meta.get("period_start", ""), language)
        self.end = _date(meta.get("period_end", ""), language)
        self.cache: dict[str, object] = {}

    def result(self, name: str):
        if name not in self.cache:
            self.cache[name] = load_result(self.run_dir, name, default=None)
        return self.cache[name]

    def units(self, values) -> str:
        names = [self.text["units_word"].get(str(v), str(v)) for v in dict.fromkeys(values) if isinstance(v, str)]
        return say("definitions", "units_or", self.language, a=names[0], b=names[1]) if len(names) > 1 else \
            (names[0] if names else self.text["units_word"]["user"])

    def window(self, kind: str, table=None) -> str:
        w = self.text["windows"]
        if kind == "funnel" and isinstance(table, pd.DataFrame) and not table.empty:
            days = table["window_days"].dropna() if "window_days" in table else pd.Series(dtype=float)
            if len(days):
                return w["days"].format(days=number(float(days.iloc[0]), self.language,
                                                    0 if float(days.iloc[0]).is_integer() else 1))
            if "unit" in table and (table["unit"] == "session").all():
                return w["session"]
            return w["unlimited"].format(start=self.start, end=self.end)
        if kind == "monthly":
            sizing = self.result("sizing")
            days = float(sizing["days"].iloc[0]) if _has_values(sizing, "days") else math.nan
            return w["monthly"].format(days="–" if math.isnan(days) else number(days, self.language))
        if kind in ("weekly", "test", "estimates"):
            return w[kind]
        return w["period"].format(start=self.start, end=self.end)

    def sources(self, keys) -> str:
        return ", ".join(self.text["sources"].get(k, k) for k in keys)

    def row(self, key: str, *, unit: str, window: str, sources, units: str = "", correction: str = "",
            **names) -> dict:
        entry = self.text["metrics"][key]
        fields = {"units": units, "k": self.k, **names}
        method = self.text["corrections"].get(correction or self.correction, correction or self.correction)
        return {"metric": entry["name"].format(**fields), "formula": entry.get("formula", "").format(**fields),
                "unit": self.text["units"][unit].format(method=method), "window": window,
                "source": self.sources(sources)}


def _measured_rows(run: _Run, table: pd.DataFrame, *, kpi: bool) -> list[dict]:
    """One row per KPI (``kpis``) or web metric (``web_metrics``): its name and definition from ``metrics.yml``."""
    rows = []
    metrics = words("metrics", run.language)
    for record in table.to_dict("records"):
        metric = str(record.get("metric", "custom"))
        known = metrics.get(metric, {})
        name = str(record.get("name") or known.get("name") or metric) if kpi else known.get("name") or \
            str(record.get("label", metric))
        unit = _METRIC_UNITS.get(metric) or (_KPI_UNITS.get(str(record.get("unit")), "score") if kpi else "share")
        if unit in ("share", "nps") and pd.isna(record.get("ci_low", float("nan"))):
            unit = f"{unit}_plain"
        formula = known.get("definition") if metric != "custom" else None
        rows.append({"metric": run.text["metrics"]["kpi"]["name"].format(name=name) if kpi else name,
                     "formula": formula or str(record.get("definition") or known.get("definition", "")),
                     "unit": run.text["units"][unit], "window": run.window("period"),
                     "source": run.sources(METRIC_SOURCES.get(metric, ("events",)))})
    return rows


def _funnel_rows(run: _Run) -> list[dict]:
    """Conversion to a step and step conversion of each declared funnel the run saved, in the spec's order."""
    rows = []
    folder = run.run_dir / "results"
    for path in sorted(folder.glob("funnel-*.parquet")):
        table = run.result(path.stem)
        if not _has_values(table, "rate"):
            continue
        fid = path.stem[len("funnel-"):]
        name = run.funnel_names.get(fid) or (str(table["funnel_name"].iloc[0]) if "funnel_name" in table else fid)
        units = run.units(table["unit"]) if "unit" in table else run.units(["user"])
        for key in ("funnel_rate", "funnel_step_rate"):
            rows.append(run.row(key, unit=_unit("share", key, table), window=run.window("funnel", table), sources=("events",),
                                units=units, funnel=name))
    return rows


def _units_of(run: _Run, result: str, table: pd.DataFrame) -> str:
    """The unit words of a result: its own ``unit`` column, or that of the funnels it names."""
    if "unit" in table:
        return run.units(table["unit"])
    if "funnel" in table:
        found = [run.result(f"funnel-{f}") for f in table["funnel"].dropna().unique()]
        return run.units([u for t in found if isinstance(t, pd.DataFrame) and "unit" in t for u in t["unit"]])
    if result == "triangulation":
        stages = run.result("stage_funnel")
        return run.units(stages["unit"]) if _has_values(stages, "unit") else run.units(["user"])
    return run.units(["session" if result == "what_if" else "user"])


def definition_sections(run_dir: str | os.PathLike, *, language: str = "en", min_group_size: int = 5,
                        funnel_names: dict[str, str] | None = None, scoring: str | None = None,
                        correction: str = "holm") -> list[dict]:
    """Return the metrics the run's pages show, grouped by page, each with its formula, unit, window and source.

    Parameters
    ----------
    run_dir
        The run folder (its ``results`` hold what the steps saved).
    language
        ``en`` or ``fr``.
    min_group_size
        The project's smallest group shown (named in the definitions that hide smaller groups).
    funnel_names
        The declared funnels' names in ``language`` by id; the name the result recorded otherwise.
    scoring
        How opportunities are ranked (``rice``, ``ice``, ``value_effort``) when the result does not
        record it (the result's ``scoring`` is what the page shows).
    correction
        How p-values are corrected for multiple comparisons (``holm``, ``bh``) when the result does not
        record it in a ``correction`` column.

    Returns
    -------
    list of dict
        One per page that shows metrics, in reading order: ``step`` (its id), ``title`` and ``rows``, each
        row a dict of texts: ``metric``, ``formula``, ``unit``, ``window``, ``source``.
    """
    run = _Run(run_dir, language, min_group_size, dict(funnel_names or {}), correction)
    by_step: dict[str, list[dict]] = {s.name: [] for s in STEPS}
    kpis = run.result("kpis")
    if _has_values(kpis, "baseline"):
        by_step["01-goals"] += _measured_rows(run, kpis[kpis["baseline"].notna()], kpi=True)
    web = run.result("web_metrics")
    if _has_values(web, "value"):
        by_step["04-behaviour"] += _measured_rows(run, web[web["value"].notna()], kpi=False)
    for step, result, key, unit, window, sources, column in RESULT_METRICS:
        if result == "funnel-*":
            by_step[step] += _funnel_rows(run)
            continue
        table = run.result(result)
        if key in _ROWS_OF and _has_values(table, _ROWS_OF[key][0]):
            table = table[table[_ROWS_OF[key][0]] == _ROWS_OF[key][1]]
        if not _has_values(table, column):
            continue
        if key == "opportunity":
            method = str(table["scoring"].iloc[0]) if "scoring" in table else (scoring or "rice")
            key = f"opportunity_{method}"
        correction = str(table["correction"].dropna().iloc[0]) if _has_values(table, "correction") else ""
        by_step[step].append(run.row(key, unit=_unit(unit, key, table), window=run.window(window, table), sources=sources,
                                     units=_units_of(run, result, table), correction=correction))
    steps = {s.name: s for s in STEPS}
    return [{"step": name, "title": f"{steps[name].number} · {step_title(name, language)}", "rows": rows}
            for name, rows in by_step.items() if rows]


def source_rows(run_dir: str | os.PathLike, *, language: str = "en", source_paths: dict[str, str] | None = None
                ) -> list[dict]:
    """Return the data sources the run read: ``source`` (its name in ``language``), ``file`` and ``sha256``.

    Parameters
    ----------
    run_dir
        The run folder (``meta.json`` records each file's SHA-256).
    language
        ``en`` or ``fr``.
    source_paths
        The spec's sources by kind (``events`` → ``data/events.csv``), to name a file by what it holds.
    """
    meta = load_result(run_dir, "meta", default=None) or {}
    names = words("definitions", language)["sources"]
    kinds = {str(path): kind for kind, path in (source_paths or {}).items()}
    kinds.setdefault("journey.yml", "spec")
    rows = []
    for path, digest in (meta.get("sources") or {}).items():
        kind = kinds.get(str(path)) or Path(str(path)).stem
        rows.append({"source": names.get(kind, kind), "file": Path(str(path)).name, "sha256": str(digest)})
    return rows


def definitions_context(spec, run_dir: str | os.PathLike) -> dict:
    """Return everything the definitions page shows, in the spec's report language (texts only).

    Parameters
    ----------
    spec
        The journey spec, its names in the report's language.
    run_dir
        The run folder.
    """
    language = spec.project.language
    text = words("definitions", language)
    meta = load_result(run_dir, "meta", default=None) or {}
    kinds = ("events", "feedback", "surveys", "orders", "operations")
    paths = {kind: getattr(spec.sources, kind).path for kind in kinds if getattr(spec.sources, kind, None) is not None}
    return {
        "language": language, "title": text["title"], "client": spec.project.client or spec.project.name,
        "intro": text["intro"].format(start=_date(meta.get("period_start", ""), language),
                                      end=_date(meta.get("period_end", ""), language)),
        "text": text, "sources": source_rows(run_dir, language=language, source_paths=paths),
        "sections": definition_sections(run_dir, language=language, min_group_size=spec.project.min_group_size,
                                         funnel_names={f.id: f.name for f in spec.funnels if f.name},
                                         scoring=spec.project.scoring,
                                         correction=getattr(spec.project, "correction", "holm")),
    }


def write_definitions(spec, run_dir: str | os.PathLike, *, run_date: str = "") -> Path:
    """Write the definitions appendix, ``html/definitions.html``, of a run whose steps saved their results.

    The page has the look, the navigation and the Content-Security-Policy of the other pages and loads nothing;
    every text is escaped.

    Parameters
    ----------
    spec
        The journey spec, its names in the report's language.
    run_dir
        The run folder.
    run_date
        The run's date as it should read.

    Returns
    -------
    Path
        The page written.
    """
    context = definitions_context(spec, run_dir)
    language = context["language"]
    last = STEPS[-1]
    context.update(run_date=run_date, words={k: table_word(f"page.{k}", language) for k in ("previous", "next")},
                   nav={"previous": {"href": f"{last.name}.html", "title": f"{last.number} · {step_title(last.name, language)}"},
                        "index": {"href": "index.html", "title": table_word("page.index", language)}})
    html = page_environment().get_template("definitions.html.j2").render(context)
    return write_atomically(Path(run_dir) / "html" / DEFINITIONS_PAGE, html)
