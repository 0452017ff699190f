"""Single-line text (names, emails, token names): line breaks and control characters refused.

A person's name travels into mail headers, page titles and spreadsheets; a line break there is
at best a broken header and at worst an injected one. What a person types on one line is
checked here, by the services and by the forms alike, and refused with a message rather than
silently changed.
"""

from __future__ import annotations

import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from drafting.errors import Invalid

# Controls (NUL, tab, CR, LF, DEL, C1 …) and the Unicode line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def has_control_characters(value: str) -> bool:
    """True when the text holds a line break, a tab or another control character."""
    return any(unicodedata.category(char) in REFUSED_CATEGORIES for char in value)


def check_single_line(value: str, field: str) -> str:
    """The value, or Invalid naming the field when it is not a single line of text."""
    if has_control_characters(value):
        raise Invalid(
            _("Write this on one line, without line breaks or control characters."),
            fields={field: "control_characters"},
        )
    return value


def flattened(value: str) -> str:
    """The text on one line: every control character a space, runs of spaces one (for mail
    headers, which must never carry a line break whatever reached them)."""
    spaced = "".join(
        " " if unicodedata.category(char) in REFUSED_CATEGORIES else char for char in value
    )
    return " ".join(spaced.split())


class SingleLine:
    """WTForms validator: the field's text is one line without control characters."""

    message = _l("Write this on one line, without line breaks or control characters.")

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and has_control_characters(field.data):
            raise ValidationError(str(self.message))
