"""The frame every endpoint shares: strict inputs, the error body, paging."""

from __future__ import annotations

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
