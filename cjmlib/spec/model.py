"""The journey spec's frozen models: one class per section of ``journey.yml``.

Every model is frozen and forbids unknown keys: an edit returns a new object
(``journey.model_copy(update=...)``) and a misspelt key is an issue, never ignored.
Reading and writing the YAML file is in :mod:`cjmlib.spec.io`, the issues it reports in
:mod:`cjmlib.spec.issues`.

Examples
--------
>>> from cjmlib.spec import Journey, ProjectInfo
>>> journey = Journey(project=ProjectInfo(name="Acme"))
>>> journey.stage_ids
['awareness', 'consideration', 'purchase', 'retention', 'advocacy']
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "DEFAULT_STAGES",
    "KPI",
    "Codebook",
    "DayActivity",
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
]

DEFAULT_STAGES = ("awareness", "consideration", "purchase", "retention", "advocacy")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class ProjectInfo(_Model):
    """Who the map is for and how it is delivered."""

    name: str
    client: str = ""
    map_type: Literal["current_state", "future_state", "day_in_the_life", "service_blueprint"] = "current_state"
    language: Literal["en", "fr"] = "en"
    min_group_size: int = Field(5, ge=1, description="groups smaller than this are suppressed in deliverables")
    description: str = ""
    keep_runs: int = Field(20, ge=1, description="run folders kept under reports/runs (older ones are deleted)")
    stale_after_days: int | None = Field(None, ge=1, description="warn when the data ends longer ago than this")
    engine: Literal["duckdb", "pyspark"] = Field("duckdb", description="where the analytics run")
    engine_options: dict[str, str] = Field(default_factory=dict,
                                           description="backend settings, e.g. master: local[2], memory_limit: 8GB")
    scoring: Literal["rice", "ice", "value_effort"] = Field(
        "rice", description="how opportunities are scored: rice (reach × impact × confidence ÷ effort), "
                            "ice (impact × confidence × ease) or value_effort (value ÷ effort)")


class KPI(_Model):
    """A key performance indicator: its baseline is measured, its target is set by the team."""

    id: str
    metric: Literal[
        "session_conversion", "user_conversion", "cart_abandonment", "checkout_abandonment",
        "bounce_rate", "repeat_purchase_rate", "nps", "csat", "average_order_value", "custom",
    ]
    name: str = ""
    baseline: float | None = None
    target: float | None = None
    direction: Literal["increase", "decrease"] = "increase"
    unit: Literal["share", "score", "currency", "count", "days"] = "share"


class Goal(_Model):
    id: str
    statement: str
    questions: tuple[str, ...] = ()
    kpis: tuple[KPI, ...] = ()


class DayActivity(_Model):
    """One moment of a persona's day (day-in-the-life map): the time, the activity, the touchpoint if any."""

    time: str = Field(description="time of day on a 24-hour clock, HH:MM, e.g. 07:30")
    activity: str
    touchpoint: str | None = Field(None, description="id of the touchpoint used at that moment; empty if none")

    @field_validator("time", mode="before")
    @classmethod
    def _hh_mm(cls, value):
        text = str(value).strip()
        hours, _, minutes = text.partition(":")
        if not (len(hours) == 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit()
                and int(hours) < 24 and int(minutes) < 60):
            raise ValueError(f"'{text}' is not a time of day: write HH:MM on a 24-hour clock, in quotes, "
                             "e.g. \"07:30\"")
        return text


class Persona(_Model):
    id: str
    name: str
    age_range: str = ""
    occupation: str = ""
    income: str = ""
    geography: str = ""
    needs: tuple[str, ...] = ()
    motivations: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    frustrations: tuple[str, ...] = ()
    behaviours: tuple[str, ...] = ()
    quote: str = ""
    day: tuple[DayActivity, ...] = Field((), description="the persona's day, for the day-in-the-life map")
    rule: dict[str, str | tuple[str, ...]] | None = Field(
        None, description="selects the persona's users in the events: column -> value or list of values")


class Stage(_Model):
    id: str
    name: str = ""
    description: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id.replace("_", " ").capitalize()


