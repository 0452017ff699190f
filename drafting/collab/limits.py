"""How much one person, and one sync, may take of a document (docs/sync.md, "Limits").

A person keeps a bounded number of sessions per document; a sync carries a bounded number
of edits and of delta characters; and it merges for a bounded time while it holds the
document's lock, acknowledging what it applied (the client sends the rest again).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from flask_babel import gettext as _

from drafting.accounts.models import User
from drafting.collab.models import EditSession
from drafting.documents.models import Document
from drafting.errors import TooLarge
from drafting.extensions import db

SESSIONS_PER_PERSON = 10  # open sessions of one person in one document (config overrides)
EDITS_PER_SYNC = 100  # edits in one sync request (the schema's bound)
# Delta characters in one sync: a paste of a whole 2 MB text fits, with room for the rest.
DELTA_CHARS_PER_SYNC = 3 * 1024 * 1024
SYNC_TIME_BUDGET = 2.0  # seconds one sync may spend merging edits (config overrides)


def end_oldest_sessions(document: Document, user: User, keep: int) -> None:
    """Keep the person's `keep` sessions of this document seen most recently; end the rest.

    A person with more tabs than that expects the tab they just opened to work: the tab
    they have not looked at for longest gives way. Its session is deleted, so its next
    sync is a 404 ("This editing session has ended"), on which the editor reconnects and
    rebases its unsent text, as after any lost session. Two opens at the same moment may
    each keep their own new session and briefly leave one too many; the next open trims.
    """
    mine = sa.and_(EditSession.document_id == document.id, EditSession.user_id == user.id)
    kept = (
        sa.select(EditSession.id)
        .where(mine, EditSession.closed_at.is_(None))
        .order_by(EditSession.last_seen_at.desc(), EditSession.id.desc())
        .limit(keep)
    )
    db.session.execute(
        sa.delete(EditSession).where(mine, EditSession.id.not_in(kept.scalar_subquery())),
        execution_options={"synchronize_session": False},
    )


def check_sync_size(deltas: list[str]) -> None:
    """A sync carries at most DELTA_CHARS_PER_SYNC characters of deltas (413).

    The browser sends its stack in parts under this bound, so only one edit larger than
    it all alone (a paste past the 2 MB a document may hold) is refused.
    """
    if sum(len(delta) for delta in deltas) > DELTA_CHARS_PER_SYNC:
        raise TooLarge(_("One sync can carry at most 3 MB of changes."), fields={"edits": "size"})


@dataclass
class Deadline:
    """The time a sync may spend applying edits, counted from when it holds the lock."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    def passed(self) -> bool:
        """True once the budget is spent."""
        return time.monotonic() - self.started >= self.seconds
