"""Review under hostile or careless input, former members, and archived documents.

Each test here failed before its fix: odd ids in query strings and forms gave 500s, a
thread's former participant was still mailed the replies, and an archived (read-only)
document still took comments and suggestions.
"""

from __future__ import annotations

import pytest

from drafting.accounts.models import User
from drafting.caucuses import service as caucuses
from drafting.caucuses.models import Caucus
from drafting.documents import service as documents
from drafting.documents.models import Document
from drafting.errors import Conflict
from drafting.extensions import db
from drafting.review import comments
from drafting.review import notifications
from drafting.review import suggestions
from drafting.review.models import Comment
from drafting.review.models import Notification
from drafting.text.anchors import Anchor
from tests.conftest import bearer
from tests.conftest import fresh
from tests.mail import smtp_sink
from tests.review.test_pages import as_person
from tests.review.test_pages import comment_on
from tests.review.test_pages import suggest

HUGE = "9" * 30
ODD_IDS = ["²", "١٢", HUGE, "-1", "0", "1e3", " ", "abc"]


# ---------------------------------------------------------------- odd ids: 4xx, never a 500


@pytest.mark.parametrize("value", ODD_IDS)
def test_odd_person_filters_and_pages_are_ignored(make_client, people, paper, value):
    client = as_person(make_client, people["viewer"])
    for path in (
        f"/documents/{paper.id}/decisions?person={value}",
        f"/documents/{paper.id}/decisions.csv?person={value}",
        f"/documents/{paper.id}/comments?page={value}",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)


