"""API: documents, saving, revisions, diffs, restore, authorship (API.md, *Documents*)."""

from __future__ import annotations

from flask import request
from flask import url_for
from flask_login import current_user
from spectree import Response

from drafting.api import bp
from drafting.api import page_info
from drafting.api import spec
from drafting.api.schemas.common import ErrorBody
from drafting.api.schemas.documents import AuthorshipOut
from drafting.api.schemas.documents import AuthorshipQuery
from drafting.api.schemas.documents import ContentSave
from drafting.api.schemas.documents import ContentSaved
from drafting.api.schemas.documents import DiffOut
from drafting.api.schemas.documents import DiffQuery
from drafting.api.schemas.documents import DocumentCreate
from drafting.api.schemas.documents import DocumentList
from drafting.api.schemas.documents import DocumentListQuery
from drafting.api.schemas.documents import DocumentOut
from drafting.api.schemas.documents import DocumentUpdate
from drafting.api.schemas.documents import Restored
from drafting.api.schemas.documents import RevisionContent
from drafting.api.schemas.documents import RevisionList
from drafting.api.schemas.documents import RevisionQuery
from drafting.api.schemas.documents import SaveConflictBody
from drafting.caucuses.access import member_of
from drafting.caucuses.models import Role
from drafting.documents import service
from drafting.documents.models import Document
from drafting.documents.models import Revision

ERRORS = {"HTTP_401": ErrorBody, "HTTP_403": ErrorBody, "HTTP_404": ErrorBody}


def document_summary_json(document: Document) -> dict:
    """A document as lists show it, without its text."""
    return {
        "id": document.id,
        "title": document.title,
        "language": document.language,
        "revision": document.head_revision,
        "updated_at": document.updated_at,
        "archived": document.archived,
    }


def document_json(document: Document) -> dict:
    """A document with its current text."""
    return {
        **document_summary_json(document),
        "caucus_id": document.caucus_id,
        "content": document.content,
        "numbered_paragraphs": document.numbered_paragraphs,
    }


def author_json(revision: Revision) -> dict:
    """A revision's author (null id once the account is gone)."""
    if revision.author is None:
        return {"id": None, "name": ""}
    return {"id": revision.author.id, "name": revision.author.name}


def revision_json(revision: Revision) -> dict:
    """A revision's record, without its text."""
    return {
        "number": revision.number,
        "author": author_json(revision),
        "created_at": revision.created_at,
        "summary": revision.summary,
        "added": revision.added,
        "removed": revision.removed,
        "merged": revision.merged,
        "restored_from": revision.restored_from,
    }


@bp.post("/caucuses/<int:cid>/documents")
@member_of(Role.EDITOR)
@spec.validate(
    json=DocumentCreate,
    resp=Response(HTTP_201=DocumentOut, HTTP_413=ErrorBody, **ERRORS),
    tags=["documents"],
)
def create_document(cid: int, target, membership):
    """Create a document in a caucus (editors and up)."""
    body: DocumentCreate = request.context.json
    document = service.create_document(
        target, current_user, title=body.title, content=body.content, language=body.language
    )
    return document_json(document), 201


@bp.get("/caucuses/<int:cid>/documents")
@member_of(Role.VIEWER)
@spec.validate(
    query=DocumentListQuery, resp=Response(HTTP_200=DocumentList, **ERRORS), tags=["documents"]
)
def list_documents(cid: int, target, membership):
    """The caucus's documents, most recently changed first."""
    query: DocumentListQuery = request.context.query
    documents = service.documents_of(target, archived=query.archived)
    page = documents[query.offset : query.offset + query.limit]
    return {
        "items": [document_summary_json(document) for document in page],
        **page_info(
            len(documents), query.limit, query.offset, cid=cid, archived=str(query.archived).lower()
        ),
    }


@bp.get("/documents/<int:doc_id>")
@member_of(Role.VIEWER)
@spec.validate(resp=Response(HTTP_200=DocumentOut, **ERRORS), tags=["documents"])
def get_document(doc_id: int, target, membership):
    """A document and its text as it stands now."""
    return document_json(target)


@bp.patch("/documents/<int:doc_id>")
@member_of(Role.EDITOR)
@spec.validate(
    json=DocumentUpdate, resp=Response(HTTP_200=DocumentOut, **ERRORS), tags=["documents"]
)
def update_document(doc_id: int, target, membership):
    """Rename, relabel, number paragraphs, archive or unarchive."""
    body: DocumentUpdate = request.context.json
    service.update_document(
        target,
        title=body.title,
        language=body.language,
        numbered_paragraphs=body.numbered_paragraphs,
        archived=body.archived,
    )
    return document_json(target)


