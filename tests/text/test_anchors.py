"""Anchors: found by their quote once, then followed by position; orphaned, never moved."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from drafting.text.anchors import DELETE
from drafting.text.anchors import EQUAL
from drafting.text.anchors import INSERT
from drafting.text.anchors import Anchor
from drafting.text.anchors import Span
from drafting.text.anchors import SpanEdit
from drafting.text.anchors import SpanMapper
from drafting.text.anchors import Utf16Index
from drafting.text.anchors import edits_of_delta
from drafting.text.anchors import edits_of_diffs
from drafting.text.anchors import follow_spans
from drafting.text.anchors import locate
from drafting.text.anchors import map_span
from drafting.text.anchors import map_through
from drafting.text.anchors import occurrences
from drafting.text.delta import to_delta
from drafting.text.delta import utf16_length
from drafting.text.diffs import diff

# Text around the passage, and the passage itself, from disjoint alphabets (emoji in
# both): an edit of the surroundings can then never be read as an edit of the passage.
AROUND = st.text(alphabet="ab c\n.😀é", max_size=40)
PASSAGE = st.text(alphabet="XYZ 🌍", min_size=1, max_size=15).filter(lambda p: p.strip())
SETTINGS = settings(max_examples=300, deadline=None)


def follow(old: str, new: str, span: Span, diffs=None) -> tuple[Span | None, Span | None]:
    """The span mapped through old → new as diffs (characters) and as a delta (UTF-16),
    the latter converted back to characters in the new text."""
    diffs = diff(old, new) if diffs is None else diffs
    by_chars = map_span(span, diffs)
    by_units = map_span(Utf16Index(old).span_to_utf16(span), to_delta(diffs))
    return by_chars, by_units and Utf16Index(new).span_to_chars(by_units)


def around(*parts: tuple[str, str] | str) -> list:
    """A change that edits each (old, new) pair and keeps each plain string as it is: the
    passage is untouched whatever a diff of the whole texts would make of it."""
    diffs = []
    for part in parts:
        diffs += [(EQUAL, part)] if isinstance(part, str) else diff(*part)
    return diffs


def test_locate_finds_the_one_occurrence():
    text = "the rights of women; the rights of girls"
    assert locate(text, Anchor("rights of women")) == Span(4, 19)
    assert locate(text, Anchor("the rights")) is None  # twice: ambiguous
    assert len(occurrences(text, Anchor("the rights"))) == 2
    assert locate(text, Anchor("the rights", suffix=" of girls")) == Span(21, 31)
    assert locate(text, Anchor("rights", prefix="; the ")) == Span(25, 31)
    assert locate(text, Anchor("absent")) is None
    assert locate(text, Anchor("")) is None


def test_the_units_of_a_delta_are_utf16():
    old, new = "a😀b", "a😀xb"
    assert edits_of_delta(to_delta(diff(old, new))) == [(3, 3, 1)]  # after 😀: 3 units
    assert edits_of_diffs(diff(old, new)) == [(2, 2, 1)]  # 2 characters
    index = Utf16Index("x😀y😀z")
    assert [index.to_utf16(p) for p in range(6)] == [0, 1, 3, 4, 6, 7]
    assert [index.to_chars(u) for u in range(8)] == [0, 1, 1, 2, 3, 3, 4, 5]


def test_edits_at_the_edges():
    span = Span(4, 10)  # "rights" in "the rights of"
    assert map_through(span, [SpanEdit(4, 4, 3)]) == Span(7, 13)  # typed at its start: before it
    assert map_through(span, [SpanEdit(10, 10, 3)]) == Span(4, 10)  # at its end: after it
    assert map_through(span, [SpanEdit(6, 6, 2)]) == Span(4, 12)  # inside: it grows
    assert map_through(span, [SpanEdit(2, 6, 1)]) == Span(2, 7)  # its start replaced: cut there
    assert map_through(span, [SpanEdit(8, 12, 0)]) == Span(4, 8)  # its end deleted
    assert map_through(span, [SpanEdit(4, 10, 5)]) is None  # replaced whole
    assert map_through(span, [SpanEdit(0, 13, 0)]) is None  # deleted with more


def test_a_rewritten_sentence_is_not_followed_by_its_stray_letters():
    old = "Member States shall protect the rights of migrant women.\n"
    new = "Gone.\n"
    span = locate(old, Anchor("rights of migrant women"))
    assert follow(old, new, span) == (None, None)


@SETTINGS
@given(AROUND, PASSAGE, AROUND, AROUND, AROUND)
def test_an_anchor_follows_its_passage_through_edits_around_it(
    before, passage, after, new_before, new_after
):
    old = before + passage + after
    new = new_before + passage + new_after
    span = Span(len(before), len(before) + len(passage))
    expected = Span(len(new_before), len(new_before) + len(passage))
    change = around((before, new_before), passage, (after, new_after))
    assert follow(old, new, span, change) == (expected, expected)


@SETTINGS
@given(AROUND, PASSAGE, AROUND, AROUND, AROUND, AROUND, AROUND)
def test_an_anchor_stays_on_its_occurrence_of_a_repeated_quote(
    before, passage, middle, after, new_before, new_middle, new_after
):
    old = before + passage + middle + passage + after
    new = new_before + passage + new_middle + passage + new_after
    second = len(before) + len(passage) + len(middle)
    found = locate(old, Anchor(passage, prefix=middle[-10:] if middle else before + passage))
    if found is not None:  # the context told the occurrences apart
        assert found == Span(second, second + len(passage))
    span = Span(second, second + len(passage))
    new_second = len(new_before) + len(passage) + len(new_middle)
    expected = Span(new_second, new_second + len(passage))
    change = around(
        (before, new_before), passage, (middle, new_middle), passage, (after, new_after)
    )
    assert follow(old, new, span, change) == (expected, expected)


@st.composite
def changes_deleting_the_passage(draw):
    """A change (as diffs) that deletes the passage, may edit around it, and may write the
    same words again elsewhere: the passage is gone all the same."""
    before, passage, after = draw(AROUND), draw(PASSAGE), draw(AROUND)
    diffs = []
    if before:
        diffs.append((draw(st.sampled_from([EQUAL, DELETE])), before))
    if draw(st.booleans()):
        diffs.append((INSERT, draw(AROUND) + passage))  # the same words, written anew
    diffs.append((DELETE, passage))
    if draw(st.booleans()):
        diffs.append((INSERT, draw(st.text(alphabet="XYZ🌍", max_size=10))))  # rewritten
    if after:
        diffs.append((draw(st.sampled_from([EQUAL, DELETE])), after))
    if draw(st.booleans()):
        diffs.append((INSERT, passage))
    return diffs, Span(len(before), len(before) + len(passage))


@SETTINGS
@given(changes_deleting_the_passage())
def test_a_deleted_passage_is_orphaned_never_moved(change):
    diffs, span = change
    assert map_span(span, diffs) is None
    old = "".join(text for op, text in diffs if op != INSERT)
    units = Utf16Index(old).span_to_utf16(span)
    assert map_span(units, to_delta(diffs)) is None


@SETTINGS
@given(AROUND, PASSAGE, AROUND, st.text(alphabet="ab XYZ😀🌍", max_size=60))
def test_delta_and_diffs_agree_on_any_edit(before, passage, after, new):
    old = before + passage + after
    span = Span(len(before), len(before) + len(passage))
    by_chars, by_units = follow(old, new, span)
    assert by_chars == by_units
    if by_chars is not None:
        assert 0 <= by_chars.start < by_chars.end <= len(new)


@SETTINGS
@given(
    st.text(alphabet="ab XY😀", max_size=60),
    st.text(alphabet="ab XY😀", max_size=60),
    st.lists(st.tuples(st.integers(0, 80), st.integers(1, 20)), min_size=1, max_size=8),
)
def test_the_batch_mapper_agrees_with_mapping_one_by_one(old, new, spans):
    units = utf16_length(old)
    delta = to_delta(diff(old, new))
    edits = edits_of_delta(delta)
    mapper = SpanMapper.of_delta(delta)
    fitting = [Span(start, start + length) for start, length in spans if start + length <= units]
    for span in fitting:
        assert mapper.map(span) == map_through(span, edits)
    assert mapper.map_all(fitting) == [map_through(span, edits) for span in fitting]


@SETTINGS
@given(st.text(alphabet="ab😀é\n", max_size=50), st.text(alphabet="ab😀é\n", max_size=50))
def test_edits_describe_the_change(old, new):
    """Applying the edits' lengths to the old length gives the new length, in both units."""
    diffs = diff(old, new)
    for edits, old_length, new_length in (
        (edits_of_diffs(diffs), len(old), len(new)),
        (edits_of_delta(to_delta(diffs)), utf16_length(old), utf16_length(new)),
    ):
        growth = sum(edit.inserted - (edit.end - edit.start) for edit in edits)
        assert old_length + growth == new_length
        assert all(a.end < b.start for a, b in itertools.pairwise(edits))


