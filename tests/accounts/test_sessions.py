"""Sessions live on the server: signing out ends this one for every copy of its cookies, a new
password ends them all (and, if asked, the API tokens), and Settings signs out everywhere."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.conftest import bearer

NEW_PASSWORD = "a brand new passphrase"


def copy_cookies(source, target) -> None:
    """Give `target` the session and remember-me cookies of `source`, as a thief would."""
    for name in ("session", "remember_token"):
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value, domain=cookie.domain)


def test_a_copied_session_cookie_stops_working_at_sign_out(make_client, factory):
    """Whoever copied the cookie is signed out with its owner."""
    browser, thief = make_client(), make_client()
    browser.login(factory.user())
    copy_cookies(browser, thief)
    assert thief.get("/settings").status_code == 200
    browser.submit("/logout")
    assert thief.get("/settings").status_code == 302


def test_a_copied_remember_cookie_stops_working_at_sign_out(make_client, factory):
    """Keep me signed in on a shared computer: signing out ends the remembered session too,
    for a copy of the remember-me cookie alone."""
    browser, thief = make_client(), make_client()
    browser.login(factory.user(), remember=True)
    remember = browser.get_cookie("remember_token")
    thief.set_cookie("remember_token", remember.value, domain=remember.domain)
    browser.submit("/logout")
    assert thief.get("/settings").status_code == 302


def test_sign_out_ends_only_that_session(make_client, factory):
    """The person's other devices stay signed in."""
    user = factory.user()
    laptop, phone = make_client(), make_client()
    laptop.login(user)
    phone.login(user)
    laptop.submit("/logout")
    assert phone.get("/settings").status_code == 200


def test_a_new_password_ends_every_session_and_keeps_tokens_unless_asked(make_client, factory):
    """The remembered phone is signed out too; the token keeps working when not revoked."""
    user = factory.user()
    secret = factory.token(user)
    laptop, phone = make_client(), make_client()
    laptop.login(user)
    phone.login(user, remember=True)
    response = laptop.submit(
        "/settings/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert laptop.get("/settings").status_code == 200
    assert phone.get("/settings").status_code == 302
    assert laptop.get("/api/v1/me", headers=bearer(secret)).status_code == 200


def test_a_new_password_can_revoke_the_api_tokens(make_client, factory):
    """Ticking "revoke my API tokens" ends every token with the sessions."""
    user = factory.user()
    secrets = [factory.token(user, "laptop"), factory.token(user, "server")]
    browser = make_client()
    browser.login(user)
    response = browser.submit(
        "/settings/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "revoke_tokens": "y",
        },
        follow_redirects=True,
    )
    assert "API tokens no longer work" in response.text
    assert [browser.get("/api/v1/me", headers=bearer(s)).status_code for s in secrets] == [
        401,
        401,
    ]


def test_the_password_form_asks_about_tokens(client, factory):
    """The settings page offers the choice."""
    client.login(factory.user())
    page = client.get("/settings").text
    assert 'name="revoke_tokens"' in page
    assert "Also revoke my API tokens" in page


def test_sign_out_everywhere(make_client, factory):
    """From Settings: this browser, the others and remembered ones are all signed out."""
    user = factory.user()
    laptop, phone, remembered = make_client(), make_client(), make_client()
    laptop.login(user)
    phone.login(user)
    remembered.login(user, remember=True)
    assert "Sign out everywhere" in laptop.get("/settings").text
    response = laptop.submit("/settings/sessions/end")
    assert response.status_code == 302
    assert [c.get("/settings").status_code for c in (laptop, phone, remembered)] == [302] * 3


def test_sign_out_everywhere_needs_csrf(make_client, factory):
    """A cross-site form cannot sign a person out everywhere."""
    browser = make_client()
    browser.login(factory.user())
    assert browser.post("/settings/sessions/end").status_code == 400
    assert browser.get("/settings").status_code == 200


def test_an_expired_session_is_signed_out(make_client, factory, app):
    """Sessions end by themselves after REMEMBER_COOKIE_DURATION."""
    import sqlalchemy as sa

    from drafting.accounts.models import UserSession
    from drafting.extensions import db
    from drafting.extensions import utcnow

    browser = make_client()
    browser.login(factory.user())
    with app.app_context():
        db.session.execute(sa.update(UserSession).values(expires_at=utcnow()))
        db.session.commit()
    assert browser.get("/settings").status_code == 302


def test_the_session_secret_is_stored_hashed(make_client, factory, app):
    """The database holds no usable session id: a leaked table signs nobody in."""
    import sqlalchemy as sa

    from drafting.accounts.models import UserSession
    from drafting.extensions import db

    browser = make_client()
    browser.login(factory.user())
    with app.app_context():
        [stored] = db.session.scalars(sa.select(UserSession.secret_hash))
    with browser.session_transaction() as session:
        assert stored not in session["_user_id"] and len(session["_user_id"]) >= 40
