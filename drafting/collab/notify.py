"""Change notifications: wake the other tabs of a document as soon as its text changes.

With REDIS_URL, a sync publishes the document's new live version and waiting requests
(on any worker, any machine) hear it at once. Without Redis, waiting requests look at
the document's live version in the database a few times a second.

A waiting request holds one of the server's threads, with no transaction open. So that
waiting can never take every thread, a process lets at most LONG_POLLS_WAITING requests
wait at once, LONG_POLLS_PER_PERSON of them one person's; any more are answered at once
with the version as it stands (the editor asks again a second later, as after any answer
that found nothing new).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import redis
import sqlalchemy as sa
from flask import current_app

from drafting.documents.models import Document
from drafting.extensions import db

DATABASE_POLL_SECONDS = 0.25


def channel(document_id: int) -> str:
    """The Redis channel of one document."""
    return f"drafting:document:{document_id}"


def redis_client() -> redis.Redis | None:
    """A Redis connection when configured (shared per app, thread-safe pool)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    clients = current_app.extensions.setdefault("drafting_redis", {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_timeout=30, health_check_interval=30)
    return clients[url]


def publish(document_id: int, version: int) -> None:
    """Tell every waiting tab that the document reached `version` (best effort)."""
    client = redis_client()
    if client is None:
        return
    try:
        client.publish(channel(document_id), str(version))
    except redis.RedisError:
        current_app.logger.warning("could not publish a change of document %s", document_id)


def current_version(document_id: int) -> int:
    """The live version as committed, read in a transaction of its own."""
    version = db.session.scalar(sa.select(Document.live_version).where(Document.id == document_id))
    db.session.commit()  # end the transaction at once: SQLite holds its lock until then
    return version or 0


class Waiting:
    """The long waits in flight in this process: in all, and per person."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_person: Counter = Counter()

    @contextmanager
    def slot(self, person: object) -> Iterator[bool]:
        """Whether this request may wait (True) or must answer at once (False)."""
        config = current_app.config
        with self.lock:
            allowed = (
                sum(self.by_person.values()) < config["LONG_POLLS_WAITING"]
                and self.by_person[person] < config["LONG_POLLS_PER_PERSON"]
            )
            if allowed:
                self.by_person[person] += 1
        try:
            yield allowed
        finally:
            if allowed:
                with self.lock:
                    self.by_person[person] -= 1
                    if not self.by_person[person]:
                        del self.by_person[person]


WAITING = Waiting()


def wait_for_change(document_id: int, after: int, timeout: float, person: object = None) -> int:
    """Return the live version as soon as it passes `after`, or when `timeout` runs out
    (at once when this process already has as many waits as it allows, or `person` has)."""
    version = current_version(document_id)
    if version > after:
        return version
    with WAITING.slot(person) as may_wait:
        return wait_for_version(document_id, after, timeout) if may_wait else version


def wait_for_version(document_id: int, after: int, timeout: float) -> int:
    """Wait for the live version to pass `after`: on Redis when configured, else polling."""
    client = redis_client()
    if client is not None:
        try:
            return wait_with_redis(client, document_id, after, timeout)
        except redis.RedisError:
            current_app.logger.warning("Redis unavailable; waiting on the database instead")
    return wait_with_database(document_id, after, timeout)


def wait_with_redis(client: redis.Redis, document_id: int, after: int, timeout: float) -> int:
    """Listen on the document's channel (checking the database once subscribed, so a
    change published between our first look and the subscription is not missed)."""
    deadline = time.monotonic() + timeout
    with client.pubsub(ignore_subscribe_messages=True) as pubsub:
        pubsub.subscribe(channel(document_id))
        version = current_version(document_id)
        while version <= after and (remaining := deadline - time.monotonic()) > 0:
            message = pubsub.get_message(timeout=min(remaining, 5.0))
            if message is not None:
                version = max(version, int(message["data"]))
    return version


def wait_with_database(document_id: int, after: int, timeout: float) -> int:
    """Look at the live version a few times a second until it passes `after`."""
    deadline = time.monotonic() + timeout
    version = after
    while time.monotonic() < deadline:
        version = current_version(document_id)
        if version > after:
            return version
        time.sleep(DATABASE_POLL_SECONDS)
    return version
