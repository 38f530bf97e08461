import pytest

from bot.triage.matcher import compile_phrase, presence, tokenize


def found(phrase: str, text: str) -> str:
    """'yes', 'negated' or 'no'."""
    result = presence([compile_phrase(phrase)], tokenize(text))
    return "yes" if result.present else "negated" if result.denied else "no"


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        ("ont i brost*", "Jag har ont i bröstet", "yes"),
        ("ont i brost*", "JAG HAR ONT I BROSTET", "yes"),          # no å/ä/ö, upper case
        ("ont i brost*", "ont i hela bröstet", "yes"),             # a word in between
        ("ont i brost*", "ont i magen och sen lite i bröstet", "no"),  # too far apart
        ("ont i brost*", "ont i magen och bröstet", "yes"),
        ("ont i brost*", "ont i ryggen. Bröstet är ok", "no"),     # across a sentence
        ("andnod*", "plötslig andnöd", "yes"),
        ("medvetslos*", "han är medvetlös", "yes"),                # one letter missing
        ("medvetslos*", "han är medvtslös", "yes"),
        ("kallsvettig", "kallsvetig och blek", "yes"),             # typo in a long word
        ("hostar", "i höstas", "no"),                              # short: no typo allowed
        ("svimm*", "jag simmade", "no"),
        ("vill ta mitt liv", "jag vill inte ta mitt liv", "negated"),  # negation inside
        ("ont", "ont", "yes"),
        ("ont", "onte", "no"),                                     # short words are exact
        ("ont i brost*", "jag har inte ont i bröstet", "negated"),
        ("ont i brost*", "har aldrig haft ont i bröstet", "negated"),
        ("feber", "utan feber", "negated"),
        ("feber", "ingen feber men hosta", "negated"),
        ("feber", "jag vet inte om jag har feber", "yes"),         # doubt, not denial
        ("feber", "vet inte hur hög feber han har", "yes"),
        ("sluddrar", "han sluddrar inte", "negated"),              # negation after
        ("feber", "int feber", "negated"),
        ("kan knappt prata", "hjälper inte och han kan knappt prata", "yes"),
        ("svart att andas", "inte ont i halsen, men svårt att andas", "yes"),
        ("far ingen luft", "han får ingen luft!", "yes"),          # negation inside phrase
        ("vaknar inte", "hon vaknar inte", "yes"),
        ("chest pain", "I have no chest pain", "negated"),
        ("chest pain", "I don't have chest pain", "negated"),
        ("chest pain", "sudden chest pain", "yes"),
    ],
)
def test_phrase_matching(phrase: str, text: str, expected: str) -> None:
    assert found(phrase, text) == expected


def test_affirmed_wins_over_negated() -> None:
    text = "ingen feber igår, men idag feber"
    assert found("feber", text) == "yes"


@pytest.mark.parametrize("bad", ["ont i 2 dagar", "ont, i", "*", ""])
def test_invalid_phrases_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        compile_phrase(bad)
