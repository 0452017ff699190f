"""Documents: create, save (merging stale saves), restore, history, compare, authorship.

Services take the acting user, raise domain errors, and only flush; the request's
transaction commits (drafting/transactions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import load_only

from drafting.accounts.models import User
from drafting.caucuses.models import Caucus
from drafting.documents import live
from drafting.documents import storage
from drafting.documents.changes import begin_change
from drafting.documents.changes import refuse_archived
from drafting.documents.models import AuthorshipCache
from drafting.documents.models import Document
from drafting.documents.models import KeptText
from drafting.documents.models import Revision
from drafting.errors import Conflict
from drafting.errors import Invalid
from drafting.errors import NotFound
from drafting.errors import TooLarge
from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.ids import MAX_DATABASE_ID
from drafting.text import merge as merging
from drafting.text.authorship import Authorship
from drafting.text.diffs import Diffs
from drafting.text.words import readable_diff

MAX_CONTENT_BYTES = 2 * 1024 * 1024
MAX_SUMMARY_CHARS = 500
MAX_TITLE_CHARS = 200
LANGUAGES = {"en", "es", "fr", "ar", "pt", "ru", "zh"}


def normalize_newlines(text: str) -> str:
    """Documents use LF: browsers send textareas with CRLF, files come from Windows."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_content(content: str) -> None:
    """A document body is text of at most 2 MB of UTF-8.

    Text: no lone surrogate (drafting/text/surrogates.py), which neither the database nor
    the revision's SHA-256 can take. The API refuses them in any body already; this holds
    for every other way a text arrives.
    """
    size = len(content)  # at least its UTF-8 length: too long already is not encoded
    if size <= MAX_CONTENT_BYTES:
        try:
            size = len(content.encode("utf-8"))
        except UnicodeEncodeError:
            raise Invalid(
                _("Text cannot contain half of a character (a lone surrogate)."),
                fields={"content": "lone_surrogate"},
            ) from None
    if size > MAX_CONTENT_BYTES:
        raise TooLarge(_("A document can hold at most 2 MB of text."), fields={"content": "size"})


def check_summary(summary: str) -> str:
    """A summary is one line of at most 500 characters."""
    summary = " ".join(summary.split())
    if len(summary) > MAX_SUMMARY_CHARS:
        raise Invalid(
            _("Keep the summary under %(n)d characters.", n=MAX_SUMMARY_CHARS),
            fields={"summary": "too_long"},
        )
    return summary


def check_title(title: str) -> str:
    """A title is required and at most 200 characters."""
    title = " ".join(title.split())
    if not title or len(title) > MAX_TITLE_CHARS:
        raise Invalid(
            _("Give the document a title of 1 to %(n)d characters.", n=MAX_TITLE_CHARS),
            fields={"title": "length"},
        )
    return title


def check_language(language: str) -> str:
    """One of the languages documents are written in here."""
    if language not in LANGUAGES:
        raise Invalid(_("Unknown language."), fields={"language": "unknown"})
    return language


def create_document(
    caucus: Caucus, author: User, *, title: str, content: str = "", language: str = "en"
) -> Document:
    """Create a document; its first revision records the starting text."""
    content = normalize_newlines(content)
    check_content(content)
    document = Document(
        caucus=caucus,
        title=check_title(title),
        language=check_language(language),
        content=content,
        created_by=author,
    )
    db.session.add(document)
    db.session.flush()
    storage.store_revision(
        document, old_text="", new_text=content, author=author, summary=_("Created")
    )
    return document


def documents_of(caucus: Caucus, *, archived: bool = False) -> list[Document]:
    """A caucus's documents, most recently changed first."""
    condition = Document.archived_at.is_not(None) if archived else Document.archived_at.is_(None)
    return list(
        db.session.scalars(
            sa.select(Document)
            .options(
                load_only(
                    Document.id,
                    Document.title,
                    Document.updated_at,
                    Document.head_revision,
                    Document.language,
                    Document.archived_at,
                    Document.caucus_id,
                )
            )
            .where(Document.caucus_id == caucus.id, condition)
            .order_by(Document.updated_at.desc(), Document.id.desc())
        )
    )


def update_document(
    document: Document,
    *,
    title: str | None = None,
    language: str | None = None,
    numbered_paragraphs: bool | None = None,
    archived: bool | None = None,
) -> Document:
    """Rename, relabel or archive a document (its text and history are untouched)."""
    if title is not None:
        document.title = check_title(title)
    if language is not None:
        document.language = check_language(language)
    if numbered_paragraphs is not None:
        document.numbered_paragraphs = numbered_paragraphs
    if archived is not None:
        document.archived_at = (document.archived_at or utcnow()) if archived else None
    return document


