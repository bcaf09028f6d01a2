"""Voice of the customer: scores with their intervals, theme coding, sentiment, pain points, triangulation."""

from __future__ import annotations

import math

import matplotlib
import pandas as pd
import pytest
from helpers import SMALL_SPEC, write_csv

import cjmlib as cjm
from cjmlib.spec.model import Codebook, Theme
from cjmlib.voice import sentiment, text
from cjmlib.voice.scores import ces_table, score_table
from cjmlib.voice.themes import code_themes, feedback_table, pain_point_table, triangulation_table

matplotlib.use("Agg")

Z = 1.959963984540054
PAIN_POINTS = """\
pain_points:
  - {id: shipping-surprise, name: Shipping costs, stage: purchase, themes: [shipping_cost]}
  - {id: slow-delivery, name: Late delivery, stage: purchase, themes: [delay]}
"""


def _project(tmp_path, *, k: int, surveys: list[str] = (), feedback: list[str] = ()):
    spec = SMALL_SPEC.replace("min_group_size: 1", f"min_group_size: {k}").replace("sources:", PAIN_POINTS + "sources:")
    if surveys:
        write_csv(tmp_path / "data" / "surveys.csv", "id,ts,user_id,kind,score,comment,stage", list(surveys))
        spec += "  surveys: {path: data/surveys.csv}\n"
    if feedback:
        write_csv(tmp_path / "data" / "feedback.csv", "id,ts,user_id,text,rating,source,language", list(feedback))
        spec += "  feedback: {path: data/feedback.csv}\n"
    (tmp_path / "journey.yml").write_text(spec, encoding="utf-8")
    write_csv(tmp_path / "data" / "events.csv", "user_id,session_id,ts,event,device", [
        "u1,s1,2026-01-05T10:00:00Z,landing_view,mobile", "u2,s2,2026-01-05T10:00:00Z,landing_view,desktop"])
    return cjm.load_project(tmp_path)


SURVEYS = [
    # NPS after purchase: promoters 10, 9; passives 8, 7; detractors 6, 0 (first three in week 2, last three in week 3)
    "1,2026-01-05,u1,nps,10,,purchase", "2,2026-01-06,u1,nps,9,,purchase", "3,2026-01-07,u2,nps,8,,purchase",
    "4,2026-01-12,u2,nps,7,,purchase", "5,2026-01-13,u2,nps,6,,purchase", "6,2026-01-14,u2,nps,0,,purchase",
    # four NPS answers at awareness: below min_group_size 5
    "7,2026-01-05,u1,nps,9,,awareness", "8,2026-01-05,u1,nps,9,,awareness", "9,2026-01-05,u1,nps,9,,awareness",
    "10,2026-01-05,u1,nps,5,,awareness",
    # CSAT 5 4 4 2 1 and CES 7 6 5 3 2 after purchase
    *(f"{20 + i},2026-01-05,u1,csat,{s},,purchase" for i, s in enumerate([5, 4, 4, 2, 1])),
    *(f"{30 + i},2026-01-05,u2,ces,{s},,purchase" for i, s in enumerate([7, 6, 5, 3, 2])),
]


@pytest.fixture
def scored(tmp_path):
    return _project(tmp_path, k=5, surveys=SURVEYS)


def test_nps_with_its_interval_by_hand(scored):
    nps = score_table(scored, kind="nps").set_index("stage")
    purchase = nps.loc["purchase"]
    assert (purchase.responses, purchase.top_box, purchase.bottom_box) == (6, 2, 2)
    assert purchase.score == 0
    # se = sqrt((p + d - (p - d)^2) / n) = sqrt((1/3 + 1/3) / 6) = 1/3
    assert purchase.ci_low == pytest.approx(-100 * Z / 3) and purchase.ci_high == pytest.approx(100 * Z / 3)
    assert purchase.top_box_rate == pytest.approx(2 / 6)
    # 4 answers < min_group_size 5: values blanked, rule stated
    awareness = nps.loc["awareness"]
    assert awareness.suppressed and awareness.responses == 4 and math.isnan(awareness.score)
    assert "fewer than 5" in awareness.rule
    # the historical table keeps its values and flags the group
    table = cjm.nps_table(scored).set_index("stage")
    assert table.loc["awareness", "nps"] == 50 and table.loc["awareness", "suppressed"]
    assert list(table.index) == ["awareness", "consideration", "purchase"]


