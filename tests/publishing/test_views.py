"""The pages: versions, the public page, endorsements by members and by the public."""

from __future__ import annotations

import re

import pytest

from drafting.extensions import db
from drafting.publishing import endorsements
from drafting.publishing import printing
from drafting.publishing import versions
from drafting.publishing.models import Endorsement
from tests.conftest import fresh

pytestmark = pytest.mark.usefixtures("engine")


def test_rapporteur_cuts_a_version_from_the_page(client, team, make_document):
    """The versions page has the form; the new version's page shows its hashes."""
    document = make_document()
    client.login(team["rapporteur"])
    read = client.get(f"/documents/{document.id}").text
    assert f"/documents/{document.id}/versions" in read and "Download draft PDF" in read
    page = client.get(f"/documents/{document.id}/versions")
    assert 'data-testid="version-form"' in page.text
    response = client.submit(
        f"/documents/{document.id}/versions",
        {"label": "Istanbul round 1", "final": "y", "note": "For the plenary"},
    )
    assert response.status_code == 302
    version = client.get(response.headers["Location"]).text
    assert "Istanbul round 1" in version and "For the plenary" in version
    assert re.search(r'data-testid="text-sha256">[0-9a-f]{64}<', version)


def test_viewers_see_versions_but_cannot_cut_them(client, team, make_document, make_version):
    """No form for lesser roles, and posting it anyway is refused."""
    version = make_version()
    client.login(team["viewer"])
    page = client.get(f"/documents/{version.document_id}/versions").text
    assert "Round 1" in page and 'data-testid="version-form"' not in page
    refused = client.submit(f"/documents/{version.document_id}/versions", {"label": "Mine"})
    assert refused.status_code == 403


def test_an_invalid_version_form_says_why(client, team, make_document):
    """An empty label redisplays the form with a 422."""
    document = make_document()
    client.login(team["rapporteur"])
    response = client.submit(f"/documents/{document.id}/versions", {"label": ""})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text


def test_versions_link_to_compare(client, team, make_document, make_version):
    """ "What changed since round 1" compares the versions' revisions."""
    from drafting.documents import service as documents

    document = make_document("First.")
    make_version(document, label="Round 1")
    with client.application.app_context():
        documents.save_content(
            fresh(document), author=fresh(team["editor"]), base_revision=1, content="Second."
        )
        db.session.commit()
    make_version(document, label="Round 2")
    client.login(team["viewer"])
    page = client.get(f"/documents/{document.id}/versions").text
    assert f"/documents/{document.id}/compare?from=1&amp;to=2" in page
    assert "What changed since “Round 1”" in page


def test_member_endorses_with_their_organization_prefilled(client, app, team, make_version):
    """The form starts from the membership's organization; the endorsement is listed."""
    from drafting.caucuses.models import Membership

    version = make_version()
    with app.app_context():
        membership = db.session.scalar(
            db.select(Membership).where(Membership.user_id == team["viewer"].id)
        )
        membership.organization = "Migrant Forum in Asia"
        db.session.commit()
    client.login(team["viewer"])
    page = client.get(f"/versions/{version.id}").text
    assert 'value="Migrant Forum in Asia"' in page
    client.submit(
        f"/versions/{version.id}/endorsements",
        {"organization": "Migrant Forum in Asia", "country": "Philippines"},
    )
    listed = client.get(f"/versions/{version.id}").text
    assert "Migrant Forum in Asia</strong> · Philippines" in listed


# The public page


