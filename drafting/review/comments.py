"""Comments: threads on passages (or the whole document), replies, edits, resolving, and
the notifications they send (replies to a thread's participants, @mentions: review/mentions.py)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from drafting.accounts.models import User
from drafting.caucuses.access import may_resolve
from drafting.caucuses.access import membership_of
from drafting.caucuses.access import require
from drafting.caucuses.models import Membership
from drafting.caucuses.models import Role
from drafting.documents.models import Document
from drafting.documents.service import normalize_newlines
from drafting.errors import Conflict
from drafting.errors import Invalid
from drafting.errors import NotAllowed
from drafting.errors import NotFound
from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.review import notifications
from drafting.review.anchoring import ResolvedAnchor
from drafting.review.anchoring import place_anchor
from drafting.review.anchoring import resolve_anchors
from drafting.review.mentions import Mentions
from drafting.review.models import MAX_BODY_CHARS
from drafting.review.models import Comment
from drafting.review.models import CommentMention
from drafting.review.models import NotificationKind
from drafting.text.anchors import Anchor
from drafting.text.markdown import render


@functools.lru_cache(maxsize=4096)
def body_html(body: str) -> str:
    """A comment's Markdown, rendered and sanitized (cached: a listing renders hundreds)."""
    return render(body).html if body else ""


@dataclass
class Thread:
    """A comment thread: its first comment, replies oldest first, and its passage now."""

    root: Comment
    replies: list[Comment]
    anchor: ResolvedAnchor | None

    @property
    def resolved(self) -> bool:
        """Resolved threads are hidden from the margin by default."""
        return self.root.resolved

    @property
    def comments(self) -> list[Comment]:
        """The root and its replies, in order."""
        return [self.root, *self.replies]


def checked_body(body: str, field_name: str = "body", *, required: bool = True) -> str:
    """A comment body: Markdown, at most 10,000 characters, not blank."""
    body = normalize_newlines(body or "").strip()
    if required and not body:
        raise Invalid(_("Write something first."), fields={field_name: "required"})
    if len(body) > MAX_BODY_CHARS:
        raise Invalid(
            _("Keep it under %(n)d characters.", n=MAX_BODY_CHARS),
            fields={field_name: "too_long"},
        )
    return body


def ensure_writable(document: Document) -> None:
    """An archived document is read-only: its comments and suggestions too (409)."""
    if document.archived:
        raise Conflict(_("This document is archived. Restore it to comment or suggest."))


def add_comment(
    document: Document,
    author: User,
    body: str,
    anchor: Anchor | None = None,
    parent: Comment | None = None,
) -> Comment:
    """Comment on a passage (or the whole document), or reply in a thread."""
    require(author, document, Role.COMMENTER)
    ensure_writable(document)
    comment = Comment(document=document, author=author, body=checked_body(body))
    if parent is not None:
        if parent.document_id != document.id:
            raise NotFound(_("There is no such comment on this document."))
        if anchor is not None:
            raise Invalid(_("A reply belongs to its thread's passage."), fields={"anchor": "reply"})
        comment.parent = parent.parent or parent  # one level: replies join the thread
    elif anchor is not None:
        place_anchor(comment, document, anchor)
    db.session.add(comment)
    db.session.flush()
    mentioned = record_mentions(comment, document)
    notify_thread(comment, document, author, skip=mentioned)
    return comment


def record_mentions(comment: Comment, document: Document) -> set[int]:
    """Store and notify the members a comment mentions; their ids."""
    mentioned = {user.id for user in mentions_in(comment.body, document)} - {comment.author_id}
    known = set(
        db.session.scalars(
            sa.select(CommentMention.user_id).where(CommentMention.comment_id == comment.id)
        )
    )
    for user_id in mentioned - known:
        db.session.add(CommentMention(comment_id=comment.id, user_id=user_id))
    if known - mentioned:
        # An edit took the name out: "mentioning me" must stop listing the thread.
        db.session.execute(
            sa.delete(CommentMention).where(
                CommentMention.comment_id == comment.id,
                CommentMention.user_id.in_(known - mentioned),
            )
        )
    notifications.notify(
        mentioned - known,
        NotificationKind.MENTION,
        document=document,
        actor=comment.author,
        comment=comment,
    )
    return mentioned


def notify_thread(comment: Comment, document: Document, actor: User, skip: set[int]) -> None:
    """Tell the thread's other participants about a reply."""
    if comment.parent_id is None:
        return
    participants = set(
        db.session.scalars(
            sa.select(Comment.author_id).where(
                sa.or_(Comment.id == comment.parent_id, Comment.parent_id == comment.parent_id),
                Comment.author_id.is_not(None),
            )
        )
    )
    notifications.notify(
        participants - skip - {actor.id},
        NotificationKind.REPLY,
        document=document,
        actor=actor,
        comment=comment,
    )


def mentions_in(body: str, document: Document) -> list[User]:
    """The caucus members a text mentions with @name or @email (review/mentions.py)."""
    if "@" not in body:
        return []
    members = db.session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.caucus_id == document.caucus_id)
    )
    return Mentions((user, (user.email, user.name)) for user in members).people_in(body)