def chain_of(*texts: str) -> list[tuple[int, str]]:
    """(version, forward delta) of each text after the first, which is version 0."""
    return [
        (version, to_delta(diff(old, new)))
        for version, (old, new) in enumerate(itertools.pairwise(texts), start=1)
    ]


@st.composite
def walks(draw):
    """A chain of edits of a text (versions 1…n after version 0), and spans at its versions
    (UTF-16 units of the text at the span's version)."""
    text = draw(st.text(alphabet="ab XY😀\n", max_size=40))
    texts = [text]
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text)))
        end = min(len(text), start + draw(st.integers(0, 8)))
        text = text[:start] + draw(st.text(alphabet="ab XY😀", max_size=6)) + text[end:]
        texts.append(text)
    spans = []
    for _ in range(draw(st.integers(0, 8))):
        version = draw(st.integers(0, len(texts) - 1))
        units = utf16_length(texts[version])
        if units:
            start = draw(st.integers(0, units - 1))
            spans.append((version, Span(start, draw(st.integers(start + 1, units)))))
    return spans, chain_of(*texts)


@settings(max_examples=60, deadline=None)
@given(walks())
def test_following_many_spans_agrees_with_mapping_each_through_each_delta(walk):
    spans, deltas = walk
    expected = []
    for version, span in spans:
        mapped: Span | None = span
        for delta_version, delta in deltas:
            if delta_version > version and mapped is not None:
                mapped = map_span(mapped, delta)
        expected.append(mapped)
    assert follow_spans(spans, deltas) == expected


