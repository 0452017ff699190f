"""Publishing: cut frozen versions, render their PDFs, publish them and collect endorsements.

Services take the acting user, raise domain errors, and only flush; views commit.

PDFs of versions: the PDF is printed once, when the version is cut, and its bytes are
stored with their SHA-256. If it cannot be printed then (the engine is unavailable or
failed, or, with a PDF queue configured, the job is still waiting), the version is still
cut (its text and text hash are what matter) and the PDF is taken on the first request
that finds it printed, from the fields the version froze, then stored: from then on every
download gives the same bytes. Other editions (Letter paper, the endorsed edition) and
drafts of revisions are not stored here: they come from the engine's cache, keyed by
everything they are made from, so a new endorsement makes a new endorsed edition.
Everything goes through `jobs.request_pdf`: printed inline without a queue, on the queue
(and answered "pending", a 503 to retry) with one.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Literal

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.orm import defer

from drafting.accounts.models import User
from drafting.documents import live
from drafting.documents import service as documents
from drafting.documents import storage
from drafting.documents.models import Document
from drafting.errors import Conflict
from drafting.errors import DomainError
from drafting.errors import Invalid
from drafting.errors import NotFound
from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.locking import locked
from drafting.publishing import jobs
from drafting.publishing import pdf
from drafting.publishing.models import Endorsement
from drafting.publishing.models import Version

MAX_LABEL_CHARS = 120
MAX_NOTE_CHARS = 2000
MAX_ORGANIZATION_CHARS = 200
MAX_COUNTRY_CHARS = 100
MAX_EMAIL_CHARS = 254
CONFIRMATION_SALT = "endorsement-confirmation"
CONFIRMATION_MAX_AGE = 14 * 24 * 3600  # seconds: two weeks to click the link

PageSize = Literal["A4", "Letter"]


class PdfUnavailable(DomainError):
    """The PDF engine could not print now; the request may be tried again later."""

    status = 503
    code = "pdf_unavailable"


class PdfPending(DomainError):
    """The PDF is being printed on the queue; asking again soon gives it."""

    status = 503
    code = "pdf_pending"


def pdf_sha256(pdf_bytes: bytes) -> str:
    """The SHA-256 of a PDF's bytes."""
    return hashlib.sha256(pdf_bytes).hexdigest()


def one_line(value: str, field: str, limit: int, *, required: bool = True) -> str:
    """A single line of text, spaces collapsed, of at most `limit` characters."""
    value = " ".join((value or "").split())
    if (required and not value) or len(value) > limit:
        raise Invalid(
            _("Write 1 to %(n)d characters.", n=limit)
            if required
            else _("Keep it under %(n)d characters.", n=limit),
            fields={field: "length"},
        )
    return value


# Versions


def create_version(
    document: Document,
    actor: User,
    *,
    label: str,
    revision: int | None = None,
    final: bool = False,
    note: str = "",
) -> Version:
    """Freeze a revision (the head, live edits included, by default) as a labelled version."""
    label = one_line(label, "label", MAX_LABEL_CHARS)
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise Invalid(
            _("Keep the note under %(n)d characters.", n=MAX_NOTE_CHARS),
            fields={"note": "too_long"},
        )
    document = locked(document)
    if revision is None:
        live.flush_live_edits(document, force=True)  # the head revision is now the live text
        revision = document.head_revision
    if not 1 <= revision <= document.head_revision:
        raise Invalid(_("There is no revision %(n)d.", n=revision), fields={"revision": "unknown"})
    text = storage.text_at(document, revision)
    version = Version(
        document=document,
        label=label,
        note=note,
        final=final,
        revision=revision,
        content=text,
        sha256=storage.sha256_text(text),
        title=document.title,
        caucus_name=document.caucus.name,
        language=document.language,
        numbered_paragraphs=document.numbered_paragraphs,
        created_by=actor,
        created_at=utcnow(),
    )
    db.session.add(version)
    db.session.flush()
    try_to_store_pdf(version)
    return version


def versions_of(document: Document) -> list[Version]:
    """A document's versions, newest first (their texts are loaded only when read)."""
    return list(
        db.session.scalars(
            sa.select(Version)
            .options(defer(Version.content))
            .where(Version.document_id == document.id)
            .order_by(Version.created_at.desc(), Version.id.desc())
        )
    )


