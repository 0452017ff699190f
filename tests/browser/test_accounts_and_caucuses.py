"""In a real browser: registering, caucuses, inviting, removing, and signing in and out."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from drafting.config import PROJECT_ROOT
from tests.conftest import PASSWORD

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
CAUCUS = "Women in Migration Caucus"
THIRTY_DAYS = 60 * 60 * 24 * 30


def screenshot(page: Page, name: str) -> None:
    """Save the whole page for the README, replacing the previous run's picture."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True, animations="disabled")


def fill_form(where: Page | Locator, **values: str) -> None:
    """Type into form fields by their `name`, which the forms promise to keep."""
    scope = where.locator("main") if isinstance(where, Page) else where
    for name, value in values.items():
        scope.locator(f"[name='{name}']").fill(value)


def register(page: Page, *, name: str, email: str | None = None) -> None:
    """Fill in the open registration form; `email=None` keeps what is there (an invitation's)."""
    fill_form(page, name=name, password=PASSWORD, confirm=PASSWORD)
    if email is not None:
        fill_form(page, email=email)
    page.get_by_role("button", name="Create account").click()


def sign_in(page: Page, email: str, *, remember: bool = False) -> None:
    """Sign in through /login, ticking “keep me signed in” when asked."""
    page.goto("/login")
    fill_form(page, email=email, password=PASSWORD)
    page.get_by_label("Keep me signed in on this device").set_checked(remember)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/caucuses$"))


def flash(page: Page) -> Locator:
    """The flashed messages at the top of the page."""
    return page.locator(".flashes")


def member_row(page: Page, email: str) -> Locator:
    """The members table's row for one person."""
    return page.locator(f"tr[data-member='{email}']")


def assert_fits_width(page: Page) -> None:
    """Nothing sticks out sideways: a phone never has to scroll horizontally (measured once
    the page has loaded: before its stylesheet applies, a hash or a link runs past the edge)."""
    page.wait_for_load_state("load")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]}px wide in a {widths[1]}px screen"


def cookie(page: Page, name: str) -> dict | None:
    """A cookie of the page's browser context, if it has one."""
    return next((c for c in page.context.cookies() if c["name"] == name), None)


