"""Caucuses, members, roles and invitations. No HTTP here; callers authorize first."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from drafting.accounts.models import User
from drafting.accounts.service import normalize_email
from drafting.accounts.service import sha256_hex
from drafting.accounts.service import user_by_email
from drafting.caucuses.access import is_owner
from drafting.caucuses.models import Caucus
from drafting.caucuses.models import Invitation
from drafting.caucuses.models import Membership
from drafting.caucuses.models import Role
from drafting.errors import Conflict
from drafting.errors import Invalid
from drafting.errors import NotAllowed
from drafting.errors import NotFound
from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.single_line import check_single_line
from drafting.single_line import has_control_characters

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(name: str) -> str:
    """A URL-friendly slug from a name ("Mujeres en Migración" → "mujeres-en-migracion")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:60] or "caucus"


def unique_slug(base: str) -> str:
    """The slug itself if free, else the slug with the smallest free numeric suffix."""
    taken = set(
        db.session.scalars(
            sa.select(Caucus.slug).where(sa.or_(Caucus.slug == base, Caucus.slug.like(f"{base}-%")))
        )
    )
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def create_caucus(creator: User, *, name: str, slug: str | None = None) -> Caucus:
    """Create a caucus; its creator becomes its owner."""
    name = check_single_line(name.strip(), "name")
    if not name or len(name) > 120:
        raise Invalid(
            _("Give the caucus a name of 1 to 120 characters."), fields={"name": "length"}
        )
    if slug:
        slug = slug.strip().lower()
        if not SLUG_PATTERN.match(slug) or len(slug) > 80:
            raise Invalid(
                _("A slug is lowercase letters, digits and single hyphens."),
                fields={"slug": "format"},
            )
        if db.session.scalar(sa.select(Caucus.id).where(Caucus.slug == slug)):
            raise Conflict(_("That slug is taken."), fields={"slug": "taken"})
    else:
        slug = unique_slug(slugify(name))
    caucus = Caucus(name=name, slug=slug)
    caucus.memberships.append(Membership(user=creator, role=Role.OWNER))
    db.session.add(caucus)
    db.session.flush()
    return caucus


