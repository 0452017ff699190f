"""Two people type in Chromium while editors join and type over HTTP (issue 10).

Against gunicorn with four workers on PostgreSQL and Redis, as in production: the load of
tests/collab/joining.py (editors typing, more opening the paper one by one while the text
moves) and two browsers typing at the top of the paper through the real editor. Every token,
typed in a browser or over HTTP, is in the final text exactly once, and both browsers show
the server's text.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from drafting import create_app
from drafting.extensions import db
from tests.collab.joining import make_paper
from tests.collab.joining import run_joining
from tests.collab.server import PASSWORD
from tests.collab.server import gunicorn
from tests.collab.server import seed
from tests.conftest import scratch_postgres
from tests.conftest import test_config
from tests.conftest import upgrade_to_head

BROWSERS = 2
LOAD_SECONDS = 8
SAVED_TIMEOUT = 20_000


def typist_page(browser: Browser, base_url: str, email: str, document_id: int) -> Page:
    """A browser of one's own, signed in, on the paper's live editor."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/caucuses$"))
    page.goto(f"/documents/{document_id}/edit")
    expect(page.get_by_test_id("sync-status")).to_have_text("Saved", timeout=SAVED_TIMEOUT)
    return page


def type_at_the_top(page: Page, number: int, tokens: list[str]) -> None:
    """Type the browser's next token at the top: the first at the very start of the paper,
    the second at the end of its first line.

    Two people typing at one point at once would interleave their keystrokes, as in any
    live editor: their tokens could come out mixed ("[b0k[b1k4] 9]") with nothing lost.
    """
    page.get_by_test_id("editor").locator(".cm-line").first.click()
    page.keyboard.press("Control+Home")
    if number % 2:
        page.keyboard.press("End")
    token = f"[b{number}k{len(tokens)}]"
    page.keyboard.type(f" {token}" if number % 2 else f"{token} ", delay=20)
    tokens.append(token)


def typists_caught_up(typists, document_id: int, rounds: int = 5) -> str:
    """The paper's text once every HTTP typist has sent all it typed and holds that text.

    A sync that ran out of its time under the lock acknowledges only part of a typist's
    edits and sends no live text (docs/sync.md, "Limits"), so one more sync each may be
    needed after the browsers' last words; a few rounds at most.
    """
    for _round in range(rounds):
        for typist in typists:
            typist.sync()
        status, document = typists[-1].client.transport.get(f"/api/v1/documents/{document_id}")
        assert status == 200, document
        if all(typist.client.text == document["content"] for typist in typists):
            break
    return document["content"]


def shown_once_caught_up(page: Page, final: str) -> str:
    """The editor's text once it shows `final`, or as it stands when it never does: the
    typists' last syncs come after the browsers said "Saved", and reach them by long-poll."""
    with contextlib.suppress(PlaywrightTimeout):  # the test's assertion shows the difference
        page.wait_for_function(
            "final => window.draftingLiveEditor.text() === final", arg=final, timeout=15_000
        )
    return page.evaluate("window.draftingLiveEditor.text()")


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (set TEST_DATABASE_URL)"
)
def test_two_browsers_and_joining_editors_lose_nothing_on_gunicorn(browser, tmp_path):
    paper = make_paper(30_000)
    with scratch_postgres() as url:
        server_app = create_app(test_config(url))
        upgrade_to_head(server_app)
        seeded = seed(server_app, editors=BROWSERS + 16, content=paper)
        with server_app.app_context():
            db.engine.dispose()
        log_path = tmp_path / "gunicorn.log"
        with gunicorn(url, log_path=log_path, workers=4, threads=8) as (port, _process):
            base_url = f"http://127.0.0.1:{port}"
            pages = [
                typist_page(browser, base_url, f"editor{number}@example.org", seeded.document_id)
                for number in range(BROWSERS)
            ]
            load = {}

            def http_load() -> None:
                load["run"] = run_joining(
                    port,
                    seeded.document_id,
                    seeded.editor_tokens[BROWSERS:],
                    seeded.owner_token,
                    typing=6,
                    joining=10,
                    seconds=LOAD_SECONDS,
                )

            loader = threading.Thread(target=http_load, daemon=True)
            loader.start()
            until = time.monotonic() + LOAD_SECONDS
            typed: list[list[str]] = [[] for _page in pages]
            while time.monotonic() < until:  # the two take turns, as two people at once do
                for number, page in enumerate(pages):
                    type_at_the_top(page, number, typed[number])
                    page.wait_for_timeout(150)
            loader.join(timeout=LOAD_SECONDS + 120)
            assert not loader.is_alive(), "the HTTP load hung"
            for page in pages:
                expect(page.get_by_test_id("sync-status")).to_have_text(
                    "Saved", timeout=SAVED_TIMEOUT
                )
            run = load["run"]
            final = typists_caught_up(run.typists, seeded.document_id)
            shown = [shown_once_caught_up(page, final) for page in pages]
            for page in pages:
                page.context.close()
        log = log_path.read_text(errors="replace")
    browser_tokens = [token for tokens in typed for token in tokens]
    assert len(browser_tokens) >= 10
    assert shown == [final] * BROWSERS
    tokens = run.tokens + browser_tokens
    counts = {token: final.count(token) for token in tokens}
    assert {token: count for token, count in counts.items() if count != 1} == {}, final[:400]
    assert all(typist.client.text == final for typist in run.typists)
    assert "NOT acknowledged" not in log
    assert not re.search(r'HTTP/1\.[01]" 500 ', log) and "Traceback" not in log, log[-5000:]
