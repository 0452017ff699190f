"""Caucus forms; Flask-WTF adds the CSRF token to each."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length

from drafting.caucuses.models import Role

ROLE_NAMES = {
    Role.OWNER: _l("Owner"),
    Role.RAPPORTEUR: _l("Rapporteur"),
    Role.EDITOR: _l("Editor"),
    Role.COMMENTER: _l("Commenter"),
    Role.VIEWER: _l("Viewer"),
}


def role_choices() -> list[SelectChoice]:
    """The roles from the most to the least powerful, with translated names."""
    return [SelectChoice(role.label, ROLE_NAMES[role]) for role in sorted(Role, reverse=True)]


class CaucusForm(FlaskForm):
    """Create a caucus."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])


class InviteForm(FlaskForm):
    """Invite someone by email with a role."""

    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    role = SelectField(_l("Role"), choices=role_choices, default=Role.EDITOR.label)


class RoleForm(FlaskForm):
    """Change a member's role."""

    role = SelectField(_l("Role"), choices=role_choices)


class OrganizationForm(FlaskForm):
    """The organization a member speaks for in this caucus (shown with their proposals)."""

    organization = StringField(
        _l("The organization you represent"),
        validators=[Length(max=160)],
        description=_l("Shown next to your name on comments, suggestions and the decision table."),
    )
