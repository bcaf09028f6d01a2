"""Text of the voice of the customer: normalising, redacting, language, theme keywords, sentiment.

Everything here runs offline. Stemming uses ``snowballstemmer`` (BSD); English sentiment uses the
VADER lexicon shipped by ``vaderSentiment`` (MIT) with a service-complaint layer; French sentiment
uses the small lexicon of this module (:data:`FRENCH_LEXICON`). Texts in other languages get no
text sentiment: :func:`sentiment_scores` falls back to the rating and says so in ``sentiment_method``.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = [
    "FRENCH_LEXICON",
    "SENTIMENT_LANGUAGES",
    "SERVICE_LEXICON",
    "code_texts",
    "detect_language",
    "keyword_pattern",
    "normalize_text",
    "redact",
    "sentiment_scores",
    "stem",
    "suggest_themes",
    "tokens",
]


def normalize_text(text: str) -> str:
    """Lower-case and strip accents, so that 'Élevés' and 'eleves' match."""
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?<!\w)(?:\+?\d[\d .()-]{7,}\d)(?!\w)")
_ORDER = re.compile(r"(?i)\b(?:order|commande|pedido|cmd|n°|no\.?|#)\s*[:#]?\s*[A-Z]{0,3}-?\d{4,}\b")


def redact(text: str) -> str:
    """Replace e-mail addresses, phone and card-like numbers and order numbers with placeholders."""
    text = _EMAIL.sub("[email]", str(text))
    text = _ORDER.sub("[order]", text)
    return _PHONE.sub("[number]", text)


_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+")
_ELISION = re.compile(r"^(?:[cdjlmnst]|qu)'", re.IGNORECASE)


def tokens(text: str) -> list[str]:
    """Split a text into lower-case words; French elisions (l', d', qu') are cut off."""
    return [_ELISION.sub("", w) for w in _WORD.findall(str(text).lower().replace("’", "'"))]


# ---------------------------------------------------------------- language

_STOPWORDS = {
    "en": "the and is are was were to of it this that for on with my you not have has but at be your i me so "
          "very too no what why how can just they we our",
    "fr": "le la les des est et un une du pour pas je vous mon ma mes que qui sur au aux avec ce cette "
          "sont tres trop mais il elle nous votre ne plus en",
    "pt": "o os as um uma do da dos das que nao com para por foi muito meu minha mas e voce esta ate ja "
          "produto entrega chegou ainda na em recomendo otimo otima bom boa prazo entregue recebi veio tudo certo "
          "adorei amei gostei loja nota rapido antes parabens indico satisfeito",
    "es": "el los las un una del que no con para por fue muy mi pero es esta ya al lo se y pedido todavia",
    "de": "der die das und ist nicht ein eine mit fur auf ich zu es sehr mein aber war noch den dem bestellung",
}
_STOPWORD_SETS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
_GREETINGS = frozenset(["hi", "hello", "hey", "dear", "regards", "kind", "best", "a", "customer", "thanks", "cheers", "bonjour", "bonsoir", "cordialement", "bonne", "journee", "soiree", "salutations", "madame", "monsieur", "merci", "ola", "obrigado", "obrigada", "hola", "gracias", "hallo", "danke", "gruss"])
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _without_greetings(text: str) -> str:
    """Drop the sentences made only of greetings and sign-offs ("Hi!", "Best, a customer.", "Bonne journée.")."""
    kept = [s for s in _SENTENCE.split(str(text)) if not set(map(_fold, tokens(s))) <= _GREETINGS]
    return " ".join(kept)
_LETTERS = {"pt": "ãõç", "es": "ñ¿¡", "de": "ßäöü", "fr": "èêàùœç"}


def _language_of(text: str) -> str:
    words = [_fold(w) for w in tokens(text)]
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORD_SETS.items()}
    low = str(text).lower()
    for lang, letters in _LETTERS.items():
        scores[lang] += 0.5 * sum(ch in low for ch in letters)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (best, top), (_, second) = ranked[0], ranked[1]
    return best if top >= 1 and top > second else ""


