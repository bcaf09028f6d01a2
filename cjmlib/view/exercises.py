"""Exercises of the trainer and participant pages: check an answer on the project's own data and say why.

Each check recomputes the expected answer with the workbench's analytics, compares, and returns a
:class:`Verdict`: right or wrong, and the reasons (the expected value and how it is computed, or
what the answer lacks), in the project's language. A missing answer (``None``) or an answer of the
wrong type never raises: the verdict explains what to write instead.

Examples
--------
>>> import cjmlib as cjm
>>> project = cjm.load_project("demo")                     # doctest: +SKIP
>>> cjm.check("step_conversion", 0.129, project)           # doctest: +SKIP
Step rate where the funnel loses most — Right.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from ..analytics.declared import declared_funnel_table, journey_funnels
from ..analytics.trend import funnel_trend, largest_drop_off, trend_outliers
from ..errors import CjmError
from ..i18n.catalogue import exercise_text, number, percent
from ..voice.text import code_texts, normalize_text
from ..voice.themes import pain_point_table, theme_table

__all__ = ["EXERCISES", "Verdict", "check"]

EXERCISES = ("step_conversion", "trend_week", "pain_point_from_quotes")
"""The exercises :func:`check` knows."""

TOLERANCE_POINTS = 0.5
MIN_WORDS = 8
# words that put the customer in a statement (compared without case or accents); persona names count too
CUSTOMER_WORDS = {
    "en": {"customer", "customers", "client", "clients", "buyer", "buyers", "shopper", "shoppers", "user", "users",
           "visitor", "visitors", "people", "i", "my", "me", "mine"},
    "fr": {"client", "clients", "cliente", "clientes", "acheteur", "acheteurs", "acheteuse", "acheteuses",
           "utilisateur", "utilisateurs", "utilisatrice", "utilisatrices", "visiteur", "visiteurs", "je", "j",
           "mon", "ma", "mes", "moi", "m"},
}
_STYLE = {"right": ("#2e7d4f", "#eef7f1", "✓"), "wrong": ("#b03a2e", "#fbeeec", "✗"),
          "no_answer": ("#9aa5b1", "#f4f6f8", "…"), "invalid": ("#d9822b", "#fdf4ea", "?"),
          "unavailable": ("#9aa5b1", "#f4f6f8", "–")}


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check.

    Attributes
    ----------
    exercise
        The exercise's id.
    status
        ``right``, ``wrong``, ``no_answer``, ``invalid`` (the answer has the wrong type or form) or
        ``unavailable`` (the project's data cannot answer the exercise).
    reasons
        Why, one sentence each: the expected value and how it is computed, or what is missing.
    language
        The language of the texts (``en`` or ``fr``).
    expected
        The expected value when it was computed (a rate, a date, a theme id), else None.
    """

    exercise: str
    status: str
    reasons: tuple[str, ...] = ()
    language: str = "en"
    expected: object = None

    @property
    def correct(self) -> bool:
        """True when the answer is right."""
        return self.status == "right"

    @property
    def title(self) -> str:
        """The exercise's name in the verdict's language."""
        return exercise_text(self.exercise, self.language)

    @property
    def summary(self) -> str:
        """One line: the exercise and whether the answer is right."""
        return f"{self.title} — {exercise_text(self.status, self.language)}"

    def __str__(self) -> str:
        return "\n".join([self.summary, *(f"- {r}" for r in self.reasons)])

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        color, background, mark = _STYLE[self.status]
        items = "".join(f"<li>{html.escape(r)}</li>" for r in self.reasons)
        return (f'<div class="cjm-verdict cjm-verdict-{self.status}" data-exercise="{html.escape(self.exercise)}" '
                f'style="border-left:4px solid {color};background:{background};padding:0.5em 0.9em;margin:0.5em 0">'
                f'<p style="margin:0;font-weight:bold">{mark} {html.escape(self.summary)}</p>'
                + (f'<ul style="margin:0.3em 0 0 1.2em;padding:0">{items}</ul>' if items else "") + "</div>")


