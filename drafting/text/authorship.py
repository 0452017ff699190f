"""Who wrote what: each character of a document credited to the revision that inserted it.

An `Authorship` is built by applying the chain of revision deltas
(diff-match-patch `diff_toDelta` text, one per revision, from the previous text
to this one) to `Authorship.empty()`. It is a sequence of runs,
`Run(length, author, revision)`, covering the whole text. Lengths are UTF-16
code units, as in the deltas: an emoji counts 2.

Runs are kept in blocks of at most MAX_RUNS_PER_BLOCK, each block's length
cached, so an edit skips a block in O(1) and only rebuilds the few blocks it
touches: applying a delta costs a walk over the blocks before its last edit,
not over every run of a long document.

`apply` changes the object in place and returns it: folding thousands of
revisions through copies would copy every run thousands of times. Call `copy()`
first to keep the earlier state. A delta that does not fit raises ValueError
and leaves the object unchanged.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from bisect import bisect_right
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from itertools import chain
from typing import NamedTuple

from drafting.text.delta import lengths
from drafting.text.delta import utf16_length

# Blocks split when they outgrow this; a rebuilt block under MIN_RUNS_PER_BLOCK
# takes in its neighbour, so deletions cannot leave a trail of tiny blocks.
MAX_RUNS_PER_BLOCK = 128
MIN_RUNS_PER_BLOCK = 32


class Run(NamedTuple):
    """Consecutive UTF-16 code units written by one author in one revision."""

    length: int
    author: int
    revision: int


class Segment(NamedTuple):
    """A piece of the current text and who wrote it, in which revision."""

    text: str
    author: int
    revision: int


@dataclass(slots=True)
class _Utf16Edit:
    """One change, in UTF-16 units of the text before the delta: `deleted` units from
    `start` on replaced by `inserted` units."""

    start: int
    deleted: int = 0
    inserted: int = 0

    @property
    def end(self) -> int:
        """Where the deleted text ended."""
        return self.start + self.deleted


@dataclass(slots=True)
class _Region:
    """Edits that touch the same blocks, first..last, the first starting at `start`."""

    first: int
    last: int
    start: int
    edits: list[_Utf16Edit]


class Authorship:
    """The runs of a document's text, by author and revision, in text order."""

    def __init__(self, runs: Iterable[Run] = ()) -> None:
        """Authorship made of `runs`, in text order; empty runs are dropped."""
        runs = list(runs)
        if any(run.length < 0 for run in runs):
            raise ValueError("a run cannot have a negative length")
        self._blocks: list[list[Run]] = _chunked(_merged(runs)) or [[]]
        self._block_lengths = [_total(block) for block in self._blocks]
        self._length = sum(self._block_lengths)

    @classmethod
    def empty(cls) -> Authorship:
        """The authorship of an empty document, before its first revision."""
        return cls()

    @property
    def length(self) -> int:
        """The length of the text, in UTF-16 code units."""
        return self._length

    def copy(self) -> Authorship:
        """An independent copy, unaffected by later `apply` calls on this one."""
        duplicate = Authorship()
        duplicate._blocks = [list(block) for block in self._blocks]
        duplicate._block_lengths = list(self._block_lengths)
        duplicate._length = self._length
        return duplicate

    def apply(self, delta: str, *, author: int, revision: int) -> Authorship:
        """Apply one revision's delta in place and return self; ValueError if it does not fit."""
        edits = _edits(_parse_delta(delta, self._length))
        # From the last region back, so earlier block indexes stay valid while splicing.
        for region in reversed(self._regions(edits)):
            self._rebuild(region, Run(0, author, revision))
        self._length += sum(edit.inserted - edit.deleted for edit in edits)
        return self

    def runs(self) -> list[Run]:
        """The runs in text order, adjacent runs of one author and revision merged."""
        return _merged(run for block in self._blocks for run in block)

    def counts(self) -> dict[int, int]:
        """UTF-16 code units of the current text written by each author."""
        units_by_author: dict[int, int] = {}
        for block in self._blocks:
            for run in block:
                units_by_author[run.author] = units_by_author.get(run.author, 0) + run.length
        return units_by_author

    def segments(self, text: str) -> list[Segment]:
        """`text` cut into pieces by author and revision; ValueError if its length differs."""
        if utf16_length(text) != self._length:
            raise ValueError(
                f"the text has {utf16_length(text)} UTF-16 units, the authorship {self._length}"
            )
        if len(text) == self._length:  # nothing outside the BMP: units are code points
            return list(_cut_code_points(text, self.runs()))
        return list(_cut_utf16(text, self.runs()))

    def to_json(self) -> str:
        """Compact JSON for caching: a flat array `[length, author, revision, …]`."""
        flat = [value for run in self.runs() for value in run]
        return json.dumps(flat, separators=(",", ":"))

    @classmethod
    def from_json(cls, cached: str) -> Authorship:
        """The authorship `to_json` wrote; ValueError if `cached` is not such an array."""
        flat = json.loads(cached)
        if not isinstance(flat, list) or len(flat) % 3:
            raise ValueError("cached authorship is not a flat array of run triples")
        if not all(type(value) is int for value in flat):
            raise ValueError("cached authorship holds something other than integers")
        runs = [Run(*flat[index : index + 3]) for index in range(0, len(flat), 3)]
        if any(run.length <= 0 for run in runs):
            raise ValueError("cached authorship holds a run without length")
        return cls(runs)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Authorship):
            return NotImplemented
        return self.runs() == other.runs()

    def __repr__(self) -> str:
        return f"Authorship(length={self._length}, runs={len(self.runs())})"

    def _regions(self, edits: list[_Utf16Edit]) -> list[_Region]:
        """Edits grouped by the blocks they touch, in text order."""
        regions: list[_Region] = []
        index = block_start = 0
        for edit in edits:
            # An insertion at a block boundary goes to the end of the left block,
            # next to the text it follows; a deletion starts in the block holding its first unit.
            first, first_start = self._find_block(index, block_start, edit.start, edit.deleted == 0)
            index, block_start = self._find_block(first, first_start, edit.end, True)
            if regions and first <= regions[-1].last:
                regions[-1].last = index
                regions[-1].edits.append(edit)
            else:
                regions.append(_Region(first, index, first_start, [edit]))
        return regions

    def _find_block(
        self, index: int, block_start: int, position: int, left: bool
    ) -> tuple[int, int]:
        """The block holding `position`, and its start, searching onward from `index`.

        With `left`, a position on a boundary belongs to the block before it.
        """
        last_index = len(self._blocks) - 1
        while index < last_index:
            block_end = block_start + self._block_lengths[index]
            if position < block_end or (left and position == block_end):
                break
            block_start = block_end
            index += 1
        return index, block_start

    def _rebuild(self, region: _Region, written: Run) -> None:
        """Replace the region's blocks by their runs after its edits; `written` marks insertions."""
        first, last = region.first, region.last
        runs = list(chain.from_iterable(self._blocks[first : last + 1]))
        edited_runs = _edited(runs, region.edits, region.start, written)
        if len(edited_runs) < MIN_RUNS_PER_BLOCK and last + 1 < len(self._blocks):
            last += 1
            _join(edited_runs, self._blocks[last])
        new_blocks = _chunked(edited_runs)
        if not new_blocks and len(self._blocks) == last - first + 1:
            new_blocks = [[]]  # the text is now empty; keep one block to insert into
        self._blocks[first : last + 1] = new_blocks
        self._block_lengths[first : last + 1] = [_total(block) for block in new_blocks]


