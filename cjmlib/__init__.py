"""CJM Workbench: the helper library behind the customer-journey-mapping playbook.

The public names a step notebook or a consultant needs; everything else lives in its module.
One import line per module, in alphabetical order; ``__all__`` is every public name imported here.
"""

import importlib
import types

from .analytics.attribution import funnel_attribution, touchpoint_attribution
from .analytics.breakdown import breakdown_table, unit_outcomes
from .analytics.declared import declared_funnel_table, funnel_breakdown, funnel_options
from .analytics.drivers import funnel_drivers
from .analytics.funnel import Exclusion, FunnelOptions, funnel_reach, funnel_table, stage_funnel
from .analytics.funnel_time import conversion_trend, time_to_convert
from .analytics.inventory import (
    goals_table,
    persona_cards,
    persona_coverage,
    touchpoint_matrix,
    touchpoint_volume,
    unmatched_events,
)
from .analytics.operations import (
    churn_contacts,
    contact_rate,
    operation_waits,
    rework_loops,
    service_measures,
)
from .analytics.paths import after_drop_off, step_sankey_table, top_paths, transition_table
from .analytics.personas import persona_mix, segment_personas
from .analytics.reconcile import reconcile_funnels
from .analytics.retention import cohort_table, purchase_gaps, repeat_purchase_rate
from .analytics.segments import find_segments, segment_features, segment_profiles, segment_summary
from .analytics.trend import (
    funnel_trend,
    largest_drop_off,
    trend_abandonment,
    trend_outliers,
    week_that_broke,
)
from .analytics.vendor_view import vendor_comparison, vendor_differences
from .analytics.web import repeat_purchase, web_metrics, weekly_abandonment
from .data.crossref import skipped_sections
from .data.engine import open_engine, to_spark
from .data.project import Project, load_project, open_project, validate_project, validation_report
from .data.quality import data_quality_table, rejection_table
from .data.results import load_result, save_result
from .errors import CjmError, DataError, Issue, IssueCode, RunError, SpecError
from .i18n.catalogue import say, words
from .plan.experiments import (
    design_test,
    message_tests,
    opportunity_tests,
    read_results,
    readout,
    sample_size,
)
from .plan.planning import kpi_before_after, kpi_table, opportunity_table, roadmap_table
from .plan.sizing import (
    period_days,
    revenue_per_conversion,
    sizing_table,
    sizing_targets,
    what_if_table,
)
from .spec.funnels import events_column, journey_funnels
from .spec.io import load_spec, save_spec
from .spec.model import Funnel, Journey
from .view.display import as_table, show_image, show_table
from .view.exercises import check
from .view.findings import show_findings
from .voice.emotion import emotion_curve
from .voice.evidence import persona_evidence
from .voice.journey_scores import map_scores
from .voice.placement import placement_table
from .voice.quotes import map_quotes
from .voice.scores import ces_table, csat_table, nps_table, score_table
from .voice.themes import (
    feedback_table,
    pain_point_table,
    published_feedback,
    quotes_table,
    sentiment_fit_table,
    theme_candidates,
    theme_table,
    triangulation_table,
)

__version__ = "0.1.0"

# charts and the map pull in matplotlib, the spec editor ipywidgets: imported on first use, so the
# command line starts fast
_LAZY = {"journeymap": ".journeymap", "plot": ".view.plot"}
_LAZY_NAMES = {"SpecEditor": ".view.widgets", "missing_text": ".view.notes", "show_all": ".view.notes",
               "show_missing": ".view.notes", "what_if_panel": ".view.what_if"}


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(_LAZY[name], __name__)
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(_LAZY_NAMES[name], __name__), name)
    raise AttributeError(f"module 'cjmlib' has no attribute {name!r}")


__all__ = sorted([*_LAZY, *_LAZY_NAMES, *(name for name, value in globals().items()
                            if not name.startswith("_") and not isinstance(value, types.ModuleType))])
