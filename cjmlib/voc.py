"""Voice of the customer: survey scores, theme coding of feedback and the measured emotion curve."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from .stats import mean_interval, nps_interval, wilson_interval

__all__ = ["nps_table", "csat_table", "normalize_text", "code_themes", "theme_table", "redact", "quotes_table",
           "emotion_curve"]


def nps_table(project, *, by: str = "stage") -> pd.DataFrame:
    """NPS per value of ``by`` (promoters score 9–10, detractors 0–6).

    Returns
    -------
    DataFrame
        ``<by>``, ``label``, ``responses`` (the denominator), ``promoters``, ``detractors``,
        ``nps`` = 100 × (promoters − detractors) ÷ responses, ``ci_low``, ``ci_high`` (95 %).
        Stages are in the spec's order; stages without answers have 0 responses and NaN NPS.
    """
    if not project.has("surveys"):
        return pd.DataFrame(columns=[by, "label", "responses", "promoters", "detractors", "nps", "ci_low", "ci_high"])
    s = project.table("surveys")
    s = s.filter(s.kind == "nps")
    table = s.group_by(by).agg(responses=s.score.count(), promoters=(s.score >= 9).sum(),
                               detractors=(s.score <= 6).sum()).execute()
    if by == "stage":
        spec = project.spec
        base = pd.DataFrame({"stage": spec.stage_ids, "label": [st.label for st in spec.stages]})
        table = base.merge(table, on="stage", how="left").fillna({"responses": 0, "promoters": 0, "detractors": 0})
    else:
        table["label"] = table[by].astype(str)
    for col in ("responses", "promoters", "detractors"):
        table[col] = table[col].astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["nps"] = 100 * (table.promoters - table.detractors) / table.responses.where(table.responses > 0)
    table["ci_low"], table["ci_high"] = nps_interval(table.promoters, table.detractors, table.responses)
    return table


def csat_table(project, *, by: str = "stage") -> pd.DataFrame:
    """CSAT (1–5) per value of ``by``: ``responses``, ``mean``, ``top2`` (answers of 4–5),
    ``top2_rate`` = top2 ÷ responses with its Wilson interval ``ci_low``, ``ci_high``."""
    cols = [by, "responses", "mean", "top2", "top2_rate", "ci_low", "ci_high"]
    if not project.has("surveys"):
        return pd.DataFrame(columns=cols)
    s = project.table("surveys")
    s = s.filter(s.kind == "csat")
    table = s.group_by(by).agg(responses=s.score.count(), mean=s.score.mean(), top2=(s.score >= 4).sum()).execute()
    table["top2_rate"] = table.top2 / table.responses
    table["ci_low"], table["ci_high"] = wilson_interval(table.top2, table.responses)
    return table[cols]


def normalize_text(text: str) -> str:
    """Lower-case and strip accents, so that 'Élevés' and 'eleves' match."""
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?<!\w)(?:\+?\d[\d .()-]{7,}\d)(?!\w)")
_ORDER = re.compile(r"(?i)\b(?:order|commande|cmd|n°|no\.?|#)\s*[:#]?\s*[A-Z]{0,3}-?\d{4,}\b")


def redact(text: str) -> str:
    """Replace e-mail addresses, phone and card-like numbers and order numbers with placeholders."""
    text = _EMAIL.sub("[email]", str(text))
    text = _ORDER.sub("[order]", text)
    return _PHONE.sub("[number]", text)


def _patterns(codebook) -> dict[str, re.Pattern]:
    out = {}
    for theme in codebook.themes:
        words = [normalize_text(w) for kws in theme.keywords.values() for w in kws]
        if words:
            # a keyword matches at a word start and may take an inflection (frais -> frais, retard -> retards)
            out[theme.id] = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\w{0,3}\b")
    return out


def code_themes(texts: pd.Series, codebook) -> pd.DataFrame:
    """Return a boolean frame (one column per theme of ``codebook``) of which texts mention which theme."""
    normalized = texts.fillna("").map(normalize_text)
    return pd.DataFrame({tid: normalized.str.contains(p) for tid, p in _patterns(codebook).items()},
                        index=texts.index)


def _feedback(project) -> pd.DataFrame:
    if not project.has("feedback"):
        return pd.DataFrame(columns=["id", "ts", "text", "rating", "language"])
    return project.sql("SELECT id, ts, text, rating, language FROM feedback")


def theme_table(project, *, quotes: int = 2) -> pd.DataFrame:
    """Mentions of each codebook theme in the feedback.

    Returns
    -------
    DataFrame
        ``theme``, ``label``, ``stage``, ``polarity``, ``mentions``, ``feedback_items`` (the denominator),
        ``share`` = mentions ÷ feedback items, ``negative`` (mentions with a rating of 1–2),
        ``negative_share`` = negative ÷ mentions, ``mean_rating``, ``quotes_en``, ``quotes_fr``
        (up to ``quotes`` short redacted quotes each), sorted by mentions.
    """
    fb = _feedback(project)
    codebook = project.spec.codebook
    coded = code_themes(fb.text, codebook)
    rows = []
    for theme in codebook.themes:
        hit = coded[theme.id] if theme.id in coded else pd.Series(False, index=fb.index)
        sub = fb[hit]
        neg = int((sub.rating <= 2).sum())
        picks = {}
        for lang in ("en", "fr"):
            cand = sub[sub.language == lang].assign(length=lambda d: d.text.str.len())
            cand = cand[cand.length <= 160].sort_values(["rating", "length"], na_position="last")
            picks[lang] = [redact(t) for t in cand.text.head(quotes)]
        rows.append({"theme": theme.id, "label": theme.label or theme.id, "stage": theme.stage,
                     "polarity": theme.polarity, "mentions": int(hit.sum()), "feedback_items": len(fb),
                     "share": hit.sum() / len(fb) if len(fb) else np.nan, "negative": neg,
                     "negative_share": neg / len(sub) if len(sub) else np.nan,
                     "mean_rating": float(sub.rating.mean()) if len(sub) else np.nan,
                     "quotes_en": picks["en"], "quotes_fr": picks["fr"]})
    return pd.DataFrame(rows).sort_values("mentions", ascending=False, ignore_index=True)


def emotion_curve(project, *, persona: str | None = None) -> pd.DataFrame:
    """The measured emotion per stage on the map's −2…+2 scale, beside the workshop's hypothesis.

    Evidence per stage: survey answers asked after the stage (NPS 0–10 mapped as (score − 5) ÷ 2.5,
    CSAT 1–5 as score − 3) and feedback ratings (1–5 as rating − 3) of feedback coded to a theme of
    the stage.

    Returns
    -------
    DataFrame
        ``stage``, ``label``, ``hypothesis`` (the lane's emotion, averaged over personas when
        ``persona`` is None), ``measured`` (mean of the evidence), ``ci_low``, ``ci_high`` (95 % t),
        ``n`` (answers and ratings used), ``disagree`` (the hypothesis lies outside the interval).
    """
    spec = project.spec
    evidence = []
    if project.has("surveys"):
        s = project.sql("""SELECT stage, CASE WHEN kind = 'nps' THEN (score - 5) / 2.5
                                             WHEN kind = 'csat' THEN score - 3 END AS value
                           FROM surveys WHERE stage IS NOT NULL AND kind IN ('nps', 'csat')""")
        evidence.append(s)
    fb = _feedback(project)
    if len(fb):
        coded = code_themes(fb.text, spec.codebook)
        stage_of = {t.id: t.stage for t in spec.codebook.themes if t.stage}
        for tid, stage in stage_of.items():
            if tid in coded:
                rated = fb[coded[tid] & fb.rating.notna()]
                evidence.append(pd.DataFrame({"stage": stage, "value": rated.rating - 3}))
    ev = pd.concat(evidence, ignore_index=True) if evidence else pd.DataFrame(columns=["stage", "value"])
    rows = []
    for st in spec.stages:
        lanes = [ln.emotion for ln in spec.lanes if ln.stage == st.id and (persona is None or ln.persona == persona)]
        hyp = float(np.mean(lanes)) if lanes else np.nan
        mean, low, high, n = mean_interval(ev.loc[ev.stage == st.id, "value"])
        rows.append({"stage": st.id, "label": st.label, "hypothesis": hyp, "measured": mean, "ci_low": low,
                     "ci_high": high, "n": n,
                     "disagree": bool(n >= 2 and not np.isnan(hyp) and not (low <= hyp <= high))})
    return pd.DataFrame(rows)


def quotes_table(themes: pd.DataFrame) -> pd.DataFrame:
    """One row per quote of :func:`theme_table`: ``theme``, ``language``, ``quote`` (already redacted)."""
    rows = [{"theme": r.label, "language": lang, "quote": q}
            for r in themes.itertuples() for lang in ("en", "fr") for q in getattr(r, f"quotes_{lang}")]
    return pd.DataFrame(rows, columns=["theme", "language", "quote"])
