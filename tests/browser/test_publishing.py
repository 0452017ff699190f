"""In a real browser: a rapporteur cuts a final version, publishes it and opens endorsements;
an anonymous visitor reads it from the public link and endorses it."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from playwright.sync_api import Page
from playwright.sync_api import expect

from drafting.accounts import service as accounts
from drafting.caucuses.models import Caucus
from drafting.caucuses.models import Role
from drafting.documents import service as documents
from drafting.extensions import db
from tests.browser.test_accounts_and_caucuses import assert_fits_width
from tests.browser.test_accounts_and_caucuses import flash
from tests.browser.test_accounts_and_caucuses import screenshot
from tests.browser.test_accounts_and_caucuses import sign_in
from tests.browser.test_documents import POSITION_PAPER
from tests.browser.test_documents import make_caucus

RAPPORTEUR = "Mei Lin"
OWNER = "Nadia Rahman"


def make_document(live_app: Flask, caucus_id: int, email: str) -> int:
    """The position paper, written straight into the live database; returns its id."""
    with live_app.app_context():
        document = documents.create_document(
            db.session.get(Caucus, caucus_id),
            accounts.user_by_email(email),
            title="Position on labour migration",
            content=POSITION_PAPER,
        )
        db.session.commit()
        return document.id


def cut_final_version(page: Page, document_id: int, label: str) -> None:
    """From the document page, open its versions and cut a final version of the head."""
    page.goto(f"/documents/{document_id}")
    page.get_by_test_id("versions-link").click()
    form = page.get_by_test_id("version-form")
    form.get_by_label("Label").fill(label)
    form.get_by_label("This is the final text").check()
    form.get_by_label("Note for the caucus").fill("Agreed at the plenary; goes to the Forum.")
    form.get_by_role("button", name="Save version").click()
    expect(flash(page)).to_contain_text(f"Version “{label}” saved.")


def publish_and_open_endorsements(page: Page) -> str:
    """On the version's page, make it public and open endorsements; returns the public link."""
    sharing = page.get_by_test_id("sharing-form")
    sharing.get_by_label("Public: anyone with the link can read it").check()
    sharing.get_by_label("Open to endorsements through the public link").check()
    sharing.get_by_role("button", name="Save sharing").click()
    expect(flash(page)).to_contain_text("The version is public.")
    return page.get_by_test_id("public-link").input_value()


def test_rapporteur_publishes_and_a_visitor_endorses(
    live_app: Flask, new_page: Callable[..., Page], make_account, console
):
    """The whole path from a final version to a public endorsement, in two browsers."""
    make_account("nadia.publishing@example.org", OWNER)
    make_account("mei.publishing@example.org", RAPPORTEUR)
    caucus_id = make_caucus(
        live_app,
        "Labour Migration Caucus",
        {"nadia.publishing@example.org": Role.OWNER, "mei.publishing@example.org": Role.RAPPORTEUR},
    )
    document_id = make_document(live_app, caucus_id, "nadia.publishing@example.org")

    rapporteur = new_page()
    sign_in(rapporteur, "mei.publishing@example.org")
    cut_final_version(rapporteur, document_id, "Final text for the Forum")
    sha256 = rapporteur.get_by_test_id("text-sha256").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", sha256)
    public_link = publish_and_open_endorsements(rapporteur)
    assert "/p/" in public_link

    visitor = new_page(phone=True)
    visitor.goto(public_link)
    expect(visitor.locator(".public-header h1")).to_have_text("Position on labour migration")
    expect(visitor.get_by_test_id("public-body")).to_contain_text("access to justice")
    expect(visitor.get_by_test_id("text-sha256")).to_have_text(sha256)
    expect(visitor.get_by_text(RAPPORTEUR)).to_have_count(0)
    expect(visitor.get_by_text(OWNER)).to_have_count(0)
    form = visitor.get_by_test_id("public-endorse-form")
    form.get_by_label("Organization").fill("Red de Mujeres Migrantes")
    form.get_by_label("Country").fill("Perú")
    form.get_by_label("Contact email").fill("contacto@example.org")
    form.get_by_role("button", name="Endorse").click()
    expect(flash(visitor)).to_contain_text("Your endorsement is recorded")
    expect(visitor.get_by_test_id("endorsements")).to_contain_text("Red de Mujeres Migrantes")
    assert_fits_width(visitor)

    desktop = new_page()
    desktop.goto(public_link)
    expect(desktop.get_by_test_id("endorsements")).to_contain_text("Perú")
    screenshot(desktop, "public-version.png")

    rapporteur.reload()
    expect(rapporteur.get_by_test_id("manage-endorsements")).to_contain_text("contacto@example.org")
    screenshot(rapporteur, "version.png")

    # The rapporteur's pages fit a phone too (long hashes and links wrap).
    phone = new_page(phone=True)
    sign_in(phone, "mei.publishing@example.org")
    phone.goto(rapporteur.url)
    expect(phone.get_by_test_id("manage-endorsements")).to_be_visible()
    assert_fits_width(phone)
    phone.get_by_role("link", name="All versions").click()
    expect(phone.get_by_test_id("versions")).to_contain_text("Final text for the Forum")
    assert_fits_width(phone)
    assert console.problems == []