def test_csat_mean_top2_and_intervals_by_hand(scored):
    csat = score_table(scored, kind="csat").set_index("stage").loc["purchase"]
    assert (csat.responses, csat.top_box, csat.bottom_box) == (5, 3, 2)
    assert csat.score == pytest.approx(3.2)
    # sd = sqrt(10.8 / 4); t(0.975, 4) = 2.7764451051977987
    half = 2.7764451051977987 * math.sqrt(10.8 / 4) / math.sqrt(5)
    assert csat.ci_low == pytest.approx(3.2 - half) and csat.ci_high == pytest.approx(3.2 + half)
    assert csat.top_box_rate == 0.6
    assert csat.top_ci_low == pytest.approx(0.2307, abs=1e-4) and csat.top_ci_high == pytest.approx(0.8824, abs=1e-4)
    old = cjm.csat_table(scored).set_index("stage").loc["purchase"]
    assert (old["mean"], old.top2, old.top2_rate) == (pytest.approx(3.2), 3, 0.6)
    assert old.mean_ci_low == pytest.approx(3.2 - half)


def test_ces_by_hand(scored):
    ces = ces_table(scored).set_index("stage").loc["purchase"]
    # 7 6 5 3 2: mean 4.6, easy (5–7) 3, hard (1–3) 2
    assert (ces.responses, ces.top_box, ces.bottom_box) == (5, 3, 2)
    assert ces.score == pytest.approx(4.6)
    sd = math.sqrt(sum((x - 4.6) ** 2 for x in [7, 6, 5, 3, 2]) / 4)
    assert ces.ci_high - ces.score == pytest.approx(2.7764451051977987 * sd / math.sqrt(5))


def test_weekly_trend_counts_and_suppresses_small_weeks(scored):
    trend = score_table(scored, kind="nps", period="week")
    purchase = trend[trend.stage == "purchase"]
    assert [str(p)[:10] for p in purchase.period] == ["2026-01-05", "2026-01-12"]
    assert purchase.responses.tolist() == [3, 3]
    assert purchase.top_box.tolist() == [2, 0] and purchase.bottom_box.tolist() == [0, 2]
    assert purchase.suppressed.all() and purchase.score.isna().all()


def test_scores_by_persona_and_unknown_column(scored):
    by_persona = score_table(scored, kind="nps", by="persona").set_index("persona")
    # mobile-user is u1 (device mobile): NPS answers 10, 9, 9, 9, 9, 5 → 5 promoters of 6
    assert by_persona.loc["mobile-user", "responses"] == 6 and by_persona.loc["mobile-user", "top_box"] == 5
    with pytest.raises(cjm.DataError):
        score_table(scored, kind="nps", by="device")


def _codebook():
    return Codebook(themes=(
        Theme(id="shipping_cost", stage="purchase", keywords={
            "en": ("shipping cost", "delivery fee", "shipping * expensive"),
            "fr": ("frais de port", "coût de livraison", "livraison chère"),
            "pt": ("frete caro", "custo do frete")}),
        Theme(id="delay", stage="retention", keywords={
            "en": ("delay", "never arrived"), "fr": ("retard", "jamais arrivé"), "pt": ("atraso", "não chegou")}),
        Theme(id="order_number", keywords={"en": (r"/\border\s+\d{4,}\b/",)}),
    ))


def test_theme_coding_english_with_inflections_gaps_and_regex():
    texts = pd.Series(["SHIPPING COSTS were crazy", "Delivery fees again", "Shipping is way too expensive",
                       "expensive, and shipping was fine", "Another DELAYED parcel", "Delays, delays",
                       "It never arrived", "Order 12345 is lost", "We ship to Belgium at no cost"])
    coded = code_themes(texts, _codebook())
    assert coded.shipping_cost.tolist() == [True, True, True, False, False, False, False, False, False]
    assert coded.delay.tolist() == [False, False, False, False, True, True, True, False, False]
    assert coded.order_number.tolist() == [False] * 7 + [True, False]


def test_theme_coding_french_with_accents_and_inflections():
    texts = pd.Series(["Les COÛTS de livraison sont élevés", "Les couts de livraison", "Frais de Port abusifs",
                       "Livraisons chères !", "Commande retardée deux fois", "Encore des retards",
                       "Mon colis n'est JAMAIS ARRIVÉ", "Très beau produit"])
    coded = code_themes(texts, _codebook())
    assert coded.shipping_cost.tolist() == [True, True, True, True, False, False, False, False]
    assert coded.delay.tolist() == [False, False, False, False, True, True, True, False]


