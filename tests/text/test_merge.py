"""The positional three-way merge: exact places in repetitive text, fixed rules, no doubles."""

import itertools
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from diff_match_patch import diff_match_patch
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from drafting.text.delta import from_delta
from drafting.text.diffs import DELETE
from drafting.text.diffs import EQUAL
from drafting.text.diffs import INSERT
from drafting.text.diffs import diff
from drafting.text.diffs import new_text
from drafting.text.diffs import old_text
from drafting.text.merge import BaseEdit
from drafting.text.merge import Conflict
from drafting.text.merge import apply_edits
from drafting.text.merge import edits_from_diffs
from drafting.text.merge import join_split_insertions
from drafting.text.merge import merge
from drafting.text.merge import merge_diffs
from drafting.text.merge import merge_edits
from drafting.text.merge import widen_to_words

MODES = ["keep_both", "report"]

# Policy papers repeat clauses, which is what misleads a fuzzy patch.
CLAUSES = [
    "Member States shall ensure access to services",
    "Member States shall protect the rights of migrant women",
    "Member States shall ensure access to justice",
]
SEPARATORS = [". ", ".\n\n"]
CLAUSE = "Member States shall ensure access to essential services for migrant women."


def paper(sections: list[str], *, amended: str | None = None, wording: str = "") -> str:
    """A paper with one identical clause per section; `amended` gets `wording` added."""
    parts = []
    for name in sections:
        clause = CLAUSE
        if name == amended:
            clause = CLAUSE.replace("essential services", f"essential services {wording}")
        parts.append(f"## {name}\n\n{clause}\n")
    return "\n".join(parts)


# Examples: placing edits


def test_an_edit_lands_in_its_own_section_where_a_fuzzy_patch_misplaces_it():
    sections = ["Health", "Housing", "Justice", "Work"]
    base = paper(sections)
    ours = paper(sections, amended="Justice", wording="and legal aid")
    # Meanwhile someone added a section, identical in form, before "Justice".
    theirs = paper(["Health", "Education", "Housing", "Justice", "Work"])
    wanted = paper(
        ["Health", "Education", "Housing", "Justice", "Work"],
        amended="Justice",
        wording="and legal aid",
    )

    dmp = diff_match_patch()
    patched, applied = dmp.patch_apply(dmp.patch_make(base, ours), theirs)
    assert applied == [True]  # reported as a success...
    assert patched != wanted  # ...but the words went to another section
    assert patched == paper(
        ["Health", "Education", "Housing", "Justice", "Work"],
        amended="Housing",
        wording="and legal aid",
    )

    for mode in MODES:
        result = merge(base, ours, theirs, on_conflict=mode)
        assert result.text == wanted
        assert result.clean


def test_edits_of_different_clauses_both_apply():
    base = "Member States shall act. Member States shall act. Member States shall act."
    ours = "Member States shall act. Member States shall act now. Member States shall act."
    theirs = "Member States must act. Member States shall act. Member States shall act."
    expected = "Member States must act. Member States shall act now. Member States shall act."
    for mode in MODES:
        assert merge(base, ours, theirs, on_conflict=mode).text == expected


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("ours", "theirs", "expected"),
    [
        pytest.param(
            "the brown fox jumps",
            "the quick fox jumps",
            "the fox jumps",
            id="deletions that touch",
        ),
        pytest.param(
            "the quick brown cat jumps",
            "the slow fox jumps",
            "the slow cat jumps",
            id="replacements of neighbouring words",
        ),
        pytest.param(
            "the quick brown fox cub jumps",
            "the quick brown dog jumps",
            "the quick brown dog cub jumps",
            id="an insertion at the end of a replaced word",
        ),
        pytest.param(
            "the very quick brown fox jumps",
            "the slow brown fox jumps",
            "the very slow brown fox jumps",
            id="an insertion at the start of a replaced word",
        ),
    ],
)
def test_edits_that_only_touch_merge_cleanly(mode, ours, theirs, expected):
    result = merge("the quick brown fox jumps", ours, theirs, on_conflict=mode)
    assert result.text == expected
    assert result.clean


@pytest.mark.parametrize("mode", MODES)
def test_touching_edits_by_position(mode):
    base = "Member States shall act"
    theirs = [BaseEdit(0, 7, "")]  # deletes "Member "
    ours = [BaseEdit(7, 13, "Governments")]  # replaces "States", starting where theirs ends
    result = merge_edits(base, ours, theirs, on_conflict=mode)
    assert result.text == "Governments shall act"
    assert result.clean


