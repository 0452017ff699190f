"""The live-editing protocol in process: sessions, syncs, merges, errors."""

import os
import threading
import time
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa

from drafting import create_app
from drafting.accounts import service as accounts
from drafting.caucuses import service as caucuses
from drafting.caucuses.models import Role
from drafting.collab import notify
from drafting.collab.models import EditSession
from drafting.documents import live
from drafting.documents import service as documents
from drafting.documents.models import Document
from drafting.documents.models import Revision
from drafting.documents.models import RevisionAuthor
from drafting.extensions import db
from drafting.extensions import utcnow
from tests.collab.client import SyncClient
from tests.collab.conftest import FlaskTransport
from tests.conftest import PASSWORD
from tests.conftest import test_config


def server_text(live_doc) -> str:
    """The live text as GET /documents/{id} returns it."""
    _status, body = live_doc["owner"].get(f"/api/v1/documents/{live_doc['id']}")
    return body["content"]


def test_two_editors_converge(live_doc):
    """Each sees the other's words after syncing twice; the server has both."""
    amina, lucia = live_doc["client_for"](), live_doc["client_for"]()
    amina.edit(amina.text.replace("shall act.", "shall act now."))
    lucia.edit("Preamble. " + lucia.text)
    for _round in range(2):
        amina.sync()
        lucia.sync()
    assert amina.text == lucia.text == server_text(live_doc)
    assert server_text(live_doc) == "Preamble. Member States shall act now.\n"


def test_tokens_typed_at_one_point_by_two_editors_both_survive_whole(live_doc):
    """Regression (the lost "[h7s24𝄞]" of test_gunicorn.py): Amina and Lucía each type a
    token just before "[h1s2]", which sits inside "States". Both diffs place the typing
    after that token's "[" ("h7s24𝄞][" rather than "[h7s24𝄞]"), at the same point of the
    shadow; the server's merge kept both but put a space between them, cutting Amina's
    token to "[ h7s24𝄞]": converged, nothing reopened, and her token gone."""
    amina, lucia = live_doc["client_for"](), live_doc["client_for"]()
    amina.edit(amina.text.replace("States", "Sta[h1s2]tes"))
    amina.sync()
    lucia.sync()
    lucia.edit(lucia.text.replace("[h1s2]", "[h9s5][h1s2]"))
    lucia.sync()
    amina.edit(amina.text.replace("[h1s2]", "[h7s24𝄞][h1s2]"))
    amina.sync()  # merged at one point with Lucía's token, which the server already has
    lucia.sync()
    assert amina.text == lucia.text == server_text(live_doc)
    assert server_text(live_doc) == "Member Sta[h9s5][h7s24𝄞][h1s2]tes shall act.\n"
    assert amina.reopened == lucia.reopened == 0


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def post_sync(client, body: dict) -> tuple[int, dict]:
    """Send a sync body as is (no client bookkeeping): for faults and broken bodies."""
    return client.transport.post(f"{client.base}/sync", body)


def document_state(app, document_id: int) -> tuple[str, int, int]:
    """(live text, live version, head revision) as stored."""
    with app.app_context():
        document = db.session.get(Document, document_id)
        return document.content, document.live_version, document.head_revision


def edit_session(app, client_id: str) -> EditSession:
    """A tab's session row as stored."""
    with app.app_context():
        return db.session.scalar(sa.select(EditSession).where(EditSession.client_id == client_id))


def insert_after(text: str, anchor: str, words: str) -> str:
    """The text with `words` typed right after the first `anchor`."""
    at = text.index(anchor) + len(anchor)
    return text[:at] + words + text[at:]


# --------------------------------------------------------------------------------------
# Lost and duplicated messages
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed_meanwhile", [False, True])
def test_a_lost_response_is_recovered_through_the_backup(app, live_doc, typed_meanwhile):
    """The server applied Amina's edit but she never heard back: her next sync carries the
    same edit and the old `m`, which is the session's backup_m. Nothing is doubled, and
    Lucía's change, sent in the lost answer, reaches her all the same."""
    amina, lucia = live_doc["client_for"](), live_doc["client_for"]()
    lucia.edit("Preamble 🌍. " + lucia.text)
    lucia.sync()
    amina.edit(insert_after(amina.text, "shall", " [amina🌍]"))
    post_sync(amina, amina.prepare())  # handled by the server, the answer is lost

    session = edit_session(app, amina.client_id)
    assert session.shadow_n == 1  # her edit was applied…
    assert session.shadow_m == 1 and session.backup_m == 0 == amina.m  # …she missed m=0
    if typed_meanwhile:
        amina.edit(amina.text.replace("act.", "act [again]."))
    amina.sync()
    lucia.sync()

    expected = "Preamble 🌍. Member States shall [amina🌍] act.\n"
    if typed_meanwhile:
        expected = expected.replace("act.", "act [again].")
    assert amina.text == lucia.text == server_text(live_doc) == expected
    assert amina.reopened == lucia.reopened == 0


