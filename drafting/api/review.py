"""API: comments and suggestions (API.md, *Comments and suggestions*)."""

from __future__ import annotations