@pytest.mark.parametrize("value", ["²", HUGE, "abc"])
def test_an_odd_parent_id_is_not_found_and_nothing_is_saved(app, make_client, people, paper, value):
    client = as_person(make_client, people["commenter"])
    response = client.submit(
        f"/documents/{paper.id}/comments", {"body": "A reply to nothing", "parent_id": value}
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.query(Comment).count() == 0


@pytest.mark.parametrize("value", ["²", HUGE, "abc"])
def test_an_odd_notification_id_marks_nothing_read(app, make_client, people, paper, value):
    root = comment_on(app, paper, people["commenter"], "Question")
    comment_on(app, paper, people["editor"], "Answer", parent=root)
    client = as_person(make_client, people["commenter"])
    response = client.submit("/notifications/read", {"notification_id": value})
    assert response.status_code == 302
    with app.app_context():
        assert notifications.unread_count(fresh(people["commenter"])) == 1
    # Left empty, the form still marks them all.
    client.submit("/notifications/read", {"notification_id": ""})
    with app.app_context():
        assert notifications.unread_count(fresh(people["commenter"])) == 0


# ---------------------------------------------------------------- former members


@pytest.fixture
def world(ctx, people, paper):
    loaded = {
        name: db.session.get(User, person.id) for name, person in people.items() if name != "caucus"
    }
    loaded["paper"] = db.session.get(Document, paper.id)
    loaded["caucus"] = db.session.get(Caucus, people["caucus"].id)
    return loaded


def test_a_former_participant_is_neither_notified_nor_mailed(app, monkeypatch, world):
    """Someone who left the caucus is not mailed the replies in their old threads."""
    commenter, editor = world["commenter"], world["editor"]
    root = comments.add_comment(world["paper"], commenter, "Question")
    caucuses.remove_member(world["caucus"], commenter.id)
    with smtp_sink() as (port, inbox):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
        comments.add_comment(world["paper"], editor, "The confidential answer", parent=root)
    assert [m["To"] for m in inbox] == []
    assert db.session.query(Notification).filter_by(user_id=commenter.id).count() == 0


def test_a_former_proposer_is_not_told_the_decision(world):
    commenter = world["commenter"]
    suggestion = suggestions.propose(
        world["paper"], commenter, Anchor("access to justice"), "justice"
    )
    caucuses.remove_member(world["caucus"], commenter.id)
    suggestions.reject(suggestion, world["rapporteur"], note="Internal reasoning")
    assert db.session.query(Notification).filter_by(user_id=commenter.id).count() == 0


# ---------------------------------------------------------------- archived documents


def archive(app, paper):
    with app.app_context():
        documents.update_document(db.session.get(Document, paper.id), archived=True)
        db.session.commit()


def test_an_archived_document_takes_no_comments_or_suggestions_through_the_api(
    app, factory, people, paper
):
    root = comment_on(app, paper, people["commenter"], "Question", quote="access to justice")
    suggestion_id = suggest(app, paper, people["commenter"], "access to health care", "health")
    archive(app, paper)
    web = app.test_client()

    def call(name, method, path, **kwargs):
        headers = bearer(factory.token(people[name]))
        return getattr(web, method)(f"/api/v1{path}", headers=headers, **kwargs)

    refused = [
        call("commenter", "post", f"/documents/{paper.id}/comments", json={"body": "More"}),
        call(
            "commenter",
            "post",
            f"/documents/{paper.id}/comments",
            json={"body": "Reply", "parent_id": root},
        ),
        call(
            "commenter",
            "post",
            f"/documents/{paper.id}/suggestions",
            json={"anchor": {"quote": "rights of migrant women"}, "replacement": "rights"},
        ),
        call("commenter", "patch", f"/comments/{root}", json={"body": "Changed"}),
        call("commenter", "post", f"/comments/{root}/resolve"),
        call("commenter", "post", f"/suggestions/{suggestion_id}/withdraw"),
        call("rapporteur", "post", f"/suggestions/{suggestion_id}/reject"),
        call("rapporteur", "post", f"/suggestions/{suggestion_id}/accept"),
        call("commenter", "delete", f"/comments/{root}"),
    ]
    assert [response.status_code for response in refused] == [409] * len(refused)
    with app.app_context():
        assert db.session.query(Comment).count() == 1
        assert db.session.get(Comment, root).body == "Question"
        assert db.session.get(Comment, root).resolved_at is None


def test_an_archived_documents_page_offers_no_review_forms(app, make_client, people, paper):
    comment_on(app, paper, people["commenter"], "Question", quote="access to justice")
    suggest(app, paper, people["commenter"], "access to health care", "health")
    archive(app, paper)
    client = as_person(make_client, people["commenter"])
    page = client.get(f"/documents/{paper.id}/comments").text
    assert "Question" in page
    assert f'action="/documents/{paper.id}/comments"' not in page
    assert "/withdraw" not in page and "/resolve" not in page and "/delete" not in page
    reading = client.get(f"/documents/{paper.id}")
    assert reading.status_code == 200 and "Question" in reading.text
    assert "data-can-reply" not in reading.text and "data-compose-toolbar" not in reading.text
    rapporteur = as_person(make_client, people["rapporteur"])
    assert "data-can-decide" not in rapporteur.get(f"/documents/{paper.id}").text
    # Posted anyway: refused with a message on the page it came from, and nothing is kept.
    refused = client.submit(f"/documents/{paper.id}/comments", {"body": "Still here?"})
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.query(Comment).count() == 1


def test_service_refuses_review_writes_on_archived_documents(world):
    paper = world["paper"]
    documents.update_document(paper, archived=True)
    with pytest.raises(Conflict):
        comments.add_comment(paper, world["commenter"], "Hello")
    with pytest.raises(Conflict):
        suggestions.propose(paper, world["commenter"], Anchor("access to justice"), "justice")


def test_an_edit_too_long_says_so_and_keeps_the_comment(app, make_client, people, paper):
    root = comment_on(app, paper, people["commenter"], "Original words")
    client = as_person(make_client, people["commenter"])
    response = client.submit(
        f"/documents/{paper.id}/comments/{root}/edit", {"body": "x" * 10_001}, follow_redirects=True
    )
    assert "Keep it under 10000 characters." in response.text
    with app.app_context():
        assert db.session.get(Comment, root).body == "Original words"


def test_decision_table_downloads_are_kept_by_no_cache(
    app, make_client, people, paper, monkeypatch
):
    """The CSV and PDF quote the draft: private, no-store, like every other download."""
    from drafting.publishing import pdf

    monkeypatch.setattr(pdf, "render_html_pdf", lambda html, **kwargs: b"%PDF-1.7 stand-in")
    suggest(app, paper, people["commenter"], "access to justice", "legal aid")
    client = as_person(make_client, people["viewer"])
    for kind in ("csv", "pdf"):
        response = client.get(f"/documents/{paper.id}/decisions.{kind}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-store", kind


# ---------------------------------------------------------------- a common word in a long paper


def test_quoting_a_common_word_in_a_long_paper_answers_at_once(world):
    """Finding a passage is linear: a one-letter quote in a 2 MB paper took minutes (the
    text before each of its million occurrences was copied to check the prefix)."""
    import time

    from drafting.errors import Invalid
    from drafting.text.anchors import occurrences

    text = ("e" * 999 + "\n") * 2000
    paper = documents.create_document(world["caucus"], world["owner"], title="Long", content=text)
    started = time.monotonic()
    with pytest.raises(Invalid) as refused:
        comments.add_comment(paper, world["commenter"], "Hm", anchor=Anchor("e", prefix="x"))
    assert refused.value.fields == {"anchor": "not_found"}
    with pytest.raises(Invalid) as ambiguous:
        suggestions.propose(paper, world["commenter"], Anchor("e", prefix="e"), "a")
    assert ambiguous.value.fields == {"anchor": "ambiguous"}
    assert time.monotonic() - started < 3
    # Context still tells occurrences apart, overlapping ones included.
    assert occurrences("aaaa", Anchor("aa")) == [(0, 2), (1, 3), (2, 4)]
    assert occurrences("xaay aa", Anchor("aa", "x", "y")) == [(1, 3)]
    assert occurrences("ab ab ab", Anchor("ab"), limit=2) == [(0, 2), (3, 5)]
