"""The demo data generator: files, determinism, targets and the three planted stories."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cjmlib.demo.behaviour import SEGMENTS
from cjmlib.demo.shop import generate
from cjmlib.spec.io import load_spec

SPEC = Path(__file__).resolve().parents[3] / "templates" / "ecommerce" / "journey.yml"
N_USERS = 1500
COLUMNS = {
    "events": ["user_id", "session_id", "ts", "event", "page", "channel", "device", "revenue"],
    "orders": ["order_id", "user_id", "ts", "revenue", "items", "status"],
    "feedback": ["id", "ts", "user_id", "text", "rating", "source", "language"],
    "surveys": ["id", "ts", "user_id", "kind", "score", "comment", "stage"],
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    project = tmp_path_factory.mktemp("maison-lumiere")
    truth = generate(project, n_users=N_USERS, seed=7)
    frames = {name: pd.read_csv(project / "data" / f"{name}.csv", dtype={"user_id": str, "comment": str},
                                keep_default_na=False, na_values={"revenue": [""], "rating": [""]})
              for name in COLUMNS}
    for frame in frames.values():
        frame["ts"] = pd.to_datetime(frame["ts"], format="%Y-%m-%dT%H:%M:%SZ")
    return project, truth, frames


@pytest.fixture(scope="module")
def sessions(demo):
    events = demo[2]["events"]
    flags = pd.crosstab(events["session_id"], events["event"]).gt(0)
    first = events.groupby("session_id").agg(start=("ts", "min"), device=("device", "first"),
                                             user_id=("user_id", "first"))
    return first.join(flags)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()


def _code(texts: pd.Series) -> pd.DataFrame:
    """Code texts with the codebook's keywords: lower case, accents folded, substring match."""
    themes = load_spec(SPEC).codebook.themes
    folded = texts.map(_fold)
    return pd.DataFrame({t.id: folded.map(lambda s, t=t: any(_fold(k) in s for ks in t.keywords.values()
                                                             for k in ks)) for t in themes})


