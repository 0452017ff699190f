"""The review's pages, on one blueprint: each page's views are in a module of their own.

Importing them registers their routes on `bp`; the reading page's panel is a page part of
documents/views.py (panel.py).
"""

from __future__ import annotations

from drafting.review import comment_views  # noqa: F401
from drafting.review import decision_views  # noqa: F401
from drafting.review import notification_views  # noqa: F401
from drafting.review import panel  # noqa: F401
from drafting.review import suggestion_views  # noqa: F401
from drafting.review.blueprint import bp

__all__ = ["bp"]
