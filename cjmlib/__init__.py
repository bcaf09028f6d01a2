"""CJM Workbench: the helper library behind the customer-journey-mapping playbook.

The public names a step notebook or a consultant needs; everything else lives in its module.
One import line per module, in alphabetical order; ``__all__`` is every public name imported here.
"""

import importlib
import types

from .breakdown import breakdown_table, unit_outcomes
from .display import as_table, show_image, show_table
from .engine import open_engine, to_spark
from .errors import CjmError, DataError, Issue, RunError, SpecError
from .exercises import check
from .experiments import design_test, message_tests, opportunity_tests, read_results, readout, sample_size
from .funnel import funnel_table, stage_funnel
from .inventory import (
    goals_table,
    persona_cards,
    persona_coverage,
    touchpoint_matrix,
    touchpoint_volume,
    unmatched_events,
)
from .paths import after_drop_off, step_sankey_table, top_paths, transition_table
from .planning import kpi_before_after, kpi_table, opportunity_table, roadmap_table
from .project import Project, load_project, open_project, validate_project
from .quality import data_quality_table, rejection_table
from .results import load_result, save_result
from .retention import cohort_table, purchase_gaps, repeat_purchase_rate
from .segments import (
    find_segments,
    persona_evidence,
    persona_mix,
    segment_features,
    segment_personas,
    segment_profiles,
    segment_summary,
)
from .sizing import (
    period_days,
    revenue_per_conversion,
    sizing_table,
    sizing_targets,
    what_if_panel,
    what_if_table,
)
from .spec import Journey, load_spec, save_spec
from .vendors import reconcile_funnels
from .voc import (
    ces_table,
    csat_table,
    emotion_curve,
    feedback_table,
    nps_table,
    pain_point_table,
    quotes_table,
    score_table,
    sentiment_fit_table,
    theme_candidates,
    theme_table,
    triangulation_table,
)
from .web import repeat_purchase, web_metrics, weekly_abandonment
from .widgets import SpecEditor

__version__ = "0.1.0"

# charts and the map pull in matplotlib: imported on first use, so the command line starts fast
_LAZY = ("journeymap", "plot")


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'cjmlib' has no attribute {name!r}")


__all__ = sorted([*_LAZY, *(name for name, value in globals().items()
                            if not name.startswith("_") and not isinstance(value, types.ModuleType))])
