"""The notifications page: replies, mentions and decisions, newest first; marking them read."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from drafting.caucuses.access import signed_in
from drafting.caucuses.models import Membership
from drafting.extensions import db
from drafting.ids import id_from
from drafting.review import comments
from drafting.review import notifications
from drafting.review.blueprint import bp
from drafting.review.forms import MarkReadForm

NOTIFICATIONS_PAGE_SIZE = 100


@dataclass
class NotificationItem:
    """One notification as the page lists it."""

    id: int
    kind: str
    unread: bool
    message: str
    excerpt: str
    url: str
    created_at: object


def notification_url(notification) -> str:
    """Where a notification leads: its card, on the page that lists it now."""
    doc_id = notification.document_id
    # Decided suggestions and resolved threads are not in the margin, and the comments page
    # shows a few dozen at a time: their own page, then.
    if notification.suggestion is not None:
        fragment = f"suggestion-{notification.suggestion_id}"
        item = {"suggestion_id": notification.suggestion_id}
        return url_for("review.suggestion_page", doc_id=doc_id, **item, _anchor=fragment)
    if notification.comment is not None:
        root = comments.thread_root(notification.comment)
        fragment = f"thread-{root.id}"
        if root.resolved:
            item = {"comment_id": root.id}
            return url_for("review.thread_page", doc_id=doc_id, **item, _anchor=fragment)
        return url_for("documents.read", doc_id=doc_id, _anchor=fragment)
    return url_for("documents.read", doc_id=doc_id)


def excerpt_of(notification, limit: int = 200) -> str:
    """A few of the words the notification is about."""
    if notification.comment is not None and not notification.comment.deleted:
        words = notification.comment.body
    elif notification.suggestion is not None:
        words = notification.suggestion.decision_note
    else:
        words = ""
    return words if len(words) <= limit else words[: limit - 1] + "…"


def visible_caucus_ids() -> set[int]:
    """The caucuses the person belongs to now: a removed member's old notifications stay
    hidden, since they would name documents no longer theirs to see."""
    return set(
        db.session.scalars(
            sa.select(Membership.caucus_id).where(Membership.user_id == current_user.id)
        )
    )


@bp.get("/notifications")
@signed_in
def notifications_page():
    """Replies, mentions and decisions on one's suggestions, newest first."""
    unread_only = bool(request.args.get("unread"))
    caucus_ids = visible_caucus_ids()
    items = [
        NotificationItem(
            id=n.id,
            kind=n.kind,
            unread=n.read_at is None,
            message=notifications.describe(n),
            excerpt=excerpt_of(n),
            url=notification_url(n),
            created_at=n.created_at,
        )
        for n in notifications.notifications_for(
            current_user, unread_only=unread_only, limit=NOTIFICATIONS_PAGE_SIZE
        )
        if n.document.caucus_id in caucus_ids
    ]
    return render_template("review/notifications.html", items=items, unread_only=unread_only)


@bp.post("/notifications/read")
@signed_in
def mark_read():
    """Mark one notification (`notification_id`) or all of them as read."""
    form = MarkReadForm()
    if form.validate_on_submit():
        raw = (form.notification_id.data or "").strip()
        # None marks them all; an id that is not one of the person's marks nothing.
        ids = None if not raw else [number] if (number := id_from(raw)) else []
        notifications.mark_read(current_user, ids)
    return redirect(url_for("review.notifications_page"))
