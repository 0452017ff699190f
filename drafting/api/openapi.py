"""GET /api/v1/openapi.json: generated from the schemas the views validate with."""

from __future__ import annotations

from flask import jsonify

from drafting.api import bp
from drafting.api import spec
from drafting.caucuses.access import public


@bp.get("/openapi.json")
@public
def openapi_document():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(spec.spec)
