"""Rate limits: sign-in failures (the guesser waits, the owner does not) and token creation."""

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def tight_limits(app, monkeypatch):
    """Three attempts a minute, so the tests reach the limit quickly."""
    monkeypatch.setitem(app.config, "SIGN_IN_ADDRESS_FAILURES", "3 per minute")
    monkeypatch.setitem(app.config, "TOKEN_LIMITS", "3 per minute")


def attempt_login(client, email, address, password="wrong password", csrf=None):
    """One sign-in attempt from a given address."""
    return client.post(
        "/login",
        data={"csrf_token": csrf or client.csrf(), "email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_sign_in_failures_are_limited_per_address(client, factory, tight_limits):
    """One address guessing at many accounts is stopped."""
    statuses = [
        attempt_login(client, f"p{n}@example.org", "10.0.0.1").status_code for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert "Too many failed attempts" in attempt_login(client, "x@example.org", "10.0.0.1").text


def test_the_owner_signs_in_after_thirteen_wrong_passwords(client, factory):
    """With the default settings, 13 guesses from one address leave the owner's own address
    alone: the guesser waits, the owner does not."""
    victim = factory.user()
    csrf = client.csrf()
    guesses = [attempt_login(client, victim.email, "10.6.6.6", csrf=csrf) for _n in range(13)]
    assert guesses[-1].status_code == 429
    owner = attempt_login(client, victim.email, "10.1.1.1", password=PASSWORD, csrf=csrf)
    assert owner.status_code == 302


def test_the_owner_signs_in_after_guesses_from_many_addresses(client, app, factory):
    """148 guesses spread over addresses (which used to lock the account for a day) leave a
    clean address alone, on the page and through the API."""
    victim = factory.user()
    csrf = client.csrf()
    for n in range(148):
        attempt_login(client, victim.email, f"10.7.{n % 15}.1", csrf=csrf)
    owner = attempt_login(client, victim.email, "10.1.1.1", password=PASSWORD, csrf=csrf)
    assert owner.status_code == 302
    script = app.test_client().post(
        "/api/v1/auth/token",
        json={"email": victim.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.1.1.2"},
    )
    assert script.status_code == 201


def test_the_guesser_waits_even_with_the_right_password(client, factory):
    """While an address waits for an account, no password is looked at, the right one neither."""
    victim = factory.user()
    csrf = client.csrf()
    statuses = [
        attempt_login(client, victim.email, "10.6.6.7", csrf=csrf).status_code for _n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    right = attempt_login(client, victim.email, "10.6.6.7", password=PASSWORD, csrf=csrf)
    assert right.status_code == 429
    assert int(right.headers["Retry-After"]) >= 1
    assert "Too many failed attempts" in right.text


def test_the_api_makes_guessers_wait_too(app, factory):
    """Guesses through POST /api/v1/auth/token count with the page's, and wait the same."""
    victim = factory.user()
    web = app.test_client()
    statuses = [
        web.post(
            "/api/v1/auth/token",
            json={"email": victim.email, "password": "wrong password"},
            environ_base={"REMOTE_ADDR": "10.6.6.8"},
        ).status_code
        for _n in range(5)
    ]
    assert statuses == [401, 401, 401, 401, 429]


def test_waits_double_with_each_failure(app, factory, monkeypatch):
    """Three free failures, then 1, 2, 4 … seconds, up to the maximum; a correct password
    from the pair, once it may try again, starts it over."""
    from drafting.accounts import throttle
    from drafting.extensions import limiter

    monkeypatch.setitem(app.config, "SIGN_IN_MAX_DELAY", 8)
    victim = factory.user()
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.6.6.9"}):
        waits = []
        for _n in range(7):
            throttle.record_failure("10.6.6.9", victim.email)
            waits.append(round(throttle.seconds_to_wait("10.6.6.9", victim.email)))
        assert waits == [0, 0, 0, 1, 2, 4, 8]
        limiter.storage.clear(throttle.key("wait", "10.6.6.9", victim.email))  # time passes
        assert throttle.authenticate(victim.email, PASSWORD).id == victim.id
        throttle.record_failure("10.6.6.9", victim.email)
        assert throttle.seconds_to_wait("10.6.6.9", victim.email) == 0


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
