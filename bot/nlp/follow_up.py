"""Follow-up questions on the same errand (framework-free; used by FollowUpGuard).

Each message is classified alone, so "och på söndag då?" after a question about opening
hours, or "and in Halland?" after one about the care guarantee, is a misunderstanding to the
classifier (the first even reads as "hej då"). A message that speaks of no complaint
continues the previous errand when the classifier cannot decide (nlu_fallback) and the
message is short or the classifier's own next guesses include that errand; or when the
classifier took it for small talk but it opens as a follow-up does ("och", "men", "and").
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.nlp.errands import is_errand

# Out-of-scope talk continues too ("tips på restaurang?" … "nåt med fisk").
CONTINUABLE = ("out_of_scope",)
MAX_FOLLOW_UP_WORDS = 8
GUESSES_CONSIDERED = 3
# Small talk the classifier may see in a follow-up ("och på söndag då?" as "hej då").
SMALL_TALK = ("greet", "goodbye", "thanks", "affirm", "deny", "nlu_fallback")
# First words of a message that go on from the previous one.
FOLLOW_UP_OPENINGS = frozenset({"och", "men", "samt", "även", "aven", "också", "ocksa",
                                "and", "but", "also", "what", "how"})


def continues(previous: str | None, guesses: Sequence[str], words: int,
              names_complaint: bool, intent: str = "nlu_fallback",
              first_word: str = "") -> bool:
    """Whether a message the classifier gave `intent` continues the `previous` errand."""
    if previous is None or names_complaint or intent not in SMALL_TALK:
        return False
    if not (is_errand(previous) or previous in CONTINUABLE):
        return False
    if intent != "nlu_fallback":
        # "what about …", "and in Halland?": an opening that goes on, in a short message.
        return first_word in FOLLOW_UP_OPENINGS and words <= MAX_FOLLOW_UP_WORDS
    return words <= MAX_FOLLOW_UP_WORDS or previous in guesses[:GUESSES_CONSIDERED]
