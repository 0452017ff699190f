"""Review: comments on passages, proposed wording, the rapporteur's decisions.

Services take the acting user, raise domain errors and only flush; views commit.

Anchors follow their passages through every change of the text. Every change of
`Document.content` (live typing, saves, restores, accepted suggestions) goes through
`documents.live.change_live_text`, which records a LiveEdit with its forward delta; so a
span stored at live version v is mapped to the current text through the forward deltas
of versions v+1 … now, by position (drafting/text/anchors.py); creating a document sets
version 0 without a LiveEdit, and nothing changes the text without one. Listings map
every span of a document together, loading those deltas once, and store the caught-up
spans once they are STORE_BEHIND versions ahead, so later listings start from there (the
caller commits, as for any service). Should the chain back to a span be gone (pruned),
the passage is found again by its quote and context only if that occurs exactly once;
otherwise it is orphaned, never guessed.

Mentions: `@` followed by a member's email (`@amina@example.org`) or by a member's name
as the caucus shows it (`@Amina Diallo`, any case; the longest matching name wins), at
the start of the text or after a space or punctuation. Each mentioned member is notified.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Sequence
from dataclasses import astuple
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from drafting.accounts.models import User
from drafting.caucuses.access import membership_of
from drafting.caucuses.access import require
from drafting.caucuses.models import Membership
from drafting.caucuses.models import Role
from drafting.collab.models import LiveEdit
from drafting.documents import live
from drafting.documents import storage
from drafting.documents.models import Document
from drafting.documents.service import check_content
from drafting.documents.service import normalize_newlines
from drafting.errors import Conflict
from drafting.errors import Invalid
from drafting.errors import NotAllowed
from drafting.errors import NotFound
from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.locking import locked
from drafting.review import notifications
from drafting.review.models import MAX_BODY_CHARS
from drafting.review.models import MAX_CONTEXT_CHARS
from drafting.review.models import MAX_QUOTE_CHARS
from drafting.review.models import Anchored
from drafting.review.models import Comment
from drafting.review.models import CommentMention
from drafting.review.models import NotificationKind
from drafting.review.models import Suggestion
from drafting.review.models import SuggestionStatus
from drafting.spreadsheets import spreadsheet_safe
from drafting.text.anchors import Anchor
from drafting.text.anchors import Span
from drafting.text.anchors import Utf16Index
from drafting.text.anchors import follow_spans
from drafting.text.anchors import locate
from drafting.text.anchors import occurrences
from drafting.text.markdown import render

# ---------------------------------------------------------------- anchors

# Caught-up spans are written back once they are this many live versions ahead of the
# stored ones (catching up through fewer costs less than the write).
STORE_BEHIND = 32


@dataclass(frozen=True)
class ResolvedAnchor:
    """A passage as it stands in the current text: character offsets (Python and API),
    UTF-16 offsets (the browser editor's unit), and the words there now."""

    quote: str
    prefix: str
    suffix: str
    start: int | None
    end: int | None
    orphaned: bool
    utf16_start: int | None = None
    utf16_end: int | None = None
    current_text: str = ""

    def as_json(self) -> dict:
        """The anchor as the API shows it."""
        return {
            "quote": self.quote,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "start": self.start,
            "end": self.end,
            "orphaned": self.orphaned,
            "utf16_start": self.utf16_start,
            "utf16_end": self.utf16_end,
        }


def checked_anchor(anchor: Anchor) -> Anchor:
    """An anchor's sizes are bounded: the quote by 2,000 characters, its context by 200.

    Line ends are made LF like the documents' (browsers send CRLF from text areas).
    """
    anchor = Anchor(*(normalize_newlines(part) for part in astuple(anchor)))
    if not anchor.quote:
        raise Invalid(_("Quote the passage you mean."), fields={"anchor.quote": "required"})
    if len(anchor.quote) > MAX_QUOTE_CHARS:
        raise Invalid(
            _("Quote at most %(n)d characters of the passage.", n=MAX_QUOTE_CHARS),
            fields={"anchor.quote": "too_long"},
        )
    for name, value in (("prefix", anchor.prefix), ("suffix", anchor.suffix)):
        if len(value) > MAX_CONTEXT_CHARS:
            raise Invalid(
                _("Keep the text around the quote under %(n)d characters.", n=MAX_CONTEXT_CHARS),
                fields={f"anchor.{name}": "too_long"},
            )
    return anchor


def place_anchor(item: Anchored, document: Document, anchor: Anchor) -> None:
    """Find the quoted passage in the current text and pin the item to it (or Invalid)."""
    anchor = checked_anchor(anchor)
    found = occurrences(document.content, anchor, limit=2)  # one, or ambiguous
    if not found:
        raise Invalid(
            _("This passage is not in the text (it may have just changed)."),
            fields={"anchor": "not_found"},
        )
    if len(found) > 1:
        raise Invalid(
            _("These words occur more than once: quote a few words before or after them."),
            fields={"anchor": "ambiguous"},
        )
    span = Utf16Index(document.content).span_to_utf16(found[0])
    item.anchor_quote, item.anchor_prefix, item.anchor_suffix = (
        anchor.quote,
        anchor.prefix,
        anchor.suffix,
    )
    item.anchor_start, item.anchor_end = span
    item.anchor_version = document.live_version
    item.orphaned = False


def catch_up(document: Document, items: Sequence[Anchored]) -> None:
    """Bring every item's span to the document's current live version, in one pass.

    The forward deltas since the oldest span are loaded once, and `follow_spans` walks
    them: each delta moves all the spans it reaches (SpanMapper leaves or shifts the others
    without walking it). A passage whose every character was deleted is orphaned for good.
    """
    behind = sorted(
        (
            item
            for item in items
            if item.anchor_quote is not None
            and not item.orphaned
            and item.anchor_version != document.live_version
        ),
        key=lambda item: item.anchor_version,
    )
    if not behind:
        return
    rows = db.session.execute(
        sa.select(LiveEdit.version, LiveEdit.forward)
        .where(LiveEdit.document_id == document.id, LiveEdit.version > behind[0].anchor_version)
        .order_by(LiveEdit.version)
    ).all()
    chain_start = complete_chain_start(rows, document.live_version)
    spans: dict[int, Span | None] = {}
    followed: list[Anchored] = []
    for item in behind:
        if chain_start <= item.anchor_version <= document.live_version:
            followed.append(item)
        else:
            spans[id(item)] = relocated(document, item)  # the chain back to it is gone
    mapped = follow_spans(
        [(item.anchor_version, Span(item.anchor_start, item.anchor_end)) for item in followed],
        [(version, forward) for version, forward in rows if version > chain_start],
    )
    for item, span in zip(followed, mapped, strict=True):
        spans[id(item)] = span
    store_spans(behind, spans, document.live_version)


def complete_chain_start(rows: Sequence, live_version: int) -> int:
    """The oldest version from which every later live edit is at hand (gaps if pruned)."""
    start = live_version
    for version, _forward in reversed(rows):
        if version != start:
            break
        start -= 1
    return start


def relocated(document: Document, item: Anchored) -> Span | None:
    """Re-find a passage by its quote when positions can't be followed: only if unique."""
    found = locate(document.content, item.anchor)
    return Utf16Index(document.content).span_to_utf16(found) if found else None


def store_spans(items: Sequence[Anchored], spans: dict[int, Span | None], version: int) -> None:
    """Keep where each passage is at `version` (or that it is gone) for the next reading.

    Only items at least STORE_BEHIND versions behind (or newly orphaned) are written: a
    listing while people type then maps a few recent deltas in memory instead of rewriting
    hundreds of rows each time. One executemany UPDATE per table; the loaded objects take
    the same values as committed ones (flushing 500 objects one by one cost 40 ms).
    """
    rows: dict[type, list[dict]] = {}
    for item in items:
        span = spans[id(item)]
        values = {
            "anchor_start": span.start if span else None,
            "anchor_end": span.end if span else None,
            "anchor_version": version,
            "orphaned": span is None,
        }
        due = span is None or version - item.anchor_version >= STORE_BEHIND
        for name, value in values.items():
            set_committed_value(item, name, value)
        if due:
            rows.setdefault(type(item), []).append({"item_id": item.id, **values})
    for model, changes in rows.items():
        table = model.__table__
        db.session.execute(
            table.update()
            .where(table.c.id == sa.bindparam("item_id"))
            .values({name: sa.bindparam(name) for name in changes[0] if name != "item_id"}),
            changes,
        )


@functools.lru_cache(maxsize=4096)
def body_html(body: str) -> str:
    """A comment's Markdown, rendered and sanitized (cached: a listing renders hundreds)."""
    return render(body).html if body else ""


def resolve_anchors(
    document: Document, items: Sequence[Anchored]
) -> dict[int, ResolvedAnchor | None]:
    """Each item's passage in the current text, by the item's id (None when unanchored)."""
    catch_up(document, items)
    index = Utf16Index(document.content)
    return {item.id: resolved_anchor(document.content, index, item) for item in items}


def resolved_anchor(text: str, index: Utf16Index, item: Anchored) -> ResolvedAnchor | None:
    """One caught-up item's passage, in characters and UTF-16 units."""
    if item.anchor_quote is None:
        return None
    base = {"quote": item.anchor_quote, "prefix": item.anchor_prefix, "suffix": item.anchor_suffix}
    if item.orphaned or item.anchor_start is None:
        return ResolvedAnchor(**base, start=None, end=None, orphaned=True)
    start, end = index.span_to_chars(Span(item.anchor_start, item.anchor_end))
    return ResolvedAnchor(
        **base,
        start=start,
        end=end,
        orphaned=False,
        utf16_start=item.anchor_start,
        utf16_end=item.anchor_end,
        current_text=text[start:end],
    )


# ---------------------------------------------------------------- comments


@dataclass
class Thread:
    """A comment thread: its first comment, replies oldest first, and its passage now."""

    root: Comment
    replies: list[Comment]
    anchor: ResolvedAnchor | None

    @property
    def resolved(self) -> bool:
        """Resolved threads are hidden from the margin by default."""
        return self.root.resolved

    @property
    def comments(self) -> list[Comment]:
        """The root and its replies, in order."""
        return [self.root, *self.replies]


def checked_body(body: str, field_name: str = "body", *, required: bool = True) -> str:
    """A comment body: Markdown, at most 10,000 characters, not blank."""
    body = (body or "").replace("\r\n", "\n").strip()
    if required and not body:
        raise Invalid(_("Write something first."), fields={field_name: "required"})
    if len(body) > MAX_BODY_CHARS:
        raise Invalid(
            _("Keep it under %(n)d characters.", n=MAX_BODY_CHARS),
            fields={field_name: "too_long"},
        )
    return body


def ensure_writable(document: Document) -> None:
    """An archived document is read-only: its comments and suggestions too (409)."""
    if document.archived:
        raise Conflict(_("This document is archived. Restore it to comment or suggest."))


def role_of(user: User, document: Document) -> Role | None:
    """The person's role in the document's caucus (None for a non-member)."""
    membership = membership_of(user, document.caucus_id)
    return membership.role if membership else None


def add_comment(
    document: Document,
    author: User,
    body: str,
    anchor: Anchor | None = None,
    parent: Comment | None = None,
) -> Comment:
    """Comment on a passage (or the whole document), or reply in a thread."""
    require(author, document, Role.COMMENTER)
    ensure_writable(document)
    comment = Comment(document=document, author=author, body=checked_body(body))
    if parent is not None:
        if parent.document_id != document.id:
            raise NotFound(_("There is no such comment on this document."))
        if anchor is not None:
            raise Invalid(_("A reply belongs to its thread's passage."), fields={"anchor": "reply"})
        comment.parent = parent.parent or parent  # one level: replies join the thread
    elif anchor is not None:
        place_anchor(comment, document, anchor)
    db.session.add(comment)
    db.session.flush()
    mentioned = record_mentions(comment, document)
    notify_thread(comment, document, author, skip=mentioned)
    return comment


def record_mentions(comment: Comment, document: Document) -> set[int]:
    """Store and notify the members a comment mentions; their ids."""
    mentioned = {user.id for user in mentions_in(comment.body, document)} - {comment.author_id}
    known = set(
        db.session.scalars(
            sa.select(CommentMention.user_id).where(CommentMention.comment_id == comment.id)
        )
    )
    for user_id in mentioned - known:
        db.session.add(CommentMention(comment_id=comment.id, user_id=user_id))
    if known - mentioned:
        # An edit took the name out: "mentioning me" must stop listing the thread.
        db.session.execute(
            sa.delete(CommentMention).where(
                CommentMention.comment_id == comment.id,
                CommentMention.user_id.in_(known - mentioned),
            )
        )
    notifications.notify(
        mentioned - known,
        NotificationKind.MENTION,
        document=document,
        actor=comment.author,
        comment=comment,
    )
    return mentioned


def notify_thread(comment: Comment, document: Document, actor: User, skip: set[int]) -> None:
    """Tell the thread's other participants about a reply."""
    if comment.parent_id is None:
        return
    participants = set(
        db.session.scalars(
            sa.select(Comment.author_id).where(
                sa.or_(Comment.id == comment.parent_id, Comment.parent_id == comment.parent_id),
                Comment.author_id.is_not(None),
            )
        )
    )
    notifications.notify(
        participants - skip - {actor.id},
        NotificationKind.REPLY,
        document=document,
        actor=actor,
        comment=comment,
    )


def mentions_in(body: str, document: Document) -> list[User]:
    """The caucus members a text mentions with @name or @email (see the module's docstring)."""
    if "@" not in body:
        return []
    members = list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.caucus_id == document.caucus_id)
        )
    )
    handles = sorted(
        ((handle.casefold(), user) for user in members for handle in (user.email, user.name)),
        key=lambda pair: -len(pair[0]),
    )
    found: dict[int, User] = {}
    folded = body.casefold()
    position = folded.find("@")
    while position != -1:
        if position == 0 or not (folded[position - 1].isalnum() or folded[position - 1] in "@._-"):
            user = mentioned_at(folded, position + 1, handles)
            if user is not None:
                found[user.id] = user
        position = folded.find("@", position + 1)
    return list(found.values())


