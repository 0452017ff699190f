"""How revisions are stored and rebuilt: snapshots every so often, deltas in between.

A revision's text is rebuilt from the nearest snapshot at or before it plus the deltas
after that snapshot, and checked against the SHA-256 recorded when it was saved: a
mismatch is corruption and fails loudly, never a silently wrong text.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass

import sqlalchemy as sa

from drafting.documents.models import Document
from drafting.documents.models import Revision
from drafting.extensions import db
from drafting.text.delta import apply_chain
from drafting.text.delta import to_delta
from drafting.text.diffs import added_removed
from drafting.text.words import readable_diff

# At most this many deltas are applied to rebuild any revision.
SNAPSHOT_INTERVAL = 100


class CorruptRevision(RuntimeError):
    """A rebuilt text does not match its recorded hash: storage is damaged."""


def sha256_text(text: str) -> str:
    """The SHA-256 of a text's UTF-8 bytes, as API.md defines text hashes."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def pack(text: str, level: int = 6) -> bytes:
    """Compress a text (a snapshot or a delta) for storage."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"), level)


def unpack(packed: bytes) -> str:
    """Decompress what `pack` stored."""
    return zlib.decompress(packed).decode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class Change:
    """The change from one text to the next, ready to store."""

    delta: str
    added: int
    removed: int


def change_between(old: str, new: str) -> Change:
    """Diff two texts, word by word, into a storable delta with its character counts."""
    diffs = readable_diff(old, new, semantic=False)
    added, removed = added_removed(diffs)
    return Change(to_delta(diffs), added, removed)


def needs_snapshot(document: Document, number: int, packed_delta: bytes, text: str) -> bool:
    """Snapshot the first revision, then every SNAPSHOT_INTERVAL, or after a rewrite so big
    that its delta costs more to store and apply than a snapshot would."""
    if number == 1 or number - latest_snapshot(document) >= SNAPSHOT_INTERVAL:
        return True
    return len(packed_delta) * 4 > len(text)


def latest_snapshot(document: Document, at_or_before: int | None = None) -> int:
    """The number of the newest snapshot at or before a revision (0 if none yet)."""
    query = sa.select(sa.func.max(Revision.number)).where(
        Revision.document_id == document.id, Revision.snapshot.is_not(None)
    )
    if at_or_before is not None:
        query = query.where(Revision.number <= at_or_before)
    return db.session.scalar(query) or 0


def store_revision(document: Document, *, old_text: str, new_text: str, **fields) -> Revision:
    """Append the next revision of a document; `fields` are its author, summary and flags."""
    number = document.head_revision + 1
    change = change_between(old_text, new_text)
    packed_delta = pack(change.delta)
    revision = Revision(
        document=document,
        number=number,
        added=change.added,
        removed=change.removed,
        length=len(new_text),
        sha256=sha256_text(new_text),
        delta=packed_delta if number > 1 else None,
        **fields,
    )
    if needs_snapshot(document, number, packed_delta, new_text):
        revision.snapshot = pack(new_text, level=9)
    db.session.add(revision)
    document.head_revision = number
    document.head_sha256 = revision.sha256
    db.session.flush()
    return revision


def text_at(document: Document, number: int) -> str:
    """The text of revision `number`, rebuilt and verified (the head is usually at hand)."""
    if number == document.head_revision and sha256_text(document.content) == document.head_sha256:
        return document.content
    base_number = latest_snapshot(document, number)
    rows = db.session.execute(
        sa.select(Revision.number, Revision.snapshot, Revision.delta, Revision.sha256)
        .where(
            Revision.document_id == document.id,
            Revision.number >= base_number,
            Revision.number <= number,
        )
        .order_by(Revision.number)
    ).all()
    if not rows or rows[0].number != base_number or rows[-1].number != number:
        raise CorruptRevision(f"document {document.id}: revision {number} cannot be rebuilt")
    text = apply_chain(unpack(rows[0].snapshot), [unpack(row.delta) for row in rows[1:]])
    if sha256_text(text) != rows[-1].sha256:
        raise CorruptRevision(
            f"document {document.id}: revision {number} does not match its SHA-256"
        )
    return text


def deltas_between(document: Document, first: int, last: int) -> list[tuple[int, int | None, str]]:
    """(number, author id, delta) of revisions first..last, for replaying who wrote what."""
    rows = db.session.execute(
        sa.select(Revision.number, Revision.author_id, Revision.delta, Revision.snapshot)
        .where(
            Revision.document_id == document.id,
            Revision.number >= first,
            Revision.number <= last,
        )
        .order_by(Revision.number)
    ).all()
    return [
        (row.number, row.author_id, unpack(row.delta) if row.delta else first_delta(row))
        for row in rows
    ]


def first_delta(row) -> str:
    """The first revision's delta: everything inserted into the empty text."""
    text = unpack(row.snapshot)
    return change_between("", text).delta
