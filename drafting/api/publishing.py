"""API: versions, PDFs and endorsements (API.md, *Versions, PDF, endorsements*)."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import request
from flask import url_for
from flask_login import current_user
from spectree import Response

from drafting.api import bp
from drafting.api import page_info
from drafting.api import spec
from drafting.api.schemas.common import ErrorBody
from drafting.api.schemas.common import PageQuery
from drafting.api.schemas.publishing import DraftPdfQuery
from drafting.api.schemas.publishing import EndorsementCreate
from drafting.api.schemas.publishing import EndorsementList
from drafting.api.schemas.publishing import EndorsementOut
from drafting.api.schemas.publishing import EndorsementUpdate
from drafting.api.schemas.publishing import VersionCreate
from drafting.api.schemas.publishing import VersionList
from drafting.api.schemas.publishing import VersionOut
from drafting.api.schemas.publishing import VersionPdfQuery
from drafting.api.schemas.publishing import VersionUpdate
from drafting.caucuses.access import member_of
from drafting.caucuses.models import Role
from drafting.publishing import endorsements
from drafting.publishing import printing
from drafting.publishing import versions
from drafting.publishing.models import Endorsement
from drafting.publishing.models import Version
from drafting.publishing.views import pdf_response

ERRORS = {"HTTP_401": ErrorBody, "HTTP_403": ErrorBody, "HTTP_404": ErrorBody}
PDF_ERRORS = {**ERRORS, "HTTP_409": ErrorBody, "HTTP_503": ErrorBody}
TAGS = ["publishing"]


def version_json(version: Version) -> dict:
    """A version as the API shows it."""
    return {
        "id": version.id,
        "document_id": version.document_id,
        "label": version.label,
        "note": version.note,
        "revision": version.revision,
        "final": version.final,
        "sha256": version.sha256,
        "pdf_sha256": version.pdf_sha256,
        "pdf_url": url_for("api.version_pdf", vid=version.id, _external=True),
        "public": version.public,
        "public_url": url_for("publishing.public_page", slug=version.slug, _external=True)
        if version.public
        else None,
        "endorsements_open": version.endorsements_open,
        "created_at": version.created_at,
    }


def endorsement_json(endorsement: Endorsement) -> dict:
    """An endorsement as lists show it (no contact details)."""
    return {
        "id": endorsement.id,
        "version_id": endorsement.version_id,
        "organization": endorsement.organization,
        "country": endorsement.country,
        "text_sha256": endorsement.text_sha256,
        "source": endorsement.source,
        "created_at": endorsement.created_at,
    }


def page_size_of(value: str) -> printing.PageSize:
    """`letter` or `Letter` → "Letter"; anything else is A4."""
    return "Letter" if value.lower() == "letter" else "A4"


# Versions


@bp.post("/documents/<int:doc_id>/versions")
@member_of(Role.RAPPORTEUR)
@spec.validate(
    json=VersionCreate,
    resp=Response(HTTP_201=VersionOut, HTTP_409=ErrorBody, **ERRORS),
    tags=TAGS,
)
def create_version(doc_id: int, target, membership):
    """Freeze a revision (the head by default) as a labelled version (rapporteurs)."""
    body: VersionCreate = request.context.json
    version = versions.create_version(
        target,
        current_user,
        label=body.label,
        revision=body.revision,
        final=body.final,
        note=body.note,
    )
    return version_json(version), 201


@bp.get("/documents/<int:doc_id>/versions")
@member_of(Role.VIEWER)
@spec.validate(query=PageQuery, resp=Response(HTTP_200=VersionList, **ERRORS), tags=TAGS)
def list_versions(doc_id: int, target, membership):
    """A document's versions, newest first."""
    query: PageQuery = request.context.query
    found = versions.versions_of(target)
    page = found[query.offset : query.offset + query.limit]
    return {
        "items": [version_json(version) for version in page],
        **page_info(len(found), query.limit, query.offset, doc_id=doc_id),
    }


