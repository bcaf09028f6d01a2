"""The journey spec (``journey.yml``): frozen models, loading and saving.

The spec is read with ruamel.yaml in round-trip mode, so a programmatic save keeps the
consultant's comments and key order. Every problem is reported at once, each with the file,
the line, the key, what is allowed and the closest allowed name.

Examples
--------
>>> from cjmlib.spec import load_spec
>>> spec = load_spec("templates/ecommerce/journey.yml")   # doctest: +SKIP
>>> [s.id for s in spec.stages]                             # doctest: +SKIP
['awareness', 'consideration', 'purchase', 'retention', 'advocacy']
"""

from __future__ import annotations

import difflib
import io
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError

from ..errors import Issue, SpecError

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
    "load_spec",
    "parse_spec",
    "save_spec",
    "spec_to_data",
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


# ---------------------------------------------------------------- loading

def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.allow_duplicate_keys = False
    return yaml


def _line_of(root: Any, loc: tuple) -> int | None:
    """Return the 1-based line of the deepest node of ``loc`` that the YAML tree knows."""
    node, line = root, None
    for part in loc:
        try:
            if isinstance(node, CommentedMap) and part in node:
                line = node.lc.key(part)[0] + 1
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                line = node.lc.item(part)[0] + 1
                node = node[part]
            else:
                break
        except (KeyError, TypeError, AttributeError):
            break
    return line


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Follow ``loc`` through the model's fields and return the keys allowed at its parent."""
    import typing

    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        ann = fields[part].annotation
        for _ in range(3):  # unwrap tuple[...] / Optional[...]
            args = [a for a in typing.get_args(ann) if a is not type(None) and a is not Ellipsis]
            if getattr(ann, "model_fields", None) or not args:
                break
            ann = args[0]
        current = ann
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"Did you mean '{close[0]}'? " if close else ""


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _pydantic_issues(err: ValidationError, root: Any, file: str) -> list[Issue]:
    issues = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        line = _line_of(root, loc)
        key = _dotted(loc)
        kind = e["type"]
        value = e.get("input")
        if kind == "extra_forbidden":
            allowed = _allowed_keys(Journey, loc)
            problem = f"unknown key '{loc[-1]}'."
            fix = _did_you_mean(loc[-1], allowed) + (f"Allowed keys: {', '.join(allowed)}." if allowed else "")
            code = "unknown_key"
        elif kind == "literal_error":
            allowed = e.get("ctx", {}).get("expected", "")
            problem = f"'{value}' is not allowed."
            options = [a.strip(" '") for a in str(allowed).replace(" or ", ", ").split(",")]
            fix = _did_you_mean(value, options) + f"Allowed: {allowed}."
            code = "not_allowed"
        elif kind == "missing":
            problem = f"required key '{loc[-1]}' is missing."
            fix = f"Add '{loc[-1]}:' here."
            code = "missing_key"
        elif kind == "finite_number":
            problem = f"{value!r} is not a finite number."
            fix = "Write a plain number here (NaN and infinity are not allowed)."
            code = "not_finite"
        else:
            problem = f"{e['msg']} (got {value!r})." if not isinstance(value, dict | list) else f"{e['msg']}."
            fix = ""
            code = "bad_value"
        issues.append(Issue(code=code, file=file, line=line, key=key, value=None if value is None else str(value)[:80],
                            problem=problem, fix=fix.strip()))
    # a misspelt key is one mistake, not two: drop "missing 'name'" when "unknown 'naem'" suggests it
    suggested = {(i.key.rsplit(".", 1)[0], i.fix.split("'")[1]) for i in issues
                 if i.code == "unknown_key" and i.fix.startswith("Did you mean")}
    return [i for i in issues if not (i.code == "missing_key" and tuple(i.key.rsplit(".", 1)) in suggested)]


