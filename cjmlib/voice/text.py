"""Text of the voice of the customer: normalising, redacting, language, theme keywords, suggested themes.

Everything here runs offline. Stemming uses ``snowballstemmer`` (BSD). The sentiment of a text is
in :mod:`cjmlib.voice.sentiment`.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np
import pandas as pd
import snowballstemmer
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from ..data.regex import is_regex_keyword, regex_contains
from ..personal import mask_personal

__all__ = [
    "code_texts",
    "detect_language",
    "fold_word",
    "keyword_pattern",
    "normalize_text",
    "redact",
    "stem",
    "suggest_themes",
    "tokens",
    "without_greetings",
]


def normalize_text(text: str) -> str:
    """Lower-case and strip accents, so that 'Élevés' and 'eleves' match.

    Parameters
    ----------
    text
        Any text (a non-string value is read as its ``str``).
    """
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_PHONE = re.compile(r"(?<!\w)(?:\+?\d[\d .()-]{7,}\d)(?!\w)")
_ORDER = re.compile(r"(?i)\b(?:order|commande|pedido|cmd|n°|no\.?|#)\s*[:#]?\s*[A-Z]{0,3}-?\d{4,}\b")


def redact(text: str) -> str:
    """Replace personal data, order numbers and any other long number with placeholders.

    Parameters
    ----------
    text
        A feedback text (a non-string value is read as its ``str``). Personal data gets the
        placeholders of :func:`cjmlib.personal.mask_personal` (``[email]``, ``[phone]``, ``[card]``,
        ...); then order numbers become ``[order]`` and other numbers of 9 digits or more ``[number]``.
    """
    text = _ORDER.sub("[order]", mask_personal(text))
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


def without_greetings(text: str) -> str:
    """Drop the sentences made only of greetings and sign-offs ("Hi!", "Best, a customer.", "Bonne journée.").

    Parameters
    ----------
    text
        A feedback text.

    Returns
    -------
    str
        The other sentences, joined by single spaces (empty when every sentence is a greeting).
    """
    kept = [s for s in _SENTENCE.split(str(text)) if not set(map(fold_word, tokens(s))) <= _GREETINGS]
    return " ".join(kept)
_LETTERS = {"pt": "ãõç", "es": "ñ¿¡", "de": "ßäöü", "fr": "èêàùœç"}


def _language_of(text: str) -> str:
    words = [fold_word(w) for w in tokens(text)]
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

    Parameters
    ----------
    texts
        The texts (missing values count as empty texts); the result, named ``language``, keeps their index.
    """
    return texts.fillna("").map(_language_of).rename("language")


# ---------------------------------------------------------------- stemming and keywords

_SNOWBALL = {"en": "english", "fr": "french", "pt": "portuguese", "es": "spanish", "de": "german",
             "it": "italian", "nl": "dutch"}


@functools.cache
def _stemmer(language: str):
    name = _SNOWBALL.get(language)
    return snowballstemmer.stemmer(name) if name else None


@functools.lru_cache(maxsize=1 << 18)
def fold_word(word: str) -> str:
    """Return :func:`normalize_text` of one word (lower case, no accents), remembered: feedback repeats
    a small vocabulary.

    Parameters
    ----------
    word
        One word, as :func:`tokens` splits a text.

    Returns
    -------
    str
        The folded word ('Élevés' gives 'eleves').
    """
    return normalize_text(word)


@functools.lru_cache(maxsize=1 << 18)
def _stem_word(word: str, language: str) -> str:
    stemmer = _stemmer(language)
    folded = fold_word(word)
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


def keyword_pattern(keyword: str, language: str) -> re.Pattern:
    """Compile one codebook phrase into a pattern over a stemmed text (see :func:`code_texts`).

    The phrase's words are stemmed in ``language`` and match any word whose stem starts with theirs
    (plus up to two letters); ``*`` between two words allows up to three other words between them
    (``shipping * expensive`` matches "shipping is way too expensive"). A ``/…/`` keyword is a
    regular expression, run by the engine in linear time (:mod:`cjmlib.data.regex`), not compiled here.
    """
    keyword = keyword.strip()
    if is_regex_keyword(keyword):
        raise ValueError(f"{keyword!r} is a regular expression: code_texts runs it with cjmlib.data.regex")
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
            phrases = [keyword_pattern(kw, lang).pattern for kw in kws if not is_regex_keyword(kw.strip())]
            if phrases:  # one pass over the texts for all the phrases of a theme and language
                hit |= stemmed[lang].str.contains("|".join(f"(?:{p})" for p in phrases))
            for kw in kws:
                if is_regex_keyword(kw.strip()):  # over the normalised text, by RE2: linear time whatever the pattern
                    hit |= regex_contains(raw, kw.strip()[1:-1])
        out[theme] = hit
    return pd.DataFrame(out, index=texts.index)


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
