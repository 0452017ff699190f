"""Links in mail start with the configured BASE_URL, whatever Host a request names."""

from __future__ import annotations

import re

import pytest

from tests.conftest import bearer
from tests.mail import smtp_sink

FORGED = {"Host": "evil.example"}
BASE = "https://drafting.example.org/caucus-tools"


@pytest.fixture
def inbox(app, monkeypatch):
    """Mail on, to a local SMTP server, and a BASE_URL with a path."""
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    with smtp_sink() as (port, messages):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
        yield messages


def at_forged_host(client) -> dict[str, str]:
    """The client's cookies, sent to the forged host too (as a browser of that host would
    send them), and the Host header to send."""
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            client.set_cookie(name, cookie.value, domain="evil.example")
    return FORGED


def links_in(message) -> list[str]:
    """Every URL in a mail's text."""
    return re.findall(r"https?://\S+", message.get_content())


def test_a_notification_links_to_the_site_not_the_forged_host(app, factory, inbox):
    """A commenter's forged Host does not reach the member's mail."""
    from drafting.caucuses.models import Role

    owner = factory.user()
    caucus = factory.caucus(owner)
    commenter = factory.member(caucus, Role.COMMENTER)
    web = app.test_client()
    doc = web.post(
        f"/api/v1/caucuses/{caucus.id}/documents",
        json={"title": "Paper", "content": "Text"},
        headers=bearer(factory.token(owner)),
    ).get_json()
    root = web.post(
        f"/api/v1/documents/{doc['id']}/comments",
        json={"body": "First"},
        headers=bearer(factory.token(owner)),
    ).get_json()
    reply = web.post(
        f"/api/v1/documents/{doc['id']}/comments",
        json={"body": "A reply", "parent_id": root["id"]},
        headers={**bearer(factory.token(commenter)), **FORGED},
    )
    assert reply.status_code == 201
    [message] = inbox
    assert links_in(message) == [f"{BASE}/documents/{doc['id']}"]


def test_an_invitation_links_to_the_site(client, factory, inbox):
    """The owner's request names any Host; the invitee's mail names the site."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    client.login(owner)
    csrf = client.csrf()
    client.post(
        f"/caucuses/{caucus.id}/members",
        data={"csrf_token": csrf, "email": "new@example.org", "role": "editor"},
        headers=at_forged_host(client),
    )
    [message] = inbox
    [link] = links_in(message)
    assert link.startswith(f"{BASE}/invitations/")


def test_an_endorsement_confirmation_links_to_the_site(client, app, factory, inbox):
    """An anonymous visitor cannot make the server mail a link to their own host."""
    from tests.conftest import open_for_endorsements

    slug = open_for_endorsements(app, factory)
    csrf = client.csrf()
    response = client.post(
        f"/p/{slug}/endorse",
        data={
            "csrf_token": csrf,
            "organization": "Red de Mujeres",
            "country": "",
            "email": "red@example.org",
        },
        headers=at_forged_host(client),
    )
    assert response.status_code == 302
    [message] = inbox
    [link] = links_in(message)
    assert link.startswith(f"{BASE}/p/{slug}/confirm?token=")