def test_a_duplicated_request_applies_its_edit_once(live_doc):
    """The same body twice: the second one's edit has n < shadow_n and is skipped."""
    amina, lucia = live_doc["client_for"](), live_doc["client_for"]()
    amina.edit(insert_after(amina.text, "States", " [twice?]"))
    body = amina.prepare()
    first, second = post_sync(amina, body), post_sync(amina, body)
    assert first[0] == second[0] == 200
    assert first[1]["ack"] == second[1]["ack"] == 1
    amina.receive(*second)
    lucia.sync()
    assert server_text(live_doc).count("[twice?]") == 1
    assert amina.text == lucia.text == server_text(live_doc)
    assert amina.reopened == 0


def test_a_late_copy_of_an_answered_request_does_not_desynchronise(app, live_doc):
    """Regression: the copy has the client's old `m` (the session's backup_m). Restoring the
    backup for it gave the server a shadow the client never had, under the `m` the client
    had reached: Lucía's next change then never reached Amina (or she had to reopen)."""
    amina, lucia = live_doc["client_for"](), live_doc["client_for"]()
    lucia.edit("Preamble. " + lucia.text)
    lucia.sync()
    amina.edit(insert_after(amina.text, "shall", " [amina]"))
    body = amina.prepare()
    amina.receive(*post_sync(amina, body))  # answered: Amina now has Lucía's preamble
    lucia.edit(lucia.text.replace("act.", "act at once."))
    lucia.sync()
    assert post_sync(amina, body)[0] == 200  # the network delivers a copy, late
    amina.sync()
    lucia.sync()
    assert amina.text == lucia.text == server_text(live_doc)
    assert server_text(live_doc) == "Preamble. Member States shall [amina] act at once.\n"
    assert amina.reopened == lucia.reopened == 0


def test_an_edit_from_the_future_is_out_of_sync(app, live_doc):
    """An edit numbered past shadow_n means the server missed one: 409, nothing applied."""
    amina = live_doc["client_for"]()
    before = document_state(app, live_doc["id"])
    delta = amina.dmp.diff_toDelta(amina.dmp.diff_main(amina.text, amina.text + "x"))
    status, body = post_sync(
        amina, {"client_id": amina.client_id, "m": 0, "edits": [{"n": 1, "delta": delta}]}
    )
    assert status == 409, body
    assert body["error"]["code"] == "conflict"
    assert document_state(app, live_doc["id"]) == before


@pytest.mark.parametrize(
    "delta",
    [
        "=5\t+x",  # shorter than the shadow
        "=400\t+x",  # longer
        "=10\t-400",  # deletes past the end
        "=3\t+%zz\t=24",  # a bad escape
        "=3\t*x\t=24",  # an unknown operation
        "=3\t+x\t=-24",  # a negative count
        "=1\t+x\t=26",  # splits the emoji (UTF-16: "🌍" is 2 units) in two
    ],
)
def test_a_delta_that_does_not_fit_the_shadow_is_refused(app, live_doc, delta):
    """409, never a guess; the document is unharmed and the session still works."""
    amina = live_doc["client_for"]()
    amina.edit("🌍" + amina.text)  # the shadow is 27 UTF-16 units: "🌍" + 25
    amina.sync()
    before = document_state(app, live_doc["id"])
    status, body = post_sync(
        amina, {"client_id": amina.client_id, "m": amina.m, "edits": [{"n": 1, "delta": delta}]}
    )
    assert status == 409, body
    assert document_state(app, live_doc["id"]) == before
    amina.edit(amina.text + "Fine.\n")
    amina.sync()
    assert amina.reopened == 0
    assert server_text(live_doc) == "🌍Member States shall act.\nFine.\n"


def test_an_unknown_session_is_not_found(live_doc):
    amina = live_doc["client_for"]()
    status, body = post_sync(amina, {"client_id": "no-such-session", "m": 0, "edits": []})
    assert status == 404, body