def test_theme_coding_portuguese_with_accents_and_inflections():
    texts = pd.Series(["Frete muito caro", "O frete CARO demais", "custo do FRETE alto", "Houve atrasos na entrega",
                       "Produto atrasado", "O pedido nao chegou", "Produto ótimo"])
    coded = code_themes(texts, _codebook())
    assert coded.shipping_cost.tolist() == [False, True, True, False, False, False, False]
    assert coded.delay.tolist() == [False, False, False, True, True, True, False]


def test_language_detection_from_stop_words():
    texts = pd.Series(["The parcel is late and the box was broken", "Le colis est arrivé en retard et la boîte est abîmée",
                       "O produto chegou com atraso e a caixa estava danificada",
                       "El pedido llegó tarde y la caja estaba rota", "Die Bestellung ist nicht angekommen und ich bin sauer",
                       "ML-1234", None])
    assert text.detect_language(texts).tolist() == ["en", "fr", "pt", "es", "de", "", ""]


def test_sentiment_english_french_and_the_rating_fallback():
    texts = pd.Series(["Great service, thank you!", "Still waiting for my refund, unacceptable.",
                       "Très bonne qualité, je recommande.", "Pas bon du tout, très déçu.", "Les frais sont trop élevés.",
                       "Produto péssimo", "Produto ótimo", "Gut"])
    languages = pd.Series(["en", "en", "fr", "fr", "fr", "pt", "pt", "de"])
    ratings = pd.Series([None, None, None, None, None, 1, 5, None], dtype="Float64")
    out = sentiment.sentiment_scores(texts, languages, ratings=ratings)
    assert out.sentiment_label.tolist() == ["positive", "negative", "positive", "negative", "negative", "negative",
                                            "positive", ""]
    assert out.sentiment_method.tolist() == ["text-en"] * 2 + ["text-fr"] * 3 + ["rating", "rating", "none"]
    assert out.sentiment.iloc[5] == -1 and out.sentiment.iloc[6] == 1 and math.isnan(out.sentiment.iloc[7])


FEEDBACK = [
    "f1,2026-01-05,u1,\"The shipping costs are way too high, call me on +33 6 12 34 56 78\",1,chat,en",
    "f2,2026-01-05,u2,Les frais de port sont élevés,2,review,fr",
    "f3,2026-01-06,u2,Livraison chère pour une petite commande mais je suis contente,4,review,",
    "f4,2026-01-06,u1,My parcel arrived late,,chat,en",
    "f5,2026-01-07,u1,Lovely lamp,5,review,en",
    "f6,2026-01-07,u2,\"O frete caro demais, péssimo\",1,review,pt",
]


@pytest.fixture
def voiced(tmp_path):
    return _project(tmp_path, k=2, surveys=["1,2026-01-05,u1,ces,7,,purchase"], feedback=FEEDBACK)


def test_feedback_table_detects_language_and_assigns_stages(voiced):
    fb = feedback_table(voiced).set_index("id")
    assert fb.loc["f3", "language"] == "fr" and fb.loc["f3", "language_detected"]
    assert not fb.loc["f1", "language_detected"]
    assert fb.themes.tolist() == [["shipping_cost"], ["shipping_cost"], ["shipping_cost"], ["delay"], [],
                                  ["shipping_cost"]]
    assert pd.isna(fb.loc["f5", "stage"]) and fb.loc["f4", "stage"] == "purchase"
    assert fb.loc["f6", "sentiment_method"] == "rating" and fb.loc["f4", "sentiment_label"] == "negative"


def test_theme_table_counts_negatives_and_redacts_quotes(voiced):
    themes = cjm.theme_table(voiced).set_index("theme")
    ship = themes.loc["shipping_cost"]
    # mentions f1 f2 f3 f6 of 6 items; negative: rated 1–2 (f1, f2, f6); f3 is rated 4
    assert (ship.mentions, ship.feedback_items, ship.negative) == (4, 6, 3)
    assert ship.share == pytest.approx(4 / 6) and ship.negative_share == 0.75
    assert ship.mean_rating == pytest.approx(2.0)
    assert any("[phone]" in q for q in ship.quotes_en) and not any("56 78" in q for q in ship.quotes_en)
    assert list(ship.quotes_other) == ["O frete caro demais, péssimo"]
    # the unrated 'late' message is negative from its text
    assert themes.loc["delay", "negative"] == 1
    quotes = cjm.quotes_table(themes.reset_index())
    assert set(quotes.language) == {"en", "fr", "other"}


