"""Live co-editing state: the chain of live changes and each client's sync session."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from drafting.accounts.models import User
from drafting.extensions import UTCDateTime
from drafting.extensions import db
from drafting.extensions import utcnow


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


class EditSession(db.Model):
    """One browser tab's sync state (SYNC.md), in the database so any worker serves it.

    Texts are stored by reference: a live version of the document plus the client's
    deltas on top of it, so a sync writes a few numbers, not two copies of the paper.
    """

    __tablename__ = "edit_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    shadow_version: Mapped[int]
    shadow_deltas: Mapped[str] = mapped_column(sa.Text, default="[]")
    shadow_n: Mapped[int] = mapped_column(default=0)
    shadow_m: Mapped[int] = mapped_column(default=0)
    backup_version: Mapped[int]
    backup_deltas: Mapped[str] = mapped_column(sa.Text, default="[]")
    backup_m: Mapped[int] = mapped_column(default=0)
    outgoing: Mapped[str] = mapped_column(sa.Text, default="[]")
    cursor_anchor: Mapped[int | None]
    cursor_head: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