def detect_language(texts: pd.Series) -> pd.Series:
    """Guess the language of each text (en, fr, pt, es or de) from stop-word profiles.

    A text with no stop word of any profile, or a tie, gets ``""`` (unknown). The method needs no
    model and no download; it is meant for feedback of a sentence or more, not for single words.
    """
    return texts.fillna("").map(_language_of).rename("language")


# ---------------------------------------------------------------- stemming and keywords

_SNOWBALL = {"en": "english", "fr": "french", "pt": "portuguese", "es": "spanish", "de": "german",
             "it": "italian", "nl": "dutch"}


@functools.cache
def _stemmer(language: str):
    import snowballstemmer

    name = _SNOWBALL.get(language)
    return snowballstemmer.stemmer(name) if name else None


@functools.lru_cache(maxsize=1 << 18)
def _fold(word: str) -> str:
    """:func:`normalize_text` of one word, remembered: feedback repeats a small vocabulary."""
    return normalize_text(word)


@functools.lru_cache(maxsize=1 << 18)
def _stem_word(word: str, language: str) -> str:
    stemmer = _stemmer(language)
    folded = _fold(word)
    return stemmer.stemWord(folded) if stemmer else folded


def stem(words: list[str], language: str) -> list[str]:
    """Strip the accents of each word, then stem it with the Snowball stemmer of ``language``.

    Languages without a stemmer keep their words (accents stripped). Each word's stem is
    remembered, so a corpus costs one Snowball call per distinct word and language.
    """
    return [_stem_word(w, language) for w in words]


def _keyword_stem(word: str, language: str) -> str:
    """The stem a keyword word matches as a prefix: the shorter of its stems with and without accents
    (an accent can change the stem: 'refusée' → 'refus', 'refusee' → 'refuse'), unless under 3 letters."""
    stemmer = _stemmer(language)
    if stemmer is None:
        return normalize_text(word)
    folded = stemmer.stemWord(normalize_text(word))
    shortest = min(normalize_text(stemmer.stemWord(word)), folded, key=len)
    return shortest if len(shortest) >= 3 else folded


_GAP = r"(?: \S+){0,3}"


def _is_regex(keyword: str) -> bool:
    return len(keyword) > 2 and keyword.startswith("/") and keyword.endswith("/")


def keyword_pattern(keyword: str, language: str) -> re.Pattern:
    """Compile one codebook keyword into a pattern over a stemmed text (see :func:`code_texts`).

    ``/…/`` is a regular expression over the normalised text (lower case, no accents). Otherwise the
    keyword is a phrase whose words are stemmed in ``language`` and match any word whose stem starts
    with theirs (plus up to two letters); ``*`` between two words allows up to three other words between them (``shipping * expensive`` matches "shipping is way too expensive").
    """
    keyword = keyword.strip()
    if _is_regex(keyword):
        return re.compile(keyword[1:-1])
    parts = [[_keyword_stem(w, language) for w in tokens(part)] for part in keyword.split("*")]
    body = (_GAP + " ").join(" ".join(re.escape(w) + r"\w{0,2}" for w in words) for words in parts if words)
    return re.compile(r"(?:^| )" + body + r"(?= |$)")


