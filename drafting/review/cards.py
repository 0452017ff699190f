"""The review's cards: threads and suggestions as one reader sees them, with what they may do.

A card is a view-model: the service's threads and suggestions, their passages as they read
now, the people's names and organizations, and the reader's actions (from the capability
predicates). Labels and URLs are made once per page (`review_of`), not once per card.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from drafting.accounts.models import User
from drafting.caucuses.access import may_comment
from drafting.caucuses.access import may_decide
from drafting.caucuses.access import may_resolve
from drafting.caucuses.models import Membership
from drafting.documents.models import Document
from drafting.extensions import db
from drafting.review import comments
from drafting.review import suggestions
from drafting.review.forms import CommentForm
from drafting.review.forms import SuggestionForm
from drafting.review.mentions import Mentions

CONTEXT_CHARS = 32  # text around a passage that helps the script find it in the page
STAND_IN_ID = 918273645  # url_for builds a route's URL once with it; each card puts its id in

# What a card or the decision table calls each status: a suggestion's, or a thread's.
STATUS_LABELS = {**suggestions.STATUS_LABELS, "resolved": _l("resolved")}


# ---------------------------------------------------------------- what the cards show


@dataclass
class Member:
    """What the cards need of a person of the caucus."""

    name: str
    email: str
    organization: str


NOBODY = Member("", "", "")


@dataclass
class CommentCard:
    """One comment as a card shows it, with what the reader may do to it."""

    id: int
    author_name: str
    organization: str
    body: str
    body_html: Markup
    created_at: object
    edited: bool
    deleted: bool
    can_edit: bool
    can_delete: bool


@dataclass
class ThreadCard:
    """A thread: its passage as it reads now, its comments, and the reader's actions."""

    id: int
    root: CommentCard
    replies: list[CommentCard]
    resolved: bool
    resolved_by_name: str
    quote: str
    prefix: str
    suffix: str
    orphaned: bool
    start: int | None
    can_reply: bool
    can_resolve: bool
    kind: str = "thread"

    @property
    def key(self) -> str:
        """The card's id in the page, and the URL fragment that leads to it."""
        return f"thread-{self.id}"


@dataclass
class SuggestionCard:
    """A suggestion: the words it replaces (then and now), the wording, and its outcome."""

    id: int
    document_id: int
    proposer_name: str
    organization: str
    quote: str  # the passage as quoted when proposed
    current: str  # the passage as it reads now
    replacement: str
    rationale: str
    status: str
    outdated: bool
    orphaned: bool
    note: str
    decided_by_name: str
    decided_at: object
    revision: int | None
    accepted_text: str | None
    created_at: object
    prefix: str
    suffix: str
    start: int | None
    can_withdraw: bool
    can_decide: bool
    kind: str = "suggestion"

    @property
    def key(self) -> str:
        """The card's id in the page, and the URL fragment that leads to it."""
        return f"suggestion-{self.id}"

    @property
    def status_label(self) -> str:
        """The status in the reader's language."""
        return str(STATUS_LABELS.get(self.status, self.status))


@dataclass
class Review:
    """Everything the panel or the comments page shows for one document and reader.

    `labels` and `urls` are made once per page, not once per card: translating and building
    URLs inside the card loop cost most of the page's time on a long, busy paper.
    """

    items: list
    can_comment: bool
    comment_form: CommentForm | None = None
    suggestion_form: SuggestionForm | None = None
    open_form: str = ""
    strings: dict = field(default_factory=dict)
    members: list[str] = field(default_factory=list)  # names offered after @
    labels: dict = field(default_factory=dict)
    urls: dict = field(default_factory=dict)
    back: str = ""  # where the cards' forms come back to
    can_decide: bool = False  # the reader decides on suggestions (the panel offers the forms)
    writable: bool = True  # False on an archived document: it is read-only
    page: int = 1
    pages: int = 1

    def url(self, name: str, item_id: int) -> str:
        """The URL of one card's action or page (see `card_urls`)."""
        return self.urls[name].replace("{id}", str(item_id))


