"""Signing in and out, remember me, and where sign-in may send you next."""

import pytest

from tests.conftest import PASSWORD


def test_sign_in_with_email_and_password(client, factory):
    """The form at /login takes `email` and `password` and lands on the person's caucuses."""
    user = factory.user("ana@example.org")
    response = client.login(user)
    assert response.headers["Location"] == "/caucuses"
    assert "ana@example.org" in client.get("/settings").get_data(as_text=True)


def test_email_is_case_insensitive(client, factory):
    """People type their address with capitals; it is the same account."""
    user = factory.user("ana@example.org")
    response = client.submit("/login", {"email": "  Ana@Example.ORG ", "password": PASSWORD})
    assert response.status_code == 302
    assert user.email in client.get("/settings").get_data(as_text=True)


@pytest.mark.parametrize("email", ["person1@example.org", "nobody@example.org"])
def test_wrong_credentials_are_refused_alike(client, factory, email):
    """A wrong password and an unknown email give the same answer."""
    factory.user("person1@example.org")
    response = client.submit("/login", {"email": email, "password": "not it at all"})
    assert response.status_code == 200
    assert "Wrong email or password" in response.get_data(as_text=True)
    assert client.get("/settings").status_code == 302


def test_sign_out_ends_the_session(client, factory):
    """After signing out, pages that need an account send you to sign in."""
    client.login(factory.user())
    response = client.submit("/logout")
    assert response.status_code == 302
    settings = client.get("/settings")
    assert settings.status_code == 302
    assert settings.headers["Location"].startswith("/login")


def test_sign_out_needs_csrf(client, factory):
    """A cross-site form cannot sign people out."""
    client.login(factory.user())
    assert client.post("/logout").status_code == 400
    assert client.get("/settings").status_code == 200


def test_sign_in_starts_a_fresh_session(client, factory, app):
    """Anything planted in the session before sign-in is gone after it (session fixation)."""
    user = factory.user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.login(user)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_remember_me_survives_the_browser_session(make_client, factory):
    """With "remember me", a new browser session (no session cookie) is still signed in."""
    user = factory.user()
    browser = make_client()
    browser.login(user, remember=True)
    remember = browser.get_cookie("remember_token")
    assert remember is not None
    assert remember.http_only
    assert "lax" in (remember.same_site or "").lower()
    reopened = make_client()
    reopened.set_cookie("remember_token", remember.value, domain=remember.domain)
    assert reopened.get("/settings").status_code == 200


def test_without_remember_me_no_persistent_cookie(client, factory):
    """Without "remember me", closing the browser ends the session."""
    client.login(factory.user())
    assert client.get_cookie("remember_token") is None


def test_session_cookie_flags(client, factory):
    """The session cookie is HttpOnly and SameSite=Lax."""
    user = factory.user()
    response = client.submit("/login", {"email": user.email, "password": PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\\evil.example/",
        "https://evil.example/",
        "javascript:alert(1)",
        "http:/evil.example",
        "/\t/evil.example",
        "evil.example",
    ],
)
def test_next_accepts_only_local_paths(client, factory, target):
    """`next` after sign-in never leads off the site."""
    user = factory.user()
    response = client.submit("/login", {"email": user.email, "password": PASSWORD, "next": target})
    assert response.headers["Location"] == "/caucuses"


def test_next_leads_to_a_local_page(client, factory):
    """A local `next` is followed, query string included."""
    user = factory.user()
    response = client.submit(
        "/login", {"email": user.email, "password": PASSWORD, "next": "/settings?tab=tokens"}
    )
    assert response.headers["Location"] == "/settings?tab=tokens"


def test_pages_needing_an_account_send_you_to_sign_in_and_back(client):
    """An anonymous visit to a private page offers sign-in with the way back."""
    response = client.get("/caucuses")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/caucuses"


def test_sign_out_forgets_a_remembered_browser(make_client, factory):
    """On a shared phone, signing out ends a "keep me signed in" session too."""
    browser = make_client()
    browser.login(factory.user(), remember=True)
    browser.submit("/logout")
    assert browser.get_cookie("remember_token") is None
    assert browser.get("/settings").status_code == 302
