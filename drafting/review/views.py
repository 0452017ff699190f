"""Pages of the review: comments, suggestions, decisions and notifications.

The reading page shows a document's open threads and suggestions through the template
global `review_panel` (so documents/views.py needs no change), as compact cards that share
one set of forms (templates/review/_compact.html): hundreds of cards on a long paper must
stay light for a phone. Every action is a plain form posted here, which works without
JavaScript: one-click ones from the margin, the others from the card's own page
(`thread_page`, `suggestion_page`) or the comments page, which carry every form.
static/js/review.js adds the marks in the text, copies the shared forms into the cards, and
select-to-comment, which posts to the JSON API instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from flask import Blueprint
from flask import Response
from flask import flash
from flask import has_request_context
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from markupsafe import escape

from drafting.accounts.forms import EmptyForm
from drafting.accounts.models import User
from drafting.caucuses import service as caucuses
from drafting.caucuses.access import may_comment
from drafting.caucuses.access import may_decide
from drafting.caucuses.access import may_resolve
from drafting.caucuses.access import member_of
from drafting.caucuses.access import signed_in
from drafting.caucuses.models import Membership
from drafting.caucuses.models import Role
from drafting.documents.models import Document
from drafting.errors import Conflict
from drafting.errors import Invalid
from drafting.errors import NotFound
from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.ids import id_from
from drafting.review import notifications
from drafting.review import service
from drafting.review.forms import AcceptForm
from drafting.review.forms import CommentForm
from drafting.review.forms import EditCommentForm
from drafting.review.forms import MarkReadForm
from drafting.review.forms import RejectForm
from drafting.review.forms import SuggestionForm
from drafting.security import safe_next_path
from drafting.text.anchors import Anchor

bp = Blueprint("review", __name__)

CONTEXT_CHARS = 32  # text around a passage that helps the script find it in the page
NOTIFICATIONS_PAGE_SIZE = 100
COMMENTS_PAGE_SIZE = 50  # cards per comments page: each carries its own forms there
STAND_IN_ID = 918273645  # url_for builds a route's URL once with it; each card puts its id in

STATUS_LABELS = {
    "open": _l("open"),
    "accepted": _l("accepted"),
    "rejected": _l("rejected"),
    "withdrawn": _l("withdrawn"),
    "resolved": _l("resolved"),
}
KIND_LABELS = {"suggestion": _l("Suggestion"), "comment": _l("Comment")}
FILTERS = [
    ("open", _l("Open")),
    ("resolved", _l("Resolved and decided")),
    ("mine", _l("Mine")),
    ("mentions", _l("Mentioning me")),
]


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
        self.mentions = mention_pattern(self.members.values())
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
            body_html=with_mentions(comment.body, self.mentions),
            created_at=comment.created_at,
            edited=comment.edited_at is not None,
            deleted=comment.deleted,
            can_edit=mine,
            can_delete=mine,
        )

    def thread(self, thread: service.Thread) -> ThreadCard:
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

    def suggestion(self, view: service.SuggestionView) -> SuggestionCard:
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

    def all(self, threads, suggestions) -> list:
        """Threads and suggestions together, in the order of their passages in the text."""
        items = [self.thread(t) for t in threads] + [self.suggestion(s) for s in suggestions]
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


def mention_pattern(members) -> re.Pattern | None:
    """A pattern matching @name and @email of each member, the longest first (as the
    service reads mentions: drafting/review/service.py)."""
    names = {handle for member in members for handle in (member.name, member.email) if handle}
    handles = sorted(names, key=len, reverse=True)
    if not handles:
        return None
    alternatives = "|".join(re.escape(handle) for handle in handles)
    return re.compile(rf"(?<![\w@.])@(?:{alternatives})(?![\w@-])", re.IGNORECASE)


def with_mentions(body: str, pattern: re.Pattern | None) -> Markup:
    """The comment's words, escaped, with each @mention of a member set apart."""
    if pattern is None:
        return escape(body)
    parts = []
    last = 0
    for match in pattern.finditer(body):
        parts.append(escape(body[last : match.start()]))
        parts.append(Markup('<span class="mention">%s</span>') % match.group(0))
        last = match.end()
    parts.append(escape(body[last:]))
    return Markup("").join(parts)


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


