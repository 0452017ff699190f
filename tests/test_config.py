"""Configuration from the environment."""

import pytest

from drafting import create_app
from drafting.config import ConfigError
from drafting.config import database_url


@pytest.mark.parametrize("secret", [None, "", "dev", "change-me"])
def test_production_refuses_a_missing_or_default_secret_key(monkeypatch, secret):
    """Start-up stops with a message that says what to do."""
    monkeypatch.setenv("DRAFTING_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def production(monkeypatch, base_url: str | None) -> None:
    """A production environment with a good secret and the given BASE_URL."""
    monkeypatch.setenv("DRAFTING_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret-value")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    if base_url is None:
        monkeypatch.delenv("BASE_URL", raising=False)
    else:
        monkeypatch.setenv("BASE_URL", base_url)


@pytest.mark.parametrize(
    "base_url", [None, "", "drafting.example.org", "http://drafting.example.org", "https://"]
)
def test_production_refuses_a_missing_or_unsafe_base_url(monkeypatch, base_url):
    """Links in mail come from BASE_URL: production needs it, over HTTPS, like SECRET_KEY."""
    production(monkeypatch, base_url)
    with pytest.raises(ConfigError, match="BASE_URL"):
        create_app()


def test_production_takes_its_base_url_from_the_environment(monkeypatch):
    """A trailing slash is dropped; a path prefix stays."""
    production(monkeypatch, "https://example.org/drafting/")
    assert create_app().config["BASE_URL"] == "https://example.org/drafting"


def test_development_links_point_at_flask_run(monkeypatch):
    """Without BASE_URL, development mails link to where `flask run` serves."""
    from drafting.config import from_environment

    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.delenv("DRAFTING_ENV", raising=False)
    assert from_environment()["BASE_URL"] == "http://127.0.0.1:5000"


def test_development_generates_a_secret_key_once(monkeypatch, tmp_path):
    """Without SECRET_KEY, development makes one in instance/ and keeps it."""
    from drafting import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.from_environment()["SECRET_KEY"]
    second = config.from_environment()["SECRET_KEY"]
    assert first == second
    assert len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_plain_postgresql_url_uses_psycopg3():
    """DATABASE_URL=postgresql://… works as written."""
    assert database_url("postgresql://u@h:5432/db") == "postgresql+psycopg://u@h:5432/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:////x.db") == "sqlite:////x.db"


def test_default_database_is_sqlite_under_instance():
    """Nothing to install: SQLite in instance/."""
    assert database_url(None).startswith("sqlite:///")
    assert database_url(None).endswith("instance/drafting.sqlite3")


def test_redis_url_stores_rate_limits(monkeypatch):
    """With REDIS_URL, rate limits are shared by every worker through Redis."""
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    from drafting.config import from_environment

    assert from_environment()["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_open_registration_switch(monkeypatch):
    """OPEN_REGISTRATION=0 makes the instance invite-only."""
    monkeypatch.setenv("OPEN_REGISTRATION", "0")
    from drafting.config import from_environment

    assert from_environment()["OPEN_REGISTRATION"] is False


def test_proxy_hops_trust_the_forwarded_address(monkeypatch):
    """With PROXY_HOPS=1, the client address comes from X-Forwarded-For (for rate limits)."""
    from flask import request

    from tests.conftest import test_config

    app = create_app(test_config("sqlite://", PROXY_HOPS=1))

    @app.get("/_address")
    def address():
        return request.remote_addr

    with app.test_client() as web:
        seen = web.get("/_address", headers={"X-Forwarded-For": "203.0.113.9"}).text
    assert seen == "203.0.113.9"


def test_without_proxy_hops_forwarded_headers_are_ignored():
    """By default nobody can forge their address with a header."""
    from flask import request

    from tests.conftest import test_config

    app = create_app(test_config("sqlite://"))

    @app.get("/_address")
    def address():
        return request.remote_addr

    with app.test_client() as web:
        seen = web.get("/_address", headers={"X-Forwarded-For": "203.0.113.9"}).text
    assert seen == "127.0.0.1"
