"""Pages of the review: comments, suggestions, decisions and notifications."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("review", __name__)
