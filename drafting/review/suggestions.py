"""Suggestions: proposed wording for a passage, withdrawn by its proposer or decided by a
rapporteur; accepting one changes the text like a save (documents/changes.py)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from drafting.accounts.models import User
from drafting.caucuses.access import require
from drafting.caucuses.models import Role
from drafting.documents.changes import begin_change
from drafting.documents.changes import refuse_archived
from drafting.documents.models import Document
from drafting.documents.service import check_content
from drafting.documents.service import normalize_newlines
from drafting.errors import Conflict
from drafting.errors import Invalid
from drafting.errors import NotAllowed
from drafting.errors import NotFound
from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.locking import locked
from drafting.review import notifications
from drafting.review.anchoring import ResolvedAnchor
from drafting.review.anchoring import place_anchor
from drafting.review.anchoring import resolve_anchors
from drafting.review.comments import checked_body
from drafting.review.comments import ensure_writable
from drafting.review.comments import user_id_of
from drafting.review.models import MAX_BODY_CHARS
from drafting.review.models import NotificationKind
from drafting.review.models import Suggestion
from drafting.review.models import SuggestionStatus
from drafting.text.anchors import Anchor
from drafting.text.anchors import Span


@dataclass
class SuggestionView:
    """A suggestion with its passage now; `outdated` when those words changed since."""

    suggestion: Suggestion
    anchor: ResolvedAnchor | None
    outdated: bool

    @property
    def current_text(self) -> str:
        """The passage's words now (empty once it is gone)."""
        return self.anchor.current_text if self.anchor else ""


def propose(
    document: Document, author: User, anchor: Anchor, replacement: str, rationale: str = ""
) -> Suggestion:
    """Propose new wording for a passage."""
    require(author, document, Role.COMMENTER)
    ensure_writable(document)
    replacement = normalize_newlines(replacement or "")
    if len(replacement) > MAX_BODY_CHARS:
        raise Invalid(
            _("Keep the wording under %(n)d characters.", n=MAX_BODY_CHARS),
            fields={"replacement": "too_long"},
        )
    if replacement == anchor.quote:
        raise Invalid(
            _("The wording is the same as the passage."), fields={"replacement": "unchanged"}
        )
    suggestion = Suggestion(
        document=document,
        author=author,
        replacement=replacement,
        rationale=checked_body(rationale, "rationale", required=False),
    )
    place_anchor(suggestion, document, anchor)
    db.session.add(suggestion)
    db.session.flush()
    return suggestion


def get_suggestion(suggestion_id: int, document: Document | None = None) -> Suggestion:
    """A suggestion by id (of `document` if given), or NotFound."""
    suggestion = db.session.get(Suggestion, suggestion_id)
    if suggestion is None or (document is not None and suggestion.document_id != document.id):
        raise NotFound(_("There is no such suggestion."))
    return suggestion


def suggestions_of(
    document: Document, status: str | None = None, author: User | int | None = None
) -> list[SuggestionView]:
    """The document's suggestions, oldest first, each with its passage now."""
    query = (
        sa.select(Suggestion)
        .options(selectinload(Suggestion.author), selectinload(Suggestion.decided_by))
        .where(Suggestion.document_id == document.id)
        .order_by(Suggestion.id)
    )
    if status is not None:
        query = query.where(Suggestion.status == status)
    if author is not None:
        query = query.where(Suggestion.author_id == user_id_of(author))
    suggestions = list(db.session.scalars(query))
    anchors = resolve_anchors(document, suggestions)
    return [view_of(suggestion, anchors[suggestion.id]) for suggestion in suggestions]


def view_of(suggestion: Suggestion, anchor: ResolvedAnchor | None) -> SuggestionView:
    """A suggestion and whether its passage still reads as quoted (open ones only)."""
    is_open = suggestion.status == SuggestionStatus.OPEN
    outdated = is_open and (
        anchor is None or anchor.orphaned or anchor.current_text != suggestion.anchor_quote
    )
    return SuggestionView(suggestion, anchor, outdated)


def suggestion_view(suggestion: Suggestion) -> SuggestionView:
    """One suggestion with its passage now."""
    anchors = resolve_anchors(suggestion.document, [suggestion])
    return view_of(suggestion, anchors[suggestion.id])


STATUS_LABELS = {
    "open": _l("open"),
    "accepted": _l("accepted"),
    "rejected": _l("rejected"),
    "withdrawn": _l("withdrawn"),
}


def ensure_open(suggestion: Suggestion) -> None:
    """Only open suggestions can be decided or withdrawn."""
    if suggestion.status != SuggestionStatus.OPEN:
        raise Conflict(
            _("This suggestion was already %(status)s.", status=STATUS_LABELS[suggestion.status]),
            current_status=suggestion.status,
        )


