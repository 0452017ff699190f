"""Rate limits: their keys (per address, per person) and their settings, and the cap on the mail
one person's actions send. Counts live in the limiter's storage, which every process shares
(Redis, or limit_store.py's file). Sign-in failures have their own rules (accounts/throttle.py)."""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import parse_many

from drafting.extensions import limiter


def by_address() -> str:
    """The client's address (behind a proxy, ProxyFix makes this the real one)."""
    return "address:" + get_remote_address()


def signed_in_account() -> str:
    """The signed-in person, for limits on what they do once in."""
    from flask_login import current_user

    return f"user:{current_user.id if current_user.is_authenticated else 'anonymous'}"


def login_limits() -> str:
    """The configured registration limits (sign-in failures are throttle.py's)."""
    return current_app.config["LOGIN_LIMITS"]


def token_limits() -> str:
    """The configured token-creation limits."""
    return current_app.config["TOKEN_LIMITS"]


def password_change_limits() -> str:
    """The configured limits of the password-change form (per person and per address)."""
    return current_app.config["PASSWORD_CHANGE_LIMITS"]


def may_send_mail(sender_id: int) -> bool:
    """Count one mail caused by this person; False once they are over MAIL_LIMITS_PER_SENDER
    (one comment mentioning eighty people sends eighty mails otherwise)."""
    if not limiter.enabled:
        return True
    items = parse_many(current_app.config["MAIL_LIMITS_PER_SENDER"])
    return all([limiter.limiter.hit(item, "mail-sender", str(sender_id)) for item in items])
