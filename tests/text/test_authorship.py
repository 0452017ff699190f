"""Authorship: runs built from revision deltas, checked against a per-character model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest.mock import patch
from urllib.parse import unquote

import pytest
from diff_match_patch import diff_match_patch
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from drafting.text import authorship as authorship_module
from drafting.text.authorship import Authorship
from drafting.text.authorship import Run
from drafting.text.authorship import Segment
from drafting.text.delta import utf16_length

DMP = diff_match_patch()
EQUAL, DELETE, INSERT = DMP.DIFF_EQUAL, DMP.DIFF_DELETE, DMP.DIFF_INSERT


def delta(before: str, after: str) -> str:
    """The delta diff-match-patch computes from `before` to `after`."""
    return DMP.diff_toDelta(DMP.diff_main(before, after))


def edit_delta(text: str, start: int, deleted: int, inserted: str) -> str:
    """The delta of one edit exactly as made: no diff guessing where it was."""
    diffs = [
        (EQUAL, text[:start]),
        (DELETE, text[start : start + deleted]),
        (INSERT, inserted),
        (EQUAL, text[start + deleted :]),
    ]
    return DMP.diff_toDelta([(op, piece) for op, piece in diffs if piece])


def written(*revisions: tuple[str, int]) -> tuple[Authorship, str]:
    """The authorship and text after each (text, author) revision, numbered from 1."""
    authorship, text = Authorship.empty(), ""
    for number, (new_text, author) in enumerate(revisions, start=1):
        authorship.apply(delta(text, new_text), author=author, revision=number)
        text = new_text
    return authorship, text


@contextmanager
def small_blocks() -> Iterator[None]:
    """Blocks of a few runs, so that short test texts span many blocks."""
    with (
        patch.object(authorship_module, "MAX_RUNS_PER_BLOCK", 4),
        patch.object(authorship_module, "MIN_RUNS_PER_BLOCK", 2),
    ):
        yield


# Unit tests


def test_empty_document_has_no_runs() -> None:
    empty = Authorship.empty()
    assert empty.runs() == []
    assert empty.length == 0
    assert empty.counts() == {}
    assert empty.segments("") == []


def test_first_revision_belongs_to_its_author() -> None:
    authorship, text = written(("Women on the move", 7))
    assert authorship.runs() == [Run(17, 7, 1)]
    assert authorship.segments(text) == [Segment("Women on the move", 7, 1)]


@pytest.mark.parametrize(
    ("new_text", "expected"),
    [
        ("Draft: Women on the move", [Run(7, 2, 2), Run(17, 1, 1)]),
        ("Women, all, on the move", [Run(5, 1, 1), Run(6, 2, 2), Run(12, 1, 1)]),
        ("Women on the move now", [Run(17, 1, 1), Run(4, 2, 2)]),
    ],
    ids=["start", "middle", "end"],
)
def test_insert(new_text: str, expected: list[Run]) -> None:
    authorship, _ = written(("Women on the move", 1), (new_text, 2))
    assert authorship.runs() == expected


def test_delete_across_runs() -> None:
    authorship, text = written(("aaaa", 1), ("aaaabbbb", 2), ("aaaabbbbcccc", 3), ("aacc", 4))
    assert text == "aacc"
    assert authorship.runs() == [Run(2, 1, 1), Run(2, 3, 3)]


def test_replace_credits_the_new_words_only() -> None:
    authorship, text = written(("States should act", 1))
    authorship.apply(edit_delta(text, 7, 6, "shall"), author=2, revision=2)
    assert authorship.segments("States shall act") == [
        Segment("States ", 1, 1),
        Segment("shall", 2, 2),
        Segment(" act", 1, 1),
    ]


def test_runs_of_the_same_revision_merge() -> None:
    authorship = Authorship.empty().apply("+ab", author=1, revision=1)
    authorship.apply("=1\t+xy\t=1", author=2, revision=2)
    authorship.apply("=1\t-2\t=1", author=3, revision=3)
    assert authorship.runs() == [Run(2, 1, 1)]


def test_emoji_counts_two_units() -> None:
    authorship, text = written(("Rights 🌍", 1), ("Rights 🌍🤝 now", 2))
    assert authorship.length == utf16_length(text) == len(text) + 2
    assert authorship.counts() == {1: 9, 2: 6}
    assert authorship.segments(text) == [Segment("Rights 🌍", 1, 1), Segment("🤝 now", 2, 2)]


def test_segments_keep_a_split_surrogate_pair_whole() -> None:
    # Runs that cut an emoji in two (a delta from a client that split it).
    authorship = Authorship([Run(2, 1, 1), Run(1, 2, 2), Run(2, 3, 3)])
    assert authorship.segments("ab🌍c") == [
        Segment("ab", 1, 1),
        Segment("🌍", 2, 2),
        Segment("c", 3, 3),
    ]


def test_counts_add_up_per_author() -> None:
    authorship, _ = written(("one two", 1), ("one two three", 2), ("one, two three", 1))
    assert authorship.counts() == {1: 8, 2: 6}


@pytest.mark.parametrize(
    "bad_delta",
    ["=3", "=5\t-2", "-7", "+x", "=abc", "*6", "=-1\t=7", "=6\t=²"],
)
def test_delta_that_does_not_fit_raises_and_changes_nothing(bad_delta: str) -> None:
    authorship, _ = written(("abcdef", 1))
    with pytest.raises(ValueError, match="delta"):
        authorship.apply(bad_delta, author=2, revision=2)
    assert authorship.runs() == [Run(6, 1, 1)]


def test_trailing_tab_is_allowed() -> None:
    authorship = Authorship.empty().apply("+abc\t", author=1, revision=1)
    assert authorship.length == 3


def test_inserted_text_is_url_decoded_before_counting() -> None:
    authorship = Authorship.empty().apply("+%F0%9F%8C%8D%20%25", author=1, revision=1)
    assert authorship.length == 4  # 🌍 (2), space, %


def test_segments_refuse_a_text_of_another_length() -> None:
    authorship, _ = written(("abc", 1))
    with pytest.raises(ValueError, match="UTF-16"):
        authorship.segments("abcd")


def test_json_round_trip() -> None:
    authorship, _ = written(("one two", 1), ("one two three", 2), ("one, two three", 3))
    cached = authorship.to_json()
    assert cached == "[3,1,1,1,3,3,4,1,1,6,2,2]"
    assert Authorship.from_json(cached) == authorship
    assert Authorship.from_json(cached).runs() == authorship.runs()


@pytest.mark.parametrize("cached", ['{"runs": []}', "[1,2]", "[1,2,true]", "[0,1,1]", '[1,"a",1]'])
def test_from_json_refuses_malformed_input(cached: str) -> None:
    with pytest.raises(ValueError, match="cached authorship"):
        Authorship.from_json(cached)


def test_runs_cannot_have_negative_lengths() -> None:
    with pytest.raises(ValueError, match="negative"):
        Authorship([Run(3, 1, 1), Run(-1, 2, 2)])


def test_copy_is_independent() -> None:
    authorship, _ = written(("abc", 1))
    earlier = authorship.copy()
    authorship.apply("=3\t+d", author=2, revision=2)
    assert earlier.runs() == [Run(3, 1, 1)]
    assert authorship.length == 4


def test_edits_across_many_blocks() -> None:
    with small_blocks():
        authorship, text = Authorship.empty(), ""
        for revision in range(1, 41):
            new_text = text[: revision // 2] + f"<{revision}>" + text[revision // 2 :]
            authorship.apply(delta(text, new_text), author=revision % 3, revision=revision)
            text = new_text
        assert len(authorship._blocks) > 5
        sweeping = text[::2]  # one delta touching every block
        authorship.apply(delta(text, sweeping), author=9, revision=41)
        assert "".join(segment.text for segment in authorship.segments(sweeping)) == sweeping
        assert authorship.length == len(sweeping)


# Properties: every character is credited to the revision that wrote it.

ALPHABET = "ab \n🌍é"


@st.composite
def edit_chains(draw: st.DrawFn) -> list[tuple[float, int, str, int]]:
    """Edits as (where, how many characters to delete, what to insert, author)."""
    return draw(
        st.lists(
            st.tuples(
                st.floats(min_value=0, max_value=1),
                st.integers(min_value=0, max_value=6),
                st.text(alphabet=ALPHABET, max_size=8),
                st.integers(min_value=1, max_value=4),
            ),
            min_size=1,
            max_size=25,
        )
    )


@settings(max_examples=200, deadline=None)
@given(edit_chains())
def test_every_surviving_character_is_credited_to_its_revision(
    edits: list[tuple[float, int, str, int]],
) -> None:
    with small_blocks():
        authorship, text = Authorship.empty(), ""
        # Ground truth: (author, revision) for each character of the text.
        credited: list[tuple[int, int]] = []
        for revision, (where, deleted, inserted, author) in enumerate(edits, start=1):
            start = round(where * len(text))
            deleted = min(deleted, len(text) - start)
            authorship.apply(
                edit_delta(text, start, deleted, inserted), author=author, revision=revision
            )
            text = text[:start] + inserted + text[start + deleted :]
            credited[start : start + deleted] = [(author, revision)] * len(inserted)

            assert authorship.length == utf16_length(text)
            segments = authorship.segments(text)
            assert "".join(segment.text for segment in segments) == text
            assert per_character(segments) == credited


def per_character(segments: list[Segment]) -> list[tuple[int, int]]:
    """(author, revision) for each character the segments cover."""
    return [(segment.author, segment.revision) for segment in segments for _ in segment.text]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet=ALPHABET, max_size=30), st.integers(1, 4)), max_size=12))
def test_diff_match_patch_deltas_match_a_per_unit_model(revisions: list[tuple[str, int]]) -> None:
    with small_blocks():
        authorship, text = Authorship.empty(), ""
        model: list[tuple[int, int]] = []  # (author, revision) per UTF-16 unit
        for revision, (new_text, author) in enumerate(revisions, start=1):
            revision_delta = delta(text, new_text)
            authorship.apply(revision_delta, author=author, revision=revision)
            model = applied_to_model(model, revision_delta, (author, revision))
            text = new_text

            assert per_unit(authorship.runs()) == model
            assert Authorship.from_json(authorship.to_json()) == authorship
            assert sum(authorship.counts().values()) == utf16_length(text)


def applied_to_model(
    model: list[tuple[int, int]], revision_delta: str, credit: tuple[int, int]
) -> list[tuple[int, int]]:
    """The naive reading of a delta, one list entry per UTF-16 unit."""
    result, position = [], 0
    for token in filter(None, revision_delta.split("\t")):
        sign, argument = token[0], token[1:]
        if sign == "=":
            result += model[position : position + int(argument)]
        if sign in "=-":
            position += int(argument)
        else:
            result += [credit] * utf16_length(unquote(argument))
    assert position == len(model)
    return result


def per_unit(runs: list[Run]) -> list[tuple[int, int]]:
    """(author, revision) for each UTF-16 unit the runs cover."""
    return [(run.author, run.revision) for run in runs for _ in range(run.length)]
