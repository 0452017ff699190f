"""Differential synchronization on the server (SYNC.md), one transaction per sync.

The server's step for each sync, with the document row locked: restore the backup if
the client missed our last answer, drop acknowledged edits, merge each new client edit
into the live text by position (never by fuzzy matching), then send back what changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from drafting.accounts.models import User
from drafting.collab.models import EditSession
from drafting.documents import live
from drafting.documents.models import Document
from drafting.documents.service import check_content
from drafting.errors import Conflict
from drafting.errors import NotAllowed
from drafting.errors import NotFound
from drafting.errors import TryAgain
from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.locking import locked
from drafting.text.delta import chain_diffs
from drafting.text.diffs import DeltaMismatch
from drafting.text.diffs import Diffs
from drafting.text.diffs import from_delta
from drafting.text.diffs import new_text
from drafting.text.diffs import normalize
from drafting.text.diffs import to_delta
from drafting.text.merge import MergeResult
from drafting.text.merge import merge_diffs

log = logging.getLogger(__name__)

SESSION_IDLE_LIMIT = timedelta(hours=1)
PRESENCE_WINDOW = timedelta(seconds=30)
PALETTE_SIZE = 12


def colour_of(user_id: int) -> int:
    """A stable colour index for a person, the same in every tab."""
    return user_id % PALETTE_SIZE


@dataclass
class ClientEdit:
    """One entry of the client's outgoing stack."""

    n: int
    delta: str


@dataclass
class SyncAnswer:
    """What the server answers a sync with."""

    ack: int
    m: int
    edits: list[dict]
    version: int
    editors: list[dict] | None  # None: unchanged since the client's `presence` tag
    presence: str


def open_session(document: Document, user: User) -> EditSession:
    """Start syncing a tab: its shadow and backup are the live text as it stands."""
    forget_idle_sessions(document)
    session = EditSession(
        client_id=secrets.token_urlsafe(18),
        document_id=document.id,
        user_id=user.id,
        shadow_version=document.live_version,
        backup_version=document.live_version,
    )
    db.session.add(session)
    db.session.flush()
    return session


def forget_idle_sessions(document: Document) -> None:
    """Sessions idle for an hour are gone; their tabs reopen one when they come back."""
    db.session.execute(
        sa.delete(EditSession).where(
            EditSession.document_id == document.id,
            EditSession.last_seen_at < utcnow() - SESSION_IDLE_LIMIT,
        )
    )


def find_session(document: Document, user: User, client_id: str) -> EditSession:
    """The tab's session: NotFound if unknown, someone else's, closed or expired."""
    session = db.session.scalar(
        sa.select(EditSession).where(
            EditSession.client_id == client_id, EditSession.document_id == document.id
        )
    )
    gone = (
        session is None
        or session.user_id != user.id
        or session.closed_at is not None
        or session.last_seen_at < utcnow() - SESSION_IDLE_LIMIT
    )
    if gone:
        raise NotFound(_("This editing session has ended. Reconnecting…"))
    return session


def out_of_sync() -> Conflict:
    """The client and the server no longer agree on the text; the client reopens."""
    return Conflict(_("Your editor is out of step with the document. Reconnecting…"))


def sync(
    document: Document,
    user: User,
    *,
    client_id: str,
    m: int,
    edits: list[ClientEdit],
    can_edit: bool,
    cursor: tuple[int, int] | None = None,
    presence: str | None = None,
) -> SyncAnswer:
    """One sync of one tab, following SYNC.md's steps 1 to 7.

    The session keeps a chain: the backup (the text at `backup_m`), then the outgoing
    edits `backup_m, backup_m + 1, …`, which lead to the shadow (the text at `shadow_m`).
    A client is always somewhere on that chain: at `shadow_m` if it heard our last
    answer, lower if it missed answers.

    Fix (found by tests/collab/test_faults.py, "late duplicate"): SYNC.md's step 2 used to
    restore the backup whenever `m == backup_m`, and recompute the outgoing edit from it.
    A copy of an already answered request (a retry, a duplicate the network delivers
    late) has that `m`, so after someone else had typed, the server's shadow became a
    text the client never had, under the same `m` the client had reached: the client
    then silently stopped receiving that change (same lengths), or got 409 and reopened.
    Now a sync that carries no new edit keeps the chain and only extends it, so every
    `m` the client may hold still names the text it has; only a sync with new edits,
    which were typed on the text at `m`, rolls the shadow back to it (step 2 proper).

    `presence` is the tag of the editors list the client holds (docs/sync.md, "Presence"):
    when the list has not changed since, the answer leaves it out.
    """
    document = locked(document)
    session = find_session(document, user, client_id)
    outgoing = json.loads(session.outgoing)
    if not session.backup_m <= m <= session.shadow_m:
        raise out_of_sync()
    # The new state is kept in locals and written to the session once, at the end: a
    # session changed before the queries below would be flushed, then updated again.
    # Step 3: the client has every outgoing edit below `m`; the text at `m` is the new
    # backup (the client confirmed it has it).
    received = [delta for edit_m, delta in outgoing if edit_m < m]
    outgoing = [edit for edit in outgoing if edit[0] >= m]
    if m == session.shadow_m:
        backup_version, backup_deltas = session.shadow_version, session.shadow_deltas
    else:
        backup_version = session.backup_version
        backup_deltas = json.dumps(json.loads(session.backup_deltas) + received)
    backup_m = m
    shadow_version, shadow_deltas_json, shadow_m = (
        session.shadow_version,
        session.shadow_deltas,
        session.shadow_m,
    )
    if m < session.shadow_m and any(edit.n >= session.shadow_n for edit in edits):
        # Step 2: the client missed our last answers and typed on the text at `m`: go
        # back to the shadow it has; what we sent after it is sent again, recomputed.
        shadow_version, shadow_deltas_json, shadow_m = backup_version, backup_deltas, m
        outgoing = []
    shadow_deltas = json.loads(shadow_deltas_json)
    # The shadow, and what the live text has that it lacks, by position (never by diffing).
    shadow, to_live = shadow_and_changes(document, shadow_version, shadow_deltas)
    shadow_n = session.shadow_n
    for edit in edits:
        if edit.n < shadow_n:
            continue  # a duplicate of an edit already applied
        if edit.n > shadow_n:
            raise out_of_sync()
        shadow, to_live = apply_client_edit(
            document, user, shadow, to_live, edit.delta, can_edit=can_edit
        )
        shadow_deltas.append(edit.delta)
        shadow_n += 1
    # Step 5: with nothing outstanding, the backup is the shadow as the client now has it
    # (with edits outstanding, the client may still be at `m`: the backup stays there).
    if not outgoing:
        backup_m = shadow_m
        if shadow == document.content:
            backup_version, backup_deltas = document.live_version, "[]"
        else:
            backup_version, backup_deltas = shadow_version, json.dumps(shadow_deltas)
    # Step 6: send the client whatever the live text has that its shadow lacks; then the
    # shadow is the live text.
    if shadow != document.content:
        outgoing.append([shadow_m, to_delta(to_live)])
        shadow_m += 1
    session.shadow_version, session.shadow_deltas = document.live_version, "[]"
    session.shadow_n, session.shadow_m = shadow_n, shadow_m
    session.backup_version, session.backup_deltas, session.backup_m = (
        backup_version,
        backup_deltas,
        backup_m,
    )
    session.outgoing = json.dumps(outgoing)
    session.last_seen_at = utcnow()
    session.cursor_anchor, session.cursor_head = cursor if cursor else (None, None)
    live.flush_live_edits(document)
    db.session.flush()
    editors = editors_of(document)
    tag = presence_tag(editors)
    return SyncAnswer(
        ack=session.shadow_n,
        m=session.shadow_m,
        edits=[{"m": edit_m, "delta": delta} for edit_m, delta in outgoing],
        version=document.live_version,
        editors=None if presence == tag else editors,
        presence=tag,
    )


