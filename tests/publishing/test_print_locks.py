"""Nothing slow runs inside a transaction: while a PDF prints, the database is free.

Before, a draft PDF printed inside its request's transaction, which on SQLite holds the
database's write lock from its start: every other write waited, then failed with
"database is locked". A version was printed while its document's row was locked, so live
syncs and saves of the paper waited for the print. These tests hold a print in flight and
write meanwhile, through the app, on each database.
"""

from __future__ import annotations

import threading
import time

import pytest

from drafting.caucuses.models import Role
from drafting.documents import service as documents
from drafting.publishing import pdf
from tests.conftest import bearer
from tests.conftest import fresh

WRITE_WITHIN = 2.0  # seconds: far less than SQLite's busy timeout (5 s) and a print


@pytest.fixture
def held_print(monkeypatch):
    """A stand-in engine whose prints wait until the test lets them finish."""
    state = {"started": threading.Event(), "go": threading.Event()}

    def render(request) -> bytes:
        state["started"].set()
        state["go"].wait(15)
        return b"%PDF-1.7\n% stand-in\n%%EOF\n"

    monkeypatch.setattr(pdf, "render_pdf", render)
    yield state
    state["go"].set()


@pytest.fixture
def paper(factory):
    """A rapporteur's and an editor's tokens, and their document."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    editor = factory.member(caucus, Role.EDITOR)
    with factory.context():
        document = documents.create_document(
            fresh(caucus), fresh(owner), title="Platform", content="Member States shall act.\n"
        )
        document_id = document.id
        documents.db.session.commit()
    return {"id": document_id, "owner": factory.token(owner), "editor": factory.token(editor)}


def in_background(app, method: str, url: str, token: str, **kwargs) -> dict:
    """Send a request from another thread; its answer lands in the returned dict."""
    answer: dict = {}

    def send() -> None:
        with app.test_client() as client:
            response = client.open(url, method=method, headers=bearer(token), **kwargs)
            answer["status"] = response.status_code

    answer["thread"] = threading.Thread(target=send)
    answer["thread"].start()
    return answer


def save(app, paper: dict) -> tuple[int, float]:
    """The editor saves a new text: (status, seconds it took)."""
    started = time.monotonic()
    with app.test_client() as client:
        head = client.get(f"/api/v1/documents/{paper['id']}", headers=bearer(paper["editor"]))
        response = client.put(
            f"/api/v1/documents/{paper['id']}/content",
            headers=bearer(paper["editor"]),
            json={
                "base_revision": head.get_json()["revision"],
                "content": f"Member States shall act at once ({time.monotonic()}).\n",
            },
        )
    return response.status_code, time.monotonic() - started


@pytest.mark.committed  # the print, the save and the request each use their own connection
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/documents/{id}/pdf", None),
        ("POST", "/api/v1/documents/{id}/versions", {"label": "Round 1", "final": True}),
    ],
    ids=["draft pdf", "cutting a version"],
)
def test_a_save_goes_through_while_a_pdf_prints(app, paper, held_print, method, path, body):
    printing = in_background(
        app, method, path.format(id=paper["id"]), paper["owner"], **({"json": body} if body else {})
    )
    try:
        assert held_print["started"].wait(10), "the print never started"
        status, took = save(app, paper)
        assert status == 200 and took < WRITE_WITHIN, (status, took)
    finally:
        held_print["go"].set()
        printing["thread"].join(20)
    assert printing["status"] in (200, 201)