@dataclass
class SaveOutcome:
    """What a save did: the head after it, whether it merged, whether a revision was made."""

    revision: int
    content: str
    merged: bool = False
    created: bool = False
    conflicts: list = field(default_factory=list)


def save_content(
    document: Document, *, author: User, base_revision: int, content: str, summary: str = ""
) -> SaveOutcome:
    """Save a new text written from `base_revision`.

    If others saved since, merge this change into the head (positionally, never by
    guessing). Where both changed the same passage, nothing is saved: the submitted text
    is kept for its author and Conflict lists the passages.
    """
    content = normalize_newlines(content)
    check_content(content)
    summary = check_summary(summary)
    change = begin_change(document)
    document = change.document
    refuse_archived(document)
    if not 1 <= base_revision <= document.head_revision:
        raise Invalid(
            _("There is no revision %(n)d to save from.", n=base_revision),
            fields={"base_revision": "unknown"},
        )
    new_text, merged = content, False
    if base_revision != document.head_revision:
        new_text, merged = merged_text(document, author, base_revision, content), True
    revision = change.apply(new_text, author=author, summary=summary, merged=merged)
    if revision is None:
        return SaveOutcome(document.head_revision, document.content, merged=merged)
    forget_kept_text(document, author)
    return SaveOutcome(revision.number, new_text, merged=merged, created=True)


class SaveConflict(Conflict):
    """A stale save that clashes with the head. `merged_text` is the head with every
    non-clashing change of the save applied, for the author to continue from. The
    submitted text is kept (KeptText) for its author, so the request still commits."""

    keeps_work = True

    def __init__(self, message: str, *, merged_text: str, **extra):
        super().__init__(message, **extra)
        self.merged_text = merged_text


def merged_text(document: Document, author: User, base_revision: int, content: str) -> str:
    """Merge a stale save into the head, or keep it and raise SaveConflict."""
    base_text = storage.text_at(document, base_revision)
    result = merging.merge(base_text, content, document.content, on_conflict="report")
    if result.conflicts:
        keep_text(document, author, base_revision, content)
        raise SaveConflict(
            _("Someone changed the same passages since you started. Your text is kept."),
            merged_text=result.text,
            head_revision=document.head_revision,
            conflicts=[conflict_json(c) for c in result.conflicts],
        )
    return result.text


def conflict_json(conflict) -> dict:
    """A conflict as the API shows it: where, and both versions of the passage."""
    return {
        "start": conflict.base_start,
        "end": conflict.base_end,
        "yours": conflict.ours_text,
        "theirs": conflict.theirs_text,
    }


def keep_text(document: Document, author: User, base_revision: int, content: str) -> None:
    """Keep a text that could not be saved, one per person and document."""
    kept = db.session.scalar(
        sa.select(KeptText).where(
            KeptText.document_id == document.id, KeptText.user_id == author.id
        )
    )
    if kept is None:
        kept = KeptText(document_id=document.id, user_id=author.id)
        db.session.add(kept)
    kept.base_revision = base_revision
    kept.content = content
    kept.created_at = utcnow()


def kept_text(document: Document, user: User) -> KeptText | None:
    """The person's text that could not be saved, if any."""
    return db.session.scalar(
        sa.select(KeptText).where(KeptText.document_id == document.id, KeptText.user_id == user.id)
    )


def forget_kept_text(document: Document, user: User) -> None:
    """Drop a kept text once its author saved again."""
    db.session.execute(
        sa.delete(KeptText).where(KeptText.document_id == document.id, KeptText.user_id == user.id)
    )


def get_revision(document: Document, number: int) -> Revision:
    """One revision's record (without its text), or NotFound."""
    found = db.session.scalar(
        sa.select(Revision).where(Revision.document_id == document.id, Revision.number == number)
    )
    if found is None:
        raise NotFound(_("There is no revision %(n)d.", n=number))
    return found


def text_of(document: Document, number: int) -> str:
    """The text of a revision, or NotFound for a number that does not exist."""
    if not 1 <= number <= document.head_revision:
        raise NotFound(_("There is no revision %(n)d.", n=number))
    return storage.text_at(document, number)


def restore(document: Document, number: int, *, actor: User) -> SaveOutcome:
    """Make revision `number`'s text the new head; history is never rewritten."""
    old_text = text_of(document, number)
    change = begin_change(document)
    summary = _("Restored revision %(n)d", n=number)
    revision = change.apply(old_text, author=actor, summary=summary, restored_from=number)
    if revision is None:
        return SaveOutcome(change.document.head_revision, old_text)
    return SaveOutcome(revision.number, old_text, created=True)


