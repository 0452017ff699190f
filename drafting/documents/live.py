"""The live text: every change bumps the live version and is recorded as a LiveEdit;
pending live edits become revisions when their authors pause, and at least once a minute.

Everything that changes `Document.content` goes through `change_live_text`, so that the
chain of live versions has no gaps: a client's shadow is "live version v plus its own
deltas", and version v can always be rebuilt from the current text backwards.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from drafting.accounts.models import User
from drafting.documents import storage
from drafting.documents.models import Document
from drafting.documents.models import LiveEdit
from drafting.documents.models import Revision
from drafting.documents.models import RevisionAuthor
from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.text.delta import apply_chain
from drafting.text.delta import to_delta
from drafting.text.delta import tokens
from drafting.text.diffs import Diffs
from drafting.text.diffs import diff
from drafting.text.diffs import inverted
from drafting.text.diffs import new_text as text_after
from drafting.text.diffs import old_text as text_before

# A pause this long ends a burst of typing: its changes become a revision.
PAUSE = timedelta(seconds=10)
# Someone who never pauses still gets a revision at least this often.
FLUSH_AT_LEAST_EVERY = timedelta(seconds=60)


class LiveVersionGone(LookupError):
    """An old live version can no longer be rebuilt (its chain was pruned)."""


def change_live_text(
    document: Document,
    new_text: str,
    author: User | None,
    *,
    revision: int | None = None,
    diffs: Diffs | None = None,
) -> LiveEdit | None:
    """Set the live text, recording the change (nothing when the text is the same).

    `diffs`, when the caller knows the change by position (a merge does), are recorded as
    they are instead of diffing the two texts: a diff of long texts cut short by its time
    bound comes out coarse, and sessions merge against these deltas later.
    """
    old_text = document.content
    if new_text == old_text:
        return None
    if diffs is None:
        diffs = diff(old_text, new_text)
    elif text_before(diffs) != old_text or text_after(diffs) != new_text:
        raise ValueError("the diffs do not lead from the live text to the new text")
    document.live_version += 1
    edit = LiveEdit(
        document_id=document.id,
        version=document.live_version,
        author_id=author.id if author else None,
        forward=to_delta(diffs),
        backward=to_delta(inverted(diffs)),
        revision=revision,
    )
    db.session.add(edit)
    document.content = new_text
    document.updated_at = utcnow()
    return edit


def live_since(document: Document, version: int) -> tuple[str, list[str]]:
    """The live text at `version`, and the forward deltas of the live edits since, oldest
    first (one query)."""
    if version == document.live_version:
        return document.content, []
    rows = db.session.execute(
        sa.select(LiveEdit.forward, LiveEdit.backward)
        .where(LiveEdit.document_id == document.id, LiveEdit.version > version)
        .order_by(LiveEdit.version)
    ).all()
    if version < 0 or len(rows) != document.live_version - version:
        raise LiveVersionGone(version)
    text = apply_chain(document.content, [row.backward for row in reversed(rows)])
    return text, [row.forward for row in rows]


def forward_deltas_after(document: Document, version: int) -> list[tuple[int, str]]:
    """(version, forward delta) of each live edit after `version` still kept, oldest first:
    what follows a position from that version to now (a gap where edits were pruned)."""
    return [
        (row.version, row.forward)
        for row in db.session.execute(
            sa.select(LiveEdit.version, LiveEdit.forward)
            .where(LiveEdit.document_id == document.id, LiveEdit.version > version)
            .order_by(LiveEdit.version)
        )
    ]


def pending_edits(document: Document) -> list[LiveEdit]:
    """Live edits not yet in a revision, oldest first."""
    return list(
        db.session.scalars(
            sa.select(LiveEdit)
            .where(LiveEdit.document_id == document.id, LiveEdit.revision.is_(None))
            .order_by(LiveEdit.version)
        )
    )


def flush_due(pending: list[LiveEdit]) -> bool:
    """Time for a revision: everyone paused, or the oldest change waited a minute."""
    now = utcnow()
    return bool(pending) and (
        now - pending[-1].created_at >= PAUSE or now - pending[0].created_at >= FLUSH_AT_LEAST_EVERY
    )


def flush_due_now(document: Document) -> bool:
    """`flush_due` from the times of the oldest and newest pending edit alone.

    Every sync asks, inside the document lock; loading every pending edit to answer
    (whole rows, deltas included) would cost more with each keystroke until the next
    revision.
    """
    oldest, newest = db.session.execute(
        sa.select(sa.func.min(LiveEdit.created_at), sa.func.max(LiveEdit.created_at)).where(
            LiveEdit.document_id == document.id, LiveEdit.revision.is_(None)
        )
    ).one()
    if oldest is None:
        return False
    now = utcnow()  # min() and max() keep the column's type: aware UTC datetimes
    return now - newest >= PAUSE or now - oldest >= FLUSH_AT_LEAST_EVERY


def flush_live_edits(document: Document, *, force: bool = False) -> Revision | None:
    """Turn pending live edits into one revision, credited to everyone who made them.

    Call with the document locked. `force` flushes whatever is pending (before a save,
    or when an author leaves).
    """
    if not force and not flush_due_now(document):
        return None
    pending = pending_edits(document)
    if not pending or not (force or flush_due(pending)):
        return None
    head_text = storage.text_at(document, document.head_revision)
    characters = Counter()
    for edit in pending:
        characters[edit.author_id] += change_size(edit.forward)
    main_author_id = max(characters, key=lambda author_id: characters[author_id])
    revision = storage.store_revision(
        document,
        old_text=head_text,
        new_text=document.content,
        author_id=main_author_id,
        summary=live_summary(characters),
    )
    for author_id, count in characters.items():
        if author_id is not None:
            db.session.add(
                RevisionAuthor(revision_id=revision.id, user_id=author_id, characters=count)
            )
    for edit in pending:
        edit.revision = revision.number
    db.session.flush()
    return revision


def change_size(delta: str) -> int:
    """How many characters a delta inserts and deletes (a rough measure of effort): an
    insertion counts as written in the delta, escapes and all."""
    size = 0
    for operation, parameter in tokens(delta):
        if operation == "+":
            size += len(parameter)
        elif operation == "-" and parameter.isdigit():
            size += int(parameter)
    return size


def live_summary(characters: Counter) -> str:
    """The summary of a revision made from live edits."""
    people = [author_id for author_id in characters if author_id is not None]
    names = db.session.scalars(sa.select(User.name).where(User.id.in_(people))).all()
    return _("Live edits by %(names)s", names=", ".join(sorted(names)))


def edits_of_shared_revisions(
    document: Document, first: int, last: int
) -> dict[int, list[tuple[int | None, str]]]:
    """(author, forward delta) of the live edits of every revision from `first` to `last`
    that several people wrote together, by revision number (two queries in all)."""
    shared = (
        sa.select(Revision.number)
        .join(RevisionAuthor, RevisionAuthor.revision_id == Revision.id)
        .where(Revision.document_id == document.id, Revision.number.between(first, last))
        .group_by(Revision.number)
        .having(sa.func.count(RevisionAuthor.id) > 1)
    )
    rows = db.session.execute(
        sa.select(LiveEdit.revision, LiveEdit.author_id, LiveEdit.forward)
        .where(LiveEdit.document_id == document.id, LiveEdit.revision.in_(shared))
        .order_by(LiveEdit.version)
    )
    edits: dict[int, list[tuple[int | None, str]]] = {}
    for revision, author_id, forward in rows:
        edits.setdefault(revision, []).append((author_id, forward))
    return edits
