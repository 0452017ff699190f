"""Live editing: sessions, syncs, the long-poll and previews (SYNC.md)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from pydantic import Field

from drafting.api.schemas.common import Strict
from drafting.collab.limits import DELTA_CHARS_PER_SYNC
from drafting.collab.limits import EDITS_PER_SYNC
from drafting.collab.presence import EDITORS_LISTED


class SessionUser(BaseModel):
    id: int
    name: str
    colour: int


class SyncLimits(BaseModel):
    edits: int = Field(description="The most edits one sync may carry.")
    delta_chars: int = Field(description="The most characters of deltas one sync may carry.")


class SessionOpened(BaseModel):
    client_id: str
    text: str
    n: int
    m: int
    version: int = Field(description="The document's live version; long-poll /changes after it.")
    can_edit: bool
    user: SessionUser
    limits: SyncLimits = Field(
        description=(
            "What one sync may carry: a longer outgoing stack goes in parts, oldest first, "
            "each answer acknowledging a part."
        )
    )


class SyncEdit(Strict):
    n: int = Field(ge=0, le=2_147_483_647)
    delta: str


class Cursor(Strict):
    anchor: int = Field(ge=0, le=2_147_483_647)
    head: int = Field(ge=0, le=2_147_483_647)


class SyncRequest(Strict):
    client_id: str = Field(min_length=1, max_length=64)
    m: int = Field(ge=0, le=2_147_483_647)
    edits: list[SyncEdit] = Field(
        default_factory=list,
        max_length=EDITS_PER_SYNC,
        description=(
            f"The outgoing stack, oldest first: at most {EDITS_PER_SYNC} edits and "
            f"{DELTA_CHARS_PER_SYNC} delta characters (413 past that) per sync; send a longer "
            "stack in parts. The answer's `ack` may cover only some of them (the server "
            "merges for a bounded time): send the rest again."
        ),
    )
    cursor: Cursor | None = None
    presence: str | None = Field(
        None,
        max_length=64,
        description=(
            "The `presence` tag of the editors list this client holds: when the list is "
            "unchanged, the answer omits `editors`. Without it, `editors` always comes."
        ),
    )


class ServerEdit(BaseModel):
    m: int
    delta: str


class Editor(BaseModel):
    client_id: str
    user_id: int
    name: str
    colour: int
    last_seen: datetime
    cursor: Cursor | None


class SyncResponse(BaseModel):
    ack: int = Field(description="The next client version the server expects.")
    m: int
    edits: list[ServerEdit]
    version: int
    editors: list[Editor] | None = Field(
        None,
        description=(
            f"The tabs seen in the last 30 s, at most {EDITORS_LISTED} (those seen most "
            "recently, in the order they opened). Omitted when the request's `presence` "
            "equals this answer's: the list the client holds is still the list."
        ),
    )
    presence: str = Field(
        description=(
            "A tag of the editors list (who is here, their names, colours and cursors; not "
            "`last_seen`): it changes when the list does."
        )
    )
    editors_unlisted: int = Field(
        0,
        description=(
            f"Tabs seen in the last 30 s beyond the list, which names at most {EDITORS_LISTED} "
            "(those seen most recently)."
        ),
    )


class ChangesQuery(Strict):
    after: int = Field(ge=0, le=2_147_483_647)
    client_id: str | None = Field(None, max_length=64)
    timeout: float = Field(20.0, ge=0, le=25)


class ChangesOut(BaseModel):
    version: int
    changed: bool


class PreviewRequest(Strict):
    content: str


class PreviewOut(BaseModel):
    html: str
