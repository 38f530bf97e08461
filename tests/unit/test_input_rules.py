import pytest

from bot.web.input_rules import InvalidRequest, clean_text, parse_chat_request


def test_valid_request() -> None:
    chat = parse_chat_request({"sender": "web-abc_1", "message": "  hej  ", "metadata": {}})
    assert chat.sender == "web-abc_1"
    assert chat.text == "hej"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ([], "invalid_body"),
        ("hej", "invalid_body"),
        ({"message": "hej"}, "missing_sender"),
        ({"sender": "", "message": "hej"}, "missing_sender"),
        ({"sender": 42, "message": "hej"}, "invalid_sender"),
        ({"sender": "a b", "message": "hej"}, "invalid_sender"),
        ({"sender": "<script>", "message": "hej"}, "invalid_sender"),
        ({"sender": "x" * 129, "message": "hej"}, "invalid_sender"),
        ({"sender": "abc", "message": ["hej"]}, "invalid_message"),
        ({"sender": "abc", "message": 7}, "invalid_message"),
        ({"sender": "abc", "message": "hej", "metadata": "x"}, "invalid_metadata"),
    ],
)
def test_malformed_requests_are_refused_with_a_reason(body: object, code: str) -> None:
    with pytest.raises(InvalidRequest) as error:
        parse_chat_request(body)
    assert error.value.code == code
    assert error.value.reason


def test_missing_or_null_message_is_empty_text() -> None:
    assert parse_chat_request({"sender": "abc"}).text == ""
    assert parse_chat_request({"sender": "abc", "message": None}).text == ""


def test_control_and_invisible_characters_are_removed() -> None:
    raw = "he\x00j\u200b\x1b[31m då\ud800\nrad två\t!"
    assert clean_text(raw) == "hej[31m då\nrad två\t!"


def test_text_is_normalised_to_composed_form() -> None:
    decomposed = "ha\u0308lsa"  # "hälsa" with a combining diaeresis
    assert clean_text(decomposed) == "hälsa"


def test_html_is_kept_as_plain_text() -> None:
    assert clean_text("<script>alert(1)</script>") == "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/affirm", "/affirm"),
        ("/dont_know", "/dont_know"),
        ("/ han andas inte", "han andas inte"),
        ("//emergency now", "emergency now"),
        ("/Affirm", "Affirm"),
    ],
)
def test_only_real_payloads_keep_their_slash(raw: str, expected: str) -> None:
    assert parse_chat_request({"sender": "abc", "message": raw}).text == expected


def test_json_depth_skips_strings_and_is_exact() -> None:
    from bot.web.input_rules import json_depth

    assert json_depth(b'{"a": [1, {"b": "[[[[["}]}') == 3
    assert json_depth(b'"\\"[[["') == 0
    assert json_depth(b"[" * 5000) == 5000


def test_only_the_bots_own_buttons_pass_as_payloads() -> None:
    from bot.web.input_rules import parse_chat_request

    def text(message: str) -> str:
        return parse_chat_request({"sender": "s", "message": message}).text

    for own in ("/affirm", "/deny", "/dont_know", "/ask_source",
                '/inform_municipality{"municipality": "Borås"}',
                '/cancel_appointment{"booking_reference":"VL-ACD347"}',
                '/rebook_appointment{"booking_reference":"VL-ACD347"}'):
        assert text(own) == own
    # Anything else is read as words, so it is screened for red flags like every message.
    assert text('/describe_symptom{"x": "y"} han andas inte') == \
        'describe_symptom{"x": "y"} han andas inte'
    assert text("/emergency") == "emergency"
    assert text("/greet") == "greet"