def check(exercise_id: str, answer, project, *, language: str | None = None) -> Verdict:
    """Check an answer to an exercise on the project's data.

    Parameters
    ----------
    exercise_id
        One of :data:`EXERCISES`:

        - ``step_conversion``: the step rate (units reaching the step ÷ units at the step before) of
          the step with the lowest step rate in the first funnel of ``journey.yml`` anybody entered
          (:func:`cjmlib.largest_drop_off`), as a fraction (a percentage above 1 is accepted and said
          so); right within 0.5 points.
        - ``trend_week``: a date in the week (Monday start) that differs most from the other weeks
          of that funnel, for all units or a value of a breakdown column (the first row of
          :func:`cjmlib.trend_outliers` over :func:`cjmlib.funnel_trend`).
        - ``pain_point_from_quotes``: a dict ``{"stage", "theme", "statement"}`` or a pain point
          written as text; right when the theme is the codebook theme with the most negative
          feedback at that stage and the statement mentions the customer, has at least 8 words and
          names a touchpoint of the stage or a keyword of the theme.
    answer
        The participant's answer; None when not answered yet.
    project
        The loaded project (:func:`cjmlib.open_project` or :func:`cjmlib.load_project`).
    language
        ``en`` or ``fr``; the spec's ``project.language`` by default.

    Returns
    -------
    Verdict
        Shown in a notebook as a box saying right or wrong and why; ``verdict.correct`` is a bool.

    Raises
    ------
    ValueError
        ``exercise_id`` is not one of :data:`EXERCISES` (the answer itself never raises).
    """
    if exercise_id not in EXERCISES:
        raise ValueError(f"unknown exercise {exercise_id!r}; exercises: {', '.join(EXERCISES)}")
    language = language or project.spec.project.language
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return Verdict(exercise_id, "no_answer", (exercise_text("no_answer_hint", language),), language)
    try:
        return _CHECKS[exercise_id](answer, project, language)
    except CjmError as exc:  # the project lacks the data the exercise needs
        return Verdict(exercise_id, "unavailable", (str(exc).splitlines()[0],), language)


def _count(x, language: str) -> str:
    return number(int(x), language)


def _within(answer: float, expected: float) -> bool:
    """True when ``answer`` is within the tolerance (in percentage points) of ``expected``."""
    return abs(answer - expected) * 100 <= TOLERANCE_POINTS


def _wrong_type(exercise: str, expects: str, answer, language: str) -> Verdict:
    value = repr(answer) if len(repr(answer)) <= 60 else repr(answer)[:57] + "..."
    reason = exercise_text("type", language, expected=exercise_text(expects, language), kind=type(answer).__name__,
                           value=value)
    return Verdict(exercise, "invalid", (reason,), language)


def _entered_funnel(project):
    """The first funnel of the spec anybody entered, with its table; (None, None) when nobody entered any
    (or the project has no events)."""
    if not project.has("events"):
        return None, None
    for funnel in journey_funnels(project.spec):
        table = declared_funnel_table(project, funnel)
        if table.entered.iloc[0] > 0:
            return funnel, table
    return None, None


