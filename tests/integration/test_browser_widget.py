"""The resident's chat in a real browser (Playwright driving Debian's Chromium) against the
real running system: clicking, typing, keyboard only, reload, XSS, outage, embedding with
signed context, accessibility (axe-core) and screenshots."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bot.config import ROOT
from tests.integration.conftest import RunningSystem

AXE = ROOT / "var" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "var" / "test-results" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Debian's chromium is missing: `make browser-deps` installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def send(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")
    expect(page.locator("#send")).to_be_enabled(timeout=20000)


def bot_texts(page: Page) -> str:
    return page.locator("#log").inner_text()


def finish_triage_by_clicking(page: Page) -> None:
    for _ in range(8):
        if page.locator(".card").count():
            return
        page.get_by_role("button", name="Nej").last.click()
        expect(page.locator("#send")).to_be_enabled(timeout=20000)
    raise AssertionError("no care card after clicking through the questions")


def test_start_shows_ai_disclosure_and_112(page: Page, system: RunningSystem) -> None:
    page.goto(system.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    notice = page.locator("#notice")
    expect(notice).to_contain_text("digital assistent, inte en människa")
    expect(notice).to_contain_text("Vid livshotande tillstånd, ring 112")
    expect(page.locator("#log")).to_have_attribute("aria-live", "polite")


def test_triage_by_clicking_shows_a_care_card(page: Page, system: RunningSystem) -> None:
    page.goto(system.url + "/")
    send(page, "jag har haft ont i halsen sen i förrgår")
    expect(page.get_by_role("button", name="Vet inte").last).to_be_visible()
    finish_triage_by_clicking(page)
    card = page.locator(".card").last
    expect(card).to_contain_text("Egenvård")
    expect(card.locator("a[href^='tel:']").first).to_be_visible()
    page.screenshot(path=str(_shot("widget-desktop.png")), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(_shot("widget-phone.png")), full_page=True)


def test_triage_by_typing(page: Page, system: RunningSystem) -> None:
    page.goto(system.url + "/")
    send(page, "jag hostar sen en vecka")
    for _ in range(8):
        if page.locator(".card").count():
            break
        send(page, "nej")
    expect(page.locator(".card").last).to_be_visible()


def test_keyboard_only(page: Page, system: RunningSystem) -> None:
    page.goto(system.url + "/")
    for _ in range(12):  # from the top of the page to the text field, by Tab alone
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "message":
            break
    assert page.evaluate("document.activeElement.id") == "message"
    page.keyboard.type("jag har ont i örat")
    page.keyboard.press("Enter")
    expect(page.locator("#send")).to_be_enabled(timeout=20000)
    for _ in range(8):
        if page.locator(".card").count():
            break
        # Shift+Tab from the text field reaches the newest answer buttons.
        target = page.locator(".buttons").last.get_by_role("button", name="Nej")
        for _ in range(6):
            page.keyboard.press("Shift+Tab")
            if page.evaluate("document.activeElement.textContent") == "Nej":
                break
        assert page.evaluate("document.activeElement.textContent") == "Nej"
        expect(target).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#send")).to_be_enabled(timeout=20000)
    expect(page.locator(".card").last).to_be_visible()


def test_reload_keeps_the_conversation_and_reset_clears_it(page: Page,
                                                             system: RunningSystem) -> None:
    page.goto(system.url + "/")
    send(page, "hej")
    sender = page.evaluate("sessionStorage.getItem('vardlotsen.sender')")
    page.reload()
    expect(page.locator("#log")).to_contain_text("hej")
    assert page.evaluate("sessionStorage.getItem('vardlotsen.sender')") == sender
    page.get_by_role("button", name="Avsluta och rensa").click()
    expect(page.locator(".entry.user")).to_have_count(0)
    assert page.evaluate("sessionStorage.getItem('vardlotsen.sender')") != sender


def test_script_typed_by_the_resident_is_shown_as_text(page: Page,
                                                        system: RunningSystem) -> None:
    page.goto(system.url + "/")
    payload = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned=2\">"
    send(page, payload)
    expect(page.locator(".msg.user").last).to_have_text("Du: " + payload)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#log img").count() == 0


def test_server_unreachable_gives_the_safe_message(page: Page, system: RunningSystem) -> None:
    page.goto(system.url + "/")
    page.route("**/api/chat", lambda route: route.abort())
    send(page, "hej")
    error = page.locator(".msg.error").last
    expect(error).to_contain_text("112")
    expect(error).to_contain_text("1177")


def _ask_in_embedded_chat(page: Page, question: str) -> str:
    page.get_by_role("button", name="Chatta med Vårdlotsen").click()
    frame = page.frame_locator("iframe[title^='Vårdlotsen']")
    # The greeting is a bot entry too: wait for it, then for one after the question.
    expect(frame.locator(".entry.bot").first).to_be_visible(timeout=20000)
    before = frame.locator(".entry.bot").count()
    frame.locator("#message").fill(question)
    frame.locator("#message").press("Enter")
    expect(frame.locator(".entry.bot").nth(before)).to_be_visible(timeout=20000)
    expect(frame.locator("#send")).to_be_enabled(timeout=20000)
    return frame.locator("#log").inner_text()


def test_embedded_with_valid_token_knows_the_listed_vardcentral(page: Page,
                                                                 system: RunningSystem) -> None:
    page.goto(system.url + "/embed-demo")
    answer = _ask_in_embedded_chat(page, "har min vårdcentral öppet nu?")
    assert "Närhälsan Lundby" in answer


def test_embedded_with_tampered_token_continues_anonymously(page: Page,
                                                            system: RunningSystem) -> None:
    page.goto(system.url + "/embed-demo?tampered=1")
    answer = _ask_in_embedded_chat(page, "har min vårdcentral öppet nu?")
    assert "Närhälsan Lundby" not in answer
    assert "kunde inte bekräftas" in answer


def test_iframe_alternative_and_frame_policy(page: Page, system: RunningSystem) -> None:
    page.goto(system.url + "/embed-demo?iframe=1")
    frame = page.frame_locator("iframe.chat-frame")
    expect(frame.locator("#notice")).to_contain_text("112")
    headers = page.request.get(system.url + "/chat").headers
    assert "frame-ancestors 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.request.get(system.url + "/").headers[
        "content-security-policy"]


def test_text_can_be_resized_to_200_percent(page: Page, system: RunningSystem) -> None:
    page.set_viewport_size({"width": 640, "height": 900})
    page.goto(system.url + "/")
    send(page, "jag har haft ont i halsen sen i förrgår")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    overflow = page.evaluate("document.documentElement.scrollWidth - "
                             "document.documentElement.clientWidth")
    assert overflow <= 1
    expect(page.locator("#send")).to_be_visible()


def test_no_serious_accessibility_violations_with_a_care_card(browser: Browser,
                                                              system: RunningSystem) -> None:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: `make browser-deps` installs it")
    # axe is injected as a script the page itself does not serve, so CSP is bypassed here.
    context = browser.new_context(locale="sv-SE", bypass_csp=True)
    page = context.new_page()
    page.goto(system.url + "/")
    send(page, "jag har fått en liten solbränna på armarna")
    finish_triage_by_clicking(page)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}));
    }""")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "axe-violations.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    context.close()
    assert serious == [], serious


