import pytest

from bot.triage.facts import Facts, extract_facts


@pytest.mark.parametrize(
    ("text", "age", "child", "temperature", "duration"),
    [
        ("min son är 3 år och har haft 39 graders feber i två dagar", 3.0, True, 39.0, 2.0),
        ("Vår dotter är 6v och känns varm", 0.115, True, None, None),   # "6v": weeks
        ("8 mån, dreglar massor, tror det är tänderna", 0.658, True, None, None),
        ("2 mån sen började det klia", None, False, None, 60.0),        # not an age
        ("en man 45 år med ont i ryggen sen 2 mån", 45.0, False, None, 60.0),
        ("blöjutslag på 10 mån, rött i skrynklorna", None, False, None, None),
        ("jag är 8 v gravid och mår illa", None, False, None, None),     # a pregnancy
        # The nursing mother is the patient, not the baby whose age she gives.
        ("det gör ont i bröstvårtorna när jag ammar, bebisen är 1 vecka", None, False, None,
         None),
        ("bebisen 2 veckor kräks efter att jag ammar", 0.038, True, None, None),
        ("Jag är 45 år och har ont i ryggen sedan en vecka", 45.0, False, None, 7.0),
        ("bebis 2 månader gammal med feber 38,2", 0.164, True, 38.2, None),
        ("min treåring har hosta sen igår", 3.0, True, None, 1.0),
        ("10 veckors bebis", 0.192, True, None, None),
        ("har haft ont i halsen i 3 år", None, False, None, 1095.0),
        ("hon är 82 och har yrsel", 82.0, False, None, None),
        ("feber på 40 sedan i förrgår", None, False, 40.0, 2.0),
        ("my son is 4 years old and has had a fever for 3 days", 4.0, True, None, 3.0),
        ("my 3 yo has had a cough since yesterday", 3.0, True, None, 1.0),
        ("min bebis e 4 mån o har utslag", 0.329, True, None, None),
        ("jag är 4 mån gravid och har ont i ryggen", None, False, None, None),   # no age
        ("jag är 4 månader gravid", None, False, None, None),
        ("my 2 y/o woke up with a rash", 2.0, True, None, None),
        ("my 6 yr old daughter has earache", 6.0, True, None, None),
        ("jag ar 30 och har 38.5 i feber", 30.0, False, 38.5, None),
        ("hosta i 6 veckor", None, False, None, 42.0),
        ("bebisen på 6 veckor kräks", 0.115, True, None, None),
        ("min son på 3 år har feber sen 2 dagar", 3.0, True, None, 2.0),
        ("har gått ner 3 kilo på en vecka", None, False, None, 7.0),
        ("min dotter har ont i örat", None, True, None, None),
        ("ont i magen sedan i morse", None, False, None, 0.0),
        ("Jag är en man på 45 och det svider när jag kissar", None, False, None, None),
        ("har gått upp 3 kilo på en vecka", None, False, None, 7.0),
        ("Min dotter 4 år har 38,2 och leker", 4.0, True, 38.2, None),
        ("fick ont för 3 timmar sedan", None, False, None, 0.125),  # "för ... sedan" = ago
        ("jättekraftig mens sen ett halvår", None, False, None, 182.0),
        ("min bebis på ett halvår har feber", None, True, None, None),  # an age, not a span
        ("jag e 38 o har varit trött i 2 månader", 38.0, False, None, 60.0),
        ("han e 39,5 sen i morse", None, False, 39.5, 0.0),   # a temperature, not an age
    ],
)
def test_facts_in_free_text(text: str, age: float | None, child: bool,
                            temperature: float | None, duration: float | None) -> None:
    facts = extract_facts(text)
    assert facts.age_years == (pytest.approx(age, abs=0.01) if age is not None else None)
    assert facts.child is child
    assert facts.temperature == temperature
    assert facts.duration_days == duration


def test_newer_facts_win_and_child_sticks() -> None:
    first = extract_facts("min dotter har feber 38")
    later = first.merged(extract_facts("nu 39,5 grader"))
    assert later.temperature == 39.5 and later.child
    assert Facts.from_dict(later.to_dict()) == later


