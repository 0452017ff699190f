"""Publishing forms; Flask-WTF adds the CSRF token to each."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from drafting.publishing.fields import MAX_COUNTRY_CHARS
from drafting.publishing.fields import MAX_EMAIL_CHARS
from drafting.publishing.fields import MAX_LABEL_CHARS
from drafting.publishing.fields import MAX_NOTE_CHARS
from drafting.publishing.fields import MAX_ORGANIZATION_CHARS


class VersionForm(FlaskForm):
    """Cut a version: a label, the revision to freeze, final or draft, a note."""

    label = StringField(
        _l("Label"),
        validators=[DataRequired(), Length(max=MAX_LABEL_CHARS)],
        description=_l("For example “Istanbul round 2” or “Final text”."),
    )
    revision = IntegerField(
        _l("Revision"),
        validators=[Optional(), NumberRange(min=1, max=2_147_483_647)],
        description=_l("Leave empty for the text as it stands now."),
    )
    final = BooleanField(_l("This is the final text (organizations can endorse it)"))
    note = TextAreaField(_l("Note for the caucus"), validators=[Length(max=MAX_NOTE_CHARS)])


class SharingForm(FlaskForm):
    """Publish a version and open it to endorsements from outside the caucus."""

    public = BooleanField(_l("Public: anyone with the link can read it"))
    endorsements_open = BooleanField(_l("Open to endorsements through the public link"))


class EndorseForm(FlaskForm):
    """A member signs their organization on."""

    organization = StringField(
        _l("Organization"), validators=[DataRequired(), Length(max=MAX_ORGANIZATION_CHARS)]
    )
    country = StringField(_l("Country"), validators=[Optional(), Length(max=MAX_COUNTRY_CHARS)])


class PublicEndorseForm(EndorseForm):
    """Anyone with the public link signs their organization on; a contact confirms it."""

    email = EmailField(
        _l("Contact email"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=MAX_EMAIL_CHARS)],
        description=_l(
            "Used to confirm the endorsement; seen only by the caucus that published "
            "this text, never shown publicly."
        ),
    )
    # A honeypot: hidden from people by the stylesheet, filled in by naive bots.
    website = StringField(_l("Leave this empty"), validators=[Optional()])


class VisibilityForm(FlaskForm):
    """Hide an endorsement as spam, or show it again."""

    hidden = HiddenField()
