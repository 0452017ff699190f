"""Response headers and redirect checks shared by every page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from flask import Response
from flask import abort
from flask import current_app
from flask import request
from flask_babel import gettext as _


def content_security_policy(image_hosts: list[str]) -> str:
    """No inline script or style, nothing from elsewhere except images from allowed hosts."""
    image_sources = " ".join(["'self'", *(f"https://{host}" for host in image_hosts)])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {image_sources}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


PRIVATE_MIMETYPES = {"text/html", "application/json"}


def add_security_headers(response: Response) -> Response:
    """Strict defaults on every response: no inline script, no framing, no sniffing."""
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        content_security_policy(current_app.config["ALLOWED_IMAGE_HOSTS"]),
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if response.mimetype in PRIVATE_MIMETYPES:
        # Confidential drafts must not linger in shared caches or the back-forward cache of a
        # borrowed phone after sign-out; the API's JSON carries the same drafts. Routes that
        # may be cached (public pages, static files) set their own Cache-Control first.
        headers.setdefault("Cache-Control", "no-store")
    return response


def safe_next_path(target: str | None, default: str = "/") -> str:
    """Accept only a local path for `next`; anything that could leave the site goes home."""
    if not target:
        return default
    cleaned = target.strip()
    # Browsers treat backslashes as slashes and ignore tabs and newlines, so refuse them outright.
    if any(char in cleaned for char in "\\\t\r\n") or not cleaned.startswith("/"):
        return default
    if cleaned.startswith("//"):
        return default
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return default
    return cleaned


def refuse_nul_characters() -> None:
    """No text here contains NUL; PostgreSQL cannot store it, so refuse it up front (400).

    Nor bytes that are not UTF-8 in the query string: browsers send them escaped (which
    Werkzeug keeps as the escapes' text), but raw ones made `request.args` raise (a 500).
    """
    try:
        request.query_string.decode("utf-8")
    except UnicodeDecodeError:
        request.query_string = b""  # the error page writes this address into its links
        abort(400, description=_("The address is not valid UTF-8."))
    for values in (request.args, request.form):
        for value in values.listvalues():
            if any("\x00" in item for item in value):
                abort(400, description=_("The request contains a NUL character."))


def init_app(app: Flask) -> None:
    """Install the checks and headers on every request."""
    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)
