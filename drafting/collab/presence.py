"""Presence: who has the document open (tabs seen in the last 30 seconds), their colours
and cursors, and a tag that tells a client whether its list is still current."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import sqlalchemy as sa

from drafting.accounts.models import User
from drafting.collab.models import EditSession
from drafting.documents.models import Document
from drafting.extensions import db
from drafting.extensions import utcnow

PRESENCE_WINDOW = timedelta(seconds=30)
PALETTE_SIZE = 12


def colour_of(user_id: int) -> int:
    """A stable colour index for a person, the same in every tab."""
    return user_id % PALETTE_SIZE


def editors_of(document: Document) -> list[dict]:
    """The tabs seen in the last 30 seconds, with their people's names and colours.

    One query with the names joined in: loading each session's `user` lazily costs a
    round trip per open tab, inside the document lock.
    """
    rows = db.session.execute(
        sa.select(
            EditSession.client_id,
            EditSession.user_id,
            User.name,
            EditSession.last_seen_at,
            EditSession.cursor_anchor,
            EditSession.cursor_head,
        )
        .join(User, User.id == EditSession.user_id)
        .where(
            EditSession.document_id == document.id,
            EditSession.closed_at.is_(None),
            EditSession.last_seen_at >= utcnow() - PRESENCE_WINDOW,
        )
        .order_by(EditSession.id)
    )
    return [
        {
            "client_id": row.client_id,
            "user_id": row.user_id,
            "name": row.name,
            "colour": colour_of(row.user_id),
            "last_seen": row.last_seen_at,
            "cursor": (
                {"anchor": row.cursor_anchor, "head": row.cursor_head}
                if row.cursor_anchor is not None
                else None
            ),
        }
        for row in rows
    ]


def presence_tag(editors: list[dict]) -> str:
    """A tag of the editors list that changes when the list does, the same on every worker.

    Everything a client shows is in it (who, names, colours, cursors), except `last_seen`,
    which moves on every sync of every tab: with it, the tag would change with each answer
    and the list would never be left out. The list only holds tabs seen in the last 30 s,
    so a tab going quiet still changes the tag when it drops out.
    """
    shown = [
        [editor["client_id"], editor["user_id"], editor["name"], editor["colour"], editor["cursor"]]
        for editor in editors
    ]
    encoded = json.dumps(shown, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.blake2b(encoded, digest_size=12).hexdigest()