def withdraw(suggestion: Suggestion, user: User) -> Suggestion:
    """The proposer takes back an open suggestion."""
    if suggestion.author_id != user.id:
        raise NotAllowed(_("Only the person who proposed it can withdraw a suggestion."))
    ensure_writable(lock_for_decision(suggestion))
    suggestion.status = SuggestionStatus.WITHDRAWN.value
    suggestion.decided_at = utcnow()
    db.session.flush()
    return suggestion


def accept(
    suggestion: Suggestion,
    rapporteur: User,
    *,
    note: str = "",
    replacement: str | None = None,
    reviewed: bool = False,
) -> int:
    """Put the proposed wording (or the rapporteur's edit of it) into the text.

    The change goes through the live text like a save: pending live edits become their
    own revision first, then a revision authored by the proposer (accepted by the
    rapporteur, recorded on the suggestion) replaces the passage, and a LiveEdit carries
    it to open editors at their next sync, where it merges by position with what they
    typed meanwhile. A passage that is gone is a Conflict; one whose words changed since
    the proposal is a Conflict unless `reviewed` (the rapporteur saw the current words).
    Returns the new revision's number.
    """
    require(rapporteur, suggestion.document, Role.RAPPORTEUR)
    wording = suggestion.replacement if replacement is None else normalize_newlines(replacement)
    if len(wording) > MAX_BODY_CHARS:
        raise Invalid(
            _("Keep the wording under %(n)d characters.", n=MAX_BODY_CHARS),
            fields={"replacement": "too_long"},
        )
    note = checked_body(note, "note", required=False)
    change = begin_change(suggestion.document)
    still_open(suggestion)
    document = change.document
    refuse_archived(document)
    passage = passage_to_replace(suggestion_view(suggestion), reviewed=reviewed)
    new_text = change.text[: passage.start] + wording + change.text[passage.end :]
    check_content(new_text)
    summary = accepted_summary(suggestion, rapporteur)
    revision = change.apply(new_text, author=suggestion.author, summary=summary)
    decide(suggestion, rapporteur, SuggestionStatus.ACCEPTED, note)
    suggestion.accepted_text = wording
    # Words already there make no revision: the suggestion points at the head then.
    suggestion.revision_number = revision.number if revision else document.head_revision
    db.session.flush()
    return suggestion.revision_number


def lock_for_decision(suggestion: Suggestion) -> Document:
    """Take the document's lock, then check the suggestion is still open as committed."""
    document = locked(suggestion.document)
    still_open(suggestion)
    return document


def still_open(suggestion: Suggestion) -> None:
    """With the document locked, the suggestion is still open as committed: two rapporteurs
    deciding at once queue on the lock, and the second one sees the first's decision
    instead of applying the wording twice."""
    db.session.refresh(suggestion)
    ensure_open(suggestion)


def passage_to_replace(current: SuggestionView, *, reviewed: bool) -> Span:
    """The span an acceptance replaces, or Conflict when the passage is gone or changed."""
    anchor = current.anchor
    if anchor is None or anchor.orphaned:
        raise Conflict(
            _("The passage this suggestion replaces is no longer in the text."),
            reason="orphaned",
        )
    if current.outdated and not reviewed:
        raise Conflict(
            _("The passage changed since this was proposed. Review its current words first."),
            reason="outdated",
            current=anchor.current_text,
        )
    return Span(anchor.start, anchor.end)


def accepted_summary(suggestion: Suggestion, rapporteur: User) -> str:
    """The summary of the revision an acceptance makes (at most 500 characters)."""
    proposer = suggestion.author.name if suggestion.author else _("a former member")
    summary = _(
        "Suggestion %(id)d by %(proposer)s, accepted by %(rapporteur)s",
        id=suggestion.id,
        proposer=proposer,
        rapporteur=rapporteur.name,
    )
    return summary[:500]


def reject(suggestion: Suggestion, rapporteur: User, note: str = "") -> Suggestion:
    """Decline a suggestion, saying why; the text is untouched."""
    require(rapporteur, suggestion.document, Role.RAPPORTEUR)
    note = checked_body(note, "note", required=False)
    ensure_writable(lock_for_decision(suggestion))
    decide(suggestion, rapporteur, SuggestionStatus.REJECTED, note)
    db.session.flush()
    return suggestion


def decide(suggestion: Suggestion, rapporteur: User, status: SuggestionStatus, note: str) -> None:
    """Record a decision and tell the proposer."""
    suggestion.status = status.value
    suggestion.decided_by = rapporteur
    suggestion.decided_at = utcnow()
    suggestion.decision_note = note
    if suggestion.author_id is not None:
        notifications.notify(
            {suggestion.author_id},
            NotificationKind.DECISION,
            document=suggestion.document,
            actor=rapporteur,
            suggestion=suggestion,
        )
