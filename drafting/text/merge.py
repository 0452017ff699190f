"""Three-way merge by position: two edits of the same base, joined without guessing.

SYNC.md, "Merging: positions, not guesses". `theirs` is the head (the server
text, whose changes are already accepted); `ours` is the incoming text (a
client's sync, or a save with a stale base). Both diffs are taken from `base`,
so every change of either side has an exact place in `base`, and lands there:
never where similar text happens to be, as a fuzzy patch does between
repeated clauses.

An insertion that a diff split around base text ("✊[t" and "]🏽" around a
base "✊🏽", for "[t✊🏽]" typed inside it) is first made one insertion again
(`join_split_insertions`), so that the other side cannot delete its middle.
Each change is then widened to the whole words it changes (typing "s" at
the end of "right" changes the word "right"), so that the sides meet at word
granularity; for a save, a hyphen or apostrophe between two letters joins one
compound word ("alpha-prime", "State's"), whose parts a person decides. Then
the changes of both sides are grouped where they meet, and each group is
resolved by a fixed rule:

- a change only one side made is applied as is; changes that merely touch at
  a boundary do not meet (an insertion at the start of a changed region goes
  before it, one at its end after it);
- the same change made by both sides is applied once;
- insertions at one point are all kept, theirs first, then ours (with a space
  between only when they would otherwise run together into one word: two word
  characters; any other space could cut a typed token in two);
- deletions only: whatever either side deleted goes;
- anything else is a conflict. With `keep_both` (live editing) nobody's words
  are dropped: each character of the base there was removed by one side or
  the other, and theirs' new words are followed by ours' (with a space
  between when they would otherwise run together; an insertion is kept with the
  base text a diff could have slid it over). With `report` (saves)
  theirs' version stays and the conflict is returned, for the caller to
  answer 409 and let a person decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Literal

from drafting.text.diffs import DELETE
from drafting.text.diffs import EQUAL
from drafting.text.diffs import Diffs
from drafting.text.diffs import diff
from drafting.text.diffs import differ
from drafting.text.diffs import normalize
from drafting.text.diffs import old_text
from drafting.text.merge_rules import BaseEdit
from drafting.text.merge_rules import Conflict
from drafting.text.merge_rules import OnConflict
from drafting.text.merge_rules import conflict_at
from drafting.text.merge_rules import groups
from drafting.text.merge_rules import resolve
from drafting.text.merge_rules import splice
from drafting.text.merge_rules import widen_to_words

ON_CONFLICT_CHOICES = ("keep_both", "report")


@dataclass(frozen=True)
class Part:
    """A stretch of the merged text and what each side had there (all equal if untouched)."""

    theirs: str
    ours: str
    merged: str


@dataclass(frozen=True)
class MergeResult:
    """The merged text and the conflicts met on the way (none: a clean merge).

    `parts` cut the merged text, theirs and ours alike into corresponding stretches, so
    the change from either side to the merged text is known by position (`diffs_from`).
    `lost` lists what a side inserted that is not where the merge placed it: it must stay
    empty for both sides in a `keep_both` merge (for ours, a `report` conflict leaves
    ours' words out on purpose).
    """

    text: str
    conflicts: list[Conflict] = field(default_factory=list)
    parts: tuple[Part, ...] = ()
    lost: dict[str, tuple[str, ...]] = field(default_factory=lambda: {"ours": (), "theirs": ()})

    @property
    def clean(self) -> bool:
        """Whether the two sides never changed the same place differently."""
        return not self.conflicts

    def diffs_from(self, side: Literal["ours", "theirs"]) -> Diffs:
        """The diffs that turn that side's text into the merged text.

        Built part by part: the untouched stretches are equal, and only the short changed
        parts are diffed, so what moved elsewhere never makes the diff coarse.
        """
        diffs: Diffs = []
        for part in self.parts:
            before = part.ours if side == "ours" else part.theirs
            diffs += [(EQUAL, before)] if before == part.merged else diff(before, part.merged)
        return normalize(diffs)  # one run where neighbouring parts' runs meet


def merge(
    base: str,
    ours: str,
    theirs: str,
    *,
    on_conflict: OnConflict = "keep_both",
    timeout: float | None = None,
) -> MergeResult:
    """Merge the change from `base` to `ours` into `theirs`, another edit of `base`."""
    # Not only faster: a diff cut short by its timeout can come out coarser on
    # a second try, and two descriptions of one change must not both apply.
    if ours in (base, theirs):
        return MergeResult(theirs, parts=(Part(theirs, ours, theirs),))
    if theirs == base:
        return MergeResult(ours, parts=(Part(theirs, ours, ours),))
    ours_edits = join_split_insertions(base, edits_from_diffs(diff(base, ours, timeout=timeout)))
    theirs_edits = join_split_insertions(
        base, edits_from_diffs(diff(base, theirs, timeout=timeout))
    )
    return merge_edits(base, ours_edits, theirs_edits, on_conflict=on_conflict)


def merge_diffs(
    base: str, ours_diffs: Diffs, theirs_diffs: Diffs, *, on_conflict: OnConflict = "keep_both"
) -> MergeResult:
    """Merge two diffs of `base`, such as a client's delta against the shadow and the head's.

    The diffs are normalized first: a client's diff may not be slid to word
    boundaries, and the server does not rely on clients for that.
    """
    for side, diffs in (("ours", ours_diffs), ("theirs", theirs_diffs)):
        if old_text(diffs) != base:
            raise ValueError(f"the {side} diffs do not start from the base text")
    ours_edits = join_split_insertions(base, edits_from_diffs(normalize(ours_diffs)))
    theirs_edits = join_split_insertions(base, edits_from_diffs(normalize(theirs_diffs)))
    return merge_edits(base, ours_edits, theirs_edits, on_conflict=on_conflict)


def edits_from_diffs(diffs: Diffs) -> list[BaseEdit]:
    """The diffs as edits of their old text: one per run of changes between equal stretches."""
    edits: list[BaseEdit] = []
    position = 0  # in the old text
    run_start: int | None = None
    inserted: list[str] = []
    for op, text in diffs:
        if op == EQUAL and text:
            if run_start is not None:
                edits.append(BaseEdit(run_start, position, "".join(inserted)))
                run_start, inserted = None, []
            position += len(text)
        elif op != EQUAL:
            run_start = position if run_start is None else run_start
            if op == DELETE:
                position += len(text)
            else:
                inserted.append(text)
    if run_start is not None:
        edits.append(BaseEdit(run_start, position, "".join(inserted)))
    return [edit for edit in edits if edit.start < edit.end or edit.text]


def join_split_insertions(base: str, edits: list[BaseEdit]) -> list[BaseEdit]:
    """The same change, with each insertion that a diff split around base text made whole.

    Typing "[t✊🏽]" between the "✊" and the "🏽" of a base "✊🏽" can be diffed as
    "✊[t" inserted before the base "✊🏽" and "]🏽" after it. Merged with someone's deletion
    of that "✊🏽", the typed token lost its middle. Two insertions around base text that
    together with it read as one insertion into it become that one insertion (the first
    place that works), so the typed text stays in one piece whatever the other side did.
    """
    joined: list[BaseEdit] = []
    for edit in edits:
        previous = joined[-1] if joined else None
        if previous is not None and previous.start == previous.end and edit.start == edit.end:
            whole = _as_one_insertion(base[previous.end : edit.start], previous.text, edit.text)
            if whole is not None:
                offset, text = whole
                joined[-1] = BaseEdit(previous.end + offset, previous.end + offset, text)
                continue
        joined.append(edit)
    return joined


def _as_one_insertion(between: str, first: str, second: str) -> tuple[int, str] | None:
    """Where in `between` one insertion gives `first + between + second`, and its text.

    Only where the typed text could hold `between` (a longer one is base text between two
    separate insertions; `between` may be most of a 150,000-character paper, and trying
    every offset of it took 130 ms a sync). The offsets that work are those up to the
    common prefix of the two texts and from where their common suffix starts.
    """
    if len(between) > len(first) + len(second):
        return None
    whole = first + between + second
    dmp = differ()
    lowest = len(between) - dmp.diff_commonSuffix(whole, between)
    if lowest > dmp.diff_commonPrefix(whole, between):
        return None
    return lowest, whole[lowest : len(whole) - (len(between) - lowest)]


def apply_edits(base: str, edits: list[BaseEdit]) -> str:
    """`base` with the edits (in order, not overlapping) applied."""
    return splice(base, 0, len(base), edits)


def merge_edits(
    base: str,
    ours_edits: list[BaseEdit],
    theirs_edits: list[BaseEdit],
    *,
    on_conflict: OnConflict = "keep_both",
) -> MergeResult:
    """Merge two lists of edits of `base`, by position (the rules are in the module docstring)."""
    if on_conflict not in ON_CONFLICT_CHOICES:
        raise ValueError(f"on_conflict must be one of {ON_CONFLICT_CHOICES}, not {on_conflict!r}")
    _check_edits(base, ours_edits, "ours")
    _check_edits(base, theirs_edits, "theirs")
    # A save's conflict is a person's decision: parts of one compound word are one word.
    compounds = on_conflict == "report"
    ours_words = widen_to_words(base, ours_edits, compounds=compounds)
    theirs_words = widen_to_words(base, theirs_edits, compounds=compounds)
    parts: list[Part] = []
    conflicts: list[Conflict] = []
    placed: dict[str, list[tuple[int, str]]] = {"ours": [], "theirs": []}
    merged_length = 0
    position = 0  # the base is copied up to here
    for group in groups(base, ours_words, theirs_words):
        untouched = base[position : group.start]
        resolution = resolve(group, on_conflict)
        text_start = merged_length + len(untouched)
        if resolution.conflicting:
            conflicts.append(conflict_at(group, text_start, text_start + len(resolution.text)))
        for side, offset, written in resolution.placed:
            placed[side].append((text_start + offset, written))
        parts += [
            Part(untouched, untouched, untouched),
            Part(group.theirs_version, group.ours_version, resolution.text),
        ]
        merged_length = text_start + len(resolution.text)
        position = group.end
    parts.append(Part(base[position:], base[position:], base[position:]))
    text = "".join(part.merged for part in parts)
    lost = {
        "ours": _lost(text, placed["ours"], ours_edits),
        "theirs": _lost(text, placed["theirs"], theirs_edits),
    }
    return MergeResult(
        text,
        conflicts,
        tuple(part for part in parts if part.merged or part.ours or part.theirs),
        lost,
    )


def _lost(text: str, placed: list[tuple[int, str]], edits: list[BaseEdit]) -> tuple[str, ...]:
    """The insertions of `edits` not found, in order, in the stretches placed for them.

    A stretch counts only if the merged text really holds it at its offset. Each
    insertion is looked for from where the one before it was found (the merge keeps a
    side's edits in order), so an insertion that a rule dropped or cut apart is reported
    even when the same words occur elsewhere.
    """
    stretches = [
        written for offset, written in placed if text[offset : offset + len(written)] == written
    ]
    lost: list[str] = []
    index, cursor = 0, 0
    for edit in (edit for edit in edits if edit.text):
        place = _find_from(stretches, edit.text, index, cursor)
        if place is None:
            lost.append(edit.text)  # the next ones are looked for from the same place
        else:
            index, cursor = place
    return tuple(lost)


def _find_from(stretches: list[str], text: str, index: int, cursor: int) -> tuple[int, int] | None:
    """Where `text` first ends in `stretches`, from `cursor` in stretch `index` on."""
    while index < len(stretches):
        found = stretches[index].find(text, cursor)
        if found >= 0:
            return index, found + len(text)
        index, cursor = index + 1, 0
    return None


def _check_edits(base: str, edits: list[BaseEdit], side: str) -> None:
    """Refuse edits that lie outside the base, come out of order, overlap, or have no order."""
    previous: BaseEdit | None = None
    for edit in edits:
        if not 0 <= edit.start <= edit.end <= len(base):
            raise ValueError(f"{side} edit {edit} lies outside the base text")
        if previous is not None and (
            edit.start < previous.end or edit.start == edit.end == previous.start == previous.end
        ):
            # Two insertions at one point would have no order to keep.
            raise ValueError(f"{side} edits {previous} and {edit} overlap or are out of order")
        previous = edit
