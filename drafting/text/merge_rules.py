"""The rules of the positional merge (drafting/text/merge.py): edits widened to whole words,
the two sides' edits grouped where they meet, and each group resolved by a fixed rule.

The rules themselves are listed in merge.py's docstring; this module is their code.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Literal

OnConflict = Literal["keep_both", "report"]


@dataclass(frozen=True)
class BaseEdit:
    """One change to the base, in its Python characters: `base[start:end]` becomes `text`
    (`start == end` inserts)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Conflict:
    """A part of the base both sides changed differently.

    `base_start`/`base_end` locate it in the base; `ours_text`/`theirs_text` are
    that part as each side left it; `text_start`/`text_end` locate its
    resolution in the merged text.
    """

    base_start: int
    base_end: int
    ours_text: str
    theirs_text: str
    text_start: int
    text_end: int


def widen_to_words(base: str, edits: list[BaseEdit], *, compounds: bool = False) -> list[BaseEdit]:
    """The same change, each edit widened to the whole words it changes.

    Edits that end up in the same word become one. An edit changes the word
    just before it when that word's last character is followed, in the base or
    once the edit is applied, by a word character: inserting "s" after "right"
    changes "right", inserting " now" does not, and deleting the space
    between two words changes both.

    With `compounds` (a save's merge), a hyphen or apostrophe between two word
    characters is part of the word: "alpha-prime" is one word, so writing "-prime"
    after "alpha" changes "alpha", and a change of "prime" meets one of "alpha".
    Two people who each rewrote part of one compound changed the same word, and a
    person decides (live editing keeps both sides' words whatever the rule).
    """
    widened: list[BaseEdit] = []
    run: list[BaseEdit] = []  # edits of one word-widened run, in order
    run_start = run_end = 0
    for edit in edits:
        start, end = _word_span(base, edit, compounds)
        if run and start < run_end:
            run.append(edit)
            run_start, run_end = min(run_start, start), max(run_end, end)
            continue
        if run:
            widened.append(BaseEdit(run_start, run_end, splice(base, run_start, run_end, run)))
        run, run_start, run_end = [edit], start, end
    if run:
        widened.append(BaseEdit(run_start, run_end, splice(base, run_start, run_end, run)))
    return widened


# Characters that join two words into one compound ("alpha-prime", "don't", "l’État").
_JOINERS = frozenset("-\u2010\u2011'\u2019")


def _word_span(base: str, edit: BaseEdit, compounds: bool) -> tuple[int, int]:
    """The part of the base an edit changes: its range and the words it reaches into."""
    start, end = edit.start, edit.end
    before = base[max(0, start - 2) : start]
    after = base[end : end + 2]
    if _glued(before, base[start : start + 2], compounds) or _glued(
        before, (edit.text[:2] + after)[:2], compounds
    ):
        start -= 1  # the last character of the word before (or its joiner)
        while start > 0 and _in_word(base, start - 1, compounds):
            start -= 1
    if _glued(base[max(0, end - 2) : end], after, compounds) or _glued(
        (before + edit.text[-2:])[-2:], after, compounds
    ):
        end += 1
        while end < len(base) and _in_word(base, end, compounds):
            end += 1
    return start, end


def _glued(left: str, right: str, compounds: bool) -> bool:
    """Whether the text ending in `left` and the one starting with `right` make one word."""
    if _is_word(left[-1:]) and _is_word(right[:1]):
        return True
    if not compounds:
        return False
    joined_right = _is_word(left[-1:]) and right[:1] in _JOINERS and _is_word(right[1:2])
    joined_left = left[-1:] in _JOINERS and _is_word(left[-2:-1]) and _is_word(right[:1])
    return joined_right or joined_left


def _in_word(base: str, index: int, compounds: bool) -> bool:
    """Whether `base[index]` belongs to a word: a word character, or a joiner inside one."""
    if _is_word(base[index]):
        return True
    return (
        compounds
        and base[index] in _JOINERS
        and _is_word(base[index - 1 : index])
        and _is_word(base[index + 1 : index + 2])
    )


def _is_word(character: str) -> bool:
    """Whether a character (or "" past either end) belongs to a word.

    Letters and digits of any script, and combining marks: Hindi vowel signs
    and a decomposed "é" are parts of their words.
    """
    return character.isalnum() or unicodedata.category(character or " ").startswith("M")


@dataclass
class _Group:
    """Edits of both sides that meet in `base[start:end]`."""

    base: str
    start: int
    end: int
    ours: list[BaseEdit] = field(default_factory=list)
    theirs: list[BaseEdit] = field(default_factory=list)

    @property
    def ours_version(self) -> str:
        """This part of the base as ours left it."""
        return splice(self.base, self.start, self.end, self.ours)

    @property
    def theirs_version(self) -> str:
        """This part of the base as theirs left it."""
        return splice(self.base, self.start, self.end, self.theirs)

    def reaches(self, edit: BaseEdit) -> bool:
        """Whether the edit meets the part of the base this group covers."""
        return _meet((self.start, self.end), (edit.start, edit.end))

    def add(self, edit: BaseEdit, *, ours: bool) -> None:
        """Take in an edit, widening the group to cover it."""
        (self.ours if ours else self.theirs).append(edit)
        self.start, self.end = min(self.start, edit.start), max(self.end, edit.end)