def shadow_and_changes(document: Document, version: int, deltas: list[str]) -> tuple[str, Diffs]:
    """A shadow stored by reference (live `version` plus `deltas` on top), and the diffs
    from it to the live text, by position.

    Composed from the recorded deltas, never by diffing the two texts: every insertion
    made since stays an insertion of exactly its characters, however busy the machine is.
    A diff of two long texts is that change only while it finishes within its time bound
    (docs/sync.md, "Acknowledged means kept").

    With deltas on top (a client that missed our answers), the way to the live text goes
    back along them, each undone exactly, then follows the live edits forward: the client's
    own words come out deleted and inserted again at one place, which the cleanup folds back.
    """
    try:
        shadow, forward = live.live_since(document, version)
        backward = []
        for delta in deltas:
            diffs = from_delta(shadow, delta)
            backward.append(to_delta(live.inverted(diffs)))
            shadow = new_text(diffs)
        return shadow, normalize(chain_diffs(shadow, [*reversed(backward), *forward]))
    except (live.LiveVersionGone, DeltaMismatch):
        raise out_of_sync() from None


def apply_client_edit(
    document: Document, user: User, shadow: str, to_live: Diffs, delta: str, *, can_edit: bool
) -> tuple[str, Diffs]:
    """Merge one client edit into the live text.

    Returns the client's new text (the shadow) and the diffs from it to the live text.
    """
    try:
        client_diffs = from_delta(shadow, delta)
    except DeltaMismatch:
        raise out_of_sync() from None
    client_text = new_text(client_diffs)
    if client_text == shadow:
        return shadow, to_live
    if not can_edit:
        raise NotAllowed(_("You can read this document but not change it."))
    # Place the client's change by position in the live text; where both sides touched
    # the same words, keep both (nobody's words lost).
    merged = merge_diffs(shadow, client_diffs, to_live, on_conflict="keep_both")
    check_kept(document, merged)
    check_content(merged.text)
    live.change_live_text(document, merged.text, user, diffs=merged.diffs_from("theirs"))
    return client_text, merged.diffs_from("ours")


def check_kept(document: Document, merged: MergeResult) -> None:
    """Acknowledge nothing the merge did not keep where it placed it (docs/sync.md).

    Every run the client inserted, and every run already in the live text, must be in the
    merged text where the merge put it. Otherwise nothing of this sync is kept and the
    client is told to send it again (503: it keeps its edits); the case is logged loudly,
    with sizes only, since the words are the caucus's confidential draft.
    """
    if not (merged.lost["ours"] or merged.lost["theirs"]):
        return
    log.error(
        "live edit NOT acknowledged: the merge lost text (document %s, version %s; "
        "client runs lost: %s, live runs lost: %s)",
        document.id,
        document.live_version,
        [len(text) for text in merged.lost["ours"]],
        [len(text) for text in merged.lost["theirs"]],
    )
    raise TryAgain(_("Your latest typing could not be placed safely yet. Trying again…"))


def editors_of(document: Document) -> list[dict]:
    """The tabs seen in the last 30 seconds, with their people's names and colours.

    One query with the names joined in (performance: loading each session's `user` lazily
    cost one round trip per open tab, inside the document lock: with 30 tabs that was
    40 % of a sync's time in bench/collab.py's profile).
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


def close_session(document: Document, user: User, client_id: str) -> None:
    """The tab is closing: end its session and turn pending live edits into a revision."""
    document = locked(document)
    session = find_session(document, user, client_id)
    session.closed_at = utcnow()
    live.flush_live_edits(document, force=True)
