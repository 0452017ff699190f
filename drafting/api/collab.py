"""API: live co-editing (SYNC.md): sessions, sync, change notifications, preview."""

from __future__ import annotations

from flask import current_app
from flask import request
from flask_login import current_user
from spectree import Response

from drafting.api import bp
from drafting.api import spec
from drafting.api.schemas.collab import ChangesOut
from drafting.api.schemas.collab import ChangesQuery
from drafting.api.schemas.collab import PreviewOut
from drafting.api.schemas.collab import PreviewRequest
from drafting.api.schemas.collab import SessionOpened
from drafting.api.schemas.collab import SyncRequest
from drafting.api.schemas.collab import SyncResponse
from drafting.api.schemas.common import ErrorBody
from drafting.caucuses.access import may_edit
from drafting.caucuses.access import member_of
from drafting.caucuses.models import Role
from drafting.collab import limits
from drafting.collab import notify
from drafting.collab import presence
from drafting.collab import service
from drafting.documents.service import check_content
from drafting.extensions import db
from drafting.extensions import limiter
from drafting.text.markdown import render

ERRORS = {"HTTP_401": ErrorBody, "HTTP_403": ErrorBody, "HTTP_404": ErrorBody}


def person_and_document() -> str:
    """The rate-limit key of opening sessions: the person, in this document."""
    person = current_user.id if current_user.is_authenticated else "anonymous"
    return f"user:{person}:document:{request.view_args.get('doc_id')}"


def session_limits() -> str:
    """The configured limits of opening sessions (each tab opens one, and one more each
    time it reconnects)."""
    return current_app.config["LIVE_SESSION_LIMITS"]


@bp.post("/documents/<int:doc_id>/sessions")
@limiter.limit(session_limits, key_func=person_and_document, scope="live-session-open")
@member_of(Role.VIEWER)
@spec.validate(
    resp=Response(HTTP_201=SessionOpened, HTTP_429=ErrorBody, **ERRORS), tags=["live editing"]
)
def open_session(doc_id: int, target, membership):
    """Open a sync session for one tab; viewers get one too, to follow along. A person
    keeps LIVE_SESSIONS_PER_PERSON of a document: opening one more ends their tab seen
    least recently (docs/sync.md, "Limits")."""
    session = service.open_session(
        target, current_user, keep=current_app.config["LIVE_SESSIONS_PER_PERSON"]
    )
    return {
        "client_id": session.client_id,
        "text": target.content,
        "n": 0,
        "m": 0,
        "version": target.live_version,
        "can_edit": may_edit(membership, target),
        "user": {
            "id": current_user.id,
            "name": current_user.name,
            "colour": presence.colour_of(current_user.id),
        },
        "limits": {"edits": limits.EDITS_PER_SYNC, "delta_chars": limits.DELTA_CHARS_PER_SYNC},
    }, 201


@bp.post("/documents/<int:doc_id>/sync")
@member_of(Role.VIEWER)
@spec.validate(
    json=SyncRequest,
    resp=Response(
        HTTP_200=SyncResponse, HTTP_409=ErrorBody, HTTP_413=ErrorBody, HTTP_503=ErrorBody, **ERRORS
    ),
    tags=["live editing"],
)
def sync(doc_id: int, target, membership):
    """Send the tab's outgoing edits, receive the server's (SYNC.md, steps 1–7)."""
    body: SyncRequest = request.context.json
    version_before = target.live_version
    answer = service.sync(
        target,
        current_user,
        client_id=body.client_id,
        m=body.m,
        edits=[service.ClientEdit(edit.n, edit.delta) for edit in body.edits],
        can_edit=may_edit(membership, target),
        cursor=(body.cursor.anchor, body.cursor.head) if body.cursor else None,
        time_budget=current_app.config["SYNC_TIME_BUDGET"],
    )
    # A named commit in a view (drafting/transactions.py). It ends the document's row lock,
    # which lasts until the transaction does, so that the editors list below is read in a
    # short transaction of its own, outside the lock; and others are told of a new version
    # only once it is committed, or a woken reader would find the old text.
    db.session.commit()
    if answer.version != version_before:
        notify.publish(doc_id, answer.version)
    here = presence.presence_of(doc_id)
    response = {
        "ack": answer.ack,
        "m": answer.m,
        "edits": answer.edits,
        "version": answer.version,
        "presence": here.tag,
        "editors_unlisted": here.unlisted,
    }
    if body.presence != here.tag:  # omitted when equal: the client's list is still the list
        response["editors"] = here.editors
    return response


@bp.get("/documents/<int:doc_id>/changes")
@member_of(Role.VIEWER)
@spec.validate(
    query=ChangesQuery, resp=Response(HTTP_200=ChangesOut, **ERRORS), tags=["live editing"]
)
def changes(doc_id: int, target, membership):
    """Long-poll: answer as soon as the live text passes version `after` (or on timeout)."""
    query: ChangesQuery = request.context.query
    timeout = min(query.timeout, current_app.config["LONG_POLL_SECONDS"])
    version = notify.wait_for_change(doc_id, query.after, timeout, person=current_user.id)
    return {"version": version, "changed": version > query.after}


@bp.post("/documents/<int:doc_id>/sessions/<client_id>/close")
@member_of(Role.VIEWER)
@spec.validate(resp=Response("HTTP_204", **ERRORS), tags=["live editing"])
def close_session(doc_id: int, client_id: str, target, membership):
    """The tab is leaving: end its session; its pending edits become a revision now."""
    service.close_session(target, current_user, client_id)
    return "", 204


@bp.post("/documents/<int:doc_id>/preview")
@member_of(Role.VIEWER)
@spec.validate(
    json=PreviewRequest,
    resp=Response(HTTP_200=PreviewOut, HTTP_413=ErrorBody, **ERRORS),
    tags=["live editing"],
)
def preview(doc_id: int, target, membership):
    """Render Markdown as the reading page would (sanitized), for the editor's preview."""
    body: PreviewRequest = request.context.json
    check_content(body.content)
    hosts = frozenset(current_app.config["ALLOWED_IMAGE_HOSTS"])
    rendered = render(body.content, allowed_image_hosts=hosts, numbered=target.numbered_paragraphs)
    return {"html": rendered.html}