def test_someone_elses_session_is_not_found(live_doc):
    """A client_id is not a credential: Lucía cannot sync through Amina's session."""
    amina, lucia = live_doc["client_for"](), live_doc["client_for"]()
    status, body = post_sync(lucia, {"client_id": amina.client_id, "m": 0, "edits": []})
    assert status == 404, body


def test_a_session_idle_for_over_an_hour_is_gone_and_the_client_reopens(app, live_doc):
    """404; the client opens a new session and rebases what it typed onto the text."""
    amina, lucia = live_doc["client_for"](), live_doc["client_for"]()
    with app.app_context():
        db.session.execute(
            sa.update(EditSession)
            .where(EditSession.client_id == amina.client_id)
            .values(last_seen_at=utcnow() - timedelta(hours=1, minutes=1))
        )
        db.session.commit()
    lucia.edit("Preamble. " + lucia.text)
    lucia.sync()
    amina.edit(amina.text.replace("act.", "act now."))
    status, _body = post_sync(amina, amina.prepare())
    assert status == 404
    amina.sync()  # 404 again: reopen and rebase
    assert amina.reopened == 1
    amina.sync()
    lucia.sync()
    assert amina.text == lucia.text == server_text(live_doc)
    assert server_text(live_doc) == "Preamble. Member States shall act now.\n"


REBASE_BASE = (
    "The caucus notes the report of the Special Rapporteur with concern.\n\n"
    "Member States shall ensure access to justice for migrant women.\n\n"
    "The caucus recalls the Global Compact.\n"
)


def test_reconnecting_rebases_by_position_keeping_both_sides_words(app, live_doc):
    """Amina types while her session expires; Lucía meanwhile rewrites the sentence Amina
    typed into, types a word at the very point where Amina typed one, and edits elsewhere.
    Amina's reconnection rebases her text with the sync's own positional merge (base: the
    text both last agreed). The fuzzy patch it used to be refused the hunk whose context
    Lucía had rewritten: Amina's "final" was silently gone (frontend/test/sync.test.mjs has
    the browser's side of this, where the old merge glued "equaleffective")."""
    amina, lucia = live_doc["client_for"](), live_doc["client_for"]()
    lucia.edit(REBASE_BASE)
    lucia.sync()
    amina.sync()
    assert amina.text == REBASE_BASE
    amina.edit(
        REBASE_BASE.replace("notes the report", "notes the final report").replace(
            "ensure access", "ensure effective access"
        )
    )
    with app.app_context():
        db.session.execute(
            sa.update(EditSession)
            .where(EditSession.client_id == amina.client_id)
            .values(last_seen_at=utcnow() - timedelta(hours=1, minutes=1))
        )
        db.session.commit()
    lucia.edit(
        REBASE_BASE.replace(
            "notes the report of the Special Rapporteur with concern",
            "welcomes the findings of the Rapporteur",
        )
        .replace("ensure access", "ensure equal access")
        .replace("Global Compact", "Global Compact for Migration")
    )
    lucia.sync()
    amina.sync()  # 404: reopen and rebase
    assert amina.reopened == 1
    for _round in range(2):
        amina.sync()
        lucia.sync()
    text = server_text(live_doc)
    assert amina.text == lucia.text == text
    assert text == (
        "The caucus welcomes the final findings of the Rapporteur.\n\n"
        "Member States shall ensure equal effective access to justice for migrant women.\n\n"
        "The caucus recalls the Global Compact for Migration.\n"
    )
    words = text.split()
    for word in ("final", "effective", "equal", "welcomes", "findings", "Migration."):
        assert words.count(word) == 1, word
    assert amina.reopened == 1 and lucia.reopened == 0