def _step_conversion(answer, project, language: str) -> Verdict:
    name = "step_conversion"
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or not math.isfinite(answer):
        return _wrong_type(name, "sc_expects", answer, language)
    value, reasons = float(answer), []
    if not 0 <= value <= 100:
        return Verdict(name, "invalid", (exercise_text("sc_range", language, value=number(value, language, 3)),),
                       language)
    if value > 1:
        value /= 100
        reasons.append(exercise_text("sc_percent", language, value=number(float(answer), language, 2),
                                     share=number(value, language, 4)))
    funnel, table = _entered_funnel(project)
    if funnel is None:
        return Verdict(name, "unavailable", (exercise_text("sc_missing", language),), language)
    step = largest_drop_off(table)
    if not step:
        return Verdict(name, "unavailable", (exercise_text("sc_no_cart", language, funnel=funnel.label),), language)
    table = table.set_index("step")
    row, labels = table.loc[step], dict(zip(table.index, table.label))
    previous = labels[funnel.steps[list(funnel.steps).index(step) - 1]]
    expected, units = float(row.step_rate), exercise_text(f"unit_{funnel.unit}", language)
    pct, n = partial(percent, language=language), partial(_count, language=language)
    reasons.append(exercise_text("sc_expected", language, funnel=funnel.label, step=row.label, rate=pct(expected),
                                 converted=n(row.converted), entered=n(row.entered), units=units, previous=previous))
    close = partial(_within, value)
    if close(expected):
        return Verdict(name, "right", tuple(reasons), language, expected)
    reasons.append(exercise_text("sc_gap", language, answer=pct(value),
                                 gap=number(abs(value - expected) * 100, language, 1)))
    if close(float(row.rate)):
        reasons.append(exercise_text("sc_overall", language, answer=pct(value), units=units, step=row.label,
                                     reached=n(row.numerator), denominator=n(row.denominator), previous=previous))
    elif close(1 - expected):
        reasons.append(exercise_text("sc_drop", language, answer=pct(value), drop=n(row.entered - row.converted),
                                     entered=n(row.entered), units=units, previous=previous))
    else:
        other = table[(table.index != step) & (table.position > 1) & (table.entered > 0)]
        other = other[[close(float(r)) for r in other.step_rate]]
        if len(other):
            r = other.iloc[0]
            reasons.append(exercise_text("sc_other_step", language, answer=pct(value), other=r.label,
                                         units=n(r.converted), previous=n(r.entered), step=row.label))
    return Verdict(name, "wrong", tuple(reasons), language, expected)


def _as_date(answer) -> dt.date | None:
    """The calendar day of a date-like answer, or None when it is not one."""
    if isinstance(answer, (dt.date, pd.Timestamp, np.datetime64, str)):
        try:
            day = pd.Timestamp(answer)
        except (ValueError, TypeError):
            return None
        return None if pd.isna(day) else day.date()
    return None


def _trend_week(answer, project, language: str) -> Verdict:
    name = "trend_week"
    day = _as_date(answer)
    if day is None:
        return _wrong_type(name, "tw_expects", answer, language)
    funnel, _ = _entered_funnel(project)
    if funnel is None:
        return Verdict(name, "unavailable", (exercise_text("sc_missing", language),), language)
    trend = funnel_trend(project, funnel, by=[None, *project.spec.breakdowns])
    outliers = trend_outliers(trend, min_n=project.spec.project.min_group_size)
    if outliers.empty:
        return Verdict(name, "unavailable", (exercise_text("tw_no_data", language, funnel=funnel.label),), language)
    top, n = outliers.iloc[0], partial(_count, language=language)
    p = float(top.p_adjusted)
    where = exercise_text("tw_where", language, value=top.value) if top.by else ""
    reasons = [exercise_text("tw_expected", language, week=top.period.isoformat(), step=top.label, where=where,
                             converted=n(top.converted), n=n(top.n), units=exercise_text(f"unit_{funnel.unit}", language),
                             rate=percent(top.rate, language), rest_rate=percent(top.rest_rate, language),
                             p="< " + number(0.001, language, 3) if p < 0.001 else number(p, language, 3))]
    monday = day - dt.timedelta(days=day.weekday())
    if monday == top.period:
        return Verdict(name, "right", tuple(reasons), language, top.period)
    series = trend[(trend.key == top.key) & (trend.by == top.by) & (trend.value == top.value)].set_index("period")
    if monday in series.index:
        mine = series.loc[monday]
        reasons.append(exercise_text("tw_yours", language, week=monday.isoformat(),
                                     rate=percent(mine.step_rate, language), converted=n(mine.converted),
                                     n=n(mine.entered)))
    else:
        reasons.append(exercise_text("tw_outside", language, date=day.isoformat(), first=series.index.min().isoformat(),
                                     last=(series.index.max() + dt.timedelta(days=6)).isoformat()))
    return Verdict(name, "wrong", tuple(reasons), language, top.period)


