"""Rate limits on sign-in and token creation, per address and per account."""

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def tight_limits(app, monkeypatch):
    """Three attempts a minute, so the tests reach the limit quickly."""
    monkeypatch.setitem(app.config, "LOGIN_LIMITS", "3 per minute")
    monkeypatch.setitem(app.config, "TOKEN_LIMITS", "3 per minute")


def attempt_login(client, email, address):
    """One sign-in attempt from a given address."""
    return client.post(
        "/login",
        data={"csrf_token": client.csrf(), "email": email, "password": "wrong password"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_sign_in_is_limited_per_address(client, factory, tight_limits):
    """One address guessing at many accounts is stopped."""
    statuses = [
        attempt_login(client, f"p{n}@example.org", "10.0.0.1").status_code for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert "Too many attempts" in attempt_login(client, "x@example.org", "10.0.0.1").text


def test_sign_in_is_limited_per_account(client, factory, tight_limits):
    """Guesses at one account spread over many addresses are stopped too."""
    user = factory.user()
    statuses = [attempt_login(client, user.email, f"10.0.0.{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_limit_on_one_account_leaves_others_alone(client, factory, tight_limits):
    """Someone hammering one account does not lock out another person elsewhere."""
    victim, other = factory.user(), factory.user()
    for n in range(4):
        attempt_login(client, victim.email, f"10.0.1.{n}")
    response = client.post(
        "/login",
        data={"csrf_token": client.csrf(), "email": other.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.2.1"},
    )
    assert response.status_code == 302


def test_api_token_creation_is_limited(client, factory, tight_limits):
    """POST /api/v1/auth/token answers 429 in the house format past the limit."""
    user = factory.user()
    statuses = []
    for _attempt in range(4):
        response = client.post(
            "/api/v1/auth/token",
            json={"email": user.email, "password": "wrong password"},
            environ_base={"REMOTE_ADDR": "10.0.3.1"},
        )
        statuses.append(response.status_code)
    assert statuses == [401, 401, 401, 429]
    assert response.get_json()["error"]["code"] == "rate_limited"


def test_api_token_creation_is_limited_per_account(client, factory, tight_limits):
    """The same account from many addresses is limited as well."""
    user = factory.user()
    statuses = [
        client.post(
            "/api/v1/auth/token",
            json={"email": user.email, "password": "wrong password"},
            environ_base={"REMOTE_ADDR": f"10.0.4.{n}"},
        ).status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


def test_settings_token_creation_is_limited(client, factory, tight_limits):
    """Creating tokens on the settings page is limited per person."""
    client.login(factory.user())
    statuses = [client.submit("/settings/tokens", {"name": f"t{n}"}).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def redis_reachable() -> bool:
    """True when the Redis of this machine answers."""
    import redis

    try:
        return redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not redis_reachable(), reason="Redis is not running on 127.0.0.1:6379")
def test_limits_are_shared_across_workers_through_redis(app):
    """A worker started later sees the counts of earlier ones: they live in Redis.

    Each create_app() gives the limiter a new storage connection, as a new gunicorn worker
    would; with in-memory storage the third attempt would start from zero.
    """
    import ipaddress
    import uuid

    from drafting import create_app
    from tests.conftest import test_config

    config = test_config(
        app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
        TOKEN_LIMITS="2 per minute",
    )
    # A fresh address and account each run: the counts outlive the test in Redis a minute.
    address = str(ipaddress.IPv4Address(0x0A000000 + uuid.uuid4().int % 0xFFFFFF))
    statuses = []
    try:
        for _worker in range(3):
            with create_app(config).test_client() as web:
                response = web.post(
                    "/api/v1/auth/token",
                    json={"email": f"nobody-{address}@example.org", "password": "wrong one"},
                    environ_base={"REMOTE_ADDR": address},
                )
                statuses.append(response.status_code)
    finally:
        create_app(test_config("sqlite://"))  # the limiter is global: back to memory storage
    assert statuses == [401, 401, 429]
