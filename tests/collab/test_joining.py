"""Issue 10: a session opened while the text moves keeps every word it was acknowledged for.

In process (Flask's test client). The properties with faults are in test_faults.py; over HTTP
against gunicorn in test_gunicorn.py. Here: the cause found (merging against a diff of two
texts that came out coarse), the server's check before it acknowledges, and every other
path that changes the live text while sessions are open.
"""

from __future__ import annotations

import logging

import pytest

from drafting.text import merge_rules as merging
from tests.collab.client import SyncClient
from tests.collab.conftest import FlaskTransport
from tests.conftest import bearer

PAPER = "".join(
    f"{number}. Member States shall ensure access to justice for migrant women.\n\n"
    for number in range(1, 9)
)


@pytest.fixture
def paper(app, factory):
    """A paper of eight numbered paragraphs, and a way to open tabs on it."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    owner_token = factory.token(owner)
    created = app.test_client().post(
        f"/api/v1/caucuses/{caucus.id}/documents",
        json={"title": "Joining", "content": PAPER},
        headers=bearer(owner_token),
    )
    assert created.status_code == 201, created.get_json()
    document_id = created.get_json()["id"]
    owner_web = FlaskTransport(app.test_client(), owner_token)

    def tab() -> SyncClient:
        client = SyncClient(FlaskTransport(app.test_client(), owner_token), document_id)
        client.open()
        return client

    return {"id": document_id, "tab": tab, "owner": owner_web}


def type_after(client: SyncClient, marker: str, token: str) -> None:
    """Type ` token` right after the first `marker` in the client's text."""
    at = client.text.index(marker) + len(marker)
    client.edit(client.text[:at] + f"{token} " + client.text[at:])


def live_text(paper) -> str:
    status, body = paper["owner"].get(f"/api/v1/documents/{paper['id']}")
    assert status == 200, body
    return body["content"]


def others_type_everywhere(tabs: list[SyncClient], round_number: int) -> None:
    """Each tab types a token in its own paragraph (2, 4, 6, …) and syncs."""
    for index, tab in enumerate(tabs):
        type_after(tab, f"{2 * index + 2}. ", f"[o{index}r{round_number}]")
        tab.sync()


def test_a_joiners_word_lands_where_it_was_typed_when_diffs_come_out_coarse(
    paper,
    coarse_diffs,
):
    """The lost word of issue 10, made certain: every diff of two texts out of time at once.

    Four people type in paragraphs 2 to 8 while a fifth opens the paper and types in
    paragraph 3. Merged against diff(shadow → live text), one replacement of paragraphs 2 to
    8, the joiner's word was kept at the far end of it, after paragraph 8's tokens (and, in a
    pile of tokens, inside one of them). The server now merges against the live edits'
    own positions, and the word stays in paragraph 3.
    """
    others = [paper["tab"]() for _ in range(4)]
    others_type_everywhere(others, 0)
    joiner = paper["tab"]()
    for round_number in range(1, 4):
        others_type_everywhere(others, round_number)
    type_after(joiner, "3. ", "[joiner]")
    joiner.sync()
    assert "3. [joiner] Member States" in live_text(paper)
    for _round in range(2):
        for tab in [*others, joiner]:
            tab.sync()
    final = live_text(paper)
    assert all(tab.text == final for tab in [*others, joiner])
    assert final.count("[joiner]") == 1 and "3. [joiner] Member" in final
    for index in range(4):
        paragraph = f"{2 * index + 2}. " + " ".join(f"[o{index}r{r}]" for r in range(3, -1, -1))
        assert paragraph in final, paragraph


def test_the_servers_edits_never_carry_empty_runs(paper):
    """Server deltas under load carried "-0" (an empty deletion); none do now."""
    others = [paper["tab"]() for _ in range(3)]
    joiner = paper["tab"]()
    seen = []
    for round_number in range(4):
        others_type_everywhere(others, round_number)
        type_after(joiner, "1. ", f"[j{round_number}]")
        body = joiner.prepare()
        status, answer = joiner.transport.post(f"{joiner.base}/sync", body)
        joiner.receive(status, answer)
        seen += [edit["delta"] for edit in answer["edits"]]
    assert seen
    for delta in seen:
        assert all(token not in ("-0", "+") for token in delta.split("\t")), delta