def code_texts(texts: pd.Series, keywords: dict[str, dict[str, tuple[str, ...]]]) -> pd.DataFrame:
    """Return a boolean frame: does each text mention each theme?

    Parameters
    ----------
    texts
        The texts, any language.
    keywords
        Theme -> language -> keywords (see :func:`keyword_pattern`). Each text is stemmed in every
        language that has keywords and matched against that language's keywords, so the texts need
        no language column; case, accents and inflections do not matter.

    Returns
    -------
    DataFrame
        One boolean column per theme, indexed like ``texts``.
    """
    words = texts.fillna("").map(tokens)
    raw = texts.fillna("").map(normalize_text)
    languages = sorted({lang for by_lang in keywords.values() for lang in by_lang})
    stemmed = {lang: words.map(lambda ws, lang=lang: " ".join(stem(ws, lang))) for lang in languages}
    out = {}
    for theme, by_lang in keywords.items():
        hit = pd.Series(False, index=texts.index)
        for lang, kws in by_lang.items():
            phrases = [keyword_pattern(kw, lang).pattern for kw in kws if not _is_regex(kw.strip())]
            if phrases:  # one pass over the texts for all the phrases of a theme and language
                hit |= stemmed[lang].str.contains("|".join(f"(?:{p})" for p in phrases))
            for kw in kws:
                if _is_regex(kw.strip()):  # kept apart: a regex keyword may carry its own flags
                    hit |= raw.str.contains(keyword_pattern(kw, lang))
        out[theme] = hit
    return pd.DataFrame(out, index=texts.index)


# ---------------------------------------------------------------- sentiment

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
}
_EN_PHRASES = re.compile(
    r"\bno one\b|\bnot (?:able|working|happy|helpful|good enough)\b|doesn'?t work|\bstill no\b|\bon hold\b"
    r"|\bhung up\b|\bhang up\b|\blet (?:me|us) down\b|\bcome on\b|\bany update|\bwhere(?: is|'s) my\b"
    r"|\bthanks? (?:you )?for nothing\b|\bso much for\b|\bno thanks\b|\bgave up\b|\bleft my cart\b"
    r"|\bnot enough\b|\bi wish\b|\btake forever\b|\b(?:way|far|much|so|just) too \w+"
    r"|\btoo (?:high|expensive|long|slow|much|many|late|small|big|complicated|hard|difficult|costly|pricey)\b")
_EN_SARCASM = re.compile(r"\b(?:delay\w*|cancel\w*|lost|late|waiting|hours?|hrs|stuck|missed|nothing|never)\b")

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
}
_FR_NEGATIONS = frozenset(["pas", "jamais", "plus", "aucun", "aucune", "rien", "ni", "sans", "guere"])
_FR_BOOSTERS = {"tres": 0.3, "vraiment": 0.3, "tellement": 0.3, "super": 0.3, "extremement": 0.4,
                "absolument": 0.3, "completement": 0.3, "beaucoup": 0.2, "assez": -0.1, "peu": -0.3}


@functools.cache
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(SERVICE_LEXICON)
    return analyzer


def _english(text: str) -> float:
    text = _without_greetings(re.sub(r"@\w+|https?://\S+", "", str(text)))
    score = _vader().polarity_scores(text)["compound"]
    low = text.lower()
    score -= 0.35 * len(_EN_PHRASES.findall(low))
    if re.search(r"[!?]{2,}", text):
        score -= 0.25
    if re.search(r"\b[A-Z]{4,}\b", text):
        score -= 0.15
    if re.search(r"\bthank(?:s| you)\b", low) and score < 0.9 and _EN_SARCASM.search(low):
        score -= 0.5
    return float(np.clip(score, -1, 1))


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


