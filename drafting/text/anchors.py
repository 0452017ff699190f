"""Anchors: a passage named by its text, found once, then followed by position.

An anchor is what a person quotes (`quote`, with optional `prefix` and `suffix` to tell
one occurrence from another). It is *located* once, when the comment or suggestion is
made; from then on its span is *mapped* through each change of the text, the way
`drafting/text/merge.py` places edits: by position, never by searching for similar
text. Edits before the passage shift it, edits inside it grow or shrink it, and once
every character of the passage is gone it is orphaned: it is never moved to another
place where the same words happen to appear.

Units: a change given as diff-match-patch diffs counts Python characters (code points);
a change given as a delta (`diff_toDelta`, the wire and storage format) counts UTF-16
code units, like the browser. `map_span` works in the unit of the change it is given;
`Utf16Index` converts spans between the two for a given text (an emoji is one Python
character and two UTF-16 units).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from drafting.text.delta import lengths
from drafting.text.delta import utf16_length

DELETE, EQUAL, INSERT = -1, 0, 1
# The diff operations as the signs of delta tokens, which `_edits` reads.
_SIGNS = {DELETE: "-", EQUAL: "=", INSERT: "+"}
# Characters outside the Basic Multilingual Plane: one code point, two UTF-16 units.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# How much context `context_of` records around a quote.
CONTEXT_CHARS = 32
# A character diff of a rewritten sentence keeps a few letters that happen to match
# ("Gone." against "Member States shall …" keeps an "o", an "n", an "e"); pieces of a
# passage this short, next to deletions at least as long, are scraps, not the passage.
SCRAP_UNITS = 3


@dataclass(frozen=True)
class Anchor:
    """A passage as people quote it; prefix and suffix disambiguate a repeated quote."""

    quote: str
    prefix: str = ""
    suffix: str = ""


class Span(NamedTuple):
    """A half-open range [start, end) of a text."""

    start: int
    end: int


class SpanEdit(NamedTuple):
    """One change as a span of the old text, [start, end), replaced by `inserted` units.

    All three count in the unit of the change it comes from: UTF-16 code units for a delta
    (`edits_of_delta`), Python characters for diffs (`edits_of_diffs`).
    """

    start: int
    end: int
    inserted: int


def occurrences(text: str, anchor: Anchor, limit: int | None = None) -> list[Span]:
    """Every place the quote occurs with the anchor's prefix before it and suffix after it
    (the first `limit` of them, when given).

    That is every occurrence of prefix + quote + suffix, found by str.find alone, in C:
    checking the context around each occurrence of a short quote in Python would copy
    the text once per occurrence of a common word.
    """
    if not anchor.quote:
        return []
    needle = anchor.prefix + anchor.quote + anchor.suffix
    offset = len(anchor.prefix)
    found = []
    start = text.find(needle)
    while start != -1 and (limit is None or len(found) < limit):
        found.append(Span(start + offset, start + offset + len(anchor.quote)))
        start = text.find(needle, start + 1)
    return found


def locate(text: str, anchor: Anchor) -> Span | None:
    """The quote's one occurrence (given its prefix and suffix); None if absent or ambiguous."""
    found = occurrences(text, anchor, limit=2)  # a second one makes it ambiguous
    return found[0] if len(found) == 1 else None


def context_of(text: str, span: Span, size: int = CONTEXT_CHARS) -> Anchor:
    """The anchor of a span with the text around it, to re-find it if positions are lost."""
    return Anchor(
        text[span.start : span.end],
        prefix=text[max(0, span.start - size) : span.start],
        suffix=text[span.end : span.end + size],
    )


def edits_of_diffs(diffs: Iterable[tuple[int, str]]) -> list[SpanEdit]:
    """The edits diff-match-patch diffs describe, in Python characters."""
    return _edits((_SIGNS[op], len(text)) for op, text in diffs)


def edits_of_delta(delta: str) -> list[SpanEdit]:
    """The edits a `diff_toDelta` delta describes, in UTF-16 code units (DeltaMismatch for
    a token that is not one)."""
    return _edits(lengths(delta))