def mentioned_at(folded: str, position: int, handles: list[tuple[str, User]]) -> User | None:
    """The member whose longest handle starts at `position` and ends at a word boundary."""
    for handle, user in handles:
        if handle and folded.startswith(handle, position):
            after = position + len(handle)
            if after == len(folded) or not (folded[after].isalnum() or folded[after] in "@_-"):
                return user
    return None


def get_comment(comment_id: int, document: Document | None = None) -> Comment:
    """A comment by id (of `document` if given), or NotFound."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or (document is not None and comment.document_id != document.id):
        raise NotFound(_("There is no such comment."))
    return comment


def edit_comment(comment: Comment, user: User, body: str) -> Comment:
    """Change one's own comment's words."""
    if comment.author_id != user.id:
        raise NotAllowed(_("Only its author can change a comment."))
    ensure_writable(comment.document)
    if comment.deleted:
        raise Conflict(_("This comment was deleted."))
    comment.body = checked_body(body)
    comment.edited_at = utcnow()
    db.session.flush()
    record_mentions(comment, comment.document)
    return comment


def delete_comment(comment: Comment, user: User) -> Comment:
    """Delete one's own comment: its words go, its place in the thread (and replies) stay."""
    if comment.author_id != user.id:
        raise NotAllowed(_("Only its author can delete a comment."))
    ensure_writable(comment.document)
    if not comment.deleted:
        comment.body = ""
        comment.deleted_at = utcnow()
        db.session.execute(sa.delete(CommentMention).where(CommentMention.comment_id == comment.id))
    db.session.flush()
    return comment


