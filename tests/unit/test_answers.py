import pytest

from bot.triage.answers import Answer, parse_answer


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("/affirm", None, Answer.YES),
        ("/deny", None, Answer.NO),
        ("/dont_know", None, Answer.UNKNOWN),
        ("Ja", None, Answer.YES),
        ("japp, sedan igår", None, Answer.YES),
        ("jo det har han", None, Answer.YES),
        ("nej", None, Answer.NO),
        ("Nä inte alls", None, Answer.NO),
        ("det har jag inte", None, Answer.NO),
        ("vet inte", None, Answer.UNKNOWN),
        ("ingen aning faktiskt", None, Answer.UNKNOWN),
        ("har ingen termometer", None, Answer.UNKNOWN),
        ("kanske lite", None, Answer.UNKNOWN),
        ("I don't know", None, Answer.UNKNOWN),
        ("yes", None, Answer.YES),
        ("det gör det", "affirm", Answer.YES),
        ("hmm svårt", "dont_know", Answer.UNKNOWN),
        ("min katt heter Sixten", "out_of_scope", None),
    ],
)
def test_answers(text: str, intent: str | None, expected: Answer | None) -> None:
    assert parse_answer(text, intent) == expected
