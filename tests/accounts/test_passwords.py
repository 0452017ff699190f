"""Argon2id hashing, upgraded on sign-in; password changes end other sessions."""

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2 import Type
from werkzeug.security import generate_password_hash

from drafting.accounts import service
from drafting.accounts.models import User
from drafting.extensions import db
from tests.conftest import PASSWORD


def stored_hash(app, email):
    """The password hash as stored."""
    with app.app_context():
        return db.session.scalar(sa.select(User.password_hash).where(User.email == email))


def set_hash(app, email, password_hash):
    """Replace a stored hash, as if it had been made long ago."""
    with app.app_context():
        db.session.execute(
            sa.update(User).where(User.email == email).values(password_hash=password_hash)
        )
        db.session.commit()


def test_passwords_are_hashed_with_argon2id(factory, app):
    """The stored value is an Argon2id hash with the configured parameters."""
    user = factory.user()
    password_hash = stored_hash(app, user.email)
    assert password_hash.startswith("$argon2id$")
    assert PASSWORD not in password_hash


def test_weaker_argon2_hash_is_upgraded_on_sign_in(client, factory, app):
    """A hash made with weaker parameters is rehashed with the current ones at sign-in."""
    user = factory.user()
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.I).hash(PASSWORD)
    set_hash(app, user.email, weak)
    client.login(user)
    upgraded = stored_hash(app, user.email)
    assert upgraded != weak
    assert upgraded.startswith("$argon2id$")


def test_legacy_pbkdf2_hash_is_upgraded_on_sign_in(client, factory, app):
    """Accounts imported with a Werkzeug pbkdf2 hash sign in and move to Argon2id."""
    user = factory.user()
    set_hash(app, user.email, generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
    client.login(user)
    assert stored_hash(app, user.email).startswith("$argon2id$")


def test_unknown_hash_formats_never_verify(ctx):
    """Garbage in the hash column refuses sign-in instead of crashing."""
    from drafting.accounts.passwords import verify_password

    assert verify_password("plaintext-password", "plaintext-password") is False
    assert verify_password("$argon2id$garbage", "x") is False


def test_change_password_ends_other_sessions(make_client, factory):
    """After a password change, the other devices are signed out; this one stays in."""
    user = factory.user()
    laptop, phone = make_client(), make_client()
    laptop.login(user)
    phone.login(user)
    response = laptop.submit(
        "/settings/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/settings").status_code == 200
    assert phone.get("/settings").status_code == 302


def test_change_password_needs_the_current_one(client, factory):
    """A borrowed, signed-in phone cannot change the password without knowing it."""
    user = factory.user()
    client.login(user)
    response = client.submit(
        "/settings/password",
        {"current_password": "wrong one!!", "new_password": "x" * 12, "confirm": "x" * 12},
    )
    assert response.status_code == 422
    assert "current password is not right" in response.get_data(as_text=True)


def test_authenticate_records_the_sign_in(ctx, factory):
    """Sign-in time is kept (shown to admins later)."""
    user = factory.user()
    signed_in = service.authenticate(user.email, PASSWORD)
    assert signed_in.last_login_at is not None


def test_guessing_the_current_password_is_rate_limited(client, factory):
    """A borrowed, signed-in phone cannot try 25 passwords in a few seconds: five a minute."""
    client.login(factory.user())
    csrf = client.csrf()
    statuses = [
        client.post(
            "/settings/password",
            data={
                "csrf_token": csrf,
                "current_password": f"guess number {n}",
                "new_password": "a brand new passphrase",
                "confirm": "a brand new passphrase",
            },
        ).status_code
        for n in range(6)
    ]
    assert statuses == [422, 422, 422, 422, 422, 429]


def test_the_password_change_limit_is_per_address_too(make_client, factory):
    """Many accounts' password forms from one address are limited together."""
    statuses = []
    for _person in range(6):
        browser = make_client()
        browser.login(factory.user())
        statuses.append(
            browser.submit(
                "/settings/password",
                {"current_password": "not it", "new_password": "x" * 12, "confirm": "x" * 12},
            ).status_code
        )
    assert statuses == [422, 422, 422, 422, 422, 429]
