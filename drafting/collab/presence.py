"""Presence: who has the document open (tabs seen in the last 30 seconds), their colours
and cursors, at most EDITORS_LISTED of them and a count of the rest, and a tag that tells a
client whether its list is still current."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from drafting.accounts.models import User
from drafting.collab.models import EditSession
from drafting.extensions import db
from drafting.extensions import utcnow

PRESENCE_WINDOW = timedelta(seconds=30)
EDITORS_LISTED = 50  # tabs named in a sync's answer; the others are counted
PALETTE_SIZE = 12


def colour_of(user_id: int) -> int:
    """A stable colour index for a person, the same in every tab."""
    return user_id % PALETTE_SIZE


@dataclass
class Presence:
    """Who is here, as a sync answers it: the tabs listed, how many more are present, and
    the tag of the list."""

    editors: list[dict]
    unlisted: int
    tag: str


def presence_of(document_id: int) -> Presence:
    """The editors list of a sync's answer: the EDITORS_LISTED tabs seen most recently in
    the last 30 seconds (in the order they opened), and a count of the others present.

    Bounded, because every answer of every tab may carry it: 3,000 sessions made each
    answer 420 KB. The view reads it after its commit, so not under the document's lock.
    """
    present = sa.and_(
        EditSession.document_id == document_id,
        EditSession.closed_at.is_(None),
        EditSession.last_seen_at >= utcnow() - PRESENCE_WINDOW,
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(EditSession).where(present))
    editors = editors_seen_last(present)
    unlisted = max(0, total - len(editors))  # a tab may join between the two reads
    return Presence(editors=editors, unlisted=unlisted, tag=presence_tag(editors))


def editors_seen_last(present: sa.ColumnElement[bool]) -> list[dict]:
    """The EDITORS_LISTED tabs `present` seen most recently, in the order they opened (so
    that the list, and its tag, stay the same while the same people are here).

    One query with the names joined in: loading each session's `user` lazily costs a
    round trip per open tab.
    """
    rows = db.session.execute(
        sa.select(
            EditSession.id,
            EditSession.client_id,
            EditSession.user_id,
            User.name,
            EditSession.last_seen_at,
            EditSession.cursor_anchor,
            EditSession.cursor_head,
        )
        .join(User, User.id == EditSession.user_id)
        .where(present)
        .order_by(EditSession.last_seen_at.desc(), EditSession.id.desc())
        .limit(EDITORS_LISTED)
    ).all()
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
        for row in sorted(rows, key=lambda row: row.id)
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