def _find(value, items: dict[str, str]) -> str | None:
    """The id among ``items`` (id -> label) that ``value`` names by id or label, ignoring case and accents."""
    wanted = normalize_text(str(value)).strip().replace("_", " ").replace("-", " ")
    for key, label in items.items():
        if wanted in (normalize_text(key).replace("_", " ").replace("-", " "), normalize_text(label)):
            return key
    return None


def _named(key, labels: dict[str, str]) -> str:
    """``Label (id)`` for a stage or theme, or the id alone when it has no other label."""
    label = labels.get(key, key)
    return str(key) if label == key else f"{label} ({key})"


def _read_pain_point(answer, project, language: str):
    """Return (stage, theme, statement, reasons) from a dict or a text answer, or a Verdict when it cannot."""
    name, spec = "pain_point_from_quotes", project.spec
    themes = {t.id: t.label or t.id for t in spec.codebook.themes}
    stages = {s.id: s.label for s in spec.stages}
    if isinstance(answer, str):
        keywords = {t.id: dict(t.keywords) for t in spec.codebook.themes if t.keywords}
        coded = code_texts(pd.Series([answer]), keywords).iloc[0] if keywords else pd.Series(dtype=bool)
        named = [t for t in coded.index if coded[t]]
        if not named:
            examples = ", ".join(by_lang[language][0] for by_lang in keywords.values() if by_lang.get(language))
            return Verdict(name, "wrong", (exercise_text("pp_no_theme_in_text", language, keywords=examples),),
                           language)
        negative = theme_table(project, quotes=0).set_index("theme").negative
        theme = max(named, key=lambda t: negative.get(t, 0))  # the named theme customers complain of most
        stage = next(t.stage for t in spec.codebook.themes if t.id == theme)
        return stage, theme, answer, [exercise_text("pp_read_as", language, theme=_named(theme, themes),
                                                    stage=_named(stage, stages))]
    if not isinstance(answer, Mapping):
        return _wrong_type(name, "pp_expects", answer, language)
    missing = [k for k in ("stage", "theme", "statement") if k not in answer]
    if missing:
        return Verdict(name, "invalid", (exercise_text("pp_missing", language, keys=", ".join(missing)),), language)
    if not isinstance(answer["statement"], str):
        return _wrong_type(name, "pp_expects", answer["statement"], language)
    stage, theme = _find(answer["stage"], stages), _find(answer["theme"], themes)
    if stage is None:
        return Verdict(name, "wrong", (exercise_text("pp_stage_unknown", language, stage=answer["stage"],
                                                     stages=", ".join(stages)),), language)
    if theme is None:
        return Verdict(name, "wrong", (exercise_text("pp_theme_unknown", language, theme=answer["theme"],
                                                     themes=", ".join(themes)),), language)
    return stage, theme, answer["statement"], []


