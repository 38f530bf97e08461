import pytest

from bot.store.redaction import EMAIL_TOKEN, PERSONNUMMER_TOKEN, PHONE_TOKEN, Redactor

redactor = Redactor(public_numbers=["112", "1177", "010-456 67 00"])


@pytest.mark.parametrize(
    "text",
    [
        "mitt personnummer är 19850412-1234",
        "pnr 850412-1234",
        "850412+1234 (över hundra år)",
        "198504121234",
        "8504121234",
        "samordningsnummer 850472-1234",
        "20100101 1234",
    ],
)
def test_personnummer_is_redacted(text: str) -> None:
    result = redactor.redact(text)
    assert PERSONNUMMER_TOKEN in result.text
    assert "1234" not in result.text
    assert result.counts["personnummer"] == 1


@pytest.mark.parametrize(
    "text",
    [
        "ring mig på 070-123 45 67",
        "mitt nummer: 0701234567",
        "nå mig på +46 70 123 45 67",
        "fast telefon 031-12 34 56",
        "0046 31 123 45 67 går bra",
    ],
)
def test_phone_numbers_are_redacted(text: str) -> None:
    result = redactor.redact(text)
    assert PERSONNUMMER_TOKEN in result.text or PHONE_TOKEN in result.text
    assert not any(ch.isdigit() for ch in result.text.split("på")[-1].replace("0046", ""))


@pytest.mark.parametrize(
    "text", ["skriv till anna.andersson@example.se", "min mejl: k_svensson+vard@post.gu.se"]
)
def test_email_is_redacted(text: str) -> None:
    result = redactor.redact(text)
    assert EMAIL_TOKEN in result.text
    assert "@" not in result.text


@pytest.mark.parametrize(
    "text",
    [
        "jag har haft 39,5 graders feber i 3 dagar",
        "min son är 3 år och väger 14 kg",
        "vårdgarantin 0-3-90-90",
        "ring 112 eller 1177",
        "Giftinformation 010-456 67 00",
        "tiden är 14:30 den 3 december 2026",
        "blodtrycket var 140/90",
    ],
)
def test_harmless_numbers_and_public_numbers_stay(text: str) -> None:
    result = redactor.redact(text)
    assert result.text == text
    assert not result.changed


def test_several_identifiers_in_one_message() -> None:
    result = redactor.redact("Jag 19900101-1234 når på 0731234567 eller a@b.se")
    assert result.counts == {"personnummer": 1, "phone": 1, "email": 1}
    assert not any(ch.isdigit() for ch in result.text)


@pytest.mark.parametrize("text", [
    "mitt pnr är 850101–1234",            # en dash
    "mitt pnr är 850101\u20111234",       # non-breaking hyphen
    "mitt pnr är ８５０１０１-１２３４",     # full-width digits
    "mitt pnr är 85 01 01-1234",           # spaces inside the date
    "mitt pnr är 19850101\u00a01234",      # no-break space
])
def test_personnummer_in_unusual_typing_is_redacted(text: str) -> None:
    result = Redactor().redact(text)
    assert result.text.endswith("[personnummer]"), result.text
    assert "1234" not in result.text


@pytest.mark.parametrize("text", ["ring mig på 070.123.45.67", "070\u00a0123\u00a045\u00a067"])
def test_phone_numbers_with_dots_or_no_break_spaces_are_redacted(text: str) -> None:
    assert "[telefonnummer]" in Redactor().redact(text).text


def test_email_with_spaces_around_the_at_sign_is_redacted() -> None:
    assert Redactor().redact("skriv till anna @ example.se").text == "skriv till [e-post]"


def test_a_message_of_identifiers_only_is_recognised() -> None:
    from bot.store.redaction import only_identifiers

    for said in ("[personnummer]", "mitt pnr är [personnummer]", "tel: [telefonnummer]",
                 "Hej, min mejl är [e-post] och mobil [telefonnummer]",
                 "my number is [telefonnummer]"):
        assert only_identifiers(said), said
    for said in ("mitt pnr är [personnummer], när är min tid?", "vilken vc tillhör jag",
                 "ring mig på [telefonnummer] vill boka om", "", "hej"):
        assert not only_identifiers(said), said