def test_pain_points_share_of_negative_feedback(voiced):
    pains = pain_point_table(voiced).set_index("pain_point")
    # negative items: f1, f2, f4 (text), f6 → 4
    assert pains.negative_feedback.tolist() == [4, 4]
    assert pains.loc["shipping-surprise", "negative"] == 3 and pains.loc["shipping-surprise", "share_of_negative"] == 0.75
    assert pains.loc["slow-delivery", "mentions"] == 1 and pains.loc["slow-delivery", "evidence"] == "weak"
    assert pains.loc["shipping-surprise", "evidence"] == "supported"


def test_triangulation_flags_both_disagreements(voiced):
    funnel = pd.DataFrame({"stage": ["awareness", "consideration", "purchase"], "units": [100, 20, 18]})
    tri = triangulation_table(voiced, funnel=funnel).set_index("stage")
    assert tri.loc["purchase", "negative"] == 4 and tri.loc["purchase", "negative_share"] == 1
    assert tri.loc["consideration", "drop_off_rate"] == pytest.approx(0.8)
    assert tri.loc["purchase", "drop_off_rate"] == pytest.approx(0.1)
    assert tri.flag.tolist() == ["", "drop-off without a voice", "pain without behavioural evidence"]
    both = triangulation_table(voiced, funnel=funnel.assign(units=[100, 80, 20])).set_index("stage")
    assert both.flag.tolist() == ["", "", "both"]
    assert triangulation_table(voiced).drop_off.isna().all()  # no behaviour result saved


def test_emotion_curve_uses_ces_ratings_and_text_sentiment(voiced):
    fb = feedback_table(voiced).set_index("id")
    curve = cjm.emotion_curve(voiced).set_index("stage")
    # purchase: CES 7 → +2; ratings f1 1, f2 2, f3 4, f6 1 → −2, −1, +1, −2; f4 unrated → 2 × its sentiment
    values = [2, -2, -1, 1, -2, 2 * fb.loc["f4", "sentiment"]]
    assert curve.loc["purchase", "n"] == 6 and curve.loc["purchase", "n_surveys"] == 1
    assert curve.loc["purchase", "measured"] == pytest.approx(sum(values) / 6)
    assert curve.loc["purchase", "persona"] == "all" and curve.loc["awareness", "n"] == 0
    mobile = cjm.emotion_curve(voiced, persona="mobile-user").set_index("stage")
    # u1 only: CES 7, f1 (1), f4 (text)
    assert mobile.loc["purchase", "n"] == 3 and mobile.loc["purchase", "hypothesis"] == -1


def test_suggested_themes_are_seeded_and_find_a_planted_topic():
    texts = pd.Series(["The app crashes when I open the basket"] * 12 + ["Gift wrapping was missing from my order"] * 12
                      + [f"Random remark number {i} about colours" for i in range(6)])
    first = text.suggest_themes(texts, n_themes=3, seed=1)
    again = text.suggest_themes(texts, n_themes=3, seed=1)
    assert first.terms.tolist() == again.terms.tolist()
    assert any("crashes" in terms for terms in first.terms) and any("wrapping" in terms for terms in first.terms)
    assert first.texts.sum() == len(texts) and first.share.sum() == pytest.approx(1)
    assert text.suggest_themes(texts.head(5)).empty


def test_demo_shipping_cost_tops_checkout_and_the_curve_dips_at_purchase(demo_project):
    project = cjm.load_project(demo_project)
    themes = cjm.theme_table(project)
    negative = themes[themes.polarity == "negative"].set_index("theme")
    assert negative.negative.idxmax() == "shipping_cost" and negative.loc["shipping_cost", "stage"] == "purchase"
    ship = negative.loc["shipping_cost"]
    assert len(ship.quotes_en) == 2 and len(ship.quotes_fr) == 2
    curve = cjm.emotion_curve(project).dropna(subset=["measured"]).set_index("stage")
    assert curve.measured.idxmin() == "purchase" and curve.loc["purchase", "ci_high"] < 0
    candidates = cjm.theme_candidates(project)
    assert len(candidates) >= 1 and candidates.uncoded.iloc[0] < candidates.feedback_items.iloc[0]


