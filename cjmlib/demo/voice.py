"""What the demo shop's customers say: feedback (chat, support, reviews) and survey answers (NPS, CSAT).

Feedback is left after some sessions, by context (:data:`FEEDBACK_CONTEXTS`): carts left behind
mostly complain about the shipping cost, purchases about delivery delays or praise the products,
browsing sessions about choice and speed. Each item's text is composed from its theme's templates
in the customer's language, with a product, an amount or a delay filled in, and sometimes an
e-mail address, a phone number or an order number (for the pseudonymization to find). Survey
answers follow the score mix of their context (:data:`NPS_MIX`, :data:`CSAT_MIX`), with a short
comment matching the score.

The words (feedback templates, product names, survey comments) are read from ``corpus/feedback.yml``
and ``corpus/surveys.yml``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .behaviour import DAY, EVENT_INDEX, LANGUAGES, format_ids, pick, read_corpus

__all__ = [
    "CONTACT_SHARE",
    "CSAT_MIX",
    "FEEDBACK_CONTEXTS",
    "FEEDBACK_TEMPLATES",
    "NPS_MIX",
    "SURVEY_COMMENTS",
    "SURVEY_CONTEXTS",
    "THEME_STAGE",
    "THEME_VALENCE",
    "draw_feedback",
    "draw_surveys",
]


def _by_language(words: dict) -> dict[str, tuple[str, ...]]:
    return {language: tuple(options) for language, options in words.items()}


_FEEDBACK = read_corpus("feedback")
#: Theme -> language -> text templates; ``{product}``, ``{product_cap}``, ``{days}`` and ``{amount}``
#: are filled per item.
FEEDBACK_TEMPLATES = {theme: _by_language(texts) for theme, texts in _FEEDBACK["templates"].items()}
_PRODUCT_NAMES = _by_language(_FEEDBACK["product_names"])
_AMOUNTS = _by_language(_FEEDBACK["amounts"])
_OPENERS = _by_language(_FEEDBACK["openers"])
_CLOSERS = _by_language(_FEEDBACK["closers"])
_FIRST, _LAST = tuple(_FEEDBACK["first_names"]), tuple(_FEEDBACK["last_names"])
_CONTACT = _FEEDBACK["contact"]
#: Stage -> (low, mid, high) score -> language -> survey comments.
SURVEY_COMMENTS = {stage: tuple(_by_language(buckets[b]) for b in ("low", "mid", "high"))
                   for stage, buckets in read_corpus("surveys")["comments"].items()}


def _capitalized(language: str) -> tuple[str, ...]:
    return tuple(name[:1].upper() + name[1:] for name in _PRODUCT_NAMES[language])


#: Share of feedback items that carry an e-mail, a phone number, an order number (buyers only).
CONTACT_SHARE = {"email": 0.07, "phone": 0.05, "order": 0.25}


def _choose(rng: np.random.Generator, options: tuple[str, ...], n: int) -> np.ndarray:
    return np.array(options, dtype=object)[rng.integers(0, len(options), n)]


def _fill(template: np.ndarray, name: str, value: np.ndarray) -> np.ndarray:
    """Replace ``{name}`` by ``value`` row by row (templates hold each name at most once)."""
    if len(template) == 0:
        return template
    parts = pd.Series(template, dtype=object).str.partition("{" + name + "}")
    found = (parts[1] != "").to_numpy()
    return np.where(found, (parts[0] + pd.Series(value, dtype=object) + parts[2]).to_numpy(), template)


def _feedback_texts(rng: np.random.Generator, theme: np.ndarray, language: np.ndarray, *,
                   order_ids: np.ndarray) -> np.ndarray:
    """Compose one feedback text per item from its theme's templates, in its language.

    Parameters
    ----------
    rng
        The random generator.
    theme, language
        One value per item: a key of ``FEEDBACK_TEMPLATES`` and ``"en"`` or ``"fr"``.
    order_ids
        The order behind each item, ``""`` when none; quoted in some texts.

    Returns
    -------
    ndarray
        The texts, some with an e-mail address, a phone number or an order number in them.
    """
    n = len(theme)
    text = np.empty(n, dtype=object)
    product = rng.integers(0, len(_PRODUCT_NAMES["en"]), n)
    amount = rng.integers(0, len(_AMOUNTS["en"]), n)
    days = rng.integers(6, 22, n).astype(str)
    email = np.char.add(np.char.add(np.char.add(np.array(_FIRST)[rng.integers(0, 8, n)], "."),
                                    np.array(_LAST)[rng.integers(0, 8, n)]), "@example.com")
    digits = rng.integers(0, 100, (n, 4))
    for lang in LANGUAGES:
        for name, templates in FEEDBACK_TEMPLATES.items():
            rows = np.flatnonzero((theme == name) & (language == lang))
            text[rows] = _choose(rng, templates[lang], len(rows))
        rows = np.flatnonzero(language == lang)
        names = np.array(_PRODUCT_NAMES[lang], dtype=object)[product[rows]]
        text[rows] = _fill(text[rows], "product", names)
        capitalized = np.array(_capitalized(lang), dtype=object)[product[rows]]
        text[rows] = _fill(text[rows], "product_cap", capitalized)
        text[rows] = _fill(text[rows], "amount", np.array(_AMOUNTS[lang], dtype=object)[amount[rows]])
        text[rows] = _fill(text[rows], "days", days[rows].astype(object))
        text[rows] = (_choose(rng, _OPENERS[lang], len(rows)) + text[rows]
                      + _choose(rng, _CLOSERS[lang], len(rows)))
        phone = (np.char.add("06 ", np.char.zfill(digits[rows, 0].astype(str), 2)) if lang == "fr"
                 else np.char.add("+44 7700 900", np.char.zfill(digits[rows, 0].astype(str), 3)))
        if lang == "fr":
            for k in range(1, 4):
                phone = np.char.add(np.char.add(phone, " "), np.char.zfill(digits[rows, k].astype(str), 2))
        draw = rng.random((len(rows), 3))
        values = {"email": email[rows], "phone": phone, "order": order_ids[rows]}
        for k, (kind, share) in enumerate(CONTACT_SHARE.items()):
            add = (draw[:, k] < share) & (values[kind] != "")
            suffix = _fill(np.full(add.sum(), _CONTACT[kind][lang], dtype=object), "x",
                           values[kind][add].astype(object))
            text[rows[add]] = text[rows[add]] + suffix
    return text.astype(str)


def _survey_comments(rng: np.random.Generator, stage: np.ndarray, bucket: np.ndarray, language: np.ndarray
                    ) -> np.ndarray:
    """Draw a short survey comment per answer from its stage, score bucket (0 low, 1 mid, 2 high)
    and language."""
    comment = np.full(len(stage), "", dtype=object)
    for name, buckets in SURVEY_COMMENTS.items():
        for b, by_language in enumerate(buckets):
            for lang, options in by_language.items():
                rows = np.flatnonzero((stage == name) & (bucket == b) & (language == lang))
                comment[rows] = _choose(rng, options, len(rows))
    return comment.astype(str)


# Feedback contexts: which sessions may leave feedback, with what probability, what themes,
# which sources and how long after the session (seconds).
FEEDBACK_CONTEXTS = {
    "abandoned_cart": {"p": 0.27, "stage": "purchase", "delay": (60, 2 * DAY),
                           "themes": {"shipping_cost": 0.56, "checkout_usability": 0.20, "service_tone": 0.06,
                                   "website_speed": 0.07, "product_choice": 0.05, "general": 0.06},
                           "sources": {"chat": 0.5, "support": 0.5, "review": 0.0}},
    "purchase": {"p": 0.40, "stage": None, "delay": (2 * DAY, 18 * DAY),
                     "themes": {"delivery_delay": 0.27, "product_quality": 0.33, "shipping_cost": 0.08,
                             "service_tone": 0.08, "product_choice": 0.07, "general": 0.17},
                     "sources": {"chat": 0.10, "support": 0.25, "review": 0.65}},
    "browse": {"p": 0.012, "stage": "consideration", "delay": (30, 3600),
                   "themes": {"product_choice": 0.35, "website_speed": 0.35, "general": 0.30},
                   "sources": {"chat": 0.8, "support": 0.2, "review": 0.0}},
}
THEME_STAGE = {"shipping_cost": "purchase", "checkout_usability": "purchase", "delivery_delay": "retention",
               "product_quality": "advocacy", "service_tone": "retention", "product_choice": "consideration",
               "website_speed": "consideration", "general": "advocacy"}
THEME_VALENCE = {"product_quality": "positive", "general": "neutral"}   # others are negative
_RATINGS = {"negative": (0.45, 0.33, 0.15, 0.05, 0.02), "neutral": (0.04, 0.08, 0.30, 0.38, 0.20),
            "positive": (0.0, 0.02, 0.06, 0.32, 0.60)}
_SOURCES = ("chat", "support", "review")
_THEMES = tuple(THEME_STAGE)


def _context_rows(sessions: dict) -> dict[str, np.ndarray]:
    c = sessions["counts"]
    purchase, cart = c[:, EVENT_INDEX["purchase"]] > 0, c[:, EVENT_INDEX["add_to_cart"]] > 0
    return {"abandoned_cart": cart & ~purchase, "purchase": purchase,
            "browse": ~cart & (c[:, EVENT_INDEX["product_view"]] > 0)}


def draw_feedback(rng: np.random.Generator, sessions: dict, users: dict, origin: np.datetime64, period: int
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the feedback export and, per item, its planted context, theme and stage.

    Parameters
    ----------
    rng
        The random generator.
    sessions
        The sessions, with the ``end`` of each and the ``order_id`` of those that bought.
    users
        The users the sessions belong to.
    origin
        The first second of the period.
    period
        The length of the period, in seconds: feedback left after it is dropped.

    Returns
    -------
    tuple of DataFrame
        The export (``id``, ``ts``, ``user_id`` (empty for an anonymous chat), ``text``, ``rating``
        (none for a chat), ``source``, ``language``) and, per item, ``session``, ``theme``, ``stage``,
        ``source``, ``ts``, ``context``, ``id``, ``language``.
    """
    parts, eligible = [], _context_rows(sessions)
    for context, spec in FEEDBACK_CONTEXTS.items():
        chosen = rng.random(len(sessions["user"])) < spec["p"]
        rows = np.flatnonzero(eligible[context] & chosen)
        mix = np.array([[spec["themes"].get(t, 0.0) for t in _THEMES]])
        theme = pick(rng, mix, np.zeros(len(rows), np.int8))
        source = pick(rng, np.array([[spec["sources"][s] for s in _SOURCES]]), np.zeros(len(rows), np.int8))
        stage = np.array([spec["stage"] or THEME_STAGE[t] for t in _THEMES])[theme]
        ts = sessions["end"][rows] + rng.integers(*spec["delay"], len(rows))
        parts.append(pd.DataFrame({"session": rows, "theme": np.array(_THEMES)[theme], "stage": stage,
                                   "source": np.array(_SOURCES)[source], "ts": ts, "context": context}))
    items = pd.concat(parts, ignore_index=True)
    items = items[items["ts"] < period].sort_values(["ts", "session"], kind="stable").reset_index(drop=True)
    n = len(items)
    user = sessions["user"][items["session"].to_numpy()]
    language = users["language"][user]
    valence = items["theme"].map(THEME_VALENCE).fillna("negative").to_numpy()
    rating = np.zeros(n, dtype=np.int8)
    for name, probs in _RATINGS.items():
        rows = np.flatnonzero(valence == name)
        rating[rows] = 1 + pick(rng, np.array([probs]), np.zeros(len(rows), np.int8))
    chat = (items["source"] == "chat").to_numpy()
    anonymous = chat & (rng.random(n) < 0.15)
    order = sessions["order_id"][items["session"].to_numpy()]
    text = _feedback_texts(rng, items["theme"].to_numpy(), np.array(LANGUAGES)[language], order_ids=order)
    frame = pd.DataFrame({
        "id": format_ids("FB", np.arange(1, n + 1), 6),
        "ts": origin + items["ts"].to_numpy().astype("timedelta64[s]"),
        "user_id": np.where(anonymous, "", users["id"][user]), "text": text,
        "rating": pd.Series(rating, dtype="Int64").mask(chat),
        "source": items["source"].to_numpy(), "language": np.array(LANGUAGES)[language],
    })
    items = items.assign(id=frame["id"], language=frame["language"])
    return frame, items


