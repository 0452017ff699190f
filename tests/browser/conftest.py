"""Browser tests: a real Chromium, driven by Playwright, against the app served on 127.0.0.1.

The app runs in a background thread on its own SQLite file, so pages and tests see committed
data; these tests therefore opt out of the rolled-back transaction of tests/conftest.py.
Chromium is Debian's (/usr/bin/chromium), never a Playwright download.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import ConsoleMessage
from playwright.sync_api import Page
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from drafting import create_app
from drafting.accounts import service as accounts
from drafting.extensions import db
from drafting.extensions import limiter
from tests.conftest import PASSWORD
from tests.conftest import test_config
from tests.conftest import upgrade_to_head

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
BROWSER_TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives the browser and commits for real."""
    for item in items:
        if BROWSER_TESTS in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.committed)


@pytest.fixture(autouse=True)
def _transaction(live_app: Flask) -> None:
    """Replaces the rolled-back transaction of tests/conftest.py, which browser tests cannot use.

    The server thread commits through its own connections, so there is nothing to roll back.
    Overriding the fixture also keeps the parametrized `app` fixture out of these tests, so they
    run once, not once per database backend. Like the original, start with fresh rate limits.
    """
    with live_app.app_context():
        limiter.reset()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory) -> Iterator[Flask]:
    """The application on its own migrated SQLite file, for the whole browser run."""
    database = tmp_path_factory.mktemp("browser") / "browser.sqlite3"
    # The live server answers on 127.0.0.1:<port>; a fixed SERVER_NAME would 404 every request.
    application = create_app(test_config(f"sqlite:///{database}", SERVER_NAME=None))
    upgrade_to_head(application)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The app served over HTTP on a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    live_app.config["BASE_URL"] = base_url  # the links the app mails or shows lead here
    try:
        yield base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, one for the whole run."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install it with `apt-get install chromium`"
        if os.environ.get("DRAFTING_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required but {message}", pytrace=False)
        pytest.skip(f"browser tests skipped: {message}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class ConsoleProblems:
    """Console errors (CSP violations among them) and uncaught exceptions, from every page."""

    problems: list[str] = field(default_factory=list)
    # Documents a test loads on purpose with an error status; Chromium logs each as an error.
    expected_statuses: set[tuple[str, int]] = field(default_factory=set)

    def watch(self, page: Page) -> None:
        """Record this page's problems."""
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))

    def expect_status(self, url: str, status: int) -> None:
        """Loading `url` answers `status` on purpose: do not count that as a problem."""
        self.expected_statuses.add((url, status))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        for expected_url, status in self.expected_statuses:
            if url == expected_url and f"status of {status}" in message.text:
                return
        self.problems.append(f"{url}: {message.text}")


@pytest.fixture
def console() -> ConsoleProblems:
    """What pages logged as errors during this test; tests assert it stays empty."""
    return ConsoleProblems()


@pytest.fixture
def new_page(browser: Browser, live_server: str, console: ConsoleProblems) -> Iterator[Callable]:
    """Open a page in a fresh browser context (its own cookies): one per person in the test.

    `new_page(phone=True)` gives a phone-sized touch screen instead of a desktop window.
    """
    contexts: list[BrowserContext] = []

    def open_page(*, phone: bool = False) -> Page:
        context = browser.new_context(
            base_url=live_server,
            locale="en-US",
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            device_scale_factor=2 if phone else 1,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        console.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A desktop page in a fresh browser context."""
    return new_page()


@pytest.fixture
def make_account(live_app: Flask) -> Callable[..., None]:
    """Create an account straight in the live server's database, for tests not about signing up."""

    def make(email: str, name: str, password: str = PASSWORD) -> None:
        with live_app.app_context():
            accounts.create_user(email, name=name, password=password)
            db.session.commit()

    return make
