"""Registration: open or invite-only instances, the first account is admin."""

import sqlalchemy as sa

from drafting.accounts.models import User
from drafting.extensions import db


def register(client, email="new@example.org", name="Nadia Rahman", password="a long passphrase"):
    """Fill in the registration form."""
    return client.submit(
        "/register", {"name": name, "email": email, "password": password, "confirm": password}
    )


def test_register_signs_you_in(client, app):
    """A new account is signed in straight away."""
    response = register(client)
    assert response.status_code == 302
    assert "new@example.org" in client.get("/settings").get_data(as_text=True)


def test_first_account_becomes_admin_and_later_ones_do_not(make_client, app):
    """The first account on an empty instance runs it; the rest are ordinary people."""
    register(make_client(), "first@example.org")
    register(make_client(), "second@example.org")
    with app.app_context():
        admins = dict(db.session.execute(sa.select(User.email, User.is_admin)).all())
    assert admins == {"first@example.org": True, "second@example.org": False}


def test_duplicate_email_is_refused(client, factory):
    """An email has one account."""
    factory.user("taken@example.org")
    response = register(client, "Taken@Example.org")
    assert response.status_code == 200
    assert "already exists" in response.get_data(as_text=True)


def test_short_password_is_refused(client):
    """Passwords shorter than ten characters are refused with a reason."""
    response = register(client, password="short")
    assert response.status_code == 200
    assert "at least 10" in response.get_data(as_text=True).lower()


def test_invite_only_instance_refuses_open_registration(client, app, monkeypatch):
    """With OPEN_REGISTRATION off, /register without an invitation says how to get in."""
    monkeypatch.setitem(app.config, "OPEN_REGISTRATION", False)
    assert client.get("/register").status_code == 403
    assert register(client).status_code == 403
    assert client.get("/settings").status_code == 302


def test_invite_only_instance_accepts_an_invitation_link(client, factory, app, monkeypatch):
    """An invitation link opens registration, prefilled with the invited email."""
    monkeypatch.setitem(app.config, "OPEN_REGISTRATION", False)
    owner = factory.user()
    caucus = factory.caucus(owner)
    api = factory.token(owner)
    created = client.post(
        f"/api/v1/caucuses/{caucus.id}/members",
        json={"email": "invitee@example.org", "role": "editor"},
        headers={"Authorization": f"Bearer {api}"},
    )
    secret = created.get_json()["invitation_url"].rsplit("/", 1)[1]
    page = client.get(f"/register?invitation={secret}")
    assert page.status_code == 200
    assert 'value="invitee@example.org"' in page.get_data(as_text=True)
    response = client.submit(
        "/register",
        {
            "name": "Invitee",
            "email": "invitee@example.org",
            "password": "a long passphrase",
            "confirm": "a long passphrase",
            "invitation": secret,
        },
    )
    assert response.headers["Location"] == f"/invitations/{secret}"


def invitation_link(client, factory, email="invitee@example.org") -> str:
    """An owner invites `email` through the API; the secret of the link."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    created = client.post(
        f"/api/v1/caucuses/{caucus.id}/members",
        json={"email": email, "role": "editor"},
        headers={"Authorization": f"Bearer {factory.token(owner)}"},
    )
    return created.get_json()["invitation_url"].rsplit("/", 1)[1]


def register_invited(client, secret, email, name="Someone"):
    """Fill in the registration form of an invitation link."""
    return client.submit(
        f"/register?invitation={secret}",
        {
            "name": name,
            "email": email,
            "password": "a long passphrase",
            "confirm": "a long passphrase",
            "invitation": secret,
        },
    )


def test_an_invitation_registers_its_own_email_once(make_client, factory, app, monkeypatch):
    """On an invite-only instance one link registered three unrelated accounts: now it
    registers the invited address, once, and no other."""
    monkeypatch.setitem(app.config, "OPEN_REGISTRATION", False)
    secret = invitation_link(make_client(), factory)
    strangers = [
        register_invited(make_client(), secret, f"stranger{n}@example.org") for n in range(2)
    ]
    assert [response.status_code for response in strangers] == [200, 200]
    assert "This invitation is for invitee@example.org" in strangers[0].text
    assert register_invited(make_client(), secret, "Invitee@Example.org").status_code == 302
    again = register_invited(make_client(), secret, "invitee@example.org")
    assert "already exists" in again.text
    with app.app_context():
        emails = set(db.session.scalars(sa.select(User.email)))
    assert not any(email.startswith("stranger") for email in emails)
    assert "invitee@example.org" in emails