@dataclass
class HistoryFilter:
    """What the rapporteur narrows the history to."""

    author_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def history(
    document: Document, *, filters: HistoryFilter, before: int | None = None, limit: int = 50
) -> list[Revision]:
    """Revisions newest first, `limit` at a time, continuing below revision `before`.

    Keyset paging (number < before) keeps page 200 as fast as page 1.
    """
    filters = checked_history_query(filters, before)
    query = (
        sa.select(Revision)
        .options(
            load_only(
                Revision.number,
                Revision.author_id,
                Revision.created_at,
                Revision.summary,
                Revision.added,
                Revision.removed,
                Revision.merged,
                Revision.restored_from,
                Revision.length,
            )
        )
        .where(Revision.document_id == document.id)
        .order_by(Revision.number.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(Revision.number < before)
    if filters.author_id is not None:
        query = query.where(Revision.author_id == filters.author_id)
    if filters.since is not None:
        query = query.where(Revision.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(Revision.created_at < filters.until)
    return list(db.session.scalars(query))


def checked_history_query(filters: HistoryFilter, before: int | None) -> HistoryFilter:
    """The filter with its times in UTC, or Invalid (422) for values no column can hold.

    A time without a zone is taken as UTC. Numbers go no further than a database integer
    (PostgreSQL refuses a larger one in a query, and SQLite's driver cannot send it), times
    no further than UTC can write (the year 1 east of Greenwich is still the year 0 in UTC).
    """
    for name, number in (("before", before), ("author", filters.author_id)):
        if number is not None and not 0 < number <= MAX_DATABASE_ID:
            raise Invalid(
                _("Use a number from 1 to %(n)d.", n=MAX_DATABASE_ID), fields={name: "range"}
            )
    return HistoryFilter(
        filters.author_id, _in_utc(filters.since, "since"), _in_utc(filters.until, "until")
    )


def _in_utc(moment: datetime | None, name: str) -> datetime | None:
    """A filter's time in UTC (taken as UTC without a zone); Invalid if UTC cannot hold it."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise Invalid(
            _("Choose a date between the years 1 and 9999."), fields={name: "range"}
        ) from None


def history_authors(document: Document) -> list[User]:
    """Everyone who made a revision of the document, by name (for the filter)."""
    author_ids = sa.select(Revision.author_id).where(Revision.document_id == document.id).distinct()
    return list(
        db.session.scalars(sa.select(User).where(User.id.in_(author_ids)).order_by(User.name))
    )


def compare_texts(document: Document, from_number: int, to_number: int) -> tuple[Diffs, str]:
    """The readable diff from one revision to another (any two), and the newer text."""
    from_text = text_of(document, from_number)
    to_text = text_of(document, to_number)
    return readable_diff(from_text, to_text), to_text


# Authorship is replayed from the newest cached state; caching every few hundred
# revisions bounds the replay without storing a copy per revision.
AUTHORSHIP_CACHE_EVERY = 250


def authorship_at(document: Document, number: int) -> Authorship:
    """Who wrote each passage of revision `number`, replayed from the revision chain."""
    if not 1 <= number <= document.head_revision:
        raise NotFound(_("There is no revision %(n)d.", n=number))
    cached = db.session.scalar(
        sa.select(AuthorshipCache)
        .where(AuthorshipCache.document_id == document.id, AuthorshipCache.revision <= number)
        .order_by(AuthorshipCache.revision.desc())
        .limit(1)
    )
    start = cached.revision if cached else 0
    state = Authorship.from_json(storage.unpack(cached.runs)) if cached else Authorship.empty()
    shared = live.edits_of_shared_revisions(document, start + 1, number)
    for revision_number, author_id, delta in storage.deltas_between(document, start + 1, number):
        # A revision made of live edits by several people is replayed edit by edit, so
        # each person's words are credited to them; any other revision replays its own
        # word-level delta (one person's words, credited whole).
        edits = shared.get(revision_number) or [(author_id, delta)]
        for edit_author_id, edit_delta in edits:
            state = state.apply(edit_delta, author=edit_author_id or 0, revision=revision_number)
        if revision_number % AUTHORSHIP_CACHE_EVERY == 0 or revision_number == number:
            cache_authorship(document, revision_number, state)
    return state


def cache_authorship(document: Document, number: int, state: Authorship) -> None:
    """Remember an authorship state (once per revision)."""
    exists = db.session.scalar(
        sa.select(AuthorshipCache.id).where(
            AuthorshipCache.document_id == document.id, AuthorshipCache.revision == number
        )
    )
    if exists is not None:
        return
    try:
        # Two readers may build the same state at once; the second one's copy is not needed.
        with db.session.begin_nested():
            db.session.add(
                AuthorshipCache(
                    document_id=document.id, revision=number, runs=storage.pack(state.to_json())
                )
            )
    except sa.exc.IntegrityError:
        pass


def people_by_id(counts: dict[int, int]) -> dict[int, User]:
    """The people named in an authorship count, by id."""
    ids = [author_id for author_id in counts if author_id]
    return {user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