def thread_root(comment: Comment) -> Comment:
    """The first comment of the comment's thread."""
    return comment.parent or comment


def may_resolve(comment: Comment, user: User) -> None:
    """The thread's author may resolve it (even as a commenter); editors and up any thread."""
    role = role_of(user, comment.document)
    if role is None:
        raise NotFound(_("There is no such comment."))
    if comment.author_id != user.id and role < Role.EDITOR:
        raise NotAllowed(_("Only the thread's author or an editor can resolve it."))
    ensure_writable(comment.document)


def resolve_thread(comment: Comment, user: User, note: str = "") -> Comment:
    """Mark a thread resolved (from any of its comments); returns its first comment."""
    root = thread_root(comment)
    may_resolve(root, user)
    if root.resolved_at is None:
        root.resolved_at = utcnow()
        root.resolved_by = user
    root.resolution_note = checked_body(note, "note", required=False)
    db.session.flush()
    return root


def reopen_thread(comment: Comment, user: User) -> Comment:
    """Reopen a resolved thread; returns its first comment."""
    root = thread_root(comment)
    may_resolve(root, user)
    root.resolved_at = None
    root.resolved_by = None
    db.session.flush()
    return root


def threads_of(
    document: Document,
    *,
    status: str | None = None,
    author: User | int | None = None,
    mentioning: User | int | None = None,
) -> list[Thread]:
    """The document's threads, oldest first, with their passages resolved against the text.

    `status` is "open" or "resolved"; `author` keeps threads started by that person,
    `mentioning` threads where that person is mentioned. Call commit afterwards: the
    caught-up spans are stored for the next reading.
    """
    query = (
        sa.select(Comment)
        .options(selectinload(Comment.author), selectinload(Comment.resolved_by))
        .where(Comment.document_id == document.id, Comment.parent_id.is_(None))
        .order_by(Comment.id)
    )
    if status == "open":
        query = query.where(Comment.resolved_at.is_(None))
    elif status == "resolved":
        query = query.where(Comment.resolved_at.is_not(None))
    if author is not None:
        query = query.where(Comment.author_id == user_id_of(author))
    if mentioning is not None:
        query = query.where(Comment.id.in_(threads_mentioning(document, user_id_of(mentioning))))
    roots = list(db.session.scalars(query))
    replies = replies_of(document, [root.id for root in roots])
    anchors = resolve_anchors(document, roots)
    return [Thread(root, replies.get(root.id, []), anchors[root.id]) for root in roots]


