"""Differential synchronization on the server (SYNC.md), one transaction per sync.

The server's step for each sync, with the document row locked: restore the backup if
the client missed our last answer, drop acknowledged edits, merge each new client edit
into the live text by position (never by fuzzy matching), then send back what changed.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from drafting.accounts.models import User
from drafting.collab.limits import SESSIONS_PER_PERSON
from drafting.collab.limits import SYNC_TIME_BUDGET
from drafting.collab.limits import Deadline
from drafting.collab.limits import check_sync_size
from drafting.collab.limits import end_oldest_sessions
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
from drafting.text.delta import from_delta
from drafting.text.delta import to_delta
from drafting.text.diffs import DeltaMismatch
from drafting.text.diffs import Diffs
from drafting.text.diffs import inverted
from drafting.text.diffs import new_text
from drafting.text.diffs import normalize
from drafting.text.merge import MergeResult
from drafting.text.merge import merge_diffs

log = logging.getLogger(__name__)

SESSION_IDLE_LIMIT = timedelta(hours=1)


@dataclass
class ClientEdit:
    """One entry of the client's outgoing stack."""

    n: int
    delta: str


@dataclass
class SyncAnswer:
    """What the server answers a sync with (the editors list is the view's: it is read
    after the commit, outside the document's lock)."""

    ack: int
    m: int
    edits: list[dict]
    version: int


def open_session(document: Document, user: User, *, keep: int = SESSIONS_PER_PERSON) -> EditSession:
    """Start syncing a tab: its shadow and backup are the live text as it stands. The
    person keeps at most `keep` sessions of the document: the one seen least recently ends."""
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
    end_oldest_sessions(document, user, keep)
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


@dataclass
class Chain:
    """A session's chain while one sync works on it: the backup (the text at `backup_m`),
    the outgoing edits `backup_m, backup_m + 1, …`, which lead to the shadow (the text at
    `shadow_m`, after the client's edits below `shadow_n`). Texts are by reference: a live
    version plus deltas on top. Kept in locals and written to the session once, at the end:
    a session changed before the sync's queries would be flushed, then updated again."""

    backup_version: int
    backup_deltas: list[str]
    backup_m: int
    shadow_version: int
    shadow_deltas: list[str]
    shadow_m: int
    shadow_n: int
    outgoing: list[list]


def sync(
    document: Document,
    user: User,
    *,
    client_id: str,
    m: int,
    edits: list[ClientEdit],
    can_edit: bool,
    cursor: tuple[int, int] | None = None,
    time_budget: float = SYNC_TIME_BUDGET,
) -> SyncAnswer:
    """One sync of one tab, following SYNC.md's steps 1 to 7, with the document locked
    (step 7's editors list is read by the view after the commit, outside the lock).

    A client is always somewhere on its session's chain (`Chain`): at `shadow_m` if it
    heard our last answer, lower if it missed answers. A sync that carries no new edit
    keeps the chain and only extends it, so every `m` the client may hold still names the
    text it has; only a sync with new edits, typed on the text at `m`, rolls the shadow
    back to it (docs/sync.md, "The server's step").

    Edits are applied for at most `time_budget` seconds of holding the lock (at least one
    is): the answer then acknowledges the edits applied and sends nothing of the live text,
    which the client, still holding the rest, could not place (docs/sync.md, "Limits").
    """
    check_sync_size([edit.delta for edit in edits])
    document = locked(document)
    deadline = Deadline(time_budget)
    session = find_session(document, user, client_id)
    chain = confirmed_up_to(session, m)
    if m < session.shadow_m and any(edit.n >= session.shadow_n for edit in edits):
        roll_back_to_backup(chain)
    shadow, to_live = shadow_and_changes(document, chain.shadow_version, chain.shadow_deltas)
    shadow, to_live, done = apply_client_edits(
        document, user, chain, shadow, to_live, edits, can_edit=can_edit, deadline=deadline
    )
    settle_backup(chain, document, shadow)
    if done:
        send_live_changes(chain, document, shadow, to_live)
    elif shadow == document.content:
        chain.shadow_version, chain.shadow_deltas = document.live_version, []
    keep(session, chain, document, cursor)
    live.flush_live_edits(document)
    db.session.flush()
    return SyncAnswer(
        ack=chain.shadow_n,
        m=chain.shadow_m,
        edits=[{"m": edit_m, "delta": delta} for edit_m, delta in chain.outgoing],
        version=document.live_version,
    )