# Survey contexts: kind probabilities (nps, csat), response probability and delay after the session.
SURVEY_CONTEXTS = {
    "purchase": {"p": 0.45, "stage": "purchase", "kinds": (0.5, 0.5), "delay": (3600, 3 * DAY)},
    "abandoned_checkout": {"p": 0.20, "stage": "purchase", "kinds": (0.5, 0.5), "delay": (60, 600)},
    "order_tracking": {"p": 0.45, "stage": "retention", "kinds": (0.5, 0.5), "delay": (2 * 3600, 4 * DAY)},
    "advocacy": {"p": 0.50, "stage": "advocacy", "kinds": (1.0, 0.0), "delay": (600, 2 * DAY)},
}
_NPS_SHAPE = {"detractor": (0.04, 0.04, 0.06, 0.10, 0.16, 0.26, 0.34), "passive": (0.45, 0.55),
              "promoter": (0.55, 0.45)}
#: Share of detractors, passives and promoters per survey context (NPS = promoters - detractors).
NPS_MIX = {"purchase": (0.42, 0.32, 0.26), "abandoned_checkout": (0.66, 0.24, 0.10),
           "order_tracking": (0.16, 0.34, 0.50), "advocacy": (0.08, 0.27, 0.65)}
#: Probabilities of CSAT 1..5 per survey context.
CSAT_MIX = {"purchase": (0.12, 0.16, 0.25, 0.30, 0.17), "abandoned_checkout": (0.35, 0.30, 0.20, 0.10, 0.05),
            "order_tracking": (0.05, 0.07, 0.15, 0.38, 0.35), "advocacy": (0.02, 0.03, 0.10, 0.35, 0.50)}


