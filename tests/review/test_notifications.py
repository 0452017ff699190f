"""Notifications: who is told what, reading them, and mail when SMTP is configured."""

from __future__ import annotations

import pytest

from drafting.accounts.models import User
from drafting.caucuses import service as caucuses
from drafting.caucuses.models import Caucus
from drafting.documents.models import Document
from drafting.extensions import db
from drafting.review import comments
from drafting.review import notifications
from drafting.review import suggestions
from drafting.text.anchors import Anchor
from tests.conftest import bearer
from tests.mail import smtp_sink


@pytest.fixture
def world(ctx, people, paper):
    """Everyone and the paper, loaded in the test's session."""
    loaded = {
        name: db.session.get(User, person.id) for name, person in people.items() if name != "caucus"
    }
    loaded["paper"] = db.session.get(Document, paper.id)
    loaded["caucus"] = db.session.get(Caucus, people["caucus"].id)
    return loaded


def test_mentions_by_name_and_email(world):
    owner, viewer = world["owner"], world["viewer"]
    body = (
        f"@{owner.name.upper()}, and @{viewer.email}: see this. "
        "Not a mention: someone@nobody.org, @Nobody Here, amina@example"
    )
    found = comments.mentions_in(body, world["paper"])
    assert sorted(user.id for user in found) == sorted([owner.id, viewer.id])
    assert comments.mentions_in("email@" + owner.email, world["paper"]) == []
    assert comments.mentions_in(f"@{owner.name}s", world["paper"]) == []  # not a whole name


def test_outsiders_cannot_be_mentioned(world):
    assert comments.mentions_in(f"@{world['outsider'].email}", world["paper"]) == []


def test_reading_and_counting(world):
    commenter = world["commenter"]
    root = comments.add_comment(world["paper"], commenter, "Question")
    for number in range(3):
        comments.add_comment(world["paper"], world["editor"], f"Answer {number}", parent=root)
    assert notifications.unread_count(commenter) == 3
    newest_first = notifications.notifications_for(commenter, limit=2)
    assert [n.comment.body for n in newest_first] == ["Answer 2", "Answer 1"]
    assert notifications.mark_read(commenter, [newest_first[0].id]) == 1
    assert notifications.unread_count(commenter) == 2
    assert len(notifications.notifications_for(commenter, unread_only=True)) == 2
    assert notifications.mark_read(commenter) == 2
    assert notifications.unread_count(commenter) == 0
    assert notifications.notifications_for(world["editor"]) == []  # not told of their own words


def test_a_removed_member_sees_no_more_notifications(world):
    commenter = world["commenter"]
    root = comments.add_comment(world["paper"], commenter, "Question")
    comments.add_comment(world["paper"], world["editor"], "Answer", parent=root)
    assert notifications.unread_count(commenter) == 1
    caucuses.remove_member(world["caucus"], commenter.id)
    assert notifications.unread_count(commenter) == 0
    assert notifications.notifications_for(commenter) == []


def test_decisions_are_notified(world):
    suggestion = suggestions.propose(
        world["paper"], world["commenter"], Anchor("access to justice"), "justice"
    )
    suggestions.reject(suggestion, world["rapporteur"], note="Keep access")
    [notification] = notifications.notifications_for(world["commenter"])
    assert notification.kind == "decision" and notification.suggestion_id == suggestion.id
    assert "declined" in notifications.describe(notification)


def test_mail_when_smtp_is_configured(app, monkeypatch, factory, people, paper):
    token = factory.token(people["editor"])
    web = app.test_client()
    root = web.post(
        f"/api/v1/documents/{paper.id}/comments",
        json={"body": "First"},
        headers=bearer(factory.token(people["commenter"])),
    ).get_json()
    with smtp_sink() as (port, inbox):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
        response = web.post(
            f"/api/v1/documents/{paper.id}/comments",
            json={"body": f"Reply, cc @{people['viewer'].email}", "parent_id": root["id"]},
            headers=bearer(token),
        )
        assert response.status_code == 201
    recipients = sorted(message["To"] for message in inbox)
    assert recipients == sorted([people["commenter"].email, people["viewer"].email])
    message = next(m for m in inbox if m["To"] == people["commenter"].email)
    assert "replied" in message["Subject"]
    text = message.get_content()
    assert "Reply, cc" in text and f"/documents/{paper.id}" in text


def test_no_mail_without_smtp(app, factory, people, paper):
    with smtp_sink() as (_port, inbox):
        web = app.test_client()
        root = web.post(
            f"/api/v1/documents/{paper.id}/comments",
            json={"body": "First"},
            headers=bearer(factory.token(people["commenter"])),
        ).get_json()
        web.post(
            f"/api/v1/documents/{paper.id}/comments",
            json={"body": "Reply", "parent_id": root["id"]},
            headers=bearer(factory.token(people["editor"])),
        )
    assert inbox == []
