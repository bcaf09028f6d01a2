"""Benchmark: voice of the customer at scale — items per second of the lexicon and of the fitted method.

The items are the airline tweets of ../shared/data/airline-tweets (English, human labels), drawn
with replacement up to ``--items`` (each copy gets a suffix so that no two texts are equal), a
``--labelled`` share of them keeping their label. For each size, in one process, one after the other:

- **lexicon**: ``sentiment_scores`` (VADER and the service layer) over every item;
- **fitted**: ``fit_sentiment`` (the cross-validated measure on at most ``MAX_MEASURED`` labels, the fit
  on at most ``MAX_FITTED``) then ``rescore`` of every item.

Seconds are wall-clock, median of ``--repeat``; items per second = items ÷ seconds.

Usage: nice .venv/bin/python benchmarks/bench_voc.py [--items 10000 100000] [--labelled 0.1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cjmlib.voice.fitted import MAX_FITTED, MAX_MEASURED, fit_sentiment
from cjmlib.voice.sentiment import sentiment_scores

TWEETS = Path(__file__).resolve().parents[2] / "shared" / "data" / "airline-tweets" / "tweets_dev.csv"


def _items(n: int, labelled: float, seed: int = 0) -> tuple[pd.Series, pd.Series, pd.Series]:
    tweets = pd.read_csv(TWEETS)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(tweets), n)
    texts = pd.Series([f"{t} #{k}" for k, t in enumerate(tweets.text.to_numpy()[pick])])
    labels = pd.Series(tweets.airline_sentiment.to_numpy()[pick], dtype=object)
    labels[rng.random(n) >= labelled] = None
    return texts, labels, pd.Series(["en"] * n)


def _once(texts: pd.Series, labels: pd.Series, languages: pd.Series) -> tuple[float, float]:
    """Seconds of the lexicon over every item, then of the fit and the rescoring of every item."""
    start = time.perf_counter()
    scores = sentiment_scores(texts, languages)
    middle = time.perf_counter()
    fit_sentiment(texts, labels, languages, scores).rescore(texts, languages, scores)
    return middle - start, time.perf_counter() - middle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--labelled", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"MAX_MEASURED={MAX_MEASURED}, MAX_FITTED={MAX_FITTED}")
    print("| items | labelled | lexicon (s) | lexicon items/s | fitted: fit + rescore (s) | fitted items/s | "
          "fitted ÷ lexicon |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.items:
        texts, labels, languages = _items(n, args.labelled)
        lexicon, fitted = zip(*(_once(texts, labels, languages) for _ in range(args.repeat)), strict=True)
        lex, fit = statistics.median(lexicon), statistics.median(fitted)
        print(f"| {n:,} | {int(labels.notna().sum()):,} | {lex:.1f} | {n / lex:,.0f} | {fit:.1f} | {n / fit:,.0f} | "
              f"{fit / lex:.2f} |", flush=True)


if __name__ == "__main__":
    main()