#: Probabilities of CES 1..7 (7: very easy) after a checkout, per survey context; drawn with their own
#: generator (seed :data:`CES_SEED`), so that adding them changed none of the other answers.
CES_MIX = {"purchase": (0.06, 0.10, 0.16, 0.20, 0.22, 0.16, 0.10),
           "abandoned_checkout": (0.30, 0.26, 0.18, 0.12, 0.08, 0.04, 0.02)}
CES_P, CES_SEED = 0.35, 20260907


def _ces_answers(eligible: dict, sessions: dict, period: int) -> pd.DataFrame:
    """CES answers asked after a checkout (a purchase, an abandoned checkout): session, score, ts, stage."""
    rng, parts = np.random.default_rng(CES_SEED), []
    for context, mix in CES_MIX.items():
        rows = np.flatnonzero(eligible[context] & (rng.random(len(eligible[context])) < CES_P))
        score = 1 + pick(rng, np.array([mix]), np.zeros(len(rows), np.int8))
        ts = sessions["end"][rows] + rng.integers(*SURVEY_CONTEXTS[context]["delay"], len(rows))
        parts.append(pd.DataFrame({"session": rows, "kind": "ces", "score": score, "ts": ts, "stage": "purchase"}))
    items = pd.concat(parts, ignore_index=True)
    return items[items["ts"] < period]