def _shot(name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS / name


def test_staff_reviewer_finds_reviews_and_annotates_an_urgent_case(
        page: Page, system: RunningSystem) -> None:
    from bot.staff.accounts import Accounts
    from bot.store.database import Database
    from tests.integration.helpers import custom, new_sender

    sender = new_sender("staff")
    replies = system.say(sender, "jag har ont när jag kissar och feber och ont i sidan av ryggen")
    for _ in range(6):
        if custom(replies, "triage_result"):
            break
        replies = system.say(sender, "nej")
    assert custom(replies, "triage_result")["level"] == "urgent"
    password = "granskare-lösen-123"
    Accounts(Database(system.settings.database_url)).create(
        f"nurse{sender[-6:]}", password, "reviewer")

    page.goto(system.url + "/staff/conversations")
    page.get_by_label("Användarnamn").fill(f"nurse{sender[-6:]}")
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_label("Nivå").select_option("urgent")
    page.get_by_role("button", name="Visa").click()
    page.locator("table a").first.click()
    expect(page.locator(".result")).to_contain_text("urgent")
    expect(page.locator(".result")).to_contain_text("Varför")
    page.screenshot(path=str(_shot("staff-conversation.png")), full_page=True)
    page.get_by_label("Bedömning", exact=True).select_option("correct")
    page.get_by_label("Kommentar").fill("Rimlig bedömning.")
    page.get_by_role("button", name="Spara granskning").click()
    expect(page.locator("#annotations")).to_be_visible()
    expect(page.locator("section.card").last).to_contain_text("Rimlig bedömning.")
    page.get_by_role("link", name="Statistik").click()
    expect(page.locator("svg")).to_have_count(4)
    page.screenshot(path=str(_shot("staff-stats.png")), full_page=True)
