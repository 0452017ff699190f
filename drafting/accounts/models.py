"""People, their signed-in sessions and their API tokens."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from drafting.extensions import UTCDateTime
from drafting.extensions import db
from drafting.extensions import utcnow


class User(UserMixin, db.Model):
    """A person with an account on this instance."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ApiToken.id"
    )
    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The secret of the session this request is signed in through (set by the service that
    # opened or found it; None for a Bearer token), not a column.
    session_secret = None

    def get_id(self) -> str:
        """Flask-Login's id, kept in the session and the remember-me cookie: the secret of
        this browser's session, which signing out deletes on the server."""
        if not self.session_secret:
            raise RuntimeError("open a session (accounts.service.open_session) before login_user")
        return self.session_secret

    def __eq__(self, other) -> bool:
        """The same person, whatever session each object was found through."""
        return isinstance(other, User) and other.id == self.id

    __hash__ = UserMixin.__hash__

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserSession(db.Model):
    """One signed-in browser. Its cookies (the session and the remember-me one) carry a random
    secret, of which only the SHA-256 is kept; deleting the row signs every copy of them out."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="sessions")


class ApiToken(db.Model):
    """A named bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters, shown in the settings page so a person can tell tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    @property
    def active(self) -> bool:
        """A token works until it is revoked."""
        return self.revoked_at is None