# ---------------------------------------------------------------- the reading page's panel


def decide_strings(labels: dict) -> dict:
    """The summaries of the forms to decide, for those who may (the script adds them)."""
    return {
        "accept": labels["accept"],
        "acceptWithEdits": labels["accept_with_edits"],
        "reject": labels["reject"],
    }


def panel_strings(labels: dict) -> dict:
    """The sentences static/js/review.js shows, translated here (some from the cards')."""
    return {
        "showInText": labels["show_in_text"],
        "reply": labels["reply"],
        "commentHeading": _("Comment on this passage"),
        "suggestHeading": _("Suggest other wording"),
        "empty": _("Write something first."),
        "failed": _("This could not be sent. Try again."),
        "offline": _("You seem to be offline. Your words are still here: try again."),
        "mentionLabel": _("Members to mention"),
        # A passage's tooltip; %(name)s is the card's first person (its .who).
        "commentBy": _("Comment by %(name)s"),
        "proposedBy": _("Wording proposed by %(name)s"),
    }


def review_panel(document: Document, membership: Membership) -> Review:
    """The reading page's open threads and suggestions, in text order (a template global).
    Its cards are compact; their forms are made once, in templates the script fills in."""
    cards = Cards(document, membership)
    items = cards.all(
        service.threads_of(document, status="open"),
        service.suggestions_of(document, status="open"),
    )
    review = review_of(
        document,
        membership,
        items,
        url_for("documents.read", doc_id=document.id),
        comment_form=CommentForm(formdata=None),
        suggestion_form=SuggestionForm(formdata=None),
        members=sorted(member.name for member in cards.members.values() if member.name),
    )
    review.strings = panel_strings(review.labels)
    if review.can_decide:
        review.strings |= decide_strings(review.labels)
    return review


def review_summary(document: Document, membership: Membership) -> Review:
    """Open threads and suggestions for the live editor's read-only list (a template global)."""
    return Review(
        items=Cards(document, membership).all(
            service.threads_of(document, status="open"),
            service.suggestions_of(document, status="open"),
        ),
        can_comment=False,
    )


@bp.app_context_processor
def review_globals() -> dict:
    """The panel builders, and the unread count for the header (signed-in people only)."""
    values = {"review_panel": review_panel, "review_summary": review_summary}
    if has_request_context() and current_user.is_authenticated:
        values["unread_notifications"] = notifications.unread_count(current_user)
    return values


# ---------------------------------------------------------------- the comments page


def listed(document: Document, show: str) -> tuple[list, list]:
    """Threads and suggestions for one filter of the comments page."""
    if show == "resolved":
        decided = [s for s in service.suggestions_of(document) if s.suggestion.status != "open"]
        return service.threads_of(document, status="resolved"), decided
    if show == "mine":
        return (
            service.threads_of(document, author=current_user),
            service.suggestions_of(document, author=current_user),
        )
    if show == "mentions":
        return service.threads_of(document, mentioning=current_user), []
    return (
        service.threads_of(document, status="open"),
        service.suggestions_of(document, status="open"),
    )


