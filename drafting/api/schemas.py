"""Request and response schemas of /api/v1, declared once: they validate and they document."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

RoleLabel = Literal["owner", "rapporteur", "editor", "commenter", "viewer"]


class Strict(BaseModel):
    """Unknown fields are refused, so a typo is an error rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str] | None = None


class ErrorBody(BaseModel):
    """Every error: {"error": {"code", "message", "fields"?}}."""

    error: ErrorDetail


class PageQuery(Strict):
    """?limit=&offset= on every list."""

    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2_000_000_000)


class PageInfo(BaseModel):
    total: int
    limit: int
    offset: int
    next: str | None = Field(description="The URL of the next page, or null on the last page.")


class TokenRequest(Strict):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)
    name: str | None = Field(None, max_length=80, description="A label for the token.")


class TokenCreated(BaseModel):
    token: str
    id: int
    name: str


class Me(BaseModel):
    id: int
    email: str
    name: str


class CaucusCreate(Strict):
    name: str = Field(min_length=1, max_length=120)
    slug: str | None = Field(None, min_length=1, max_length=80, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")


class CaucusOut(BaseModel):
    id: int
    slug: str
    name: str
    role: RoleLabel | None = Field(None, description="Your role in the caucus.")


class CaucusList(PageInfo):
    items: list[CaucusOut]


class MemberInvite(Strict):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    role: RoleLabel = "editor"


class MemberOut(BaseModel):
    user_id: int
    name: str
    email: str
    role: RoleLabel
    organization: str
    joined_at: datetime


class MemberList(PageInfo):
    items: list[MemberOut]


class RoleChange(Strict):
    role: RoleLabel


class InvitationOut(BaseModel):
    id: int
    email: str
    role: RoleLabel
    expires_at: datetime
    invitation_url: str | None = Field(
        None, description="Shown once, when the invitation is created."
    )


class InvitationList(BaseModel):
    items: list[InvitationOut]


LanguageCode = Literal["en", "es", "fr", "ar", "pt", "ru", "zh"]


class DocumentCreate(Strict):
    title: str = Field(min_length=1, max_length=200)
    content: str = Field("", description="Markdown: CommonMark with tables and footnotes.")
    language: LanguageCode = "en"


class DocumentOut(BaseModel):
    id: int
    caucus_id: int
    title: str
    language: str
    revision: int = Field(description="The newest revision.")
    content: str = Field(description="The text as it stands now, live edits included.")
    updated_at: datetime
    archived: bool
    numbered_paragraphs: bool


class DocumentSummary(BaseModel):
    id: int
    title: str
    language: str
    revision: int
    updated_at: datetime
    archived: bool


class DocumentList(PageInfo):
    items: list[DocumentSummary]


class DocumentListQuery(PageQuery):
    archived: bool = False


class DocumentUpdate(Strict):
    title: str | None = Field(None, min_length=1, max_length=200)
    language: LanguageCode | None = None
    numbered_paragraphs: bool | None = None
    archived: bool | None = None


class ContentSave(Strict):
    base_revision: int = Field(ge=1, le=2_147_483_647)
    content: str
    summary: str = Field("", max_length=500)


class ContentSaved(BaseModel):
    revision: int
    content: str
    merged: bool


class SaveConflict(BaseModel):
    start: int
    end: int
    yours: str
    theirs: str


class SaveConflictBody(ErrorBody):
    head_revision: int
    conflicts: list[SaveConflict]


class Author(BaseModel):
    id: int | None
    name: str


class RevisionOut(BaseModel):
    number: int
    author: Author
    created_at: datetime
    summary: str
    added: int
    removed: int
    merged: bool
    restored_from: int | None


class RevisionList(BaseModel):
    items: list[RevisionOut]
    next: str | None = Field(description="The URL of the next (older) page, or null.")


class RevisionQuery(Strict):
    limit: int = Field(50, ge=1, le=200)
    before: int | None = Field(None, ge=1, le=2_147_483_647, description="Revisions below this.")
    author: int | None = Field(None, ge=1, le=2_147_483_647)
    since: datetime | None = None
    until: datetime | None = None


class RevisionContent(BaseModel):
    number: int
    content: str
    sha256: str
    author: Author
    created_at: datetime
    summary: str


class DiffQuery(Strict):
    from_: int = Field(alias="from", ge=1, le=2_147_483_647)
    to: int = Field(ge=1, le=2_147_483_647)


class DiffOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: int = Field(alias="from")
    to: int
    diffs: list[tuple[Literal[-1, 0, 1], str]]


class Restored(BaseModel):
    revision: int
    content: str
    restored_from: int


class AuthorCount(BaseModel):
    id: int | None
    name: str
    characters: int


class AuthorshipRun(BaseModel):
    start: int = Field(description="Offset in the text, in characters (code points).")
    end: int
    author_id: int | None
    revision: int


class AuthorshipOut(BaseModel):
    revision: int
    authors: list[AuthorCount]
    runs: list[AuthorshipRun]


class AuthorshipQuery(Strict):
    revision: int | None = Field(None, ge=1, le=2_147_483_647)


class SessionUser(BaseModel):
    id: int
    name: str
    colour: int


class SessionOpened(BaseModel):
    client_id: str
    text: str
    n: int
    m: int
    version: int = Field(description="The document's live version; long-poll /changes after it.")
    can_edit: bool
    user: SessionUser


class SyncEdit(Strict):
    n: int = Field(ge=0, le=2_147_483_647)
    delta: str


class Cursor(Strict):
    anchor: int = Field(ge=0, le=2_147_483_647)
    head: int = Field(ge=0, le=2_147_483_647)


class SyncRequest(Strict):
    client_id: str = Field(min_length=1, max_length=64)
    m: int = Field(ge=0, le=2_147_483_647)
    edits: list[SyncEdit] = Field(default_factory=list, max_length=10_000)
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
            "The tabs seen in the last 30 s. Omitted when the request's `presence` equals "
            "this answer's: the list the client holds is still the list."
        ),
    )
    presence: str = Field(
        description=(
            "A tag of the editors list (who is here, their names, colours and cursors; not "
            "`last_seen`): it changes when the list does."
        )
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
