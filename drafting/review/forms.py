"""Review forms (the plain-HTML path; the page's script posts to the API instead).

Flask-WTF adds the CSRF token to each. Field names match the API's where they can (`body`,
`replacement`, `rationale`, `note`); the suggestion's quote is `passage`, so that it and the
comment's `quote` can share a page.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

MAX_BODY = 10_000
MAX_QUOTE = 2_000
MAX_NOTE = 4_000


class CommentForm(FlaskForm):
    """A new comment on the document or a passage of it, or a reply (`parent_id`)."""

    quote = TextAreaField(
        _l("Passage (optional)"),
        validators=[Optional(), Length(max=MAX_QUOTE)],
        description=_l("Copy the words you are commenting on, exactly as they appear."),
    )
    body = TextAreaField(
        _l("Comment"),
        validators=[DataRequired(), Length(max=MAX_BODY)],
        description=_l("Write @ and a name to notify a member."),
        render_kw={"data-mentions": True},  # frontend/src/review offers the names
    )
    parent_id = HiddenField()


class ReplyForm(FlaskForm):
    """A reply in a thread."""

    body = TextAreaField(_l("Reply"), validators=[DataRequired(), Length(max=MAX_BODY)])


class EditCommentForm(FlaskForm):
    """Change the text of one's own comment."""

    body = TextAreaField(
        _l("Comment"),
        validators=[
            DataRequired(message=_l("Write something first.")),
            Length(max=MAX_BODY, message=_l("Keep it under %(max)d characters.")),
        ],
    )


class SuggestionForm(FlaskForm):
    """Propose other wording for a passage."""

    passage = TextAreaField(
        _l("Passage to replace"),
        validators=[DataRequired(), Length(max=MAX_QUOTE)],
        description=_l("Copy the words exactly as they appear in the text."),
    )
    replacement = TextAreaField(
        _l("Proposed wording"),
        validators=[Length(max=MAX_BODY)],
        description=_l("Leave it empty to propose deleting the passage."),
    )
    rationale = TextAreaField(_l("Why (optional)"), validators=[Optional(), Length(max=MAX_BODY)])


class AcceptForm(FlaskForm):
    """Accept a suggestion, possibly with edited wording, with a note for the proposer."""

    note = TextAreaField(_l("Note for the proposer (optional)"), validators=[Length(max=MAX_NOTE)])
    replacement = TextAreaField(_l("Wording to apply"), validators=[Length(max=MAX_BODY)])
    edited = HiddenField()
    reviewed = BooleanField(_l("I have read the passage as it stands now"))


class RejectForm(FlaskForm):
    """Reject a suggestion, saying why."""

    note = TextAreaField(_l("Reason"), validators=[Length(max=MAX_NOTE)])


class MarkReadForm(FlaskForm):
    """Mark one notification (`notification_id`) or all of them as read."""

    notification_id = HiddenField()