def test_plots_of_trend_and_triangulation_draw_the_tables(scored, voiced):
    trend = score_table(scored, kind="csat", period="week")
    ax = cjm.plot.plot_score_trend(trend)
    assert len(ax.containers) == trend.stage.nunique() and "CSAT" in ax.get_ylabel()
    funnel = pd.DataFrame({"stage": ["awareness", "consideration", "purchase"], "units": [100, 20, 18]})
    tri = triangulation_table(voiced, funnel=funnel)
    ax = cjm.plot.plot_triangulation(tri)
    heights = [p.get_height() for p in ax.patches]
    assert heights[:3] == [0, 0, 1] and heights[3:] == pytest.approx([0, 0.8, 0.1])
    assert {t.get_text() for t in ax.texts} == {"drop-off\nwithout a voice", "pain\nwithout behavioural evidence"}


def test_a_project_without_feedback_gets_empty_voice_tables(small_project):
    project = cjm.load_project(small_project)
    themes = cjm.theme_table(project)
    assert themes.mentions.tolist() == [0] * len(project.spec.codebook.themes)
    assert (themes.feedback_items == 0).all()
    assert cjm.pain_point_table(project).empty


def test_an_item_whose_language_cannot_be_told_is_read_in_the_project_language(tmp_path):
    project = _project(tmp_path, k=1, feedback=["f1,2026-01-05,u1,Terrible!!! 👎,,app,",
                                                "f2,2026-01-05,u2,The parcel was late and the box was broken,,app,"])
    fb = feedback_table(project).set_index("id")
    assert fb.loc["f1", "language"] == "en" and fb.loc["f1", "language_assumed"]  # no stop word: unsure
    assert fb.loc["f1", "sentiment_method"] == "text-en" and fb.loc["f1", "sentiment_label"] == "negative"
    assert fb.loc["f2", "language"] == "en" and not fb.loc["f2", "language_assumed"]


def test_a_run_codes_the_feedback_once_and_later_steps_read_it(voiced, tmp_path, monkeypatch):
    from cjmlib.voice import themes

    voiced.run_dir = tmp_path / "run"
    published = cjm.published_feedback(voiced)
    voiced.save("feedback", published)
    voiced.save("sentiment_methods", cjm.sentiment_fit_table(voiced))
    assert not published.text.str.contains("56 78").any()  # the text is published redacted
    later = cjm.load_project(voiced.directory)  # another step's kernel
    later.run_dir = voiced.run_dir
    monkeypatch.setattr(themes, "_coded_feedback", lambda project: pytest.fail("coded a second time"))
    again = feedback_table(later)
    assert again.drop(columns="themes").astype(str).equals(published.drop(columns="themes").astype(str))
    assert again.themes.tolist() == published.themes.tolist() and isinstance(again.themes[0], list)
    assert cjm.theme_table(later).mentions.sum() == cjm.theme_table(voiced).mentions.sum()


@pytest.mark.parametrize(("text", "label"), [
    ("Le site est plus simple et plus agréable qu'avant.", "positive"),  # « plus » without « ne »: comparative
    ("Je ne commanderai plus jamais ici, service nul.", "negative"),  # the negation stops at the comma
    ("Elle n'a pas réussi à trouver un bon mixeur.", "negative"),  # the scope runs to the clause's end
    ("Il n'y a plus de stock, dommage.", "negative"),
    ("C'est pas terrible.", "negative"),  # « pas » alone, as spoken
    ("Livraison sans problème.", "positive"),
    ("Pas de problème avec la commande.", "positive"),
    ("Pas cher mais lent.", "negative"),  # what follows « mais » weighs more
    ("Produit conforme mais livraison en retard.", "negative"),
    ("Rien à redire, parfait.", "positive"),
    ("Avis négatif.", "negative"),
    ("Avis positif.", "positive"),
    ("Je ne suis pas satisfait du tout.", "negative"),
    ("Très bien, rapide et efficace.", "positive"),
])
def test_french_negation_comparatives_contrast_and_lexicon(text, label):
    """Unit cases written for the purpose (not an accuracy measure: see docs/voc-accuracy.md)."""
    out = sentiment.sentiment_scores(pd.Series([text]), pd.Series(["fr"]))
    assert out.sentiment_label.iloc[0] == label, out.sentiment.iloc[0]


QUOTED = [
    "q1,2026-01-05,u1,\"Hello, the shipping costs on order 123456 are way too high. Regards, Anna\",1,chat,en",
    "q2,2026-01-05,u2,The shipping costs are high for a small basket,2,review,en",
    "q3,2026-01-06,u2,\"the shipping costs are HIGH for a small basket!\",2,review,en",
    "q4,2026-01-06,u1,My parcel arrived late,,chat,en",
    "q5,2026-01-06,u2,Livraison chère pour une petite commande,2,review,fr",
    "q6,2026-01-07,u2,\"Shipping cost, mail me at jane.roe@client-mail.test\",1,chat,en",
    "q7,2026-01-07,u1,Lovely lamp,5,review,en",
]


