"""Readable diffs: paragraphs, then words; exact in both directions."""

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from drafting.text import words
from drafting.text.diffs import DELETE
from drafting.text.diffs import EQUAL
from drafting.text.diffs import INSERT
from drafting.text.diffs import new_text
from drafting.text.diffs import old_text

VOCABULARY = ["Member", "States", "shall", "ensure", "access", "to", "justice", "🌍", "النساء", "é"]
line = st.lists(st.sampled_from(VOCABULARY), max_size=10).map(" ".join)
text = st.lists(line, max_size=15).map("\n".join)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(a=text, b=text, semantic=st.booleans())
def test_readable_diff_turns_a_into_b_exactly(a, b, semantic):
    """Whatever the texts, applying the diff to A gives B."""
    diffs = words.readable_diff(a, b, semantic=semantic)
    assert old_text(diffs) == a
    assert new_text(diffs) == b


def test_changes_are_whole_words():
    """colour → color is one word replaced, not a letter deleted."""
    diffs = words.readable_diff("Third colour here.\n", "Third color here.\n")
    assert (DELETE, "colour") in diffs
    assert (INSERT, "color") in diffs


def test_unique_lines_anchor_the_alignment():
    """A paragraph that occurs once in both texts is matched even far apart."""
    a = "intro\n" + "".join(f"para {n}\n" for n in range(50)) + "unique anchor line\nend\n"
    b = (
        "new start\n"
        + "".join(f"para {n} changed\n" for n in range(50))
        + "unique anchor line\nend\n"
    )
    diffs = words.readable_diff(a, b)
    last_op, last_text = diffs[-1]
    assert last_op == EQUAL
    assert last_text.endswith("unique anchor line\nend\n")
    assert words.unique_anchors(a.splitlines(True), b.splitlines(True))[-2:] == [(51, 51), (52, 52)]


def test_python_fallback_gives_the_same_word_diff(monkeypatch):
    """Without the C++ package the Python diff-match-patch gives the same result."""
    a, b = "Member States shall ensure access", "Member States must guarantee access"
    fast = words.word_diff(a, b)
    monkeypatch.setattr(words, "fast_dmp", None)
    assert words.word_diff(a, b) == fast