def _reference_issues(data: Any, root: Any, file: str) -> list[Issue]:
    """Check that every reference (stage, persona, touchpoint, pain point, KPI, theme) exists.

    Works on the raw YAML tree, so it reports even when other parts of the spec are invalid.
    """
    if not isinstance(data, dict):
        return []

    def ids(section: str, key: str = "id") -> list[str]:
        items = data.get(section) or []
        return [str(x.get(key)) for x in items if isinstance(x, dict) and x.get(key) is not None]

    stage_ids = ids("stages") if data.get("stages") else list(DEFAULT_STAGES)
    known = {
        "stage": stage_ids,
        "persona": ids("personas"),
        "touchpoints": ids("touchpoints"),
        "touchpoint": ids("touchpoints"),
        "pain_points": ids("pain_points"),
        "kpis": [str(k.get("id")) for g in (data.get("goals") or []) if isinstance(g, dict)
                 for k in (g.get("kpis") or []) if isinstance(k, dict)],
        "themes": [str(t.get("id")) for t in ((data.get("codebook") or {}).get("themes") or [])
                   if isinstance(t, dict)],
    }
    names = {"stage": "stages", "persona": "personas", "touchpoints": "touchpoints", "touchpoint": "touchpoints",
             "pain_points": "pain points", "kpis": "KPIs", "themes": "codebook themes"}
    issues: list[Issue] = []

    for section in ("stages", "personas", "touchpoints", "pain_points", "opportunities"):
        seen: set[str] = set()
        for i, item in enumerate(data.get(section) or []):
            if isinstance(item, dict) and item.get("id") is not None:
                if str(item["id"]) in seen:
                    issues.append(Issue(code="duplicate_id", file=file, line=_line_of(root, (section, i, "id")),
                                        key=f"{section}[{i}].id", value=str(item["id"]),
                                        problem=f"id '{item['id']}' is used twice in {section}.",
                                        fix="Give each entry its own id."))
                seen.add(str(item["id"]))

    checks = [("touchpoints", "stage"), ("lanes", "stage"), ("lanes", "persona"), ("pain_points", "stage"),
              ("pain_points", "touchpoints"), ("pain_points", "themes"), ("opportunities", "stage"),
              ("opportunities", "touchpoints"), ("opportunities", "pain_points"), ("opportunities", "kpis")]
    entries = [((section, i), item, field) for section, field in checks
               for i, item in enumerate(data.get(section) or [])]
    entries += [(("personas", i, "day", j), moment, "touchpoint")  # the moments of a persona's day
                for i, persona in enumerate(data.get("personas") or [])
                if isinstance(persona, dict) and isinstance(persona.get("day"), list)
                for j, moment in enumerate(persona["day"])]
    for where, item, field in entries:
        if not isinstance(item, dict) or item.get(field) is None:
            continue
        refs = item[field] if isinstance(item[field], list) else [item[field]]
        for j, ref in enumerate(refs):
            if str(ref) in known[field]:
                continue
            loc = (*where, field) if not isinstance(item[field], list) else (*where, field, j)
            allowed = known[field]
            issues.append(Issue(
                code="unknown_reference", file=file, line=_line_of(root, loc), key=_dotted(loc), value=str(ref),
                problem=f"'{ref}' is not one of the {names[field]} of this journey.",
                fix=(_did_you_mean(ref, allowed) + (f"Known {names[field]}: {', '.join(allowed)}." if allowed
                     else f"Declare it under '{field if field.endswith('s') else field + 's'}:' first.")).strip()))
    themes = ((data.get("codebook") or {}).get("themes") or [])
    for i, theme in enumerate(themes):
        if isinstance(theme, dict) and theme.get("stage") is not None and str(theme["stage"]) not in stage_ids:
            loc = ("codebook", "themes", i, "stage")
            issues.append(Issue(code="unknown_reference", file=file, line=_line_of(root, loc), key=_dotted(loc),
                                value=str(theme["stage"]),
                                problem=f"'{theme['stage']}' is not one of the stages of this journey.",
                                fix=(_did_you_mean(theme["stage"], stage_ids)
                                     + f"Known stages: {', '.join(stage_ids)}.").strip()))
    return issues


