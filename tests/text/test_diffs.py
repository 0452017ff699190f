"""Diffs and deltas: exact round trips, UTF-16 counts like the browser, bounded work."""

import random
import time

import pytest
from diff_match_patch import diff_match_patch
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from drafting.text import diffs
from drafting.text.delta import from_delta
from drafting.text.delta import to_delta
from drafting.text.diffs import DELETE
from drafting.text.diffs import EQUAL
from drafting.text.diffs import INSERT
from drafting.text.diffs import DeltaMismatch
from drafting.text.diffs import added_removed
from drafting.text.diffs import diff
from drafting.text.diffs import differ
from drafting.text.diffs import new_text
from drafting.text.diffs import normalize
from drafting.text.diffs import old_text
from drafting.text.diffs import set_default_timeout

# Characters outside the Basic Multilingual Plane (two UTF-16 code units each),
# combining marks and scripts caucus members write in.
AWKWARD = ["😀", "👍🏽", "🇺🇳", "𝔸", "𓀀", "é", "e\u0301", "中", "ع", "\n", " ", "%", "\t", "+"]
pieces = st.one_of(st.sampled_from(AWKWARD), st.characters(codec="utf-8"))
texts = st.lists(pieces, max_size=40).map("".join)


def js_length(text: str) -> int:
    """The length JavaScript's String.length reports: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def counted_units(delta: str) -> int:
    """The base length a delta claims: the sum of its `=` and `-` counts."""
    return sum(int(token[1:]) for token in delta.split("\t") if token[:1] in ("=", "-"))


def test_diff_rebuilds_both_texts():
    before = "Member States shall ensure access to services."
    after = "All Member States shall guarantee access to essential services."
    changes = diff(before, after)
    assert old_text(changes) == before
    assert new_text(changes) == after


def test_diff_slides_an_insertion_to_word_boundaries():
    # The case SYNC.md describes: the raw diff inserts "18] [c3r", which a
    # fuzzy patch can land inside a neighbour's word.
    before = "[c3r1] [c3r2]"
    after = "[c3r1] [c3r18] [c3r2]"
    assert diff_match_patch().diff_main(before, after) == [
        (EQUAL, "[c3r1] [c3r"),
        (INSERT, "18] [c3r"),
        (EQUAL, "2]"),
    ]
    assert diff(before, after) == [(EQUAL, "[c3r1]"), (INSERT, " [c3r18]"), (EQUAL, " [c3r2]")]


def test_semantic_diff_reads_as_whole_words():
    exact = diff("The mouse ran.", "The sofas ran.")
    readable = diff("The mouse ran.", "The sofas ran.", semantic=True)
    assert len(readable) < len(exact)
    assert readable == [(EQUAL, "The "), (DELETE, "mouse"), (INSERT, "sofas"), (EQUAL, " ran.")]


def test_normalize_slides_a_client_diff_and_keeps_both_texts():
    client_diff = [(EQUAL, "[c3r1] [c3r"), (INSERT, "18] [c3r"), (EQUAL, "2]")]
    assert normalize(client_diff) == [(EQUAL, "[c3r1]"), (INSERT, " [c3r18]"), (EQUAL, " [c3r2]")]


def test_added_removed_counts_characters_not_utf16_units():
    changes = [(EQUAL, "Member States "), (DELETE, "shall"), (INSERT, "must 😀"), (EQUAL, " act.")]
    assert added_removed(changes) == (6, 5)


def test_differ_is_bounded_by_default():
    assert differ().Diff_Timeout == diffs.DEFAULT_TIMEOUT_SECONDS
    assert differ(timeout=0.25).Diff_Timeout == 0.25


@pytest.mark.parametrize("unbounded", [0, -1])
def test_differ_refuses_an_unbounded_timeout(unbounded):
    with pytest.raises(ValueError, match="positive"):
        differ(timeout=unbounded)
    with pytest.raises(ValueError, match="positive"):
        set_default_timeout(unbounded)


def test_default_timeout_is_settable():
    try:
        set_default_timeout(3)
        assert differ().Diff_Timeout == 3.0
    finally:
        set_default_timeout(diffs.DEFAULT_TIMEOUT_SECONDS)


def test_a_large_rewrite_is_diffed_within_the_bound():
    # Half of a 120k-character paper rewritten: unbounded, this takes tens of
    # seconds; bounded, the diff is coarser but still exact.
    rng = random.Random(7)
    words = ["Member", "States", "shall", "ensure", "access", "to", "services", "for", "women"]

    def paragraph() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(20, 80))) + ".\n\n"

    before_paragraphs = [paragraph() for _ in range(400)]
    before = "".join(before_paragraphs)
    after = "".join(p if i % 2 else paragraph() for i, p in enumerate(before_paragraphs))
    started = time.perf_counter()
    changes = diff(before, after, timeout=0.2)
    assert time.perf_counter() - started < 5
    assert old_text(changes) == before
    assert new_text(changes) == after


def test_delta_counts_utf16_units_like_javascript():
    before = "Caucus 😀 text"
    after = "Caucus 😀 texte é%"
    # What the JavaScript port writes: "=14" (the emoji is 2 units, though
    # Python counts it as 1) and encodeURI's escapes with spaces left as is.
    assert to_delta(diff(before, after)) == "=14\t+e %C3%A9%25"
    assert from_delta(before, "=14\t+e %C3%A9%25") == [(EQUAL, before), (INSERT, "e é%")]


def test_a_delta_from_the_browser_applies_after_an_emoji():
    # The browser replaced the "b" after the emoji: keep 3 units, drop 1.
    assert new_text(from_delta("a😀b", "=3\t-1\t+c")) == "a😀c"


def test_a_trailing_tab_is_allowed():
    assert new_text(from_delta("abc", "=3\t+d\t")) == "abcd"


def test_an_empty_delta_fits_an_empty_base():
    assert from_delta("", "") == []


@pytest.mark.parametrize(
    ("base", "delta"),
    [
        pytest.param("abcd", "=3", id="too short"),
        pytest.param("abcd", "=5", id="too long"),
        pytest.param("abcd", "=2\t-3", id="deletes past the end"),
        pytest.param("😀", "=1\t=1", id="splits a surrogate pair"),
        pytest.param("a😀", "=2\t-1", id="splits a surrogate pair at the end"),
        pytest.param("abc", "*3", id="unknown operation"),
        pytest.param("abc", "=+3", id="signed count"),
        pytest.param("abc", "= 3", id="spaced count"),
        pytest.param("abc", "=٣", id="non-ASCII digit"),
        pytest.param("abc", "=", id="no count"),
        pytest.param("abc", "=3\t+%zz", id="bare percent"),
        pytest.param("abc", "=3\t+%FF", id="not UTF-8"),
    ],
)
def test_a_delta_that_does_not_fit_is_refused(base, delta):
    with pytest.raises(DeltaMismatch):
        from_delta(base, delta)


def test_delta_mismatch_is_a_value_error():
    assert issubclass(DeltaMismatch, ValueError)


@settings(max_examples=300, deadline=None)
@given(before=texts, after=texts)
def test_a_delta_rebuilds_the_new_text_exactly(before, after):
    delta = to_delta(diff(before, after))
    assert new_text(from_delta(before, delta)) == after
    assert counted_units(delta) == js_length(before)


@settings(max_examples=200, deadline=None)
@given(before=texts, after=texts)
def test_diff_changes_neither_text(before, after):
    for semantic in (False, True):
        changes = diff(before, after, semantic=semantic)
        assert (old_text(changes), new_text(changes)) == (before, after)
        added, removed = added_removed(changes)
        assert len(before) - removed + added == len(after)


def test_a_diff_has_no_empty_runs():
    """diff-match-patch's line mode left an empty deletion between two equal runs here: the
    "-0" seen in the server's deltas under load (issue 10). No diff of two texts means it."""
    before = (
        "delta alpha beta alpha gamma\nalpha alpha gamma\ngamma\ngamma\n[x] delta gamma\n\n"
        "beta gamma\nalpha gamma\ngamma\n"
    )
    after = (
        "gamma\ndelta alpha beta alpha gamma\nalpha alpha gamma\ngamma\ngamma\nbeta [x] delta "
        "gamma\n\nbeta gamma\nalpha gamma\ngamdelta ma\n"
    )
    dmp = diff_match_patch()
    raw = dmp.diff_main(before, after, True)
    assert any(not text for _op, text in raw)  # the library's own output, as it was seen
    diffs_now = diff(before, after)
    assert all(text for _op, text in diffs_now)
    assert "\t-0" not in to_delta(diffs_now) and not to_delta(diffs_now).startswith("-0")
    assert (old_text(diffs_now), new_text(diffs_now)) == (before, after)
    assert all(text for _op, text in normalize(raw))
