"""Comments, suggestions and notifications (API.md, *Comments and suggestions*)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from typing import Literal

from pydantic import BaseModel
from pydantic import Field

from drafting.api.schemas.common import PageInfo
from drafting.api.schemas.common import PageQuery
from drafting.api.schemas.common import Strict
from drafting.ids import MAX_DATABASE_ID
from drafting.review.models import MAX_BODY_CHARS
from drafting.review.models import MAX_CONTEXT_CHARS
from drafting.review.models import MAX_QUOTE_CHARS


class AnchorIn(Strict):
    quote: str = Field(min_length=1, max_length=MAX_QUOTE_CHARS, description="The passage's words.")
    prefix: str = Field("", max_length=MAX_CONTEXT_CHARS, description="Words just before it.")
    suffix: str = Field("", max_length=MAX_CONTEXT_CHARS, description="Words just after it.")


class AnchorOut(BaseModel):
    quote: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = Field(description="Offset in the current text, in characters.")
    end: int | None
    orphaned: bool = Field(description="True once the passage was deleted.")
    utf16_start: int | None = Field(None, description="`start` in UTF-16 code units.")
    utf16_end: int | None = None


class Person(BaseModel):
    id: int | None
    name: str


class CommentCreate(Strict):
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS, description="Markdown.")
    anchor: AnchorIn | None = None
    parent_id: int | None = Field(
        None, ge=1, le=MAX_DATABASE_ID, description="Reply in this thread."
    )


class CommentEdit(Strict):
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS)


class ResolveIn(Strict):
    note: str = Field("", max_length=MAX_BODY_CHARS)


class ReplyOut(BaseModel):
    id: int
    parent_id: int | None
    body: str
    html: str = Field(description="The body rendered from Markdown, sanitized.")
    author: Person
    created_at: datetime
    edited_at: datetime | None
    deleted: bool


class CommentOut(ReplyOut):
    anchor: AnchorOut | None
    resolved: bool
    resolved_at: datetime | None
    resolved_by: Person | None
    replies: list[ReplyOut]


class CommentList(PageInfo):
    items: list[CommentOut]


class CommentQuery(PageQuery):
    status: Literal["open", "resolved"] | None = None
    author: int | None = Field(
        None, ge=1, le=MAX_DATABASE_ID, description="Threads started by this person."
    )
    mentioning: int | None = Field(
        None, ge=1, le=MAX_DATABASE_ID, description="Threads naming this person."
    )


SuggestionStatusLabel = Literal["open", "accepted", "rejected", "withdrawn"]


class SuggestionCreate(Strict):
    anchor: AnchorIn
    replacement: str = Field(max_length=MAX_BODY_CHARS, description="The proposed wording.")
    rationale: str = Field("", max_length=MAX_BODY_CHARS)


class SuggestionOut(BaseModel):
    id: int
    status: SuggestionStatusLabel
    anchor: AnchorOut | None = None
    replacement: str = ""
    rationale: str = ""
    author: Person | None = None
    outdated: bool = Field(False, description="Open, and the passage's words changed since.")
    current_text: str = Field("", description="The passage's words now.")
    decided_by: Person | None = None
    decided_at: datetime | None = None
    decision_note: str = ""
    revision: int | None = Field(None, description="The revision an acceptance produced.")
    created_at: datetime | None = None


class SuggestionList(PageInfo):
    items: list[SuggestionOut]


class SuggestionQuery(PageQuery):
    status: SuggestionStatusLabel | None = None
    author: int | None = Field(None, ge=1, le=MAX_DATABASE_ID)


class AcceptIn(Strict):
    note: str = Field("", max_length=MAX_BODY_CHARS)
    replacement: str | None = Field(
        None, max_length=MAX_BODY_CHARS, description="Accept with these words instead."
    )
    reviewed: bool = Field(
        False, description="The rapporteur saw the passage's current words: accept even if changed."
    )


class Accepted(BaseModel):
    status: Literal["accepted"]
    revision: int


class RejectIn(Strict):
    note: str = Field("", max_length=MAX_BODY_CHARS)


class NotificationQuery(PageQuery):
    unread: bool = False


class DocumentRef(BaseModel):
    id: int
    title: str


class NotificationOut(BaseModel):
    id: int
    kind: Literal["reply", "mention", "decision"]
    text: str
    document: DocumentRef
    comment_id: int | None
    suggestion_id: int | None
    actor: Person | None
    created_at: datetime
    read_at: datetime | None


class NotificationList(PageInfo):
    items: list[NotificationOut]
    unread: int


class MarkRead(Strict):
    ids: list[Annotated[int, Field(ge=1, le=MAX_DATABASE_ID)]] | None = Field(
        None, max_length=1000, description="These notifications; all when left out."
    )


class MarkedRead(BaseModel):
    marked: int
    unread: int