def user_id_of(user: User | int) -> int:
    """A person's id, from a person or an id."""
    return user if isinstance(user, int) else user.id


def threads_mentioning(document: Document, user_id: int) -> sa.Select:
    """The ids of the threads where a person is mentioned (in any comment)."""
    thread_id = sa.func.coalesce(Comment.parent_id, Comment.id)
    return (
        sa.select(thread_id)
        .join(CommentMention, CommentMention.comment_id == Comment.id)
        .where(Comment.document_id == document.id, CommentMention.user_id == user_id)
    )


def replies_of(document: Document, root_ids: list[int]) -> dict[int, list[Comment]]:
    """The replies of many threads in one query, by thread."""
    if not root_ids:
        return {}
    rows = db.session.scalars(
        sa.select(Comment)
        .options(selectinload(Comment.author))
        .where(Comment.document_id == document.id, Comment.parent_id.is_not(None))
        .order_by(Comment.id)
    )
    wanted = set(root_ids)
    replies: dict[int, list[Comment]] = {}
    for reply in rows:
        if reply.parent_id in wanted:
            replies.setdefault(reply.parent_id, []).append(reply)
    return replies


def thread_of(comment: Comment) -> Thread:
    """One comment's whole thread, its passage resolved."""
    root = thread_root(comment)
    replies = replies_of(root.document, [root.id]).get(root.id, [])
    return Thread(root, replies, resolve_anchors(root.document, [root])[root.id])