def _parse_delta(delta: str, source_length: int) -> list[tuple[str, int]]:
    """The delta's tokens as (sign, UTF-16 length), empty ones left out; ValueError
    (DeltaMismatch) for a malformed token, and unless it edits `source_length` units."""
    operations = [(sign, units) for sign, units in lengths(delta) if units]
    consumed = sum(units for sign, units in operations if sign != "+")
    if consumed != source_length:
        raise ValueError(f"the delta covers {consumed} UTF-16 units, the text has {source_length}")
    return operations


def _edits(operations: list[tuple[str, int]]) -> list[_Utf16Edit]:
    """The changes of a delta; a delete next to an insert forms one edit."""
    edits: list[_Utf16Edit] = []
    position = 0
    for sign, units in operations:
        if sign == "=":
            position += units
            continue
        if not edits or edits[-1].end != position:
            edits.append(_Utf16Edit(start=position))
        if sign == "-":
            edits[-1].deleted += units
            position += units
        else:
            edits[-1].inserted += units
    return edits


def _edited(runs: list[Run], edits: list[_Utf16Edit], offset: int, written: Run) -> list[Run]:
    """`runs`, which start at text position `offset`, after the edits.

    Inserted text gets `written`'s author and revision. The kept stretches are
    list slices found by bisection, so a block is copied in C, not run by run.
    """
    run_ends = list(accumulate(run.length for run in runs))
    edited_runs: list[Run] = []
    kept_from = 0
    for edit in edits:
        _join(edited_runs, _slice(runs, run_ends, kept_from, edit.start - offset))
        if edit.inserted:
            _join(edited_runs, [written._replace(length=edit.inserted)])
        kept_from = edit.end - offset
    _join(edited_runs, _slice(runs, run_ends, kept_from, run_ends[-1] if runs else 0))
    return edited_runs


