"""Theme coding of the feedback and what it shows: themes, pain points, quotes, triangulation.

The feedback is coded once per project and codebook (:func:`feedback_table`): its language, the
codebook's themes it mentions, its stage and its sentiment. The theme table, the pain points, the
quotes and the triangulation against behaviour all start from that table. Text methods (language,
stemming, suggested themes) live in :mod:`cjmlib.voice.text`, the sentiment in
:mod:`cjmlib.voice.sentiment`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.results import has_result, load_result
from ..personal import mask_personal
from ..stats import wilson_interval
from .fitted import fit_sentiment
from .placement import place_feedback
from .sentiment import sentiment_scores
from .text import code_texts, detect_language, redact, suggest_themes

__all__ = ["code_themes", "feedback_table", "pain_point_table", "published_feedback", "quotes_table",
           "sentiment_fit_table", "theme_candidates", "theme_table", "triangulation_table"]


def code_themes(texts: pd.Series, codebook) -> pd.DataFrame:
    """Return a boolean frame (one column per theme of ``codebook``) of which texts mention which theme.

    Keywords match whatever the case, accents and inflection (Snowball stems in the keyword's
    language); see :func:`cjmlib.voice.text.keyword_pattern` for ``*`` gaps and ``/regex/`` keywords.
    """
    return code_texts(texts, {t.id: dict(t.keywords) for t in codebook.themes if t.keywords})


_FEEDBACK_COLUMNS = "id, ts, user_id, text, rating, source, language, human_sentiment, touchpoint, page"


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
        missing), ``language_detected`` (True when detected), ``language_assumed`` (True when
        detection was unsure and the project's language was used: no item is left without one),
        ``touchpoint``, ``page`` (the source's own columns, when it has them), ``themes`` (list of
        theme ids), ``stage``, ``touchpoint`` and ``touchpoint_by`` (where the item sits on the
        journey: its own columns, else its first coded theme, else its text; see
        :func:`cjmlib.voice.placement.place_feedback`; missing when nothing tells), ``sentiment``, ``sentiment_label``, ``sentiment_method`` (see
        :func:`cjmlib.voice.sentiment.sentiment_scores`: English and French from the text, else the rating;
        ``fitted-<language>`` where the labelled items fitted a better model, see
        :func:`sentiment_fit_table`).
    """
    return _coded(project)[0].copy()


def sentiment_fit_table(project) -> pd.DataFrame:
    """Compare the sentiment model fitted on the labelled feedback with the lexicon, per language.

    One row per language with labelled items (none when nobody labelled any): see
    :func:`cjmlib.voice.fitted.fit_sentiment` for the columns; the agreement columns are shares of
    ``measured_on``, measured by 5-fold cross-validation.

    Parameters
    ----------
    project
        The loaded project: its feedback (coded once per codebook, :func:`feedback_table`) and spec.
    """
    return _coded(project)[1].copy()


def published_feedback(project) -> pd.DataFrame:
    """The coded feedback as a run publishes it (``results/feedback.parquet``): one row per kept item.

    The columns of :func:`feedback_table`, the text redacted (:func:`cjmlib.voice.text.redact`);
    ``user_id`` is the customer's pseudonym and ``id`` the item's id in the client's export, so
    that a consultant can audit one item's reading. Step 05 saves it with the method comparison
    (``results/sentiment_methods.parquet``); the later steps of the run read both instead of coding
    and fitting again.

    Parameters
    ----------
    project
        The loaded project.
    """
    table = feedback_table(project)
    table["text"] = table.text.fillna("").map(redact)
    ids = table.id.astype(str)
    table["id"] = ids.where(ids.str.isdigit(), ids.map(mask_personal))  # a number is the item's id; text may hide an e-mail
    return table


def _from_run(project) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The coding step 05 of this run published, or None (outside a run, or before step 05)."""
    run_dir = getattr(project, "run_dir", None)
    if run_dir is None or not (has_result(run_dir, "feedback") and has_result(run_dir, "sentiment_methods")):
        return None
    table = load_result(run_dir, "feedback")
    table["themes"] = [list(t) for t in table.themes]
    return table, load_result(run_dir, "sentiment_methods")


def _coded(project) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The coded feedback and the sentiment fit's measures, computed once per run (or project) and codebook."""
    cache = getattr(project, "cache", None)
    key = ("feedback_table", project.spec.codebook.model_dump_json())
    if cache is not None and key in cache:
        return cache[key]
    coded = _from_run(project) or _coded_feedback(project)
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
    unsure = empty & fb.language.eq("")  # detection found no language: the project's is used, and counted
    fb["language_assumed"] = unsure
    fb.loc[unsure, "language"] = project.spec.project.language
    codebook = project.spec.codebook
    coded = code_themes(fb.text, codebook).reindex(columns=[t.id for t in codebook.themes], fill_value=False)
    ids = np.array(coded.columns, dtype=object)
    fb["themes"] = [list(ids[row]) for row in coded.to_numpy(dtype=bool)] if len(fb) else []
    stage_of = {t.id: t.stage for t in codebook.themes if t.stage}
    fb["stage"] = [next((stage_of[t] for t in ts if t in stage_of), None) for ts in fb.themes]
    fb = place_feedback(fb, project.spec)
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
    """Count the mentions of each codebook theme in the feedback.

    Parameters
    ----------
    project
        The loaded project: its feedback (coded once per codebook, :func:`feedback_table`) and spec.
    quotes
        Quotes kept per theme and language group (2 by default).

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
    """Suggest candidate themes for the feedback the codebook leaves uncoded, to adopt into journey.yml.

    Parameters
    ----------
    project
        The loaded project: its feedback (coded once per codebook, :func:`feedback_table`) and spec.
    n_themes
        How many candidates to return at most (5 by default).
    seed
        Seed of the topic model (NMF), so that a run gives the same candidates (0 by default).

    Returns
    -------
    DataFrame
        The columns of :func:`cjmlib.voice.text.suggest_themes` (``candidate``, ``terms``, ``texts``,
        ``share`` = texts ÷ uncoded items, ``examples``) plus ``uncoded`` (the denominator) and
        ``feedback_items``.
    """
    fb = feedback_table(project)
    uncoded = fb[fb.themes.map(len) == 0]
    out = suggest_themes(uncoded.text, n_themes=n_themes, seed=seed)
    return out.assign(uncoded=len(uncoded), feedback_items=len(fb))


def quotes_table(themes: pd.DataFrame) -> pd.DataFrame:
    """Return one row per quote of :func:`theme_table`: ``theme``, ``language``, ``quote`` (already redacted).

    Parameters
    ----------
    themes
        The table of :func:`theme_table` (its ``label`` and ``quotes_en``, ``quotes_fr``, ``quotes_other``
        columns; a missing quotes column is skipped).
    """
    langs = [c[len("quotes_"):] for c in ("quotes_en", "quotes_fr", "quotes_other") if c in themes]
    rows = [{"theme": r.label, "language": lang, "quote": q}
            for r in themes.itertuples() for lang in langs for q in getattr(r, f"quotes_{lang}")]
    return pd.DataFrame(rows, columns=["theme", "language", "quote"])


def pain_point_table(project, *, quotes: int = 2) -> pd.DataFrame:
    """Gather the evidence for each pain point of the spec, from the feedback coded to its themes.

    Parameters
    ----------
    project
        The loaded project: its feedback (coded once per codebook, :func:`feedback_table`) and spec.
    quotes
        Quotes kept per pain point, from its negative items (2 by default).

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
