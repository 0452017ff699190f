"""Documents, their revisions, compare and authorship."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from drafting.api.schemas.caucuses import LanguageCode
from drafting.api.schemas.common import ErrorBody
from drafting.api.schemas.common import PageInfo
from drafting.api.schemas.common import PageQuery
from drafting.api.schemas.common import Strict


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
