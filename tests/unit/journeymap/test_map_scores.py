"""The map's scores lane (NPS, CSAT, CES per stage and touchpoint, per persona, with interval and n) and
the persona's conversion with its interval, computed by hand on small cases."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from helpers import SMALL_SPEC, write_csv

import cjmlib as cjm
from cjmlib.data.results import save_result
from cjmlib.journeymap import build_map
from cjmlib.journeymap.model import MapContext
from cjmlib.journeymap.scores import score_text
from cjmlib.journeymap.words import LABELS

Z = 1.959963984540054
NNBSP = "\u202f"  # French writes 75 % with a narrow no-break space
NBSP = "\u00a0"  # "n = 85" never breaks across lines; the texts below are compared with plain spaces

# u1 is the persona mobile-user (device mobile), u2 is not.
SURVEYS = [
    # purchase NPS, 10 answers: u1 10 9 9 8 3 (3 promoters, 1 detractor), u2 10 9 7 6 0 (2 and 2)
    *(f"n{i},2026-01-05,u1,nps,{s},,purchase," for i, s in enumerate([10, 9, 9, 8, 3])),
    *(f"m{i},2026-01-05,u2,nps,{s},,purchase," for i, s in enumerate([10, 9, 7, 6, 0])),
    # purchase CSAT at two touchpoints: cart u2 5 4 4 2 1 (3 satisfied), order u2 5 5 5 (too few on its own)
    *(f"c{i},2026-01-05,u2,csat,{s},,purchase,cart" for i, s in enumerate([5, 4, 4, 2, 1])),
    *(f"o{i},2026-01-05,u2,csat,5,,purchase,order" for i in range(3)),
    # CES only at checkout: u1 7 6 2, u2 5 5 1 3 → 4 easy (5–7) of 7; u1 alone has 3 answers (< 5)
    *(f"e{i},2026-01-05,u1,ces,{s},,purchase,checkout" for i, s in enumerate([7, 6, 2])),
    *(f"f{i},2026-01-05,u2,ces,{s},,purchase,checkout" for i, s in enumerate([5, 5, 1, 3])),
    # awareness: 4 NPS answers, below min_group_size 5
    *(f"a{i},2026-01-05,u1,nps,9,,awareness," for i in range(4)),
    # no stage, but a touchpoint of the consideration stage; and a touchpoint the spec does not know
    "p1,2026-01-05,u2,nps,9,,,product", "p2,2026-01-05,u2,nps,5,,awareness,nowhere",
]


def _wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    denominator = 1 + Z**2 / n
    centre = (p + Z**2 / (2 * n)) / denominator
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / denominator
    return centre - half, centre + half


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scores")
    spec = SMALL_SPEC.replace("min_group_size: 1", "min_group_size: 5") + "  surveys: {path: data/surveys.csv}\n"
    (folder / "journey.yml").write_text(spec, encoding="utf-8")
    write_csv(folder / "data" / "events.csv", "user_id,session_id,ts,event,device", [
        "u1,s1,2026-01-05T10:00:00Z,landing_view,mobile", "u2,s2,2026-01-05T10:00:00Z,landing_view,desktop"])
    write_csv(folder / "data" / "surveys.csv", "id,ts,user_id,kind,score,comment,stage,touchpoint", SURVEYS)
    return cjm.load_project(folder)


@pytest.fixture(scope="module")
def scores(project):
    return cjm.map_scores(project)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, scores):
    run = tmp_path_factory.mktemp("run")
    save_result(run, "map_scores", scores)
    save_result(run, "nps_by_stage", pd.DataFrame({
        "stage": ["purchase"], "label": ["Purchase"], "responses": [10], "promoters": [5], "detractors": [3],
        "nps": [20.0], "ci_low": [-34.0], "ci_high": [74.0], "suppressed": [False]}))
    return run


def _row(scores, **where):
    rows = scores
    for column, value in where.items():
        rows = rows[rows[column].isna()] if value is None else rows[rows[column] == value]
    assert len(rows) == 1, where
    return rows.iloc[0]


def test_nps_of_a_stage_by_hand_for_all_customers_and_for_the_persona(scores):
    everyone = _row(scores, stage="purchase", touchpoint=None, persona="all", kind="nps")
    # 10 answers: 5 promoters, 3 detractors → NPS 20; se = sqrt((0.5 + 0.3 − 0.2²) ÷ 10)
    assert (everyone.responses, everyone.top_box, everyone.bottom_box) == (10, 5, 3)
    assert everyone.score == pytest.approx(20)
    half = 100 * Z * math.sqrt((0.5 + 0.3 - 0.2**2) / 10)
    assert (everyone.ci_low, everyone.ci_high) == (pytest.approx(20 - half), pytest.approx(20 + half))
    mine = _row(scores, stage="purchase", touchpoint=None, persona="mobile-user", kind="nps")
    # u1 only: 3 promoters, 1 detractor of 5 → NPS 40; the upper bound is clipped at +100
    assert (mine.responses, mine.score) == (5, pytest.approx(40))
    assert mine.ci_low == pytest.approx(40 - 100 * Z * math.sqrt((0.6 + 0.2 - 0.4**2) / 5))
    assert mine.ci_high == 100 and not mine.suppressed


def test_csat_and_ces_are_shares_with_wilson_intervals_per_touchpoint(scores):
    stage = _row(scores, stage="purchase", touchpoint=None, persona="all", kind="csat")
    assert (stage.responses, stage.top_box, stage.score) == (8, 6, 0.75)
    assert (stage.ci_low, stage.ci_high) == tuple(pytest.approx(x) for x in _wilson(6, 8))
    cart = _row(scores, stage="purchase", touchpoint="cart", persona="all", kind="csat")
    assert (cart.responses, cart.top_box, cart.bottom_box) == (5, 3, 2)
    order = _row(scores, stage="purchase", touchpoint="order", persona="all", kind="csat")
    assert order.responses == 3 and order.suppressed and math.isnan(order.score)
    ces = _row(scores, stage="purchase", touchpoint="checkout", persona="all", kind="ces")
    assert (ces.responses, ces.top_box, ces.bottom_box, ces.score) == (7, 4, 3, pytest.approx(4 / 7))
    mine = _row(scores, stage="purchase", touchpoint="checkout", persona="mobile-user", kind="ces")
    assert mine.responses == 3 and mine.suppressed and math.isnan(mine.ci_low)


def test_an_answer_counts_at_its_touchpoint_stage_and_an_unknown_touchpoint_at_none(scores):
    product = _row(scores, stage="consideration", touchpoint="product", persona="all", kind="nps")
    assert product.responses == 1 and product.suppressed
    awareness = _row(scores, stage="awareness", touchpoint=None, persona="all", kind="nps")
    assert awareness.responses == 5 and not (scores.touchpoint == "nowhere").any()
    assert set(scores.persona) == {"all", "mobile-user"}


def _texts(model, lane_id="scores"):
    lane = next(lane for lane in model.lanes if lane.id == lane_id)
    return {stage: [c.text.replace(NBSP, " ") for c in cells] for stage, cells in lane.cells.items()}


def test_the_whole_journey_map_prints_each_score_with_interval_and_n(project, run_dir):
    model = build_map(project.spec, run_dir)
    assert [lane.id for lane in model.lanes][4:6] == ["emotion", "scores"]
    texts = _texts(model)
    # NPS 20 (−34.0 … +74.0); CSAT 6 of 8 = 75 % (41–93 %); the cart's 3 of 5 = 60 % (23–88 %), the order's 3
    # answers are too few to show; every CES answer is at the checkout: the stage's line is labelled with it
    assert texts["purchase"] == [
        "NPS +20 (−34 to +74), n = 10", "CSAT 75% satisfied (41%–93%), n = 8",
        "Cart: CSAT 60% satisfied (23%–88%), n = 5", "Checkout: CES 57% easy (25%–84%), n = 7"]
    # awareness: u1's four 9s and u2's 5 at an unknown touchpoint (counted at the stage): 4 promoters, 1
    # detractor of 5 → NPS 60 ± 100 × 1.96 × sqrt((0.8 + 0.2 − 0.6²) ÷ 5) = 60 ± 70.1, clipped at +100
    assert 60 - 100 * Z * math.sqrt((0.8 + 0.2 - 0.6**2) / 5) == pytest.approx(-10.12, abs=0.01)
    assert texts["awareness"] == ["NPS +60 (−10 to +100), n = 5"]
    # one answer at consideration: no figure, only that it is hidden
    assert texts["consideration"] == ["NPS hidden (n < 5)"]
    cell = next(lane for lane in model.lanes if lane.id == "scores").cells["purchase"][0]
    assert cell.text.endswith(f"n{NBSP}={NBSP}10")
    assert cell.value == pytest.approx(20) and cell.provenance["n"] == 10 and cell.provenance["source"] == "surveys"
    # the KPI lane no longer repeats the NPS without its interval
    assert not any(t.startswith("NPS") for cells in _texts(model, "kpis").values() for t in cells)


def test_a_persona_map_uses_its_answers_else_all_customers_said_so(project, run_dir):
    texts = _texts(build_map(project.spec, run_dir, persona="mobile-user"))
    # its 5 NPS answers are enough; it has no CSAT answer and 3 CES answers: all customers', marked
    assert texts["purchase"] == [
        "NPS +40 (−30 to +100), n = 5", "CSAT 75% satisfied (41%–93%), n = 8 · all customers",
        "Cart: CSAT 60% satisfied (23%–88%), n = 5 · all customers",
        "Checkout: CES 57% easy (25%–84%), n = 7 · all customers"]
    # at awareness u1 gave 4 answers (< 5): all customers' 5
    assert texts["awareness"] == ["NPS +60 (−10 to +100), n = 5 · all customers"]
    model = build_map(project.spec, run_dir, persona="mobile-user")
    definition = next(lane for lane in model.lanes if lane.id == "scores").cells["purchase"][1].provenance["definition"]
    assert definition.endswith("95% Wilson interval") and ", all customers" in definition


def test_french_scores(project, run_dir):
    spec = project.spec.model_copy(update={"project": project.spec.project.model_copy(update={"language": "fr"})})
    model = build_map(spec, run_dir)
    assert next(lane.label for lane in model.lanes if lane.id == "scores") == "Scores"
    assert _texts(model)["purchase"][:2] == [
        "NPS +20 (−34 à +74), n = 10", f"CSAT 75{NNBSP}% satisfaits (41{NNBSP}%–93{NNBSP}%), n = 8"]
    assert _texts(model)["consideration"] == ["NPS masqué (n < 5)"]
    mine = _texts(build_map(spec, run_dir, persona="mobile-user"))
    assert mine["purchase"][-1] == f"Checkout : CES 57{NNBSP}% « facile » (25{NNBSP}%–84{NNBSP}%), n = 7 · tous les clients"


def test_an_nps_rounding_to_zero_has_no_sign(project):
    ctx = MapContext(spec=project.spec, text=LABELS["en"], results={}, personas=(), persona=None, period="")
    assert score_text(ctx, "nps", -11.4, -22.3, 0.4, 259).replace(NBSP, " ") == "NPS −11 (−22 to 0), n = 259"
    assert score_text(ctx, "nps", 0.6, -0.4, 1.5, 30).replace(NBSP, " ") == "NPS +1 (0 to +2), n = 30"


def test_a_run_without_scores_has_no_scores_lane_and_keeps_the_kpi_nps(project, run_dir, tmp_path):
    save_result(tmp_path, "nps_by_stage", pd.read_parquet(run_dir / "results" / "nps_by_stage.parquet"))
    model = build_map(project.spec, tmp_path)
    assert "scores" not in [lane.id for lane in model.lanes]
    assert "NPS +20 (n = 10)" in _texts(model, "kpis")["purchase"]


def test_persona_conversion_with_its_wilson_interval_and_n(project, tmp_path):
    # 45 conversions of 900 sessions = 5.0 %; Wilson 95 %: 3.8 %–6.6 %
    low, high = _wilson(45, 900)
    assert (round(100 * low, 1), round(100 * high, 1)) == (3.8, 6.6)
    save_result(tmp_path, "personas", pd.DataFrame({
        "persona": ["Mobile user"], "users": [400], "share_users": [0.4], "sessions": [900], "conversions": [45],
        "conversion": [0.05]}))
    facts = build_map(project.spec, tmp_path, persona="mobile-user").lane("persona").cells["*"][-1]
    assert facts.text.replace(NBSP, " ") == "400 users (40% of all) · conversion 5.0% (3.8%–6.6%), n = 900 sessions"
    spec = project.spec.model_copy(update={"project": project.spec.project.model_copy(update={"language": "fr"})})
    facts = build_map(spec, tmp_path, persona="mobile-user").lane("persona").cells["*"][-1]
    assert facts.text.replace(NBSP, " ") == (f"400 utilisateurs (40{NNBSP}% du total) · conversion 5,0{NNBSP}% "
                          f"(3,8{NNBSP}%–6,6{NNBSP}%), n = 900 sessions")
