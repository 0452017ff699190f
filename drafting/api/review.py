"""API: comments and suggestions (API.md, *Comments and suggestions*), and notifications.

Positions in anchors (`start`, `end`) count characters (code points), like the rest of the
API; `utf16_start`/`utf16_end` give the same span in UTF-16 code units for editors in a
browser. Listings resolve every anchor against the current text and store the caught-up
spans (the request's transaction keeps them).
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from spectree import Response

from drafting.api import bp
from drafting.api import page_info
from drafting.api import spec
from drafting.api.schemas.common import ErrorBody
from drafting.api.schemas.common import Strict
from drafting.api.schemas.review import Accepted
from drafting.api.schemas.review import AcceptIn
from drafting.api.schemas.review import AnchorIn
from drafting.api.schemas.review import CommentCreate
from drafting.api.schemas.review import CommentEdit
from drafting.api.schemas.review import CommentList
from drafting.api.schemas.review import CommentOut
from drafting.api.schemas.review import CommentQuery
from drafting.api.schemas.review import MarkedRead
from drafting.api.schemas.review import MarkRead
from drafting.api.schemas.review import NotificationList
from drafting.api.schemas.review import NotificationQuery
from drafting.api.schemas.review import RejectIn
from drafting.api.schemas.review import ReplyOut
from drafting.api.schemas.review import ResolveIn
from drafting.api.schemas.review import SuggestionCreate
from drafting.api.schemas.review import SuggestionList
from drafting.api.schemas.review import SuggestionOut
from drafting.api.schemas.review import SuggestionQuery
from drafting.caucuses.access import member_of
from drafting.caucuses.access import signed_in
from drafting.caucuses.models import Role
from drafting.errors import Invalid
from drafting.review import comments
from drafting.review import notifications
from drafting.review import suggestions
from drafting.review.models import Comment
from drafting.review.models import Notification
from drafting.text.anchors import Anchor

ERRORS = {"HTTP_401": ErrorBody, "HTTP_403": ErrorBody, "HTTP_404": ErrorBody}

# ---------------------------------------------------------------- JSON shapes


def person_json(user) -> dict | None:
    """A person as the API names them (null id once the account is gone)."""
    return {"id": user.id, "name": user.name} if user else {"id": None, "name": ""}


def reply_json(comment: Comment) -> dict:
    """A comment without its thread."""
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "body": comment.body,
        "html": comments.body_html(comment.body),
        "author": person_json(comment.author),
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "deleted": comment.deleted,
    }


def thread_json(thread: comments.Thread) -> dict:
    """A thread as GET /comments lists it: the first comment, its passage, its replies."""
    root = thread.root
    return {
        **reply_json(root),
        "anchor": thread.anchor.as_json() if thread.anchor else None,
        "resolved": root.resolved,
        "resolved_at": root.resolved_at,
        "resolved_by": person_json(root.resolved_by) if root.resolved_by else None,
        "replies": [reply_json(reply) for reply in thread.replies],
    }


def suggestion_json(view: suggestions.SuggestionView) -> dict:
    """A suggestion with its passage now."""
    suggestion = view.suggestion
    return {
        "id": suggestion.id,
        "status": suggestion.status,
        "anchor": view.anchor.as_json() if view.anchor else None,
        "replacement": suggestion.replacement,
        "rationale": suggestion.rationale,
        "author": person_json(suggestion.author),
        "outdated": view.outdated,
        "current_text": view.current_text,
        "decided_by": person_json(suggestion.decided_by) if suggestion.decided_by else None,
        "decided_at": suggestion.decided_at,
        "decision_note": suggestion.decision_note,
        "revision": suggestion.revision_number,
        "created_at": suggestion.created_at,
    }


def notification_json(notification: Notification) -> dict:
    """A notification with a sentence saying what happened."""
    return {
        "id": notification.id,
        "kind": notification.kind,
        "text": notifications.describe(notification),
        "document": {"id": notification.document_id, "title": notification.document.title},
        "comment_id": notification.comment_id,
        "suggestion_id": notification.suggestion_id,
        "actor": person_json(notification.actor) if notification.actor else None,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


def anchor_of(anchor_in: AnchorIn | None) -> Anchor | None:
    """The service's anchor from the request's."""
    if anchor_in is None:
        return None
    return Anchor(anchor_in.quote, anchor_in.prefix, anchor_in.suffix)


def optional_body(model: type[Strict]) -> Strict:
    """A write whose JSON body may be left out: validated here, so an empty body is {}."""
    body = request.get_json(silent=True) if request.content_length else None
    try:
        return model.model_validate(body if body is not None else {})
    except ValueError as error:
        fields = {
            ".".join(str(part) for part in detail["loc"]) or "body": detail["msg"]
            for detail in error.errors()
        }
        raise Invalid(_("Some values are not valid."), fields=fields) from None


# ---------------------------------------------------------------- comments


@bp.post("/documents/<int:doc_id>/comments")
@member_of(Role.COMMENTER)
@spec.validate(
    json=CommentCreate,
    resp=Response(HTTP_201=CommentOut, HTTP_422=ErrorBody, **ERRORS),
    tags=["review"],
)
def create_comment(doc_id: int, target, membership):
    """Comment on a passage (or the whole document), or reply with `parent_id`."""
    body: CommentCreate = request.context.json
    parent = comments.get_comment(body.parent_id, target) if body.parent_id else None
    comment = comments.add_comment(
        target, current_user, body.body, anchor=anchor_of(body.anchor), parent=parent
    )
    thread = comments.thread_of(comment)
    if comment.parent_id is None:
        return thread_json(thread), 201
    return {**reply_json(comment), **thread_fields(thread)}, 201


def thread_fields(thread: comments.Thread) -> dict:
    """The thread's anchor and state, for a reply shown on its own."""
    return {
        "anchor": thread.anchor.as_json() if thread.anchor else None,
        "resolved": thread.resolved,
        "resolved_at": thread.root.resolved_at,
        "resolved_by": person_json(thread.root.resolved_by) if thread.root.resolved_by else None,
        "replies": [],
    }


