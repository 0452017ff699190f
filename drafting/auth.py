"""How a request is authenticated: the session cookie for pages, a Bearer token for scripts."""

from __future__ import annotations

from flask import Flask
from flask import current_app
from flask import g
from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

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
    """The owner of the request's Bearer token, if it is active.

    Its use is only read here and noted after the view (`note_token_use`): writing it now
    would hold the token's row locked until the request ends, for every other request
    that uses or revokes the token (a print can take twenty seconds).
    """
    if not has_bearer_header():
        return None
    token = service.active_token(req.authorization.token or "")
    if token is None:
        return None
    if service.token_use_due(token):
        g.token_use_due = token.id
    return token.user


def note_token_use(response):
    """After the view's transaction has ended: note the token's use in a short transaction of
    its own. A failure here costs a timestamp, never the answer."""
    token_id = g.pop("token_use_due", None)
    if token_id is None:
        return response
    try:
        service.record_token_use(token_id)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("could not note the use of token %s", token_id)
    return response


def init_app(app: Flask) -> None:
    """Configure Flask-Login."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "basic"
    app.after_request(note_token_use)