# ---------------------------------------------------------------- suggestions


@dataclass
class SuggestionView:
    """A suggestion with its passage now; `outdated` when those words changed since."""

    suggestion: Suggestion
    anchor: ResolvedAnchor | None
    outdated: bool

    @property
    def current_text(self) -> str:
        """The passage's words now (empty once it is gone)."""
        return self.anchor.current_text if self.anchor else ""


def propose(
    document: Document, author: User, anchor: Anchor, replacement: str, rationale: str = ""
) -> Suggestion:
    """Propose new wording for a passage."""
    require(author, document, Role.COMMENTER)
    ensure_writable(document)
    replacement = (replacement or "").replace("\r\n", "\n")
    if len(replacement) > MAX_BODY_CHARS:
        raise Invalid(
            _("Keep the wording under %(n)d characters.", n=MAX_BODY_CHARS),
            fields={"replacement": "too_long"},
        )
    if replacement == anchor.quote:
        raise Invalid(
            _("The wording is the same as the passage."), fields={"replacement": "unchanged"}
        )
    suggestion = Suggestion(
        document=document,
        author=author,
        replacement=replacement,
        rationale=checked_body(rationale, "rationale", required=False),
    )
    place_anchor(suggestion, document, anchor)
    db.session.add(suggestion)
    db.session.flush()
    return suggestion


