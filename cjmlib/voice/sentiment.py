"""Sentiment of feedback texts on −1 … +1: English, French, and the rating for other languages.

Everything here runs offline. English uses the VADER lexicon shipped by ``vaderSentiment`` (MIT)
with a service-complaint layer (:data:`SERVICE_LEXICON`, complaint phrases, irony, questions);
French uses the small lexicon of this module (:data:`FRENCH_LEXICON`) on Snowball stems. Texts in
other languages get no text sentiment: :func:`sentiment_scores` falls back to the rating and says
so in ``sentiment_method``. docs/voc-accuracy.md gives the measured accuracy.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from .text import fold_word, stem, tokens, without_greetings

__all__ = ["FRENCH_LEXICON", "SENTIMENT_LANGUAGES", "SERVICE_LEXICON", "sentiment_scores"]


#: Languages whose texts get a sentiment from their words; others fall back to the rating.
SENTIMENT_LANGUAGES = ("en", "fr")

#: Service-complaint layer over VADER's English lexicon: words that signal a failed journey step
#: (waiting, cancelling, losing, calling again…) and VADER words that are neutral in customer messages
#: ("please", "like", "united", "support"). Valences on VADER's −4…+4 scale.
SERVICE_LEXICON = {
    "delay": -1.5, "delayed": -1.5, "delays": -1.5, "late": -1.2, "waiting": -1.2, "waited": -1.2, "wait": -0.8,
    "still": -0.8, "hours": -0.8, "hrs": -1.0, "hour": -0.6, "hr": -0.6, "mins": -0.5, "min": -0.5,
    "minutes": -0.5, "again": -0.8, "another": -0.5, "stuck": -1.8, "stranded": -2.0, "hold": -0.8,
    "queue": -0.8, "cancelled": -1.5, "canceled": -1.5, "cancellation": -1.2, "lost": -1.5, "missing": -1.3,
    "missed": -1.3, "broken": -1.8, "damaged": -1.8, "refund": -1.0, "rebook": -0.8, "rebooked": -0.8,
    "overbooked": -1.5, "overcharged": -2.0, "error": -1.3, "issue": -1.0, "issues": -1.0, "problem": -1.3,
    "problems": -1.3, "complaint": -1.5, "unacceptable": -2.5, "nobody": -1.0, "nothing": -0.6, "never": -0.8,
    "unable": -1.2, "cant": -0.8, "can't": -0.8, "cannot": -0.8, "couldn't": -0.8, "wont": -0.5,
    "won't": -0.5, "doesn't": -0.5, "didn't": -0.5, "haven't": -0.5, "hasn't": -0.5, "isn't": -0.4,
    "wasn't": -0.4, "aren't": -0.4, "weren't": -0.4, "why": -0.8, "where": -0.5, "fee": -0.8, "fees": -0.8,
    "charged": -1.0, "charge": -0.6, "expensive": -1.5, "pricey": -1.2, "disconnected": -1.2, "rude": -2.0,
    "dirty": -1.8, "seriously": -0.8, "ridiculous": -2.0, "fail": -2.0, "crash": -1.5, "crashing": -1.5,
    "screwed": -2.0, "sucks": -2.0, "wtf": -2.5, "nope": -1.0, "frustrating": -2.0, "frustrated": -2.0,
    "joke": -1.2, "lack": -1.2, "hung": -0.8, "slow": -1.2, "slowly": -1.2, "forever": -0.8,
    "declined": -1.2, "nightmare": -2.5, "costs": -0.5, "postage": -0.3, "wiped": -1.2, "because": -0.4, "over": -0.3, "yet": -0.5, "been": -0.3,
    "times": -0.5, "tried": -0.8, "trying": -0.5, "without": -0.5, "days": -0.5, "yesterday": -0.4,
    "paid": -0.5, "sitting": -0.7, "busy": -0.5, "supposed": -0.8, "longer": -0.5, "claim": -0.6, "enough": 0.0,
    "fix": -0.8, "told": -0.6, "anyone": -0.6, "phone": -0.5, "calls": -0.5, "call": -0.3, "agent": -0.4,
    "agents": -0.4, "response": -0.4, "answer": -0.3, "policy": -0.4, "only": -0.4, "even": -0.4,
    "gave": -0.3, "left": -0.3,
    # VADER words that carry little feeling in a customer message
    "please": 0.0, "pls": 0.0, "like": 0.0, "want": 0.0, "help": -0.3, "united": 0.0, "support": 0.0,
    "credit": 0.0, "share": 0.0, "chance": 0.0, "safety": 0.0, "important": 0.0, "party": 0.0,
    "determined": 0.0, "free": 0.3, "care": 0.5, "sure": 0.3, "ok": 0.3, "hope": 0.3, "yes": 0.5,
    "true": 0.3, "kind": 0.8, "pretty": 0.5, "friend": 0.5, "thanks": 0.9, "thank": 0.8,
    "better": 0.0,  # "you can do better", "should be better": rarely praise in a customer message
}
#: Complaint cues longer than a word; each lowers the score by 0.35.
_EN_PHRASES = re.compile(
    r"\bno one\b|\bnot (?:able|working|happy|helpful|good enough)\b|doesn'?t work|\bstill no\b|\bon hold\b"
    r"|\bhung up\b|\bhang up\b|\blet (?:me|us) down\b|\bcome on\b|\bany update|\bwhere(?: is|'s) my\b"
    r"|\bthanks? (?:you )?for nothing\b|\bso much for\b|\bno thanks\b|\bgave up\b|\bleft my cart\b"
    r"|\bnot enough\b|\bi wish\b|\btake forever\b|\b(?:way|far|much|so|just) too \w+"
    r"|\btoo (?:high|expensive|long|slow|much|many|late|small|big|complicated|hard|difficult|costly|pricey)\b"
    # a step that did not happen: "no response", "never arrived", "not notified", "without notice"
    r"|\bno (?:response|reply|answer|callback|call back|updates?|info\w*|communication|notice|notification"
    r"|warning|compensation|refund|apology|explanation|help)\b"
    r"|\b(?:not|never|wasn't|weren't|haven't|hasn't|didn't|never been|not been) (?:\w+ )?(?:notified|received"
    r"|delivered|arrived|told|informed|contacted|refunded|answered|returned|called|heard|resolved|fixed)\b"
    r"|\bwithout (?:any |a )?(?:notice|warning|explanation|reason|help)\b"
    # a wish that says the service fell short: "would be nice", "should look into better service"
    r"|\b(?:would|could|should|'d|woulda|wish|if only)(?: have)?(?: been| be)? (?:\w+ )?(?:nice|great|good|better"
    r"|helpful|appreciated|love|like|appreciate)\b|\b(?:do|be|done|train \w+|much|look into|been) better\b"
    # leaving: "never … again", "take my business elsewhere", "switching to"
    r"|\bnever (?:\w+ ){0,4}again\b|\bfirst and last\b|\blast time\b|\b(?:find|use|try|choose) (?:another|other"
    r"|a different)\b|\bswitch(?:ing|ed)? to\b|\belsewhere\b|\btime for (?:a )?change\b|\bnot (?:\w+ ){0,3}again\b"
    # complaining questions: "how come", "why isn't", "how many times"
    r"|\bhow come\b|\bwhy (?:would|is|isn't|are|aren't|do|don't|does|doesn't|did|didn't|can't|won't|not|should)\b"
    r"|\bwhat happened\b|\bhow (?:many times|much longer|hard is)\b")
#: How far a scored English message leans to the negative (chosen on the tuning half of the airline tweets).
_EN_LEAN = 0.1
#: Words of a failed step; with a positive wording they read as irony ("thanks for the 3 hours wait").
_EN_SARCASM = re.compile(r"\b(?:delay\w*|cancel\w*|lost|late|waiting|hours?|hrs|stuck|missed|nothing|never)\b")
#: Explicit irony: "#sarcasm", "must be nice", "thanks for making me wait", a lone "Brilliant."
_EN_IRONY = re.compile(
    r"#sarcasm|\bmust be nice\b|\bsure knows how\b|\bthanks? (?:you )?for (?:\w+ing|making|letting|allowing)"
    r"(?: me| us)? (?:\w+ )?(?:miss|wait|stuck|sit|stand|pay|lose)|\byeah right\b|\bgreat job\b.*\b(?:not|no)\b"
    r"|(?:^|[.!] )(?:super|brilliant|great|nice|awesome|perfect|wonderful|lovely|fantastic|classy|good job"
    r"|well done)[.!]")
#: Requests for help and questions for information: a customer asking, not complaining.
_EN_REQUEST = re.compile(
    r"\b(?:can|could|would) (?:you|u|someone|anyone|somebody) (?:please |pls )?(?:help|assist|check|confirm|tell"
    r"|advise|look|send|let|dm|email|call|explain)\b|\b(?:please|pls|can you) (?:help|assist|dm|advise|confirm)\b"
    r"|\bany help\b|\bneed (?:some )?help\b")
_EN_INFO_QUESTION = re.compile(
    r"(?:^|[.!?]\s+)(?:can i|can we|could i|is it|is there|are there|do i|do we|does|will (?:i|we|my|the|there)"
    r"|how do i|how can i|how does|what is|what's|where can|where do|when is|when does|which|who do i|should i"
    r"|may i)\b")
_EN_COMPLAINT_QUESTION = re.compile(r"\bwhy\b|\bhow come\b|\bwhat happened\b|\bhow (?:long|many times|much"
                                    r" longer|hard)\b|\bseriously\b")

#: A small French lexicon written for customer feedback (206 entries, valences on −4…+4):
#: common evaluative words of reviews and support messages, translated from the everyday core of
#: VADER's English list and completed with e-commerce complaint words (frais, retard, refusé…).
#: Entries are matched after Snowball stemming, so each stands for its inflections.
FRENCH_LEXICON = {
    # positive
    "bien": 1.5, "bon": 1.8, "bonne": 1.8, "tres bien": 2.5, "super": 2.5, "superbe": 3.0, "genial": 3.0,
    "excellent": 3.2, "parfait": 3.0, "parfaitement": 2.5, "magnifique": 3.0, "beau": 2.2, "belle": 2.2,
    "joli": 2.0, "jolie": 2.0, "ravi": 2.8, "ravie": 2.8, "content": 2.0, "contente": 2.0, "satisfait": 2.2,
    "satisfaite": 2.2, "heureux": 2.5, "heureuse": 2.5, "adore": 3.0, "aime": 2.0, "merci": 1.2,
    "recommande": 2.2, "conseille": 1.8, "rapide": 1.5, "rapidement": 1.5, "efficace": 2.0, "pratique": 1.5,
    "simple": 1.2, "facile": 1.5, "agreable": 2.0, "sympa": 1.8, "sympathique": 1.8, "aimable": 2.0,
    "gentil": 2.0, "serviable": 2.0, "professionnel": 1.5, "qualite": 1.2, "solide": 1.5, "confortable": 1.8,
    "impeccable": 2.8, "top": 2.5, "bravo": 2.8, "felicitation": 2.5, "fiable": 1.8, "conforme": 1.2,
    "soigne": 1.8, "cool": 1.5, "reactif": 2.0, "reactive": 2.0, "plaisir": 2.2, "merveilleux": 3.0,
    "formidable": 3.0, "fantastique": 3.0, "nickel": 2.5, "ideal": 2.2, "utile": 1.2, "correct": 0.8,
    "ponctuel": 1.5, "temps": 0.3, "heure": 0.3, "emballe": 0.6, "finition": 1.0, "douce": 1.2, "doux": 1.2,
    "chaleureux": 2.0, "elegant": 2.0, "reussi": 2.0, "enchante": 2.5, "fidele": 1.2, "confiance": 1.5,
    "gratuit": 1.0, "offert": 1.2, "convaincu": 1.5, "convaincue": 1.5, "mieux": 1.5, "meilleur": 2.2, "rien a redire": 2.0,
    # negative
    "mauvais": -2.2, "mauvaise": -2.2, "nul": -2.8, "nulle": -2.8, "horrible": -3.0, "affreux": -3.0,
    "catastrophe": -3.0, "catastrophique": -3.0, "honteux": -2.8, "honte": -2.5, "scandale": -3.0,
    "scandaleux": -3.0, "inadmissible": -3.0, "inacceptable": -3.0, "decu": -2.2, "decue": -2.2,
    "decevant": -2.2, "deception": -2.5, "decoit": -2.0, "mecontent": -2.2, "insatisfait": -2.2,
    "probleme": -1.5, "souci": -1.2, "erreur": -1.5, "panne": -1.8, "bug": -1.5, "casse": -2.0, "abime": -2.0,
    "defectueux": -2.5, "endommage": -2.0, "retard": -1.8, "retarde": -1.8, "attente": -1.0, "attendre": -0.8,
    "lent": -1.5, "lente": -1.5, "lentement": -1.5, "eternite": -1.5, "long": -0.8, "longue": -0.8,
    "cher": -1.5, "chere": -1.5, "exorbitant": -2.5, "exorbitants": -2.5, "excessif": -2.0, "arnaque": -3.0,
    "vol": -2.0, "frais": -0.8, "payer": -0.3, "refuse": -1.5, "refusee": -1.5, "impossible": -1.8,
    "difficile": -1.5, "complique": -1.5, "compliquee": -1.5, "penible": -2.0, "galere": -2.0,
    "cauchemar": -2.8, "agacant": -2.0, "enervant": -2.2, "enerve": -2.0, "frustrant": -2.2, "colere": -2.5,
    "furieux": -2.8, "triste": -1.8, "dommage": -1.5, "regrette": -1.8, "jamais": -1.0, "aucun": -0.8,
    "aucune": -0.8, "rien": -0.8, "perdu": -1.8, "manquant": -1.5, "manque": -1.2, "annule": -1.5,
    "annulation": -1.2, "rembourse": -0.8, "remboursement": -1.0, "reclamation": -1.5, "plainte": -1.8,
    "abandonne": -1.5, "desagreable": -2.2, "impoli": -2.2, "impolie": -2.2, "condescendant": -2.0,
    "condescendante": -2.0, "incompetent": -2.5, "sec": -1.0, "seche": -1.0, "sale": -1.8, "fragile": -1.2,
    "moche": -2.0, "laid": -2.0, "faux": -1.5, "fausse": -1.5, "inutile": -1.8,
    "toujours pas": -1.5, "non merci": -1.5, "pas recu": -1.8, "sans reponse": -1.8, "aucune nouvelle": -1.5,
    "bloque": -1.5, "bloquee": -1.5, "ecrase": -1.0, "faible": -1.2, "pire": -3.0, "trompe": -2.0,
    "trompeur": -2.2, "mensonge": -2.5, "ennui": -1.5, "stress": -1.5, "inquiet": -1.5, "peur": -1.5,
    "sans": -0.5, "encore": -0.4, "fois": -0.3, "abusif": -2.2, "ridicule": -2.2, "lamentable": -3.0,
    "pas top": -1.5, "pas terrible": -1.5, "pas assez": -1.2, "trop cher": -2.0, "mal": -1.8,
    "negatif": -1.8, "negative": -1.8, "positif": 1.8, "positive": 1.8, "pas cher": 1.5, "sans probleme": 1.5,
}
_FR_NEGATIONS = frozenset(["pas", "jamais", "plus", "aucun", "aucune", "rien", "ni", "sans", "guere"])
_FR_BOOSTERS = {"tres": 0.3, "vraiment": 0.3, "tellement": 0.3, "super": 0.3, "extremement": 0.4,
                "absolument": 0.3, "completement": 0.3, "beaucoup": 0.2, "assez": -0.1, "peu": -0.3}


@functools.cache
def _vader():
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(SERVICE_LEXICON)
    return analyzer


def _english(text: str) -> float:
    """VADER's compound score with the service layer, complaint cues, irony and questions, on −1 … +1.

    Complaint cues (:data:`_EN_PHRASES`, ``!!``, shouting, ironic thanks) lower the score; requests for
    help and questions for information raise it towards neutral; a scored text then leans by
    :data:`_EN_LEAN`. A text without any cue scores 0.
    """
    text = without_greetings(re.sub(r"@\w+|https?://\S+", "", str(text)))
    score = _vader().polarity_scores(text)["compound"]
    low = text.lower()
    score -= 0.35 * len(_EN_PHRASES.findall(low))
    if re.search(r"[!?]{2,}", text):
        score -= 0.25
    if re.search(r"\b[A-Z]{4,}\b", text):
        score -= 0.15
    thanks = re.search(r"\bthank(?:s| you)\b", low)
    if thanks and score < 0.9 and _EN_SARCASM.search(low):
        score -= 0.5
    if _EN_IRONY.search(low):
        score -= 0.6
    asks = _EN_REQUEST.search(low) or ("?" in low and _EN_INFO_QUESTION.search(low)
                                        and not _EN_COMPLAINT_QUESTION.search(low))
    if asks and score > -0.7:
        score += 0.3
    if score > 0 and not thanks and _EN_SARCASM.search(low):  # praise words beside a failed step
        score -= 0.4
    score = float(np.clip(score, -1, 1))
    # A message whose feeling words nearly cancel out is mostly a complaint: every scored message leans
    # by _EN_LEAN, so that "negative" starts at +0.05 of the unshifted score; no evidence stays 0.
    return max(-1.0, score - _EN_LEAN) if score else 0.0


@functools.cache
def _french_lexicon() -> tuple[dict[str, float], dict[tuple[str, ...], float]]:
    words, phrases = {}, {}
    for entry, value in FRENCH_LEXICON.items():
        stems = tuple(stem(tokens(entry), "fr"))
        if len(stems) == 1:
            words[stems[0]] = value
        else:
            phrases[stems] = value
    return words, phrases


_FR_CLAUSE = re.compile(r"[,.;:!?()\n]+|\s[-–—]\s")  # negation never reaches past a clause
_FR_NE = re.compile(r"(?:^|[\s'’])n(?:e\b|['’])", re.IGNORECASE)  # « ne » / « n' »: makes « plus » a negation
_FR_ALWAYS_NEGATE = _FR_NEGATIONS - {"plus"}  # « pas », « jamais »… negate alone (« c'est pas top »)


def _french_clause(clause: str, words: dict, phrases: dict) -> list[float]:
    """The valences of one clause's words: phrases first, then words, boosted and negated in the clause.

    A negation (« pas », « jamais », « rien », « aucun », « guère », « sans », « ni », and « plus » only
    after « ne »/« n' ») turns every later word of the clause; « plus » without « ne » is a comparative
    and strengthens the next word (« plus agréable »).
    """
    found = tokens(clause)
    raw = [fold_word(w) for w in found]
    stems = stem(found, "fr")
    ne = bool(_FR_NE.search(clause))
    values, negated, i = [], False, 0
    while i < len(stems):
        phrase = next(((p, v) for p, v in phrases.items() if tuple(stems[i:i + len(p)]) == p), None)
        if phrase:
            values += [phrase[1]] + [0.0] * (len(phrase[0]) - 1)
            negated = negated or any(w in _FR_ALWAYS_NEGATE for w in raw[i:i + len(phrase[0])])
            i += len(phrase[0])
            continue
        value = words.get(stems[i], 0.0)
        previous = raw[i - 1] if i else ""
        if previous == "trop":
            value = value * 1.3 if value > 0 else min(value, 0.0) * 1.3 - 1.5
        elif value and previous == "plus" and not ne:
            value *= 1.3
        elif value and previous in _FR_BOOSTERS:
            value *= 1 + _FR_BOOSTERS[previous] * np.sign(value)
        is_negation = raw[i] in _FR_ALWAYS_NEGATE or (raw[i] == "plus" and ne)
        if value and negated and not is_negation:
            value *= -0.74
        values.append(0.0 if raw[i] == "plus" else value)
        negated = negated or is_negation
        i += 1
    return values


def _french(text: str) -> float:
    """A French text's sentiment on −1 … +1 from :data:`FRENCH_LEXICON`, clause by clause.

    Negation and boosters act inside a clause (commas, full stops and dashes end one); after the last
    « mais » of the text, words weigh three times as much as before it, as VADER does with "but".
    """
    words, phrases = _french_lexicon()
    text = without_greetings(text)
    pieces = re.split(r"\b(mais)\b", text, flags=re.IGNORECASE)
    last_but = max((k for k, piece in enumerate(pieces) if piece.lower() == "mais"), default=None)
    values = []
    for k, piece in enumerate(pieces):
        if piece.lower() == "mais":
            continue
        weight = 1.0 if last_but is None else (0.5 if k < last_but else 1.5)
        for clause in _FR_CLAUSE.split(piece):
            values += [v * weight for v in _french_clause(clause, words, phrases)]
    total = float(sum(values))
    if "!" in str(text) and total:
        total += 0.3 * np.sign(total)
    return float(total / np.sqrt(total * total + 15))


def _label(score: float) -> str:
    if np.isnan(score):
        return ""
    return "negative" if score <= -0.05 else "positive" if score >= 0.05 else "neutral"


def sentiment_scores(texts: pd.Series, languages: pd.Series, *, ratings: pd.Series | None = None,
                     rating_scale: tuple[float, float] = (1, 5)) -> pd.DataFrame:
    """Score the sentiment of each text on −1 … +1.

    English texts are scored with VADER and the service-complaint layer (:data:`SERVICE_LEXICON`,
    complaint phrases, irony, questions; see docs/voc-accuracy.md for its measured accuracy),
    French texts with :data:`FRENCH_LEXICON` (stems, negation, ``trop`` + word as excess). Texts in
    any other language fall back to their rating mapped linearly onto −1 … +1, and stay unscored when
    they have none.

    Parameters
    ----------
    texts
        The texts.
    languages
        One language code per text (``en``, ``fr``…; empty when unknown).
    ratings
        Optional ratings of the same items, used where the language has no text method.
    rating_scale
        The lowest and highest rating.

    Returns
    -------
    DataFrame
        ``sentiment`` (−1 … +1, NaN when unscored), ``sentiment_label`` (negative ≤ −0.05,
        positive ≥ +0.05, neutral between, ``""`` when unscored), ``sentiment_method``
        (``text-en``, ``text-fr``, ``rating`` or ``none``), indexed like ``texts``.
    """
    text_language = languages.reindex(texts.index).fillna("").astype(str).str.lower().str[:2]
    score = pd.Series(np.nan, index=texts.index)
    method = pd.Series("none", index=texts.index, dtype=object)
    for code, scorer in (("en", _english), ("fr", _french)):
        rows = text_language == code
        score[rows] = texts[rows].fillna("").map(scorer).astype(float)
        method[rows] = f"text-{code}"
    if ratings is not None:
        lo, hi = rating_scale
        rated = (method == "none") & ratings.reindex(texts.index).notna()
        score[rated] = (2 * (ratings[rated].astype(float) - lo) / (hi - lo) - 1).clip(-1, 1)
        method[rated] = "rating"
    return pd.DataFrame({"sentiment": score, "sentiment_label": score.map(_label),
                         "sentiment_method": method}, index=texts.index)
