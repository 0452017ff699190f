"""Live co-editing state: each browser tab's sync session (the live edits they make are
the document's own journal: documents/models.py, LiveEdit)."""

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
