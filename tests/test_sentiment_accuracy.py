"""Sentiment accuracy against human labels (real data in ../shared/data; the French check uses the demo).

Run ``pytest tests/test_sentiment_accuracy.py -s`` to print the figures of docs/voc-accuracy.md.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from cjmlib.sentiment import sentiment_scores
from cjmlib.text import detect_language

#: Measured figures (report half of the airline tweets); a drop below these by more than the margin fails.
MARGIN = 0.02


def _half(ids: pd.Series) -> pd.Series:
    """0 for the half the English method was tuned on, 1 for the half reported: sha256(tweet_id) mod 2."""
    return ids.astype(str).map(lambda s: int(hashlib.sha256(s.encode()).hexdigest(), 16) % 2)


@pytest.fixture
def tweets(shared_data):
    frame = pd.read_csv(shared_data / "airline-tweets" / "tweets_dev.csv")
    scored = sentiment_scores(frame.text, pd.Series("en", index=frame.index))
    return frame.assign(half=_half(frame.tweet_id), predicted=scored.sentiment_label, score=scored.sentiment)


def _plain_vader(texts: pd.Series) -> pd.Series:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return texts.map(lambda t: analyzer.polarity_scores(t)["compound"])


def test_english_airline_tweets_three_classes_and_negative_vs_not(tweets):
    rows = []
    tuning = tweets[tweets.half == 0]
    sub = _half("sub" + tuning.tweet_id.astype(str))  # the tuning half split again: a rule was kept if it helped both
    for name, part in (("tuning half", tuning), ("tuning, sub-half 0", tuning[sub == 0]),
                       ("tuning, sub-half 1", tuning[sub == 1]), ("report half", tweets[tweets.half == 1]),
                       ("all", tweets), ("all, label confidence 1", tweets[tweets.airline_sentiment_confidence == 1])):
        negative = part.airline_sentiment.eq("negative")
        agree = part.predicted.eq("negative") == negative
        rows.append({"part": name, "n": len(part),
                     "three_classes_right": int((part.predicted == part.airline_sentiment).sum()),
                     "three_classes": (part.predicted == part.airline_sentiment).mean(),
                     "negative_vs_not_right": int(agree.sum()), "negative_vs_not": agree.mean(),
                     "majority_baseline": max(negative.mean(), 1 - negative.mean()),
                     "plain_vader_negative_vs_not": ((_plain_vader(part.text) <= -0.05) == negative).mean()})
    table = pd.DataFrame(rows).set_index("part")
    print("\n" + table.round(3).to_string())
    report = table.loc["report half"]
    assert report.negative_vs_not >= 0.796 - MARGIN  # measured 0.796; the target of 0.80 is not reached
    assert report.three_classes >= 0.717 - MARGIN  # measured 0.717
    assert report.negative_vs_not > report.plain_vader_negative_vs_not + 0.1
    assert report.negative_vs_not > report.majority_baseline + 0.1


def test_olist_portuguese_falls_back_to_the_rating(shared_data):
    frame = pd.read_csv(shared_data / "olist-classified" / "olist_classified_public_dataset.csv")
    frame = frame[frame.review_score.ne(3) & frame.review_comment_message.notna()]
    negative = frame.review_score.le(2)
    languages = detect_language(frame.review_comment_message)
    with_rating = sentiment_scores(frame.review_comment_message, languages, ratings=frame.review_score)
    text_only = sentiment_scores(frame.review_comment_message, languages)
    as_english = sentiment_scores(frame.review_comment_message, pd.Series("en", index=frame.index))
    figures = {
        "items (score 1–2 or 4–5)": len(frame),
        "detected as pt": languages.eq("pt").mean(),
        "fallback to the rating: method": with_rating.sentiment_method.value_counts().to_dict(),
        "fallback to the rating: agreement where used": (with_rating.sentiment_label.eq("negative") == negative)[
            with_rating.sentiment_method.eq("rating")].mean(),
        "all items, rating fallback or text: negative vs not": (with_rating.sentiment_label.eq("negative")
                                                                == negative).mean(),
        "text only: scored": text_only.sentiment.notna().mean(),
        "English method misapplied: negative vs not": (as_english.sentiment_label.eq("negative") == negative).mean(),
        "majority baseline": max(negative.mean(), 1 - negative.mean()),
    }
    print("\n" + json.dumps(figures, indent=2, default=float))
    assert figures["detected as pt"] > 0.9
    assert (with_rating.sentiment_method[languages.eq("pt")] == "rating").all()
    assert figures["fallback to the rating: agreement where used"] == 1  # the rating is the label, and said so
    assert figures["text only: scored"] < 0.1  # Portuguese text is not scored from its words


def test_french_on_the_demo_feedback(demo_project):
    """No labelled real French corpus ships offline: the French lexicon is checked on the demo's
    synthetic feedback, whose planted theme gives the valence (negative themes vs product quality)."""
    truth = json.loads((demo_project / "demo-truth.json").read_text(encoding="utf-8"))
    planted = truth["shipping_cost_at_checkout"]["feedback_themes"]
    frame = pd.read_csv(demo_project / "data" / "feedback.csv")
    frame = frame.assign(theme=frame.id.map(planted))
    frame = frame[frame.theme.ne("general")]
    negative = frame.theme.ne("product_quality")
    figures = {}
    for lang in ("fr", "en"):
        part = frame.language.eq(lang)
        scored = sentiment_scores(frame.text[part], frame.language[part])
        figures[lang] = {"n": int(part.sum()),
                         "negative_vs_not": float((scored.sentiment_label.eq("negative") == negative[part]).mean())}
    print("\n" + json.dumps(figures, indent=2))
    assert figures["fr"]["negative_vs_not"] >= 0.88 and figures["en"]["negative_vs_not"] >= 0.82