def _slice(runs: list[Run], run_ends: list[int], start: int, stop: int) -> list[Run]:
    """The runs covering units start..stop of `runs`, the outer two trimmed to fit."""
    if start >= stop:
        return []
    first = bisect_right(run_ends, start)  # the run holding unit `start`
    last = bisect_left(run_ends, stop)  # the run holding unit `stop - 1`
    sliced = runs[first : last + 1]
    head_cut = start - (run_ends[first] - runs[first].length)
    if head_cut:
        sliced[0] = _resized(sliced[0], sliced[0].length - head_cut)
    tail_cut = run_ends[last] - stop
    if tail_cut:
        sliced[-1] = _resized(sliced[-1], sliced[-1].length - tail_cut)
    return sliced


def _join(runs: list[Run], more: list[Run]) -> None:
    """Append `more` to `runs`, merging the two runs that meet if they share author and revision."""
    if runs and more and runs[-1][1:] == more[0][1:]:
        runs[-1] = _resized(runs[-1], runs[-1].length + more[0].length)
        more = more[1:]
    runs.extend(more)


def _resized(run: Run, length: int) -> Run:
    # Faster than NamedTuple._replace, which goes through _make.
    return Run(length, run.author, run.revision)


def _merged(runs: Iterable[Run]) -> list[Run]:
    """`runs` with adjacent runs of one author and revision joined, empty runs dropped."""
    merged: list[Run] = []
    for run in runs:
        if not run.length:
            continue
        if merged and merged[-1][1:] == run[1:]:
            merged[-1] = _resized(run, merged[-1].length + run.length)
        else:
            merged.append(run)
    return merged


def _chunked(runs: list[Run]) -> list[list[Run]]:
    """`runs` in blocks of at most MAX_RUNS_PER_BLOCK, about half full after a split."""
    if len(runs) <= MAX_RUNS_PER_BLOCK:
        return [runs] if runs else []
    block_count = -(-len(runs) // (MAX_RUNS_PER_BLOCK // 2))
    size = -(-len(runs) // block_count)
    return [runs[start : start + size] for start in range(0, len(runs), size)]


def _total(block: list[Run]) -> int:
    """The length of a block, in UTF-16 code units."""
    return sum(run.length for run in block)


def _cut_code_points(text: str, runs: list[Run]) -> Iterator[Segment]:
    """Segments of a text whose UTF-16 units are its code points."""
    start = 0
    for run in runs:
        yield Segment(text[start : start + run.length], run.author, run.revision)
        start += run.length


def _cut_utf16(text: str, runs: list[Run]) -> Iterator[Segment]:
    """Segments of a text with characters outside the BMP, cut in UTF-16.

    A run boundary inside a surrogate pair moves after it, so the character
    goes whole to the earlier run and every piece decodes.
    """
    encoded = text.encode("utf-16-le")
    start = boundary = 0
    for run in runs:
        boundary += run.length
        end = max(boundary, start)
        if end * 2 < len(encoded) and _is_low_surrogate(encoded, end):
            end += 1
        if end > start:
            yield Segment(
                encoded[start * 2 : end * 2].decode("utf-16-le"), run.author, run.revision
            )
        start = end


def _is_low_surrogate(encoded: bytes, unit: int) -> bool:
    return 0xDC00 <= int.from_bytes(encoded[unit * 2 : unit * 2 + 2], "little") <= 0xDFFF
