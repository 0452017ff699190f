"""What one person and one sync may take of a document (issue 12, "Sync abuse"): sessions
per person and document, how often they are opened, edits and delta size per sync, the
time a sync merges while it holds the lock, and a bounded editors list read after it."""

import json
import secrets
import time
from datetime import timedelta

import sqlalchemy as sa

from drafting.caucuses.models import Role
from drafting.collab import service
from drafting.collab.models import EditSession
from drafting.documents.models import Document
from drafting.extensions import db
from drafting.extensions import utcnow
from tests.collab.client import SyncClient


def server_text(live_doc) -> str:
    """The live text as GET /documents/{id} returns it."""
    _status, body = live_doc["owner"].get(f"/api/v1/documents/{live_doc['id']}")
    return body["content"]


def document_state(app, document_id: int) -> tuple[str, int]:
    """(live text, live version) as stored."""
    with app.app_context():
        document = db.session.get(Document, document_id)
        return document.content, document.live_version


def open_sessions(app, document_id: int, user_id: int) -> list[str]:
    """The client ids of a person's open sessions of a document, oldest first."""
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(EditSession.client_id)
                .where(
                    EditSession.document_id == document_id,
                    EditSession.user_id == user_id,
                    EditSession.closed_at.is_(None),
                )
                .order_by(EditSession.id)
            )
        )


def another_tab(client: SyncClient) -> SyncClient:
    """The same person opens the paper in one more tab."""
    tab = SyncClient(client.transport, client.document_id)
    tab.open()
    return tab


def typed_stack(client: SyncClient, count: int) -> None:
    """`count` edits on the client's stack, each a token at the end (typed through
    failures: nothing was sent)."""
    for number in range(count):
        client.edit(client.text + f" [t{number}]")
        client.prepare()


# --------------------------------------------------------------------------------------
# Sessions per person and document
# --------------------------------------------------------------------------------------


def test_a_person_keeps_ten_sessions_of_a_paper_the_tab_seen_least_recently_ends(app, live_doc):
    """Opening an eleventh tab works; the tab not seen for longest gets 404 "session ended,
    reconnecting", reconnects with its typing, and converges. Others' tabs are untouched."""
    amina = live_doc["client_for"]()
    lucia = live_doc["client_for"]()
    tabs = [another_tab(amina) for _ in range(8)]  # nine tabs
    amina.edit(amina.text.replace("act.", "act now."))
    amina.sync()  # Amina's first tab is now the one seen most recently
    tabs.append(another_tab(amina))  # ten: nobody ends yet
    assert len(open_sessions(app, live_doc["id"], amina.person.id)) == 10
    newest = another_tab(amina)  # eleven: the tab seen least recently ends (tabs[0])
    kept = open_sessions(app, live_doc["id"], amina.person.id)
    assert len(kept) == 10
    assert tabs[0].client_id not in kept
    assert {amina.client_id, newest.client_id, tabs[1].client_id} <= set(kept)
    assert open_sessions(app, live_doc["id"], lucia.person.id) == [lucia.client_id]

    tabs[0].edit("Preamble. " + tabs[0].text)
    status, body = tabs[0].transport.post(f"{tabs[0].base}/sync", tabs[0].prepare())
    assert status == 404, body
    assert body["error"]["message"] == "This editing session has ended. Reconnecting…"
    tabs[0].receive(status, body)  # reopens, rebasing its typing onto the live text
    assert tabs[0].reopened == 1
    for client in (tabs[0], amina, newest, lucia):
        client.sync()
    for client in (tabs[0], amina, newest, lucia):
        client.sync()
    assert server_text(live_doc) == "Preamble. Member States shall act now.\n"
    assert tabs[0].text == amina.text == newest.text == lucia.text == server_text(live_doc)


def test_opening_sessions_is_rate_limited_per_person_and_document(app, live_doc, monkeypatch):
    """Past the limit, 429 with Retry-After (the browser backs off and tries again); another
    person, or the same person in another paper, is not held back."""
    monkeypatch.setitem(app.config, "LIVE_SESSION_LIMITS", "3 per minute")
    amina = live_doc["client_for"]()  # one
    lucia = live_doc["client_for"]()
    another_tab(amina)
    another_tab(amina)  # three
    response = amina.transport.client.post(
        f"{amina.base}/sessions", json={}, headers=amina.transport.headers
    )
    assert response.status_code == 429, response.get_json()
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0
    status, body = lucia.transport.post(f"{lucia.base}/sessions", {})
    assert status == 201, body


