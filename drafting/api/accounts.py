"""API: tokens and the signed-in person."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from spectree import Response

from drafting.accounts import service
from drafting.accounts import throttle
from drafting.api import bp
from drafting.api import spec
from drafting.api.schemas.accounts import Me
from drafting.api.schemas.accounts import TokenCreated
from drafting.api.schemas.accounts import TokenRequest
from drafting.api.schemas.common import ErrorBody
from drafting.caucuses.access import public
from drafting.caucuses.access import signed_in
from drafting.extensions import limiter
from drafting.ratelimits import by_address
from drafting.ratelimits import token_limits


@bp.post("/auth/token")
@limiter.limit(token_limits, key_func=by_address, scope="api-token-address")
@public
@spec.validate(
    json=TokenRequest,
    resp=Response(HTTP_201=TokenCreated, HTTP_401=ErrorBody, HTTP_429=ErrorBody),
    tags=["accounts"],
    security={},
)
def create_token():
    """Exchange an email and password for a new API token (shown once)."""
    body: TokenRequest = request.context.json
    user = throttle.authenticate(body.email, body.password)
    token, secret = service.create_token(user, body.name or _("API token"))
    return {"token": secret, "id": token.id, "name": token.name}, 201


@bp.get("/me")
@signed_in
@spec.validate(resp=Response(HTTP_200=Me, HTTP_401=ErrorBody), tags=["accounts"])
def me():
    """The person the request is authenticated as."""
    return {"id": current_user.id, "email": current_user.email, "name": current_user.name}