def test_invited_member_joins_and_loses_access_when_removed(new_page: Callable, console):
    """An owner signs up, creates a caucus and invites a commenter, who joins and is removed."""
    # The owner, at a desk, finds the site and signs up.
    owner = new_page()
    owner.goto("/")
    expect(owner.get_by_role("heading", level=1)).to_contain_text("common position together")
    screenshot(owner, "home.png")
    owner.get_by_role("link", name="Create an account").click()
    register(owner, name="Amina Diallo", email="amina@example.org")
    expect(flash(owner)).to_contain_text("Welcome to Drafting, Amina Diallo.")

    # She creates the caucus and lands on its dashboard as its owner.
    fill_form(owner, name=CAUCUS)
    owner.get_by_role("button", name="Create caucus").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text(CAUCUS)
    expect(owner.get_by_text("Your role: Owner")).to_be_visible()
    dashboard_url = owner.url

    # No mail server is configured, so inviting an unknown address shows the link to pass on.
    owner.get_by_role("navigation", name="Caucus").get_by_role("link", name="Members").click()
    invite = owner.get_by_role("region", name="Invite someone")
    fill_form(invite, email="lucia@example.org")
    invite.get_by_label("Role").select_option("commenter")
    invite.get_by_role("button", name="Invite").click()
    link = owner.get_by_test_id("invitation-link").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/invitations/\S+", link), link

    # The invitee, on her phone, opens the link and creates her account through it.
    member = new_page(phone=True)
    member.goto(link)
    expect(member.get_by_role("heading", level=1)).to_have_text(f"Join “{CAUCUS}”")
    expect(member.get_by_text("You are invited as Commenter.")).to_be_visible()
    assert_fits_width(member)
    member.get_by_role("link", name="Create your account").click()
    expect(member.locator("main [name='email']")).to_have_value("lucia@example.org")
    assert_fits_width(member)
    register(member, name="Lucía Fernández")

    # Registering brings her back to the invitation, now signed in, to accept it.
    member.get_by_role("button", name="Join the caucus").click()
    expect(member).to_have_url(dashboard_url)
    expect(flash(member)).to_contain_text(f"Welcome to “{CAUCUS}”.")
    expect(member.get_by_text("Your role: Commenter")).to_be_visible()
    assert_fits_width(member)

    # The owner sees her among the members.
    owner.goto(dashboard_url)
    expect(owner.locator(".member-list li")).to_have_count(2)
    screenshot(owner, "caucus-dashboard.png")
    owner.get_by_role("link", name="Manage members").click()
    expect(member_row(owner, "lucia@example.org")).to_contain_text("Lucía Fernández")
    screenshot(owner, "members.png")

    # Later, on her own phone, the owner removes her.
    owner_phone = new_page(phone=True)
    sign_in(owner_phone, "amina@example.org")
    owner_phone.goto(dashboard_url + "/members")
    assert_fits_width(owner_phone)
    screenshot(owner_phone, "members-phone.png")
    remove = member_row(owner_phone, "lucia@example.org").get_by_role("button", name="Remove")

    # Saying “Cancel” to the confirmation keeps her: the question really guards the form.
    owner_phone.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    expect(member_row(owner_phone, "lucia@example.org")).to_be_visible()

    questions = []
    owner_phone.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    remove.click()
    expect(flash(owner_phone)).to_contain_text("The member was removed.")
    expect(member_row(owner_phone, "lucia@example.org")).to_have_count(0)
    assert questions == ["Remove Lucía Fernández from the caucus?"]

    # Her very next page load finds nothing: access is checked on every request.
    console.expect_status(dashboard_url, 404)
    response = member.reload()
    assert response is not None and response.status == 404
    expect(member.get_by_role("heading", level=1)).to_have_text("Not found")
    assert_fits_width(member)

    assert console.problems == []


def test_remember_me_keeps_a_person_signed_in_after_the_browser_closes(
    page: Page, make_account, console
):
    """With “keep me signed in” ticked, sign-in survives the loss of the session cookie."""
    make_account("rosa@example.org", "Rosa Mendes")
    sign_in(page, "rosa@example.org", remember=True)

    # The remember cookie lasts the configured thirty days and is out of reach of scripts.
    remember = cookie(page, "remember_token")
    assert remember is not None and remember["httpOnly"]
    assert remember["expires"] > time.time() + THIRTY_DAYS - 3600

    # Closing the browser drops the session cookie; the remember cookie signs her back in.
    page.context.clear_cookies(name="session")
    page.goto("/caucuses")
    expect(page).to_have_url(re.compile(r"/caucuses$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My caucuses")

    assert console.problems == []


def test_signing_out_forgets_a_remembered_browser(page: Page, make_account, console):
    """Signing out on a shared phone must end a “keep me signed in” session too."""
    make_account("tariq@example.org", "Tariq Haddad")
    sign_in(page, "tariq@example.org", remember=True)

    page.get_by_role("button", name="Sign out").click()
    expect(flash(page)).to_contain_text("You are signed out.")

    # The next visitor on this browser must be asked to sign in, not be let in again.
    page.goto("/caucuses")
    expect(page).to_have_url(re.compile(r"/login\?next=(%2F|/)caucuses$"), timeout=2_000)
    assert cookie(page, "remember_token") is None

    assert console.problems == []


def test_without_remember_me_the_session_ends_with_the_browser(page: Page, make_account, console):
    """Unticked, sign-in lasts only as long as the browser's session cookie."""
    make_account("kofi@example.org", "Kofi Mensah")
    sign_in(page, "kofi@example.org", remember=False)
    assert cookie(page, "remember_token") is None
    expect(page.get_by_role("heading", level=1)).to_have_text("My caucuses")

    page.context.clear_cookies(name="session")
    page.goto("/caucuses")
    expect(page).to_have_url(re.compile(r"/login\?next="))

    assert console.problems == []
