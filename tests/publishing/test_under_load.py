"""The site keeps answering while one account keeps it busy with long waits and prints.

Before, eight long-polls by one viewer made `/healthz` wait 18.6 s, and eight draft PDFs of
a heavy paper 61.5 s: each held a server thread for its whole wait or print. Here one
account holds 16 long waits and asks for 8 heavy prints at once, on gunicorn with one
worker of 8 threads, and `/healthz` must answer within a second all along.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request

import pytest

from drafting import create_app
from drafting.documents import service as documents
from drafting.documents.models import Document
from drafting.extensions import db
from tests.collab.joining import make_paper
from tests.collab.server import gunicorn
from tests.collab.server import seed
from tests.conftest import scratch_postgres
from tests.conftest import test_config
from tests.conftest import upgrade_to_head

LONG_WAITS, PRINTS = 16, 8
HEALTHY_WITHIN = 1.0  # seconds


def heavy_paper_with_revisions(app, revisions: int) -> tuple[int, str, int]:
    """A long paper with `revisions` revisions, each printed anew: (id, token, live version)."""
    seeded = seed(app, editors=0, content=make_paper(30_000))
    with app.app_context():
        document = db.session.get(Document, seeded.document_id)
        for number in range(2, revisions + 1):
            documents.save_content(
                document,
                author=document.caucus.memberships[0].user,
                base_revision=document.head_revision,
                content=document.content + f"\n\nParagraph {number}.",
            )
        db.session.commit()
        return document.id, seeded.owner_token, document.live_version


def get(port: int, path: str, token: str | None = None, timeout: float = 60) -> tuple[int, float]:
    """GET a path on the server: (status, seconds it took)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


@pytest.mark.committed
@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (set TEST_DATABASE_URL)"
)
def test_healthz_answers_while_one_account_holds_long_waits_and_prints(tmp_path):
    with scratch_postgres() as url:
        server_app = create_app(test_config(url))
        upgrade_to_head(server_app)
        document_id, token, version = heavy_paper_with_revisions(server_app, PRINTS)
        with server_app.app_context():
            db.engine.dispose()
        with gunicorn(url, log_path=tmp_path / "gunicorn.log", workers=1, threads=8) as (port, _):
            busy = [
                f"/api/v1/documents/{document_id}/changes?after={version}&timeout=6"
                for _wait in range(LONG_WAITS)
            ] + [f"/api/v1/documents/{document_id}/pdf?revision={n}" for n in range(1, PRINTS + 1)]
            answers: list[int] = []
            senders = [
                threading.Thread(target=lambda path=path: answers.append(get(port, path, token)[0]))
                for path in busy
            ]
            for sender in senders:
                sender.start()
            time.sleep(0.5)  # all of them in flight
            health = [get(port, "/healthz", timeout=30) for _check in range(6)]
            for sender in senders:
                sender.join(90)
    slowest = max(seconds for _status, seconds in health)
    assert all(status == 200 for status, _seconds in health) and slowest < HEALTHY_WITHIN, health
    assert sorted(set(answers)) <= [200, 429, 503], answers  # refused or pending, never a 500
    print(json.dumps({"healthz_slowest_seconds": round(slowest, 3), "answers": sorted(answers)}))
