"""Sentiment fitted on the project's labelled feedback: labels, the comparison with the lexicon, the loader."""

from __future__ import annotations

import pandas as pd
from helpers import SMALL_SPEC, write_csv

import cjmlib as cjm
from cjmlib.voice.fitted import fit_sentiment
from cjmlib.voice.sentiment import sentiment_scores

ITEMS = ["lamp", "chair", "table", "sofa", "rug", "mirror", "vase", "shelf", "desk", "clock"]
# complaints whose words the lexicon does not know (it reads them as neutral) and plain praise
COMPLAINTS = ["the {} arrived squashed", "the {} came dented", "my {} turned up squashed in a bag",
              "the {} was dented on one side", "{} squashed in the box", "a dented {} in the parcel"]
PRAISE = ["lovely {}, works well", "nice {} and a nice colour", "great {}, thank you", "the {} is lovely",
          "happy with the {}", "a great {} at a good price"]


def _labelled() -> tuple[pd.Series, pd.Series]:
    texts = [t.format(i) for t in COMPLAINTS for i in ITEMS] + [t.format(i) for t in PRAISE for i in ITEMS]
    labels = ["negative"] * 60 + ["positive"] * 60
    return pd.Series(texts), pd.Series(labels)


def _load_feedback(tmp_path, rows: list[str]):
    write_csv(tmp_path / "data" / "feedback.csv", "id,ts,user_id,text,rating,source,language,human_sentiment", rows)
    write_csv(tmp_path / "data" / "events.csv", "user_id,session_id,ts,event,device",
              ["u1,s1,2026-01-05T10:00:00Z,landing_view,mobile"])
    (tmp_path / "journey.yml").write_text(SMALL_SPEC + "  feedback: {path: data/feedback.csv}\n", encoding="utf-8")
    return cjm.load_project(tmp_path)


def test_the_loader_reads_labels_in_english_french_and_numbers(tmp_path):
    values = ["Négatif", " POS ", "neutre", "-1", "1", "0", "", "", "negative", "meh"] + [""] * 20  # 1 bad row < 5 %
    project = _load_feedback(tmp_path, [f"{k},2026-01-05T10:00:00Z,u1,text {k},,web,en,{v}"
                                        for k, v in enumerate(values)])
    labels = project.sql("SELECT human_sentiment FROM feedback ORDER BY CAST(id AS INTEGER)").human_sentiment
    assert labels.tolist()[:6] == ["negative", "positive", "neutral", "negative", "positive", "neutral"]
    assert labels[6:8].isna().all() and labels[8] == "negative"
    bad = [i for i in project.issues if i.code == "bad_value"]
    assert [(i.row, i.column) for i in bad] == [(11, "human_sentiment")]  # 'meh': set aside, named
    assert "'meh' is not a sentiment label" in bad[0].problem


def test_fitted_model_beats_a_lexicon_that_misses_the_clients_words():
    texts, labels = _labelled()
    en = pd.Series("en", index=texts.index)
    scores = sentiment_scores(texts, en)
    # by hand: the lexicon reads the 60 complaints as neutral and the 60 praises as positive, so it calls
    # nothing negative and agrees with "negative vs not" on the 60 praises only: 60 / 120
    assert scores.sentiment_label[:60].eq("neutral").all() and scores.sentiment_label[60:].eq("positive").all()
    model = fit_sentiment(texts, labels, en, scores)
    row = model.measures.iloc[0]
    assert (row.language, row.labelled, row.negative, row.neutral, row.positive) == ("en", 120, 60, 0, 60)
    assert row.lexicon_negative_vs_not == 0.5 and row.lexicon_agrees == 0.5
    assert row.fitted_negative_vs_not > 0.9 and row.used
    new = pd.Series(["the mirror arrived squashed", "lovely mirror"])
    rescored = model.rescore(new, pd.Series("en", index=new.index), sentiment_scores(new, pd.Series("en", index=new.index)))
    assert rescored.sentiment_method.tolist() == ["fitted-en", "fitted-en"]
    assert rescored.sentiment_label.tolist() == ["negative", "positive"]
    assert rescored.sentiment[0] < 0 < rescored.sentiment[1] and rescored.sentiment.between(-1, 1).all()


def test_too_few_labels_keep_the_lexicon():
    texts, labels = _labelled()
    fr = pd.Series(["fr"] * 50 + ["en"] * 70, index=texts.index)  # 50 French labels: fewer than 100
    scores = sentiment_scores(texts, fr)
    model = fit_sentiment(texts, labels, fr, scores)
    measures = model.measures.set_index("language")
    assert not measures.loc["fr", "used"] and "needs 100 labelled items" in measures.loc["fr", "why"]
    assert not measures.loc["en", "used"]  # 70 labels (10 complaints, 60 praises): fewer than 100 too
    assert model.rescore(texts, fr, scores).equals(scores)


def test_a_project_with_labelled_feedback_scores_it_with_the_fitted_model(tmp_path):
    texts, labels = _labelled()
    rows = [f"{k},2026-01-05T10:00:00Z,u1,\"{t}\",,web,en,{label}" for k, (t, label) in enumerate(zip(texts, labels))]
    rows += ["500,2026-01-05T10:00:00Z,u1,the rug arrived squashed,,web,en,",  # unlabelled: scored by the model
             "501,2026-01-05T10:00:00Z,u1,the desk is fine,,web,en,meh"]  # not a label: set aside, named
    project = _load_feedback(tmp_path, rows)
    bad = [i for i in project.issues if i.code == "bad_value"]
    assert [(i.file, i.row, i.column) for i in bad] == [("data/feedback.csv", 123, "human_sentiment")]
    feedback = cjm.feedback_table(project).set_index("id")
    assert len(feedback) == 121 and "501" not in feedback.index
    assert feedback.sentiment_method.eq("fitted-en").all()
    assert feedback.loc["500", "sentiment_label"] == "negative" and pd.isna(feedback.loc["500", "human_sentiment"])
    fit = cjm.sentiment_fit_table(project)
    assert fit[["language", "labelled", "used"]].to_dict("records") == [{"language": "en", "labelled": 120, "used": True}]
