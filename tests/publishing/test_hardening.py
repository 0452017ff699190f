"""Publishing under careless or hostile input, and exports that fetch nothing.

Each test here failed before its fix: a draft PDF of a revision number no column holds gave
a 500, and the standalone HTML export embedded images from the allowed hosts (so opening a
confidential file told that host who read it, and when).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("engine")

HUGE = "9" * 30


@pytest.mark.parametrize("value", [HUGE, "²", "abc", "-1", "0", "99"])
def test_a_draft_pdf_of_an_odd_revision_is_not_found(client, team, make_document, value):
    document = make_document()
    client.login(team["viewer"])
    response = client.get(f"/documents/{document.id}/draft.pdf?revision={value}")
    assert response.status_code == 404
    assert "There is no revision" in response.text


def test_a_draft_pdf_of_a_real_revision_or_the_head(client, team, make_document, engine):
    document = make_document()
    client.login(team["viewer"])
    assert client.get(f"/documents/{document.id}/draft.pdf?revision=1").status_code == 200
    assert engine.requests[-1].revision == 1
    assert client.get(f"/documents/{document.id}/draft.pdf").status_code == 200


def test_the_html_export_embeds_no_remote_image(
    app, client, team, make_document, make_version, monkeypatch
):
    """Even a host the pages may show images from: the file links to the image instead."""
    monkeypatch.setitem(app.config, "ALLOWED_IMAGE_HOSTS", ["images.example.org"])
    document = make_document(
        "# Paper\n\n![Map](https://images.example.org/map.png)\n\n"
        "![Pixel](https://tracker.example.com/p.gif)\n\n![Logo](/static/favicon.svg)\n"
    )
    version = make_version(document)
    client.login(team["viewer"])
    response = client.get(f"/versions/{version.id}/export.html")
    assert response.status_code == 200
    html = response.text
    assert '<img src="https://' not in html and "<img src='https://" not in html
    assert 'href="https://images.example.org/map.png"' in html  # still there, as a link
    assert 'href="https://tracker.example.com/p.gif"' in html
    assert "https:" not in response.headers["Content-Security-Policy"]
    # The page itself still shows the allowed host's image, as the app's pages do.
    page = client.get(f"/versions/{version.id}").text
    assert '<img src="https://images.example.org/map.png"' in page


def test_a_pending_endorsement_cannot_be_confirmed_once_the_list_is_closed(
    app, client, make_version
):
    """Closing endorsements closes them to late confirmations: the list stays as closed."""
    from drafting.extensions import db
    from drafting.publishing import endorsements
    from drafting.publishing import versions
    from tests.conftest import fresh

    version = make_version(public=True, endorsements_open=True)
    with app.app_context():
        pending = endorsements.endorse_publicly(
            fresh(version),
            organization="Late Org",
            country="",
            email="late@example.org",
            confirmed=False,
        )
        token = endorsements.confirmation_token(pending)
        versions.update_sharing(fresh(version), endorsements_open=False)
        db.session.commit()
    path = f"/p/{version.slug}/confirm?token={token}"
    page = client.get(path)
    assert page.status_code == 200
    assert "no longer collecting endorsements" in page.text
    assert 'type="submit">Confirm<' not in page.text
    client.submit(path)
    assert "Late Org" not in client.get(f"/p/{version.slug}").text
    with app.app_context():
        assert endorsements.listed_endorsements(fresh(version)) == []