def _pain_point_from_quotes(answer, project, language: str) -> Verdict:
    name = "pain_point_from_quotes"
    if not project.has("feedback"):
        return Verdict(name, "unavailable", (exercise_text("pp_no_feedback", language),), language)
    read = _read_pain_point(answer, project, language)
    if isinstance(read, Verdict):
        return read
    stage, theme, statement, reasons = read
    table = theme_table(project, quotes=0).set_index("theme")
    themes, stages = dict(zip(table.index, table.label)), {s.id: s.label for s in project.spec.stages}
    if table.stage[theme] != stage:
        reasons.append(exercise_text("pp_other_stage", language, theme=_named(theme, themes), stage=_named(stage, stages),
                                     theme_stage=_named(table.stage[theme], stages)))
        return Verdict(name, "wrong", tuple(reasons), language)
    at_stage = table[table.stage == stage].sort_values("negative", ascending=False, kind="stable")
    top, most = at_stage.index[0], int(at_stage.negative.iloc[0])
    if most == 0:
        reasons.append(exercise_text("pp_no_negative", language, stage=_named(stage, stages)))
        return Verdict(name, "wrong", tuple(reasons), language)
    n = partial(_count, language=language)
    right_theme = table.negative[theme] == most  # a tie at the top is right too
    if right_theme:
        reasons.append(exercise_text("pp_top", language, stage=_named(stage, stages), theme=_named(theme, themes),
                                     negative=n(most), mentions=n(table.mentions[theme])))
        spec_pp = pain_point_table(project, quotes=0)
        for _, r in spec_pp[spec_pp.themes.map(lambda ts: theme in ts)].head(1).iterrows():
            reasons.append(exercise_text("pp_spec", language, name=r["name"], negative=n(r.negative),
                                         total=n(r.negative_feedback), share=percent(r.share_of_negative, language)))
    else:
        reasons.append(exercise_text("pp_not_top", language, stage=_named(stage, stages), top=_named(top, themes),
                                     theme=_named(theme, themes), top_negative=n(most),
                                     negative=n(table.negative[theme])))
    statement_ok = _judge_statement(statement, stage, theme, project, language, reasons)
    return Verdict(name, "right" if right_theme and statement_ok else "wrong", tuple(reasons), language,
                   {"stage": stage, "theme": top})


def _judge_statement(statement: str, stage: str, theme: str, project, language: str, reasons: list[str]) -> bool:
    """Apply the statement rule (customer, ≥ 8 words, a touchpoint or a theme keyword); add why to ``reasons``."""
    spec = project.spec
    words = re.findall(r"\w+(?:['’-]\w+)*", statement)
    plain = normalize_text(statement)
    tokens = set(re.findall(r"[a-z]+", plain))
    personas = {normalize_text(p.name.split(",")[0].split()[0]) for p in spec.personas if p.name.strip()}
    customer = bool(tokens & (CUSTOMER_WORDS["en"] | CUSTOMER_WORDS["fr"] | personas))
    touchpoints = {t.id: t.label for t in spec.touchpoints if t.stage == stage}
    named_tp = [label for key, label in touchpoints.items()
                if re.search(rf"\b{re.escape(normalize_text(label))}\b", plain)
                or re.search(rf"\b{re.escape(key.replace('-', ' '))}\b", plain.replace("-", " "))]
    keywords = {t.id: dict(t.keywords) for t in spec.codebook.themes if t.id == theme and t.keywords}
    named_theme = bool(keywords) and bool(code_texts(pd.Series([statement]), keywords).iloc[0, 0])
    examples = ", ".join(kw for by_lang in keywords.values() for kw in by_lang.get(language, ())[:3])
    reasons.append(exercise_text("pp_rule", language))
    if not customer:
        reasons.append(exercise_text("pp_no_customer", language))
    if len(words) < MIN_WORDS:
        reasons.append(exercise_text("pp_short", language, n=len(words)))
    if not (named_tp or named_theme):
        reasons.append(exercise_text("pp_vague", language, touchpoints=", ".join(touchpoints.values()),
                                     keywords=examples))
    ok = customer and len(words) >= MIN_WORDS and bool(named_tp or named_theme)
    if ok:
        theme_label = next((t.label or t.id for t in spec.codebook.themes if t.id == theme), theme)
        named = ", ".join(named_tp + ([theme_label] if named_theme else []))
        reasons.append(exercise_text("pp_statement_ok", language, n=len(words), named=named))
    return ok


_CHECKS = {"step_conversion": _step_conversion, "trend_week": _trend_week,
           "pain_point_from_quotes": _pain_point_from_quotes}
