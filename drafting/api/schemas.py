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
