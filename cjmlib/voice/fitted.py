"""Sentiment fitted on the client's own labelled feedback, beside the lexicons of :mod:`cjmlib.voice.sentiment`.

A consultant labels a sample of the client's feedback (a ``human_sentiment`` column: negative, neutral
or positive, for as many rows as there is time for; the others stay empty). For each language with
enough labels, :func:`fit_sentiment` fits a logistic regression on word and character n-grams plus the
lexicon score, and measures both methods on the labelled rows by 5-fold cross-validation (every label
is predicted by a model that did not see it). The fitted model replaces the lexicon for that language
only when it agrees with the people's labels more often (negative vs not). Nothing is downloaded and nothing
trained here is shipped: the model lives for the run, fitted on the project's own data.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from ..data.checks import LABEL_WORDS  # the spellings of a label, read by the loader (cjmlib.data.checks)

__all__ = ["LABEL_WORDS", "MIN_LABELLED", "SentimentModel", "fit_sentiment", "lexicon_of"]

#: Labelled items a language needs before a model is fitted for it, and items each class needs.
MIN_LABELLED = 100
MIN_PER_CLASS = 10
CLASSES = ("negative", "neutral", "positive")
_FOLDS = 5
#: Bounds that keep a fit within a run's cell time whatever the number of labels: the cross-validated
#: measure reads a random sample of at most MAX_MEASURED labelled items (an agreement share is then
#: known to about ±1.5 points at 95 %), the model is fitted on at most MAX_FITTED of them.
MAX_MEASURED = 4_000
MAX_FITTED = 20_000


@dataclasses.dataclass
class SentimentModel:
    """Per-language models fitted on labelled feedback, with what they were measured at.

    ``pipelines`` maps a language to its fitted model (only languages where it beat or matched the
    lexicon); ``measures`` has one row per language with labels (see :func:`fit_sentiment`).
    """

    pipelines: dict
    measures: pd.DataFrame

    def rescore(self, texts: pd.Series, languages: pd.Series, scores: pd.DataFrame) -> pd.DataFrame:
        """``scores`` (from :func:`cjmlib.sentiment.sentiment_scores`) with the texts of the fitted
        languages scored again: ``sentiment`` = P(positive) − P(negative) on −1 … +1, ``sentiment_label``
        the likeliest class, ``sentiment_method`` ``fitted-<language>``."""
        out = scores.copy()
        for language, model in self.pipelines.items():
            rows = languages.fillna("").astype(str).eq(language)
            if not rows.any():
                continue
            proba = model.predict_proba(_frame(texts[rows], lexicon_of(scores)[rows]))
            classes = list(model.classes_)
            p = {c: proba[:, classes.index(c)] if c in classes else 0.0 for c in CLASSES}
            out.loc[rows, "sentiment"] = p["positive"] - p["negative"]
            out.loc[rows, "sentiment_label"] = np.array(classes, dtype=object)[proba.argmax(axis=1)]
            out.loc[rows, "sentiment_method"] = f"fitted-{language}"
        return out


def lexicon_of(scores: pd.DataFrame) -> pd.Series:
    """Return the score a text got from its words (missing where it came from the rating or nowhere).

    Parameters
    ----------
    scores
        The lexicon's scores (:func:`cjmlib.voice.sentiment.sentiment_scores`): ``sentiment`` and
        ``sentiment_method`` (``text-<language>`` when the words gave the score).
    """
    return scores.sentiment.where(scores.sentiment_method.astype(str).str.startswith("text-"))


def _frame(texts: pd.Series, lexicon: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"text": texts.fillna("").astype(str).str.replace(r"@\w+|https?://\S+", " ", regex=True)
                         .to_numpy(), "lexicon": lexicon.fillna(0).to_numpy(dtype=float)})


def _lexicon_features(x) -> np.ndarray:
    score = np.asarray(x, dtype=float)[:, 0]
    return np.column_stack([score, score <= -0.05, score >= 0.05]).astype(float)


def _pipeline():
    features = ColumnTransformer([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, strip_accents="unicode"), "text"),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True), "text"),
        # the lexicon's score and its label (negative ≤ −0.05, positive ≥ +0.05): the model starts from the
        # lexicon's verdict and learns where the client's words differ (chosen on the tuning half of the tweets)
        ("lexicon", FunctionTransformer(_lexicon_features), ["lexicon"]),
    ])
    return make_pipeline(features, LogisticRegression(C=4, max_iter=2000))


def _lexicon_label(score: pd.Series) -> np.ndarray:
    return np.where(score <= -0.05, "negative", np.where(score >= 0.05, "positive", "neutral"))


def _sample(n: int, most: int, seed: int) -> np.ndarray:
    """Positions of a random sample of at most ``most`` of ``n`` items (all of them, in order, when fewer)."""
    if n <= most:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=most, replace=False))


def fit_sentiment(texts: pd.Series, labels: pd.Series, languages: pd.Series, scores: pd.DataFrame, *,
                  seed: int = 0) -> SentimentModel:
    """Fit one model per language on the labelled texts and measure it against the lexicon.

    Parameters
    ----------
    texts, labels, languages
        Aligned series: the texts, their people's labels (``negative``/``neutral``/``positive``, missing
        when unlabelled; the loader reads every accepted spelling as one of these) and their language codes.
    scores
        The lexicon's scores of the same texts (:func:`cjmlib.voice.sentiment.sentiment_scores`).
    seed
        Seed of the cross-validation folds.

    Returns
    -------
    SentimentModel
        ``measures`` has, per language with at least one label: ``language``, ``labelled`` (n),
        ``negative``/``neutral``/``positive`` (labels of each class), ``measured_on`` (the labelled
        items cross-validated: all, or a random :data:`MAX_MEASURED`), ``lexicon_agrees`` and
        ``fitted_agrees`` (out-of-fold predictions equal to the label, 3 classes),
        ``lexicon_negative_vs_not`` and ``fitted_negative_vs_not`` (the same on negative vs not), each
        ÷ ``measured_on``; ``used`` (the fitted model scores this language; fitted on at most
        :data:`MAX_FITTED` labelled items) and ``why`` (in words).
    """
    rows, pipelines = [], {}
    labelled = labels.notna()
    lexicon = lexicon_of(scores)
    for language in sorted(languages[labelled].fillna("").astype(str).unique()):
        part = labelled & languages.fillna("").astype(str).eq(language)
        y = labels[part].to_numpy(dtype=object)
        counts = {c: int((y == c).sum()) for c in CLASSES}
        row = {"language": language, "labelled": int(part.sum()), **counts}
        present = [c for c in CLASSES if counts[c]]
        if not language or row["labelled"] < MIN_LABELLED or len(present) < 2 or min(
                counts[c] for c in present) < MIN_PER_CLASS:
            row.update(used=False, why=f"needs {MIN_LABELLED} labelled items of a known language, "
                                       f"with {MIN_PER_CLASS} or more in each class used")
            rows.append(row)
            continue
        x_all = _frame(texts[part], lexicon[part])
        measured = _sample(len(y), MAX_MEASURED, seed)
        x, y, lex = x_all.iloc[measured], y[measured], _lexicon_label(lexicon[part].fillna(0))[measured]
        row["measured_on"] = len(y)
        folds = StratifiedKFold(n_splits=_FOLDS, shuffle=True, random_state=seed)
        fitted = cross_val_predict(_pipeline(), x, y, cv=folds)
        neg = y == "negative"
        row.update(lexicon_agrees=float((lex == y).mean()), fitted_agrees=float((fitted == y).mean()),
                   lexicon_negative_vs_not=float(((lex == "negative") == neg).mean()),
                   fitted_negative_vs_not=float(((fitted == "negative") == neg).mean()))
        row["used"] = row["fitted_negative_vs_not"] > row["lexicon_negative_vs_not"]
        row["why"] = ("agrees with the labels more often than the lexicon" if row["used"]
                      else "the lexicon agrees with the labels as often or more: the lexicon is kept")
        if row["used"]:
            chosen = _sample(len(x_all), MAX_FITTED, seed)
            pipelines[language] = _pipeline().fit(x_all.iloc[chosen], labels[part].to_numpy(dtype=object)[chosen])
        rows.append(row)
    columns = ["language", "labelled", *CLASSES, "measured_on", "lexicon_agrees", "fitted_agrees", "lexicon_negative_vs_not",
               "fitted_negative_vs_not", "used", "why"]
    return SentimentModel(pipelines, pd.DataFrame(rows, columns=columns))
