"""Frozen versions of a document and the endorsements they collect."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from drafting.accounts.models import User
from drafting.documents.models import Document
from drafting.extensions import UTCDateTime
from drafting.extensions import db
from drafting.extensions import utcnow


class Version(db.Model):
    """A document frozen at one revision: its text, its hashes and its PDF never change.

    Everything the PDF is made from (title, caucus name, language, date) is copied in at
    creation, so a PDF rendered later (when the engine was down at creation) is the one
    that would have been rendered then, whatever happened to the document since.
    """

    __tablename__ = "versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(sa.String(120))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    final: Mapped[bool] = mapped_column(default=False)
    revision: Mapped[int]
    content: Mapped[str] = mapped_column(sa.Text)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    caucus_name: Mapped[str] = mapped_column(sa.String(120))
    language: Mapped[str] = mapped_column(sa.String(16), default="en")
    numbered_paragraphs: Mapped[bool] = mapped_column(default=False)
    # Rendered once and kept: the same bytes on every download (null until first rendered).
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    # The public page's address; kept when unpublished, so republishing revives the same link.
    slug: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    public: Mapped[bool] = mapped_column(default=False)
    endorsements_open: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def caucus(self):
        """The caucus the version belongs to (what `member_of` checks)."""
        return self.document.caucus


class Endorsement(db.Model):
    """An organization signing on to a final version; it names the text hash it endorses.

    Members endorse from the app (`user_id` set, confirmed at once); people with the public
    link endorse through a form (`contact_email` set), confirmed by mail when the instance
    sends mail. Only confirmed endorsements that are not hidden are listed anywhere.
    """

    __tablename__ = "endorsements"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("versions.id", ondelete="CASCADE"), index=True
    )
    organization: Mapped[str] = mapped_column(sa.String(200))
    country: Mapped[str] = mapped_column(sa.String(100), default="")
    text_sha256: Mapped[str] = mapped_column(sa.String(64))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[Version] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def caucus(self):
        """The caucus of the endorsed version (what `member_of` checks)."""
        return self.version.document.caucus

    @property
    def listed(self) -> bool:
        """Shown on lists and in the endorsed edition: confirmed and not hidden as spam."""
        return self.confirmed_at is not None and self.hidden_at is None

    @property
    def source(self) -> str:
        """ "member" when a member endorsed from the app, "public" through the public page."""
        return "member" if self.user_id is not None or not self.contact_email else "public"