def groups(base: str, ours_edits: list[BaseEdit], theirs_edits: list[BaseEdit]) -> Iterator[_Group]:
    """The edits of both sides, gathered where they meet, in base order."""
    tagged = [(edit, False) for edit in theirs_edits] + [(edit, True) for edit in ours_edits]
    # Sorting by (start, end) puts an insertion before a region that starts at
    # the same point, so one sweep finds every group. The sort is stable:
    # where both sides have the same range, theirs comes first.
    tagged.sort(key=lambda item: (item[0].start, item[0].end))
    group: _Group | None = None
    for edit, ours in tagged:
        if group is not None and not group.reaches(edit):
            yield group
            group = None
        if group is None:
            group = _Group(base, edit.start, edit.end)
        group.add(edit, ours=ours)
    if group is not None:
        yield group


def _meet(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two ranges of the base are "the same place".

    Two insertion points meet when equal; a point and a region when the point
    is strictly inside; two regions when they share a character. Ranges that
    only touch at an end do not meet: their edits merge cleanly.
    """
    (a_start, a_end), (b_start, b_end) = a, b
    if a_start == a_end and b_start == b_end:
        return a_start == b_start
    if a_start == a_end:
        return b_start < a_start < b_end
    if b_start == b_end:
        return a_start < b_start < a_end
    return a_start < b_end and b_start < a_end


@dataclass(frozen=True)
class _Resolution:
    """A group's merged text, whether the sides conflict there, and where each side's
    writing sits in it: `(side, offset, text)`."""

    text: str
    conflicting: bool = False
    placed: tuple[tuple[str, int, str], ...] = ()


def resolve(group: _Group, on_conflict: OnConflict) -> _Resolution:
    """The merged text of a group, and whether the sides conflict there."""
    theirs_version, ours_version = group.theirs_version, group.ours_version
    if not group.ours:
        return _Resolution(theirs_version, placed=(("theirs", 0, theirs_version),))
    if ours_version == theirs_version:
        both = (("theirs", 0, theirs_version), ("ours", 0, ours_version))
        return _Resolution(theirs_version, placed=both)
    if not group.theirs:
        return _Resolution(ours_version, placed=(("ours", 0, ours_version),))
    if group.start == group.end:  # insertions at one point: keep both, in a stable order
        return _both(theirs_version, ours_version, conflicting=False)
    if not any(edit.text for edit in group.ours + group.theirs):
        # Deletions only; the group is the union of the deleted ranges.
        return _Resolution("")
    if on_conflict == "report":
        return _Resolution(theirs_version, True, (("theirs", 0, theirs_version),))
    # Each base character here is inside an edit of one side or the other (the
    # group is the union of their ranges), so what stays is what each wrote.
    theirs_text = "".join(_whole_insertion(group, edit) for edit in group.theirs)
    ours_text = "".join(_whole_insertion(group, edit) for edit in group.ours)
    return _both(theirs_text, ours_text, conflicting=True)


def _both(theirs_text: str, ours_text: str, *, conflicting: bool) -> _Resolution:
    """Theirs' text, then ours', side by side."""
    text = _side_by_side(theirs_text, ours_text)
    placed = (("theirs", 0, theirs_text), ("ours", len(text) - len(ours_text), ours_text))
    return _Resolution(text, conflicting, placed)


def _whole_insertion(group: _Group, edit: BaseEdit) -> str:
    """What an edit wrote, and for an insertion the base text it may have been typed over.

    A diff may place an insertion anywhere its text repeats the base around it: "[t]" typed
    before "[b]" can come as "t][" after the "[" of "[b]". Where the other side deleted
    "[b]", writing "t][" alone lost the typed "[". The insertion slid as far left as it
    goes, followed by the base text it can slide over ("[t][" here), contains every way of
    placing it, the typed one among them (within the group: outside, the base stays).
    """
    if edit.start != edit.end:
        return edit.text
    base, text, start = group.base, edit.text, edit.start
    while start > group.start and text.endswith(base[start - 1]):
        text, start = base[start - 1] + text[:-1], start - 1
    end, rest = edit.start, edit.text
    while end < group.end and rest.startswith(base[end]):
        rest, end = rest[1:] + base[end], end + 1
    return text + base[start:end]


def conflict_at(group: _Group, text_start: int, text_end: int) -> Conflict:
    """The conflict of a group whose resolution is `text_start:text_end` of the merged text."""
    return Conflict(
        group.start, group.end, group.ours_version, group.theirs_version, text_start, text_end
    )


def _side_by_side(first: str, second: str) -> str:
    """Two alternatives one after the other, with a space if they would form one word.

    Only between two word characters: a diff may place an insertion anywhere its text
    repeats, e.g. "[a]" typed before "[b]" as "a][" after the "[", and a space put
    between two such insertions at one point ("…][ a][b]") cut the typed "[a]" apart.
    """
    if first and second and _is_word(first[-1]) and _is_word(second[0]):
        return f"{first} {second}"
    return first + second


def splice(base: str, start: int, end: int, edits: list[BaseEdit]) -> str:
    """`base[start:end]` with the edits (in order, inside it) applied."""
    pieces = []
    position = start
    for edit in edits:
        pieces += [base[position : edit.start], edit.text]
        position = edit.end
    pieces.append(base[position:end])
    return "".join(pieces)
