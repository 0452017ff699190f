"""Documents and their append-only revisions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from drafting.accounts.models import User
from drafting.caucuses.models import Caucus
from drafting.extensions import UTCDateTime
from drafting.extensions import db
from drafting.extensions import utcnow


class Document(db.Model):
    """A paper a caucus writes together. `content` is the text as it stands now."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    caucus_id: Mapped[int] = mapped_column(
        sa.ForeignKey("caucuses.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    language: Mapped[str] = mapped_column(sa.String(16), default="en")
    numbered_paragraphs: Mapped[bool] = mapped_column(default=False)
    # The head's text, kept whole so that reading never rebuilds it from deltas.
    content: Mapped[str] = mapped_column(sa.Text, default="")
    head_revision: Mapped[int] = mapped_column(default=0)
    head_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    # Bumped by every change of `content` (live edits and saves alike); clients sync to it.
    live_version: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    caucus: Mapped[Caucus] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def archived(self) -> bool:
        """Archived documents are read-only and listed apart."""
        return self.archived_at is not None


class Revision(db.Model):
    """One saved state of a document: who, when, why, and how to rebuild its text.

    Every revision after the first stores the diff-match-patch delta from the one before
    (zlib-compressed); every so often a revision also stores its whole text (a snapshot),
    so any revision is rebuilt from one snapshot and a bounded number of deltas.
    """

    __tablename__ = "revisions"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "number", name="uq_revisions_document_number"),
        sa.Index("ix_revisions_document_author", "document_id", "author_id", "number"),
        sa.Index("ix_revisions_document_created", "document_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    added: Mapped[int] = mapped_column(default=0)
    removed: Mapped[int] = mapped_column(default=0)
    length: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    merged: Mapped[bool] = mapped_column(default=False)
    restored_from: Mapped[int | None]
    delta: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    snapshot: Mapped[bytes | None] = mapped_column(sa.LargeBinary)

    document: Mapped[Document] = relationship()
    author: Mapped[User | None] = relationship()
    contributors: Mapped[list[RevisionAuthor]] = relationship(
        order_by="RevisionAuthor.characters.desc()", viewonly=True
    )


class RevisionAuthor(db.Model):
    """Everyone whose words went into a revision (live edits by several people at once)."""

    __tablename__ = "revision_authors"
    __table_args__ = (
        sa.UniqueConstraint("revision_id", "user_id", name="uq_revision_authors_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        sa.ForeignKey("revisions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    characters: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship()


class KeptText(db.Model):
    """A save that could not be merged, kept so its author can get the words back."""

    __tablename__ = "kept_texts"
    __table_args__ = (sa.UniqueConstraint("document_id", "user_id", name="uq_kept_texts_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    base_revision: Mapped[int]
    content: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuthorshipCache(db.Model):
    """Who wrote each passage at a revision, cached: building it replays the whole chain."""

    __tablename__ = "authorship_cache"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "revision", name="uq_authorship_cache_revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    revision: Mapped[int]
    runs: Mapped[bytes] = mapped_column(sa.LargeBinary)


class LiveEdit(db.Model):
    """One change to a document's live text, by one person: live version v-1 → v.

    Both directions are kept as deltas: `forward` replays who wrote what, `backward`
    rebuilds an older live version for a client whose shadow is still there.
    """

    __tablename__ = "live_edits"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "version", name="uq_live_edits_version"),
        sa.Index("ix_live_edits_pending", "document_id", "revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    version: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    forward: Mapped[str] = mapped_column(sa.Text)
    backward: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The revision this change went into; NULL while it is still pending.
    revision: Mapped[int | None]