def _plain(node: Any) -> Any:
    """Turn a ruamel tree into plain dicts and lists."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def parse_spec(text: str, *, file: str = "journey.yml") -> tuple[Journey, Any]:
    """Parse spec text; return the model and the round-trip YAML tree (for saving with comments).

    Raises
    ------
    SpecError
        Listing every problem found, each with its line.
    """
    try:
        root = _yaml().load(text)
    except DuplicateKeyError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SpecError([Issue(code="duplicate_key", file=file, line=line,
                               problem=f"a key appears twice in the same mapping ({exc.problem}).",
                               fix="Keep one of them and delete the other.")]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SpecError([Issue(code="invalid_yaml", file=file, line=line,
                               problem=f"this is not valid YAML: {exc.problem or exc.context}.",
                               fix="Check the indentation (spaces, not tabs) and the quotes on this line.")]) from None
    if root is None:
        raise SpecError([Issue(code="empty_spec", file=file, problem="the spec is empty.",
                               fix="Start from a template: cjm new DIR --template ecommerce.")])
    if not isinstance(root, dict):
        raise SpecError([Issue(code="not_a_mapping", file=file, line=1,
                               problem="the spec must be a mapping of sections (project:, goals:, stages:, ...).",
                               fix="Start from a template: cjm new DIR --template ecommerce.")])
    data = _plain(root)
    issues: list[Issue] = []
    journey = None
    try:
        journey = Journey.model_validate(data)
    except ValidationError as err:
        issues.extend(_pydantic_issues(err, root, file))
    issues.extend(_reference_issues(data, root, file))
    if issues:
        issues.sort(key=lambda i: (i.line or 0))
        raise SpecError(issues)
    return journey, root


def load_spec(path: str | os.PathLike, *, with_tree: bool = False):
    """Load and validate ``journey.yml``.

    Parameters
    ----------
    path
        The spec file, or a journey project folder holding ``journey.yml``.
    with_tree
        Also return the round-trip YAML tree, to save later with comments kept.

    Returns
    -------
    Journey, or (Journey, tree) when ``with_tree`` is true.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "journey.yml"
    if not path.exists():
        raise SpecError([Issue(code="missing_file", file=str(path), problem="the spec file does not exist.",
                               fix="Create a project with: cjm new DIR --template ecommerce.")])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError([Issue(code="bad_encoding", file=path.name,
                               problem=f"the file is not UTF-8 text (byte {exc.start}).",
                               fix="Save it as UTF-8 in your editor.")]) from None
    journey, tree = parse_spec(text, file=path.name)
    return (journey, tree) if with_tree else journey


def spec_to_data(journey: Journey) -> dict:
    """Return the spec as plain data, leaving out defaults that were never written."""
    return journey.model_dump(mode="json", exclude_defaults=True)


def _merge(tree: Any, full: Any, sparse: Any) -> Any:
    """Update a round-trip tree in place, keeping comments and the keys the consultant wrote.

    ``full`` is the whole model dump; ``sparse`` leaves out defaults. A key already in the file is
    updated (even to its default); a key not in the file is added only when it is not a default.
    """
    if isinstance(tree, CommentedMap) and isinstance(full, dict):
        sparse = sparse if isinstance(sparse, dict) else {}
        for key in [k for k in tree if k not in full]:
            del tree[key]
        for key, value in full.items():
            if key in tree:
                tree[key] = _merge(tree[key], value, sparse.get(key))
            elif key in sparse:
                tree[key] = sparse[key]
        return tree
    if isinstance(tree, CommentedSeq) and isinstance(full, list):
        sparse = sparse if isinstance(sparse, list) else [None] * len(full)
        for i, value in enumerate(full):
            if i < len(tree):
                tree[i] = _merge(tree[i], value, sparse[i] if i < len(sparse) else None)
            else:
                tree.append(sparse[i] if i < len(sparse) and sparse[i] is not None else value)
        del tree[len(full):]
        return tree
    if isinstance(full, list) and full == [tree]:
        return tree  # a one-item list the consultant wrote as a single value
    return full if tree != full else tree


def save_spec(journey: Journey, path: str | os.PathLike, *, tree: Any = None, backup: bool = True) -> Path:
    """Write ``journey`` to ``path`` atomically, keeping the comments of ``tree`` (or of the file on disk).

    The spec is validated again from the text about to be written; on any problem nothing
    is written. With ``backup`` the previous file is kept as ``journey.yml.<timestamp>.bak``.
    """
    import time

    path = Path(path)
    if path.is_dir():
        path = path / "journey.yml"
    if tree is None and path.exists():
        tree = _yaml().load(path.read_text(encoding="utf-8-sig"))
    sparse = spec_to_data(journey)
    tree = _merge(tree, journey.model_dump(mode="json"), sparse) if tree is not None else sparse
    buf = io.StringIO()
    _yaml().dump(tree, buf)
    text = buf.getvalue()
    parse_spec(text, file=path.name)  # never write a spec that does not load back
    if backup and path.exists():
        stamp = time.strftime("%Y%m%d-%H%M%S")
        bak = path.with_name(f"{path.name}.{stamp}.bak")
        n = 1
        while bak.exists():
            bak = path.with_name(f"{path.name}.{stamp}-{n}.bak")
            n += 1
        bak.write_bytes(path.read_bytes())
    fd, tmp = tempfile.mkstemp(prefix=".journey-", suffix=".yml", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)
    return path