class MatchRule(_Model):
    """Which events belong to a touchpoint: every given field must match (AND); lists are OR."""

    event: tuple[str, ...] = ()
    page: tuple[str, ...] = Field((), description="glob patterns on the page path, e.g. /product/*")
    channel: tuple[str, ...] = ()

    @field_validator("event", "page", "channel", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        return (value,) if isinstance(value, str) else value


class Touchpoint(_Model):
    id: str
    name: str = ""
    stage: str
    channel: str = ""
    owner: str = ""
    frontstage: str = ""
    backstage: str = ""
    support: str = Field("", description="support processes behind the touchpoint (service blueprint)")
    match: MatchRule | None = None

    @property
    def label(self) -> str:
        return self.name or self.id.replace("_", " ").capitalize()


class Lane(_Model):
    """The workshop's hypothesis for one stage and one persona."""

    stage: str
    persona: str
    actions: tuple[str, ...] = ()
    thoughts: tuple[str, ...] = ()
    emotion: int = Field(0, ge=-2, le=2, description="emotion hypothesis on -2 (very negative) .. +2")
    future_emotion: float | None = Field(None, ge=-2, le=2, description="to-be emotion (future-state map)")


class PainPoint(_Model):
    id: str
    name: str
    stage: str
    touchpoints: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    description: str = ""


class Opportunity(_Model):
    id: str
    name: str
    stage: str
    touchpoints: tuple[str, ...] = ()
    pain_points: tuple[str, ...] = ()
    kpis: tuple[str, ...] = ()
    description: str = ""
    reach: float | None = Field(None, ge=0)
    impact: float | None = Field(None, ge=0, le=3)
    confidence: float | None = Field(None, ge=0, le=1)
    effort: float | None = Field(None, gt=0)
    ease: float | None = Field(None, ge=1, le=10, description="ICE ease, 1 (hard) .. 10 (easy)")
    value: float | None = Field(None, ge=0, description="value for value ÷ effort; the sized revenue when empty")
    funnel_step: str = Field("", description="sizing: the touchpoint of the purchase funnel whose step rate "
                                             "this opportunity moves; empty when it moves none")
    target_rate: float | None = Field(None, gt=0, le=1, description="sizing: the step rate aimed at (share of the "
                                                                    "previous step reaching funnel_step)")


class Theme(_Model):
    id: str
    label: str = ""
    stage: str | None = None
    polarity: Literal["negative", "positive", "neutral"] = "negative"
    keywords: dict[str, tuple[str, ...]] = Field(default_factory=dict,
                                                 description="language code -> keywords or regexes")


class Codebook(_Model):
    themes: tuple[Theme, ...] = ()


class Source(_Model):
    path: str
    format: Literal["csv", "parquet", "json", "ga4"] | None = None
    separator: str | None = None
    encoding: str = "utf-8"
    columns: dict[str, str] = Field(default_factory=dict, description="canonical name -> column in the file")
    session_timeout_minutes: int = Field(30, gt=0)
    timezone: str = Field("UTC", description="zone of timestamps written without one")
    key_events: dict[Literal["cart", "checkout", "purchase"], tuple[str, ...]] = Field(
        default_factory=lambda: {"cart": ("add_to_cart",), "checkout": ("begin_checkout",), "purchase": ("purchase",)},
        description="event names that mean: added to cart, started checkout, purchased")

    @field_validator("key_events", mode="before")
    @classmethod
    def _key_events(cls, value):
        defaults = {"cart": ("add_to_cart",), "checkout": ("begin_checkout",), "purchase": ("purchase",)}
        if isinstance(value, dict):
            value = {**defaults, **{k: (v,) if isinstance(v, str) else v for k, v in value.items()}}
        return value


class Sources(_Model):
    events: Source | None = None
    feedback: Source | None = None
    surveys: Source | None = None
    orders: Source | None = None


class Journey(_Model):
    """The whole journey spec. Frozen: edits return a new object (``model_copy(update=...)``)."""

    project: ProjectInfo
    goals: tuple[Goal, ...] = ()
    personas: tuple[Persona, ...] = ()
    stages: tuple[Stage, ...] = tuple(Stage(id=s) for s in DEFAULT_STAGES)
    touchpoints: tuple[Touchpoint, ...] = ()
    lanes: tuple[Lane, ...] = ()
    pain_points: tuple[PainPoint, ...] = ()
    opportunities: tuple[Opportunity, ...] = ()
    codebook: Codebook = Codebook()
    sources: Sources = Sources()

    @property
    def stage_ids(self) -> list[str]:
        return [s.id for s in self.stages]

    def stage(self, stage_id: str) -> Stage:
        return next(s for s in self.stages if s.id == stage_id)

    def lane(self, stage: str, persona: str) -> Lane | None:
        return next((ln for ln in self.lanes if ln.stage == stage and ln.persona == persona), None)

    @property
    def kpis(self) -> list[KPI]:
        return [k for g in self.goals for k in g.kpis]
