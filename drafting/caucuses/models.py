"""Caucuses, their members and roles, and invitations."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from drafting.accounts.models import User
from drafting.extensions import UTCDateTime
from drafting.extensions import db
from drafting.extensions import utcnow


class Role(enum.IntEnum):
    """Roles in a caucus; each includes the powers of the ones below it."""

    VIEWER = 1
    COMMENTER = 2
    EDITOR = 3
    RAPPORTEUR = 4
    OWNER = 5

    @property
    def label(self) -> str:
        """The role's name as the API and the database write it."""
        return self.name.lower()

    @classmethod
    def parse(cls, label: str) -> Role:
        """The role named by its label; ValueError for anything else."""
        try:
            return cls[label.upper()]
        except KeyError:
            raise ValueError(label) from None

    @classmethod
    def labels(cls) -> list[str]:
        """Labels from the most to the least powerful, as API.md orders them."""
        return [role.label for role in sorted(cls, reverse=True)]


class RoleType(sa.types.TypeDecorator):
    """Stores a Role as its label: the database reads plainly, new roles need no renumbering."""

    impl = sa.String(16)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else Role(value).label

    def process_result_value(self, value, dialect):
        return None if value is None else Role.parse(value)


class Caucus(db.Model):
    """A workspace: the members of a network who write a common position together."""

    __tablename__ = "caucuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="caucus", cascade="all, delete-orphan"
    )


class Membership(db.Model):
    """A person's role in a caucus, and the organization they speak for there."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("caucus_id", "user_id", name="uq_memberships_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    caucus_id: Mapped[int] = mapped_column(
        sa.ForeignKey("caucuses.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(RoleType)
    organization: Mapped[str] = mapped_column(sa.String(160), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    caucus: Mapped[Caucus] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()


class Invitation(db.Model):
    """An invitation for an email with no account yet; the link carries a token stored hashed."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    caucus_id: Mapped[int] = mapped_column(
        sa.ForeignKey("caucuses.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[Role] = mapped_column(RoleType)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    caucus: Mapped[Caucus] = relationship()
    invited_by: Mapped[User | None] = relationship()
