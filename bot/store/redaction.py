"""Removes personal identity numbers, phone numbers and e-mail addresses from text.

Applied before anything a resident wrote is stored or forwarded to the dialogue engine,
so neither the conversation log nor Rasa's tracker store holds these identifiers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

PERSONNUMMER_TOKEN = "[personnummer]"
PHONE_TOKEN = "[telefonnummer]"
EMAIL_TOKEN = "[e-post]"

# YYMMDD-NNNN or YYYYMMDDNNNN, dash/plus/space optional, also spaces between the date's
# parts ("85 01 01-1234"). Day 61-91 covers samordningsnummer.
_PERSONNUMMER = re.compile(
    r"(?<![\d])(?:(?:19|20)\d{2}|\d{2}) ?"
    r"(?:0[1-9]|1[0-2]) ?(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
    r"\s?[-+]?\s?\d{4}(?![\d])"
)
_EMAIL = re.compile(r"[\w.+-]+ ?@ ?[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A run of digits with phone-style separators, starting like a Swedish or international
# number. Digit count is checked afterwards so that "0-3-90-90" or "38,5" stay.
_PHONE_CANDIDATE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d \-()/.]{4,}\d(?![\w])")
# Every kind of dash and space as the plain one: identifiers are typed with them too
# ("850101‑1234" with a non-breaking hyphen, "070 123 45 67" with no-break spaces).
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"})
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_MIN_PHONE_DIGITS = 7
_MAX_PHONE_DIGITS = 15


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


@dataclass(frozen=True)
class RedactionResult:
    text: str
    counts: dict[str, int]

    @property
    def changed(self) -> bool:
        return any(self.counts.values())


class Redactor:
    """Redacts identifiers; numbers in `public_numbers` (our own care numbers) are kept."""

    def __init__(self, public_numbers: Iterable[str] = ()) -> None:
        self._public = {_digits(n) for n in public_numbers if _digits(n)}

    def redact(self, text: str) -> RedactionResult:
        counts = {"personnummer": 0, "phone": 0, "email": 0}

        def personnummer(match: re.Match[str]) -> str:
            # "0701234567" fits both shapes; ten bare digits starting with 0 are far more
            # often a phone number than a personnummer of someone born in 200x.
            if match.group(0).isdigit() and len(match.group(0)) == 10 and match.group(0)[0] == "0":
                counts["phone"] += 1
                return PHONE_TOKEN
            counts["personnummer"] += 1
            return PERSONNUMMER_TOKEN

        def email(match: re.Match[str]) -> str:
            counts["email"] += 1
            return EMAIL_TOKEN

        def phone(match: re.Match[str]) -> str:
            candidate = match.group(0)
            digits = _digits(candidate)
            looks_like_phone = candidate.startswith(("0", "+"))
            if (
                looks_like_phone
                and _MIN_PHONE_DIGITS <= len(digits) <= _MAX_PHONE_DIGITS
                and digits not in self._public
            ):
                counts["phone"] += 1
                return PHONE_TOKEN
            return candidate

        # Full-width digits and other look-alikes become plain ones (NFKC) first.
        text = _SPACES.sub(" ", unicodedata.normalize("NFKC", text).translate(_DASHES))
        text = _PERSONNUMMER.sub(personnummer, text)
        text = _EMAIL.sub(email, text)
        text = _PHONE_CANDIDATE.sub(phone, text)
        return RedactionResult(text=text, counts=counts)


# Words that only introduce an identifier ("mitt pnr är …", "my number is …").
_INTRODUCING = {
    "mitt", "min", "mina", "hans", "hennes", "vårt", "vart", "är", "ar", "pnr", "personnr",
    "personnummer", "personnumret", "nummer", "numret", "tel", "telefon", "telefonnummer",
    "telefonnumret", "mobil", "mobilnummer", "mobilnumret", "mob", "e-post", "epost", "mail",
    "mejl", "adress", "och", "här", "har", "kommer", "hej", "my", "is", "phone", "number",
    "email", "address", "and", "here",
}
_PLACEHOLDERS = (PERSONNUMMER_TOKEN, PHONE_TOKEN, EMAIL_TOKEN)


def only_identifiers(redacted: str) -> bool:
    """True when a redacted message said nothing but identifiers ("[personnummer]", "mitt
    nr är [telefonnummer]"): the dialogue has nothing to read, the resident needs to hear
    that the number was removed and is not needed."""
    if not any(token in redacted for token in _PLACEHOLDERS):
        return False
    rest = redacted.lower()
    for token in _PLACEHOLDERS:
        rest = rest.replace(token, " ")
    words = re.findall(r"[^\W\d_][\w-]*", rest)
    return all(word in _INTRODUCING for word in words)