@pytest.mark.parametrize("mode", MODES)
def test_the_same_change_on_both_sides_applies_once(mode):
    base = "Member States shall act. Member States shall report."
    same = "Member States shall act now. Member States shall report."
    result = merge(base, same, same, on_conflict=mode)
    assert result.text == same
    assert result.clean


@pytest.mark.parametrize("mode", MODES)
def test_insertions_at_one_point_keep_both_theirs_first(mode):
    base = "Member States shall act."
    ours = "Member States shall act. They shall report yearly."
    theirs = "Member States shall act. They shall consult civil society."
    result = merge(base, ours, theirs, on_conflict=mode)
    assert result.text == (
        "Member States shall act. They shall consult civil society. They shall report yearly."
    )
    assert result.clean


@pytest.mark.parametrize("mode", MODES)
def test_insertions_at_one_point_are_not_cut_apart(mode):
    # The lost token of tests/collab/test_gunicorn.py: both sides typed a token just
    # before "[h1s2]", which lies inside a word. Each diff places its insertion after the
    # "[" ("h7s24𝄞][", not "[h7s24𝄞]"), at one point for both. Keeping both used to put a
    # space between "][" and "h7s24𝄞", so "[h7s24𝄞]" was nowhere in the text any more.
    base = "Member States wo[h1s2]men act."
    ours = base.replace("[h1s2]", "[h7s24𝄞][h1s2]")
    theirs = base.replace("[h1s2]", "[h9s5][h1s2]")
    assert diff(base, ours)[1] == (INSERT, "h7s24𝄞][")
    result = merge(base, ours, theirs, on_conflict=mode)
    assert result.text == "Member States wo[h9s5][h7s24𝄞][h1s2]men act."
    assert result.clean


def test_an_insertion_slid_over_base_text_the_other_side_deleted_stays_whole():
    # "[o0𝄞]" typed just before "[b14🇺🇳]" is diffed as "o0𝄞][" after its "[". Someone
    # deleted "\n2[b14🇺🇳]" meanwhile: keeping "o0𝄞][" alone lost the typed "[". The
    # insertion is kept with the base text it can slide over, so every way of placing it
    # (the typed one among them) is in the text; the stray "[" is the price.
    base = "for migrant women.\n2[b14🇺🇳]. Member States"
    ours = base.replace("[b14", "[o0𝄞][b14")
    theirs = base.replace("\n2[b14🇺🇳]", "")
    assert diff(base, ours)[1] == (INSERT, "o0𝄞][")
    result = merge(base, ours, theirs, on_conflict="keep_both")
    assert result.text == "for migrant women.[o0𝄞][. Member States"
    assert not result.clean


def test_an_insertion_a_diff_split_around_base_text_stays_whole():
    # Found by tests/collab/test_faults.py: "[c0r22✊🏽]" typed between the "✊" and the "🏽"
    # of the heading's "✊🏽", diffed by the server (shadow → live text, along with other
    # changes) as "✊[c0r22" before the base "✊🏽" and "]🏽" after it. Someone's deletion of
    # that passage then took the base "✊🏽", the middle of the token, with it.
    base = "## Commitments ✊🏽\n\n1. Member States shall act.\n"
    theirs_diffs = [
        (EQUAL, "## "),
        (DELETE, "Commitments"),
        (INSERT, "must"),
        (EQUAL, " "),
        (INSERT, "✊[c0r22"),
        (EQUAL, "✊🏽"),
        (INSERT, "]🏽"),
        (EQUAL, "\n\n1. Member States shall act.\n"),
    ]
    assert new_text(theirs_diffs) == "## must ✊[c0r22✊🏽]🏽\n\n1. Member States shall act.\n"
    ours_diffs = diff(base, base.replace("ents ✊🏽\n\n1. Member States ", ""))
    assert join_split_insertions(base, edits_from_diffs(theirs_diffs))[1:] == [
        BaseEdit(16, 16, "[c0r22✊🏽]")
    ]
    for mode in MODES:
        result = merge_diffs(base, ours_diffs, theirs_diffs, on_conflict=mode)
        assert result.text.count("[c0r22✊🏽]") == 1, result.text