@bp.get("/documents/<int:doc_id>/comments")
@member_of(Role.VIEWER)
@spec.validate(query=CommentQuery, resp=Response(HTTP_200=CommentList, **ERRORS), tags=["review"])
def list_comments(doc_id: int, target, membership):
    """Threads oldest first, each anchor resolved against the current text, with replies."""
    query: CommentQuery = request.context.query
    threads = comments.threads_of(
        target, status=query.status, author=query.author, mentioning=query.mentioning
    )
    page = threads[query.offset : query.offset + query.limit]
    filters = {
        name: value
        for name, value in (
            ("status", query.status),
            ("author", query.author),
            ("mentioning", query.mentioning),
        )
        if value is not None
    }
    return {
        "items": [thread_json(thread) for thread in page],
        **page_info(len(threads), query.limit, query.offset, doc_id=doc_id, **filters),
    }


@bp.get("/comments/<int:comment_id>")
@member_of(Role.VIEWER)
@spec.validate(resp=Response(HTTP_200=CommentOut, **ERRORS), tags=["review"])
def get_comment(comment_id: int, target, membership):
    """One comment's thread."""
    thread = comments.thread_of(target)
    return thread_json(thread)


@bp.patch("/comments/<int:comment_id>")
@member_of(Role.COMMENTER)
@spec.validate(
    json=CommentEdit,
    resp=Response(HTTP_200=ReplyOut, HTTP_409=ErrorBody, HTTP_422=ErrorBody, **ERRORS),
    tags=["review"],
)
def edit_comment(comment_id: int, target, membership):
    """Change your own comment's words."""
    comment = comments.edit_comment(target, current_user, request.context.json.body)
    return reply_json(comment)


@bp.delete("/comments/<int:comment_id>")
@member_of(Role.COMMENTER)
@spec.validate(resp=Response("HTTP_204", **ERRORS), tags=["review"])
def delete_comment(comment_id: int, target, membership):
    """Delete your own comment; its thread stays."""
    comments.delete_comment(target, current_user)
    return "", 204


@bp.post("/comments/<int:comment_id>/resolve")
@member_of(Role.COMMENTER)
@spec.validate(
    json=ResolveIn,
    resp=Response(HTTP_200=CommentOut, HTTP_422=ErrorBody, **ERRORS),
    tags=["review"],
)
def resolve_comment(comment_id: int, target, membership):
    """Resolve the comment's thread (its author, or editors and up); body optional."""
    body: ResolveIn = optional_body(ResolveIn)
    root = comments.resolve_thread(target, current_user, note=body.note)
    thread = comments.thread_of(root)
    return thread_json(thread)


@bp.post("/comments/<int:comment_id>/reopen")
@member_of(Role.COMMENTER)
@spec.validate(resp=Response(HTTP_200=CommentOut, **ERRORS), tags=["review"])
def reopen_comment(comment_id: int, target, membership):
    """Reopen the comment's thread (its author, or editors and up)."""
    root = comments.reopen_thread(target, current_user)
    thread = comments.thread_of(root)
    return thread_json(thread)


# ---------------------------------------------------------------- suggestions