def page_number(count: int) -> tuple[int, int]:
    """The comments page asked for (`page`, from 1, kept in range), and how many there are."""
    pages = max(1, -(-count // COMMENTS_PAGE_SIZE))
    asked = id_from(request.args.get("page"))
    return (min(asked, pages) if asked else 1), pages


def render_comments(document, membership, *, comment_form=None, suggestion_form=None, status=200):
    """The comments page, with submitted forms (and their errors) when they failed. Its cards
    carry every form (it is where the reading page's cards lead without JavaScript), so it
    shows them COMMENTS_PAGE_SIZE at a time."""
    show = request.args.get("show", "open")
    if show not in dict(FILTERS):
        show = "open"
    threads, suggestions = listed(document, show)
    items = Cards(document, membership).all(threads, suggestions)
    page, pages = page_number(len(items))
    shown = items[(page - 1) * COMMENTS_PAGE_SIZE : page * COMMENTS_PAGE_SIZE]
    back_args = {"show": show, **({"page": page} if page > 1 else {})}
    review = review_of(
        document,
        membership,
        shown,
        url_for("review.comments", doc_id=document.id, **back_args),
        comment_form=comment_form or CommentForm(formdata=None),
        suggestion_form=suggestion_form or SuggestionForm(formdata=None),
        open_form="comment" if comment_form else "suggestion" if suggestion_form else "",
        page=page,
        pages=pages,
    )
    html = render_template(
        "review/comments.html",
        document=document,
        membership=membership,
        Role=Role,
        review=review,
        filters=FILTERS,
        show=show,
        total=len(items),
    )
    return html, status


@bp.get("/documents/<int:doc_id>/comments")
@member_of(Role.VIEWER)
def comments(doc_id: int, target, membership):
    """Every thread and suggestion of a document: open, resolved, mine, mentioning me."""
    return render_comments(target, membership)


def render_card(document: Document, membership: Membership, item, back: str) -> str:
    """One thread or suggestion on a page of its own, with all its forms: where a reading
    page card's "Full thread" leads (and its actions without JavaScript)."""
    review = review_of(document, membership, [item], back)
    return render_template(
        "review/card.html", document=document, membership=membership, Role=Role, review=review
    )


@bp.get("/documents/<int:doc_id>/comments/<int:comment_id>")
@member_of(Role.VIEWER, via="doc_id")
def thread_page(doc_id: int, comment_id: int, target, membership):
    """A comment's whole thread, with its replies and every action the reader may take."""
    document, comment = comment_of(target, doc_id, comment_id)
    card = Cards(document, membership).thread(service.thread_of(comment))
    back = url_for("review.thread_page", doc_id=document.id, comment_id=card.id)
    return render_card(document, membership, card, back)


@bp.get("/documents/<int:doc_id>/suggestions/<int:suggestion_id>")
@member_of(Role.VIEWER, via="doc_id")
def suggestion_page(doc_id: int, suggestion_id: int, target, membership):
    """One suggestion, its outcome, and the forms to withdraw or decide on it."""
    document, suggestion = suggestion_of(target, doc_id, suggestion_id)
    card = Cards(document, membership).suggestion(service.suggestion_view(suggestion))
    back = url_for("review.suggestion_page", doc_id=document.id, suggestion_id=card.id)
    return render_card(document, membership, card, back)


def back_to(document: Document, fragment: str = "") -> Response:
    """Back to the page the form was on (a local path only), at the card acted upon."""
    default = url_for("documents.read", doc_id=document.id)
    path = safe_next_path(request.form.get("next"), default)
    return redirect(f"{path}#{fragment}" if fragment else path)


def anchor_from(quote: str | None) -> Anchor | None:
    """A passage typed or pasted into a plain form (the server finds it in the text)."""
    quote = (quote or "").replace("\r\n", "\n").strip()
    return Anchor(quote) if quote else None


@bp.post("/documents/<int:doc_id>/comments")
@member_of(Role.COMMENTER)
def add_comment(doc_id: int, target, membership):
    """A new comment (on a passage, or the whole document), or a reply in a thread."""
    form = CommentForm()
    if not form.validate_on_submit():
        return render_comments(target, membership, comment_form=form, status=422)
    parent = None
    if form.parent_id.data:
        parent = service.get_comment(id_from(form.parent_id.data) or 0, target)
    try:
        comment = service.add_comment(
            target, current_user, form.body.data, anchor=anchor_from(form.quote.data), parent=parent
        )
    except Invalid as error:
        form.quote.errors = [error.message]  # keep what they wrote; say what to change
        return render_comments(target, membership, comment_form=form, status=422)
    flash(_("Your reply was added.") if parent else _("Your comment was added."), "success")
    return back_to(target, f"thread-{service.thread_root(comment).id}")


def document_of(target, doc_id: int) -> Document:
    """The route's document. `member_of` loads the first registered URL argument it finds,
    `doc_id` or `comment_id`/`suggestion_id` depending on import order, so take either."""
    document = target if isinstance(target, Document) else target.document
    if document.id != doc_id:
        raise NotFound(_("There is nothing here, or you do not have access to it."))
    return document


def comment_of(target, doc_id: int, comment_id: int):
    """The route's document and the comment named in the URL, which must be one of its own."""
    document = document_of(target, doc_id)
    return document, service.get_comment(comment_id, document)


@bp.post("/documents/<int:doc_id>/comments/<int:comment_id>/edit")
@member_of(Role.COMMENTER, via="doc_id")
def edit_comment(doc_id: int, comment_id: int, target, membership):
    """Change the words of one's own comment."""
    document, comment = comment_of(target, doc_id, comment_id)
    form = EditCommentForm()
    if not form.validate_on_submit():
        # Say what is wrong: empty, or too long (not "write something" for 10,001 characters).
        errors = form.body.errors or [_("Write something first.")]
        flash(str(errors[0]), "error")
        return back_to(document, f"thread-{service.thread_root(comment).id}")
    service.edit_comment(comment, current_user, form.body.data)
    flash(_("Your comment was changed."), "success")
    return back_to(document, f"thread-{service.thread_root(comment).id}")


@bp.post("/documents/<int:doc_id>/comments/<int:comment_id>/delete")
@member_of(Role.COMMENTER, via="doc_id")
def delete_comment(doc_id: int, comment_id: int, target, membership):
    """Delete one's own comment; its place in the thread stays."""
    document, comment = comment_of(target, doc_id, comment_id)
    if not EmptyForm().validate_on_submit():
        return back_to(document)
    service.delete_comment(comment, current_user)
    flash(_("Your comment was deleted."), "success")
    return back_to(document)


@bp.post("/documents/<int:doc_id>/comments/<int:comment_id>/resolve")
@member_of(Role.COMMENTER, via="doc_id")
def resolve_thread(doc_id: int, comment_id: int, target, membership):
    """Mark a thread resolved: it leaves the margin, and stays on the comments page."""
    document, comment = comment_of(target, doc_id, comment_id)
    root = service.resolve_thread(comment, current_user)
    flash(_("The thread is resolved."), "success")
    return back_to(document, f"thread-{root.id}")


@bp.post("/documents/<int:doc_id>/comments/<int:comment_id>/reopen")
@member_of(Role.COMMENTER, via="doc_id")
def reopen_thread(doc_id: int, comment_id: int, target, membership):
    """Reopen a resolved thread."""
    document, comment = comment_of(target, doc_id, comment_id)
    root = service.reopen_thread(comment, current_user)
    flash(_("The thread is open again."), "success")
    return back_to(document, f"thread-{root.id}")


# ---------------------------------------------------------------- suggestions


@bp.post("/documents/<int:doc_id>/suggestions")
@member_of(Role.COMMENTER)
def propose(doc_id: int, target, membership):
    """Propose other wording for a passage."""
    form = SuggestionForm()
    if not form.validate_on_submit():
        return render_comments(target, membership, suggestion_form=form, status=422)
    try:
        suggestion = service.propose(
            target,
            current_user,
            anchor_from(form.passage.data),
            (form.replacement.data or "").replace("\r\n", "\n"),
            form.rationale.data or "",
        )
    except Invalid as error:
        field_name = "replacement" if "replacement" in (error.fields or {}) else "passage"
        form[field_name].errors = [error.message]
        return render_comments(target, membership, suggestion_form=form, status=422)
    flash(_("Your suggestion was sent to the rapporteur."), "success")
    return back_to(target, f"suggestion-{suggestion.id}")


def suggestion_of(target, doc_id: int, suggestion_id: int):
    """The route's document and the suggestion named in the URL, which must be its own."""
    document = document_of(target, doc_id)
    return document, service.get_suggestion(suggestion_id, document)


@bp.post("/documents/<int:doc_id>/suggestions/<int:suggestion_id>/withdraw")
@member_of(Role.COMMENTER, via="doc_id")
def withdraw(doc_id: int, suggestion_id: int, target, membership):
    """The proposer takes their suggestion back."""
    document, suggestion = suggestion_of(target, doc_id, suggestion_id)
    if not EmptyForm().validate_on_submit():
        return back_to(document)
    service.withdraw(suggestion, current_user)
    flash(_("Your suggestion was withdrawn."), "success")
    return back_to(document)


@bp.post("/documents/<int:doc_id>/suggestions/<int:suggestion_id>/accept")
@member_of(Role.RAPPORTEUR, via="doc_id")
def accept(doc_id: int, suggestion_id: int, target, membership):
    """Accept a suggestion (as proposed, or edited), with a note for the proposer."""
    document, suggestion = suggestion_of(target, doc_id, suggestion_id)
    form = AcceptForm()
    if not form.validate_on_submit():
        return back_to(document)
    try:
        number = service.accept(
            suggestion,
            current_user,
            note=form.note.data or "",
            replacement=(form.replacement.data or "").replace("\r\n", "\n")
            if form.edited.data
            else None,
            reviewed=form.reviewed.data,
        )
    except Conflict as error:
        # The passage changed (or went): the card now shows its current words to review.
        db.session.rollback()
        flash(error.message, "error")
        return back_to(document, f"suggestion-{suggestion_id}")
    flash(_("Accepted: the text is now revision %(n)d.", n=number), "success")
    return back_to(document)


@bp.post("/documents/<int:doc_id>/suggestions/<int:suggestion_id>/reject")
@member_of(Role.RAPPORTEUR, via="doc_id")
def reject(doc_id: int, suggestion_id: int, target, membership):
    """Decline a suggestion, saying why."""
    document, suggestion = suggestion_of(target, doc_id, suggestion_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return back_to(document)
    service.reject(suggestion, current_user, note=form.note.data or "")
    flash(_("The suggestion was declined."), "success")
    return back_to(document)


# ---------------------------------------------------------------- the decision table


DECISION_STATUSES = ["open", "accepted", "rejected", "withdrawn", "resolved"]
# The table quotes the draft and what members said of it: no shared cache may keep it (only
# HTML pages get no-store by default, drafting/security.py).
NOT_KEPT = {"Cache-Control": "private, no-store"}


def decision_filters() -> dict:
    """The table's filters from the query string, as given (for the export links)."""
    filters = {}
    status = request.args.get("status", "")
    if status in DECISION_STATUSES:
        filters["status"] = status
    person = id_from(request.args.get("person"))
    if person is not None:
        filters["person"] = person
    return filters


def filtered_rows(document: Document) -> list[service.DecisionRow]:
    """The decision table's rows for the filters in the query string."""
    filters = decision_filters()
    rows = service.decision_rows(
        document, status=filters.get("status"), person=filters.get("person")
    )
    return rows


def table_labels() -> dict:
    """The translated names the decision table shows for kinds and statuses."""
    return {
        "kind_labels": {key: str(label) for key, label in KIND_LABELS.items()},
        "status_labels": {key: str(label) for key, label in STATUS_LABELS.items()},
    }


@bp.get("/documents/<int:doc_id>/decisions")
@member_of(Role.VIEWER)
def decisions(doc_id: int, target, membership):
    """Every suggestion and thread: who proposed what, the decision, the reason, the revision."""
    filters = decision_filters()
    statuses = [("", _("All"))] + [(key, str(STATUS_LABELS[key])) for key in DECISION_STATUSES]
    return render_template(
        "review/decisions.html",
        document=target,
        membership=membership,
        Role=Role,
        rows=filtered_rows(target),
        filters=filters,
        status=filters.get("status", ""),
        person=filters.get("person"),
        statuses=statuses,
        people=[m.user for m in caucuses.members_of(target.caucus)],
        **table_labels(),
    )


def download_name(document: Document, extension: str) -> str:
    """The file name of an export: the title's slug and what it holds."""
    from drafting.documents.views import safe_filename

    return f"{safe_filename(document.title)}-decisions.{extension}"


@bp.get("/documents/<int:doc_id>/decisions.csv")
@member_of(Role.VIEWER)
def decisions_csv(doc_id: int, target, membership):
    """The decision table as CSV, for a spreadsheet."""
    # A byte-order mark, so that spreadsheets read Arabic and accents as UTF-8.
    body = "\ufeff" + service.csv_of(filtered_rows(target))
    name = download_name(target, "csv")
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **NOT_KEPT},
    )


@bp.get("/documents/<int:doc_id>/decisions.pdf")
@member_of(Role.VIEWER)
def decisions_pdf(doc_id: int, target, membership):
    """The decision table as a PDF page."""
    from drafting.publishing.pdf import render_html_pdf

    html = render_template(
        "review/decisions_pdf.html",
        document=target,
        rows=filtered_rows(target),
        now=utcnow(),
        **table_labels(),
    )
    title = _("Decisions: %(title)s", title=target.title)
    # Engine failures are domain errors (503, or 413 when too large): the page says so.
    pdf = render_html_pdf(html, title=title, language=str(get_locale() or "en"))
    name = download_name(target, "pdf")
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"', **NOT_KEPT},
    )


