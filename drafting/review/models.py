"""Comments on passages, proposed wording (suggestions), and notifications.

An anchored comment or suggestion keeps its passage as a span of the live text in UTF-16
code units (the unit of the stored deltas) together with the live version it is valid
at; reading maps it forward through the live edits since (drafting/review/anchoring.py)
and stores the result, so the next read starts from there.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from drafting.accounts.models import User
from drafting.caucuses.access import register_target
from drafting.caucuses.models import Caucus
from drafting.documents.models import Document
from drafting.extensions import UTCDateTime
from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.text.anchors import Anchor

MAX_BODY_CHARS = 10_000
MAX_QUOTE_CHARS = 2_000
MAX_CONTEXT_CHARS = 200


class Anchored:
    """Columns of a passage anchor, shared by comments and suggestions.

    `anchor_start`/`anchor_end` are UTF-16 offsets in the live text at `anchor_version`
    (Document.live_version); `orphaned` is set once the passage was deleted.
    """

    anchor_quote: Mapped[str | None] = mapped_column(sa.Text)
    anchor_prefix: Mapped[str] = mapped_column(sa.String(MAX_CONTEXT_CHARS), default="")
    anchor_suffix: Mapped[str] = mapped_column(sa.String(MAX_CONTEXT_CHARS), default="")
    anchor_start: Mapped[int | None]
    anchor_end: Mapped[int | None]
    anchor_version: Mapped[int | None]
    orphaned: Mapped[bool] = mapped_column(default=False)

    @property
    def anchor(self) -> Anchor | None:
        """The passage as it was quoted, or None for a comment on the whole document."""
        if self.anchor_quote is None:
            return None
        return Anchor(self.anchor_quote, self.anchor_prefix, self.anchor_suffix)


class Comment(Anchored, db.Model):
    """A comment on a passage (or the whole document), or a reply in its thread."""

    __tablename__ = "comments"
    __table_args__ = (
        sa.Index("ix_comments_document_thread", "document_id", "parent_id", "id"),
        sa.Index("ix_comments_parent", "parent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Replies hang off the thread's first comment (one level: a reply to a reply joins the thread).
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    resolution_note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Deleting keeps the row (and the thread's replies); only the words go.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    document: Mapped[Document] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    parent: Mapped[Comment | None] = relationship(remote_side=[id])

    @property
    def caucus(self) -> Caucus:
        """The caucus whose members may see the comment (for `member_of`)."""
        return self.document.caucus

    @property
    def deleted(self) -> bool:
        """A deleted comment keeps its place in the thread without its words."""
        return self.deleted_at is not None

    @property
    def resolved(self) -> bool:
        """A thread is resolved when its first comment is."""
        return self.resolved_at is not None


class CommentMention(db.Model):
    """A caucus member named with @ in a comment."""

    __tablename__ = "comment_mentions"
    __table_args__ = (
        sa.UniqueConstraint("comment_id", "user_id", name="uq_comment_mentions_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)


class SuggestionStatus(enum.StrEnum):
    """Where a suggestion stands; only open ones can be decided or withdrawn."""

    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Suggestion(Anchored, db.Model):
    """Proposed wording for a passage, and the rapporteur's decision on it."""

    __tablename__ = "suggestions"
    __table_args__ = (sa.Index("ix_suggestions_document_status", "document_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    replacement: Mapped[str] = mapped_column(sa.Text, default="")
    rationale: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=SuggestionStatus.OPEN.value)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")
    # The wording that went in: the replacement, or the rapporteur's edit of it.
    accepted_text: Mapped[str | None] = mapped_column(sa.Text)
    # The revision the acceptance produced (authored by the proposer, accepted by decided_by).
    revision_number: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def caucus(self) -> Caucus:
        """The caucus whose members may see the suggestion (for `member_of`)."""
        return self.document.caucus

    @property
    def base_quote(self) -> str:
        """The passage's words when the suggestion was made."""
        return self.anchor_quote or ""


class NotificationKind(enum.StrEnum):
    """Why someone is notified."""

    REPLY = "reply"
    MENTION = "mention"
    DECISION = "decision"


class Notification(db.Model):
    """Something a person should know about: a reply, a mention, a decision on their wording."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_created", "user_id", "created_at"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    suggestion_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("suggestions.id", ondelete="CASCADE")
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    document: Mapped[Document] = relationship()
    comment: Mapped[Comment | None] = relationship()
    suggestion: Mapped[Suggestion | None] = relationship()

    @property
    def caucus(self) -> Caucus:
        """The caucus of the document the notification is about."""
        return self.document.caucus


# `member_of` finds the caucus behind /comments/<comment_id> and /suggestions/<suggestion_id>.
register_target("comment_id", lambda comment_id: db.session.get(Comment, comment_id))
register_target("suggestion_id", lambda suggestion_id: db.session.get(Suggestion, suggestion_id))