def confirmed_up_to(session: EditSession, m: int) -> Chain:
    """Steps 1 and 3: the client has every outgoing edit below `m`, so the text at `m` is
    the new backup (it confirmed it has it); an `m` off the chain is out of step."""
    outgoing = json.loads(session.outgoing)
    if not session.backup_m <= m <= session.shadow_m:
        raise out_of_sync()
    received = [delta for edit_m, delta in outgoing if edit_m < m]
    if m == session.shadow_m:
        backup_version = session.shadow_version
        backup_deltas = json.loads(session.shadow_deltas)
    else:
        backup_version = session.backup_version
        backup_deltas = json.loads(session.backup_deltas) + received
    return Chain(
        backup_version=backup_version,
        backup_deltas=backup_deltas,
        backup_m=m,
        shadow_version=session.shadow_version,
        shadow_deltas=json.loads(session.shadow_deltas),
        shadow_m=session.shadow_m,
        shadow_n=session.shadow_n,
        outgoing=[edit for edit in outgoing if edit[0] >= m],
    )


def roll_back_to_backup(chain: Chain) -> None:
    """Step 2: the client missed our last answers and typed on the text at `m`: go back to
    the shadow it has; what we sent after it is sent again, recomputed."""
    chain.shadow_version = chain.backup_version
    chain.shadow_deltas = list(chain.backup_deltas)
    chain.shadow_m = chain.backup_m
    chain.outgoing = []


def apply_client_edits(
    document: Document,
    user: User,
    chain: Chain,
    shadow: str,
    to_live: Diffs,
    edits: list[ClientEdit],
    *,
    can_edit: bool,
    deadline: Deadline,
) -> tuple[str, Diffs, bool]:
    """Step 4: merge each new client edit into the live text, in order; duplicates of
    edits already applied are skipped, a gap is out of step.

    Once the deadline has passed, the edits left are not applied (the last value returned
    is False): the client sends them again. At least one new edit is applied, so every
    sync makes progress.
    """
    applied = False
    for edit in edits:
        if edit.n < chain.shadow_n:
            continue
        if edit.n > chain.shadow_n:
            raise out_of_sync()
        if applied and deadline.passed():
            return shadow, to_live, False
        shadow, to_live = apply_client_edit(
            document, user, shadow, to_live, edit.delta, can_edit=can_edit
        )
        chain.shadow_deltas.append(edit.delta)
        chain.shadow_n += 1
        applied = True
    return shadow, to_live, True


def settle_backup(chain: Chain, document: Document, shadow: str) -> None:
    """Step 5: with nothing outstanding, the backup is the shadow as the client now has it
    (with edits outstanding, the client may still be at `m`: the backup stays there)."""
    if chain.outgoing:
        return
    chain.backup_m = chain.shadow_m
    if shadow == document.content:
        chain.backup_version, chain.backup_deltas = document.live_version, []
    else:
        chain.backup_version, chain.backup_deltas = chain.shadow_version, list(chain.shadow_deltas)


def send_live_changes(chain: Chain, document: Document, shadow: str, to_live: Diffs) -> None:
    """Step 6: send the client whatever the live text has that its shadow lacks; then the
    shadow is the live text."""
    if shadow != document.content:
        chain.outgoing.append([chain.shadow_m, to_delta(to_live)])
        chain.shadow_m += 1
    chain.shadow_version, chain.shadow_deltas = document.live_version, []


def keep(
    session: EditSession, chain: Chain, document: Document, cursor: tuple[int, int] | None
) -> None:
    """Write the chain, the time and the cursor to the session, once."""
    session.shadow_version = chain.shadow_version
    session.shadow_deltas = json.dumps(chain.shadow_deltas)
    session.shadow_n, session.shadow_m = chain.shadow_n, chain.shadow_m
    session.backup_version = chain.backup_version
    session.backup_deltas = json.dumps(chain.backup_deltas)
    session.backup_m = chain.backup_m
    session.outgoing = json.dumps(chain.outgoing)
    session.last_seen_at = utcnow()
    session.cursor_anchor, session.cursor_head = cursor if cursor else (None, None)


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
            backward.append(to_delta(inverted(diffs)))
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


def close_session(document: Document, user: User, client_id: str) -> None:
    """The tab is closing: end its session and turn pending live edits into a revision."""
    document = locked(document)
    session = find_session(document, user, client_id)
    session.closed_at = utcnow()
    live.flush_live_edits(document, force=True)