# --------------------------------------------------------------------------------------
# Edits and delta size per sync
# --------------------------------------------------------------------------------------


def test_a_sync_carries_at_most_a_hundred_edits(app, live_doc):
    """422 naming the field, and nothing applied. The session tells the client the bound."""
    amina = live_doc["client_for"]()
    assert amina.limits == {"edits": 100, "delta_chars": 3 * 1024 * 1024}  # as opened
    before = document_state(app, live_doc["id"])
    typed_stack(amina, 101)
    body = {"client_id": amina.client_id, "m": 0, "edits": amina.stack}
    status, answer = amina.transport.post(f"{amina.base}/sync", body)
    assert status == 422, answer
    assert "at most 100 items" in answer["error"]["fields"]["edits"]
    assert document_state(app, live_doc["id"]) == before


def test_a_sync_past_three_megabytes_of_deltas_is_too_large(app, live_doc):
    """413, nothing applied, even when the text it would make is small (a paste, its undo,
    the paste again): the size of one request is bounded, not only the document's."""
    amina = live_doc["client_for"]()
    before = document_state(app, live_doc["id"])
    length = len(amina.text)
    paste = "a" * 1_600_000
    edits = [
        {"n": 0, "delta": f"={length}\t+{paste}"},
        {"n": 1, "delta": f"={length}\t-{len(paste)}"},
        {"n": 2, "delta": f"={length}\t+{paste}"},
    ]
    status, answer = amina.transport.post(
        f"{amina.base}/sync", {"client_id": amina.client_id, "m": 0, "edits": edits}
    )
    assert status == 413, answer
    assert answer["error"]["message"] == "One sync can carry at most 3 MB of changes."
    assert document_state(app, live_doc["id"]) == before


def test_the_client_sends_a_long_stack_in_parts_and_converges(live_doc):
    """A stack of 250 edits goes as 100, 100 and 50; while some of it is still to go, an
    answer's edits are for a text the client moved past, so it takes only the ack."""
    amina, lucia = live_doc["client_for"](), live_doc["client_for"]()
    typed_stack(amina, 250)
    lucia.edit("Preamble. " + lucia.text)
    lucia.sync()
    sent = []
    for _round in range(4):
        body = amina.prepare()
        sent.append(len(body["edits"]))
        amina.receive(*amina.transport.post(f"{amina.base}/sync", body))
    lucia.sync()
    assert sent == [100, 100, 50, 0]
    assert amina.text == lucia.text == server_text(live_doc)
    assert server_text(live_doc).startswith("Preamble. Member States shall act.")
    assert server_text(live_doc).endswith(" [t248] [t249]")
    assert amina.reopened == lucia.reopened == 0


# --------------------------------------------------------------------------------------
# The time one sync may merge while it holds the lock
# --------------------------------------------------------------------------------------


def test_a_sync_past_its_time_budget_acknowledges_the_edits_it_applied(app, live_doc, monkeypatch):
    """With no time to spare, one edit per sync: the answer acknowledges it and sends nothing
    of the live text (the client still holds the rest, typed on the text after it). The
    client sends the rest, the others keep typing, and everyone converges without reopening."""
    monkeypatch.setitem(app.config, "SYNC_TIME_BUDGET", 0.0)
    amina, lucia = live_doc["client_for"](), live_doc["client_for"]()
    lucia.edit("Preamble. " + lucia.text)
    lucia.sync()
    typed_stack(amina, 5)
    status, answer = amina.transport.post(f"{amina.base}/sync", amina.prepare())
    assert status == 200, answer
    assert (answer["ack"], answer["m"], answer["edits"]) == (1, 0, [])
    amina.receive(status, answer)
    for round_number in range(6):
        lucia.edit(f"[l{round_number}] " + lucia.text)
        lucia.sync()
        amina.sync()
    amina.sync()
    lucia.sync()
    assert amina.stack == []
    assert amina.text == lucia.text == server_text(live_doc)
    assert server_text(live_doc) == (
        "[l5] [l4] [l3] [l2] [l1] [l0] Preamble. Member States shall act.\n"
        " [t0] [t1] [t2] [t3] [t4]"
    )
    assert amina.reopened == lucia.reopened == 0