def test_a_span_joins_the_walk_at_its_own_version():
    deltas = chain_of(
        "the rights of women",
        "Now the rights of women",  # version 1
        "Now the rights of all women",  # version 2
    )
    rights_at_0, women_at_1, now_at_2 = Span(4, 10), Span(18, 23), Span(0, 3)
    assert follow_spans([(1, women_at_1), (0, rights_at_0), (2, now_at_2)], deltas) == [
        Span(22, 27),  # moved by version 2's "all " only, not again by version 1's "Now "
        Span(8, 14),
        now_at_2,  # at the last version: nothing to follow
    ]
    assert follow_spans([], deltas) == []
    assert follow_spans([(0, rights_at_0)], []) == [rights_at_0]


def test_an_orphaned_span_stays_orphaned_when_its_words_come_back():
    deltas = chain_of(
        "the rights of women",
        "the of women",  # version 1: "rights " deleted
        "the rights of women",  # version 2: the same words written again
    )
    rights, women = Span(4, 10), Span(14, 19)
    assert follow_spans([(0, rights), (0, women), (1, Span(4, 6))], deltas) == [
        None,
        women,
        Span(11, 13),  # "of", at version 1: joined after the deletion
    ]


def test_following_needs_every_delta_after_each_span():
    deltas = chain_of("a", "ab", "abc", "abcd")
    with pytest.raises(ValueError, match="consecutive"):
        follow_spans([(0, Span(0, 1))], [deltas[0], deltas[2]])
    with pytest.raises(ValueError, match="older"):
        follow_spans([(0, Span(0, 1))], deltas[1:])  # version 1's delta is missing
    assert follow_spans([(1, Span(0, 1))], deltas[1:]) == [Span(0, 1)]