def test_the_editors_list_is_left_out_while_the_clients_presence_tag_is_current(live_doc):
    """A client that sends the `presence` tag it holds gets the list only when it changed:
    someone joining, or moving their cursor, changes it; syncs alone (which move everyone's
    `last_seen`) do not."""
    amina, lucia = live_doc["client_for"](), live_doc["client_for"]()
    assert "presence" not in amina.prepare()  # a new session has no list yet: it asks
    status, first = post_sync(amina, amina.prepare())
    assert status == 200 and "editors" in first
    amina.receive(status, first)
    assert [e["client_id"] for e in amina.editors] == [amina.client_id, lucia.client_id]
    lucia.sync()
    status, body = post_sync(amina, amina.prepare())
    assert status == 200 and amina.prepare()["presence"] == first["presence"]
    assert "editors" not in body and body["presence"] == first["presence"]
    amina.receive(status, body)
    assert [e["client_id"] for e in amina.editors] == [amina.client_id, lucia.client_id]
    # Typing (a new edit) does not change who is here either.
    amina.edit(amina.text.replace("act.", "act now."))
    status, body = post_sync(amina, amina.prepare())
    assert "editors" not in body
    amina.receive(status, body)
    # Lucía's cursor moves: the list comes again, with a new tag.
    status, _ = post_sync(lucia, {**lucia.prepare(), "cursor": {"anchor": 3, "head": 3}})
    assert status == 200
    status, body = post_sync(amina, amina.prepare())
    assert "editors" in body and body["presence"] != first["presence"]
    lucias = [e for e in body["editors"] if e["client_id"] == lucia.client_id]
    assert lucias[0]["cursor"] == {"anchor": 3, "head": 3}
    amina.receive(status, body)
    # Someone joins: the list comes again.
    tag = amina.presence
    live_doc["client_for"]().sync()
    status, body = post_sync(amina, amina.prepare())
    assert len(body["editors"]) == 3 and body["presence"] != tag
    # A stale or foreign tag is simply not equal: the list comes.
    status, body = post_sync(amina, {**amina.prepare(), "presence": "x" * 64})
    assert status == 200 and len(body["editors"]) == 3


def test_a_client_that_sends_no_presence_tag_always_gets_the_list(live_doc):
    """Older clients (and the protocol as SYNC.md has it) send no tag: every answer has
    `editors`, as before, and also the new `presence` tag, which they may ignore."""
    amina = live_doc["client_for"]()
    amina.send_presence = False
    for _round in range(3):
        body = amina.prepare()
        assert "presence" not in body
        status, answer = post_sync(amina, body)
        assert status == 200
        assert [e["client_id"] for e in answer["editors"]] == [amina.client_id]
        assert isinstance(answer["presence"], str)
        amina.receive(status, answer)


def test_a_viewer_follows_along_but_cannot_edit(app, live_doc):
    """A viewer's session polls and receives others' edits; an edit of theirs is a 403."""
    amina, vera = live_doc["client_for"](), live_doc["client_for"](Role.VIEWER)
    amina.edit(amina.text.replace("act.", "act now."))
    amina.sync()
    vera.sync()
    assert vera.text == server_text(live_doc) == "Member States shall act now.\n"

    before = document_state(app, live_doc["id"])
    vera.edit("Vandalised.\n")
    status, body = post_sync(vera, vera.prepare())
    assert status == 403, body
    assert document_state(app, live_doc["id"]) == before


@pytest.mark.parametrize("character", ["a", "é"])  # "é" is 2 bytes: 1.1 M of them pass 2 MB
def test_a_paste_past_two_megabytes_is_too_large(app, live_doc, character):
    """413 and the document unharmed, whether the text is long in characters or bytes."""
    amina = live_doc["client_for"]()
    before = document_state(app, live_doc["id"])
    count = 2 * 1024 * 1024 + 1 if character == "a" else 1024 * 1024 + 1
    amina.edit(amina.text + character * count)
    status, body = post_sync(amina, amina.prepare())
    assert status == 413, body
    assert document_state(app, live_doc["id"]) == before


@pytest.mark.parametrize(
    "body",
    [
        {"m": 0, "edits": []},  # no client_id
        {"client_id": "", "m": 0, "edits": []},
        {"client_id": "x", "m": 0, "edits": {"n": 0, "delta": ""}},  # edits not a list
        {"client_id": "x", "m": 0, "edits": "=3"},
        {"client_id": "x", "m": -1, "edits": []},
        {"client_id": "x", "m": 0, "edits": [{"n": -1, "delta": "=3"}]},
        {"client_id": "x", "m": 0, "edits": [{"n": 0}]},  # no delta
        {"client_id": "x", "m": 0, "edits": [{"n": 0, "delta": 3}]},
        {"client_id": "x", "m": "zero", "edits": []},
        {"client_id": "x", "m": 0, "edits": [], "extra": 1},
        {"client_id": "x", "m": 0, "edits": [{"n": 0, "delta": "+\u0000"}]},  # NUL
        [],
    ],
)
def test_a_malformed_sync_is_refused_before_anything_happens(app, live_doc, body):
    amina = live_doc["client_for"]()
    body = {**body, "client_id": amina.client_id} if body and body.get("client_id") == "x" else body
    before = document_state(app, live_doc["id"])
    status, answer = post_sync(amina, body)
    assert status in (400, 422), (status, answer)
    assert document_state(app, live_doc["id"]) == before


