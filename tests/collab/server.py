"""A real server for the protocol: gunicorn with several workers, and people to sign in.

Shared by tests/collab/test_gunicorn.py and bench/collab.py; no pytest here. Traffic only
goes to 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from drafting.accounts import service as accounts
from drafting.caucuses import service as caucuses
from drafting.caucuses.models import Role
from drafting.documents import service as documents
from drafting.documents.models import Document
from drafting.extensions import db

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
PASSWORD = "correct horse battery staple"


@dataclass
class Seeded:
    """What `seed` made: the document and a Bearer token per editor."""

    document_id: int
    owner_token: str
    editor_tokens: list[str]
    editor_ids: list[int]


def seed(app, *, editors: int, content: str, title: str = "Live paper") -> Seeded:
    """An owner, `editors` editors with a token each, and one document, all committed."""
    with app.app_context():
        owner = accounts.create_user("owner@example.org", name="Amina Diallo", password=PASSWORD)
        caucus = caucuses.create_caucus(owner, name="Women in Migration Caucus")
        document = documents.create_document(caucus, owner, title=title, content=content)
        _token, owner_token = accounts.create_token(owner, "owner")
        tokens, ids = [], []
        for number in range(editors):
            person = accounts.create_user(
                f"editor{number}@example.org", name=f"Editor {number}", password=PASSWORD
            )
            caucuses.add_member(caucus, person, Role.EDITOR)
            _token, secret = accounts.create_token(person, "live")
            tokens.append(secret)
            ids.append(person.id)
        db.session.commit()
        return Seeded(document.id, owner_token, tokens, ids)


def copy_document(app, document_id: int, content: str, title: str) -> int:
    """A new document with `content`, in the caucus of a seeded one, by its owner; its id."""
    with app.app_context():
        seeded = db.session.get(Document, document_id)
        copy = documents.create_document(
            seeded.caucus, seeded.created_by, title=title, content=content
        )
        db.session.commit()
        return copy.id


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    """Poll /healthz until it answers 200 (or the server died, or time ran out)."""
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/healthz"
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn did not become healthy in time")
        time.sleep(0.2)


@contextmanager
def gunicorn(
    database_url: str,
    *,
    log_path: Path,
    workers: int = 4,
    threads: int = 8,
    redis_url: str | None = "redis://127.0.0.1:6379/15",
    extra_env: dict[str, str] | None = None,
) -> Iterator[tuple[int, subprocess.Popen]]:
    """Serve wsgi:app with gunicorn (gthread) on a free port; always stopped afterwards.

    The repository's gunicorn.conf.py is read as in production; the command line sets the
    workers, threads and address. Its log (access log included) goes to `log_path`.
    """
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "gunicorn-test-secret-key-not-for-production",
        "DRAFTING_ENV": "development",
        "LOG_LEVEL": "warning",
        **({"REDIS_URL": redis_url} if redis_url else {}),
        **(extra_env or {}),
    }
    if not redis_url:
        env.pop("REDIS_URL", None)
    command = [
        str(GUNICORN),
        "-w",
        str(workers),
        "-k",
        "gthread",
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "wsgi:app",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_healthy(port, process)
            yield port, process
        finally:
            stop(process)


def stop(process: subprocess.Popen) -> None:
    """Stop gunicorn: SIGTERM (graceful), then SIGKILL if it takes too long."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
