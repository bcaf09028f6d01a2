"""CJM Workbench: the helper library behind the customer-journey-mapping playbook.

The public names a step notebook or a consultant needs; everything else lives in its module.
"""

import importlib

from .display import as_table, show_image, show_table
from .errors import CjmError, DataError, Issue, RunError, SpecError
from .funnel import funnel_table, stage_funnel
from .breakdown import breakdown_table as breakdown_table, unit_outcomes as unit_outcomes
from .vendors import reconcile_funnels as reconcile_funnels
from .inventory import goals_table, persona_cards, touchpoint_matrix, touchpoint_volume
from .planning import kpi_table, opportunity_table
from .project import Project, load_project, open_project, validate_project
from .results import load_result, save_result
from .segments import persona_evidence
from .spec import Journey, load_spec, save_spec
from .voc import emotion_curve, nps_table, quotes_table, theme_table
from .web import repeat_purchase, web_metrics, weekly_abandonment
from .widgets import SpecEditor as SpecEditor

__version__ = "0.1.0"


def __getattr__(name: str):
    # charts and the map pull in matplotlib: imported on first use, so the command line starts fast
    if name in ("journeymap", "plot"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'cjmlib' has no attribute {name!r}")

__all__ = [
    "journeymap", "plot", "as_table", "show_image", "show_table", "CjmError", "DataError", "Issue", "RunError", "SpecError",
    "funnel_table", "stage_funnel", "goals_table", "persona_cards", "touchpoint_matrix", "touchpoint_volume",
    "kpi_table", "opportunity_table", "Project", "load_project", "open_project", "validate_project",
    "load_result", "save_result", "persona_evidence", "Journey", "load_spec", "save_spec", "emotion_curve",
    "nps_table", "quotes_table", "theme_table", "repeat_purchase", "web_metrics", "weekly_abandonment",
]

# behaviour flow and retention
from .paths import after_drop_off, step_sankey_table, top_paths, transition_table
from .retention import cohort_table, purchase_gaps, repeat_purchase_rate

__all__ += ["after_drop_off", "cohort_table", "purchase_gaps", "repeat_purchase_rate", "step_sankey_table",
            "top_paths", "transition_table"]

from .voc import (ces_table, csat_table, feedback_table, pain_point_table, score_table,  # noqa: E402
                  theme_candidates, triangulation_table)

__all__ += ["ces_table", "csat_table", "feedback_table", "pain_point_table", "score_table", "theme_candidates",
            "triangulation_table"]
