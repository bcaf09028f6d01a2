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

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .translations import TRANSLATED, translation_problems

__all__ = [
    "DEFAULT_STAGES", "FUNNEL_BY", "KPI", "Codebook", "DayActivity", "Funnel", "FunnelExclusion", "Goal",
    "Journey", "Lane", "MatchRule", "Opportunity", "PainPoint", "Persona", "ProjectInfo", "Source",
    "Sources", "Stage", "Theme", "Touchpoint", "duration_days"
]

DEFAULT_STAGES = ("awareness", "consideration", "purchase", "retention", "advocacy")
FUNNEL_BY = ("event", "touchpoint", "stage")
_UNITS = {"s": 1 / 86400, "m": 1 / 1440, "h": 1 / 24, "d": 1.0, "w": 7.0}


def duration_days(value) -> float | None:
    """A duration of journey.yml in days: ``30m``, ``2h``, ``7d``, ``2w``, ``45s``, or a number of days.

    Raises ValueError (with the accepted forms) for anything else, zero or a negative duration.

    Parameters
    ----------
    value
        The duration as written: a number followed by ``s``, ``m``, ``h``, ``d`` or ``w``, or a bare
        number of days; None gives None.
    """
    if value is None:
        return None
    text = str(value).strip().lower()
    number, unit = (text[:-1], text[-1]) if text and text[-1] in _UNITS else (text, "d")
    try:
        days = float(number) * _UNITS[unit]
    except ValueError:
        days = None
    if days is None or not 0 < days < float("inf"):
        raise ValueError(f"'{value}' is not a duration: write a number and a unit, e.g. 30m, 2h, 7d or 2w")
    return days


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
    correction: Literal["holm", "bh"] = Field(
        "holm", description="p-values read together are adjusted by holm (Holm's step-down, the chance of any false "
                            "positive) or bh (Benjamini–Hochberg, the expected share of false positives)")


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
        """The stage's name, or its id made readable ("first_visit" -> "First visit") when it has none."""
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
        """The touchpoint's name, or its id made readable ("product_page" -> "Product page") when it has none."""
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
    reach: float | None = Field(None, ge=0, le=1e12, description="people or events per period (at most 10^12)")
    impact: float | None = Field(None, ge=0, le=3)
    confidence: float | None = Field(None, ge=0, le=1)
    effort: float | None = Field(None, ge=0.01, le=1e6, description="person-months, from 0.01 (a few hours) up")
    ease: float | None = Field(None, ge=1, le=10, description="ICE ease, 1 (hard) .. 10 (easy)")
    value: float | None = Field(None, ge=0, le=1e15, description="value for value ÷ effort; the sized revenue when "
                                                                  "empty")
    funnel: str = Field("", description="sizing: the id of the funnel (under funnels:) whose step this "
                                        "opportunity moves; may be left out when the project has one funnel")
    step: str = Field("", description="sizing: the step of that funnel whose step rate this opportunity moves "
                                      "(not its first step); empty when it moves none")
    target_rate: float | None = Field(None, gt=0, le=1, description="sizing: the step rate aimed at (share of the "
                                                                    "previous step reaching `step`)")


class FunnelExclusion(_Model):
    """An event (touchpoint or stage, as the funnel's ``by``) excluded only between two of the funnel's steps."""

    event: str
    between: tuple[int, int] | None = Field(None, description="[i, j]: from step i to step j (1-based); none: all")