@bp.post("/documents/<int:doc_id>/suggestions")
@member_of(Role.COMMENTER)
@spec.validate(
    json=SuggestionCreate,
    resp=Response(HTTP_201=SuggestionOut, HTTP_422=ErrorBody, **ERRORS),
    tags=["review"],
)
def create_suggestion(doc_id: int, target, membership):
    """Propose new wording for a passage."""
    body: SuggestionCreate = request.context.json
    suggestion = suggestions.propose(
        target, current_user, anchor_of(body.anchor), body.replacement, body.rationale
    )
    view = suggestions.suggestion_view(suggestion)
    return suggestion_json(view), 201


@bp.get("/documents/<int:doc_id>/suggestions")
@member_of(Role.VIEWER)
@spec.validate(
    query=SuggestionQuery, resp=Response(HTTP_200=SuggestionList, **ERRORS), tags=["review"]
)
def list_suggestions(doc_id: int, target, membership):
    """Suggestions oldest first, with their passages now and whether they are outdated."""
    query: SuggestionQuery = request.context.query
    views = suggestions.suggestions_of(target, status=query.status, author=query.author)
    page = views[query.offset : query.offset + query.limit]
    filters = {
        name: value
        for name, value in (("status", query.status), ("author", query.author))
        if value is not None
    }
    return {
        "items": [suggestion_json(view) for view in page],
        **page_info(len(views), query.limit, query.offset, doc_id=doc_id, **filters),
    }


@bp.get("/suggestions/<int:suggestion_id>")
@member_of(Role.VIEWER)
@spec.validate(resp=Response(HTTP_200=SuggestionOut, **ERRORS), tags=["review"])
def get_suggestion(suggestion_id: int, target, membership):
    """One suggestion with its passage now."""
    view = suggestions.suggestion_view(target)
    return suggestion_json(view)


@bp.post("/suggestions/<int:suggestion_id>/accept")
@member_of(Role.RAPPORTEUR)
@spec.validate(
    json=AcceptIn,
    resp=Response(
        HTTP_200=Accepted, HTTP_409=ErrorBody, HTTP_413=ErrorBody, HTTP_422=ErrorBody, **ERRORS
    ),
    tags=["review"],
)
def accept_suggestion(suggestion_id: int, target, membership):
    """Put the wording into the text (a revision by the proposer); body optional.

    409 when the passage is gone, or changed since the proposal and `reviewed` is not set.
    """
    body: AcceptIn = optional_body(AcceptIn)
    revision = suggestions.accept(
        target,
        current_user,
        note=body.note,
        replacement=body.replacement,
        reviewed=body.reviewed,
    )
    return {"status": "accepted", "revision": revision}


@bp.post("/suggestions/<int:suggestion_id>/reject")
@member_of(Role.RAPPORTEUR)
@spec.validate(
    json=RejectIn,
    resp=Response(HTTP_200=SuggestionOut, HTTP_409=ErrorBody, HTTP_422=ErrorBody, **ERRORS),
    tags=["review"],
)
def reject_suggestion(suggestion_id: int, target, membership):
    """Decline the suggestion, saying why; body optional."""
    body: RejectIn = optional_body(RejectIn)
    suggestions.reject(target, current_user, note=body.note)
    view = suggestions.suggestion_view(target)
    return suggestion_json(view)


@bp.post("/suggestions/<int:suggestion_id>/withdraw")
@member_of(Role.COMMENTER)
@spec.validate(resp=Response(HTTP_200=SuggestionOut, HTTP_409=ErrorBody, **ERRORS), tags=["review"])
def withdraw_suggestion(suggestion_id: int, target, membership):
    """Take back your own open suggestion."""
    suggestions.withdraw(target, current_user)
    view = suggestions.suggestion_view(target)
    return suggestion_json(view)


# ---------------------------------------------------------------- notifications


@bp.get("/notifications")
@signed_in
@spec.validate(
    query=NotificationQuery,
    resp=Response(HTTP_200=NotificationList, HTTP_401=ErrorBody),
    tags=["review"],
)
def list_notifications():
    """Your notifications, newest first; `unread=true` for the unread ones only."""
    query: NotificationQuery = request.context.query
    items = notifications.notifications_for(
        current_user, unread_only=query.unread, limit=query.limit, offset=query.offset
    )
    total = notifications.count_for(current_user, unread_only=query.unread)
    return {
        "items": [notification_json(item) for item in items],
        "unread": notifications.unread_count(current_user),
        **page_info(total, query.limit, query.offset, unread=str(query.unread).lower()),
    }


@bp.post("/notifications/read")
@signed_in
@spec.validate(
    json=MarkRead, resp=Response(HTTP_200=MarkedRead, HTTP_401=ErrorBody), tags=["review"]
)
def read_notifications():
    """Mark notifications read: the `ids` given, or all of them; body optional."""
    body: MarkRead = optional_body(MarkRead)
    marked = notifications.mark_read(current_user, body.ids)
    return {"marked": marked, "unread": notifications.unread_count(current_user)}
