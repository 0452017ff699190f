"""Document forms; Flask-WTF adds the CSRF token to each."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from drafting.documents.service import MAX_SUMMARY_CHARS
from drafting.documents.service import MAX_TITLE_CHARS

LANGUAGE_CHOICES = [
    SelectChoice("en", "English"),
    SelectChoice("es", "Español"),
    SelectChoice("fr", "Français"),
    SelectChoice("ar", "العربية"),
    SelectChoice("pt", "Português"),
    SelectChoice("ru", "Русский"),
    SelectChoice("zh", "中文"),
]


class NewDocumentForm(FlaskForm):
    """Start a document."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE_CHARS)])
    language = SelectField(_l("Language of the text"), choices=LANGUAGE_CHOICES, default="en")
    content = TextAreaField(_l("Text (Markdown)"), validators=[Optional()])


class ImportForm(FlaskForm):
    """Upload a .md or .txt file."""

    file = FileField(
        _l("Markdown or text file"),
        validators=[FileRequired(), FileAllowed(["md", "markdown", "txt"], _l("Only .md or .txt"))],
    )
    title = StringField(_l("Title"), validators=[Optional(), Length(max=MAX_TITLE_CHARS)])
    summary = StringField(_l("Summary"), validators=[Optional(), Length(max=MAX_SUMMARY_CHARS)])


class EditForm(FlaskForm):
    """The plain editing page: the whole text, the revision it started from, a summary."""

    content = TextAreaField(_l("Text (Markdown)"))
    base_revision = HiddenField()
    summary = StringField(
        _l("What did you change?"),
        validators=[Optional(), Length(max=MAX_SUMMARY_CHARS)],
        description=_l("A short note for the rapporteur, e.g. “Tightened paragraph 12”."),
    )


class SettingsForm(FlaskForm):
    """Rename, relabel, number paragraphs."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE_CHARS)])
    language = SelectField(_l("Language of the text"), choices=LANGUAGE_CHOICES)
    numbered_paragraphs = BooleanField(_l("Number the paragraphs (UN style)"))


class CompareForm(FlaskForm):
    """Pick two revisions to compare (a GET form: no CSRF needed)."""

    class Meta:
        csrf = False

    from_revision = IntegerField(_l("From revision"), validators=[NumberRange(min=1)])
    to_revision = IntegerField(_l("To revision"), validators=[NumberRange(min=1)])
