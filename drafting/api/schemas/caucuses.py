"""Caucuses, members and invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from pydantic import Field

from drafting.api.schemas.common import PageInfo
from drafting.api.schemas.common import RoleLabel
from drafting.api.schemas.common import Strict


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