# ---------------------------------------------------------------- notifications


@dataclass
class NotificationItem:
    """One notification as the page lists it."""

    id: int
    kind: str
    unread: bool
    message: str
    excerpt: str
    url: str
    created_at: object


def notification_url(notification) -> str:
    """Where a notification leads: its card, on the page that lists it now."""
    doc_id = notification.document_id
    # Decided suggestions and resolved threads are not in the margin, and the comments page
    # shows a few dozen at a time: their own page, then.
    if notification.suggestion is not None:
        fragment = f"suggestion-{notification.suggestion_id}"
        item = {"suggestion_id": notification.suggestion_id}
        return url_for("review.suggestion_page", doc_id=doc_id, **item, _anchor=fragment)
    if notification.comment is not None:
        root = service.thread_root(notification.comment)
        fragment = f"thread-{root.id}"
        if root.resolved:
            item = {"comment_id": root.id}
            return url_for("review.thread_page", doc_id=doc_id, **item, _anchor=fragment)
        return url_for("documents.read", doc_id=doc_id, _anchor=fragment)
    return url_for("documents.read", doc_id=doc_id)


def excerpt_of(notification, limit: int = 200) -> str:
    """A few of the words the notification is about."""
    if notification.comment is not None and not notification.comment.deleted:
        words = notification.comment.body
    elif notification.suggestion is not None:
        words = notification.suggestion.decision_note
    else:
        words = ""
    return words if len(words) <= limit else words[: limit - 1] + "…"


