"""The review on the reading page (a margin of open threads and suggestions) and beside the
live editor (a read-only list), added to those pages as page parts of documents/views.py:
built by the page's view before it renders, like everything that reads the database."""

from __future__ import annotations

from flask import has_request_context
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from drafting.caucuses.models import Membership
from drafting.documents.models import Document
from drafting.documents.views import add_page_part
from drafting.review import comments
from drafting.review import notifications
from drafting.review import suggestions
from drafting.review.blueprint import bp
from drafting.review.cards import Cards
from drafting.review.cards import Review
from drafting.review.cards import review_of
from drafting.review.forms import CommentForm
from drafting.review.forms import SuggestionForm


def decide_strings(labels: dict) -> dict:
    """The summaries of the forms to decide, for those who may (the script adds them)."""
    return {
        "accept": labels["accept"],
        "acceptWithEdits": labels["accept_with_edits"],
        "reject": labels["reject"],
    }


def panel_strings(labels: dict) -> dict:
    """The sentences the reading page's script (frontend/src/review) shows, translated
    here (some from the cards')."""
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
    """The reading page's open threads and suggestions, in text order. Its cards are
    compact; their forms are made once, in templates the script fills in."""
    cards = Cards(document, membership)
    items = cards.all(
        comments.threads_of(document, status="open"),
        suggestions.suggestions_of(document, status="open"),
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
    """Open threads and suggestions for the live editor's read-only list."""
    return Review(
        items=Cards(document, membership).all(
            comments.threads_of(document, status="open"),
            suggestions.suggestions_of(document, status="open"),
        ),
        can_comment=False,
    )


add_page_part("read", lambda document, membership: {"review": review_panel(document, membership)})
add_page_part(
    "live_edit", lambda document, membership: {"review": review_summary(document, membership)}
)


@bp.app_context_processor
def unread_count() -> dict:
    """The unread count for the header (signed-in people only)."""
    if has_request_context() and current_user.is_authenticated:
        return {"unread_notifications": notifications.unread_count(current_user)}
    return {}