def test_a_body_that_is_not_json_is_a_bad_request(app, live_doc):
    amina = live_doc["client_for"]()
    response = amina.transport.client.post(
        f"{amina.base}/sync",
        data="{not json",
        headers={**amina.transport.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400


# --------------------------------------------------------------------------------------
# Revisions from live edits
# --------------------------------------------------------------------------------------


def revisions(live_doc) -> list[dict]:
    """The document's revisions, newest first."""
    status, body = live_doc["owner"].get(f"/api/v1/documents/{live_doc['id']}/revisions")
    assert status == 200, body
    return body["items"]


def test_live_edits_become_one_revision_after_a_pause_credited_to_each_author(
    app, live_doc, monkeypatch
):
    """Two people type; once they pause, one revision holds both changes, with a
    RevisionAuthor row each, and the authorship view credits each person's own words."""
    amina, lucia = live_doc["client_for"](), live_doc["client_for"]()
    amina.edit(amina.text.replace("shall act.", "shall act decisively."))
    amina.sync()
    lucia.edit("Preamble on equality. " + lucia.text)
    lucia.sync()
    assert len(revisions(live_doc)) == 1  # typing, no pause yet: still pending

    monkeypatch.setattr(live, "PAUSE", timedelta(0))
    amina.sync()  # any sync looks for a pause
    items = revisions(live_doc)
    assert len(items) == 2
    newest = items[0]
    assert newest["number"] == 2
    assert newest["author"]["id"] in {amina.person.id, lucia.person.id}
    assert "Live edits by" in newest["summary"]
    text, _version, head = document_state(app, live_doc["id"])
    assert head == 2
    assert text == "Preamble on equality. Member States shall act decisively.\n"
    status, body = live_doc["owner"].get(f"/api/v1/documents/{live_doc['id']}/revisions/2")
    assert body["content"] == text

    with app.app_context():
        credited = dict(
            db.session.execute(
                sa.select(RevisionAuthor.user_id, RevisionAuthor.characters)
                .join(Revision, Revision.id == RevisionAuthor.revision_id)
                .where(Revision.document_id == live_doc["id"], Revision.number == 2)
            ).all()
        )
    assert set(credited) == {amina.person.id, lucia.person.id}
    assert credited[lucia.person.id] > credited[amina.person.id] > 0

    status, body = live_doc["owner"].get(f"/api/v1/documents/{live_doc['id']}/authorship")
    assert status == 200, body

    def author_of(word: str) -> set:
        start = text.index(word)
        end = start + len(word)
        return {
            run["author_id"] for run in body["runs"] if run["start"] < end and start < run["end"]
        }

    assert author_of("Preamble on equality.") == {lucia.person.id}
    assert author_of("decisively") == {amina.person.id}
    assert author_of("Member States shall") != {amina.person.id}  # the creator's words


def test_closing_a_session_turns_pending_edits_into_a_revision(app, live_doc):
    amina = live_doc["client_for"]()
    amina.edit(amina.text.replace("act.", "act now."))
    amina.sync()
    assert len(revisions(live_doc)) == 1
    response = amina.transport.client.post(
        f"{amina.base}/sessions/{amina.client_id}/close", headers=amina.transport.headers
    )
    assert response.status_code == 204
    items = revisions(live_doc)
    assert len(items) == 2 and items[0]["author"]["id"] == amina.person.id
    text, _version, head = document_state(app, live_doc["id"])
    assert head == 2 and text == "Member States shall act now.\n"
    # The closed session is gone: a late sync through it is a 404 (the tab reopens).
    assert post_sync(amina, {"client_id": amina.client_id, "m": amina.m, "edits": []})[0] == 404


def test_the_document_shows_the_live_text_while_edits_are_pending(live_doc):
    amina = live_doc["client_for"]()
    amina.edit(amina.text.replace("act.", "act now."))
    amina.sync()
    status, body = live_doc["owner"].get(f"/api/v1/documents/{live_doc['id']}")
    assert status == 200
    assert body["content"] == "Member States shall act now.\n"
    assert body["revision"] == 1  # not yet a revision


def test_a_save_while_live_edits_are_pending_flushes_them_first_and_merges(app, live_doc):
    """A save from revision 1 while Amina's live edit is pending: her edit becomes revision
    2, the save merges onto it as revision 3, and her tab receives the save."""
    amina = live_doc["client_for"]()
    amina.edit(amina.text.replace("act.", "act now."))
    amina.sync()
    response = live_doc["owner"].client.put(
        f"/api/v1/documents/{live_doc['id']}/content",
        json={
            "base_revision": 1,
            "content": "Member States shall act.\n\nClosing words.\n",
            "summary": "Closing",
        },
        headers=live_doc["owner"].headers,
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["merged"] is True
    items = revisions(live_doc)
    assert [item["number"] for item in items] == [3, 2, 1]
    assert items[1]["author"]["id"] == amina.person.id
    assert items[0]["merged"] is True
    expected = "Member States shall act now.\n\nClosing words.\n"
    assert document_state(app, live_doc["id"])[0] == expected
    amina.sync()
    assert amina.text == expected
    assert amina.reopened == 0


# --------------------------------------------------------------------------------------
# Change notifications
# --------------------------------------------------------------------------------------


def test_the_changes_long_poll_answers_at_once_when_the_version_is_past(live_doc):
    amina = live_doc["client_for"]()
    amina.edit(amina.text + "More.\n")
    amina.sync()
    started = time.monotonic()
    status, body = amina.transport.get(f"{amina.base}/changes?after={amina.version - 1}&timeout=5")
    assert status == 200, body
    assert body == {"version": amina.version, "changed": True}
    assert time.monotonic() - started < 0.2


def test_the_changes_long_poll_times_out_when_nothing_changes(app, live_doc):
    """Nothing new: changed=false after the configured wait (0.3 s in tests), not before."""
    amina = live_doc["client_for"]()
    started = time.monotonic()
    status, body = amina.transport.get(f"{amina.base}/changes?after={amina.version}&timeout=5")
    elapsed = time.monotonic() - started
    assert status == 200, body
    assert body == {"version": amina.version, "changed": False}
    assert app.config["LONG_POLL_SECONDS"] <= elapsed < app.config["LONG_POLL_SECONDS"] + 1.0


REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_or_skip():
    """A Redis client, or skip (fail with DRAFTING_REQUIRE_REDIS=1)."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("DRAFTING_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required but unreachable: {error}", pytrace=False)
        pytest.skip(f"Redis unreachable: {error}")
    return client


@pytest.mark.committed  # the waiter's thread reads through its own connection
def test_a_sync_wakes_a_waiting_long_poll_through_redis(app):
    """With REDIS_URL, a waiting wait_for_change hears the sync's publish at once (it does
    not poll the database after subscribing), long before its timeout."""
    if app.config["DB_BACKEND"] != "postgresql":
        # Its waiter thread can sit behind another connection's SQLite write lock when run
        # after other committed tests; Redis wake-ups are a several-worker, PostgreSQL matter.
        pytest.skip("checked on PostgreSQL, where several workers share Redis")
    pubsub_client = redis_or_skip()
    redis_app = create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=REDIS_URL))
    with redis_app.app_context():
        owner = accounts.create_user("redis-owner@example.org", name="Owner", password=PASSWORD)
        caucus = caucuses.create_caucus(owner, name="Redis caucus")
        document = documents.create_document(
            caucus, owner, title="Notified", content="Member States shall act.\n"
        )
        _token, secret = accounts.create_token(owner, "redis")
        db.session.commit()
        document_id, after = document.id, document.live_version
    channel = notify.channel(document_id)
    outcome: dict = {}

    def wait() -> None:
        with redis_app.app_context():
            started = time.monotonic()
            outcome["version"] = notify.wait_for_change(document_id, after, timeout=10)
            outcome["waited"] = time.monotonic() - started

    waiter = threading.Thread(target=wait)
    waiter.start()
    try:
        deadline = time.monotonic() + 5
        while pubsub_client.pubsub_numsub(channel)[0][1] < 1:  # until it listens
            assert time.monotonic() < deadline, "the waiter never subscribed"
            time.sleep(0.01)
        editor = SyncClient(FlaskTransport(redis_app.test_client(), secret), document_id)
        editor.open()
        editor.edit(editor.text.replace("act.", "act now."))
        editor.sync()
    finally:
        waiter.join(timeout=15)
    assert not waiter.is_alive()
    assert outcome["version"] == after + 1
    assert outcome["waited"] < 5  # woken, not timed out