class Cards:
    """Turns the service's threads and suggestions into cards for one reader."""

    def __init__(self, document: Document, membership: Membership):
        self.document = document
        self.membership = membership
        self.members = members_of(document)
        self.mentions = Mentions(
            (member, (member.name, member.email)) for member in self.members.values()
        )
        self.writable = not document.archived  # an archived document offers no actions

    def member(self, user_id: int | None) -> Member:
        """A member by id; a former member has neither name nor organization here."""
        return self.members.get(user_id, NOBODY)

    def context(self, start: int | None, end: int | None) -> tuple[str, str]:
        """The words just before and after a passage in the current text."""
        if start is None or end is None:
            return "", ""
        text = self.document.content
        return text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]

    def comment(self, comment) -> CommentCard:
        """One comment; its author may change or delete it."""
        mine = self.writable and comment.author_id == current_user.id and not comment.deleted
        author = self.member(comment.author_id)
        return CommentCard(
            id=comment.id,
            author_name=comment.author.name if comment.author else "",
            organization=author.organization,
            body=comment.body,
            body_html=self.mentions.marked_up(comment.body),
            created_at=comment.created_at,
            edited=comment.edited_at is not None,
            deleted=comment.deleted,
            can_edit=mine,
            can_delete=mine,
        )

    def thread(self, thread: comments.Thread) -> ThreadCard:
        """A thread; its author (or an editor) may resolve it, commenters may reply."""
        anchor = thread.anchor
        root = thread.root
        prefix, suffix = self.context(anchor.start, anchor.end) if anchor else ("", "")
        return ThreadCard(
            id=root.id,
            root=self.comment(root),
            replies=[self.comment(reply) for reply in thread.replies],
            resolved=root.resolved,
            resolved_by_name=root.resolved_by.name if root.resolved_by else "",
            quote=(anchor.current_text or anchor.quote) if anchor else "",
            prefix=prefix,
            suffix=suffix,
            orphaned=bool(anchor and anchor.orphaned),
            start=anchor.start if anchor else None,
            can_reply=may_comment(self.membership, self.document),
            can_resolve=may_resolve(self.membership, root),
        )

    def suggestion(self, view: suggestions.SuggestionView) -> SuggestionCard:
        """A suggestion; its proposer may withdraw it, a rapporteur decide, while it is open."""
        suggestion, anchor = view.suggestion, view.anchor
        is_open = suggestion.status == "open" and self.writable
        prefix, suffix = self.context(anchor.start, anchor.end) if anchor else ("", "")
        return SuggestionCard(
            id=suggestion.id,
            document_id=suggestion.document_id,
            proposer_name=suggestion.author.name if suggestion.author else "",
            organization=self.member(suggestion.author_id).organization,
            quote=suggestion.anchor_quote or "",
            current=view.current_text,
            replacement=suggestion.replacement,
            rationale=suggestion.rationale,
            status=suggestion.status,
            outdated=view.outdated,
            orphaned=bool(anchor is None or anchor.orphaned),
            note=suggestion.decision_note,
            decided_by_name=suggestion.decided_by.name if suggestion.decided_by else "",
            decided_at=suggestion.decided_at,
            revision=suggestion.revision_number,
            accepted_text=suggestion.accepted_text,
            created_at=suggestion.created_at,
            prefix=prefix,
            suffix=suffix,
            start=anchor.start if anchor else None,
            can_withdraw=is_open and suggestion.author_id == current_user.id,
            can_decide=is_open and may_decide(self.membership, self.document),
        )

    def all(self, threads, proposals) -> list:
        """Threads and suggestions together, in the order of their passages in the text."""
        items = [self.thread(t) for t in threads] + [self.suggestion(s) for s in proposals]
        far = len(self.document.content) + 1  # unanchored and orphaned ones come last
        return sorted(items, key=lambda item: item.start if item.start is not None else far)


