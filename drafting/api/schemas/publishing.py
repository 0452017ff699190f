"""Versions, their PDFs and endorsements (API.md, *Versions, PDF, endorsements*)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from pydantic import Field

from drafting.api.schemas.common import PageInfo
from drafting.api.schemas.common import Strict
from drafting.publishing import fields


class VersionCreate(Strict):
    label: str = Field(min_length=1, max_length=fields.MAX_LABEL_CHARS)
    revision: int | None = Field(
        None, ge=1, le=2_147_483_647, description="The revision to freeze; the head by default."
    )
    final: bool = False
    note: str = Field("", max_length=fields.MAX_NOTE_CHARS)


class VersionUpdate(Strict):
    public: bool | None = None
    endorsements_open: bool | None = None


class VersionOut(BaseModel):
    id: int
    document_id: int
    label: str
    note: str
    revision: int
    final: bool
    sha256: str = Field(description="SHA-256 of the version's text (UTF-8).")
    pdf_sha256: str | None = Field(
        description="SHA-256 of its PDF; null until the PDF engine first rendered it."
    )
    pdf_url: str
    public: bool
    public_url: str | None = Field(description="The page anyone may read, while public.")
    endorsements_open: bool
    created_at: datetime


class VersionList(PageInfo):
    items: list[VersionOut]


class VersionPdfQuery(Strict):
    page_size: Literal["A4", "a4", "Letter", "letter"] = "A4"
    edition: Literal["frozen", "endorsed"] = "frozen"


class DraftPdfQuery(Strict):
    revision: int | None = Field(None, ge=1, le=2_147_483_647, description="The head by default.")
    page_size: Literal["A4", "a4", "Letter", "letter"] = "A4"


class EndorsementCreate(Strict):
    organization: str = Field(min_length=1, max_length=fields.MAX_ORGANIZATION_CHARS)
    country: str = Field("", max_length=fields.MAX_COUNTRY_CHARS)


class EndorsementOut(BaseModel):
    id: int
    version_id: int
    organization: str
    country: str
    text_sha256: str = Field(description="The SHA-256 of the text this endorsement endorses.")
    source: Literal["member", "public"]
    created_at: datetime


class EndorsementList(PageInfo):
    items: list[EndorsementOut]


class EndorsementUpdate(Strict):
    hidden: bool


# JSON
