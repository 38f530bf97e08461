"""Care navigation questions through /api/chat."""

from __future__ import annotations

import re

from tests.integration.conftest import RunningSystem
from tests.integration.helpers import buttons, custom, new_sender, texts


def test_where_to_get_care_tonight_names_places(system: RunningSystem) -> None:
    replies = system.say(new_sender(), "Var kan jag få vård ikväll i Borås?")
    options = custom(replies, "care_options")
    assert options and options["options"]
    assert "Borås" in texts(replies) and "1177" in texts(replies)


def test_opening_hours_asks_for_the_place_once(system: RunningSystem) -> None:
    sender = new_sender()
    first = texts(system.say(sender, "har min vårdcentral öppet nu?"))
    assert "kommun" in first
    answer = texts(system.say(sender, "Kungälv"))
    # Demo hours are not verified: no invented hours or phone, only where to find them.
    assert "Kungälv" in answer and "1177.se" in answer
    assert not re.search(r"\d\d:\d\d", answer) and "000 00" not in answer
    again = texts(system.say(sender, "när öppnar jouren?"))
    assert "kommun" not in again  # remembered for the conversation


def test_misspelled_municipality_gets_a_suggestion(system: RunningSystem) -> None:
    sender = new_sender()
    replies = system.say(sender, "jag bor i Lerom")
    assert "Menade du" in texts(replies)
    assert any(b["title"] == "Lerum" for b in buttons(replies))
    confirm = system.say(sender, '/inform_municipality{"municipality": "Lerum"}')
    assert "Lerum" in texts(confirm)


def test_misspelling_the_model_knows_is_understood(system: RunningSystem) -> None:
    assert "Varberg" in texts(system.say(new_sender(), "jag bor i varbrg"))


def test_unknown_place_is_explained(system: RunningSystem) -> None:
    answer = texts(system.say(new_sender(), "jag bor i Stockholm"))
    assert "Västra Götaland" in answer and "Halland" in answer


def test_care_guarantee_with_sources_on_request(system: RunningSystem) -> None:
    sender = new_sender()
    replies = system.say(sender, "vad innebär vårdgarantin?")
    answer = texts(replies)
    assert "0–3–90–90" in answer and "90 dagar" in answer
    assert any(b["payload"] == "/ask_source" for b in buttons(replies))
    sources = texts(system.say(sender, "/ask_source"))
    assert "Källor" in sources and "http" in sources


def test_care_guarantee_not_met_in_halland(system: RunningSystem) -> None:
    sender = new_sender()
    system.say(sender, "jag bor i Halmstad")
    answer = texts(system.say(sender, "jag har väntat i fyra månader på min operation, "
                                      "vårdgarantin hålls inte"))
    assert "0771-900 600" in answer and "60 dagar" in answer


def test_listing_and_digital_care_questions(system: RunningSystem) -> None:
    assert "två gånger" in texts(system.say(new_sender(), "hur byter jag vårdcentral?"))
    assert "1177" in texts(system.say(new_sender(), "vilken vårdcentral är jag listad på?"))
    assert "video" in texts(system.say(new_sender(), "kan jag ha ett videomöte med en läkare?"))
