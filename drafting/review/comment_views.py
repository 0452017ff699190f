"""The review's comment pages: the comments page (every thread and suggestion, with
filters), one thread's page, and the plain forms that add, edit, delete, resolve and reopen
comments.

Every action is a plain form posted here, which works without JavaScript: one-click ones
from the reading page's margin, the others from the card's own page or the comments page,
which carry every form. The reading page's script (frontend/src/review) marks the passages,
copies the shared forms into the cards, and adds select-to-comment through the JSON API.
"""

from __future__ import annotations

from flask import Response
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from drafting.accounts.forms import EmptyForm
from drafting.caucuses.access import member_of
from drafting.caucuses.models import Membership
from drafting.caucuses.models import Role
from drafting.documents.models import Document
from drafting.errors import Invalid
from drafting.ids import id_from
from drafting.review import comments as review_comments
from drafting.review import suggestions
from drafting.review.blueprint import bp
from drafting.review.cards import Cards
from drafting.review.cards import review_of
from drafting.review.forms import CommentForm
from drafting.review.forms import EditCommentForm
from drafting.review.forms import SuggestionForm
from drafting.security import safe_next_path
from drafting.text.anchors import Anchor

COMMENTS_PAGE_SIZE = 50  # cards per comments page: each carries its own forms there
FILTERS = [
    ("open", _l("Open")),
    ("resolved", _l("Resolved and decided")),
    ("mine", _l("Mine")),
    ("mentions", _l("Mentioning me")),
]


def listed(document: Document, show: str) -> tuple[list, list]:
    """Threads and suggestions for one filter of the comments page."""
    if show == "resolved":
        decided = [s for s in suggestions.suggestions_of(document) if s.suggestion.status != "open"]
        return review_comments.threads_of(document, status="resolved"), decided
    if show == "mine":
        return (
            review_comments.threads_of(document, author=current_user),
            suggestions.suggestions_of(document, author=current_user),
        )
    if show == "mentions":
        return review_comments.threads_of(document, mentioning=current_user), []
    return (
        review_comments.threads_of(document, status="open"),
        suggestions.suggestions_of(document, status="open"),
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
    threads, proposals = listed(document, show)
    items = Cards(document, membership).all(threads, proposals)
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
        "review/card.html", document=document, membership=membership, review=review
    )


@bp.get("/documents/<int:doc_id>/comments/<int:comment_id>")
@member_of(Role.VIEWER, via="doc_id")
def thread_page(doc_id: int, comment_id: int, target, membership):
    """A comment's whole thread, with its replies and every action the reader may take."""
    document, comment = comment_of(target, comment_id)
    card = Cards(document, membership).thread(review_comments.thread_of(comment))
    back = url_for("review.thread_page", doc_id=document.id, comment_id=card.id)
    return render_card(document, membership, card, back)


def back_to(document: Document, fragment: str = "") -> Response:
    """Back to the page the form was on (a local path only), at the card acted upon."""
    default = url_for("documents.read", doc_id=document.id)
    path = safe_next_path(request.form.get("next"), default)
    return redirect(f"{path}#{fragment}" if fragment else path)


def anchor_from(quote: str | None) -> Anchor | None:
    """A passage typed or pasted into a plain form (the server finds it in the text)."""
    quote = (quote or "").strip()  # line ends are the service's (checked_anchor)
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
        parent = review_comments.get_comment(id_from(form.parent_id.data) or 0, target)
    try:
        comment = review_comments.add_comment(
            target, current_user, form.body.data, anchor=anchor_from(form.quote.data), parent=parent
        )
    except Invalid as error:
        form.quote.errors = [error.message]  # keep what they wrote; say what to change
        return render_comments(target, membership, comment_form=form, status=422)
    flash(_("Your reply was added.") if parent else _("Your comment was added."), "success")
    return back_to(target, f"thread-{review_comments.thread_root(comment).id}")


def comment_of(document: Document, comment_id: int):
    """The route's document (`via="doc_id"`) and the comment named in the URL, which must be
    one of its own."""
    return document, review_comments.get_comment(comment_id, document)


@bp.post("/documents/<int:doc_id>/comments/<int:comment_id>/edit")
@member_of(Role.COMMENTER, via="doc_id")
def edit_comment(doc_id: int, comment_id: int, target, membership):
    """Change the words of one's own comment."""
    document, comment = comment_of(target, comment_id)
    form = EditCommentForm()
    if not form.validate_on_submit():
        # Say what is wrong: empty, or too long (not "write something" for 10,001 characters).
        errors = form.body.errors or [_("Write something first.")]
        flash(str(errors[0]), "error")
        return back_to(document, f"thread-{review_comments.thread_root(comment).id}")
    review_comments.edit_comment(comment, current_user, form.body.data)
    flash(_("Your comment was changed."), "success")
    return back_to(document, f"thread-{review_comments.thread_root(comment).id}")


@bp.post("/documents/<int:doc_id>/comments/<int:comment_id>/delete")
@member_of(Role.COMMENTER, via="doc_id")
def delete_comment(doc_id: int, comment_id: int, target, membership):
    """Delete one's own comment; its place in the thread stays."""
    document, comment = comment_of(target, comment_id)
    if not EmptyForm().validate_on_submit():
        return back_to(document)
    review_comments.delete_comment(comment, current_user)
    flash(_("Your comment was deleted."), "success")
    return back_to(document)


@bp.post("/documents/<int:doc_id>/comments/<int:comment_id>/resolve")
@member_of(Role.COMMENTER, via="doc_id")
def resolve_thread(doc_id: int, comment_id: int, target, membership):
    """Mark a thread resolved: it leaves the margin, and stays on the comments page."""
    document, comment = comment_of(target, comment_id)
    root = review_comments.resolve_thread(comment, current_user)
    flash(_("The thread is resolved."), "success")
    return back_to(document, f"thread-{root.id}")


@bp.post("/documents/<int:doc_id>/comments/<int:comment_id>/reopen")
@member_of(Role.COMMENTER, via="doc_id")
def reopen_thread(doc_id: int, comment_id: int, target, membership):
    """Reopen a resolved thread."""
    document, comment = comment_of(target, comment_id)
    root = review_comments.reopen_thread(comment, current_user)
    flash(_("The thread is open again."), "success")
    return back_to(document, f"thread-{root.id}")
