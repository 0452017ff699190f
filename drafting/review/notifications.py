"""Notifications: replies, mentions and decisions, in the app and by mail when configured.

Services only flush; the request's transaction commits. Mail goes out once it has committed
(drafting/mail.py sends nothing when MAIL_SERVER is unset, and never raises), and at most as
often as the acting person's mail limit allows: beyond it the notification is still made, in
the app, but not mailed.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _

from drafting.accounts.models import User
from drafting.caucuses.models import Membership
from drafting.documents.models import Document
from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.links import site_url
from drafting.mail import mail_configured
from drafting.mail import send_after_commit
from drafting.ratelimits import may_send_mail
from drafting.review.models import Comment
from drafting.review.models import Notification
from drafting.review.models import NotificationKind
from drafting.review.models import Suggestion


def notify(
    user_ids: Iterable[int],
    kind: NotificationKind | str,
    *,
    document: Document,
    actor: User | None,
    comment: Comment | None = None,
    suggestion: Suggestion | None = None,
) -> list[Notification]:
    """Notify each person (never the actor about their own act), and mail them if possible.

    Only current members of the document's caucus are notified: someone who left it (a
    thread's former participant, a former proposer) is told nothing more, and above all is
    not mailed the words of a paper no longer theirs to read.
    """
    kind = NotificationKind(kind)
    wanted = set(user_ids) - {actor.id if actor else None}
    recipients = sorted(members_among(wanted, document.caucus_id)) if wanted else []
    made = []
    for user_id in recipients:
        notification = Notification(
            user_id=user_id,
            kind=kind.value,
            document=document,
            comment=comment,
            suggestion=suggestion,
            actor=actor,
        )
        db.session.add(notification)
        made.append(notification)
    db.session.flush()
    if made and mail_configured():
        for notification in made:
            if actor is None or may_send_mail(actor.id):
                mail(notification)
    return made


def members_among(user_ids: set[int], caucus_id: int) -> set[int]:
    """Those of the people who belong to the caucus now."""
    return set(
        db.session.scalars(
            sa.select(Membership.user_id).where(
                Membership.caucus_id == caucus_id, Membership.user_id.in_(user_ids)
            )
        )
    )


def notifications_for(
    user: User, unread_only: bool = False, limit: int = 50, offset: int = 0
) -> list[Notification]:
    """A person's notifications, newest first."""
    query = (
        sa.select(Notification)
        .where(Notification.user_id == user.id, visible_to(user))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(db.session.scalars(query))


def visible_to(user: User) -> sa.ColumnElement[bool]:
    """Only notifications about documents of caucuses the person still belongs to: a
    removed member learns nothing more, not even a title."""
    documents = (
        sa.select(Document.id)
        .join(Membership, Membership.caucus_id == Document.caucus_id)
        .where(Membership.user_id == user.id)
    )
    return Notification.document_id.in_(documents)


def count_for(user: User, unread_only: bool = False) -> int:
    """How many notifications `notifications_for` pages through."""
    query = sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user.id, visible_to(user)
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return db.session.scalar(query) or 0


def unread_count(user: User) -> int:
    """How many notifications the person has not read (the badge in the header)."""
    return count_for(user, unread_only=True)


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read: those ids (others' ids are ignored), or all."""
    query = sa.update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        query = query.where(Notification.id.in_(list(ids)))
    result = db.session.execute(query.values(read_at=utcnow()))
    return result.rowcount or 0


def describe(notification: Notification) -> str:
    """One line saying what happened, in the reader's language."""
    actor = notification.actor.name if notification.actor else _("Someone")
    title = notification.document.title
    if notification.kind == NotificationKind.REPLY:
        return _("%(actor)s replied in a thread on “%(title)s”.", actor=actor, title=title)
    if notification.kind == NotificationKind.MENTION:
        return _("%(actor)s mentioned you on “%(title)s”.", actor=actor, title=title)
    status = notification.suggestion.status if notification.suggestion else ""
    if status == "accepted":
        return _("%(actor)s accepted your suggestion on “%(title)s”.", actor=actor, title=title)
    return _("%(actor)s declined your suggestion on “%(title)s”.", actor=actor, title=title)


def link_of(notification: Notification) -> str:
    """Where the notification leads: the document's page, from BASE_URL (never the Host of
    the request that caused it)."""
    return site_url("documents.read", doc_id=notification.document_id)


def mail(notification: Notification) -> None:
    """Mail one notification to its person, once the transaction that made it commits."""
    user = notification.user or db.session.get(User, notification.user_id)
    summary = describe(notification)
    words = ""
    if notification.comment is not None and not notification.comment.deleted:
        words = "\n\n" + notification.comment.body
    elif notification.suggestion is not None and notification.suggestion.decision_note:
        words = "\n\n" + notification.suggestion.decision_note
    body = _(
        "%(summary)s%(words)s\n\n%(link)s\n",
        summary=summary,
        words=words,
        link=link_of(notification),
    )
    send_after_commit(user.email, summary, body)