def _edits(tokens: Iterable[tuple[str, int]]) -> list[SpanEdit]:
    """Join each run of deletions and insertions between equalities into one SpanEdit;
    `tokens` are (sign, length) as delta tokens have them: "=", "-" or "+"."""
    edits: list[SpanEdit] = []
    position = 0
    start, deleted, inserted = None, 0, 0
    for sign, length in tokens:
        if sign == "=":
            if start is not None:
                edits.append(SpanEdit(start, start + deleted, inserted))
                position = start + deleted
                start, deleted, inserted = None, 0, 0
            position += length
            continue
        if start is None:
            start = position
        if sign == "-":
            deleted += length
        else:
            inserted += length
    if start is not None:
        edits.append(SpanEdit(start, start + deleted, inserted))
    return [edit for edit in edits if edit.end > edit.start or edit.inserted]


def map_span(span: Span, change: str | Sequence[tuple[int, str]]) -> Span | None:
    """Where a span is after one change (a delta, or diffs); None once the passage is gone.

    The span and a delta count UTF-16 units; the span and diffs count Python characters.
    Diffs are mapped in UTF-16 units too (and the result converted back), so that both
    forms of one change always give the same answer.
    """
    if isinstance(change, str):
        return map_through(span, edits_of_delta(change))
    old = "".join(text for op, text in change if op != INSERT)
    new = "".join(text for op, text in change if op != DELETE)
    edits = _edits((_SIGNS[op], utf16_length(text)) for op, text in change)
    mapped = map_through(Utf16Index(old).span_to_utf16(span), edits)
    return Utf16Index(new).span_to_chars(mapped) if mapped else None


def map_through(span: Span, edits: Sequence[SpanEdit]) -> Span | None:
    """Map a span through sorted, separate edits of one change, as the merge places them.

    - an insertion at the span's start goes before it, one at its end after it;
    - an edit strictly inside changes the span's length;
    - an edit that replaces the start (or the end) of the passage cuts it there, and its
      new words count as part of the passage;
    - an edit that replaces the whole passage orphans it (None), and so does a change that
      leaves only scraps of it (see SCRAP_UNITS).
    """
    if _only_scraps_left(span, edits):
        return None
    start, end = span
    shift = 0
    new_start = None
    for edit in edits:
        growth = edit.inserted - (edit.end - edit.start)
        if new_start is None:
            if edit.end <= start:
                shift += growth  # wholly before the passage
                continue
            if edit.start <= start < edit.end:
                if edit.end >= end:
                    return None  # the whole passage was replaced or deleted
                new_start = edit.start + shift
                shift += growth
                continue
            new_start = start + shift
        if edit.start >= end:
            break
        if edit.end >= end:
            return Span(new_start, edit.start + shift + edit.inserted)  # cuts the end
        shift += growth  # inside the passage
    if new_start is None:
        new_start = start + shift
    return Span(new_start, end + shift)


def _only_scraps_left(span: Span, edits: Sequence[SpanEdit]) -> bool:
    """True when the change deleted part of the passage and left only scraps of it: pieces
    of at most SCRAP_UNITS, each no longer than the deletions beside it."""
    start, end = span
    deletions = [e for e in edits if e.end > e.start and e.start < end and e.end > start]
    if not deletions:
        return False
    position, deleted_before = start, None
    for edit in deletions:
        piece = edit.start - position
        if piece > 0 and not _is_scrap(piece, deleted_before, edit.end - edit.start):
            return False
        position, deleted_before = edit.end, edit.end - edit.start
    piece = end - position
    return piece <= 0 or _is_scrap(piece, deleted_before, None)


def _is_scrap(piece: int, deleted_before: int | None, deleted_after: int | None) -> bool:
    """A short surviving piece between deletions at least as long as it."""
    return piece <= SCRAP_UNITS and all(
        piece <= deleted for deleted in (deleted_before, deleted_after) if deleted is not None
    )


