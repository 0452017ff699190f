"""Without Redis, limit counts live in a SQLite file that every process shares."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from drafting import config
from drafting import create_app
from drafting.limit_store import SQLiteFileStorage
from drafting.limit_store import storage_uri
from tests.conftest import test_config


@pytest.fixture
def store(tmp_path) -> SQLiteFileStorage:
    """A counts file of the test's own."""
    return SQLiteFileStorage(storage_uri(tmp_path / "counts.sqlite3"))


def test_counters_count_expire_and_clear(store):
    """The operations the fixed-window strategy uses."""
    assert store.get("k") == 0
    assert [store.incr("k", 60) for _n in range(3)] == [1, 2, 3]
    assert store.get("k") == 3
    assert time.time() + 59 < store.get_expiry("k") <= time.time() + 60
    store.clear("k")
    assert store.get("k") == 0
    store.incr("gone", 60)
    assert store.reset() == 1
    assert store.check()


def test_an_expired_counter_starts_again(store):
    """Past its expiry a counter counts from one, with a new expiry."""
    assert store.incr("k", 0, amount=5) == 5
    assert store.get("k") == 0
    assert store.incr("k", 60) == 1


def count_in_another_process(uri: str, times: int) -> None:
    """A worker counting through its own connection."""
    storage = SQLiteFileStorage(uri)
    for _n in range(times):
        storage.incr("shared", 60)


def test_processes_add_up(tmp_path):
    """Four processes counting at once lose no count."""
    uri = storage_uri(tmp_path / "counts.sqlite3")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=count_in_another_process, args=(uri, 50)) for _n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    assert SQLiteFileStorage(uri).get("shared") == 200


def test_without_redis_every_worker_shares_the_counts(app, monkeypatch, tmp_path):
    """Each create_app() is a new worker with its own storage object, as under gunicorn; with
    the default store (no REDIS_URL), a later worker still sees the earlier ones' counts."""
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.delenv("REDIS_URL", raising=False)
    shared = config.from_environment()["RATELIMIT_STORAGE_URI"]
    settings = test_config(
        app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_STORAGE_URI=shared, TOKEN_LIMITS="2/minute"
    )
    statuses = []
    try:
        for _worker in range(3):
            with create_app(settings).test_client() as web:
                response = web.post(
                    "/api/v1/auth/token",
                    json={"email": "nobody@example.org", "password": "wrong one"},
                    environ_base={"REMOTE_ADDR": "10.9.9.9"},
                )
                statuses.append(response.status_code)
    finally:
        create_app(test_config("sqlite://"))  # the limiter is global: back to memory storage
    assert statuses == [401, 401, 429]
