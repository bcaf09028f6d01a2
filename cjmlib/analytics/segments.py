"""Data-derived segments of customers, to support or challenge the workshop's personas.

:func:`segment_features` builds one row of behaviour per customer (RFM, channel and device mix,
touchpoint interest, engagement), :func:`find_segments` clusters them (scaled, KMeans, k chosen by
silhouette, seeded) and :func:`segment_profiles` and :func:`segment_summary` describe each segment in
plain words. The personas' measures, and :func:`cjmlib.segment_personas` which sets the segments
against them, are in :mod:`cjmlib.analytics.personas`.

Examples
--------
>>> features = segment_features(project)                          # doctest: +SKIP
>>> found = find_segments(features, k_range=range(2, 7), seed=0)  # doctest: +SKIP
>>> segment_profiles(features, found.labels)                      # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, pairwise_distances, silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ..i18n.catalogue import value_label, words
from ..i18n.formats import number, percent
from ..stats import nps_interval
from .retention import purchases
from .web import key_events

__all__ = ["FAMILIES", "Segments", "feature_label", "find_segments", "segment_features", "segment_profiles",
           "segment_summary"]

#: Feature families; each weighs the same in the clustering, however many columns it has.
FAMILIES = ("engagement", "device", "channel", "interest", "category", "purchase")
_MAX_VALUES = 8  # device, channel, category values kept as features (the most frequent)
_SEARCH_STARTS = 3  # KMeans starts per k while choosing k (the chosen k is fitted again with ten)


# ---------------------------------------------------------------- features

def _slug(value) -> str:
    return "".join(c if c.isalnum() else "_" for c in str(value).lower()).strip("_") or "none"


def _shares(rows: pd.DataFrame, column: str, family: str, users: pd.Index) -> pd.DataFrame:
    """Each user's share of ``n`` (``rows``: counts per ``user_id`` and ``column``) per value of ``column``,
    among the rows where it is known (NaN without any); the ``_MAX_VALUES`` largest totals, ties by value."""
    known = rows[rows[column].notna()]
    wide = known.pivot_table(index="user_id", columns=column, values="n", aggfunc="sum", fill_value=0)
    totals = wide.sum().rename("n").rename_axis("v").reset_index()
    top = totals.sort_values(["n", "v"], ascending=[False, True], kind="stable").v.head(_MAX_VALUES)
    share = wide.div(wide.sum(axis=1), axis=0).reindex(users)
    return pd.DataFrame({f"{family}:{_slug(v)}": share[v] for v in top}, index=users)


def _event_features(project) -> tuple[pd.DataFrame, pd.Timestamp, pd.Timestamp]:
    """Engagement, device and channel mix per session, touchpoint and category interest per event.

    Two grouped queries over the events: sessions per user, device and channel (a session is credited
    to its smallest user id, as in :func:`~cjmlib.analytics.web.sessions_table`, with the device and channel of
    its first event that has one); events per user (and category). Also returns the first and last
    event's time.
    """
    ev, keys = project.table("events"), key_events(project)
    e = ev.filter(ev.session_id.notnull())
    s = e.group_by("session_id").agg(
        user_id=e.user_id.min(), events=e.event.count(), device=e.device.argmin(e.ts),
        channel=e.channel.argmin(e.ts), cart=e.event.isin(keys["cart"]).any().cast("int64"),
        purchase=e.event.isin(keys["purchase"]).any().cast("int64"))
    per = s.group_by(["user_id", "device", "channel"]).agg(
        n=s.events.count(), events=s.events.sum(), carts=s.cart.sum(), purchases=s.purchase.sum()).execute()
    sums = per.groupby("user_id")[["n", "events", "carts", "purchases"]].sum()
    table = pd.DataFrame({"engagement:sessions": sums.n, "engagement:events_per_session": sums.events / sums.n,
                          "engagement:cart_rate": sums.carts / sums.n,
                          "engagement:session_conversion": sums.purchases / sums.n})
    parts = [table] + [_shares(per, column, column, table.index) for column in ("device", "channel")]
    category = "category" in ev.columns
    aggs = {"known": ev.touchpoint.count(), "first": ev.ts.min(), "last": ev.ts.max()}
    aggs |= {f"interest:{_slug(t.id)}": (ev.touchpoint == t.id).cast("int64").sum() for t in project.spec.touchpoints}
    events = ev.group_by(["user_id", "category"] if category else ["user_id"]).agg(
        n=ev.category.count() if category else ev.touchpoint.count(), **aggs).execute()
    start, end = pd.Timestamp(events["first"].min()), pd.Timestamp(events["last"].max())
    interest = [c for c in events if c.startswith("interest:")]
    users = events.groupby("user_id")[["known", *interest]].sum().astype(float).reindex(table.index)
    # a user whose events match no touchpoint has no share at any (NaN, as a mix without a known value)
    parts.append(users[interest].div(users.known.where(users.known > 0), axis=0))
    if category:
        parts.append(_shares(events, "category", "category", table.index))
    return pd.concat(parts, axis=1), start, end


def _rfm(source, end) -> pd.DataFrame:
    """Recency (days from the last purchase to ``end``), frequency (orders) and monetary (revenue) per buyer."""
    p = purchases(source, revenue=True)
    per = p.group_by("user_id").agg(last=p.ts.max(), frequency=p.order_id.nunique(),
                                    monetary=p.revenue.sum().fill_null(0)).execute()
    per["recency_days"] = (pd.Timestamp(end) - pd.to_datetime(per["last"])).dt.total_seconds() / 86400
    per = per.set_index("user_id")
    return per[["recency_days", "frequency", "monetary"]].add_prefix("purchase:")


def segment_features(source) -> pd.DataFrame:
    """One row of behaviour per customer, the input of :func:`find_segments`.

    Parameters
    ----------
    source
        A Project (events, and orders when present), or a pandas or Ibis table of purchases with
        ``user_id, ts`` and optionally ``revenue`` and ``order_id`` (RFM features only).

    Returns
    -------
    DataFrame
        Indexed by ``user_id`` (pseudonymized in a Project; never shown in a deliverable); columns
        named ``family:feature``: ``engagement:`` sessions, events per session, share of sessions with
        a cart and with a purchase; ``device:<v>`` and ``channel:<v>`` share of the user's sessions
        (its first event's, or first known, value; the eight most frequent values; sessions without
        one left out); ``interest:<touchpoint>`` share of the user's events at each touchpoint;
        ``category:<v>`` when the events have a ``category`` column;
        ``purchase:`` recency_days (from the last purchase to the end of the data; users who never
        bought get the whole period plus one day), frequency (orders) and monetary (revenue).
        Survey answers are not features: most customers never answer, and the answer rate would
        drive the clusters; :func:`segment_profiles` reports them instead.
    """
    if hasattr(source, "spec") and source.has("events"):
        table, start, end = _event_features(source)
    else:
        table = None
        p = purchases(source, revenue=True)
        start, end = (pd.Timestamp(x) for x in p.aggregate(a=p.ts.min(), b=p.ts.max()).execute().iloc[0])
    rfm = _rfm(source, end)
    table = rfm if table is None else table.join(rfm, how="left")
    never = (end - start).total_seconds() / 86400 + 1
    table = table.fillna({"purchase:recency_days": never, "purchase:frequency": 0, "purchase:monetary": 0})
    table.index = table.index.astype(str)
    return table.sort_index().astype(float)


# ---------------------------------------------------------------- clustering

@dataclass(frozen=True)
class Segments:
    """The outcome of :func:`find_segments`.

    Attributes
    ----------
    labels
        The segment (1, 2, …; 1 is the largest) of every customer, indexed like the features.
    k
        The number of segments chosen; 1 when every customer has the same features (not enough variety
        to segment: every customer in segment 1, a silhouette of NaN).
    silhouettes
        ``k``, ``silhouette`` (mean over a seeded sample of at most ``sample`` customers; of the
        chosen k's segments on its row), ``chosen``.
    stability
        Adjusted Rand index between the chosen clustering and the ones of five other seeds (1 = identical).
    """

    labels: pd.Series
    k: int
    silhouettes: pd.DataFrame
    stability: float


def _scaled(features: pd.DataFrame) -> np.ndarray:
    """log1p on the skewed counts, standard scaling, then each family weighted by 1 / sqrt(its columns)."""
    x = features.copy()
    skewed = [c for c in x if c in ("engagement:sessions", "engagement:events_per_session")
              or c.startswith("purchase:")]
    x[skewed] = np.log1p(x[skewed].clip(lower=0))
    z = StandardScaler().fit_transform(x.to_numpy(dtype=float))
    family = np.array([c.split(":")[0] for c in x.columns])
    weights = np.array([1 / np.sqrt((family == f).sum()) for f in family])
    return np.nan_to_num(z) * weights


def find_segments(features: pd.DataFrame, *, families: tuple[str, ...] | None = None, k_range=range(2, 7),
                  seed: int = 0, sample: int = 5000) -> Segments:
    """Cluster customers with KMeans on scaled features; choose k by the silhouette.

    Parameters
    ----------
    features
        From :func:`segment_features` (any table of numeric columns named ``family:feature``).
    families
        The feature families clustered. By default the behaviour families (engagement, device,
        channel, interest, category) when present, else ``purchase`` (RFM). Recency, frequency and
        monetary value only tell buyers apart: when most visitors never buy, clustering them with
        the behaviour splits buyers from the rest and nothing else, so RFM segments are best found
        among buyers, with ``families=("purchase",)`` on their rows.
    k_range
        The numbers of segments tried.
    seed
        Seeds KMeans and the silhouette sample: the same seed gives the same segments. Each k is tried
        with three starts; the chosen k is fitted again with ten (the segments), as are the five other
        seeds of the stability.
    sample
        Customers drawn to compute the silhouettes (their distances cost the square of their number).

    Returns
    -------
    Segments
        With ``k`` = 1 (one segment of everyone) when the customers' features do not differ.
    """
    if families is None:
        behaviour = [f for f in FAMILIES if f != "purchase"]
        families = tuple(f for f in behaviour if any(c.startswith(f + ":") for c in features)) or ("purchase",)
    available = sorted({c.split(":")[0] for c in features})
    features = features[[c for c in features if c.split(":")[0] in families]]
    if features.shape[1] == 0:
        raise ValueError(f"no feature of the families {', '.join(families)}; the features have: "
                         f"{', '.join(available)}. Pass families= some of those.")
    ks = [k for k in k_range if 2 <= k < len(features)]
    if not ks:
        raise ValueError(f"need more customers than segments: {len(features)} customers for k in {list(k_range)}")
    # rows ordered by their values, not by their ids (pseudonyms drawn with each project's key), so the
    # same customers give the same segments in every project
    index = features.index
    features = features.iloc[np.lexsort(features.to_numpy(dtype=float).T[::-1])]
    x = _scaled(features)
    # k segments need k customers with different features; with every customer alike, one segment
    ks = [k for k in ks if k <= len(np.unique(x, axis=0))]
    if not ks:
        labels = pd.Series(1, index=index, name="segment")
        return Segments(labels=labels, k=1, silhouettes=pd.DataFrame({"k": [1], "silhouette": [np.nan],
                                                                       "chosen": [True]}), stability=1.0)
    # the silhouette sample drawn as silhouette_score(sample_size=, random_state=seed) draws it, its
    # distances computed once for every k
    drawn = np.random.RandomState(seed).permutation(len(x))[:sample]
    # one thread: KMeans's OpenMP threads fight over a busy machine's cores (3,000 × 20 took 15 s instead
    # of 0.25 s on two loaded cores); the fits are small enough for one
    with threadpool_limits(limits=1):
        distances = pairwise_distances(x[drawn])
        fits = {k: KMeans(n_clusters=k, n_init=_SEARCH_STARTS, random_state=seed).fit_predict(x) for k in ks}
        scores = [silhouette_score(distances, fits[k][drawn], metric="precomputed") for k in ks]
        best = ks[int(np.argmax(scores))]
        fits[best] = KMeans(n_clusters=best, n_init=10, random_state=seed).fit_predict(x)
        scores[ks.index(best)] = silhouette_score(distances, fits[best][drawn], metric="precomputed")
        others = [KMeans(n_clusters=best, n_init=10, random_state=seed + i).fit_predict(x) for i in range(1, 6)]
    stability = float(np.mean([adjusted_rand_score(fits[best], o) for o in others]))
    sizes = np.bincount(fits[best], minlength=best)
    rank = np.empty(best, dtype=int)
    rank[np.lexsort((np.arange(best), -sizes))] = np.arange(1, best + 1)
    labels = pd.Series(rank[fits[best]], index=features.index, name="segment").reindex(index)
    silhouettes = pd.DataFrame({"k": ks, "silhouette": scores, "chosen": [k == best for k in ks]})
    return Segments(labels=labels, k=best, silhouettes=silhouettes, stability=stability)


# ---------------------------------------------------------------- describing

def feature_label(feature: str, language: str = "en") -> str:
    """Return plain words for a feature column (``device:mobile`` → "share of visits on mobile").

    Parameters
    ----------
    feature
        A column of :func:`segment_features`, named ``family:feature``.
    language
        Language of the plain words: ``"en"`` (the default) or ``"fr"``; any other gives English.
    """
    text = words("segments", language)
    family, _, value = feature.partition(":")
    shown = value_label(value, language) if value_label(value, language) != value else value.replace("_", " ")
    return text.get(feature) or text.get(family, "{v}").format(v=shown)


def _fmt(feature: str, value: float, language: str) -> str:
    if feature.startswith(("device:", "channel:", "interest:", "category:")) or feature.endswith(("_rate",
                                                                                                  "conversion")):
        return percent(value, language, 0)
    return number(value, language, 0 if feature.endswith(("monetary", "recency_days")) else 1)


def segment_profiles(features: pd.DataFrame, labels: pd.Series, *, language: str = "en") -> pd.DataFrame:
    """Set each segment's mean of every feature against all customers' mean.

    Parameters
    ----------
    features
        One row of behaviour per customer (:func:`segment_features`).
    labels
        The segment of every customer, indexed by ``user_id`` (``Segments.labels`` of :func:`find_segments`).
    language
        Language of the plain words: ``"en"`` (the default) or ``"fr"``; any other gives English.

    Returns
    -------
    DataFrame
        ``segment``, ``feature``, ``label`` (plain words), ``mean`` (the segment's), ``overall`` (all
        customers'), ``difference_sd`` ((mean − overall) ÷ the feature's standard deviation over all
        customers; 0 for a constant feature), ``users`` (customers in the segment: the n of the mean).
    """
    sd = features.std(ddof=0).replace(0, np.nan)
    means = features.groupby(labels).mean()
    long = means.stack().rename("mean").reset_index()
    long.columns = ["segment", "feature", "mean"]
    long["overall"] = long.feature.map(features.mean())
    long["difference_sd"] = ((long["mean"] - long.overall) / long.feature.map(sd)).fillna(0.0)
    long["label"] = [feature_label(f, language) for f in long.feature]
    long["users"] = long.segment.map(labels.value_counts())
    return long[["segment", "feature", "label", "mean", "overall", "difference_sd", "users"]]


def segment_summary(features: pd.DataFrame, labels: pd.Series, *, language: str = "en", top: int = 3,
                    project=None) -> pd.DataFrame:
    """Return one row per segment: its size, its revenue and a description in plain words.

    The description names the ``top`` features that set the segment apart most (largest
    ``difference_sd``), each with the segment's value against all customers'.

    Parameters
    ----------
    features
        One row of behaviour per customer (:func:`segment_features`).
    labels
        The segment of every customer, indexed by ``user_id`` (``Segments.labels`` of :func:`find_segments`).
    language
        Language of the plain words: ``"en"`` (the default) or ``"fr"``; any other gives English.
    top
        How many features each description names (3 by default).
    project
        The loaded project, for the NPS of each segment and the spec's ``min_group_size``; None (the
        default) leaves both out.

    Returns
    -------
    DataFrame
        ``segment``, ``users``, ``share_users`` (users ÷ all customers), ``share_revenue`` (the segment's
        ``purchase:monetary`` ÷ everyone's, when known), ``description``; with a ``project`` holding
        NPS answers with a user id, also ``nps_responses`` (the denominator), ``nps`` and its 95 % interval
        ``nps_ci_low``, ``nps_ci_high`` (:func:`cjmlib.stats.nps_interval`; all three blank under the
        spec's ``min_group_size`` answers, as is the description of a segment under that many customers).
    """
    text = words("segments", language)
    profiles = segment_profiles(features, labels, language=language)
    rows = []
    for segment, sub in profiles.groupby("segment"):
        sub = sub.reindex(sub.difference_sd.abs().sort_values(ascending=False, kind="stable").index).head(top)
        parts = [text["phrase"].format(dir=text["higher" if r.difference_sd > 0 else "lower"], label=r.label,
                                       seg=_fmt(r.feature, r.mean, language), all=_fmt(r.feature, r.overall, language))
                 for r in sub.itertuples()]
        rows.append({"segment": int(segment), "users": int((labels == segment).sum()), "description": "; ".join(parts)})
    table = pd.DataFrame(rows)
    table["share_users"] = table.users / len(labels)
    if "purchase:monetary" in features:
        money = features["purchase:monetary"].groupby(labels).sum()
        table["share_revenue"] = table.segment.map(money / money.sum() if money.sum() else money * np.nan)
    if project is not None and project.has("surveys"):
        s = project.sql("SELECT user_id, score FROM surveys WHERE kind = 'nps' AND user_id IS NOT NULL")
        s["segment"] = s.user_id.astype(str).map(labels)
        s = s.dropna(subset=["segment"])
        g = s.groupby("segment").score
        table["nps_responses"] = table.segment.map(g.size()).fillna(0).astype(int)
        promoters = table.segment.map(g.apply(lambda x: int((x >= 9).sum()))).fillna(0)
        detractors = table.segment.map(g.apply(lambda x: int((x <= 6).sum()))).fillna(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            table["nps"] = 100 * (promoters - detractors) / table.nps_responses.where(table.nps_responses > 0)
        table["nps_ci_low"], table["nps_ci_high"] = nps_interval(promoters, detractors, table.nps_responses)
    if project is not None:  # a segment smaller than the spec's min_group_size is not described
        k = project.spec.project.min_group_size
        table.loc[table.users < k, "description"] = f"fewer than {k} customers (min_group_size): not described"
        if "nps" in table:
            table.loc[table.nps_responses < k, ["nps", "nps_ci_low", "nps_ci_high"]] = np.nan
    first = ["segment", "users", "share_users", *[c for c in ("share_revenue",) if c in table], "description"]
    return table[first + [c for c in table if c not in first]]