def version_pdf_request(
    version: Version, *, page_size: PageSize = "A4", endorsed: bool = False
) -> pdf.PdfRequest:
    """The engine's request for a version, made only from what the version froze."""
    return pdf.PdfRequest(
        title=version.title,
        caucus_name=version.caucus_name,
        markdown=version.content,
        text_sha256=version.sha256,
        language=version.language,
        status="final" if version.final else "draft",
        version_label=version.label,
        revision=version.revision,
        issued_on=version.created_at.date(),
        numbered_paragraphs=version.numbered_paragraphs,
        page_size=page_size,
        author=version.caucus_name,
        endorsers=endorsers_of(version) if endorsed else (),
    )


def printed(request: pdf.PdfRequest) -> bytes:
    """The request's PDF from the engine (its cache, its queue when one is configured).

    Still being printed on the queue: PdfPending. Unavailable or failed: PdfUnavailable.
    Both are 503s, never a 500; the engine's own verdict on the input (too large…) stands.
    """
    try:
        job = jobs.request_pdf(request)
    except DomainError:
        raise
    except Exception as error:
        current_app.logger.warning("PDF engine failed: %r", error)
        raise PdfUnavailable(
            _("The PDF cannot be made right now. Try again in a minute.")
        ) from None
    if job.state == "pending":
        raise PdfPending(_("The PDF is being printed. Try again in a few seconds."))
    if job.state != "ready" or job.pdf is None:
        raise PdfUnavailable(job.error or _("The PDF cannot be made right now."))
    return job.pdf


def try_to_store_pdf(version: Version) -> None:
    """Print and keep the version's PDF now if the engine can; otherwise on first request.

    A savepoint keeps the version whatever printing did to the session (a queue that is
    still printing, an engine that failed halfway through its cache).
    """
    savepoint = db.session.begin_nested()
    try:
        store_pdf(version)
    except DomainError:
        savepoint.rollback()
    else:
        savepoint.commit()


def store_pdf(version: Version) -> bytes:
    """Print the version's PDF and keep its bytes and hash for good."""
    pdf_bytes = printed(version_pdf_request(version))
    version.pdf = pdf_bytes
    version.pdf_sha256 = pdf_sha256(pdf_bytes)
    db.session.flush()
    return pdf_bytes


def version_pdf(version: Version, *, page_size: PageSize = "A4", endorsed: bool = False) -> bytes:
    """The stored PDF, or another edition (Letter, endorsed) printed and cached by the engine."""
    if endorsed and not version.final:
        raise Conflict(_("Only a final version has an endorsed edition."))
    if endorsed or page_size != "A4":
        return printed(version_pdf_request(version, page_size=page_size, endorsed=endorsed))
    if version.pdf_sha256 is None:
        version = locked(version)  # two first downloads at once: one renders, one waits
        if version.pdf_sha256 is None:
            return store_pdf(version)
    return version.pdf


def draft_pdf(document: Document, revision: int, *, page_size: PageSize = "A4") -> bytes:
    """A PDF of any revision, marked as a draft."""
    record = documents.get_revision(document, revision)
    return printed(
        pdf.PdfRequest(
            title=document.title,
            caucus_name=document.caucus.name,
            markdown=storage.text_at(document, revision),
            text_sha256=record.sha256,
            language=document.language,
            status="draft",
            revision=revision,
            issued_on=record.created_at.date(),
            numbered_paragraphs=document.numbered_paragraphs,
            page_size=page_size,
            author=document.caucus.name,
        )
    )


def update_sharing(
    version: Version, *, public: bool | None = None, endorsements_open: bool | None = None
) -> Version:
    """Publish or unpublish a version, open or close its public endorsements."""
    if endorsements_open and not version.final:
        raise Conflict(_("Only a final version can collect endorsements."))
    if public is not None:
        version.public = public
        if public and version.slug is None:
            version.slug = secrets.token_urlsafe(16)  # unguessable: the link is the permission
    if endorsements_open is not None:
        version.endorsements_open = endorsements_open
    db.session.flush()
    return version


def published_version(slug: str) -> Version:
    """The public version behind a public link; unpublished ones are simply not found."""
    version = db.session.scalar(sa.select(Version).where(Version.slug == slug))
    if version is None or not version.public:
        raise NotFound(_("There is nothing here, or you do not have access to it."))
    return version


# Endorsements


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