@pytest.mark.xfail(
    strict=True,
    reason="open: a diff of several changes can build a typed token partly from base "
    "characters outside the changed region ('[t4' inserted, ']' kept from the base), and "
    "keep-both then puts the other side's words inside it: '[t4 should]'. Found by fuzzing "
    "merge_diffs (6 in 20,000 heavy random merges); the fault tests have not met it",
)
def test_the_other_sides_words_do_not_land_inside_a_token_built_from_base_text():
    base = "2. Member States shall ensure access to jus[b4✊🏽] tice for migrant women.\n"
    ours = base.replace("jus[", "should[")
    theirs = "2. Member States shall e [t1]nsur[t4] may for migrant women.\n"
    result = merge(base, ours, theirs, on_conflict="keep_both")
    assert "should" in result.text
    assert result.text.count("[t4]") == 1, result.text


@pytest.mark.parametrize("mode", MODES)
def test_overlapping_deletions_delete_the_union(mode):
    base = "Member States shall, where possible and without delay, act."
    ours = "Member States shall, without delay, act."  # deletes "where possible and "
    theirs = "Member States shall, where act."  # deletes "possible and without delay, "
    result = merge(base, ours, theirs, on_conflict=mode)
    assert result.text == "Member States shall, act."
    assert result.clean


def test_a_rewrite_of_the_same_words_keeps_both_live():
    base = "Member States shall ensure access to services."
    ours = "Member States shall guarantee access to services."
    theirs = "Member States shall provide access to services."
    result = merge(base, ours, theirs, on_conflict="keep_both")
    assert result.text == "Member States shall provide guarantee access to services."
    assert result.conflicts == [
        Conflict(20, 26, "guarantee", "provide", text_start=20, text_end=37),
    ]
    assert not result.clean


def test_a_rewrite_of_the_same_words_is_reported_for_a_save():
    base = "Member States shall ensure access to services."
    ours = "Member States shall guarantee access to services."
    theirs = "Member States shall provide access to services."
    result = merge(base, ours, theirs, on_conflict="report")
    assert result.text == theirs
    assert result.conflicts == [Conflict(20, 26, "guarantee", "provide", 20, 27)]


def test_a_deletion_over_an_edit_keeps_the_edits_words_live():
    base = "Intro. Member States shall ensure access to services. Outro."
    theirs = "Intro. Outro."  # deletes the clause
    ours = "Intro. Member States shall ensure access to health services. Outro."
    result = merge(base, ours, theirs, on_conflict="keep_both")
    assert "health" in result.text
    assert "ensure" not in result.text
    assert not result.clean


def test_a_deletion_over_an_edit_is_reported_for_a_save():
    base = "Intro. Member States shall ensure access to services. Outro."
    theirs = "Intro. Outro."
    ours = "Intro. Member States shall ensure access to health services. Outro."
    result = merge(base, ours, theirs, on_conflict="report")
    assert result.text == theirs
    [conflict] = result.conflicts
    assert "health" in conflict.ours_text
    assert result.text[conflict.text_start : conflict.text_end] == conflict.theirs_text


@pytest.mark.parametrize("mode", MODES)
def test_edits_inside_one_word_meet(mode):
    # Character by character these do not overlap ("i" and "c" of "quick"),
    # but splicing them would give "quark", a word neither side wrote.
    result = merge("a quick fox", "a quirk fox", "a quack fox", on_conflict=mode)
    assert not result.clean
    expected = "a quack quirk fox" if mode == "keep_both" else "a quack fox"
    assert result.text == expected


@pytest.mark.parametrize("mode", MODES)
def test_endings_added_to_one_word_meet(mode):
    result = merge("implement it", "implemented it", "implementing it", on_conflict=mode)
    assert not result.clean
    expected = "implementing implemented it" if mode == "keep_both" else "implementing it"
    assert result.text == expected


@pytest.mark.parametrize(
    ("base", "ours", "theirs"),
    [
        pytest.param("The alpha act.", "The alpha-prime act.", "The omega act.", id="a suffix"),
        pytest.param("The alpha act.", "The pre-alpha act.", "The omega act.", id="a prefix"),
        pytest.param(
            "The alpha-prime act.", "The omega-prime act.", "The alpha-beta act.", id="two parts"
        ),
        pytest.param(
            "The alpha prime act.", "The alpha-prime act.", "The omega prime act.", id="joined"
        ),
        pytest.param("The State acts.", "The State's acts.", "The Union acts.", id="apostrophe"),
        pytest.param("l\u2019État agit", "l\u2019Union agit", "le État agit", id="l’État"),
    ],
)
def test_a_save_that_changed_the_same_compound_word_is_a_conflict(base, ours, theirs):
    # "alpha-prime" and "omega" were saved as "omega-prime", a word nobody wrote: the
    # README promises a conflict where two people changed the same words.
    for first, second in ((ours, theirs), (theirs, ours)):
        result = merge(base, first, second, on_conflict="report")
        assert not result.clean, (first, second, result.text)
        assert result.text == second


