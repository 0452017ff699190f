"""Rate-limit keys: per address and per account, for sign-in and token creation."""

from __future__ import annotations

from flask import current_app
from flask import request
from flask_limiter.util import get_remote_address

from drafting.accounts.service import normalize_email


def by_address() -> str:
    """The client's address (behind a proxy, ProxyFix makes this the real one)."""
    return "address:" + get_remote_address()


def by_account() -> str:
    """The account being tried, from the form or the JSON body, so spreading guesses over
    many addresses does not help."""
    email = request.form.get("email")
    if email is None and request.is_json:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    return "account:" + normalize_email(email if isinstance(email, str) else "")


def signed_in_account() -> str:
    """The signed-in person, for limits on what they do once in."""
    from flask_login import current_user

    return f"user:{current_user.get_id() if current_user.is_authenticated else 'anonymous'}"


def login_limits() -> str:
    """The configured sign-in limits."""
    return current_app.config["LOGIN_LIMITS"]


def token_limits() -> str:
    """The configured token-creation limits."""
    return current_app.config["TOKEN_LIMITS"]