@bp.put("/documents/<int:doc_id>/content")
@member_of(Role.EDITOR)
@spec.validate(
    json=ContentSave,
    resp=Response(HTTP_200=ContentSaved, HTTP_409=SaveConflictBody, HTTP_413=ErrorBody, **ERRORS),
    tags=["documents"],
)
def save_content(doc_id: int, target, membership):
    """Save a new text written from `base_revision`; stale saves merge, or 409 with conflicts."""
    body: ContentSave = request.context.json
    outcome = service.save_content(
        target,
        author=current_user,
        base_revision=body.base_revision,
        content=body.content,
        summary=body.summary,
    )
    return {"revision": outcome.revision, "content": outcome.content, "merged": outcome.merged}


@bp.get("/documents/<int:doc_id>/revisions")
@member_of(Role.VIEWER)
@spec.validate(
    query=RevisionQuery, resp=Response(HTTP_200=RevisionList, **ERRORS), tags=["documents"]
)
def list_revisions(doc_id: int, target, membership):
    """Revisions newest first; `before` pages back (the `next` URL does it for you)."""
    query: RevisionQuery = request.context.query
    filters = service.HistoryFilter(author_id=query.author, since=query.since, until=query.until)
    revisions = service.history(target, filters=filters, before=query.before, limit=query.limit + 1)
    page = revisions[: query.limit]
    next_url = None
    if len(revisions) > query.limit:
        args = {k: v for k, v in request.args.items() if k != "before"}
        next_url = url_for("api.list_revisions", doc_id=doc_id, **args, before=page[-1].number)
    return {"items": [revision_json(r) for r in page], "next": next_url}


@bp.get("/documents/<int:doc_id>/revisions/<int:number>")
@member_of(Role.VIEWER)
@spec.validate(resp=Response(HTTP_200=RevisionContent, **ERRORS), tags=["documents"])
def get_revision(doc_id: int, number: int, target, membership):
    """One revision with its text."""
    revision = service.get_revision(target, number)
    return {
        "number": revision.number,
        "content": service.text_of(target, number),
        "sha256": revision.sha256,
        "author": author_json(revision),
        "created_at": revision.created_at,
        "summary": revision.summary,
    }


@bp.get("/documents/<int:doc_id>/diff")
@member_of(Role.VIEWER)
@spec.validate(query=DiffQuery, resp=Response(HTTP_200=DiffOut, **ERRORS), tags=["documents"])
def diff(doc_id: int, target, membership):
    """The readable diff between any two revisions; applied to `from` it gives `to`."""
    query: DiffQuery = request.context.query
    diffs, _new_text = service.compare_texts(target, query.from_, query.to)
    return {"from": query.from_, "to": query.to, "diffs": [[op, text] for op, text in diffs]}


@bp.post("/documents/<int:doc_id>/revisions/<int:number>/restore")
@member_of(Role.EDITOR)
@spec.validate(resp=Response(HTTP_201=Restored, **ERRORS), tags=["documents"])
def restore(doc_id: int, number: int, target, membership):
    """Make revision `number`'s text the new head; history is never rewritten."""
    outcome = service.restore(target, number, actor=current_user)
    return {"revision": outcome.revision, "content": outcome.content, "restored_from": number}, 201


@bp.get("/documents/<int:doc_id>/authorship")
@member_of(Role.VIEWER)
@spec.validate(
    query=AuthorshipQuery, resp=Response(HTTP_200=AuthorshipOut, **ERRORS), tags=["documents"]
)
def authorship(doc_id: int, target, membership):
    """Who wrote each passage of a revision (the head by default), and how much."""
    number = request.context.query.revision or target.head_revision
    state = service.authorship_at(target, number)
    counts = state.counts()
    people = service.people_by_id(counts)
    runs, offset = [], 0
    for text, author_id, revision in state.segments(service.text_of(target, number)):
        runs.append(
            {
                "start": offset,
                "end": offset + len(text),
                "author_id": author_id or None,
                "revision": revision,
            }
        )
        offset += len(text)
    authors = [
        {
            "id": author_id or None,
            "name": people[author_id].name if author_id in people else "",
            "characters": count,
        }
        for author_id, count in sorted(counts.items(), key=lambda item: -item[1])
    ]
    return {"revision": number, "authors": authors, "runs": runs}