def test_live_editing_still_keeps_both_sides_of_a_compound():
    # keep_both loses no one's words either way; it keeps its finer word widening.
    result = merge("The alpha act.", "The alpha-prime act.", "The omega act.")
    assert (result.text, result.clean) == ("The omega-prime act.", True)


@pytest.mark.parametrize("mode", MODES)
def test_punctuation_after_a_word_another_side_changed_merges(mode):
    # Not a compound: "," and "." end the word, so these are changes of different words.
    for ours in ("The alpha. act.", "The alpha, beta act.", "The alpha - beta act."):
        result = merge("The alpha act.", ours, "The omega act.", on_conflict=mode)
        assert result.clean
        assert result.text == ours.replace("alpha", "omega")


def test_combining_marks_belong_to_their_word():
    base = "हिंदी text and cafe\u0301 text"
    # "ि" (a vowel sign) and U+0301 (an acute accent) are marks, not word ends.
    assert widen_to_words(base, [BaseEdit(2, 2, "x")]) == [BaseEdit(0, 5, "हिxंदी")]
    assert widen_to_words(base, [BaseEdit(20, 20, "s")]) == [BaseEdit(15, 20, "cafe\u0301s")]


def test_widening_reaches_words_an_edit_changes():
    base = "foo bar baz"
    assert widen_to_words(base, [BaseEdit(3, 3, "s")]) == [BaseEdit(0, 3, "foos")]
    assert widen_to_words(base, [BaseEdit(3, 3, " new")]) == [BaseEdit(3, 3, " new")]
    assert widen_to_words(base, [BaseEdit(3, 4, "")]) == [BaseEdit(0, 7, "foobar")]
    assert widen_to_words(base, [BaseEdit(5, 6, "i"), BaseEdit(6, 6, "k")]) == [
        BaseEdit(4, 7, "bikr")
    ]
    assert widen_to_words(base, [BaseEdit(0, 11, "x")]) == [BaseEdit(0, 11, "x")]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("base", "ours", "theirs", "expected"),
    [
        pytest.param("", "", "", "", id="all empty"),
        pytest.param("", "Ours.", "", "Ours.", id="empty base, only ours"),
        pytest.param("", "", "Theirs.", "Theirs.", id="empty base, only theirs"),
        # No space: "." and "O" do not run together into one word (see _side_by_side).
        pytest.param("", "Ours.", "Theirs.", "Theirs.Ours.", id="empty base, both"),
        pytest.param("", "Ours", "Theirs", "Theirs Ours", id="empty base, both, words"),
        pytest.param("Text.", "", "Text.", "", id="ours empties"),
        pytest.param("Text.", "", "", "", id="both empty"),
    ],
)
def test_empty_texts(mode, base, ours, theirs, expected):
    assert merge(base, ours, theirs, on_conflict=mode).text == expected


@pytest.mark.parametrize("mode", MODES)
def test_unicode_outside_the_basic_plane(mode):
    base = "Caucus 😀 position: 中文 text, عربي text, 𝔸 text."
    ours = "Caucus 😀👍🏽 position: 中文 text, عربي text, 𝔸 text."
    theirs = "Caucus 😀 position: 中文 text, عربي text, 𝔸𓀀 text."
    result = merge(base, ours, theirs, on_conflict=mode)
    assert result.text == "Caucus 😀👍🏽 position: 中文 text, عربي text, 𝔸𓀀 text."
    assert result.clean


def test_conflicts_are_located_in_the_merged_text():
    base = "One two three. Four five six."
    ours = "One 2 three. Four 5 six."
    theirs = "One II three. Four V six."
    for mode in MODES:
        result = merge(base, ours, theirs, on_conflict=mode)
        assert [(c.ours_text, c.theirs_text) for c in result.conflicts] == [("2", "II"), ("5", "V")]
        for conflict in result.conflicts:
            located = result.text[conflict.text_start : conflict.text_end]
            assert conflict.theirs_text in located
            assert base[conflict.base_start : conflict.base_end] in ("two", "five")