class SpanMapper:
    """Maps many spans through one change at once: spans the change cannot reach are
    shifted (or left) without walking its edits, which keeps a listing of hundreds of
    comments cheap after thousands of live edits."""

    def __init__(self, edits: Sequence[SpanEdit]):
        self.edits = edits
        self.first = edits[0].start if edits else 0
        self.last = edits[-1].end if edits else 0
        self.growth = sum(edit.inserted - (edit.end - edit.start) for edit in edits)

    @classmethod
    def of_delta(cls, delta: str) -> SpanMapper:
        """A mapper for a delta (UTF-16 units)."""
        return cls(edits_of_delta(delta))

    def map(self, span: Span) -> Span | None:
        """Where `span` is after the change; None once the passage is gone."""
        if not self.edits or span.end <= self.first:
            return span  # wholly before every edit (an insertion at its end goes after)
        if span.start >= self.last:
            return Span(span.start + self.growth, span.end + self.growth)
        return map_through(span, self.edits)

    def map_all(self, spans: list[Span]) -> list[Span | None]:
        """`map` for many spans: the same answers, with its shortcuts inlined (catching up
        hundreds of comments through thousands of live edits runs this loop)."""
        edits, first, last, growth = self.edits, self.first, self.last, self.growth
        if not edits:
            return list(spans)
        mapped: list[Span | None] = []
        for span in spans:
            start, end = span
            if end <= first:
                mapped.append(span)
            elif start >= last:
                mapped.append(Span(start + growth, end + growth))
            else:
                mapped.append(map_through(span, edits))
        return mapped


def follow_spans(
    spans: Sequence[tuple[int, Span]], deltas: Sequence[tuple[int, str]]
) -> list[Span | None]:
    """Where each span is after the deltas that follow its version; None once its passage
    is gone.

    `spans` are (version, span) pairs in UTF-16 units, in any order; `deltas` are the
    (version, forward delta) of consecutive versions, oldest first, the delta of version v
    leading from the text of v - 1 to that of v. A span at version v is mapped through
    each delta of a version after v (so one at the last version, or later, stays as it
    is); once a delta orphans it, it leaves the walk and stays None, however the text
    changes after. Each delta is read once and moves every span it reaches together
    (`SpanMapper.map_all`). The answers come in the order of `spans`.

    ValueError for a span older than the deltas reach back (the delta after its version
    is not given), or deltas with a gap between their versions.
    """
    if deltas:
        first = deltas[0][0]
        if [version for version, _delta in deltas] != list(range(first, first + len(deltas))):
            raise ValueError("the deltas' versions are not consecutive")
        if any(version < first - 1 for version, _span in spans):
            raise ValueError(f"a span is older than the deltas, which start at version {first}")
    followed: list[Span | None] = [span for _version, span in spans]
    joining = sorted(range(len(spans)), key=lambda index: spans[index][0])
    joined = 0
    active: list[int] = []  # indexes of the spans on the walk, and where they are now
    active_spans: list[Span] = []
    for version, delta in deltas:
        while joined < len(joining) and spans[joining[joined]][0] < version:
            active.append(joining[joined])
            active_spans.append(spans[joining[joined]][1])
            joined += 1
        mapped = SpanMapper.of_delta(delta).map_all(active_spans)
        if None in mapped:  # passages gone: they stay orphaned, and leave the walk
            for index, span in zip(active, mapped, strict=True):
                if span is None:
                    followed[index] = None
            active = [index for index, span in zip(active, mapped, strict=True) if span is not None]
            mapped = [span for span in mapped if span is not None]
        active_spans = mapped
    for index, span in zip(active, active_spans, strict=True):
        followed[index] = span
    return followed


class Utf16Index:
    """Converts positions in one text between Python characters and UTF-16 code units."""

    def __init__(self, text: str):
        # UTF-16 position of each astral character (each one counts two units there).
        self.astral_units: list[int] = []
        self.astral_chars: list[int] = []
        if not text.isascii():
            for count, match in enumerate(_ASTRAL.finditer(text)):
                self.astral_chars.append(match.start())
                self.astral_units.append(match.start() + count)

    def to_utf16(self, position: int) -> int:
        """The UTF-16 offset of a character offset."""
        return position + bisect.bisect_left(self.astral_chars, position)

    def to_chars(self, units: int) -> int:
        """The character offset of a UTF-16 offset (one inside a surrogate pair rounds down)."""
        # Each astral character that starts before `units` counted one unit too many; one
        # that `units` splits in two leaves the offset just before it.
        return units - bisect.bisect_left(self.astral_units, units)

    def span_to_utf16(self, span: Span) -> Span:
        """A character span in UTF-16 units."""
        return Span(self.to_utf16(span.start), self.to_utf16(span.end))

    def span_to_chars(self, span: Span) -> Span:
        """A UTF-16 span in characters."""
        return Span(self.to_chars(span.start), self.to_chars(span.end))
