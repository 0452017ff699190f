"""Names and other one-line fields refuse line breaks and control characters, and a name that
got in anyway (an older account) never costs anyone their comment when mail is on."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from drafting.accounts import service
from drafting.accounts.models import ApiToken
from drafting.accounts.models import User
from drafting.caucuses.models import Role
from drafting.errors import Invalid
from drafting.extensions import db
from drafting.review.models import Comment
from tests.conftest import PASSWORD
from tests.conftest import bearer
from tests.mail import smtp_sink

INJECTED = "Eve\r\nBcc: everyone@example.org"
CONTROLS = ["Eve\r\nBcc: x@example.org", "Eve\nMallory", "Eve\tTab", "Eve\x00", "Eve\u2028Line"]


@pytest.mark.parametrize("name", CONTROLS)
def test_the_service_refuses_a_name_with_control_characters(ctx, name):
    """Whatever calls it (pages, CLI, demo), an account's name is one line."""
    with pytest.raises(Invalid) as refused:
        service.create_user("eve@example.org", name=name, password=PASSWORD)
    assert refused.value.fields == {"name": "control_characters"}


def test_registration_says_why_the_name_is_refused(client, app):
    """The form shows the reason and nothing is created."""
    response = client.submit(
        "/register",
        {"name": INJECTED, "email": "eve@example.org", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 200
    assert "on one line" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "eve@example.org")) is None


def test_the_cli_refuses_it_too(app):
    """`flask users create` exits 1 with the reason."""
    result = app.test_cli_runner().invoke(
        args=["users", "create", "eve@example.org", "--name", INJECTED, "--password", PASSWORD]
    )
    assert result.exit_code == 1
    assert "on one line" in result.output


def test_token_names_are_one_line(client, factory, app):
    """On the settings page and through the API."""
    user = factory.user()
    client.login(user)
    page = client.submit("/settings/tokens", {"name": "laptop\r\nscript"})
    assert page.status_code == 422 and "on one line" in page.text
    api = app.test_client().post(
        "/api/v1/auth/token", json={"email": user.email, "password": PASSWORD, "name": "a\nb"}
    )
    assert api.status_code == 422
    assert api.get_json()["error"]["fields"] == {"name": "control_characters"}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_an_invited_email_is_one_line(client, factory):
    """An email with a line break is not an address, and never reaches a mail header."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    response = client.post(
        f"/api/v1/caucuses/{caucus.id}/members",
        json={"email": "new@example.org\r\nBcc: x@example.org", "role": "editor"},
        headers=bearer(factory.token(owner)),
    )
    assert response.status_code == 422


def test_a_caucus_name_is_one_line(client, factory):
    """Caucus names go into invitation subjects."""
    owner = factory.user()
    response = client.post(
        "/api/v1/caucuses", json={"name": "Caucus\r\nBcc: x"}, headers=bearer(factory.token(owner))
    )
    assert response.status_code == 422


def test_a_name_from_before_still_comments_with_mail_on(app, factory, monkeypatch):
    """An account whose name has a line break (made before the check) replies; the reply is
    saved and answered 201, and the mail goes out with its subject on one line."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    eve = factory.member(caucus, Role.COMMENTER)
    with app.app_context():
        db.session.get(User, eve.id).name = INJECTED
        db.session.commit()
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
    with smtp_sink() as (port, inbox):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
        reply = web.post(
            f"/api/v1/documents/{doc['id']}/comments",
            json={"body": "My words, kept", "parent_id": root["id"]},
            headers=bearer(factory.token(eve)),
        )
    assert reply.status_code == 201
    with app.app_context():
        assert db.session.scalar(sa.select(Comment.id).where(Comment.body == "My words, kept"))
    [message] = inbox
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert message["Bcc"] is None
    assert message["To"] == owner.email