# Examples: the diffs a sync brings


def test_a_client_delta_is_normalized_before_merging():
    # A client diff that was not slid to word boundaries: "18] [c3r" typed
    # after "[c3r1] [c3r", meaning " [c3r18]" after "[c3r1]".
    # Taken as it came, it would meet theirs' change of "[c3r2]".
    base = "[c3r1] [c3r2]"
    ours_diffs = from_delta(base, "=11\t+18] [c3r\t=2")
    theirs_diffs = diff(base, "[c3r1] [c3r9]")
    for mode in MODES:
        result = merge_diffs(base, ours_diffs, theirs_diffs, on_conflict=mode)
        assert result.text == "[c3r1] [c3r18] [c3r9]"
        assert result.clean


def test_diffs_of_another_base_are_refused():
    with pytest.raises(ValueError, match="ours"):
        merge_diffs("abc", [(EQUAL, "abd")], [(EQUAL, "abc")])
    with pytest.raises(ValueError, match="theirs"):
        merge_diffs("abc", [(EQUAL, "abc")], [(INSERT, "x")])


@pytest.mark.parametrize(
    "edits",
    [
        pytest.param([BaseEdit(2, 5, "x"), BaseEdit(4, 6, "y")], id="overlapping"),
        pytest.param([BaseEdit(4, 6, "y"), BaseEdit(0, 1, "x")], id="out of order"),
        pytest.param([BaseEdit(3, 3, "x"), BaseEdit(3, 3, "y")], id="two insertions at one point"),
        pytest.param([BaseEdit(5, 20, "x")], id="past the end"),
        pytest.param([BaseEdit(4, 2, "x")], id="backwards"),
    ],
)
def test_malformed_edits_are_refused(edits):
    with pytest.raises(ValueError, match="ours"):
        merge_edits("0123456789", edits, [])


def test_an_unknown_conflict_rule_is_refused():
    with pytest.raises(ValueError, match="on_conflict"):
        merge("a", "b", "c", on_conflict="ours_wins")


def test_edits_from_diffs_joins_each_run_of_changes():
    diffs = [(EQUAL, "ab"), (-1, "c"), (INSERT, "X"), (EQUAL, "d"), (INSERT, "Y")]
    assert edits_from_diffs(diffs) == [BaseEdit(2, 3, "X"), BaseEdit(4, 4, "Y")]
    assert apply_edits("abcd", edits_from_diffs(diffs)) == "abXdY"


# Properties


def numbered_tokens(opening: str, closing: str) -> Iterator[str]:
    """Unique words made of characters the base never contains, so no diff can split them."""
    return (f"{opening}{number}{closing}" for number in itertools.count(1))


clause_lists = st.lists(st.sampled_from(CLAUSES), min_size=1, max_size=8)


def join_clauses(clauses: list[str], separators: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """The base text, and where each clause's words lie in it."""
    text, spans = "", []
    for clause, separator in zip(clauses, separators, strict=True):
        spans.append((len(text), len(text) + len(clause)))
        text += clause + separator
    return text, spans


@st.composite
def bases(draw) -> str:
    """A base text of repeated clauses."""
    clauses = draw(clause_lists)
    separators = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(clauses)))
    return join_clauses(clauses, separators[: len(clauses)])[0]


def edits_within(draw, low: int, high: int, tokens: Iterator[str]) -> list[BaseEdit]:
    """Random insertions, deletions and replacements inside `[low, high]`, in order."""
    cuts = sorted(draw(st.lists(st.integers(low, high), max_size=6)))
    edits: list[BaseEdit] = []
    for start, end in zip(cuts[0::2], cuts[1::2], strict=False):
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        if kind == "insert" or start == end:
            edit = BaseEdit(
                start, start, f" {next(tokens)}" if draw(st.booleans()) else next(tokens)
            )
        elif kind == "delete":
            edit = BaseEdit(start, end, "")
        else:
            edit = BaseEdit(start, end, next(tokens))
        previous = edits[-1] if edits else None
        if previous is None or previous.end < edit.start:
            edits.append(edit)
    return edits


def both_sides(draw, base: str) -> tuple[list[BaseEdit], list[BaseEdit]]:
    """Random edits of the whole base by each side, each side with its own tokens."""
    ours = edits_within(draw, 0, len(base), numbered_tokens("[", "]"))
    theirs = edits_within(draw, 0, len(base), numbered_tokens("{", "}"))
    return ours, theirs