@pytest.mark.parametrize(("text", "adult"), [
    ("mamma har hög feber och är förvirrad, jag är hennes dotter", True),
    ("min man har ont i bröstet", True),
    ("my dad collapsed", True),
    ("min son har feber, jag är hans mamma", False),
    ("dottern har ont i halsen", False),
])
def test_an_adult_patient_named_by_relation(text: str, adult: bool) -> None:
    assert extract_facts(text).adult is adult


def test_little_one_words_name_the_patient_and_months_make_an_infant() -> None:
    facts = extract_facts("Lillkillen 2 mån, varm och lite slö idag. Termometern visade 38,1")
    assert facts.age_years is not None and facts.age_years < 0.25 and facts.child


def test_a_message_opening_with_the_week_is_a_pregnancy_week() -> None:
    assert extract_facts("vecka 32, jätteont i huvudet").pregnancy_week == 32.0
    assert extract_facts("v 28 och svullna fötter").pregnancy_week == 28.0
    assert extract_facts("ont i huvudet sedan vecka 32").pregnancy_week is None
    assert extract_facts("vecka 3 dagar med feber").pregnancy_week is None


@pytest.mark.parametrize(("text", "name", "value"), [
    ("hon är svettig och konstig, syre 90", "spo2", 90.0),         # plain "syre" (blind set M)
    ("saturationen är 89", "spo2", 89.0),
    ("sockret 1,9 och han vägrar äta", "glucose", 1.9),
])
def test_device_readings_next_to_their_label(text: str, name: str, value: float) -> None:
    assert getattr(extract_facts(text), name) == value


@pytest.mark.parametrize("text, week", [
    ("I am 5 months pregnant and have had a headache", 22),
    ("gravid 5 mån, ont i huvudet sen 2 dagar", 22),
    ("she is 7 months pregnant", 30),
    ("jag är gravid i 5:e månaden", 19),
    ("jag är i sjätte månaden av graviditeten", 24),
    ("i am in the 8th month of my pregnancy", 32),
])
def test_a_pregnancy_in_months_is_weeks_not_how_long(text: str, week: int) -> None:
    facts = extract_facts(text)
    assert facts.pregnancy_week == week and facts.duration_days in (None, 2.0)
    assert facts.age_years is None and not facts.child


def test_months_without_a_pregnancy_stay_a_span_or_an_age() -> None:
    assert extract_facts("jag har haft ont i 5 månader").pregnancy_week is None
    assert extract_facts("min dotter 5 mån har feber").pregnancy_week is None


@pytest.mark.parametrize("text", ["min son är 4 mån och har 38,4", "sonen e 4 mån o har feber",
                                  "min dotter är 4 mån"])
def test_a_child_of_some_months_is_never_that_many_years(text: str) -> None:
    """"sonen är 4 mån" was read as four years old, which hid an infant's fever."""
    assert extract_facts(text).age_years == pytest.approx(4 * 30 / 365, abs=0.01)


def test_a_longer_absence_form_denies_the_form_inside_it() -> None:
    """ "aldrig ont i bröstet när jag anstränger mig" holds "när jag anstränger mig" but
    denies it; "kan knappt gapa" is no "kan gapa" (longer in words, not only in span)."""
    from bot.triage.concepts import concepts
    from bot.triage.evidence import Status, read_messages

    known = concepts()

    def status(text: str, concept: str) -> Status | None:
        found = read_messages([text], extract_facts(text), known).get(concept)
        return None if found is None else found.status

    assert status("halsbränna ibland, aldrig ont i bröstet när jag anstränger mig",
                  "exertional_chest_pain") == Status.ABSENT
    assert status("halsbränna som kommer när jag anstränger mig",
                  "exertional_chest_pain") == Status.PRESENT
    assert status("ont i halsen, nu kan jag knappt gapa", "trismus") == Status.PRESENT


@pytest.mark.parametrize(("text", "age"), [
    ("My grandfather is 87 and has sudden bad back pain", 87.0),
    ("my mum is 84 and fell", 84.0),
    ("she is 3 and has a fever", 3.0),
    # When, not how old (set V: "a few years ago" made an 87-year-old a child).
    ("They found an aneurysm a few years ago", None),
    ("fick diagnosen för 3 år sedan", None),
])
def test_english_relatives_and_years_ago(text: str, age: float | None) -> None:
    assert extract_facts(text).age_years == age
