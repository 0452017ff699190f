"""Domain errors raised by services, and the one place that maps them to HTTP."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import SecurityError


class DomainError(Exception):
    """Base of the errors services raise; each subclass knows its status and API code."""

    status = 400
    code = "bad_request"
    retry_after: int | None = None  # seconds, sent as Retry-After when set
    # The request's work so far is committed even though the error is raised (see
    # drafting/transactions.py); only for errors that report work kept on purpose.
    keeps_work = False

    def __init__(self, message: str, *, fields: dict[str, Any] | None = None, **extra: Any):
        super().__init__(message)
        self.message = message
        self.fields = fields
        self.extra = extra


class NotAuthenticated(DomainError):
    """No valid credentials were given."""

    status = 401
    code = "unauthorized"


class NotFound(DomainError):
    """Absent, or not visible to the acting user (never distinguish the two)."""

    status = 404
    code = "not_found"


class NotAllowed(DomainError):
    """A member whose role does not allow the action."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The action clashes with the current state (a stale base, a duplicate, the last owner)."""

    status = 409
    code = "conflict"


class Invalid(DomainError):
    """Well-formed input with values that are not acceptable."""

    status = 422
    code = "invalid"


class TooLarge(DomainError):
    """The input exceeds a size limit."""

    status = 413
    code = "too_large"


class TryAgain(DomainError):
    """Nothing was done, and the same request a moment later may well succeed."""

    status = 503
    code = "try_again"
    retry_after = 1


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    503: "try_again",
}


def wants_json() -> bool:
    """API requests get JSON errors; pages get HTML."""
    return request.path.startswith("/api/")


def json_error(status: int, message: str, *, code: str | None = None, **extra: Any):
    """Build the API's error body: {"error": {"code", "message", "fields"?}}."""
    error: dict[str, Any] = {"code": code or HTTP_CODES.get(status, "error"), "message": message}
    fields = extra.pop("fields", None)
    if fields:
        error["fields"] = fields
    body: dict[str, Any] = {"error": error, **extra}
    return jsonify(body), status


def handle_domain_error(error: DomainError):
    """Answer a domain error: JSON for the API, a page or a flashed message otherwise."""
    if wants_json():
        response, status = json_error(
            error.status, error.message, code=error.code, fields=error.fields, **error.extra
        )
        if error.retry_after is not None:
            response.headers["Retry-After"] = str(error.retry_after)
        return response, status
    if isinstance(error, NotAuthenticated):
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if error.status in (403, 404) or request.method == "GET":
        return render_error_page(error.status, error.message)
    flash(error.message, "error")
    return redirect(request.referrer or url_for("caucuses.index"))


def render_error_page(status: int, message: str):
    """Render the error page with a human message."""
    return render_template("errors/error.html", status=status, message=message), status


def handle_http_error(error: HTTPException):
    """Werkzeug's errors (404 route, 405, 413 …) in the house format."""
    status = error.code or 500
    message = error.description or error.name
    if status == 404:
        message = _("There is nothing here, or you do not have access to it.")
    if wants_json():
        return json_error(status, message)
    return render_error_page(status, message)


def handle_untrusted_host(error: SecurityError):
    """A Host header outside TRUSTED_HOSTS: a bare 400, since no URL can be built for it."""
    return _("This site is not served under that host name."), 400, {"Content-Type": "text/plain"}


def handle_csrf_error(error: CSRFError):
    """A missing or stale CSRF token: explain, never act."""
    message = _("Your form expired or came from another site. Reload the page and try again.")
    if wants_json():
        return json_error(400, message, code="csrf_failed")
    return render_error_page(400, message)


def handle_rate_limited(error: RateLimitExceeded):
    """Too many attempts: say when to try again."""
    message = _("Too many attempts. Wait a minute and try again.")
    if wants_json():
        response, status = json_error(429, message)
    else:
        response, status = render_error_page(429, message)
    return response, status


def register_error_handlers(app: Flask) -> None:
    """Install the handlers; order matters: specific before generic."""
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(SecurityError, handle_untrusted_host)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(RateLimitExceeded, handle_rate_limited)
    app.register_error_handler(HTTPException, handle_http_error)
