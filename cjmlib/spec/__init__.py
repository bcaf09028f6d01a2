"""The journey spec: frozen models, YAML reading and writing, issues with file, line and "did you mean".

- :mod:`cjmlib.spec.model`: the frozen pydantic models, one per section of ``journey.yml``;
- :mod:`cjmlib.spec.io`: parsing, loading and saving (comments kept);
- :mod:`cjmlib.spec.issues`: the issues a spec can have, with their line and the closest allowed name.

Examples
--------
>>> from cjmlib.spec import Journey, load_spec
>>> spec = load_spec("templates/ecommerce/journey.yml")   # doctest: +SKIP
"""

from .io import load_spec, parse_spec, save_spec, spec_to_data
from .issues import did_you_mean, dotted, line_of
from .model import (
    DEFAULT_STAGES,
    FUNNEL_BY,
    KPI,
    Codebook,
    DayActivity,
    Funnel,
    Goal,
    Journey,
    Lane,
    MatchRule,
    Opportunity,
    PainPoint,
    Persona,
    ProjectInfo,
    Source,
    Sources,
    Stage,
    Theme,
    Touchpoint,
    duration_days,
)

__all__ = [
    "DEFAULT_STAGES",
    "FUNNEL_BY",
    "KPI",
    "Codebook",
    "DayActivity",
    "Funnel",
    "Goal",
    "Journey",
    "Lane",
    "MatchRule",
    "Opportunity",
    "PainPoint",
    "Persona",
    "ProjectInfo",
    "Source",
    "Sources",
    "Stage",
    "Theme",
    "Touchpoint",
    "did_you_mean",
    "dotted",
    "duration_days",
    "line_of",
    "load_spec",
    "parse_spec",
    "save_spec",
    "spec_to_data",
]
