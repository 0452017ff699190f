"""Shape a readable diff into what the compare page shows.

The diff is cut into paragraphs (rows). Inline view: each row's pieces in order, deletions
struck and insertions marked. Side by side: the row's old pieces left, new pieces right.
Changed rows are numbered so the list of changes can link to them; long unchanged
stretches fold away.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from dataclasses import field

from drafting.text.diffs import DELETE
from drafting.text.diffs import EQUAL
from drafting.text.diffs import INSERT
from drafting.text.diffs import Diffs

HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
CONTEXT_ROWS = 1  # unchanged paragraphs shown around each change


@dataclass
class Row:
    """One paragraph of the comparison, as (op, text) pieces."""

    pieces: list[tuple[int, str]] = field(default_factory=list)
    change_number: int | None = None
    heading: str = ""

    @property
    def changed(self) -> bool:
        """True when the paragraph differs between the two revisions."""
        return any(op != EQUAL for op, _text in self.pieces)

    def side(self, op: int) -> list[tuple[int, str]]:
        """The pieces of one side: the old text (DELETE) or the new (INSERT)."""
        return [(o, t) for o, t in self.pieces if o in (EQUAL, op)]

    @property
    def excerpt(self) -> str:
        """A short quote of what changed, for the list of changes."""
        changed = " … ".join(t.strip() for o, t in self.pieces if o != EQUAL and t.strip())
        return changed[:90] + ("…" if len(changed) > 90 else "")


@dataclass
class Fold:
    """Unchanged paragraphs folded away."""

    count: int


@dataclass
class Comparison:
    """Everything the compare page needs."""

    blocks: list[Row | Fold]
    changes: list[Row]
    added: int
    removed: int


def rows_of(diffs: Diffs) -> list[Row]:
    """Cut the diffs into paragraphs: a row ends at a blank line both sides share.

    A Markdown paragraph, list or table is one row, however many lines it has; a
    heading followed directly by text stays with it.
    """
    rows, current = [], Row()
    for op, text in diffs:
        if op != EQUAL:
            current.pieces.append((op, text))
            continue
        for line in text.splitlines(keepends=True):
            current.pieces.append((EQUAL, line))
            if line.strip() == "" and line.endswith("\n") and has_words(current):
                rows.append(current)
                current = Row()
    if current.pieces:
        rows.append(current)
    return rows


def has_words(row: Row) -> bool:
    """True once a row holds more than blank lines (so blank runs join the next row)."""
    return any(text.strip() for _op, text in row.pieces)


def headings_in(text: str) -> tuple[list[int], list[str]]:
    """Where each Markdown heading starts, and its text."""
    matches = list(HEADING.finditer(text))
    return [m.start() for m in matches], [m.group(1) for m in matches]


def label_changes(rows: list[Row], new_text: str) -> list[Row]:
    """Number the changed rows and name the section each falls in."""
    starts, titles = headings_in(new_text)
    changes, position = [], 0
    for row in rows:
        if row.changed:
            row.change_number = len(changes) + 1
            index = bisect.bisect_right(starts, position) - 1
            row.heading = titles[index] if index >= 0 else ""
            changes.append(row)
        position += sum(len(t) for o, t in row.pieces if o != DELETE)
    return changes


def fold(rows: list[Row], context: int = CONTEXT_ROWS) -> list[Row | Fold]:
    """Keep changed rows and `context` rows around them; fold the rest."""
    keep = [False] * len(rows)
    for index, row in enumerate(rows):
        if row.changed:
            for near in range(max(0, index - context), min(len(rows), index + context + 1)):
                keep[near] = True
    blocks: list[Row | Fold] = []
    for index, row in enumerate(rows):
        if keep[index]:
            blocks.append(row)
        elif blocks and isinstance(blocks[-1], Fold):
            blocks[-1].count += 1
        else:
            blocks.append(Fold(1))
    return blocks


def compare(diffs: Diffs, new_text: str) -> Comparison:
    """The comparison of two texts from their readable diff."""
    rows = rows_of(diffs)
    changes = label_changes(rows, new_text)
    added = sum(len(t) for o, t in diffs if o == INSERT)
    removed = sum(len(t) for o, t in diffs if o == DELETE)
    return Comparison(fold(rows), changes, added, removed)
