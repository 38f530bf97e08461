"""Text normalisation shared by red-flag rules, protocol matching and the NLU guards.

Residents type without å/ä/ö, in lower or upper case, with stray punctuation: every rule
is matched against the folded form, so "ANDNÖD", "andnod" and "Andnöd!" are the same.
"""

from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "æ": "a", "ø": "o", "é": "e", "è": "e",
                       "ü": "u", "á": "a", "à": "a"})
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def fold(text: str) -> str:
    """Lowercase, NFC, Swedish and common accented letters reduced to plain a-z."""
    return unicodedata.normalize("NFC", text).lower().translate(_FOLD)


def words(text: str) -> list[str]:
    """Folded alphabetic words, digits and punctuation dropped."""
    return _WORD.findall(fold(text))