def get_comment(comment_id: int, document: Document | None = None) -> Comment:
    """A comment by id (of `document` if given), or NotFound."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or (document is not None and comment.document_id != document.id):
        raise NotFound(_("There is no such comment."))
    return comment


def edit_comment(comment: Comment, user: User, body: str) -> Comment:
    """Change one's own comment's words."""
    if comment.author_id != user.id:
        raise NotAllowed(_("Only its author can change a comment."))
    ensure_writable(comment.document)
    if comment.deleted:
        raise Conflict(_("This comment was deleted."))
    comment.body = checked_body(body)
    comment.edited_at = utcnow()
    db.session.flush()
    record_mentions(comment, comment.document)
    return comment


def delete_comment(comment: Comment, user: User) -> Comment:
    """Delete one's own comment: its words go, its place in the thread (and replies) stay."""
    if comment.author_id != user.id:
        raise NotAllowed(_("Only its author can delete a comment."))
    ensure_writable(comment.document)
    if not comment.deleted:
        comment.body = ""
        comment.deleted_at = utcnow()
        db.session.execute(sa.delete(CommentMention).where(CommentMention.comment_id == comment.id))
    db.session.flush()
    return comment


def thread_root(comment: Comment) -> Comment:
    """The first comment of the comment's thread."""
    return comment.parent or comment


def check_may_resolve(root: Comment, user: User) -> None:
    """The thread's author may resolve it (even as a commenter); editors and up any thread."""
    membership = membership_of(user, root.document.caucus_id)
    if membership is None:
        raise NotFound(_("There is no such comment."))
    if not may_resolve(membership, root, archived_too=True):
        raise NotAllowed(_("Only the thread's author or an editor can resolve it."))
    ensure_writable(root.document)


def resolve_thread(comment: Comment, user: User, note: str = "") -> Comment:
    """Mark a thread resolved (from any of its comments); returns its first comment."""
    root = thread_root(comment)
    check_may_resolve(root, user)
    if root.resolved_at is None:
        root.resolved_at = utcnow()
        root.resolved_by = user
    root.resolution_note = checked_body(note, "note", required=False)
    db.session.flush()
    return root


def reopen_thread(comment: Comment, user: User) -> Comment:
    """Reopen a resolved thread; returns its first comment."""
    root = thread_root(comment)
    check_may_resolve(root, user)
    root.resolved_at = None
    root.resolved_by = None
    db.session.flush()
    return root


def threads_of(
    document: Document,
    *,
    status: str | None = None,
    author: User | int | None = None,
    mentioning: User | int | None = None,
) -> list[Thread]:
    """The document's threads, oldest first, with their passages resolved against the text.

    `status` is "open" or "resolved"; `author` keeps threads started by that person,
    `mentioning` threads where that person is mentioned. The caught-up spans are stored
    for the next reading (the request's transaction keeps them).
    """
    query = (
        sa.select(Comment)
        .options(selectinload(Comment.author), selectinload(Comment.resolved_by))
        .where(Comment.document_id == document.id, Comment.parent_id.is_(None))
        .order_by(Comment.id)
    )
    if status == "open":
        query = query.where(Comment.resolved_at.is_(None))
    elif status == "resolved":
        query = query.where(Comment.resolved_at.is_not(None))
    if author is not None:
        query = query.where(Comment.author_id == user_id_of(author))
    if mentioning is not None:
        query = query.where(Comment.id.in_(threads_mentioning(document, user_id_of(mentioning))))
    roots = list(db.session.scalars(query))
    replies = replies_of(document, [root.id for root in roots])
    anchors = resolve_anchors(document, roots)
    return [Thread(root, replies.get(root.id, []), anchors[root.id]) for root in roots]


def user_id_of(user: User | int) -> int:
    """A person's id, from a person or an id."""
    return user if isinstance(user, int) else user.id


def threads_mentioning(document: Document, user_id: int) -> sa.Select:
    """The ids of the threads where a person is mentioned (in any comment)."""
    thread_id = sa.func.coalesce(Comment.parent_id, Comment.id)
    return (
        sa.select(thread_id)
        .join(CommentMention, CommentMention.comment_id == Comment.id)
        .where(Comment.document_id == document.id, CommentMention.user_id == user_id)
    )


def replies_of(document: Document, root_ids: list[int]) -> dict[int, list[Comment]]:
    """The replies of many threads in one query, by thread."""
    if not root_ids:
        return {}
    rows = db.session.scalars(
        sa.select(Comment)
        .options(selectinload(Comment.author))
        .where(Comment.document_id == document.id, Comment.parent_id.is_not(None))
        .order_by(Comment.id)
    )
    wanted = set(root_ids)
    replies: dict[int, list[Comment]] = {}
    for reply in rows:
        if reply.parent_id in wanted:
            replies.setdefault(reply.parent_id, []).append(reply)
    return replies


def thread_of(comment: Comment) -> Thread:
    """One comment's whole thread, its passage resolved."""
    root = thread_root(comment)
    replies = replies_of(root.document, [root.id]).get(root.id, [])
    return Thread(root, replies, resolve_anchors(root.document, [root])[root.id])