def get_suggestion(suggestion_id: int, document: Document | None = None) -> Suggestion:
    """A suggestion by id (of `document` if given), or NotFound."""
    suggestion = db.session.get(Suggestion, suggestion_id)
    if suggestion is None or (document is not None and suggestion.document_id != document.id):
        raise NotFound(_("There is no such suggestion."))
    return suggestion


def suggestions_of(
    document: Document, status: str | None = None, author: User | int | None = None
) -> list[SuggestionView]:
    """The document's suggestions, oldest first, each with its passage now."""
    query = (
        sa.select(Suggestion)
        .options(selectinload(Suggestion.author), selectinload(Suggestion.decided_by))
        .where(Suggestion.document_id == document.id)
        .order_by(Suggestion.id)
    )
    if status is not None:
        query = query.where(Suggestion.status == status)
    if author is not None:
        query = query.where(Suggestion.author_id == user_id_of(author))
    suggestions = list(db.session.scalars(query))
    anchors = resolve_anchors(document, suggestions)
    return [view_of(suggestion, anchors[suggestion.id]) for suggestion in suggestions]


def view_of(suggestion: Suggestion, anchor: ResolvedAnchor | None) -> SuggestionView:
    """A suggestion and whether its passage still reads as quoted (open ones only)."""
    is_open = suggestion.status == SuggestionStatus.OPEN
    outdated = is_open and (
        anchor is None or anchor.orphaned or anchor.current_text != suggestion.anchor_quote
    )
    return SuggestionView(suggestion, anchor, outdated)


def suggestion_view(suggestion: Suggestion) -> SuggestionView:
    """One suggestion with its passage now."""
    anchors = resolve_anchors(suggestion.document, [suggestion])
    return view_of(suggestion, anchors[suggestion.id])


STATUS_LABELS = {
    "open": _l("open"),
    "accepted": _l("accepted"),
    "rejected": _l("rejected"),
    "withdrawn": _l("withdrawn"),
}


def ensure_open(suggestion: Suggestion) -> None:
    """Only open suggestions can be decided or withdrawn."""
    if suggestion.status != SuggestionStatus.OPEN:
        raise Conflict(
            _("This suggestion was already %(status)s.", status=STATUS_LABELS[suggestion.status]),
            current_status=suggestion.status,
        )


def withdraw(suggestion: Suggestion, user: User) -> Suggestion:
    """The proposer takes back an open suggestion."""
    if suggestion.author_id != user.id:
        raise NotAllowed(_("Only the person who proposed it can withdraw a suggestion."))
    ensure_writable(lock_for_decision(suggestion))
    suggestion.status = SuggestionStatus.WITHDRAWN.value
    suggestion.decided_at = utcnow()
    db.session.flush()
    return suggestion