def test_public_page_is_readable_anonymously_and_shows_nothing_else(
    client, app, team, make_document, make_version
):
    """The text, the PDF link, the endorsements and the hash; no caucus navigation, no
    member names, no internal note, no other document."""
    document = make_document()
    other = make_document("Secret strategy.", title="Internal strategy memo")
    version = make_version(document, public=True, note="Only for us: lobby plan B")
    with app.app_context():
        endorsements.endorse_as_member(
            fresh(version), fresh(team["viewer"]), organization="ACME Union"
        )
        db.session.commit()
    response = client.get(f"/p/{version.slug}")
    assert response.status_code == 200
    html = response.text
    assert "Member States shall" in html and version.sha256 in html and "ACME Union" in html
    assert f"/p/{version.slug}/pdf" in html
    caucus = team["caucus"]
    for leak in (
        f"/caucuses/{caucus.id}",
        f"/documents/{document.id}",
        f"/versions/{version.id}",
        other.title,
        "lobby plan B",
        team["owner"].name,
        team["rapporteur"].name,
        team["viewer"].email,
    ):
        assert leak not in html, leak
    assert response.headers["Cache-Control"] == "public, no-cache"
    assert '<meta name="robots" content="noindex">' in html
    assert (
        client.get(
            f"/p/{version.slug}", headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )


def test_public_pdf_and_unpublishing(client, app, make_version):
    """The public PDF is the version's bytes; unpublishing answers 404 at once."""
    version = make_version(public=True)
    pdf = client.get(f"/p/{version.slug}/pdf")
    assert pdf.status_code == 200 and pdf.data == fresh_pdf(app, version)
    assert pdf.headers["ETag"].strip('"') == version.pdf_sha256
    with app.app_context():
        versions.update_sharing(fresh(version), public=False)
        db.session.commit()
    assert client.get(f"/p/{version.slug}").status_code == 404
    assert client.get(f"/p/{version.slug}/pdf").status_code == 404
    assert client.get("/p/not-a-real-slug").status_code == 404


def endorsements_in(app) -> list[Endorsement]:
    """Every endorsement stored, read in a context of its own."""
    with app.app_context():
        return list(db.session.scalars(db.select(Endorsement)))


def fresh_pdf(app, version) -> bytes:
    with app.app_context():
        return fresh(version).pdf


def test_rapporteur_publishes_from_the_page(client, team, make_version):
    """The sharing form publishes and opens endorsements; the link appears."""
    version = make_version()
    client.login(team["rapporteur"])
    client.submit(f"/versions/{version.id}/sharing", {"public": "y", "endorsements_open": "y"})
    page = client.get(f"/versions/{version.id}").text
    slug = re.search(r'/p/([A-Za-z0-9_-]+)"', page).group(1)
    assert 'data-testid="public-endorse-form"' in client.get(f"/p/{slug}").text
    client.submit(f"/versions/{version.id}/sharing", {})
    assert client.get(f"/p/{slug}").status_code == 404


def public_endorse(client, slug: str, **fields):
    """Submit the public endorsement form as a visitor would."""
    page = client.get(f"/p/{slug}").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"organization": "Red de Mujeres", "country": "Perú", "email": "red@example.org"}
    return client.post(f"/p/{slug}/endorse", data={"csrf_token": token, **data, **fields})


def test_public_endorsement_without_mail_is_accepted_directly(client, app, make_version):
    """Without SMTP, the endorsement is listed at once, naming the text hash."""
    version = make_version(public=True, endorsements_open=True)
    response = public_endorse(client, version.slug)
    assert response.status_code == 302
    page = client.get(f"/p/{version.slug}").text
    assert "Red de Mujeres</strong> · Perú" in page
    [endorsement] = endorsements_in(app)
    assert endorsement.text_sha256 == version.sha256
    assert endorsement.contact_email == "red@example.org"
    assert "red@example.org" not in page


def test_the_honeypot_keeps_nothing(client, app, make_version):
    """A filled hidden field is thanked and dropped."""
    version = make_version(public=True, endorsements_open=True)
    assert public_endorse(client, version.slug, website="http://spam.example").status_code == 302
    assert endorsements_in(app) == []


def test_closed_endorsements_have_no_form(client, app, make_version):
    """A public version not open to endorsements shows no form and refuses posts."""
    version = make_version(public=True)
    assert 'data-testid="public-endorse-form"' not in client.get(f"/p/{version.slug}").text
    response = client.submit(
        f"/p/{version.slug}/endorse",
        {"organization": "X", "country": "", "email": "x@example.org"},
    )
    assert response.status_code in (302, 409)
    assert endorsements_in(app) == []