def tokens_in(edits: list[BaseEdit]) -> list[str]:
    """The tokens the edits insert."""
    return [edit.text.strip() for edit in edits if edit.text]


@settings(max_examples=300, deadline=None)
@given(data=st.data(), base=bases())
def test_widening_to_words_changes_nothing(data, base):
    edits = edits_within(data.draw, 0, len(base), numbered_tokens("[", "]"))
    widened = widen_to_words(base, edits)
    assert apply_edits(base, widened) == apply_edits(base, edits)
    for before, after in itertools.pairwise(widened):
        assert before.end <= after.start
        assert not before.start == before.end == after.start == after.end
    for edit in widened:
        # Whole words: a widened edit never starts or ends inside one.
        assert not inside_a_word(base, edit.start)
        assert not inside_a_word(base, edit.end)


def inside_a_word(text: str, position: int) -> bool:
    """Whether a position falls between two characters of one word."""
    return 0 < position < len(text) and (text[position - 1] + text[position]).isalnum()


@settings(max_examples=300, deadline=None)
@given(data=st.data(), clauses=clause_lists)
def test_edits_of_separate_clauses_both_survive_exactly(data, clauses):
    separators = data.draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(clauses)))
    base, spans = join_clauses(clauses, separators[: len(clauses)])
    owners = data.draw(st.lists(st.sampled_from([None, "ours", "theirs"]), min_size=len(spans)))
    ours_tokens, theirs_tokens = numbered_tokens("[", "]"), numbered_tokens("{", "}")
    ours, theirs = [], []
    for (low, high), owner in zip(spans, owners, strict=False):
        if owner == "ours":
            ours += edits_within(data.draw, low, high, ours_tokens)
        elif owner == "theirs":
            theirs += edits_within(data.draw, low, high, theirs_tokens)
    both = sorted(ours + theirs, key=lambda edit: edit.start)
    expected = apply_edits(base, both)
    for mode in MODES:
        by_position = merge_edits(base, ours, theirs, on_conflict=mode)
        assert by_position.text == expected
        assert by_position.clean
        by_text = merge(base, apply_edits(base, ours), apply_edits(base, theirs), on_conflict=mode)
        assert by_text.text == expected
        assert by_text.clean


@settings(max_examples=300, deadline=None)
@given(data=st.data(), base=bases())
def test_edits_that_touch_at_word_boundaries_merge_cleanly(data, base):
    # Cut the base between words; each piece is left alone, or replaced or
    # prefixed by one side. Neighbouring pieces' edits touch but never meet.
    between_words = [i for i in range(len(base) + 1) if not inside_a_word(base, i)]
    cuts = sorted({0, len(base), *data.draw(st.lists(st.sampled_from(between_words)))})
    sides = {"ours": ([], numbered_tokens("[", "]")), "theirs": ([], numbered_tokens("{", "}"))}
    for start, end in itertools.pairwise(cuts):
        owner = data.draw(st.sampled_from([None, "ours", "theirs"]))
        if owner is not None:
            edits, tokens = sides[owner]
            replaces = data.draw(st.booleans())
            edits.append(BaseEdit(start, end if replaces else start, next(tokens)))
    ours, theirs = sides["ours"][0], sides["theirs"][0]
    expected = apply_edits(base, sorted(ours + theirs, key=lambda edit: edit.start))
    # By position only: from the texts, a diff may describe a long replacement
    # differently (keeping a "." from another clause), and then it does meet.
    for mode in MODES:
        result = merge_edits(base, ours, theirs, on_conflict=mode)
        assert result.text == expected
        assert result.clean


@settings(max_examples=300, deadline=None)
@given(data=st.data(), base=bases())
def test_nothing_is_applied_twice(data, base):
    ours_edits, theirs_edits = both_sides(data.draw, base)
    ours, theirs = apply_edits(base, ours_edits), apply_edits(base, theirs_edits)
    for mode in MODES:
        assert merge(base, ours, base, on_conflict=mode).text == ours
        assert merge(base, base, theirs, on_conflict=mode).text == theirs
        same = merge(base, theirs, theirs, on_conflict=mode)
        assert same.text == theirs
        assert same.clean


