"""Tokens and the person asking."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic import Field

from drafting.api.schemas.common import Strict


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
