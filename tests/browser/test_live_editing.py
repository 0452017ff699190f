"""In a real browser: several people typing into one document at once (design/SYNC.md).

The editor is static/vendor/editor.bundle.js (built from frontend/src by `make assets`): CodeMirror
plus the differential-synchronization client. These tests drive it like people do, with the
keyboard and the toolbar, and check what the server holds through GET /api/v1/documents/{id}.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from playwright.sync_api import Dialog
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from drafting.caucuses.models import Role
from tests.browser.test_accounts_and_caucuses import assert_fits_width
from tests.browser.test_accounts_and_caucuses import screenshot
from tests.browser.test_accounts_and_caucuses import sign_in
from tests.browser.test_documents import create_document
from tests.browser.test_documents import make_caucus

SESSIONS_ROUTE = "/api/v1/documents/<int:doc_id>/sessions"
# Long enough for a sync round (every second while others are present) and its answer.
SYNC_TIMEOUT = 8_000

PAPER = """\
# Decent work for domestic workers

## Preamble

The caucus recalls ILO Convention No. 189.

## Recommendations

States should ratify the Convention.
"""


@pytest.fixture(autouse=True)
def _live_editing_served(live_app: Flask) -> None:
    """Skip, saying why, until the server side of live editing is in."""
    routes = {rule.rule for rule in live_app.url_map.iter_rules()}
    if SESSIONS_ROUTE not in routes:
        pytest.skip(f"live editing is not served yet: no {SESSIONS_ROUTE} route")


# People and pages.


@dataclass
class Caucus:
    """A caucus of three made for one test: its id and each person's sign-in address."""

    id: int
    amina: str
    bruno: str
    chen: str


_caucuses = itertools.count(1)


def caucus_of_three(make_account, live_app: Flask) -> Caucus:
    """Amina (owner), Bruno and Chen (editors), with addresses of their own for each test."""
    n = next(_caucuses)
    emails = [f"{name}.{n}@example.org" for name in ("amina", "bruno", "chen")]
    for email, name in zip(emails, ("Amina Diallo", "Bruno Silva", "Chen Wei"), strict=True):
        make_account(email, name)
    caucus_id = make_caucus(
        live_app,
        f"Domestic Workers Caucus {n}",
        dict(zip(emails, (Role.OWNER, Role.EDITOR, Role.EDITOR), strict=True)),
    )
    return Caucus(caucus_id, *emails)


def person(new_page: Callable[..., Page], email: str, **options) -> Page:
    """A signed-in person in a browser of their own."""
    page = new_page(**options)
    sign_in(page, email)
    return page


def open_live_editor(page: Page, document_url: str) -> Locator:
    """Open the editing page and wait until the editor holds the server's text."""
    page.goto(document_url + "/edit")
    if page.locator("form.editor-form").count():
        pytest.skip("GET /documents/{id}/edit still serves the plain editor, not live_edit.html")
    expect(status(page)).to_have_text("Saved", timeout=SYNC_TIMEOUT)
    return page.get_by_test_id("editor")


def status(page: Page) -> Locator:
    """The editor's status line (an aria-live region)."""
    return page.get_by_test_id("sync-status")


def editor_text(page: Page) -> str:
    """The editor's text exactly (the page exposes it for tests and debugging)."""
    return page.evaluate("window.draftingLiveEditor.text()")


def expect_editor_text(page: Page, check: Callable[[str], bool], what: str) -> str:
    """Wait until the editor's text passes `check`; returns it."""
    deadline = time.monotonic() + SYNC_TIMEOUT / 1000
    while True:
        text = editor_text(page)
        if check(text):
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}; the editor holds:\n{text}")
        page.wait_for_timeout(100)


def server_text(page: Page, document_url: str) -> str:
    """The document's text as the API gives it, with this person's session cookie."""
    document_id = document_url.rstrip("/").rsplit("/", 1)[-1]
    response = page.request.get(f"/api/v1/documents/{document_id}")
    assert response.ok, response.status
    return response.json()["content"]


def expect_server_text(page: Page, document_url: str, check: Callable[[str], bool], what: str):
    """Wait until the server's text passes `check`; returns it."""
    deadline = time.monotonic() + SYNC_TIMEOUT / 1000
    while True:
        text = server_text(page, document_url)
        if check(text):
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}; the server holds:\n{text}")
        time.sleep(0.2)


def go_to_end(page: Page, editor: Locator) -> None:
    """Put the cursor at the very end of the text."""
    editor.click()
    page.keyboard.press("Control+End")


def go_to_line_end(page: Page, editor: Locator, line_text: str) -> None:
    """Put the cursor at the end of the line that reads `line_text`."""
    editor.locator(".cm-line", has_text=line_text).first.click()
    page.keyboard.press("End")


