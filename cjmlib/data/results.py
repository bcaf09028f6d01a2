"""The run's sidecar: key tables each step saves for the later steps and the journey map.

Steps never re-parse another notebook: they save their results here with :func:`save_result`
and read earlier ones with :func:`load_result`. Tables are Parquet, small documents JSON.

The results of the playbook, in the order the steps save them (every rate has its numerator and
denominator beside it; the columns are those of the function that computes the table). "Read by" names
the later readers; a result without one is kept for the record of the run and for custom analyses.

=========================  ====================  ==========================================================
name                       written by            what it holds (columns / keys)
=========================  ====================  ==========================================================
``kpis``                   01-goals              the spec's KPIs measured (:func:`cjmlib.kpi_table`): id,
                                                 goal, name, metric, unit, direction, baseline, numerator,
                                                 denominator, ci_low, ci_high, target, gap (target −
                                                 baseline), on_track, definition. Read by 06-improvements
                                                 (before/after), the map (future-state targets) and the
                                                 index page (headline KPIs, change since the last run)
``personas``               02-personas           evidence per persona (:func:`cjmlib.persona_evidence`):
                                                 persona, users, share_users, revenue, share_revenue,
                                                 sessions, conversions, conversion (= conversions ÷
                                                 sessions), ci_low, ci_high (Wilson 95 %),
                                                 device_mix, channel_mix, top_themes
``segments``               02-personas           behavioural segments in plain words
                                                 (:func:`cjmlib.segment_summary`): segment, users,
                                                 share_users, share_revenue, description, nps_responses, nps,
                                                 nps_ci_low, nps_ci_high
``touchpoints``            03-touchpoints        volume and conversion per touchpoint
                                                 (:func:`cjmlib.touchpoint_volume`): touchpoint, label, stage
                                                 (the stage's label), channel, events, sessions, users,
                                                 share_sessions, converted, conversion (= converted ÷
                                                 sessions), ci_low, ci_high, has_data. Read by the map
``data_quality``           04-behaviour          rows per source (:func:`cjmlib.data_quality_table`): table,
                                                 file, rows_read, rows_rejected, rejected_why, rows_kept,
                                                 rows_in_period, duplicates, unmatched_events,
                                                 timestamp_ties, masked_values, first_ts, last_ts
``stage_funnel``           04-behaviour          users reaching each stage (:func:`cjmlib.stage_funnel`, the
                                                 columns of :func:`cjmlib.funnel_table`): step, stage, label,
                                                 units, denominator (units of step 1), rate (= units ÷
                                                 denominator), ci_low, ci_high, previous, entered, converted,
                                                 new_entries, step_rate (= converted ÷ entered), step_ci_low,
                                                 step_ci_high, censored, drop_off (a count: entered −
                                                 converted − censored), median_seconds, p90_seconds, unit,
                                                 order, entry, counting, window_days. Read by
                                                 :func:`cjmlib.triangulation_table` and the map
``funnel-<id>``            04-behaviour          each funnel of ``funnels:`` (the default one without it)
                                                 (:func:`cjmlib.declared_funnel_table`): step (the step's
                                                 id), label, entered, converted, rate (= units ÷ units at
                                                 step 1), step_rate (= converted ÷ entered), ci_low, ci_high,
                                                 censored, median_seconds, p90_seconds, numerator,
                                                 denominator… Read by 06-improvements (sizing, what-if)
``time_to_convert``        04-behaviour          the time to reach each step of the first funnel anybody
                                                 entered, from the previous step (:func:`cjmlib.time_to_convert`):
                                                 funnel, step, key, label, since, n (units that reached the
                                                 step), p10_seconds, q1_seconds, median_seconds (= the funnel
                                                 table's), q3_seconds, p90_seconds, unit
``funnel_breakdowns``      04-behaviour          conversion through each funnel per value of each column of
                                                 ``breakdowns:`` (:func:`cjmlib.funnel_breakdown`, stacked):
                                                 funnel, by, value, n, successes, rate (= successes ÷ n),
                                                 ci_low, ci_high, rest_rate, p_adjusted (Holm or BH), significant,
                                                 suppressed… (empty without breakdowns)
``web_metrics``            04-behaviour          the web KPIs (:func:`cjmlib.web_metrics`): metric, label,
                                                 value, numerator, denominator, ci_low, ci_high, definition
``conversion_trend``       04-behaviour          each funnel's conversion per week of entry
                                                 (:func:`cjmlib.conversion_trend`): funnel, funnel_name,
                                                 period, entered, converted (reached the last step), censored,
                                                 rate (= converted ÷ entered), ci_low, ci_high (Wilson 95 %),
                                                 unit
``funnel_trend``           04-behaviour          the first funnel anybody entered, week by week, for all
                                                 units and per value of each breakdown
                                                 (:func:`cjmlib.funnel_trend`, stacked): period, by, value,
                                                 step, key, label, entered, converted, censored, step_rate
                                                 (= converted ÷ entered), ci_low, ci_high, unit
``trend_outliers``         04-behaviour          the weeks of ``funnel_trend`` whose step rate differs from
                                                 the other weeks (:func:`cjmlib.trend_outliers`): period, by,
                                                 value, step, key, label, n, converted, rate, ci_low, ci_high,
                                                 rest_rate, difference, test, p_value, p_adjusted (Holm or BH)
``attribution``            04-behaviour          touchpoint attribution of the first funnel's conversion
                                                 (:func:`cjmlib.funnel_attribution`): touchpoint, label,
                                                 removal_effect, low, high, first_touch, last_touch (with
                                                 their intervals), lost_conversions, conversions, units.
                                                 Read by the map (touchpoint lane)
``feedback``               05-voice-of-customer  the coded feedback, one row per kept item
                                                 (:func:`cjmlib.published_feedback`): id, ts, user_id
                                                 (pseudonym), text (redacted), rating, source, language,
                                                 human_sentiment, language_detected, language_assumed,
                                                 touchpoint, page, themes, stage, touchpoint,
                                                 touchpoint_by (column, page, theme or text),
                                                 sentiment, sentiment_label, sentiment_method. Read by
                                                 steps 06 and 07 (coded once per run)
``sentiment_methods``      05-voice-of-customer  lexicon against the fitted model per language
                                                 (:func:`cjmlib.sentiment_fit_table`). Read with ``feedback``
``nps_by_stage``           05-voice-of-customer  NPS per stage (:func:`cjmlib.nps_table`): stage, label,
                                                 responses, promoters, detractors, nps, ci_low, ci_high,
                                                 suppressed, rule. Read by the map
``themes``                 05-voice-of-customer  themes of the feedback (:func:`cjmlib.theme_table`): theme,
                                                 label, stage, polarity, mentions, feedback_items, share
                                                 (= mentions ÷ feedback_items), share_ci_low, share_ci_high,
                                                 negative (rated 1–2, or a negative text when unrated),
                                                 negative_share (= negative ÷ mentions), sentiment,
                                                 mean_rating, quotes_en, quotes_fr, quotes_other,
                                                 suppressed. Read by 06-improvements (evidence) and the map
``pain_points``            05-voice-of-customer  the spec's pain points against the feedback
                                                 (:func:`cjmlib.pain_point_table`): pain_point, name, stage,
                                                 themes, mentions, negative, negative_feedback,
                                                 share_of_negative (= negative ÷ negative_feedback), ci_low,
                                                 ci_high, quotes, evidence
``triangulation``          05-voice-of-customer  negative voice against drop-off per stage
                                                 (:func:`cjmlib.triangulation_table`): stage, label,
                                                 negative, negative_feedback, negative_share (= negative ÷
                                                 negative_feedback), entered, drop_off, drop_off_rate
                                                 (= drop_off ÷ entered), voice, behaviour, flag
``emotion``                05-voice-of-customer  the emotion curve of all personas
                                                 (:func:`cjmlib.emotion_curve`): stage, label, persona,
                                                 hypothesis, measured, ci_low, ci_high, n, n_surveys,
                                                 n_feedback, disagree. Read by the map
``sizing``                 06-improvements       what each opportunity is worth per month
                                                 (:func:`cjmlib.sizing_table`): opportunity, name, step,
                                                 label, previous, units, rate_now (= units ÷ previous),
                                                 rate_target, downstream, conversions_per_month,
                                                 delta_per_month, delta_low, delta_high, revenue_per_month,
                                                 revenue_low, revenue_high, days, value_per_conversion
``opportunities``          06-improvements       the opportunities scored and ranked
                                                 (:func:`cjmlib.opportunity_table`): opportunity, name,
                                                 stage, touchpoints, pain_points, kpis, reach, reach_source,
                                                 impact, confidence, effort, ease, value, rice, ice,
                                                 value_effort, evidence, scoring (the method used), score
                                                 (its value), rank, priority (now / next / later). Read by
                                                 the map
``what_if``                06-improvements       the funnel with the step rates of the targets
                                                 (:func:`cjmlib.what_if_table`; the live panel saves it
                                                 again at each move): measure (end_conversion,
                                                 conversions_per_month, revenue_per_month, then one
                                                 ``rate:<step>`` per step), now, what_if, change, each with
                                                 its 95 % interval (<col>_ci_low, <col>_ci_high: delta
                                                 method). Read by the future-state map
``experiments``            06-improvements       the A/B test read-out (:func:`cjmlib.readout`): experiment,
                                                 variant, control_users, control_conversions, control_rate,
                                                 control_ci_low, control_ci_high, users, conversions, rate,
                                                 ci_low, ci_high, difference, diff_ci_low, diff_ci_high,
                                                 relative_lift, p_value, p_adjusted (Holm or BH over the
                                                 variants read), correction, prob_to_beat, significant
``operations``             07-journey-map        the measures of the operations source, stacked
                                                 (:func:`cjmlib.service_measures`): measure (wait, rework,
                                                 contact_rate, churn_contact), touchpoint (empty: all),
                                                 cases, waits, median_days, p90_days, looped, share (=
                                                 looped ÷ cases, or contacted ÷ churned), orders, rate (=
                                                 cases ÷ orders), ci_low, ci_high, churned, contacted,
                                                 retained, retained_contacted, retained_share, churn_days,
                                                 first_day, last_day, suppressed. Read by the map
                                                 (service blueprint: backstage and support lanes)
``emotion_personas``       07-journey-map        the emotion curve of each persona in turn
                                                 (:func:`cjmlib.mapbuild.persona_emotions`): the columns of
                                                 ``emotion``, persona being the persona's id. Read by the map
``map_quotes``             07-journey-map        the quotes of the map per stage and persona
                                                 (:func:`cjmlib.map_quotes`): stage, persona, quote,
                                                 language, themes, sentiment, items. Read by the map
``map_scores``             07-journey-map        NPS, CSAT and CES per stage and touchpoint, for all customers
                                                 and each persona (:func:`cjmlib.map_scores`): stage,
                                                 touchpoint (missing: every answer at the stage), persona
                                                 (an id, or all), kind, responses, top_box, bottom_box,
                                                 score (NPS = 100 × (top_box − bottom_box) ÷ responses;
                                                 CSAT, CES = top_box ÷ responses), ci_low, ci_high (95 %),
                                                 suppressed. Read by the map (scores lane)
``meta``                   runner                period_start, period_end, sources (name → sha256), run_id
                                                 (a JSON document). Read by the map (period, provenance)
=========================  ====================  ==========================================================
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from ..files import write_atomically

__all__ = ["has_result", "load_result", "results_dir", "save_result"]


def results_dir(run_dir: str | os.PathLike) -> Path:
    """Return the run's ``results`` folder, creating it when missing.

    Parameters
    ----------
    run_dir
        The run folder (or ``reports/lab`` of a project outside a run).
    """
    path = Path(run_dir) / "results"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_result(run_dir: str | os.PathLike, name: str, value) -> Path:
    """Save a step's result: a DataFrame as Parquet, anything JSON-able as JSON.

    Returns the path written. Writing is atomic: a reader never sees half a file.

    Parameters
    ----------
    run_dir
        The run folder; the result goes to its ``results`` folder.
    name
        The result's name (see the table above), the file's stem: ``<name>.parquet`` or ``<name>.json``.
    value
        A DataFrame (its index is dropped) or any JSON-able value (what JSON cannot write is saved as text).
    """
    folder = results_dir(run_dir)
    if isinstance(value, pd.DataFrame):
        return write_atomically(folder / f"{name}.parquet", value.reset_index(drop=True).to_parquet(index=False))
    return write_atomically(folder / f"{name}.json", json.dumps(value, indent=2, ensure_ascii=False, default=str))


def has_result(run_dir: str | os.PathLike, name: str) -> bool:
    """Tell whether a step of the run saved the result ``name`` (as Parquet or JSON).

    Parameters
    ----------
    run_dir
        The run folder.
    name
        The result's name (see the table above).
    """
    folder = Path(run_dir) / "results"
    return (folder / f"{name}.parquet").exists() or (folder / f"{name}.json").exists()


def load_result(run_dir: str | os.PathLike, name: str, default=None):
    """Load a result saved by an earlier step; ``default`` when that step did not save it.

    Parameters
    ----------
    run_dir
        The run folder.
    name
        The result's name (see the table above); a table comes back as a DataFrame, a document as JSON data.
    default
        What to return when there is no such result (None by default).
    """
    folder = Path(run_dir) / "results"
    if (folder / f"{name}.parquet").exists():
        return pd.read_parquet(folder / f"{name}.parquet")
    if (folder / f"{name}.json").exists():
        return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    return default
