"""The security baseline every page inherits: headers, CSRF, cookies in production."""

import pytest

from drafting import create_app
from tests.conftest import bearer
from tests.conftest import test_config


def test_pages_carry_a_strict_content_security_policy(client):
    """No inline script, no framing, no sniffing, a careful referrer policy."""
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_api_responses_carry_the_headers_too(client):
    """JSON answers are protected the same way."""
    response = client.get("/api/v1/me")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_private_pages_are_not_cached(client, factory):
    """A shared phone's cache must not keep a confidential page after sign-out."""
    client.login(factory.user())
    assert client.get("/caucuses").headers["Cache-Control"] == "no-store"


def test_api_answers_are_not_cached(client, factory):
    """The API's JSON carries the same confidential drafts as the pages."""
    user = factory.user()
    secret = factory.token(user)
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_forged_host_is_refused_where_hosts_are_pinned(tmp_path):
    """Links in mails come from the Host header: with TRUSTED_HOSTS set, another host is a 400."""
    app = create_app(
        test_config(f"sqlite:///{tmp_path / 'db.sqlite3'}", TRUSTED_HOSTS=["drafting.example.org"])
    )
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "drafting.example.org"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400


def test_trusted_hosts_come_from_the_environment(monkeypatch):
    """TRUSTED_HOSTS is a comma-separated list; unset means any host (development)."""
    from drafting import config

    monkeypatch.setenv("TRUSTED_HOSTS", "drafting.example.org, www.drafting.example.org")
    assert config.from_environment()["TRUSTED_HOSTS"] == [
        "drafting.example.org",
        "www.drafting.example.org",
    ]
    monkeypatch.delenv("TRUSTED_HOSTS")
    assert config.from_environment()["TRUSTED_HOSTS"] is None


def test_templates_have_no_inline_script(app):
    """The CSP forbids inline script; no template may rely on it."""
    import pathlib
    import re

    templates = pathlib.Path(app.template_folder).rglob("*.html")
    for template in templates:
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"\son[a-z]+=", text), template


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/login", {"email": "a@example.org", "password": "x"}),
        ("/register", {"name": "A", "email": "a@example.org", "password": "x" * 12}),
        ("/logout", {}),
    ],
)
def test_forms_refuse_posts_without_csrf(client, url, fields):
    """A form posted from another site (no token) is refused with 400, and does nothing."""
    response = client.post(url, data=fields)
    assert response.status_code == 400
    assert "expired or came from another site" in response.get_data(as_text=True)


def test_signed_in_forms_refuse_posts_without_csrf(client, factory):
    """Creating a caucus or a token needs the token too."""
    client.login(factory.user())
    assert client.post("/caucuses", data={"name": "Sneaky"}).status_code == 400
    assert client.post("/settings/tokens", data={"name": "sneaky"}).status_code == 400
    assert "Sneaky" not in client.get("/caucuses").get_data(as_text=True)


def test_cookie_authenticated_api_writes_need_the_csrf_header(client, factory):
    """The browser's own JavaScript sends X-CSRFToken; a forged request without it fails."""
    client.login(factory.user())
    refused = client.post("/api/v1/caucuses", json={"name": "Forged"})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "csrf_failed"
    accepted = client.post(
        "/api/v1/caucuses", json={"name": "Real"}, headers={"X-CSRFToken": client.csrf()}
    )
    assert accepted.status_code == 201


def test_production_cookies_are_secure(monkeypatch):
    """In production the session and remember cookies are sent over HTTPS only."""
    monkeypatch.setenv("DRAFTING_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret-value")
    monkeypatch.setenv("BASE_URL", "https://drafting.example.org")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_cookies_work_over_http():
    """On http://127.0.0.1 in development, cookies must not require HTTPS."""
    app = create_app(test_config("sqlite://"))
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_allowed_image_hosts_are_in_the_policy(app, client, monkeypatch):
    """Images from an allowed host load; every other host stays blocked."""
    monkeypatch.setitem(app.config, "ALLOWED_IMAGE_HOSTS", ["images.example.org"])
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' https://images.example.org;" in policy


def test_nul_characters_are_refused_everywhere(client, factory):
    """PostgreSQL cannot store NUL: forms and queries with one get 400, never 500."""
    refused = client.submit("/login", {"email": "a\x00@example.org", "password": "x"})
    assert refused.status_code == 400
    client.login(factory.user())
    assert client.submit("/caucuses", {"name": "Nul\x00"}).status_code == 400
    assert client.get("/caucuses?x=\x00").status_code == 400