def members_of(document: Document) -> dict[int, Member]:
    """The caucus's members by id, with the organization each speaks for (one query)."""
    rows = db.session.execute(
        sa.select(User.id, User.name, User.email, Membership.organization)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.caucus_id == document.caucus_id)
    )
    return {row.id: Member(row.name, row.email, row.organization or "") for row in rows}


# ---------------------------------------------------------------- once per page, not per card


def card_labels() -> dict:
    """Every sentence a card shows, translated once for the page. Those with a name or a
    number in them stay patterns, filled per card with Jinja's `format`."""
    return {
        "former_member": _("a former member"),
        "passage_gone": _("This passage is no longer in the text."),
        "edited": _("edited"),
        "deleted": _("This comment was deleted."),
        "edit": _("Edit"),
        "comment": _("Comment"),
        "save": _("Save"),
        "delete": _("Delete"),
        "confirm_delete": _("Delete this comment?"),
        "by": _("by %(name)s"),
        "replies": _("Replies"),
        "resolved": _("resolved"),
        "show_in_text": _("Show in text"),
        "reply": _("Reply"),
        "send_reply": _("Send reply"),
        "resolve": _("Resolve"),
        "reopen": _("Reopen"),
        "revision": _("revision %(n)d"),
        "applied_as": _("Applied as:"),
        "proposed": _("proposed"),
        "outdated": _("outdated"),
        "why": _("Why:"),
        "withdraw": _("Withdraw"),
        "confirm_withdraw": _("Withdraw your suggestion?"),
        "changed": _("The passage changed since this was proposed. It now reads:"),
        "gone": _("(the passage is gone)"),
        "accept": _("Accept"),
        "accept_with_edits": _("Accept with edits"),
        "accept_these_edits": _("Accept with these edits"),
        "note": _("Note for the proposer (optional)"),
        "reviewed": _("I have read the passage as it stands now"),
        "wording": _("Wording to apply"),
        "reject": _("Reject"),
        "reason": _("Reason"),
        "decide": _("Decide"),
    }


def url_pattern(endpoint: str, **values) -> str:
    """A route's URL with `{id}` where a card's id goes (values use STAND_IN_ID for it)."""
    return url_for(endpoint, **values).replace(str(STAND_IN_ID), "{id}")


def card_urls(document: Document) -> dict:
    """The URLs of the cards' pages and actions, built once for the page."""
    doc, item = document.id, STAND_IN_ID
    return {
        "thread": url_pattern("review.thread_page", doc_id=doc, comment_id=item),
        "suggestion": url_pattern("review.suggestion_page", doc_id=doc, suggestion_id=item),
        "edit": url_pattern("review.edit_comment", doc_id=doc, comment_id=item),
        "delete": url_pattern("review.delete_comment", doc_id=doc, comment_id=item),
        "resolve": url_pattern("review.resolve_thread", doc_id=doc, comment_id=item),
        "reopen": url_pattern("review.reopen_thread", doc_id=doc, comment_id=item),
        "withdraw": url_pattern("review.withdraw", doc_id=doc, suggestion_id=item),
        "accept": url_pattern("review.accept", doc_id=doc, suggestion_id=item),
        "reject": url_pattern("review.reject", doc_id=doc, suggestion_id=item),
        "revision": url_pattern("documents.revision", doc_id=doc, number=item),
        "reply": url_for("review.add_comment", doc_id=doc),
    }


def review_of(document: Document, membership: Membership, items: list, back: str, **more):
    """A Review with the page-wide labels and URLs its cards use."""
    return Review(
        items=items,
        can_comment=may_comment(membership, document),
        can_decide=may_decide(membership, document),
        labels=card_labels(),
        urls=card_urls(document),
        back=back,
        writable=not document.archived,
        **more,
    )