def offline_noise(problems: list[str]) -> list[str]:
    """Console problems, less the failed requests Chromium logs while the network is off."""
    return [p for p in problems if "ERR_INTERNET_DISCONNECTED" not in p]


# The tests.


def test_two_people_type_at_once_and_both_see_both(
    new_page: Callable[..., Page], make_account, live_app: Flask, console
):
    """Amina and Bruno type into the same document at the same time; nobody's words are lost."""
    caucus = caucus_of_three(make_account, live_app)
    amina = person(new_page, caucus.amina)
    document_url = create_document(amina, caucus.id, "Domestic work", PAPER)
    bruno = person(new_page, caucus.bruno)
    amina_editor = open_live_editor(amina, document_url)
    bruno_editor = open_live_editor(bruno, document_url)

    # Each sees the other in the list of people editing now.
    expect(amina.get_by_test_id("presence")).to_contain_text("Bruno Silva", timeout=SYNC_TIMEOUT)
    expect(bruno.get_by_test_id("presence")).to_contain_text("Amina Diallo", timeout=SYNC_TIMEOUT)

    # They type in turns of a few words, without waiting for each other.
    go_to_line_end(amina, amina_editor, "No. 189.")
    go_to_end(bruno, bruno_editor)
    amina_words = [" It", " protects", " live-in", " workers."]
    bruno_words = ["States", " should", " also", " inspect", " agencies."]
    for first, second in zip(amina_words, bruno_words, strict=False):
        amina.keyboard.type(first, delay=15)
        bruno.keyboard.type(second, delay=15)
    bruno.keyboard.type(bruno_words[-1], delay=15)
    amina_sentence = "".join(amina_words)
    bruno_sentence = "".join(bruno_words)

    def both(text: str) -> bool:
        return f"No. 189.{amina_sentence}\n" in text and text.rstrip().endswith(
            f"Convention.\n{bruno_sentence}"
        )

    # Within a couple of seconds each sees the other's sentence where it was written.
    amina_sees = expect_editor_text(amina, both, "Amina does not see both sentences")
    bruno_sees = expect_editor_text(bruno, both, "Bruno does not see both sentences")
    assert amina_sees == bruno_sees
    expect(status(amina)).to_have_text("Saved", timeout=SYNC_TIMEOUT)
    expect(status(bruno)).to_have_text("Saved", timeout=SYNC_TIMEOUT)
    assert expect_server_text(amina, document_url, both, "the server lacks a sentence") == (
        amina_sees
    )
    screenshot(amina, "live-editor.png")
    assert console.problems == []


def test_offline_typing_is_kept_and_syncs_when_back(
    new_page: Callable[..., Page], make_account, live_app: Flask, console
):
    """Offline, the page says so and keeps the text; back online, it syncs."""
    caucus = caucus_of_three(make_account, live_app)
    amina = person(new_page, caucus.amina)
    document_url = create_document(amina, caucus.id, "Domestic work", PAPER)
    editor = open_live_editor(amina, document_url)

    amina.context.set_offline(True)
    go_to_end(amina, editor)
    amina.keyboard.type("Written on the train.", delay=10)
    expect(status(amina)).to_have_text(
        "Offline — your changes are kept and will sync", timeout=SYNC_TIMEOUT
    )
    assert amina.evaluate("window.draftingLiveEditor.hasUnsyncedChanges()")
    assert "Written on the train." not in server_text_offline_safe(live_app, document_url)

    amina.context.set_offline(False)
    expect(status(amina)).to_have_text("Saved", timeout=SYNC_TIMEOUT)
    expect_server_text(
        amina,
        document_url,
        lambda text: text.endswith("Convention.\nWritten on the train."),
        "the text typed offline did not reach the server",
    )
    assert offline_noise(console.problems) == []


def server_text_offline_safe(live_app: Flask, document_url: str) -> str:
    """The document's text straight from the database (the page's browser is offline)."""
    from drafting.documents.models import Document
    from drafting.extensions import db

    document_id = int(document_url.rstrip("/").rsplit("/", 1)[-1])
    with live_app.app_context():
        return db.session.get(Document, document_id).content