class Funnel(_Model):
    """A funnel of the journey: its steps (events, touchpoints or stages), its unit and how it counts.

    Published by step 4 as ``results/funnel-<id>.parquet``. The counting options left out take the
    workbench's defaults, or the vendor's when ``emulate`` names one (docs/adr/0001-how-a-funnel-counts.md).
    """

    id: str
    name: str = ""
    by: Literal["event", "touchpoint", "stage"] = Field(
        "event", description="what the step ids name: event names, touchpoint ids or stage ids")
    steps: tuple[str, ...] = Field(min_length=1, description="the funnel's steps, in order")
    unit: Literal["user", "session"] = "user"
    window: str | None = Field(None, description="conversion window from the first step: 30m, 2h, 7d, 2w…")
    order: Literal["ordered", "strict", "any"] | None = Field(
        None, description="ordered (other events may come between steps), strict (directly followed) or any")
    entry: Literal["closed", "open"] | None = Field(None, description="closed: units enter at step 1; open: at any")
    counting: Literal["uniques", "totals"] | None = None
    reentry: Literal["first", "best"] | None = None
    exclude: tuple[str | FunnelExclusion, ...] = Field(
        (), description="values (same kind as `by`) that remove an attempt: a name, or {event, between: [i, j]}")
    step_windows: tuple[str | None, ...] | None = Field(
        None, description="one duration per step (the first ignored): the time allowed from the previous step")
    emulate: Literal["ga4", "mixpanel", "amplitude", "posthog"] | None = Field(
        None, description="count as this vendor does (its defaults for every option not written)")
    is_default: bool = Field(False, description="set by the workbench on the funnel it makes when none is declared")

    @field_validator("steps", "exclude", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        return (value,) if isinstance(value, str) else value

    @field_validator("window", mode="before")
    @classmethod
    def _window(cls, value):
        if value is None:
            return None
        duration_days(value)
        return str(value).strip()

    @field_validator("step_windows", mode="before")
    @classmethod
    def _step_windows(cls, value):
        if value is None:
            return None
        for v in value:
            duration_days(v)
        return tuple(None if v is None else str(v).strip() for v in value)

    @model_validator(mode="after")
    def _consistent(self):
        # the combinations cjmlib.funnel_table refuses; amplitude and posthog presets re-enter at the best attempt
        reentry = self.reentry or ("best" if self.emulate in ("amplitude", "posthog") else "first")
        if self.step_windows is not None and len(self.step_windows) != len(self.steps):
            raise ValueError(f"step_windows needs one value per step ({len(self.steps)}), not "
                             f"{len(self.step_windows)}: write ~ (none) for a step without a limit")
        for x in self.exclude:
            if isinstance(x, FunnelExclusion) and x.between and not 1 <= x.between[0] < x.between[1] <= len(self.steps):
                raise ValueError(f"the funnel '{self.id}' excludes '{x.event}' between steps {list(x.between)}, "
                                 f"outside its {len(self.steps)} steps: use [i, j] with 1 <= i < j <= {len(self.steps)}")
        if self.order == "any" and (self.entry == "open" or self.counting == "totals" or self.step_windows):
            raise ValueError("an `order: any` funnel is closed, counts uniques and has no step_windows")
        if self.counting == "totals" and (self.entry == "open" or reentry == "best"):
            raise ValueError("`counting: totals` counts the attempts of a closed funnel with `reentry: first`"
                             + (f" (emulate: {self.emulate} re-enters at the best attempt: add reentry: first)"
                                if self.emulate and not self.reentry else ""))
        return self

    @property
    def label(self) -> str:
        """The funnel's name, or its id made readable ("cart-to-order" -> "Cart to order") when it has none."""
        return self.name or self.id.replace("_", " ").replace("-", " ").capitalize()

    @property
    def window_days(self) -> float | None:
        """The conversion window in days; None when the funnel has none."""
        return duration_days(self.window)

    @property
    def step_window_days(self) -> list[float | None] | None:
        """The time allowed from the previous step, in days, one per step (None: no limit); None when not set."""
        return None if self.step_windows is None else [duration_days(v) for v in self.step_windows]


class Theme(_Model):
    id: str
    label: str = ""
    stage: str | None = None
    touchpoint: str | None = Field(None, description="the touchpoint its feedback is placed at, when no column says")
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
    dates: tuple[dt.date, dt.date] | None = Field(
        None, description="[first day, last day] rows may be dated; rows outside are set aside and counted "
                          "(default: 1990-01-01 to the day after the run)")
    allow_outside: bool = Field(False, description="true to read a path outside the project folder (absolute, "
                                                   "../ or a link leading out)")
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
    operations: Source | None = Field(None, description="cases of the operations (tickets, order status "
                                      "changes, calls): case_id, user_id, ts, status, touchpoint?, order_id?, contact?")


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
    funnels: tuple[Funnel, ...] = Field((), description="the funnels step 4 publishes; the stages, by user, "
                                                        "when none is declared")
    breakdowns: tuple[str, ...] = Field((), description="columns of the events file (mapped or not) each "
                                                        "funnel is broken down by")
    codebook: Codebook = Codebook()
    sources: Sources = Sources()
    translations: dict[Literal["en", "fr"], dict[Literal[TRANSLATED], dict[str, str | dict[str, str | tuple[str, ...]]]]] \
        = Field(default_factory=dict, description="names in another report language: language -> section -> id "
                "-> name, or -> field -> text (docs: the spec chapter of the playbook)")

    @model_validator(mode="after")
    def _translated_ids(self):
        problems = translation_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def stage_ids(self) -> list[str]:
        """The ids of the stages, in journey order."""
        return [s.id for s in self.stages]

    def stage(self, stage_id: str) -> Stage:
        """Return a stage by its id.

        Parameters
        ----------
        stage_id
            The id of a stage of the journey (StopIteration when there is none).
        """
        return next(s for s in self.stages if s.id == stage_id)

    def lane(self, stage: str, persona: str) -> Lane | None:
        """Return the workshop's lane for one stage and one persona; None when there is none.

        Parameters
        ----------
        stage
            A stage id.
        persona
            A persona id.
        """
        return next((ln for ln in self.lanes if ln.stage == stage and ln.persona == persona), None)

    def funnel(self, funnel_id: str) -> Funnel:
        """Return a declared funnel by its id.

        Parameters
        ----------
        funnel_id
            The id of a funnel of ``funnels:`` (StopIteration when there is none).
        """
        return next(f for f in self.funnels if f.id == funnel_id)

    @property
    def kpis(self) -> list[KPI]:
        """Every KPI of every goal, in spec order."""
        return [k for g in self.goals for k in g.kpis]
