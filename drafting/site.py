"""Site-wide pages: the landing page, the language choice, the health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from drafting.caucuses.access import public
from drafting.errors import NotFound
from drafting.extensions import db
from drafting.security import safe_next_path

bp = Blueprint("site", __name__)

ONE_YEAR = 60 * 60 * 24 * 365


@bp.route("/")
@public
def home():
    """The landing page; signed-in people go straight to their caucuses."""
    if current_user.is_authenticated:
        return redirect(url_for("caucuses.index"))
    return render_template("home.html")


@bp.get("/language/<code>")
@public
def choose_language(code: str):
    """Remember the chosen interface language in a cookie and go back."""
    if code not in current_app.config["LANGUAGES"]:
        raise NotFound("unknown language")
    response = redirect(safe_next_path(request.args.get("next"), url_for("site.home")))
    response.set_cookie(
        "lang",
        code,
        max_age=ONE_YEAR,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.get("/healthz")
@public
def healthz():
    """Report that the app and its database answer."""
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