def test_files_columns_and_truth_file(demo):
    project, truth, frames = demo
    assert sorted(p.name for p in (project / "data").iterdir()) == sorted([*(f"{n}.csv" for n in COLUMNS),
                                                                           "operations.csv"])
    for name, columns in COLUMNS.items():
        header = (project / "data" / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header == ",".join(columns)
    saved = json.loads((project / "demo-truth.json").read_text(encoding="utf-8"))
    assert saved["n_events"] == truth["n_events"] == len(frames["events"])
    assert truth["n_sessions"] == frames["events"]["session_id"].nunique()
    assert truth["n_users"] == N_USERS == frames["events"]["user_id"].nunique()
    assert len(saved["segments"]["users"]) == N_USERS


def test_identifiers_and_timestamp_format(demo):
    project, _, frames = demo
    events = frames["events"]
    assert events["user_id"].str.fullmatch(r"U\d{6}").all()
    assert events["session_id"].str.fullmatch(r"S\d{7}").all()
    raw = pd.read_csv(project / "data" / "events.csv", usecols=["ts"], dtype=str)["ts"]
    assert raw.str.fullmatch(r"2026-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    assert events["ts"].min() >= pd.Timestamp("2026-09-07")
    assert events["ts"].max() < pd.Timestamp("2026-11-02")   # 8 weeks later


def test_size_is_in_range_and_scales(demo):
    events = demo[2]["events"]
    assert 30_000 * N_USERS / 3000 <= len(events) <= 60_000 * N_USERS / 3000


def test_same_seed_same_files_other_seed_other_files(demo, tmp_path):
    project = demo[0]
    generate(tmp_path / "same", n_users=N_USERS, seed=7)
    generate(tmp_path / "other", n_users=N_USERS, seed=8)
    for name in COLUMNS:
        original = (project / "data" / f"{name}.csv").read_bytes()
        assert (tmp_path / "same" / "data" / f"{name}.csv").read_bytes() == original
        assert (tmp_path / "other" / "data" / f"{name}.csv").read_bytes() != original
    assert (tmp_path / "same" / "demo-truth.json").read_bytes() == (project / "demo-truth.json").read_bytes()


def test_conversion_and_cart_abandonment_targets(demo, sessions):
    truth = demo[1]
    conversion = sessions["purchase"].sum() / len(sessions)
    carts = sessions["add_to_cart"]
    abandonment = (carts & ~sessions["purchase"]).sum() / carts.sum()
    assert 0.02 <= conversion <= 0.04
    assert 0.65 <= abandonment <= 0.75
    assert truth["session_conversion"] == pytest.approx(conversion, abs=1e-4)
    assert truth["cart_abandonment"] == pytest.approx(abandonment, abs=1e-4)


def test_sessions_start_with_landing_and_are_ordered(demo):
    events = demo[2]["events"]
    first = events.groupby("session_id", sort=False).head(1)
    assert (first["event"] == "landing_view").all()
    assert events["page"][events["event"] == "landing_view"].str.fullmatch(r"/|/landing/[a-z-]+").all()
    # sorted by user then time, strictly increasing within a session
    assert events[["user_id", "ts"]].equals(events[["user_id", "ts"]].sort_values(["user_id", "ts"]))
    assert (events.groupby("session_id")["ts"].diff().dropna() > pd.Timedelta(0)).all()
    # sessions of a user never overlap and are more than the 30-minute session timeout apart
    bounds = events.groupby("session_id").agg(user=("user_id", "first"), start=("ts", "min"),
                                              end=("ts", "max"))
    bounds = bounds.sort_values(["user", "start"])
    gap = bounds["start"] - bounds.groupby("user")["end"].shift()
    assert (gap.dropna() > pd.Timedelta(minutes=30)).all()


def test_session_and_user_attributes_are_constant(demo):
    events = demo[2]["events"]
    assert (events.groupby("session_id")["channel"].nunique() == 1).all()
    assert (events.groupby("user_id")["device"].nunique() == 1).all()
    assert set(events["channel"]) == {"social", "search", "email", "direct", "ads"}
    device = events.groupby("user_id")["device"].first().value_counts(normalize=True)
    # the planted mix: sum over segments of share × device probability (mobile 0.55, desktop 0.36, tablet 0.09)
    for i, name in enumerate(("mobile", "desktop", "tablet")):
        planned = sum(s["share"] * s["device"][i] for s in SEGMENTS.values())
        assert device[name] == pytest.approx(planned, abs=0.03)
    assert events.groupby("user_id")["session_id"].nunique().max() > 3     # repeat visits


def test_every_purchase_follows_an_add_to_cart_in_its_session(demo):
    events = demo[2]["events"]
    position = events.groupby("session_id").cumcount()
    first_cart = position[events["event"] == "add_to_cart"].groupby(events["session_id"]).min()
    buys = events[events["event"] == "purchase"]
    cart_before = first_cart.reindex(buys["session_id"]).to_numpy() < position[buys.index].to_numpy()
    assert len(buys) > 0 and cart_before.all()


def test_revenue_only_on_purchase_and_orders_match(demo):
    frames = demo[2]
    events, orders = frames["events"], frames["orders"]
    assert events["revenue"].notna().eq(events["event"] == "purchase").all()
    assert (events["revenue"].dropna() > 0).all()
    assert events.loc[events["event"] == "purchase", "page"].eq("/order-confirmation").all()
    buys = events[events["event"] == "purchase"].sort_values(["ts", "user_id"])
    assert orders["order_id"].is_unique and len(orders) == len(buys)
    pairs = orders[["user_id", "ts"]].reset_index(drop=True)
    assert pairs.equals(buys[["user_id", "ts"]].reset_index(drop=True))
    np.testing.assert_allclose(orders["revenue"], buys["revenue"])
    assert set(orders["status"]) == {"completed", "returned", "cancelled"}
    assert orders["status"].eq("completed").mean() > 0.8
    assert orders["user_id"].value_counts().max() >= 2                   # some buy again


def test_mobile_checkout_week(demo, sessions):
    story = demo[1]["mobile_checkout_week"]
    assert story["week_start"] == "2026-10-05" and story["iso_week"] == "2026-W41"
    checkouts = sessions[sessions["begin_checkout"]].copy()
    checkouts["week"] = checkouts["start"].dt.to_period("W-SUN").dt.start_time.dt.strftime("%Y-%m-%d")
    rate = (~checkouts["purchase"]).groupby([checkouts["device"], checkouts["week"]]).mean()
    mobile, desktop = rate["mobile"], rate["desktop"]
    others = mobile.drop(story["week_start"])
    assert len(mobile) == 8
    assert mobile[story["week_start"]] >= 0.7
    assert others.max() <= 0.6 and others.mean() == pytest.approx(0.45, abs=0.05)
    assert desktop[story["week_start"]] == pytest.approx(desktop.drop(story["week_start"]).mean(), abs=0.08)


def test_feedback_columns_volume_and_languages(demo):
    feedback = demo[2]["feedback"]
    assert N_USERS / 12 <= len(feedback) <= N_USERS / 6
    assert set(feedback["source"]) == {"review", "support", "chat"}
    chat = feedback["source"] == "chat"
    assert feedback.loc[chat, "rating"].isna().all()
    assert feedback.loc[~chat, "rating"].between(1, 5).all()
    assert feedback["language"].eq("fr").mean() == pytest.approx(0.4, abs=0.07)
    assert feedback["text"].str.contains(r"[\w.]+@example\.com").any()
    assert feedback["text"].str.contains(r"\+44 7700 900\d{3}|06(?: \d\d){4}").any()
    assert feedback["text"].str.contains(r"ML-\d{6}").any()
    assert feedback["text"].nunique() > 100


def test_shipping_cost_is_the_top_negative_theme_in_both_languages(demo):
    feedback = demo[2]["feedback"]
    coded = _code(feedback["text"])
    negative = [t.id for t in load_spec(SPEC).codebook.themes if t.polarity == "negative"]
    counts = coded[negative].sum()
    assert counts.idxmax() == "shipping_cost"
    assert counts["shipping_cost"] >= 2 * counts.drop("shipping_cost").max()
    by_language = coded["shipping_cost"].groupby(feedback["language"]).sum()
    assert by_language["en"] >= 10 and by_language["fr"] >= 10


def test_shipping_complaints_come_from_abandoned_carts(demo, sessions):
    feedback = demo[2]["feedback"]
    shipping = feedback[_code(feedback["text"])["shipping_cost"] & feedback["user_id"].ne("")]
    starts = sessions.reset_index().sort_values("start")
    last = pd.merge_asof(shipping.sort_values("ts"), starts, left_on="ts", right_on="start", by="user_id",
                         direction="backward")
    abandoned = last["add_to_cart"] & ~last["purchase"]
    assert len(last) >= 30 and abandoned.mean() >= 0.75


def test_planted_themes_are_not_miscoded(demo):
    _project, truth, frames = demo
    feedback = frames["feedback"]
    planted = feedback["id"].map(truth["shipping_cost_at_checkout"]["feedback_themes"])
    coded = _code(feedback["text"])
    other = coded.apply(lambda column: column & planted.ne(column.name))
    assert not other.any().any(), feedback.loc[other.any(axis=1), "text"].head().tolist()
    assert coded["shipping_cost"][planted == "shipping_cost"].mean() > 0.6


def test_surveys_score_lowest_after_purchase(demo):
    surveys = demo[2]["surveys"]
    nps, csat = surveys[surveys["kind"] == "nps"], surveys[surveys["kind"] == "csat"]
    assert nps["score"].between(0, 10).all() and csat["score"].between(1, 5).all()
    assert set(nps["stage"]) == {"purchase", "retention", "advocacy"}
    assert set(csat["stage"]) == {"purchase", "retention"}
    net = nps.groupby("stage")["score"].agg(lambda s: 100 * ((s >= 9).mean() - (s <= 6).mean()))
    assert net.idxmin() == "purchase" and net["purchase"] < net.drop("purchase").min() - 10
    mean_csat = csat.groupby("stage")["score"].mean()
    assert mean_csat["purchase"] < mean_csat["retention"] - 0.4
    assert 0.2 < surveys["comment"].ne("").mean() < 0.6


def test_segments_differ_in_device_visits_and_purchases(demo, sessions):
    truth, frames = demo[1], demo[2]
    segment = pd.Series(truth["segments"]["users"], name="segment")
    assert set(segment) == {"mobile_social_impulse", "desktop_planner", "one_time_browser"}
    events = frames["events"].join(segment, on="user_id")
    users = events.groupby("user_id").agg(segment=("segment", "first"), device=("device", "first"),
                                          sessions=("session_id", "nunique"))
    per_segment = users.groupby("segment").agg(mobile=("device", lambda d: d.eq("mobile").mean()),
                                               sessions=("sessions", "mean"))
    assert per_segment.loc["mobile_social_impulse", "mobile"] > 0.8
    assert per_segment.loc["desktop_planner", "mobile"] < 0.15
    assert per_segment.loc["one_time_browser", "sessions"] < 1.5
    sessions_per_user = per_segment["sessions"]
    assert sessions_per_user["desktop_planner"] > 1.5 * sessions_per_user["mobile_social_impulse"]
    first = events.drop_duplicates("session_id")
    social = first.groupby("segment")["channel"].agg(lambda c: c.eq("social").mean())
    assert social.idxmax() == "mobile_social_impulse" and social["desktop_planner"] < 0.1
    buyers = frames["orders"].join(segment, on="user_id").groupby("segment")["user_id"].nunique()
    share = buyers / users.groupby("segment").size()
    assert share["one_time_browser"] < share["mobile_social_impulse"] < share["desktop_planner"]


def test_start_must_be_a_monday(tmp_path):
    with pytest.raises(ValueError, match="Monday"):
        generate(tmp_path, n_users=10, start="2026-09-08")


@pytest.mark.slow
def test_sixty_thousand_users_make_about_a_million_events(tmp_path):
    truth = generate(tmp_path, n_users=60_000)  # its time is measured in benchmarks/, not asserted here
    assert 800_000 <= truth["n_events"] <= 1_300_000
    with open(tmp_path / "data" / "events.csv", encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == truth["n_events"] + 1
