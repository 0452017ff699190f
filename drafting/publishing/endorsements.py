"""Endorsements: organizations sign on to a final version, by the text hash they endorse.

Members endorse from the version's page and are listed at once. Anyone with the public
link may endorse while the version collects endorsements; with mail configured, the
endorsement waits for its mailed confirmation link (a signed token). Rapporteurs hide
spam; hidden and unconfirmed endorsements are listed nowhere, and an organization is
listed once per version. Services only flush; the request's transaction commits.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer

from drafting.accounts.models import User
from drafting.errors import Conflict
from drafting.errors import NotFound
from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.publishing import pdf
from drafting.publishing.fields import MAX_COUNTRY_CHARS
from drafting.publishing.fields import MAX_EMAIL_CHARS
from drafting.publishing.fields import MAX_ORGANIZATION_CHARS
from drafting.publishing.fields import one_line
from drafting.publishing.models import Endorsement
from drafting.publishing.models import Version

CONFIRMATION_SALT = "endorsement-confirmation"
CONFIRMATION_MAX_AGE = 14 * 24 * 3600  # seconds: two weeks to click the link


def check_endorsement(organization: str, country: str) -> tuple[str, str]:
    """An organization's name (required) and its country (optional)."""
    return (
        one_line(organization, "organization", MAX_ORGANIZATION_CHARS),
        one_line(country, "country", MAX_COUNTRY_CHARS, required=False),
    )


def refuse_duplicate(version: Version, organization: str) -> None:
    """An organization is listed once per version (unconfirmed claims block no one)."""
    existing = db.session.scalar(
        sa.select(Endorsement.id).where(
            Endorsement.version_id == version.id,
            sa.func.lower(Endorsement.organization) == organization.lower(),
            Endorsement.confirmed_at.is_not(None),
            Endorsement.hidden_at.is_(None),
        )
    )
    if existing is not None:
        raise Conflict(
            _("%(org)s already endorses this version.", org=organization),
            fields={"organization": "duplicate"},
        )


def endorse_as_member(
    version: Version, user: User, *, organization: str, country: str = ""
) -> Endorsement:
    """A member signs their organization on to a final version; listed at once."""
    if not version.final:
        raise Conflict(_("Only a final version can be endorsed."))
    organization, country = check_endorsement(organization, country)
    refuse_duplicate(version, organization)
    now = utcnow()
    endorsement = Endorsement(
        version=version,
        organization=organization,
        country=country,
        text_sha256=version.sha256,
        user=user,
        created_at=now,
        confirmed_at=now,
    )
    db.session.add(endorsement)
    db.session.flush()
    return endorsement


def collecting(version: Version) -> bool:
    """Whether anyone with the public link may endorse the version (and confirm it) now."""
    return version.public and version.final and version.endorsements_open


def endorse_publicly(
    version: Version, *, organization: str, country: str, email: str, confirmed: bool
) -> Endorsement:
    """Someone with the public link endorses; `confirmed` False waits for the mailed link."""
    if not collecting(version):
        raise Conflict(_("This version is not collecting endorsements."))
    organization, country = check_endorsement(organization, country)
    email = one_line(email, "email", MAX_EMAIL_CHARS)
    refuse_duplicate(version, organization)
    now = utcnow()
    endorsement = Endorsement(
        version=version,
        organization=organization,
        country=country,
        contact_email=email,
        text_sha256=version.sha256,
        created_at=now,
        confirmed_at=now if confirmed else None,
    )
    db.session.add(endorsement)
    db.session.flush()
    return endorsement


def confirmation_serializer() -> URLSafeTimedSerializer:
    """Signs confirmation links with the app's secret key."""
    return URLSafeTimedSerializer(current_app.secret_key, salt=CONFIRMATION_SALT)


def confirmation_token(endorsement: Endorsement) -> str:
    """The signed token of an endorsement's confirmation link."""
    return confirmation_serializer().dumps([endorsement.id, endorsement.version_id])


def pending_endorsement(version: Version, token: str) -> Endorsement:
    """The endorsement a confirmation token names, if the token is valid for this version."""
    try:
        endorsement_id, version_id = confirmation_serializer().loads(
            token, max_age=CONFIRMATION_MAX_AGE
        )
    except (BadSignature, TypeError, ValueError):
        raise NotFound(_("This confirmation link is not valid, or has expired.")) from None
    endorsement = db.session.get(Endorsement, endorsement_id) if version_id == version.id else None
    if endorsement is None:
        raise NotFound(_("This confirmation link is not valid, or has expired."))
    return endorsement


def confirm_endorsement(version: Version, token: str) -> Endorsement:
    """Confirm a public endorsement from its mailed link (twice is harmless)."""
    endorsement = pending_endorsement(version, token)
    if endorsement.confirmed_at is None:
        # Closing the list closes it to late confirmations too: the endorsed edition the
        # rapporteur printed at closing stays the list.
        if not collecting(version):
            raise Conflict(_("This version is no longer collecting endorsements."))
        refuse_duplicate(version, endorsement.organization)
        endorsement.confirmed_at = utcnow()
        db.session.flush()
    return endorsement


def listed_endorsements(version: Version) -> list[Endorsement]:
    """Confirmed endorsements that are not hidden, by organization."""
    return list(
        db.session.scalars(
            sa.select(Endorsement)
            .where(
                Endorsement.version_id == version.id,
                Endorsement.confirmed_at.is_not(None),
                Endorsement.hidden_at.is_(None),
            )
            .order_by(sa.func.lower(Endorsement.organization), Endorsement.id)
        )
    )


def all_endorsements(version: Version) -> list[Endorsement]:
    """Every endorsement, hidden and unconfirmed ones too, newest first (for the rapporteur)."""
    return list(
        db.session.scalars(
            sa.select(Endorsement)
            .where(Endorsement.version_id == version.id)
            .order_by(Endorsement.created_at.desc(), Endorsement.id.desc())
        )
    )


def endorsers_of(version: Version) -> tuple[pdf.Endorser, ...]:
    """The listed endorsements as the endorsed edition prints them."""
    return tuple(
        pdf.Endorser(organization=e.organization, country=e.country)
        for e in listed_endorsements(version)
    )


def set_hidden(endorsement: Endorsement, hidden: bool) -> Endorsement:
    """Hide an endorsement as spam (or show it again); hidden ones are listed nowhere."""
    endorsement.hidden_at = (endorsement.hidden_at or utcnow()) if hidden else None
    db.session.flush()
    return endorsement
