"""How a request is authenticated: the session cookie for pages, a Bearer token for scripts."""

from __future__ import annotations

from flask import Flask
from flask import request
from flask_babel import lazy_gettext as _l

from drafting.accounts import service
from drafting.extensions import db
from drafting.extensions import login_manager


def has_bearer_header() -> bool:
    """True when the request names a Bearer token, which then decides alone who is asking."""
    authorization = request.authorization
    return authorization is not None and authorization.type == "bearer"


@login_manager.user_loader
def load_user_from_session(session_id: str):
    """The person signed in on this browser, unless the request carries a token instead."""
    if has_bearer_header():
        return None
    return service.user_for_session(session_id)


@login_manager.request_loader
def load_user_from_token(req):
    """The owner of the request's Bearer token, if it is active."""
    if not has_bearer_header():
        return None
    user = service.user_for_token(req.authorization.token or "")
    if user is not None and db.session.dirty:
        db.session.commit()  # the token's last use, recorded at most every few minutes
    return user


def init_app(app: Flask) -> None:
    """Configure Flask-Login."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "basic"
