"""Real labelled feedback through `cjm run`: the airline tweets as a project's feedback, coded once per run.

The minimal template's events with ../shared/data/airline-tweets as the feedback source (the people's
labels mapped onto `human_sentiment`, the language column left out). The run publishes
`results/feedback.parquet` (one row per kept item, text redacted) and `results/sentiment_methods.parquet`;
no item is left without a language. How long each step takes is measured in benchmarks/, not here.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import SHARED_DATA

from cjmlib import cli
from cjmlib.demo.templates import new_project

TWEETS = SHARED_DATA / "airline-tweets" / "tweets_dev.csv"
pytestmark = pytest.mark.skipif(not TWEETS.exists(), reason=f"the shared real data is not at {TWEETS}")

FEEDBACK = f"""\
  feedback:
    path: {TWEETS}
    allow_outside: true
    columns: {{id: tweet_id, ts: tweet_created, text: text, human_sentiment: airline_sentiment}}
codebook:
  themes:
    - {{id: delay, keywords: {{en: [delay, late, cancelled]}}}}
    - {{id: baggage, keywords: {{en: [bag, luggage, baggage]}}}}
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    project = tmp_path_factory.mktemp("tweets") / "p"
    new_project(project, template="minimal")
    spec = project / "journey.yml"
    spec.write_text(spec.read_text(encoding="utf-8").rstrip("\n") + "\n" + FEEDBACK, encoding="utf-8")
    assert cli.main(["run", str(project), "--quiet"]) == 0
    return project / "reports" / "latest"


def test_the_coded_feedback_is_published_one_row_per_kept_item(run):
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    (quality,) = [q for q in manifest["data_quality"] if q["table"] == "feedback"]
    published = pd.read_parquet(run / "results" / "feedback.parquet")
    assert len(published) == quality["rows_kept"] > 5000
    assert published.id.is_unique and published.user_id.isna().all()  # the tweets carry no customer
    assert not published.text.str.contains(r"[\w.+-]+@[\w-]+\.[a-z]{2,}", regex=True).any()  # redacted
    assert (published.language != "").all()  # no item left without a language
    assert published.language_assumed.sum() > 100  # tweets too short to tell are read in the project's language
    en = published[published.language == "en"]
    assert (en.sentiment_method == "fitted-en").all() and en.sentiment_label.isin(["negative", "neutral", "positive"]).all()


def test_the_method_comparison_is_published(run):
    methods = pd.read_parquet(run / "results" / "sentiment_methods.parquet").set_index("language")
    en = methods.loc["en"]
    assert en.used and en.measured_on == 4000 and en.labelled > 5000
    assert en.fitted_negative_vs_not > en.lexicon_negative_vs_not