def _nps_probs(mix: tuple[float, float, float]) -> np.ndarray:
    shape = [np.array(_NPS_SHAPE[k]) * share for k, share in zip(_NPS_SHAPE, mix)]
    return np.concatenate(shape)


def draw_surveys(rng: np.random.Generator, sessions: dict, users: dict, origin: np.datetime64, period: int
                 ) -> pd.DataFrame:
    """Return the survey export: NPS and CSAT answers asked after a purchase, a tracking visit or a review,
    and CES answers after a checkout.

    Parameters
    ----------
    rng
        The random generator.
    sessions
        The sessions, with the ``end`` of each.
    users
        The users the sessions belong to.
    origin
        The first second of the period.
    period
        The length of the period, in seconds: answers given after it are dropped.

    Returns
    -------
    DataFrame
        ``id``, ``ts``, ``user_id``, ``kind`` (nps, csat or ces), ``score``, ``comment`` (often empty),
        ``stage``.
    """
    c = sessions["counts"]
    eligible = {"purchase": c[:, EVENT_INDEX["purchase"]] > 0,
                "abandoned_checkout": (c[:, EVENT_INDEX["begin_checkout"]] > 0)
                & (c[:, EVENT_INDEX["purchase"]] == 0),
                "order_tracking": c[:, EVENT_INDEX["order_tracking"]] > 0,
                "advocacy": (c[:, EVENT_INDEX["write_review"]] + c[:, EVENT_INDEX["share_referral"]]) > 0}
    parts = []
    for context, spec in SURVEY_CONTEXTS.items():
        rows = np.flatnonzero(eligible[context] & (rng.random(len(c)) < spec["p"]))
        nps = rng.random(len(rows)) < spec["kinds"][0]
        zero = np.zeros(len(rows), np.int8)
        score = np.where(nps, pick(rng, _nps_probs(NPS_MIX[context])[None, :], zero),
                         1 + pick(rng, np.array([CSAT_MIX[context]]), zero))
        ts = sessions["end"][rows] + rng.integers(*spec["delay"], len(rows))
        parts.append(pd.DataFrame({"session": rows, "nps": nps, "score": score, "ts": ts,
                                   "stage": spec["stage"]}))
    items = pd.concat(parts, ignore_index=True)
    items = items[items["ts"] < period].sort_values(["ts", "session"], kind="stable").reset_index(drop=True)
    nps, score = items["nps"].to_numpy(), items["score"].to_numpy()
    user = sessions["user"][items["session"].to_numpy()]
    bucket = np.where(nps, np.digitize(score, [7, 9]), np.digitize(score, [3, 5]))   # 0 low, 1 mid, 2 high
    with_comment = rng.random(len(items)) < 0.4
    language = np.array(LANGUAGES)[users["language"][user]]
    comment = _survey_comments(rng, items["stage"].to_numpy(), bucket, language)
    ces = _ces_answers(eligible, sessions, period)
    kind = np.r_[np.where(nps, "nps", "csat"), ces["kind"].to_numpy()]
    return pd.DataFrame({
        "id": format_ids("SV", np.arange(1, len(kind) + 1), 6),
        "ts": origin + np.r_[items["ts"].to_numpy(), ces["ts"].to_numpy()].astype("timedelta64[s]"),
        "user_id": users["id"][np.r_[user, sessions["user"][ces["session"].to_numpy()]]], "kind": kind,
        "score": np.r_[score, ces["score"].to_numpy()],
        "comment": np.r_[np.where(with_comment, comment, ""), np.full(len(ces), "")],
        "stage": np.r_[items["stage"].to_numpy(), ces["stage"].to_numpy()],
    })