def accept(
    suggestion: Suggestion,
    rapporteur: User,
    *,
    note: str = "",
    replacement: str | None = None,
    reviewed: bool = False,
) -> int:
    """Put the proposed wording (or the rapporteur's edit of it) into the text.

    The change goes through the live text like a save: pending live edits become their
    own revision first, then a revision authored by the proposer (accepted by the
    rapporteur, recorded on the suggestion) replaces the passage, and a LiveEdit carries
    it to open editors at their next sync, where it merges by position with what they
    typed meanwhile. A passage that is gone is a Conflict; one whose words changed since
    the proposal is a Conflict unless `reviewed` (the rapporteur saw the current words).
    Returns the new revision's number.
    """
    require(rapporteur, suggestion.document, Role.RAPPORTEUR)
    wording = suggestion.replacement if replacement is None else replacement
    if len(wording) > MAX_BODY_CHARS:
        raise Invalid(
            _("Keep the wording under %(n)d characters.", n=MAX_BODY_CHARS),
            fields={"replacement": "too_long"},
        )
    note = checked_body(note, "note", required=False)
    document = lock_for_decision(suggestion)
    if document.archived:
        raise Conflict(_("This document is archived. Restore it to edit."))
    live.flush_live_edits(document, force=True)  # the head revision is now the live text
    current = suggestion_view(suggestion)
    passage = passage_to_replace(current, reviewed=reviewed)
    new_text = document.content[: passage.start] + wording + document.content[passage.end :]
    check_content(new_text)
    if new_text == document.content:  # the words are already there: nothing to change
        decide(suggestion, rapporteur, SuggestionStatus.ACCEPTED, note)
        suggestion.accepted_text = wording
        suggestion.revision_number = document.head_revision
        db.session.flush()
        return document.head_revision
    revision = storage.store_revision(
        document,
        old_text=document.content,
        new_text=new_text,
        author_id=suggestion.author_id,
        summary=accepted_summary(suggestion, rapporteur),
    )
    live.change_live_text(document, new_text, suggestion.author, revision=revision.number)
    decide(suggestion, rapporteur, SuggestionStatus.ACCEPTED, note)
    suggestion.accepted_text = wording
    suggestion.revision_number = revision.number
    db.session.flush()
    return revision.number


def lock_for_decision(suggestion: Suggestion) -> Document:
    """Take the document's lock, then check the suggestion is still open as committed: two
    rapporteurs deciding at once queue on the lock, and the second one sees the first's
    decision instead of applying the wording twice."""
    document = locked(suggestion.document)
    db.session.refresh(suggestion)
    ensure_open(suggestion)
    return document


def passage_to_replace(current: SuggestionView, *, reviewed: bool) -> Span:
    """The span an acceptance replaces, or Conflict when the passage is gone or changed."""
    anchor = current.anchor
    if anchor is None or anchor.orphaned:
        raise Conflict(
            _("The passage this suggestion replaces is no longer in the text."),
            reason="orphaned",
        )
    if current.outdated and not reviewed:
        raise Conflict(
            _("The passage changed since this was proposed. Review its current words first."),
            reason="outdated",
            current=anchor.current_text,
        )
    return Span(anchor.start, anchor.end)


def accepted_summary(suggestion: Suggestion, rapporteur: User) -> str:
    """The summary of the revision an acceptance makes (at most 500 characters)."""
    proposer = suggestion.author.name if suggestion.author else _("a former member")
    summary = _(
        "Suggestion %(id)d by %(proposer)s, accepted by %(rapporteur)s",
        id=suggestion.id,
        proposer=proposer,
        rapporteur=rapporteur.name,
    )
    return summary[:500]


def reject(suggestion: Suggestion, rapporteur: User, note: str = "") -> Suggestion:
    """Decline a suggestion, saying why; the text is untouched."""
    require(rapporteur, suggestion.document, Role.RAPPORTEUR)
    note = checked_body(note, "note", required=False)
    ensure_writable(lock_for_decision(suggestion))
    decide(suggestion, rapporteur, SuggestionStatus.REJECTED, note)
    db.session.flush()
    return suggestion


def decide(suggestion: Suggestion, rapporteur: User, status: SuggestionStatus, note: str) -> None:
    """Record a decision and tell the proposer."""
    suggestion.status = status.value
    suggestion.decided_by = rapporteur
    suggestion.decided_at = utcnow()
    suggestion.decision_note = note
    if suggestion.author_id is not None:
        notifications.notify(
            {suggestion.author_id},
            NotificationKind.DECISION,
            document=suggestion.document,
            actor=rapporteur,
            suggestion=suggestion,
        )


# ---------------------------------------------------------------- the decision table


