"""The decision table: every suggestion and thread with who proposed what and the outcome,
as rows and as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from drafting.accounts.models import User
from drafting.caucuses.models import Membership
from drafting.documents.models import Document
from drafting.extensions import db
from drafting.review.comments import Thread
from drafting.review.comments import threads_of
from drafting.review.suggestions import SuggestionView
from drafting.review.suggestions import suggestions_of
from drafting.spreadsheets import spreadsheet_safe


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