def caucuses_of(user: User, *, limit: int | None = None, offset: int = 0) -> list[Membership]:
    """The person's memberships, with their caucuses, by caucus name."""
    query = (
        sa.select(Membership)
        .join(Membership.caucus)
        .where(Membership.user_id == user.id)
        .order_by(sa.func.lower(Caucus.name), Caucus.id)
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def count_caucuses_of(user: User) -> int:
    """How many caucuses the person belongs to."""
    return db.session.scalar(
        sa.select(sa.func.count(Membership.id)).where(Membership.user_id == user.id)
    )


def members_of(caucus: Caucus, *, limit: int | None = None, offset: int = 0) -> list[Membership]:
    """The caucus's memberships, most powerful roles first, then by name."""
    role_order = sa.case({role.label: int(role) for role in Role}, value=Membership.role)
    query = (
        sa.select(Membership)
        .join(Membership.user)
        .where(Membership.caucus_id == caucus.id)
        .order_by(role_order.desc(), sa.func.lower(User.name), User.id)
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def count_members(caucus: Caucus) -> int:
    """How many people belong to the caucus."""
    return db.session.scalar(
        sa.select(sa.func.count(Membership.id)).where(Membership.caucus_id == caucus.id)
    )


def membership_for(caucus: Caucus, user_id: int) -> Membership:
    """A member's membership, or NotFound."""
    membership = db.session.scalar(
        sa.select(Membership).where(
            Membership.caucus_id == caucus.id, Membership.user_id == user_id
        )
    )
    if membership is None:
        raise NotFound(_("That person is not a member of this caucus."))
    return membership


def count_owners(caucus: Caucus) -> int:
    """How many owners the caucus has."""
    return db.session.scalar(
        sa.select(sa.func.count(Membership.id)).where(
            Membership.caucus_id == caucus.id, Membership.role == Role.OWNER
        )
    )


def refuse_losing_last_owner(membership: Membership) -> None:
    """A caucus always keeps at least one owner."""
    if is_owner(membership) and count_owners(membership.caucus) <= 1:
        raise Conflict(
            _("A caucus needs an owner. Make someone else an owner first."),
            fields={"role": "last_owner"},
        )


def change_role(caucus: Caucus, user_id: int, role: Role) -> Membership:
    """Give a member another role; the last owner cannot be demoted."""
    membership = membership_for(caucus, user_id)
    if role is not Role.OWNER:
        refuse_losing_last_owner(membership)
    membership.role = role
    return membership


def remove_member(caucus: Caucus, user_id: int) -> None:
    """Remove a member (or let one leave); access ends with their next request."""
    membership = membership_for(caucus, user_id)
    refuse_losing_last_owner(membership)
    db.session.delete(membership)
    db.session.flush()


@dataclass
class InviteOutcome:
    """What inviting an email did: added a known person, or created an invitation link."""

    membership: Membership | None = None
    invitation: Invitation | None = None
    secret: str | None = None  # the invitation link's token, shown or mailed once


def invite(caucus: Caucus, *, inviter: User, email: str, role: Role, days: int) -> InviteOutcome:
    """Add a known email at once; for an unknown one, create an expiring invitation."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254 or has_control_characters(email):
        raise Invalid(_("That is not an email address."), fields={"email": "format"})
    known_user = user_by_email(email)
    if known_user is not None:
        return InviteOutcome(membership=add_member(caucus, known_user, role))
    secret = secrets.token_urlsafe(32)
    invitation = Invitation(
        caucus=caucus,
        email=email,
        role=role,
        token_hash=sha256_hex(secret),
        invited_by=inviter,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    return InviteOutcome(invitation=invitation, secret=secret)


def add_member(caucus: Caucus, user: User, role: Role) -> Membership:
    """Make a person a member; someone already in the caucus is a conflict, not a change."""
    existing = db.session.scalar(
        sa.select(Membership).where(
            Membership.caucus_id == caucus.id, Membership.user_id == user.id
        )
    )
    if existing is not None:
        raise Conflict(
            _("%(name)s is already a member.", name=user.name), fields={"email": "member"}
        )
    membership = Membership(caucus=caucus, user=user, role=role)
    db.session.add(membership)
    db.session.flush()
    return membership


def pending_invitations(caucus: Caucus) -> list[Invitation]:
    """Invitations not yet accepted, revoked or expired, newest first."""
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .where(
                Invitation.caucus_id == caucus.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def invitation_by_secret(secret: str) -> Invitation:
    """The open invitation a link names; NotFound for unknown, used, revoked or expired links."""
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == sha256_hex(secret))
    )
    usable = (
        invitation is not None
        and invitation.accepted_at is None
        and invitation.revoked_at is None
        and invitation.expires_at > utcnow()
    )
    if not usable:
        raise NotFound(_("This invitation link is not valid any more. Ask for a new one."))
    return invitation


def check_invited_email(invitation: Invitation, email: str) -> None:
    """Registering through an invitation registers the invited address, and no other: on an
    invite-only instance, a link would otherwise open accounts to anyone it reaches."""
    if normalize_email(email) != invitation.email:
        raise Invalid(
            _(
                "This invitation is for %(email)s. Register with that address, or ask for an "
                "invitation to yours.",
                email=invitation.email,
            ),
            fields={"email": "not_invited"},
        )


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Join the caucus through an invitation; only the invited email's account may use it.

    A forwarded link must not let someone else into a confidential caucus.
    """
    if user.email != invitation.email:
        raise NotAllowed(
            _(
                "This invitation is for %(email)s. Sign in with that address.",
                email=invitation.email,
            )
        )
    membership = db.session.scalar(
        sa.select(Membership).where(
            Membership.caucus_id == invitation.caucus_id, Membership.user_id == user.id
        )
    )
    if membership is None:
        membership = Membership(caucus=invitation.caucus, user=user, role=invitation.role)
        db.session.add(membership)
    invitation.accepted_at = utcnow()
    db.session.flush()
    return membership


def revoke_invitation(caucus: Caucus, invitation_id: int) -> Invitation:
    """Withdraw an invitation so its link stops working."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.caucus_id != caucus.id:
        raise NotFound(_("There is no such invitation."))
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
    return invitation