def test_map_quotes_per_stage_and_persona_cleaned_and_once(tmp_path):
    project = _project(tmp_path, k=1, feedback=QUOTED)
    quotes = cjm.map_quotes(project)
    everyone = quotes[(quotes.persona == "all") & (quotes.stage == "purchase")]
    # purchase items: q1-q6 (q7 has no theme, so no stage); the themes take turns, the most mentioned
    # first: shipping_cost (q1, q2, q3, q5, q6) then delay (q4), then shipping_cost's second best; within
    # a theme the strongest text sentiment first (q1 −0.58, q3 −0.45, q2 −0.23);
    # q2 repeats q3 (case, punctuation), q6 keeps a masked e-mail, q5 is not in the project's language
    assert everyone["items"].unique().tolist() == [6]
    assert everyone.quote.tolist() == ["The shipping costs on order are way too high.", "My parcel arrived late",
                                       "The shipping costs are HIGH for a small basket!"]
    # the persona's users are those whose events match its rule (device mobile: u1)
    mobile = quotes[(quotes.persona == "mobile-user") & (quotes.stage == "purchase")]
    assert mobile["items"].unique().tolist() == [2]
    assert mobile.quote.tolist() == ["The shipping costs on order are way too high.", "My parcel arrived late"]
    assert quotes[quotes.stage == "awareness"].empty
    assert not quotes.quote.str.contains("123456|Anna|jane|@|\\[", regex=True).any()


@pytest.mark.parametrize(("raw", "language", "clean"), [
    ("Mon [order] est arrivée cassée.", "fr", "Mon commande est arrivée cassée."),
    ("Ma commande [order] est arrivée cassée.", "fr", "Ma commande est arrivée cassée."),
    ("[order] never came, call me on [number].", "en", "Order never came, call me on"),
    ("Ref n° [number]: the parcel was late.", "en", "Ref: the parcel was late."),
    ("Meu [order] não chegou", "pt", "Meu pedido não chegou"),
])
def test_quotes_read_order_numbers_as_the_word_order(raw, language, clean):
    from cjmlib.voice.quotes import clean_quote
    assert clean_quote(raw, language) == clean


def test_map_quotes_of_a_cell_never_repeat_one_template(tmp_path):
    project = _project(tmp_path, k=1, feedback=[
        "r1,2026-01-05,u1,\"My parcel is 6 days late, no update at all.\",1,chat,en",
        "r2,2026-01-05,u2,\"My parcel is 11 days late, no update at all.\",1,chat,en",
        "r3,2026-01-05,u2,\"My parcel is 12.5 days late, no update!\",1,chat,en",
        "r4,2026-01-06,u1,The shipping cost doubled my basket,2,chat,en"])
    quotes = cjm.map_quotes(project)
    everyone = quotes[quotes.persona == "all"].quote.tolist()
    # r2 and r3 share more than half of r1's words once numbers are set aside: one of the three is kept
    assert len(everyone) == 2 and "The shipping cost doubled my basket" in everyone
    assert sum("days late" in q for q in everyone) == 1


def test_a_page_hides_the_nps_of_a_small_group(scored):
    table = cjm.nps_table(scored).drop(columns=["rule"])
    html = cjm.show_table(table, decimals={"nps": 1, "ci_low": 1, "ci_high": 1}, language="en").to_html()
    # awareness: 4 answers < min_group_size 5, NPS 50 in the results table but never on the page;
    # purchase: 6 answers, NPS 0.0 shown
    assert table.set_index("stage").loc["awareness", "nps"] == 50
    assert "50.0" not in html and "0.0" in html and ">4<" in html


def test_map_quotes_of_a_cell_without_the_project_language_keep_the_cell_own(tmp_path):
    project = _project(tmp_path, k=1, feedback=[
        "s1,2026-01-05,u1,Les frais de port sont beaucoup trop élevés,1,review,fr",
        "s2,2026-01-05,u2,Colis en retard de dix jours et aucune nouvelle,1,review,fr"])
    quotes = cjm.map_quotes(project)  # the project speaks English; the purchase cell holds French only
    assert quotes[quotes.persona == "all"].language.unique().tolist() == ["fr"]
    assert len(quotes[quotes.persona == "all"]) == 2
