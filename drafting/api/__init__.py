"""The /api/v1 blueprint: JSON in and out, Bearer tokens, schemas that also make the OpenAPI."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import request
from flask import url_for
from flask_babel import gettext as _
from spectree import SecurityScheme
from spectree import SecuritySchemeData
from spectree import SpecTree
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import UnsupportedMediaType

from drafting.api.schemas.common import ErrorBody
from drafting.errors import Invalid
from drafting.extensions import csrf
from drafting.text.surrogates import has_lone_surrogate

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def refuse_invalid(req, resp, validation_error, instance, *rest) -> None:
    """Spectree calls this after validating; invalid input becomes a 422 in the house format."""
    if validation_error is None:
        return
    fields = {
        ".".join(str(part) for part in error["loc"]) or "body": error["msg"]
        for error in validation_error.errors()
    }
    raise Invalid(_("Some values are not valid."), fields=fields)


spec = SpecTree(
    "flask",
    title="Drafting API",
    version="1",
    description="Everything a person can do in Drafting's pages, a script can do here.",
    mode="strict",
    page_templates={},
    annotations=False,
    before=refuse_invalid,
    validation_error_status=422,
    # refuse_invalid answers invalid input in the house format, so the document must say so
    # (spectree's default model is its own list of errors, which the API never sends).
    validation_error_model=ErrorBody,
    security_schemes=[
        # A model, not a dict: spectree 3 calls `.to_dict()` on it when building the
        # document, so a plain dict made GET /openapi.json answer 500.
        SecurityScheme(name="bearer", data=SecuritySchemeData(type="http", scheme="bearer")),
    ],
    security={"bearer": []},
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def parse_json_body() -> None:
    """Writes carry JSON: malformed JSON is a 400, another media type a 415."""
    if request.method not in {"POST", "PUT", "PATCH"} or not request.content_length:
        return
    if not request.is_json:
        raise UnsupportedMediaType(_("Send JSON with Content-Type: application/json."))
    try:
        body = request.get_json()
    except BadRequest:
        raise BadRequest(_("The body is not valid JSON.")) from None
    except RecursionError:
        # Python's JSON decoder gives up on deep nesting ("[[[[…") with RecursionError, not
        # ValueError, so Flask would not turn it into a 400.
        raise BadRequest(_("The body is nested too deeply.")) from None
    refuse_unusable_text(body)


def refuse_unusable_text(body: Any) -> None:
    """A NUL character or a lone surrogate in any string of the body is a 422.

    PostgreSQL cannot store NUL in text, and would refuse it on the first insert or query;
    a lone surrogate (JSON's "\\ud800" alone) is no text at all, and fails wherever it is
    encoded as UTF-8. No field of this API has a use for either, so refuse them in one place
    for all.
    """
    pending: list[tuple[str, Any]] = [("body", body)]
    while pending:
        location, value = pending.pop()
        if isinstance(value, str):
            refuse_unusable_string(value, location)
        elif isinstance(value, dict):
            for key, item in value.items():
                field = key if location == "body" else f"{location}.{key}"
                pending.extend([(field, key), (field, item)])  # names are text too
        elif isinstance(value, list):
            pending.extend((f"{location}.{index}", item) for index, item in enumerate(value))


def refuse_unusable_string(value: str, location: str) -> None:
    """Invalid (422) for a string with a NUL character or a lone surrogate."""
    if "\x00" in value:
        raise Invalid(_("Text cannot contain NUL characters."), fields={location: "nul_character"})
    if has_lone_surrogate(value):
        raise Invalid(
            _("Text cannot contain half of a character (a lone surrogate)."),
            fields={location: "lone_surrogate"},
        )


@bp.before_request
def protect_cookie_writes() -> None:
    """Writes authenticated by the browser's cookie need the CSRF header; token writes do not."""
    if request.method in WRITE_METHODS and bearer_token() is None and session_user_present():
        csrf.protect()


def session_user_present() -> bool:
    """True when the browser's session cookie signs this request in."""
    from flask_login import current_user

    return current_user.is_authenticated


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer …` header, if the request has one."""
    authorization = request.authorization
    if authorization is None or authorization.type != "bearer":
        return None
    return authorization.token or ""


def page_info(total: int, limit: int, offset: int, **url_args: Any) -> dict[str, Any]:
    """The paging fields of a list, with the URL of the next page if there is one."""
    next_offset = offset + limit
    next_url = None
    if next_offset < total:
        next_url = url_for(request.endpoint, limit=limit, offset=next_offset, **url_args)
    return {"total": total, "limit": limit, "offset": offset, "next": next_url}


def init_app(app) -> None:
    """Register the API, its views and its OpenAPI document."""
    from drafting.api import accounts  # noqa: F401  (registers routes)
    from drafting.api import caucuses  # noqa: F401
    from drafting.api import collab  # noqa: F401
    from drafting.api import documents  # noqa: F401
    from drafting.api import openapi  # noqa: F401
    from drafting.api import publishing  # noqa: F401
    from drafting.api import review  # noqa: F401

    csrf.exempt(bp)  # protect_cookie_writes applies CSRF only where a cookie authenticates
    app.register_blueprint(bp)
    spec.app = app
