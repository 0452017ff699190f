"""Pages of publishing: versions, PDFs, public pages and endorsements."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("publishing", __name__)
