"""Personal data in text: one detector for free text, categorical values and messages.

E-mail addresses, IBANs, card numbers, French national ids (NIR) and phone numbers (French and
international forms) are replaced by a placeholder wherever text may reach a deliverable: a
feedback quote, a channel or page value, a campaign name, a rejected value quoted in an issue.
Card numbers must pass the Luhn check and IBANs the ISO 13616 mod-97 check, so a long product id
or order number is not taken for one.

Examples
--------
>>> mask_personal("newsletter-jane.roe@client-mail.test")
'[email]'
>>> mask_personal("call +33 6 12 34 56 78 or 01.23.45.67.89")
'call [phone] or [phone]'
>>> mask_personal("card 4111 1111 1111 1111, sku 1234567812345678")
'card [card], sku 1234567812345678'
"""

from __future__ import annotations

import re

__all__ = ["CANDIDATE", "PLACEHOLDERS", "mask_personal", "may_be_personal"]


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _iban(text: str) -> bool:
    text = text.replace(" ", "")
    moved = text[4:] + text[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def _checked(placeholder: str, check):
    def replace(match: re.Match) -> str:
        return placeholder if check(match.group(0)) else match.group(0)
    return replace


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
# 16 digits starting 2–6 (Visa, Mastercard, Discover…) or Amex's 15 (34/37): an 18-digit id is not a card
_CARD = re.compile(r"(?<![\w-])(?:[2-6]\d{3}(?:[ -]?\d{4}){3}|3[47]\d{2}[ -]?\d{6}[ -]?\d{5})(?![\w-])")
_NIR = re.compile(r"(?<![\w.])[12] ?\d{2} ?(?:0[1-9]|1[0-2]) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3}(?: ?\d{2})?(?![\w.])")
_INTL = re.compile(r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,4})){2,6}(?!\w)")
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(0\)[ .-]?)?|00\d{1,3}[ .-]?|0)[1-9](?:[ .-]?\d{2}){4}(?![\w])")

#: The detectors, in the order they run: (placeholder, pattern, replacement).
_DETECTORS = (
    ("[email]", _EMAIL, "[email]"),
    ("[iban]", _IBAN, _checked("[iban]", _iban)),
    ("[card]", _CARD, _checked("[card]", lambda s: _luhn(re.sub(r"\D", "", s)))),
    ("[national id]", _NIR, "[national id]"),
    ("[phone]", _PHONE, "[phone]"),
    ("[phone]", _INTL, _checked("[phone]", lambda s: 8 <= sum(c.isdigit() for c in s) <= 15)),
)
PLACEHOLDERS = tuple(dict.fromkeys(d[0] for d in _DETECTORS))

#: A cheap first filter (also valid in DuckDB's RE2): a value without an ``@`` and without nine
#: digits in a row (spaces, dots and dashes allowed between them) holds nothing to mask.
CANDIDATE = r"@|\d[\d .()-]{8,}\d"
_CANDIDATE = re.compile(CANDIDATE)


def may_be_personal(text: str) -> bool:
    """Say whether ``text`` passes the cheap filter that comes before :func:`mask_personal`.

    Parameters
    ----------
    text
        Any value (a non-string value is read as its ``str``).
    """
    return bool(_CANDIDATE.search(str(text)))


def mask_personal(text: str) -> str:
    """Replace e-mail addresses, IBANs, card numbers, French national ids and phone numbers in ``text``.

    Parameters
    ----------
    text
        Any value (a non-string value is read as its ``str``); each match becomes a placeholder:
        ``[email]``, ``[iban]``, ``[card]``, ``[national id]`` or ``[phone]``.
    """
    text = str(text)
    if not _CANDIDATE.search(text):
        return text
    for _, pattern, replacement in _DETECTORS:
        text = pattern.sub(replacement, text)
    return text