@dataclass
class DecisionRow:
    """One line of the decision table: what was proposed or said, by whom, and the outcome."""

    kind: str  # "suggestion" or "comment"
    id: int
    passage: str
    proposer_id: int | None
    proposer_name: str
    organization: str
    proposal: str  # the wording proposed (suggestions) or the comment's words
    rationale: str
    decision: str  # open, accepted, rejected, withdrawn; open or resolved for comments
    reason: str
    revision: int | None
    decided_by: str
    created_at: datetime
    decided_at: datetime | None
    extra: dict = field(default_factory=dict)


def decision_rows(
    document: Document, status: str | None = None, person: User | int | None = None
) -> list[DecisionRow]:
    """Every suggestion and comment thread with its outcome, oldest first (by date).

    `status` filters by decision (open, accepted, rejected, withdrawn, resolved); `person`
    by proposer.
    """
    organizations = organizations_of(document)
    rows = [suggestion_row(view, organizations) for view in suggestions_of(document, author=person)]
    rows += [thread_row(thread, organizations) for thread in threads_of(document, author=person)]
    if status is not None:
        rows = [row for row in rows if row.decision == status]
    return sorted(rows, key=lambda row: (row.created_at, row.kind, row.id))


def organizations_of(document: Document) -> dict[int, str]:
    """The organization each member of the document's caucus speaks for."""
    rows = db.session.execute(
        sa.select(Membership.user_id, Membership.organization).where(
            Membership.caucus_id == document.caucus_id
        )
    )
    return {user_id: organization for user_id, organization in rows}


def suggestion_row(view: SuggestionView, organizations: dict[int, str]) -> DecisionRow:
    """A suggestion as a decision-table line."""
    suggestion = view.suggestion
    return DecisionRow(
        kind="suggestion",
        id=suggestion.id,
        passage=suggestion.anchor_quote or "",
        proposer_id=suggestion.author_id,
        proposer_name=suggestion.author.name if suggestion.author else "",
        organization=organizations.get(suggestion.author_id, ""),
        proposal=suggestion.accepted_text or suggestion.replacement,
        rationale=suggestion.rationale,
        decision=suggestion.status,
        reason=suggestion.decision_note,
        revision=suggestion.revision_number,
        decided_by=suggestion.decided_by.name if suggestion.decided_by else "",
        created_at=suggestion.created_at,
        decided_at=suggestion.decided_at,
        extra={"outdated": view.outdated},
    )


def thread_row(thread: Thread, organizations: dict[int, str]) -> DecisionRow:
    """A comment thread as a decision-table line."""
    root = thread.root
    return DecisionRow(
        kind="comment",
        id=root.id,
        passage=root.anchor_quote or "",
        proposer_id=root.author_id,
        proposer_name=root.author.name if root.author else "",
        organization=organizations.get(root.author_id, ""),
        proposal=root.body,
        rationale="",
        decision="resolved" if root.resolved else "open",
        reason=root.resolution_note,
        revision=None,
        decided_by=root.resolved_by.name if root.resolved_by else "",
        created_at=root.created_at,
        decided_at=root.resolved_at,
        extra={"replies": len(thread.replies)},
    )


CSV_COLUMNS = [
    ("kind", _l("Kind")),
    ("id", _l("Id")),
    ("passage", _l("Passage")),
    ("proposer_name", _l("Proposed by")),
    ("organization", _l("Organization")),
    ("proposal", _l("Proposal")),
    ("rationale", _l("Rationale")),
    ("decision", _l("Decision")),
    ("reason", _l("Reason")),
    ("revision", _l("Revision")),
    ("decided_by", _l("Decided by")),
    ("created_at", _l("Proposed on")),
    ("decided_at", _l("Decided on")),
]


def csv_cell(value) -> str:
    """A value as a CSV cell that no spreadsheet will evaluate."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return spreadsheet_safe(str(value))


def csv_of(rows: Sequence[DecisionRow]) -> str:
    """The decision table as CSV (header in the reader's language, UTF-8, CRLF lines)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(label) for _name, label in CSV_COLUMNS])
    for row in rows:
        writer.writerow([csv_cell(getattr(row, name)) for name, _label in CSV_COLUMNS])
    return out.getvalue()