def test_a_sync_with_slow_merges_returns_within_its_budget(app, live_doc, monkeypatch):
    """A hundred edits whose merges take 20 ms each: the sync stops after its budget (0.2 s
    here) instead of holding the lock for 2 s, and says how far it got."""
    monkeypatch.setitem(app.config, "SYNC_TIME_BUDGET", 0.2)
    real_merge = service.merge_diffs

    def slow_merge(*args, **kwargs):
        time.sleep(0.02)
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(service, "merge_diffs", slow_merge)
    amina = live_doc["client_for"]()
    typed_stack(amina, 100)
    started = time.monotonic()
    status, answer = amina.transport.post(f"{amina.base}/sync", amina.prepare())
    took = time.monotonic() - started
    assert status == 200, answer
    assert 1 <= answer["ack"] < 100
    assert took < 1.0, took
    amina.receive(status, answer)
    assert len(amina.stack) == 100 - answer["ack"]


# --------------------------------------------------------------------------------------
# The editors list: bounded, and read outside the document's lock
# --------------------------------------------------------------------------------------


def many_sessions(app, document_id: int, user_ids: list[int], count: int) -> None:
    """`count` open sessions of the document, seen a few seconds ago, as thousands of tabs
    opened by few people would leave them (inserted directly: opening them through the API
    is bounded now)."""
    seen = utcnow() - timedelta(seconds=5)
    with app.app_context():
        version = db.session.get(Document, document_id).live_version
        db.session.execute(
            sa.insert(EditSession),
            [
                {
                    "client_id": secrets.token_urlsafe(18),
                    "document_id": document_id,
                    "user_id": user_ids[number % len(user_ids)],
                    "shadow_version": version,
                    "backup_version": version,
                    "last_seen_at": seen,
                    "created_at": seen,
                }
                for number in range(count)
            ],
        )
        db.session.commit()


def test_with_three_thousand_sessions_the_answer_names_fifty_and_counts_the_rest(app, live_doc):
    """The answer stays small (it was 465 KB here, with every tab listed): the fifty tabs
    seen most recently, in the order they opened, and a count of the others."""
    amina, vera = live_doc["client_for"](), live_doc["client_for"](Role.VIEWER)
    many_sessions(app, live_doc["id"], [vera.person.id], 3000)
    amina.sync()
    status, answer = amina.transport.post(
        f"{amina.base}/sync", {"client_id": amina.client_id, "m": amina.m, "edits": []}
    )
    assert status == 200, answer
    assert len(answer["editors"]) == 50
    assert answer["editors_unlisted"] == 3002 - 50
    listed = [editor["client_id"] for editor in answer["editors"]]
    assert amina.client_id in listed and vera.client_id in listed  # seen just now
    with app.app_context():
        ids = dict(db.session.execute(sa.select(EditSession.client_id, EditSession.id)).all())
    assert [ids[client_id] for client_id in listed] == sorted(ids[c] for c in listed)
    assert len(json.dumps(answer)) < 12_000


def test_the_editors_list_is_read_after_the_sync_commits(app, live_doc):
    """The document's row lock lasts until the transaction ends: the list is read after the
    commit, in a transaction of its own, so building it never holds the lock."""
    amina, lucia = live_doc["client_for"](), live_doc["client_for"]()
    amina.edit(amina.text + " More.")
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        amina.sync()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    kept = max(i for i, s in enumerate(statements) if s.startswith("UPDATE edit_sessions"))
    listed = min(
        i for i, s in enumerate(statements) if "JOIN users" in s and "FROM edit_sessions" in s
    )
    ends = [i for i, s in enumerate(statements) if s.startswith(("RELEASE SAVEPOINT", "COMMIT"))]
    assert any(kept < end < listed for end in ends), statements[kept:]
    assert [e["client_id"] for e in amina.editors] == [amina.client_id, lucia.client_id]


def test_the_list_is_the_tabs_seen_most_recently(app, live_doc):
    """Past fifty, a tab that syncs is listed (it was just seen) and one quiet for longest
    is not: the people typing are the ones shown."""
    amina, lucia = live_doc["client_for"](), live_doc["client_for"]()
    many_sessions(app, live_doc["id"], [lucia.person.id], 60)
    lucia.sync()
    amina.sync()
    listed = {editor["client_id"] for editor in amina.editors}
    assert {amina.client_id, lucia.client_id} <= listed
    with app.app_context():
        oldest = db.session.scalar(
            sa.select(EditSession.client_id)
            .where(EditSession.document_id == live_doc["id"])
            .order_by(EditSession.last_seen_at, EditSession.id)
        )
    assert oldest not in listed
    assert len(listed) == 50
