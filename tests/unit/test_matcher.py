from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.triage.matcher import (
    MAX_GAP,
    Phrase,
    Tokens,
    Word,
    compile_phrase,
    find,
    presence,
    tokenize,
    without,
)
from bot.triage.protocols import protocols
from bot.triage.red_flags import red_flags


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
        ("rodnaden sprider", "rodnaden sprider sig inte", "negated"),  # after a reflexive
        ("rodnaden sprider", "rodnaden sprider sig", "yes"),
        ("ont i brost*", "ont i bröstvårtorna när jag ammar", "no"),  # a compound of its own
        ("ont i brostvart*", "ont i bröstvårtorna när jag ammar", "yes"),
        ("tandvark", "tandvärk sen igår", "yes"),
        ("tandvark", "tandvrk sen igår", "yes"),                   # a typo still matches
        ("tandvark", "akut tandvård i helgen", "no"),              # a real word of its own
        ("tandvark*", "tandvårdsjouren", "no"),
        ("infected", "red where they injected", "no"),           # a vaccine, no infection
        ("infected", "the cut looks infected", "yes"),
        ("svimmade", "jag svimmade nästan i duschen", "no"),       # a set expression
        ("svimmade", "nästan svimmade på bussen", "no"),
        ("svimfardig*", "jag svimmade nästan i duschen", "yes"),
        ("svimfardig*", "höll på att svimma", "yes"),
        ("fainted", "I nearly fainted", "no"),
        ("svimmade", "svimmade, nästan en minut", "yes"),          # not across a comma
        ("svimmade", "hon svimmade och var borta nästan en minut", "yes"),
        ("yr", "jag är jätteyr när jag står upp", "yes"),         # "jätte-" is a word
        ("ont i magen", "jätteont i magen", "yes"),
        ("jatteont i magen", "jätte ont i magen", "yes"),
        ("yr", "jätten är inte yr", "negated"),
        ("bra", "jättebra", "yes"),
        ("ten", "jätten", "no"),                                   # a giant, not "jätte-"
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


def _every_content_word() -> set[Word]:
    words: set[Word] = set()
    for flag in red_flags():
        for group in flag.groups:
            words.update(w for phrase in group for w in phrase.words)
    for protocol in protocols().values():
        words.update(w for phrase in protocol.terms for w in phrase.words)
    return words


def _variants(token: str) -> set[str]:
    """The token and tokens one edit away from it, of the kinds typos make."""
    out = {token, token + "a", token[:-1], "x" + token}
    for i in range(len(token)):
        out.add(token[:i] + token[i + 1:])
        out.add(token[:i] + "e" + token[i + 1:])
        if i + 1 < len(token):
            out.add(token[:i] + token[i + 1] + token[i] + token[i + 2:])
    return {t for t in out if t}


def test_the_index_answers_exactly_as_each_word_would() -> None:
    # The lexicon is a speed-up only: for tokens near every content word (exact, prefixed,
    # one typo of every kind), it must find exactly the words whose own rule matches.
    words = _every_content_word()
    tokens = set()
    for word in sorted(words, key=lambda w: w.key)[::60]:
        for variant in _variants(word.text):
            tokens.update({variant, variant + "en"})
    assert len(tokens) > 1_000
    for token in tokens:
        index = Tokens([token])
        expected = {w.key for w in words if w.matches(token)}
        found = {w.key for w in words if index.positions(w)}
        assert found == expected, token


def _starts_word_by_word(phrase: Phrase, tokens: list[str]) -> list[int]:
    """Where the phrase matches, by the documented rule, one word and token at a time."""
    starts = []
    for start, token in enumerate(tokens):
        if not phrase.words[0].matches(token):
            continue
        position = start + 1
        for word in phrase.words[1:]:
            nearby = tokens[position:position + MAX_GAP + 1]
            if "|" in nearby:
                nearby = nearby[:nearby.index("|")]
            hit = next((i for i, t in enumerate(nearby) if word.matches(t)), None)
            if hit is None:
                break
            position += hit + 1
        else:
            starts.append(start)
    return starts


PHRASES = [compile_phrase(p) for p in (
    "ont i brost*", "andningssvarigheter", "svart att andas", "kan inte prata", "feber*")]


@given(st.lists(st.sampled_from(
    ["ont", "i", "brostet", "brsotet", "andningssvårigheter", "andningsvarighter", "svart",
     "att", "andas", "kan", "inte", "prata", "feber", "febern", "och", ".", "men", "mycket"]),
    max_size=25))
@settings(max_examples=400, deadline=None)
def test_find_agrees_with_the_word_by_word_rule(words: list[str]) -> None:
    tokens = tokenize(" ".join(words))
    for phrase in PHRASES:
        assert [m.start for m in find(phrase, tokens)] == _starts_word_by_word(phrase, tokens)


def test_work_per_token_is_bounded_by_the_vocabulary_not_the_token(monkeypatch) -> None:
    """A 2000-letter "word" once cost 2.3 s of the event loop (cubic in its length): the
    typo search now looks only at starts as long as the longest vocabulary word."""
    from bot.triage import matcher
    from bot.triage.red_flags import red_flags

    red_flags()   # the full vocabulary is in the lexicon
    generated = {"chars": 0}
    real = matcher._deletions

    def counting(text: str) -> set[str]:
        generated["chars"] += len(text) * (len(text) + 1)
        return real(text)

    monkeypatch.setattr(matcher, "_deletions", counting)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        matcher._INDEX.keys_matching(letter * 2000)
    assert generated["chars"] < 26 * 20_000


def test_without_blanks_only_the_ignored_wording() -> None:
    tokens = tokenize("hon har druckit och kissat men svalt ett batteri")
    blanked = without(tokens, (compile_phrase("druckit och kissat"),))
    assert "druckit" not in blanked and "svalt" in blanked and len(blanked) == len(tokens)
    assert without(tokens, (compile_phrase("lampolja"),)) is tokens


def test_a_phrase_index_finds_what_the_plain_list_finds() -> None:
    """The TriageGuard's vocabulary as a PhraseIndex gives the same presence as the list,
    in the same order, over residents' messages from every case set."""
    import yaml

    from bot.nlp.components import TriageGuard
    from bot.triage.matcher import PhraseIndex, presence

    guard = TriageGuard(TriageGuard.get_default_config())
    index = guard._terms
    assert isinstance(index, PhraseIndex)
    texts = [message for path in sorted(Path("tests").glob("triage_cases*.yaml"))
             for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
             for message in case["messages"]]
    assert len(texts) > 1000
    for text in texts[::40]:   # the plain list is the slow way: a sample of messages
        tokens = tokenize(text)
        assert presence(index, tokens) == presence(index.phrases, tokens), text


def test_a_phrase_index_says_whether_any_phrase_occurs() -> None:
    from bot.triage.matcher import PhraseIndex

    index = PhraseIndex((compile_phrase("inte akut"), compile_phrase("not an emergency")))
    assert index.any_in(tokenize("det är inte akut men jag vill ha en tid"))
    assert index.any_in(tokenize("it's not an emergency"))
    assert not index.any_in(tokenize("det är akut"))