@bp.get("/versions/<int:vid>")
@member_of(Role.VIEWER)
@spec.validate(resp=Response(HTTP_200=VersionOut, **ERRORS), tags=TAGS)
def get_version(vid: int, target, membership):
    """One version."""
    return version_json(target)


@bp.patch("/versions/<int:vid>")
@member_of(Role.RAPPORTEUR)
@spec.validate(
    json=VersionUpdate, resp=Response(HTTP_200=VersionOut, HTTP_409=ErrorBody, **ERRORS), tags=TAGS
)
def update_version(vid: int, target, membership):
    """Make a version public or not; open or close its public endorsements (rapporteurs)."""
    body: VersionUpdate = request.context.json
    versions.update_sharing(target, public=body.public, endorsements_open=body.endorsements_open)
    return version_json(target)


# PDFs. Spectree documents these as binary 200s; the bytes are sent as they are.


@bp.get("/versions/<int:vid>/pdf")
@member_of(Role.VIEWER)
@spec.validate(query=VersionPdfQuery, resp=Response("HTTP_200", **PDF_ERRORS), tags=TAGS)
def version_pdf(vid: int, target, membership) -> FlaskResponse:
    """The version's PDF, the same bytes every time; `?edition=endorsed` lists its endorsers."""
    query: VersionPdfQuery = request.context.query
    pdf_bytes = printing.version_pdf(
        target, page_size=page_size_of(query.page_size), endorsed=query.edition == "endorsed"
    )
    return pdf_response(pdf_bytes, f"{target.title}-{target.label}", public=False)


@bp.get("/documents/<int:doc_id>/pdf")
@member_of(Role.VIEWER)
@spec.validate(query=DraftPdfQuery, resp=Response("HTTP_200", **PDF_ERRORS), tags=TAGS)
def draft_pdf(doc_id: int, target, membership) -> FlaskResponse:
    """A PDF of any revision (the head by default), marked as a draft."""
    query: DraftPdfQuery = request.context.query
    number = query.revision or target.head_revision
    pdf_bytes = printing.draft_pdf(target, number, page_size=page_size_of(query.page_size))
    return pdf_response(pdf_bytes, f"{target.title}-draft-{number}", public=False)


# Endorsements


@bp.post("/versions/<int:vid>/endorsements")
@member_of(Role.VIEWER)
@spec.validate(
    json=EndorsementCreate,
    resp=Response(HTTP_201=EndorsementOut, HTTP_409=ErrorBody, **ERRORS),
    tags=TAGS,
)
def endorse(vid: int, target, membership):
    """Sign an organization on to a final version; it names the text hash it endorses."""
    body: EndorsementCreate = request.context.json
    endorsement = endorsements.endorse_as_member(
        target, current_user, organization=body.organization, country=body.country
    )
    return endorsement_json(endorsement), 201


@bp.get("/versions/<int:vid>/endorsements")
@member_of(Role.VIEWER)
@spec.validate(query=PageQuery, resp=Response(HTTP_200=EndorsementList, **ERRORS), tags=TAGS)
def list_endorsements(vid: int, target, membership):
    """The version's endorsements: confirmed and not hidden, by organization."""
    query: PageQuery = request.context.query
    listed = endorsements.listed_endorsements(target)
    page = listed[query.offset : query.offset + query.limit]
    return {
        "items": [endorsement_json(endorsement) for endorsement in page],
        **page_info(len(listed), query.limit, query.offset, vid=vid),
    }


@bp.patch("/endorsements/<int:eid>")
@member_of(Role.RAPPORTEUR)
@spec.validate(json=EndorsementUpdate, resp=Response(HTTP_200=EndorsementOut, **ERRORS), tags=TAGS)
def update_endorsement(eid: int, target, membership):
    """Hide an endorsement as spam, or show it again (rapporteurs)."""
    body: EndorsementUpdate = request.context.json
    endorsements.set_hidden(target, body.hidden)
    return endorsement_json(target)
