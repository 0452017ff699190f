"""What people type into publishing: each field's limit, and single-line text.

The forms and the API validate against the same limits (forms.py, api/publishing.py);
the services check them again (versions.py, endorsements.py).
"""

from __future__ import annotations

from flask_babel import gettext as _

from drafting.errors import Invalid

MAX_LABEL_CHARS = 120
MAX_NOTE_CHARS = 2000
MAX_ORGANIZATION_CHARS = 200
MAX_COUNTRY_CHARS = 100
MAX_EMAIL_CHARS = 254


def one_line(value: str, field: str, limit: int, *, required: bool = True) -> str:
    """A single line of text, spaces collapsed, of at most `limit` characters."""
    value = " ".join((value or "").split())
    if (required and not value) or len(value) > limit:
        raise Invalid(
            _("Write 1 to %(n)d characters.", n=limit)
            if required
            else _("Keep it under %(n)d characters.", n=limit),
            fields={field: "length"},
        )
    return value
