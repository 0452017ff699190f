"""Rate-limit counts in a SQLite file that every process of the machine shares, without Redis.

Flask-Limiter's memory storage belongs to one process: under gunicorn's workers each counted
its own, so "10 per hour" let twelve endorsements (and more with more workers) through one
address. Without REDIS_URL the counts live here instead, in instance/ratelimits.sqlite3: a file
of its own, apart from the application's database, so that counting never waits for (or holds)
the write lock of a request on SQLite. Each count is one statement in SQLite's autocommit
mode, atomic across processes. Several machines need Redis (REDIS_URL), which they all reach.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from limits.storage import Storage

SCHEME = "drafting+sqlite"
PURGE_EVERY = 1000  # counts between two sweeps of expired rows
WAL_ATTEMPTS = 100  # two seconds at most; counting works without WAL too, only slower

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS counters "
    "(key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at REAL NOT NULL)"
)
# A counter past its expiry starts again from this count, with a new expiry.
INCREMENT = (
    "INSERT INTO counters (key, value, expires_at) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (key) DO UPDATE SET "
    "value = CASE WHEN expires_at <= :now THEN excluded.value ELSE value + excluded.value END, "
    "expires_at = CASE WHEN expires_at <= :now THEN excluded.expires_at ELSE expires_at END "
    "RETURNING value"
)


def storage_uri(path: os.PathLike | str) -> str:
    """The RATELIMIT_STORAGE_URI of a counts file."""
    return f"{SCHEME}://{os.fspath(path)}"


def use_wal(connection: sqlite3.Connection) -> None:
    """Switch the file to WAL (it stays so), where writers do not block readers. Processes
    opening a new file at once race for it, and SQLite answers the losers "locked" without
    waiting for the busy timeout: they try again, briefly, until it is done."""
    for _attempt in range(WAL_ATTEMPTS):
        try:
            connection.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            time.sleep(0.02)
        else:
            return


class SQLiteFileStorage(Storage):
    """A `limits` storage (fixed windows) on a SQLite file; registered as drafting+sqlite://."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012  (the registry of `limits` reads this list)

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = urlsplit(uri).path
        self.local = threading.local()
        self.counted = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def connection(self) -> sqlite3.Connection:
        """This thread's connection; a new one in a new process (gunicorn forks after
        loading the app, and a SQLite connection must not cross a fork)."""
        if getattr(self.local, "pid", None) != os.getpid():
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            use_wal(connection)
            connection.execute(SCHEMA)
            self.local.connection, self.local.pid = connection, os.getpid()
        return self.local.connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add to a counter (starting it, with its expiry, if absent or expired)."""
        now = time.time()
        self.counted += 1
        if self.counted % PURGE_EVERY == 0:
            self.connection().execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
        values = {"key": key, "amount": amount, "expires": now + expiry, "now": now}
        return self.connection().execute(INCREMENT, values).fetchone()[0]

    def live(self, key: str, now: float) -> tuple[int, float] | None:
        """A counter's value and expiry, unless it is absent or expired."""
        query = "SELECT value, expires_at FROM counters WHERE key = ? AND expires_at > ?"
        return self.connection().execute(query, (key, now)).fetchone()

    def get(self, key: str) -> int:
        """A counter's value, 0 when absent or expired."""
        counter = self.live(key, time.time())
        return counter[0] if counter else 0

    def get_expiry(self, key: str) -> float:
        """When a counter expires (now when it is absent or expired)."""
        now = time.time()
        counter = self.live(key, now)
        return counter[1] if counter else now

    def check(self) -> bool:
        """Whether the file answers."""
        try:
            self.connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter."""
        return self.connection().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        """Forget one counter."""
        self.connection().execute("DELETE FROM counters WHERE key = ?", (key,))
