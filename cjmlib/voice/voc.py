"""Voice of the customer: survey scores, theme coding of feedback, pain points and the measured emotion curve.

Text methods (language, stemming, suggested themes) live in :mod:`cjmlib.text`, the sentiment in
:mod:`cjmlib.sentiment`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analytics.segments import persona_users_sql
from ..data.sources import _lit, _q
from ..errors import DataError, Issue
from ..stats import mean_interval, nps_interval, wilson_interval
from .fitted import fit_sentiment
from .sentiment import sentiment_scores
from .text import code_texts, detect_language, normalize_text, redact, suggest_themes

__all__ = [
    "ces_table",
    "code_themes",
    "csat_table",
    "emotion_curve",
    "feedback_table",
    "normalize_text",
    "nps_table",
    "pain_point_table",
    "quotes_table",
    "redact",
    "score_table",
    "sentiment_fit_table",
    "theme_candidates",
    "theme_table",
    "triangulation_table",
]

#: Scale, top box and bottom box of each survey kind (CES 1–7: agreeing the task was easy is 5–7).
SCALES = {"nps": {"low": 0, "high": 10, "top": 9, "bottom": 6},
          "csat": {"low": 1, "high": 5, "top": 4, "bottom": 2},
          "ces": {"low": 1, "high": 7, "top": 5, "bottom": 3}}
PERIODS = ("week", "month")


def _rule(project) -> str:
    k = project.spec.project.min_group_size
    return f"groups of fewer than {k} answers are not shown (min_group_size {k})"


def _group_sql(project, by: str) -> tuple[str, str]:
    """Return (extra CTE, the grouping expression) for grouping surveys or feedback by ``by``."""
    if by != "persona":
        return "", f"t.{_q(by)}"
    parts = [f"SELECT {_lit(p.id)} AS persona, user_id FROM ({sql})" for p in project.spec.personas
             if (sql := persona_users_sql(p)) is not None and project.has("events")]
    union = " UNION ALL ".join(parts) or "SELECT NULL::VARCHAR AS persona, NULL::VARCHAR AS user_id"
    return f", personas AS ({union})", "p.persona"


def _survey_groups(project, kind: str, by: str, period: str | None) -> pd.DataFrame:
    scale = SCALES[kind]
    columns = set(project.sql("SELECT * FROM surveys LIMIT 0").columns)
    if by not in columns | {"persona"}:
        raise DataError([Issue(code="unknown_column", file="surveys", key=by, value=by,
                               problem=f"The surveys have no column `{by}` to group by.",
                               fix=f"Group by one of: {', '.join(sorted(columns | {'persona'}))}.")])
    cte, key = _group_sql(project, by)
    join = "JOIN personas p ON p.user_id = t.user_id" if by == "persona" else ""
    when = f", date_trunc('{period}', t.ts)::DATE AS period" if period else ""
    return project.sql(f"""
        WITH t AS (SELECT * FROM surveys WHERE kind = {_lit(kind)}){cte}
        SELECT {key} AS "{by}"{when}, count(t.score) AS responses, avg(t.score) AS mean,
               stddev_samp(t.score) AS sd, count(*) FILTER (WHERE t.score >= {scale['top']}) AS top_box,
               count(*) FILTER (WHERE t.score <= {scale['bottom']}) AS bottom_box
        FROM t {join} GROUP BY ALL""")


def score_table(project, *, kind: str = "nps", by: str = "stage", period: str | None = None) -> pd.DataFrame:
    """Survey score of ``kind`` (nps 0–10, csat 1–5, ces 1–7) per value of ``by`` and ``period``.

    Parameters
    ----------
    project
        The loaded project.
    kind
        ``nps`` (promoters 9–10, detractors 0–6), ``csat`` (top-2-box 4–5) or ``ces`` (easy 5–7).
    by
        A column of the surveys (``stage``, ``touchpoint`` when the data has it) or ``persona``
        (users matched by the persona rules of the spec; a user may count for several personas).
    period
        ``week`` or ``month`` for a trend (one row per group and period), None for the whole time.

    Returns
    -------
    DataFrame
        ``<by>``, ``period`` (when asked), ``label``, ``kind``, ``responses`` (the denominator),
        ``top_box`` (promoters / 4–5 / 5–7), ``bottom_box`` (detractors / 1–2 / 1–3), ``score``
        (NPS = 100 × (top − bottom) ÷ responses; the mean for CSAT and CES), ``ci_low``,
        ``ci_high`` (95 %: NPS normal approximation, mean Student t), ``top_box_rate`` = top_box ÷
        responses with its Wilson interval ``top_ci_low``, ``top_ci_high``, ``suppressed`` (fewer
        answers than the spec's ``min_group_size``: values blanked) and ``rule`` (that rule, in words).
    """
    if kind not in SCALES:
        raise ValueError(f"kind must be one of {', '.join(SCALES)}, not {kind!r}")
    if period not in (None, *PERIODS):
        raise ValueError(f"period must be None, 'week' or 'month', not {period!r}")
    keys = [by, "period"] if period else [by]
    columns = [*keys, "label", "kind", "responses", "top_box", "bottom_box", "score", "ci_low", "ci_high",
               "top_box_rate", "top_ci_low", "top_ci_high", "suppressed", "rule"]
    if not project.has("surveys"):
        return pd.DataFrame(columns=columns)
    t = _survey_groups(project, kind, by, period)
    if by == "stage" and not period:
        base = pd.DataFrame({"stage": project.spec.stage_ids})
        t = base.merge(t, on="stage", how="left").fillna({"responses": 0, "top_box": 0, "bottom_box": 0})
    labels = {s.id: s.label for s in project.spec.stages} if by == "stage" else {}
    t["label"] = t[by].map(lambda v: labels.get(v, str(v)))
    t["kind"] = kind
    for col in ("responses", "top_box", "bottom_box"):
        t[col] = t[col].astype(int)
    n = t.responses.where(t.responses > 0)
    if kind == "nps":
        t["score"] = 100 * (t.top_box - t.bottom_box) / n
        t["ci_low"], t["ci_high"] = nps_interval(t.top_box, t.bottom_box, t.responses)
    else:
        from scipy import stats as st

        half = st.t.ppf(0.975, (n - 1).where(n > 1)) * t.sd.astype(float) / np.sqrt(n)
        t["score"], t["ci_low"], t["ci_high"] = t["mean"], t["mean"] - half, t["mean"] + half
    t["top_box_rate"] = t.top_box / n
    t["top_ci_low"], t["top_ci_high"] = wilson_interval(t.top_box, t.responses)
    t["suppressed"] = t.responses < project.spec.project.min_group_size
    blank = ["score", "ci_low", "ci_high", "top_box_rate", "top_ci_low", "top_ci_high"]
    t[blank] = t[blank].astype(float).mask(t.suppressed)
    t["rule"] = _rule(project)
    if period or by != "stage":
        t = t.sort_values(keys, ignore_index=True)
    return t[columns]


def nps_table(project, *, by: str = "stage", period: str | None = None) -> pd.DataFrame:
    """NPS per value of ``by`` (promoters score 9–10, detractors 0–6).

    Returns
    -------
    DataFrame
        ``<by>``, ``period`` (when asked), ``label``, ``responses`` (the denominator), ``promoters``,
        ``detractors``, ``nps`` = 100 × (promoters − detractors) ÷ responses, ``ci_low``, ``ci_high``
        (95 %), ``suppressed`` (fewer answers than ``min_group_size``; the values stay, deliverables
        hide them) and ``rule``. Stages are in the spec's order; stages without answers have
        0 responses and NaN NPS.
    """
    keys = [by, "period"] if period else [by]
    columns = [*keys, "label", "responses", "promoters", "detractors", "nps", "ci_low", "ci_high", "suppressed",
               "rule"]
    t = score_table(project, kind="nps", by=by, period=period)
    if not len(t):
        return pd.DataFrame(columns=columns)
    t = t.rename(columns={"top_box": "promoters", "bottom_box": "detractors"})
    n = t.responses.where(t.responses > 0)
    t["nps"] = 100 * (t.promoters - t.detractors) / n
    t["ci_low"], t["ci_high"] = nps_interval(t.promoters, t.detractors, t.responses)
    return t[columns]


def csat_table(project, *, by: str = "stage", period: str | None = None) -> pd.DataFrame:
    """CSAT (1–5) per value of ``by``: ``responses``, ``mean``, ``top2`` (answers of 4–5),
    ``top2_rate`` = top2 ÷ responses with its Wilson interval ``ci_low``, ``ci_high``,
    ``mean_ci_low``, ``mean_ci_high`` (Student t), ``suppressed``, ``rule``; groups without answers
    are left out."""
    keys = [by, "period"] if period else [by]
    cols = [*keys, "responses", "mean", "top2", "top2_rate", "ci_low", "ci_high", "mean_ci_low", "mean_ci_high",
            "suppressed", "rule"]
    t = score_table(project, kind="csat", by=by, period=period)
    t = t[t.responses > 0] if len(t) else t
    if not len(t):
        return pd.DataFrame(columns=cols)
    raw = _survey_groups(project, "csat", by, period)
    t = t.drop(columns=["label"]).merge(raw[[*keys, "mean"]], on=keys, how="left")
    t = t.rename(columns={"top_box": "top2", "ci_low": "mean_ci_low", "ci_high": "mean_ci_high"})
    t["top2_rate"] = t.top2 / t.responses
    t["ci_low"], t["ci_high"] = wilson_interval(t.top2, t.responses)
    return t[cols].reset_index(drop=True)


def ces_table(project, *, by: str = "stage", period: str | None = None) -> pd.DataFrame:
    """CES (1–7, higher is easier) per value of ``by``: the columns of :func:`score_table` with
    ``score`` the mean effort score and ``top_box`` the answers of 5–7 (it was easy)."""
    return score_table(project, kind="ces", by=by, period=period)


def code_themes(texts: pd.Series, codebook) -> pd.DataFrame:
    """Return a boolean frame (one column per theme of ``codebook``) of which texts mention which theme.

    Keywords match whatever the case, accents and inflection (Snowball stems in the keyword's
    language); see :func:`cjmlib.text.keyword_pattern` for ``*`` gaps and ``/regex/`` keywords.
    """
    return code_texts(texts, {t.id: dict(t.keywords) for t in codebook.themes if t.keywords})


_FEEDBACK_COLUMNS = "id, ts, user_id, text, rating, source, language, human_sentiment"


def _feedback(project) -> pd.DataFrame:
    if not project.has("feedback"):
        return pd.DataFrame(columns=_FEEDBACK_COLUMNS.split(", "))
    return project.sql(f"SELECT {_FEEDBACK_COLUMNS} FROM feedback ORDER BY ts, id")


def feedback_table(project) -> pd.DataFrame:
    """The feedback with its language, themes, stage and sentiment (one row per item; not for deliverables).

    Coding and scoring are done once per project and codebook: later calls (the theme table, pain
    points, triangulation and emotion curve all start from this table) get a copy of the first
    result, recomputed only when the codebook changes.

    Returns
    -------
    DataFrame
        ``id``, ``ts``, ``user_id``, ``text``, ``rating``, ``source``, ``language`` (from the data, else
        detected), ``human_sentiment`` (a person's label, ``negative``/``neutral``/``positive``, mostly
        missing), ``language_detected`` (True when detected), ``themes`` (list of theme ids),
        ``stage`` (the stage of the first coded theme with a stage, in codebook order; when
        uncoded: missing), ``sentiment``, ``sentiment_label``, ``sentiment_method`` (see
        :func:`cjmlib.sentiment.sentiment_scores`: English and French from the text, else the rating;
        ``fitted-<language>`` where the labelled items fitted a better model, see
        :func:`sentiment_fit_table`).
    """
    return _coded(project)[0].copy()


def sentiment_fit_table(project) -> pd.DataFrame:
    """How the sentiment model fitted on the labelled feedback compares with the lexicon, per language.

    One row per language with labelled items (none when nobody labelled any): see
    :func:`cjmlib.sentiment_fit.fit_sentiment` for the columns; the agreement columns are shares of
    ``labelled``, measured by 5-fold cross-validation.
    """
    return _coded(project)[1].copy()


def _coded(project) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The coded feedback and the sentiment fit's measures, computed once per project and codebook."""
    cache = getattr(project, "cache", None)
    key = ("feedback_table", project.spec.codebook.model_dump_json())
    if cache is not None and key in cache:
        return cache[key]
    coded = _coded_feedback(project)
    if cache is not None:
        for old in [k for k in cache if k[0] == "feedback_table"]:  # keep one codebook's coding
            del cache[old]
        cache[key] = coded
    return coded


def _coded_feedback(project) -> tuple[pd.DataFrame, pd.DataFrame]:
    fb = _feedback(project)
    empty = fb.language.isna() | fb.language.astype(str).str.strip().eq("")
    fb["language"] = fb.language.where(~empty, detect_language(fb.text)).fillna("")
    fb["language_detected"] = empty
    codebook = project.spec.codebook
    coded = code_themes(fb.text, codebook).reindex(columns=[t.id for t in codebook.themes], fill_value=False)
    ids = np.array(coded.columns, dtype=object)
    fb["themes"] = [list(ids[row]) for row in coded.to_numpy(dtype=bool)] if len(fb) else []
    stage_of = {t.id: t.stage for t in codebook.themes if t.stage}
    fb["stage"] = [next((stage_of[t] for t in ts if t in stage_of), None) for ts in fb.themes]
    scores = sentiment_scores(fb.text, fb.language, ratings=fb.rating)
    model = fit_sentiment(fb.text, fb.human_sentiment, fb.language, scores)
    return pd.concat([fb, model.rescore(fb.text, fb.language, scores)], axis=1), model.measures


def _negative(fb: pd.DataFrame) -> pd.Series:
    """An item is negative when rated 1–2; without a rating, when a person labelled it negative, or, without
    a label either, when its text sentiment is negative."""
    said = fb.human_sentiment.eq("negative").where(fb.human_sentiment.notna(), fb.sentiment_label.eq("negative"))
    return fb.rating.le(2).where(fb.rating.notna(), said).astype(bool)


def _quotes(sub: pd.DataFrame, language: str | None, n: int) -> list[str]:
    cand = sub if language is None else sub[sub.language == language]
    cand = cand.assign(length=cand.text.str.len(), neg=cand.sentiment.fillna(0))
    cand = cand[cand.length <= 160].sort_values(["rating", "neg", "length"], na_position="last")
    cand = cand.drop_duplicates("text")
    return [redact(t) for t in cand.text.head(n)]


def theme_table(project, *, quotes: int = 2) -> pd.DataFrame:
    """Mentions of each codebook theme in the feedback.

    Returns
    -------
    DataFrame
        ``theme``, ``label``, ``stage``, ``polarity``, ``mentions``, ``feedback_items`` (the denominator),
        ``share`` = mentions ÷ feedback items with its Wilson ``share_ci_low``, ``share_ci_high``,
        ``negative`` (mentions rated 1–2, or with a negative text sentiment when unrated),
        ``negative_share`` = negative ÷ mentions, ``sentiment`` (mean −1 … +1 of the mentions that
        have one), ``mean_rating``, ``quotes_en``, ``quotes_fr``, ``quotes_other`` (up to ``quotes``
        short redacted quotes each), ``suppressed`` (mentions below ``min_group_size``), sorted by
        mentions.
    """
    fb = feedback_table(project)
    fb["negative"] = _negative(fb)
    rows = []
    for theme in project.spec.codebook.themes:
        sub = fb[fb.themes.map(lambda ts, t=theme.id: t in ts).astype(bool)]
        neg = int(sub.negative.sum())
        rows.append({"theme": theme.id, "label": theme.label or theme.id, "stage": theme.stage,
                     "polarity": theme.polarity, "mentions": len(sub), "feedback_items": len(fb),
                     "share": len(sub) / len(fb) if len(fb) else np.nan, "negative": neg,
                     "negative_share": neg / len(sub) if len(sub) else np.nan,
                     "sentiment": float(sub.sentiment.mean()) if sub.sentiment.notna().any() else np.nan,
                     "mean_rating": float(sub.rating.mean()) if sub.rating.notna().any() else np.nan,
                     "quotes_en": _quotes(sub, "en", quotes), "quotes_fr": _quotes(sub, "fr", quotes),
                     "quotes_other": _quotes(sub[~sub.language.isin(["en", "fr"])], None, quotes)})
    cols = ["theme", "label", "stage", "polarity", "mentions", "feedback_items", "share", "share_ci_low",
            "share_ci_high", "negative", "negative_share", "sentiment", "mean_rating", "quotes_en", "quotes_fr",
            "quotes_other", "suppressed"]
    out = pd.DataFrame(rows, columns=[c for c in cols if c not in ("share_ci_low", "share_ci_high", "suppressed")])
    out["share_ci_low"], out["share_ci_high"] = wilson_interval(out.mentions, out.feedback_items)
    out["suppressed"] = out.mentions < project.spec.project.min_group_size
    return out[cols].sort_values("mentions", ascending=False, ignore_index=True)


def theme_candidates(project, *, n_themes: int = 5, seed: int = 0) -> pd.DataFrame:
    """Candidate themes for the feedback the codebook leaves uncoded, to adopt into journey.yml.

    Returns
    -------
    DataFrame
        The columns of :func:`cjmlib.text.suggest_themes` (``candidate``, ``terms``, ``texts``,
        ``share`` = texts ÷ uncoded items, ``examples``) plus ``uncoded`` (the denominator) and
        ``feedback_items``.
    """
    fb = feedback_table(project)
    uncoded = fb[fb.themes.map(len) == 0]
    out = suggest_themes(uncoded.text, n_themes=n_themes, seed=seed)
    return out.assign(uncoded=len(uncoded), feedback_items=len(fb))


def _persona_filter(project, persona: str | None) -> str:
    if persona is None:
        return ""
    p = next((p for p in project.spec.personas if p.id == persona), None)
    sql = persona_users_sql(p) if p is not None and project.has("events") else None
    return f" AND user_id IN ({sql})" if sql else " AND FALSE"


def emotion_curve(project, *, persona: str | None = None) -> pd.DataFrame:
    """The measured emotion per stage on the map's −2…+2 scale, beside the workshop's hypothesis.

    Evidence per stage: survey answers asked after the stage (NPS 0–10 mapped as (score − 5) ÷ 2.5,
    CSAT 1–5 as score − 3, CES 1–7 as (score − 4) × 2 ÷ 3) and feedback coded to a theme of the
    stage: its rating (1–5 as rating − 3) or, when unrated, twice its text sentiment (−1 … +1).

    Returns
    -------
    DataFrame
        ``stage``, ``label``, ``persona`` (``all`` when ``persona`` is None), ``hypothesis`` (the
        lane's emotion, averaged over personas when ``persona`` is None), ``measured`` (mean of the
        evidence), ``ci_low``, ``ci_high`` (95 % t), ``n`` (answers and items used), ``n_surveys``,
        ``n_feedback``, ``disagree`` (the hypothesis lies outside the interval).
    """
    spec = project.spec
    only = _persona_filter(project, persona)
    evidence = []
    if project.has("surveys"):
        s = project.sql(f"""SELECT stage, CASE WHEN kind = 'nps' THEN (score - 5) / 2.5
                                               WHEN kind = 'csat' THEN score - 3
                                               WHEN kind = 'ces' THEN (score - 4) * 2 / 3 END AS value
                            FROM surveys WHERE stage IS NOT NULL AND kind IN ('nps', 'csat', 'ces'){only}""")
        evidence.append(s.assign(origin="survey"))
    fb = feedback_table(project)
    if persona is not None and len(fb):
        users = set(project.sql(f"SELECT DISTINCT user_id FROM feedback WHERE TRUE{only}").user_id)
        fb = fb[fb.user_id.isin(users)]
    if len(fb):
        value = (fb.rating - 3).where(fb.rating.notna(), 2 * fb.sentiment)
        evidence.append(pd.DataFrame({"stage": fb.stage, "value": value, "origin": "feedback"}).dropna())
    ev = pd.concat(evidence, ignore_index=True) if evidence else pd.DataFrame(columns=["stage", "value", "origin"])
    rows = []
    for st in spec.stages:
        lanes = [ln.emotion for ln in spec.lanes if ln.stage == st.id and (persona is None or ln.persona == persona)]
        hyp = float(np.mean(lanes)) if lanes else np.nan
        here = ev[ev.stage == st.id]
        mean, low, high, n = mean_interval(here.value)
        rows.append({"stage": st.id, "label": st.label, "persona": persona or "all", "hypothesis": hyp,
                     "measured": mean, "ci_low": low, "ci_high": high, "n": n,
                     "n_surveys": int((here.origin == "survey").sum()),
                     "n_feedback": int((here.origin == "feedback").sum()),
                     "disagree": bool(n >= 2 and not np.isnan(hyp) and not (low <= hyp <= high))})
    return pd.DataFrame(rows)


def quotes_table(themes: pd.DataFrame) -> pd.DataFrame:
    """One row per quote of :func:`theme_table`: ``theme``, ``language``, ``quote`` (already redacted)."""
    langs = [c[len("quotes_"):] for c in ("quotes_en", "quotes_fr", "quotes_other") if c in themes]
    rows = [{"theme": r.label, "language": lang, "quote": q}
            for r in themes.itertuples() for lang in langs for q in getattr(r, f"quotes_{lang}")]
    return pd.DataFrame(rows, columns=["theme", "language", "quote"])


def pain_point_table(project, *, quotes: int = 2) -> pd.DataFrame:
    """The evidence for each pain point of the spec, from the feedback coded to its themes.

    Returns
    -------
    DataFrame
        ``pain_point``, ``name``, ``stage``, ``themes`` (list), ``mentions`` (items coded to any of the
        themes), ``negative`` (of those, negative items: rated 1–2, or negative text when unrated),
        ``negative_feedback`` (all negative items: the denominator), ``share_of_negative`` =
        negative ÷ negative_feedback with its Wilson ``ci_low``, ``ci_high``, ``quotes`` (redacted,
        most negative first), ``evidence`` (``none`` without mentions, ``weak`` below
        ``min_group_size``, else ``supported``).
    """
    fb = feedback_table(project)
    fb["negative"] = _negative(fb)
    total_neg = int(fb.negative.sum())
    k = project.spec.project.min_group_size
    rows = []
    for pp in project.spec.pain_points:
        sub = fb[fb.themes.map(lambda ts, want=set(pp.themes): bool(want & set(ts))).astype(bool)]
        neg = int(sub.negative.sum())
        rows.append({"pain_point": pp.id, "name": pp.name, "stage": pp.stage, "themes": list(pp.themes),
                     "mentions": len(sub), "negative": neg, "negative_feedback": total_neg,
                     "quotes": _quotes(sub[sub.negative], None, quotes),
                     "evidence": "none" if not len(sub) else "weak" if len(sub) < k else "supported"})
    cols = ["pain_point", "name", "stage", "themes", "mentions", "negative", "negative_feedback",
            "share_of_negative", "ci_low", "ci_high", "quotes", "evidence"]
    out = pd.DataFrame(rows, columns=[c for c in cols if c not in ("share_of_negative", "ci_low", "ci_high")])
    out["share_of_negative"] = out.negative / total_neg if total_neg else np.nan
    out["ci_low"], out["ci_high"] = wilson_interval(out.negative, out.negative_feedback)
    return out[cols]


def triangulation_table(project, *, funnel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per stage, negative voice against behavioural drop-off, with disagreements flagged.

    Parameters
    ----------
    project
        The loaded project.
    funnel
        The ``stage_funnel`` of step 04; by default the run's saved result (drop-off columns are
        NaN without it).

    Returns
    -------
    DataFrame
        ``stage``, ``label``, ``negative`` (negative feedback items coded to the stage),
        ``negative_feedback`` (all negative items coded to a stage: the denominator),
        ``negative_share`` = negative ÷ negative_feedback, ``entered`` (units reaching the previous
        step), ``drop_off`` (units lost since the previous step), ``drop_off_rate`` = drop_off ÷
        entered, ``voice`` (negative_share ≥ 1 ÷ number of stages and negative ≥ min_group_size),
        ``behaviour`` (drop_off_rate ≥ the median over stages after the first), ``flag``
        (``pain without behavioural evidence``, ``drop-off without a voice``, ``both`` or ``""``).
    """
    spec = project.spec
    fb = feedback_table(project)
    fb = fb[_negative(fb) & fb.stage.notna()]
    counts = fb.stage.value_counts()
    t = pd.DataFrame({"stage": spec.stage_ids, "label": [s.label for s in spec.stages]})
    t["negative"] = t.stage.map(counts).fillna(0).astype(int)
    t["negative_feedback"] = int(t.negative.sum())
    t["negative_share"] = t.negative / t.negative_feedback if t.negative_feedback.iloc[0] else np.nan
    funnel = project.result("stage_funnel") if funnel is None else funnel
    if isinstance(funnel, pd.DataFrame) and {"stage", "units"} <= set(funnel.columns):
        units = t.stage.map(dict(zip(funnel.stage, funnel.units))).astype(float)
        t["entered"] = units.shift(1)
        t["drop_off"] = t.entered - units
        t["drop_off_rate"] = t.drop_off / t.entered.where(t.entered > 0)
    else:
        t["entered"] = t["drop_off"] = t["drop_off_rate"] = np.nan
    t["voice"] = (t.negative_share >= 1 / len(t)) & (t.negative >= spec.project.min_group_size)
    t["behaviour"] = t.drop_off_rate.notna() & (t.drop_off_rate >= t.drop_off_rate.median())
    t["flag"] = np.select([t.voice & t.behaviour, t.voice, t.behaviour],
                          ["both", "pain without behavioural evidence", "drop-off without a voice"], "")
    return t