def test_an_edit_the_merge_would_lose_is_not_acknowledged_and_lands_when_sent_again(
    app, paper, monkeypatch, caplog
):
    """The invariant: an acknowledged edit is in the live text where the merge put it.

    Were a merge rule to drop a client's words, the server refuses the sync (503, with
    Retry-After), keeps nothing of it, and logs it loudly; the client keeps its edit and
    sends it again with its next sync, which lands once the merge keeps it.
    """
    amina, bruno = paper["tab"](), paper["tab"]()
    type_after(amina, "5. ", "[amina]")
    amina.sync()
    type_after(bruno, "5. ", "[bruno]")  # at the same point as Amina's, not yet seen
    before = live_text(paper)
    monkeypatch.setattr(merging, "_side_by_side", lambda first, second: first)
    with caplog.at_level(logging.ERROR, logger="drafting.collab.service"):
        status, answer = bruno.transport.post(f"{bruno.base}/sync", bruno.prepare())
    assert status == 503, answer
    assert answer["error"]["code"] == "try_again"
    assert "live edit NOT acknowledged" in caplog.text
    assert "[bruno]" not in caplog.text  # sizes only: the words are confidential
    assert live_text(paper) == before
    bruno.receive(status, answer)
    assert bruno.stack and bruno.refused == 1
    monkeypatch.undo()
    bruno.sync()
    amina.sync()
    final = live_text(paper)
    assert final.count("[bruno]") == final.count("[amina]") == 1
    assert bruno.text == amina.text == final and not bruno.stack


def test_a_refused_sync_answers_503_with_retry_after(app, paper, monkeypatch):
    """The browser backs off and retries on 5xx (sync.js `failed`), keeping its edits."""
    amina, bruno = paper["tab"](), paper["tab"]()
    type_after(amina, "5. ", "[amina]")
    amina.sync()
    type_after(bruno, "5. ", "[bruno]")
    monkeypatch.setattr(merging, "_side_by_side", lambda first, second: first)
    response = bruno.transport.client.post(
        f"{bruno.base}/sync", json=bruno.prepare(), headers=bruno.transport.headers
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"


def save_elsewhere(paper, joiner) -> str:
    """A save from the head revision that rewrites paragraph 8."""
    web = paper["owner"]
    _status, document = web.get(f"/api/v1/documents/{paper['id']}")
    content = document["content"].replace("8. Member States shall", "8. Governments must")
    response = web.client.put(
        f"/api/v1/documents/{paper['id']}/content",
        json={"base_revision": document["revision"], "content": content, "summary": "8"},
        headers=web.headers,
    )
    assert response.status_code == 200, response.get_json()
    return "8. Governments must"


def restore_the_first(paper, joiner) -> str:
    """Restore revision 1: the paper as it was created, everyone's tokens gone."""
    web = paper["owner"]
    response = web.client.post(
        f"/api/v1/documents/{paper['id']}/revisions/1/restore", headers=web.headers
    )
    assert response.status_code == 201, response.get_json()
    return "8. Member States shall ensure access to justice"


def accept_a_suggestion(paper, joiner) -> str:
    """A suggestion on paragraph 8, proposed and accepted by the owner."""
    web = paper["owner"]
    proposed = web.client.post(
        f"/api/v1/documents/{paper['id']}/suggestions",
        json={
            "anchor": {"quote": "8. Member States shall"},
            "replacement": "8. States Parties shall",
        },
        headers=web.headers,
    )
    assert proposed.status_code == 201, proposed.get_json()
    accepted = web.client.post(
        f"/api/v1/suggestions/{proposed.get_json()['id']}/accept", headers=web.headers
    )
    assert accepted.status_code == 200, accepted.get_json()
    return "8. States Parties shall"


def reconnect(paper, joiner) -> str:
    """The joiner's session ends (closed elsewhere): its next sync reopens and rebases."""
    web = paper["owner"]
    response = web.client.post(
        f"{joiner.base}/sessions/{joiner.client_id}/close", headers=web.headers
    )
    assert response.status_code == 204
    return "8. Member States shall"


@pytest.mark.parametrize(
    "change", [save_elsewhere, restore_the_first, accept_a_suggestion, reconnect]
)
def test_a_session_opened_before_another_change_of_the_text_keeps_its_typing(paper, change):
    """The audit of issue 10: every path that changes the live text while sessions are open.

    A tab opens while others type; the text moves on through live edits and then through a
    save, a restore, an accepted suggestion or a reconnection; the tab's first sync, typed
    on the text it opened with, lands once, where it was typed, and everyone converges.
    """
    others = [paper["tab"]() for _ in range(3)]
    others_type_everywhere(others, 0)
    joiner = paper["tab"]()
    others_type_everywhere(others, 1)
    type_after(joiner, "3. ", "[joiner]")
    expected = change(paper, joiner)
    others_type_everywhere(others, 2)
    for _round in range(2):
        for tab in [joiner, *others]:
            tab.sync()
    final = live_text(paper)
    assert all(tab.text == final for tab in [*others, joiner])
    assert final.count("[joiner]") == 1 and "3. [joiner] Member States" in final
    assert expected in final
    for index in range(3):
        assert final.count(f"[o{index}r2]") == 1
    assert joiner.reopened == (1 if change is reconnect else 0)