@settings(max_examples=300, deadline=None)
@given(data=st.data(), base=bases())
def test_live_merging_keeps_every_inserted_word_exactly_once(data, base):
    ours_edits, theirs_edits = both_sides(data.draw, base)
    ours, theirs = apply_edits(base, ours_edits), apply_edits(base, theirs_edits)
    result = merge(base, ours, theirs, on_conflict="keep_both")
    for token in tokens_in(ours_edits) + tokens_in(theirs_edits):
        assert result.text.count(token) == 1, token
    by_position = merge_edits(base, ours_edits, theirs_edits, on_conflict="keep_both")
    for token in tokens_in(ours_edits) + tokens_in(theirs_edits):
        assert by_position.text.count(token) == 1, token


def type_tokens(draw, text: str, name: str) -> tuple[str, list[str]]:
    """`text` with one to three tokens typed outside its tokens, often right next to one.

    All tokens share their brackets, so a diff may place a token typed next to another
    anywhere its text repeats (after the other's "[", before its "]").
    """
    typed = []
    for number in range(draw(st.integers(1, 3))):
        spans = [match.span() for match in re.finditer(r"\[[^\[\]]*\]", text)]
        inside = {p for start, end in spans for p in range(start + 1, end)}
        outside = [p for p in range(len(text) + 1) if p not in inside]
        next_to_tokens = [p for span in spans for p in span] or outside
        position = draw(st.sampled_from(next_to_tokens) | st.sampled_from(outside))
        token = f"[{name}{number}{draw(st.sampled_from(['', '𝄞', '✊🏽']))}]"
        text = text[:position] + token + text[position:]
        typed.append(token)
    return text, typed


@settings(max_examples=300, deadline=None)
@given(data=st.data(), base=bases())
def test_tokens_typed_next_to_tokens_are_kept_whole(data, base):
    # Found as a lost token in tests/collab/test_gunicorn.py: see
    # test_insertions_at_one_point_are_not_cut_apart.
    base, base_tokens = type_tokens(data.draw, base, "b")
    ours, ours_tokens = type_tokens(data.draw, base, "o")
    theirs, theirs_tokens = type_tokens(data.draw, base, "t")
    result = merge(base, ours, theirs, on_conflict="keep_both")
    for token in base_tokens + ours_tokens + theirs_tokens:
        assert result.text.count(token) == 1, (token, result.text)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), base=bases())
def test_the_modes_differ_only_at_conflicts(data, base):
    ours_edits, theirs_edits = both_sides(data.draw, base)
    live = merge_edits(base, ours_edits, theirs_edits, on_conflict="keep_both")
    save = merge_edits(base, ours_edits, theirs_edits, on_conflict="report")
    assert [c.base_start for c in live.conflicts] == [c.base_start for c in save.conflicts]
    if save.clean:
        assert live.text == save.text
    for conflict in save.conflicts:
        assert save.text[conflict.text_start : conflict.text_end] == conflict.theirs_text


PARTS = ["alpha", "prime", "State", "droits", "हिंदी"]


@st.composite
def compound_bases(draw) -> tuple[str, list[list[tuple[int, int]]]]:
    """Compound words ("alpha-prime", "State's") between plain ones, and where each
    compound's parts lie."""
    text, compounds = "", []
    for _ in range(draw(st.integers(1, 4))):
        parts = draw(st.lists(st.sampled_from(PARTS), min_size=2, max_size=3))
        joiner = draw(st.sampled_from(["-", "'", "\u2019", "\u2011"]))
        text += draw(st.sampled_from(["", "Members ", "The text, "]))
        spans = []
        for index, part in enumerate(parts):
            text += joiner if index else ""
            spans.append((len(text), len(text) + len(part)))
            text += part
        compounds.append(spans)
        text += draw(st.sampled_from([" ", ". ", "\n\n"]))
    return text, compounds


@settings(max_examples=200, deadline=None)
@given(data=st.data(), drawn=compound_bases())
def test_saves_that_change_parts_of_one_compound_conflict(data, drawn):
    base, compounds = drawn
    spans = data.draw(st.sampled_from(compounds))
    (ours_start, ours_end), (theirs_start, theirs_end) = (
        data.draw(st.sampled_from(spans)),
        data.draw(st.sampled_from(spans)),
    )
    ours_at_end = data.draw(st.booleans())  # replace a part, or write after the compound
    ours_edit = (
        BaseEdit(spans[-1][1], spans[-1][1], "-omega")
        if ours_at_end
        else BaseEdit(ours_start, ours_end, "omega")
    )
    theirs_edit = BaseEdit(theirs_start, theirs_end, "sigma")
    result = merge_edits(base, [ours_edit], [theirs_edit], on_conflict="report")
    assert not result.clean, (base, ours_edit, theirs_edit, result.text)
    assert result.text == apply_edits(base, [theirs_edit])


