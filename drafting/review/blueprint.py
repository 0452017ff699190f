"""The review's blueprint: its pages are in the *_views modules and panel.py."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("review", __name__)