def test_leaving_with_unsynced_text_asks_first(
    new_page: Callable[..., Page], make_account, live_app: Flask, console
):
    """Closing the page while text is not on the server yet brings up the browser's warning."""
    caucus = caucus_of_three(make_account, live_app)
    amina = person(new_page, caucus.amina)
    document_url = create_document(amina, caucus.id, "Domestic work", PAPER)
    editor = open_live_editor(amina, document_url)
    dialogs: list[str] = []

    def stay(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()  # "stay on the page"

    amina.on("dialog", stay)

    # Everything saved: closing asks nothing.
    assert not amina.evaluate("window.draftingLiveEditor.warnsBeforeLeaving()")

    # Offline with new text: the page asks before going, and staying keeps the text.
    amina.context.set_offline(True)
    go_to_end(amina, editor)
    amina.keyboard.type("Not saved yet.", delay=10)
    expect(status(amina)).to_contain_text("Offline", timeout=SYNC_TIMEOUT)
    assert amina.evaluate("window.draftingLiveEditor.warnsBeforeLeaving()")
    amina.close(run_before_unload=True)
    deadline = time.monotonic() + 5
    while not dialogs and time.monotonic() < deadline:
        amina.wait_for_timeout(100)
    assert dialogs == ["beforeunload"]
    assert not amina.is_closed()
    assert editor_text(amina).endswith("Not saved yet.")

    # Back online it syncs, and then the page closes without asking.
    amina.context.set_offline(False)
    amina.wait_for_function(
        "() => !window.draftingLiveEditor.warnsBeforeLeaving()", timeout=SYNC_TIMEOUT
    )
    expect(status(amina)).to_have_text("Saved", timeout=SYNC_TIMEOUT)
    with amina.expect_event("close", timeout=5_000):
        amina.close(run_before_unload=True)
    assert dialogs == ["beforeunload"]
    assert offline_noise(console.problems) == []


def test_someone_back_from_offline_catches_up_and_keeps_their_words(
    new_page: Callable[..., Page], make_account, live_app: Flask, console
):
    """Chen loses the network; the others carry on; Chen types too; back online, all agree."""
    caucus = caucus_of_three(make_account, live_app)
    amina = person(new_page, caucus.amina)
    document_url = create_document(amina, caucus.id, "Domestic work", PAPER)
    bruno = person(new_page, caucus.bruno)
    chen = person(new_page, caucus.chen)
    amina_editor = open_live_editor(amina, document_url)
    bruno_editor = open_live_editor(bruno, document_url)
    chen_editor = open_live_editor(chen, document_url)

    chen.context.set_offline(True)
    go_to_line_end(amina, amina_editor, "No. 189.")
    amina.keyboard.type(" Adopted in 2011.", delay=10)
    go_to_line_end(bruno, bruno_editor, "ratify the Convention.")
    bruno.keyboard.type(" Without reservations.", delay=10)
    go_to_line_end(chen, chen_editor, "## Preamble")
    chen.keyboard.press("Enter")
    chen.keyboard.type("Drafted by the caucus.", delay=10)
    expect(status(chen)).to_contain_text("Offline", timeout=SYNC_TIMEOUT)

    def everything(text: str) -> bool:
        return (
            "No. 189. Adopted in 2011." in text
            and "Convention. Without reservations." in text
            and "## Preamble\nDrafted by the caucus.\n" in text
        )

    chen.context.set_offline(False)
    final = expect_editor_text(chen, everything, "Chen did not catch up")
    for other in (amina, bruno):
        expect_editor_text(other, lambda text: text == final, "the others do not see Chen's")
    expect_server_text(amina, document_url, lambda text: text == final, "the server differs")
    assert final.count("Drafted by the caucus.") == 1
    assert offline_noise(console.problems) == []


def test_an_ended_session_reconnects_and_keeps_the_typing(
    new_page: Callable[..., Page], make_account, live_server: str, live_app: Flask, console
):
    """The server forgets the page's session (404): it opens a new one and loses nothing."""
    caucus = caucus_of_three(make_account, live_app)
    amina = person(new_page, caucus.amina)
    document_url = create_document(amina, caucus.id, "Domestic work", PAPER)
    editor = open_live_editor(amina, document_url)
    document_id = document_url.rstrip("/").rsplit("/", 1)[-1]
    client_id = amina.evaluate("window.draftingLiveEditor.clientId()")
    token = amina.locator('meta[name="csrf-token"]').get_attribute("content")
    closed = amina.request.post(
        f"/api/v1/documents/{document_id}/sessions/{client_id}/close",
        headers={"X-CSRFToken": token or ""},
    )
    assert closed.status == 204
    console.expect_status(f"{live_server}/api/v1/documents/{document_id}/sync", 404)

    go_to_end(amina, editor)
    amina.keyboard.type("Typed after the session ended.", delay=10)
    expect_server_text(
        amina,
        document_url,
        lambda text: text.endswith("Convention.\nTyped after the session ended."),
        "the typing did not reach the server",
    )
    amina.wait_for_function(
        f"() => window.draftingLiveEditor.clientId() !== {client_id!r}", timeout=SYNC_TIMEOUT
    )
    expect(status(amina)).to_have_text("Saved", timeout=SYNC_TIMEOUT)
    assert editor_text(amina).count("Typed after the session ended.") == 1
    assert console.problems == []


def test_undo_takes_back_only_your_own_typing(
    new_page: Callable[..., Page], make_account, live_app: Flask, console
):
    """Ctrl-Z undoes what you typed, never what someone else typed meanwhile."""
    caucus = caucus_of_three(make_account, live_app)
    amina = person(new_page, caucus.amina)
    document_url = create_document(amina, caucus.id, "Domestic work", PAPER)
    bruno = person(new_page, caucus.bruno)
    amina_editor = open_live_editor(amina, document_url)
    bruno_editor = open_live_editor(bruno, document_url)

    go_to_end(amina, amina_editor)
    amina.keyboard.type(" Amina's clause.", delay=10)
    expect_editor_text(bruno, lambda text: "Amina's clause." in text, "Bruno lacks Amina's")
    go_to_line_end(bruno, bruno_editor, "No. 189.")
    bruno.keyboard.type(" Bruno's clause.", delay=10)
    expect_editor_text(amina, lambda text: "Bruno's clause." in text, "Amina lacks Bruno's")

    # Amina undoes: her clause goes, Bruno's (which arrived after it) stays.
    amina_editor.click()
    amina.keyboard.press("Control+z")
    text = expect_editor_text(
        amina, lambda text: "Amina's clause." not in text, "Amina's undo did nothing"
    )
    assert "No. 189. Bruno's clause." in text
    # And Bruno sees the undo too.
    expect_editor_text(
        bruno,
        lambda text: "Amina's clause." not in text and "Bruno's clause." in text,
        "Bruno does not see Amina's undo",
    )
    # Undoing again does not reach Bruno's words either: nothing of Amina's is left to undo.
    amina.keyboard.press("Control+z")
    amina.wait_for_timeout(300)
    assert "Bruno's clause." in editor_text(amina)
    assert console.problems == []


def test_toolbar_formats_for_people_who_do_not_know_markdown(
    new_page: Callable[..., Page], make_account, live_app: Flask, console
):
    """Bold wraps the selection in **; the preview shows it bold; a phone can use it all."""
    caucus = caucus_of_three(make_account, live_app)
    amina = person(new_page, caucus.amina)
    document_url = create_document(amina, caucus.id, "Domestic work", PAPER)
    editor = open_live_editor(amina, document_url)

    go_to_end(amina, editor)
    amina.keyboard.press("Enter")
    amina.keyboard.type("urgent", delay=10)
    amina.keyboard.press("Shift+Home")
    toolbar = amina.get_by_role("toolbar", name="Formatting")
    toolbar.get_by_role("button", name="Bold").click()
    text = expect_editor_text(amina, lambda t: t.endswith("\n**urgent**"), "Bold did not wrap")
    # The selection stays on the word, so Bold again takes the marks off.
    toolbar.get_by_role("button", name="Bold").click()
    expect_editor_text(amina, lambda t: t.endswith("\nurgent"), "Bold again did not unwrap")
    amina.keyboard.press("Control+b")
    assert editor_text(amina).endswith("\n**urgent**")
    text = expect_server_text(
        amina, document_url, lambda t: t.endswith("**urgent**"), "bold not saved"
    )

    # The live preview renders it.
    amina.get_by_role("button", name="Preview").click()
    expect(amina.get_by_test_id("preview").locator("strong")).to_have_text("urgent")

    # On a phone the toolbar and the text fit the screen, and typing works.
    phone = person(new_page, caucus.bruno, phone=True)
    phone_editor = open_live_editor(phone, document_url)
    expect(phone.get_by_role("toolbar", name="Formatting")).to_be_visible()
    assert_fits_width(phone)
    go_to_end(phone, phone_editor)
    phone.keyboard.type(" From a phone.", delay=10)
    expect_editor_text(amina, lambda t: t.endswith(f"{text} From a phone."), "phone text lost")
    assert console.problems == []


def test_editor_speaks_to_screen_readers(
    new_page: Callable[..., Page], make_account, live_app: Flask, console
):
    """The status line is a live region, and every toolbar button has a name."""
    caucus = caucus_of_three(make_account, live_app)
    amina = person(new_page, caucus.amina)
    document_url = create_document(amina, caucus.id, "Domestic work", PAPER)
    open_live_editor(amina, document_url)
    expect(status(amina)).to_have_attribute("aria-live", "polite")
    expect(status(amina)).to_have_attribute("role", "status")
    buttons = amina.get_by_role("toolbar", name="Formatting").get_by_role("button")
    names = [button.get_attribute("aria-label") for button in buttons.all()]
    assert names == [
        "Heading",
        "Bold",
        "Italic",
        "Bulleted list",
        "Numbered list",
        "Link",
        "Quote",
        "Footnote",
        "Table",
    ]
    expect(amina.get_by_test_id("editor")).to_have_attribute(
        "aria-label", re.compile("Text \\(Markdown\\)")
    )
    assert console.problems == []