@settings(max_examples=200, deadline=None)
@given(data=st.data(), drawn=compound_bases())
def test_a_save_conflicts_wherever_live_editing_would(data, drawn):
    base = drawn[0]
    ours_edits, theirs_edits = both_sides(data.draw, base)
    live = merge_edits(base, ours_edits, theirs_edits, on_conflict="keep_both")
    save = merge_edits(base, ours_edits, theirs_edits, on_conflict="report")
    for conflict in live.conflicts:
        assert any(
            c.base_start <= conflict.base_start and conflict.base_end <= c.base_end
            for c in save.conflicts
        )
    if save.clean:
        assert live.text == save.text


@settings(max_examples=200, deadline=None)
@given(data=st.data(), base=bases())
def test_the_same_inputs_give_the_same_result(data, base):
    ours_edits, theirs_edits = both_sides(data.draw, base)
    ours, theirs = apply_edits(base, ours_edits), apply_edits(base, theirs_edits)
    for mode in MODES:
        assert merge(base, ours, theirs, on_conflict=mode) == merge(
            base, ours, theirs, on_conflict=mode
        )


DETERMINISM_SCRIPT = """
import json, sys
from drafting.text.merge import merge
cases = json.load(sys.stdin)
results = [merge(*case, on_conflict=mode) for case in cases for mode in ("keep_both", "report")]
print(json.dumps([[r.text, [list(vars(c).values()) for c in r.conflicts]] for r in results]))
"""


def test_every_worker_merges_alike():
    # Each worker process has its own hash seed: nothing may depend on it.
    base = paper(["Health", "Housing", "Justice"])
    cases = [
        (base, base.replace("access", "full access"), base.replace("shall", "must", 2)),
        (base, base.replace("Housing", "Shelter"), base.replace("## Housing", "## Homes")),
        ("a quick fox", "a quirk fox", "a quack fox"),
    ]
    outputs = set()
    for seed in ("1", "2", "3"):
        completed = subprocess.run(
            [sys.executable, "-c", DETERMINISM_SCRIPT],
            input=json.dumps(cases),
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.add(completed.stdout)
    assert len(outputs) == 1


@settings(max_examples=300, deadline=None)
@given(data=st.data(), base=bases())
def test_each_side_reaches_the_merged_text_by_the_merges_own_diffs(data, base):
    """`diffs_from` is the change from either side to the merged text, exact by position:
    the live edit the server records, and the edit it sends the client (issue 10)."""
    ours_edits, theirs_edits = both_sides(data.draw, base)
    ours, theirs = apply_edits(base, ours_edits), apply_edits(base, theirs_edits)
    for mode in MODES:
        result = merge_edits(base, ours_edits, theirs_edits, on_conflict=mode)
        for side, text in (("ours", ours), ("theirs", theirs)):
            change = result.diffs_from(side)
            assert (old_text(change), new_text(change)) == (text, result.text)
            assert all(chunk for _op, chunk in change)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), base=bases())
def test_a_live_merge_keeps_each_sides_insertions_where_it_placed_them(data, base):
    """The check the server makes before it acknowledges an edit finds nothing to refuse."""
    ours_edits, theirs_edits = both_sides(data.draw, base)
    result = merge_edits(base, ours_edits, theirs_edits, on_conflict="keep_both")
    assert result.lost == {"ours": (), "theirs": ()}


def test_the_check_finds_insertions_a_broken_rule_dropped_or_cut(monkeypatch):
    """Were a rule to drop one side's words, or put them inside the other's, `lost` says so."""
    import drafting.text.merge_rules as merging

    base = "Member States [a] shall act."
    ours = "Member States [ours] [a] shall act."
    theirs = "Member States [theirs] [a] shall act."
    assert merge(base, ours, theirs).lost == {"ours": (), "theirs": ()}
    monkeypatch.setattr(merging, "_side_by_side", lambda first, second: first)
    assert [text.strip() for text in merge(base, ours, theirs).lost["ours"]] == ["[ours]"]
    monkeypatch.setattr(merging, "_side_by_side", lambda first, s: first[:3] + s + first[3:])
    lost = merge(base, ours, theirs).lost
    assert [text.strip() for text in lost["ours"] + lost["theirs"]] == ["[ours]", "[theirs]"]