def visible_caucus_ids() -> set[int]:
    """The caucuses the person belongs to now: a removed member's old notifications stay
    hidden, since they would name documents no longer theirs to see."""
    return set(
        db.session.scalars(
            sa.select(Membership.caucus_id).where(Membership.user_id == current_user.id)
        )
    )


@bp.get("/notifications")
@signed_in
def notifications_page():
    """Replies, mentions and decisions on one's suggestions, newest first."""
    unread_only = bool(request.args.get("unread"))
    caucus_ids = visible_caucus_ids()
    items = [
        NotificationItem(
            id=n.id,
            kind=n.kind,
            unread=n.read_at is None,
            message=notifications.describe(n),
            excerpt=excerpt_of(n),
            url=notification_url(n),
            created_at=n.created_at,
        )
        for n in notifications.notifications_for(
            current_user, unread_only=unread_only, limit=NOTIFICATIONS_PAGE_SIZE
        )
        if n.document.caucus_id in caucus_ids
    ]
    return render_template("review/notifications.html", items=items, unread_only=unread_only)


@bp.post("/notifications/read")
@signed_in
def mark_read():
    """Mark one notification (`notification_id`) or all of them as read."""
    form = MarkReadForm()
    if form.validate_on_submit():
        raw = (form.notification_id.data or "").strip()
        # None marks them all; an id that is not one of the person's marks nothing.
        ids = None if not raw else [number] if (number := id_from(raw)) else []
        notifications.mark_read(current_user, ids)
    return redirect(url_for("review.notifications_page"))
