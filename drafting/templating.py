"""What every template can use: the language direction, role names, the capability predicates."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

from drafting.caucuses.access import CAPABILITIES
from drafting.caucuses.forms import ROLE_NAMES
from drafting.caucuses.models import Role

RIGHT_TO_LEFT = {"ar", "fa", "he", "ur"}
LANGUAGE_NAMES = {"en": "English", "es": "Español", "fr": "Français", "ar": "العربية"}


def template_globals() -> dict:
    """Values available in every template."""
    locale = str(get_locale() or "en")
    return {
        "html_lang": locale,
        "html_dir": "rtl" if locale.split("_")[0] in RIGHT_TO_LEFT else "ltr",
        "language_names": LANGUAGE_NAMES,
        **CAPABILITIES,  # may_edit(membership, document) and the rest
    }


def role_name(role: Role | str) -> str:
    """A role's name in the interface language."""
    return str(ROLE_NAMES[Role.parse(role) if isinstance(role, str) else role])


def init_app(app: Flask) -> None:
    """Register the globals and filters."""
    app.context_processor(template_globals)
    app.add_template_filter(role_name, "role_name")
