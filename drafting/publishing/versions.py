"""Versions: frozen, labelled revisions of a document, and their sharing by public link.

Cutting a version freezes the text and everything its PDF is printed from (title, caucus,
language, numbering), and prints the PDF if the engine can (printing.py). A version is
published by an unguessable link; unpublishing hides it at once, and publishing again
revives the same link. Services take the acting user, raise domain errors, and only
flush; the request's transaction commits.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import defer

from drafting.accounts.models import User
from drafting.documents import live
from drafting.documents import storage
from drafting.documents.models import Document
from drafting.errors import Conflict
from drafting.errors import Invalid
from drafting.errors import NotFound
from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.locking import locked
from drafting.publishing.fields import MAX_LABEL_CHARS
from drafting.publishing.fields import MAX_NOTE_CHARS
from drafting.publishing.fields import one_line
from drafting.publishing.models import Version
from drafting.publishing.printing import try_to_store_pdf
from drafting.transactions import release


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
    release()  # the version is cut and committed; printing it waits outside any lock
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
