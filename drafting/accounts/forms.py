"""Account forms; Flask-WTF adds the CSRF token to each."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import EqualTo
from wtforms.validators import Length

from drafting.accounts.passwords import MAX_PASSWORD_LENGTH
from drafting.accounts.passwords import MIN_PASSWORD_LENGTH
from drafting.single_line import SingleLine


class LoginForm(FlaskForm):
    """Sign in; the field names `email` and `password` are part of the contract."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class RegisterForm(FlaskForm):
    """Create an account."""

    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120), SingleLine()])
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    invitation = HiddenField()


class ChangePasswordForm(FlaskForm):
    """Change one's password."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
    revoke_tokens = BooleanField(_l("Also revoke my API tokens"))


class TokenForm(FlaskForm):
    """Create a named API token."""

    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80), SingleLine()])


class EmptyForm(FlaskForm):
    """A form that only carries the CSRF token, for buttons that change something."""
