"""Outgoing mail: it never raises, never carries a typed line break into a header, goes out
after the commit, and one person's actions send only so many."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from drafting.caucuses.models import Role
from drafting.extensions import db
from drafting.mail import send_after_commit
from drafting.mail import send_mail
from drafting.review.models import Notification
from tests.conftest import bearer
from tests.mail import free_port
from tests.mail import smtp_sink


@pytest.fixture
def inbox(app, monkeypatch):
    """Mail on, to a local SMTP server."""
    with smtp_sink() as (port, messages):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
        yield messages


def test_an_address_with_a_line_break_is_not_mailed(ctx, inbox):
    """Whatever reached it, send_mail answers False and adds no recipient."""
    assert send_mail("a@example.org\r\nBcc: b@example.org", "Hello", "Body") is False
    assert inbox == []


def test_a_subject_with_a_line_break_goes_out_on_one_line(ctx, inbox):
    """A title or name with a line break cannot add a header."""
    assert send_mail("a@example.org", "Hi\r\nBcc: b@example.org", "Body") is True
    [message] = inbox
    assert message["Subject"] == "Hi Bcc: b@example.org"
    assert message["Bcc"] is None


def test_an_unreachable_server_is_a_false_not_an_error(ctx, app, monkeypatch):
    """Nothing listens: False, logged."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    assert send_mail("a@example.org", "Hello", "Body") is False


def test_mail_after_commit_goes_only_with_the_commit(ctx, inbox):
    """Queued mail leaves when the transaction commits, and is dropped when it rolls back."""
    db.session.execute(sa.text("SELECT 1"))  # the work the mail is about
    send_after_commit("kept@example.org", "Kept", "Body")
    assert inbox == []
    db.session.commit()
    db.session.execute(sa.text("SELECT 1"))
    send_after_commit("dropped@example.org", "Dropped", "Body")
    db.session.rollback()
    db.session.commit()
    assert [message["To"] for message in inbox] == ["kept@example.org"]


def test_one_commenter_sends_only_so_many_mails(app, factory, inbox, monkeypatch):
    """Mentioning five people under a cap of three: five notifications, three mails."""
    monkeypatch.setitem(app.config, "MAIL_LIMITS_PER_SENDER", "3 per minute")
    owner = factory.user()
    caucus = factory.caucus(owner)
    members = [factory.member(caucus, Role.VIEWER) for _n in range(5)]
    commenter = factory.member(caucus, Role.COMMENTER)
    web = app.test_client()
    doc = web.post(
        f"/api/v1/caucuses/{caucus.id}/documents",
        json={"title": "Paper", "content": "Text"},
        headers=bearer(factory.token(owner)),
    ).get_json()
    mentions = " ".join(f"@{member.email}" for member in members)
    response = web.post(
        f"/api/v1/documents/{doc['id']}/comments",
        json={"body": f"Look, {mentions}"},
        headers=bearer(factory.token(commenter)),
    )
    assert response.status_code == 201
    with app.app_context():
        assert db.session.query(Notification).count() == 5
    assert len(inbox) == 3


def test_an_owner_mails_only_so_many_invitations(client, app, factory, inbox, monkeypatch):
    """Past the cap, the link is shown to the owner instead of mailed."""
    monkeypatch.setitem(app.config, "MAIL_LIMITS_PER_SENDER", "2 per minute")
    owner = factory.user()
    caucus = factory.caucus(owner)
    client.login(owner)
    pages = [
        client.submit(
            f"/caucuses/{caucus.id}/members", {"email": f"new{n}@example.org", "role": "viewer"}
        )
        for n in range(3)
    ]
    assert [page.status_code for page in pages] == [302, 302, 200]
    assert 'data-testid="invitation-link"' in pages[2].text
    assert len(inbox) == 2


def test_a_failed_confirmation_mail_keeps_the_endorsers_words(client, app, factory, monkeypatch):
    """The mail server is down: nothing is listed, and the form comes back filled in."""
    from drafting.publishing.models import Endorsement
    from tests.conftest import open_for_endorsements

    slug = open_for_endorsements(app, factory)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    response = client.submit(
        f"/p/{slug}/endorse",
        {"organization": "Red de Mujeres", "country": "Perú", "email": "red@example.org"},
    )
    assert response.status_code == 503
    assert "could not send the confirmation mail" in response.text
    assert 'value="Red de Mujeres"' in response.text
    with app.app_context():
        assert db.session.query(Endorsement).count() == 0