def _french(text: str) -> float:
    words, phrases = _french_lexicon()
    text = _without_greetings(text)
    words_of_text = tokens(text)
    raw = [_fold(w) for w in words_of_text]
    stems = stem(words_of_text, "fr")
    values, i = [], 0
    while i < len(stems):
        phrase = next(((p, v) for p, v in phrases.items() if tuple(stems[i:i + len(p)]) == p), None)
        if phrase:
            values += [phrase[1]] + [0.0] * (len(phrase[0]) - 1)
            i += len(phrase[0])
            continue
        value = words.get(stems[i], 0.0)
        before = raw[max(0, i - 3):i]
        if i and raw[i - 1] == "trop":
            value = value * 1.3 if value > 0 else min(value, 0.0) * 1.3 - 1.5
        elif value and raw[i - 1:i] and raw[i - 1] in _FR_BOOSTERS:
            value *= 1 + _FR_BOOSTERS[raw[i - 1]] * np.sign(value)
        if value and _FR_NEGATIONS & set(before) and raw[i] not in _FR_NEGATIONS:
            value *= -0.74
        values.append(0.0 if raw[i] == "mais" else value)
        i += 1
    if "mais" in raw:  # as VADER does with "but": what follows "mais" weighs more
        cut = len(raw) - raw[::-1].index("mais") - 1
        values = [v * (0.5 if k < cut else 1.5) for k, v in enumerate(values)]
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

    English texts are scored with VADER and the service-complaint layer (:data:`SERVICE_LEXICON`),
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
    lang = languages.reindex(texts.index).fillna("").astype(str).str.lower().str[:2]
    score = pd.Series(np.nan, index=texts.index)
    method = pd.Series("none", index=texts.index, dtype=object)
    for code, scorer in (("en", _english), ("fr", _french)):
        rows = lang == code
        score[rows] = texts[rows].fillna("").map(scorer).astype(float)
        method[rows] = f"text-{code}"
    if ratings is not None:
        lo, hi = rating_scale
        rated = (method == "none") & ratings.reindex(texts.index).notna()
        score[rated] = (2 * (ratings[rated].astype(float) - lo) / (hi - lo) - 1).clip(-1, 1)
        method[rated] = "rating"
    return pd.DataFrame({"sentiment": score, "sentiment_label": score.map(_label),
                         "sentiment_method": method}, index=texts.index)


# ---------------------------------------------------------------- suggested themes

def suggest_themes(texts: pd.Series, *, n_themes: int = 5, top_terms: int = 8, examples: int = 3,
                   seed: int = 0, min_texts: int = 20) -> pd.DataFrame:
    """Suggest candidate themes for texts the codebook leaves uncoded (TF-IDF + NMF, seeded).

    Parameters
    ----------
    texts
        The uncoded texts (any language; accents are stripped, numbers dropped).
    n_themes
        How many candidates to return at most.
    top_terms
        Terms listed per candidate.
    examples
        Example quotes per candidate (redacted, the texts weighing most on the candidate).
    seed
        Seed of the factorisation, so the same data give the same candidates.
    min_texts
        Below this number of texts no candidate is suggested (an empty table).

    Returns
    -------
    DataFrame
        ``candidate`` (1, 2, …), ``terms`` (top terms, a list), ``texts`` (texts whose strongest
        candidate this is), ``share`` (= texts ÷ uncoded texts), ``examples`` (a list of quotes).
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    columns = ["candidate", "terms", "texts", "share", "examples"]
    texts = texts.dropna().astype(str)
    if len(texts) < min_texts:
        return pd.DataFrame(columns=columns)
    stop = sorted(set().union(*_STOPWORD_SETS.values(), _GREETINGS))
    vectorizer = TfidfVectorizer(preprocessor=normalize_text, token_pattern=r"(?u)\b[^\W\d_]{3,}\b",
                                 stop_words=stop, ngram_range=(1, 2), min_df=2, max_df=0.5, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no term left after pruning
        return pd.DataFrame(columns=columns)
    k = max(1, min(n_themes, matrix.shape[1], len(texts) // 5))
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400)
    with np.errstate(invalid="ignore"):  # a perfect fit on tiny data makes the reported error sqrt(-0)
        weights = model.fit_transform(matrix)
    vocab = vectorizer.get_feature_names_out()
    strongest = weights.argmax(axis=1)
    rows = []
    for c in range(k):
        order = np.argsort(-weights[:, c])[:examples]
        rows.append({"terms": [vocab[j] for j in np.argsort(-model.components_[c])[:top_terms]],
                     "texts": int((strongest == c).sum()),
                     "examples": [redact(texts.iloc[j])[:200] for j in order if weights[j, c] > 0]})
    out = pd.DataFrame(rows).sort_values("texts", ascending=False, ignore_index=True)
    out.insert(0, "candidate", np.arange(1, len(out) + 1))
    out["share"] = out["texts"] / len(texts)
    return out[columns]
