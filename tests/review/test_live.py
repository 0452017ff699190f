"""Accepting a suggestion while people type: it reaches open editors, nobody's words are lost."""

from __future__ import annotations

import threading

import pytest

from drafting.accounts.models import User
from drafting.documents.models import Document
from drafting.errors import Conflict
from drafting.extensions import db
from drafting.review import suggestions
from drafting.review.models import Suggestion
from drafting.text.anchors import Anchor
from tests.collab.client import SyncClient
from tests.collab.conftest import FlaskTransport
from tests.conftest import bearer

QUOTE = "rights of migrant women"


@pytest.fixture
def setup(app, factory, people, paper):
    """The paper, an editor's live tab on it, and API access for the others."""
    web = app.test_client()
    tokens = {name: factory.token(people[name]) for name in ("commenter", "rapporteur", "viewer")}
    tab = SyncClient(FlaskTransport(app.test_client(), factory.token(people["editor"])), paper.id)
    tab.open()

    def call(name, method, path, **kwargs):
        return web.open(f"/api/v1{path}", method=method, headers=bearer(tokens[name]), **kwargs)

    return tab, call


def propose(call, paper, replacement="human rights of migrant women"):
    response = call(
        "commenter",
        "POST",
        f"/documents/{paper.id}/suggestions",
        json={"anchor": {"quote": QUOTE}, "replacement": replacement},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def live_text(call, paper) -> str:
    return call("viewer", "GET", f"/documents/{paper.id}").get_json()["content"]


def test_accepting_while_someone_types_elsewhere_keeps_both(setup, paper):
    tab, call = setup
    tab.edit(tab.text + "\nTyped before the proposal.\n")
    tab.sync()
    suggestion_id = propose(call, paper)
    # The editor keeps typing (not yet sent) while the rapporteur accepts.
    tab.edit(tab.text.replace("## Commitments", "## Our commitments") + "More typing.\n")
    accepted = call("rapporteur", "POST", f"/suggestions/{suggestion_id}/accept")
    assert accepted.status_code == 200, accepted.get_json()
    tab.sync()
    tab.sync()
    final = live_text(call, paper)
    assert tab.text == final and tab.reopened == 0
    for words in (
        "human rights of migrant women",
        "Typed before the proposal.",
        "## Our commitments",
        "More typing.",
    ):
        assert words in final


def test_accepting_while_someone_types_in_the_passage_loses_nobodys_words(setup, paper):
    tab, call = setup
    suggestion_id = propose(call, paper, replacement="entitlements of migrant women")
    tab.edit(tab.text.replace("rights of migrant women", "rights of all migrant women"))
    accepted = call("rapporteur", "POST", f"/suggestions/{suggestion_id}/accept")
    assert accepted.status_code == 200, accepted.get_json()
    tab.sync()
    tab.sync()
    final = live_text(call, paper)
    assert tab.text == final
    assert "the entitlements of all migrant women." in final  # both, in one phrase
    assert "all" in final.split("Commitments")[0]  # and the editor's word, kept beside it


def test_an_accept_after_live_edits_sees_the_passage_where_it_now_is(setup, paper):
    tab, call = setup
    suggestion_id = propose(call, paper)
    tab.edit("A new first line typed live.\n" + tab.text)
    tab.sync()
    accepted = call("rapporteur", "POST", f"/suggestions/{suggestion_id}/accept")
    assert accepted.status_code == 200, accepted.get_json()
    final = live_text(call, paper)
    assert final.startswith("A new first line typed live.\n")
    assert "protect the human rights of migrant women." in final
    revisions = call("viewer", "GET", f"/documents/{paper.id}/revisions").get_json()["items"]
    # The pending live typing became its own revision, then the acceptance its own.
    assert [r["number"] for r in revisions] == [3, 2, 1]
    assert revisions[0]["summary"].startswith("Suggestion")


@pytest.mark.committed
def test_two_rapporteurs_accepting_at_once_apply_it_once(app, factory, people, paper):
    """Both decide on the same open suggestion at the same moment: one wins, the other gets
    a conflict, and the wording goes in once (PostgreSQL: row locks; SQLite serializes
    whole transactions, so there the race cannot be staged)."""
    if app.config["DB_BACKEND"] != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    with app.app_context():
        suggestion_id = suggestions.propose(
            db.session.get(Document, paper.id),
            db.session.get(User, people["commenter"].id),
            Anchor(QUOTE),
            "human rights of migrant women",
        ).id
        db.session.commit()
    ready = threading.Barrier(2, timeout=10)
    outcomes = []

    def decide(person_id: int) -> None:
        with app.app_context():
            try:
                suggestion = db.session.get(Suggestion, suggestion_id)
                rapporteur = db.session.get(User, person_id)
                assert suggestion.status == "open" and suggestion.document.content
                ready.wait()
                suggestions.accept(suggestion, rapporteur)
                db.session.commit()
                outcomes.append("accepted")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            finally:
                db.session.remove()

    deciders = [
        threading.Thread(target=decide, args=(people[name].id,)) for name in ("rapporteur", "owner")
    ]
    for thread in deciders:
        thread.start()
    for thread in deciders:
        thread.join(30)
    assert sorted(outcomes) == ["accepted", "conflict"]
    with app.app_context():
        content = db.session.get(Document, paper.id).content
    assert content.count("human rights of migrant women") == 1
