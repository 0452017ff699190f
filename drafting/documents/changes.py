"""The one way a document gets a new text (other than live typing): a save, a restore, an
accepted suggestion.

Each begins the same way, `begin_change`: the document's row lock, then the pending live
edits turned into their own revision, so the head revision is the live text the change
applies to. Each ends the same way, `TextChange.apply`: the new text stored as the next
revision and recorded as a live edit, whose delta carries it to open editors, to the
comments' anchors and to anything else that follows the text by position. Live typing
changes the live text alone (documents/live.py), and reaches a revision when it is flushed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from drafting.accounts.models import User
from drafting.documents import live
from drafting.documents import storage
from drafting.documents.models import Document
from drafting.documents.models import Revision
from drafting.errors import Conflict
from drafting.locking import locked


@dataclass
class TextChange:
    """A change of one document's text in progress, with the document locked and flushed."""

    document: Document

    @property
    def text(self) -> str:
        """The text as it stands: the head revision's, which is also the live text."""
        return self.document.content

    def apply(
        self,
        new_text: str,
        *,
        author: User | None,
        summary: str,
        merged: bool = False,
        restored_from: int | None = None,
    ) -> Revision | None:
        """Make `new_text` the next revision, credited to `author`, and the live text.
        None, and nothing stored, when it is the text already."""
        if new_text == self.document.content:
            return None
        revision = storage.store_revision(
            self.document,
            old_text=self.document.content,
            new_text=new_text,
            author_id=author.id if author else None,
            summary=summary,
            merged=merged,
            restored_from=restored_from,
        )
        live.change_live_text(self.document, new_text, author, revision=revision.number)
        return revision


def refuse_archived(document: Document) -> None:
    """An archived document's text does not change (Conflict) until it is restored."""
    if document.archived:
        raise Conflict(_("This document is archived. Restore it to edit."))


def begin_change(document: Document) -> TextChange:
    """Lock the document (for the rest of the transaction) and flush its live edits."""
    document = locked(document)
    live.flush_live_edits(document, force=True)  # the head revision is now the live text
    return TextChange(document)