def test_public_endorsements_are_rate_limited(client, app, make_version, monkeypatch):
    """One address cannot flood the list."""
    monkeypatch.setitem(app.config, "ENDORSEMENT_LIMITS", "2 per minute")
    version = make_version(public=True, endorsements_open=True)
    statuses = [
        public_endorse(client, version.slug, organization=f"Org {n}").status_code for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_public_endorsement_is_confirmed_by_mail(client, app, make_version, monkeypatch):
    """With SMTP, a signed link is mailed; nothing is listed until it is followed."""
    from tests.mail import smtp_sink

    version = make_version(public=True, endorsements_open=True)
    with smtp_sink() as (port, inbox):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
        public_endorse(client, version.slug)
    [message] = inbox
    assert message["To"] == "red@example.org"
    link = re.search(r"http://\S+/confirm\?token=\S+", message.get_content()).group(0)
    assert "Red de Mujeres" not in client.get(f"/p/{version.slug}").text.split("Endorsed by")[1]

    path = link.removeprefix(app.config["BASE_URL"])
    confirm_page = client.get(path)
    assert confirm_page.status_code == 200 and "Confirm" in confirm_page.text
    assert "Red de Mujeres</strong>" not in client.get(f"/p/{version.slug}").text  # GET alone
    client.submit(path)
    assert "Red de Mujeres</strong> · Perú" in client.get(f"/p/{version.slug}").text
    assert client.get(path.replace("token=", "token=x")).status_code == 404


# The rapporteur's list


def test_csv_export_guards_against_formulas_and_leaves_out_hidden(client, app, team, make_version):
    """Cells starting with = + - @ are defused; hidden endorsements are not exported."""
    version = make_version()
    with app.app_context():
        v = fresh(version)
        endorsements.endorse_as_member(
            v, fresh(team["viewer"]), organization="=HYPERLINK(1)", country="+1"
        )
        endorsements.endorse_as_member(v, fresh(team["owner"]), organization="@SUM", country="-2")
        spam = endorsements.endorse_as_member(v, fresh(team["editor"]), organization="Spam Inc")
        endorsements.set_hidden(spam, True)
        db.session.commit()
    client.login(team["rapporteur"])
    response = client.get(f"/versions/{version.id}/endorsements.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "'+1" in text and "'@SUM" in text and "'-2" in text
    assert "Spam Inc" not in text
    assert version.sha256 in text
    client.login(team["editor"])
    assert client.get(f"/versions/{version.id}/endorsements.csv").status_code == 403


def test_rapporteur_hides_and_shows_an_endorsement(client, app, team, make_version):
    """Hide as spam from the page; the public list and the members' list lose it."""
    version = make_version(public=True)
    with app.app_context():
        endorsement = endorsements.endorse_as_member(
            fresh(version), fresh(team["viewer"]), organization="Buy Pills Now"
        )
        db.session.commit()
    client.login(team["rapporteur"])
    client.submit(f"/endorsements/{endorsement.id}/visibility", {"hidden": "1"})
    assert "Buy Pills Now" not in client.get(f"/p/{version.slug}").text
    manage = client.get(f"/versions/{version.id}").text
    assert (
        "Buy Pills Now" in manage.split('data-testid="manage-endorsements"')[1]
    )  # still manageable
    assert "Buy Pills Now" not in manage.split('data-testid="manage-endorsements"')[0]
    client.submit(f"/endorsements/{endorsement.id}/visibility", {"hidden": "0"})
    assert "Buy Pills Now" in client.get(f"/p/{version.slug}").text


def test_pdf_downloads_from_the_pages(client, team, make_version, engine):
    """The draft PDF of the head, a version's PDF (kept bytes, not cached by browsers) and
    its Letter and endorsed editions."""
    version = make_version()
    client.login(team["viewer"])
    draft = client.get(f"/documents/{version.document_id}/draft.pdf")
    assert draft.mimetype == "application/pdf" and engine.requests[-1].status == "draft"
    kept = client.get(f"/versions/{version.id}/pdf")
    assert kept.headers["Cache-Control"] == "private, no-store"
    assert printing.pdf_sha256(kept.data) == version.pdf_sha256
    assert client.get(f"/versions/{version.id}/pdf?page_size=letter").status_code == 200
    assert engine.requests[-1].page_size == "Letter"
    assert client.get(f"/versions/{version.id}/pdf?edition=endorsed").status_code == 200
    assert engine.requests[-1].status == "final"


def test_the_document_page_lists_its_versions(client, team, make_version):
    """The reading page shows the latest versions with links to them."""
    version = make_version(label="Geneva round", public=True)
    client.login(team["viewer"])
    page = client.get(f"/documents/{version.document_id}").text
    section = page.split('data-testid="document-versions"')[1]
    assert f'href="/versions/{version.id}">Geneva round</a>' in section
