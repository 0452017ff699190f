"""Printing: the PDFs of versions and of drafts, through the PDF engine and its queue.

A version's PDF is printed once, when the version is cut, and its bytes are stored with
their SHA-256. If it cannot be printed then (the engine is unavailable or failed, or,
with a PDF queue configured, the job is still waiting), the version is still cut (its
text and text hash are what matter) and the PDF is taken on the first request that finds
it printed, from the fields the version froze, then stored: from then on every download
gives the same bytes. Other editions (Letter paper, the endorsed edition) and drafts of
revisions are not stored here: they come from the engine's cache, keyed by everything
they are made from, so a new endorsement makes a new endorsed edition. Everything goes
through `jobs.request_pdf`: by this process's print threads without a queue, on the
queue with one; either way a print not done in time is answered "pending" (a 503 to
retry), and no transaction is open while the request waits for it.
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Literal

import sqlalchemy as sa
from flask import current_app
from flask import has_request_context
from flask import request as web_request
from flask_babel import gettext as _
from flask_login import current_user

from drafting.documents import service as documents
from drafting.documents import storage
from drafting.documents.models import Document
from drafting.errors import Conflict
from drafting.errors import DomainError
from drafting.extensions import db
from drafting.publishing import jobs
from drafting.publishing import pdf
from drafting.publishing.endorsements import endorsers_of
from drafting.publishing.models import Version

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


def printed(request: pdf.PrintOrder) -> bytes:
    """The order's PDF from the engine (its cache, its print threads or its queue).

    Still being printed: PdfPending. Unavailable or failed: PdfUnavailable. Both are 503s,
    never a 500; the engine's own verdict on the input (too large…) stands, and so does
    TooManyPrints (429) when the person already has prints in flight.
    """
    try:
        job = jobs.request_pdf(request, person=who_prints())
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


def who_prints() -> str:
    """Whom a print counts against: the signed-in person, else the visitor's address."""
    if not has_request_context():
        return "system"
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{web_request.remote_addr}"


def try_to_store_pdf(version: Version) -> None:
    """Print and keep the version's PDF now if the engine can; otherwise on first request.
    The version is committed first (printing waits with no transaction open)."""
    with contextlib.suppress(DomainError):  # still printing, or the engine cannot now:
        store_pdf(version)  # the first request takes it


def store_pdf(version: Version) -> bytes:
    """Print the version's PDF and keep its bytes and hash for good. Printing is
    deterministic, so two first downloads at once store the same bytes; the first wins."""
    pdf_bytes = printed(version_pdf_request(version))
    db.session.execute(
        sa.update(Version)
        .where(Version.id == version.id, Version.pdf_sha256.is_(None))
        .values(pdf=pdf_bytes, pdf_sha256=pdf_sha256(pdf_bytes))
    )
    db.session.refresh(version)
    return version.pdf


def version_pdf(version: Version, *, page_size: PageSize = "A4", endorsed: bool = False) -> bytes:
    """The stored PDF, or another edition (Letter, endorsed) printed and cached by the engine."""
    if endorsed and not version.final:
        raise Conflict(_("Only a final version has an endorsed edition."))
    if endorsed or page_size != "A4":
        return printed(version_pdf_request(version, page_size=page_size, endorsed=endorsed))
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
