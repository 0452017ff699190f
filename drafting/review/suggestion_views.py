"""The review's suggestion pages: one suggestion's page, and the plain forms that propose,
withdraw, accept and reject wording."""

from __future__ import annotations

from flask import flash
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from drafting.accounts.forms import EmptyForm
from drafting.caucuses.access import member_of
from drafting.caucuses.models import Role
from drafting.documents.models import Document
from drafting.errors import Conflict
from drafting.errors import Invalid
from drafting.extensions import db
from drafting.review import suggestions
from drafting.review.blueprint import bp
from drafting.review.cards import Cards
from drafting.review.comment_views import anchor_from
from drafting.review.comment_views import back_to
from drafting.review.comment_views import render_card
from drafting.review.comment_views import render_comments
from drafting.review.forms import AcceptForm
from drafting.review.forms import RejectForm
from drafting.review.forms import SuggestionForm


@bp.get("/documents/<int:doc_id>/suggestions/<int:suggestion_id>")
@member_of(Role.VIEWER, via="doc_id")
def suggestion_page(doc_id: int, suggestion_id: int, target, membership):
    """One suggestion, its outcome, and the forms to withdraw or decide on it."""
    document, suggestion = suggestion_of(target, suggestion_id)
    card = Cards(document, membership).suggestion(suggestions.suggestion_view(suggestion))
    back = url_for("review.suggestion_page", doc_id=document.id, suggestion_id=card.id)
    return render_card(document, membership, card, back)


@bp.post("/documents/<int:doc_id>/suggestions")
@member_of(Role.COMMENTER)
def propose(doc_id: int, target, membership):
    """Propose other wording for a passage."""
    form = SuggestionForm()
    if not form.validate_on_submit():
        return render_comments(target, membership, suggestion_form=form, status=422)
    try:
        suggestion = suggestions.propose(
            target,
            current_user,
            anchor_from(form.passage.data),
            form.replacement.data or "",
            form.rationale.data or "",
        )
    except Invalid as error:
        field_name = "replacement" if "replacement" in (error.fields or {}) else "passage"
        form[field_name].errors = [error.message]
        return render_comments(target, membership, suggestion_form=form, status=422)
    flash(_("Your suggestion was sent to the rapporteur."), "success")
    return back_to(target, f"suggestion-{suggestion.id}")


def suggestion_of(document: Document, suggestion_id: int):
    """The route's document (`via="doc_id"`) and the suggestion named in the URL, which must
    be its own."""
    return document, suggestions.get_suggestion(suggestion_id, document)


@bp.post("/documents/<int:doc_id>/suggestions/<int:suggestion_id>/withdraw")
@member_of(Role.COMMENTER, via="doc_id")
def withdraw(doc_id: int, suggestion_id: int, target, membership):
    """The proposer takes their suggestion back."""
    document, suggestion = suggestion_of(target, suggestion_id)
    if not EmptyForm().validate_on_submit():
        return back_to(document)
    suggestions.withdraw(suggestion, current_user)
    flash(_("Your suggestion was withdrawn."), "success")
    return back_to(document)


@bp.post("/documents/<int:doc_id>/suggestions/<int:suggestion_id>/accept")
@member_of(Role.RAPPORTEUR, via="doc_id")
def accept(doc_id: int, suggestion_id: int, target, membership):
    """Accept a suggestion (as proposed, or edited), with a note for the proposer."""
    document, suggestion = suggestion_of(target, suggestion_id)
    form = AcceptForm()
    if not form.validate_on_submit():
        return back_to(document)
    try:
        number = suggestions.accept(
            suggestion,
            current_user,
            note=form.note.data or "",
            replacement=(form.replacement.data or "") if form.edited.data else None,
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
    document, suggestion = suggestion_of(target, suggestion_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return back_to(document)
    suggestions.reject(suggestion, current_user, note=form.note.data or "")
    flash(_("The suggestion was declined."), "success")
    return back_to(document)
