"""Sentiment accuracy against human labels (real data in ../shared/data; the French check uses the demo).

Run ``pytest tests/test_sentiment_accuracy.py -s`` to print the figures of docs/voc-accuracy.md.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from helpers import SMALL_SPEC, write_csv

import cjmlib as cjm
from cjmlib.voice.fitted import fit_sentiment
from cjmlib.voice.sentiment import sentiment_scores
from cjmlib.voice.text import detect_language

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


def test_english_fitted_on_labelled_tweets(tweets):
    """A consultant who labels part of the client's feedback gets a model fitted on it: here the labels of
    the tuning half (or the first n of them) fit the model, and the report half measures it."""
    tuning, report = tweets[tweets.half == 0], tweets[tweets.half == 1]
    labels = tuning.airline_sentiment.sample(frac=1, random_state=0)  # a seeded order for the first n
    en = pd.Series("en", index=tweets.index)
    lexicon = sentiment_scores(tweets.text, en)
    rows = []
    for n in (100, 250, 500, 1000, len(labels)):
        given = pd.Series(None, index=tweets.index, dtype=object)
        given[labels.index[:n]] = labels.iloc[:n]
        model = fit_sentiment(tweets.text, given, en, lexicon)
        scored = model.rescore(report.text, en[report.index], lexicon.loc[report.index])
        negative = report.airline_sentiment.eq("negative")
        measure = model.measures.iloc[0]
        rows.append({"labelled": n, "used": bool(measure.used),
                     "cross-validated on the labels, fitted / lexicon": f"{measure.fitted_negative_vs_not:.3f} / "
                                                                       f"{measure.lexicon_negative_vs_not:.3f}",
                     "report half: negative vs not right": int((scored.sentiment_label.eq("negative")
                                                                == negative).sum()),
                     "report half: negative vs not": (scored.sentiment_label.eq("negative") == negative).mean(),
                     "report half: 3 classes": (scored.sentiment_label == report.airline_sentiment).mean()})
    table = pd.DataFrame(rows).set_index("labelled")
    print("\n" + table.round(3).to_string())
    assert (scored.sentiment_method == "fitted-en").all()
    assert scored.sentiment.between(-1, 1).all()
    full = table.loc[len(labels)]
    assert full["report half: negative vs not"] >= 0.827 - MARGIN  # measured 2,434 of 2,942 = 0.827
    assert full["report half: 3 classes"] >= 0.789 - MARGIN  # measured 0.789
    assert not table.loc[100, "used"] and table.loc[1000, "used"]  # 100 labels do not beat the lexicon here


def test_portuguese_fitted_on_labelled_reviews(shared_data):
    """Portuguese has no lexicon; labels on half of the Olist reviews (score 1–2 negative, 4–5 positive)
    fit a model that reads the words of the other half, whose ratings are hidden from it."""
    frame = pd.read_csv(shared_data / "olist-classified" / "olist_classified_public_dataset.csv")
    frame = frame[frame.review_score.ne(3) & frame.review_comment_message.notna()]
    half = _half(frame.id)
    truth = pd.Series("positive", index=frame.index).where(frame.review_score.ge(4), "negative")
    pt = pd.Series("pt", index=frame.index)
    scores = sentiment_scores(frame.review_comment_message, pt)
    model = fit_sentiment(frame.review_comment_message, truth.where(half == 0), pt, scores)
    test = half == 1
    scored = model.rescore(frame.review_comment_message[test], pt[test], scores[test])
    right = scored.sentiment_label.eq("negative") == truth[test].eq("negative")
    majority = max(truth[test].eq("negative").mean(), truth[test].ne("negative").mean())
    print(f"\nOlist, fitted on {int((half == 0).sum())} labelled reviews: {int(right.sum())} of {len(right)} "
          f"= {right.mean():.3f} negative vs not on the other half (majority {majority:.3f})")
    print(model.measures.to_string())
    assert (scored.sentiment_method == "fitted-pt").all()
    assert right.mean() > majority + 0.1


def test_airline_tweets_as_a_projects_feedback_use_the_fitted_model(tweets, tmp_path):
    """The same tweets loaded as a project's feedback: labels on the tuning half in `human_sentiment`, the
    report half unlabelled. Step 5's feedback table reaches the figure of the test above."""
    frame = tweets.assign(human_sentiment=tweets.airline_sentiment.where(tweets.half == 0, ""), language="en")
    frame[["tweet_id", "tweet_created", "text", "language", "human_sentiment"]].to_csv(
        tmp_path / "tweets.csv", index=False)
    write_csv(tmp_path / "data" / "events.csv", "user_id,session_id,ts,event,device",
              ["u1,s1,2015-02-24T10:00:00Z,landing_view,mobile"])
    (tmp_path / "journey.yml").write_text(SMALL_SPEC + "  feedback: {path: tweets.csv, columns: {id: tweet_id, "
                                          "ts: tweet_created}}\n", encoding="utf-8")
    project = cjm.load_project(tmp_path)
    feedback = cjm.feedback_table(project).set_index("id")
    unique = tweets.drop_duplicates("tweet_id")  # 50 tweets repeat an id: the loader sets the repeats aside
    report = unique[unique.half == 1].set_index(unique.tweet_id[unique.half == 1].astype(str))
    scored = feedback.loc[report.index]
    right = scored.sentiment_label.eq("negative") == report.airline_sentiment.eq("negative")
    fit = cjm.sentiment_fit_table(project).iloc[0]
    print(f"\nas a project: {int(right.sum())} of {len(right)} = {right.mean():.3f} negative vs not on the report "
          f"half; cross-validated on the {fit.labelled} labels: fitted {fit.fitted_negative_vs_not:.3f}, "
          f"lexicon {fit.lexicon_negative_vs_not:.3f}")
    assert len(feedback) == len(unique) and fit.labelled == (unique.half == 0).sum() and fit.used
    assert scored.sentiment_method.eq("fitted-en").all()
    assert right.mean() >= 0.827 - MARGIN
