"""Database ids as they arrive in URLs, query strings and forms."""

from __future__ import annotations

MAX_DATABASE_ID = 2_147_483_647  # the largest id a database integer column holds


def id_from(raw: str | None) -> int | None:
    """A positive id (or page number) from a query string or form field, None for anything
    else: `isdigit()` alone takes "²" (which int() refuses) and numbers no column can hold."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_DATABASE_ID)):
        return None
    number = int(raw)
    return number if 0 < number <= MAX_DATABASE_ID else None
