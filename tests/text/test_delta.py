"""Chains of deltas composed by their positions (drafting/text/delta.py)."""

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from drafting.text.delta import apply_chain
from drafting.text.delta import chain_diffs
from drafting.text.delta import check_tokens
from drafting.text.delta import lengths
from drafting.text.delta import operations
from drafting.text.delta import to_delta
from drafting.text.delta import tokens
from drafting.text.delta import utf16_length
from drafting.text.diffs import DELETE
from drafting.text.diffs import EQUAL
from drafting.text.diffs import INSERT
from drafting.text.diffs import DeltaMismatch
from drafting.text.diffs import diff
from drafting.text.diffs import new_text
from drafting.text.diffs import old_text

PIECES = ["the ", "shall ", "[a]", "[", "]", " ", "\n", "🌍", "✊🏽", "ع", "e\u0301", "x"]
texts = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@st.composite
def chains(draw):
    """A text and a chain of edits of it: each replaces a short range with a few pieces."""
    text = base = draw(texts)
    deltas = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text)))
        end = min(len(text), start + draw(st.integers(0, 5)))
        new = text[:start] + draw(texts.map(lambda t: t[:8])) + text[end:]
        deltas.append(to_delta(diff(text, new)))
        text = new
    return base, deltas, text


@settings(max_examples=400, deadline=None)
@given(chains())
def test_a_composed_chain_leads_from_the_base_to_the_last_text(chain):
    base, deltas, last = chain
    composed = chain_diffs(base, deltas)
    assert (old_text(composed), new_text(composed)) == (base, last)
    assert apply_chain(base, [to_delta(composed)]) == last


def test_insertions_stay_insertions_of_exactly_their_characters():
    """Tokens typed at many places since a shadow come out as those tokens, nothing coarser:
    a diff of the two texts can come out as one replacement of everything in between."""
    base = "".join(f"{number}. Member States shall act.\n" for number in range(40))
    text, deltas = base, []
    for number in range(30):
        at = text.find("shall", (number * 37 * 31) % len(text))
        at = at if at >= 0 else 0
        new = text[:at] + f"[t{number}🌍] " + text[at:]
        deltas.append(to_delta(diff(text, new)))
        text = new
    composed = chain_diffs(base, deltas)
    inserted = [chunk for op, chunk in composed if op == INSERT]
    assert not [chunk for op, chunk in composed if op == DELETE]
    assert sum(len(chunk) for chunk in inserted) == len(text) - len(base)
    assert new_text(composed) == text


def test_an_insertion_deleted_later_in_the_chain_never_was():
    base = "Member States shall act."
    first = base.replace("shall", "shall [x]")
    second = first.replace(" [x]", "")
    composed = chain_diffs(base, [to_delta(diff(base, first)), to_delta(diff(first, second))])
    assert composed == [(EQUAL, base)]


@settings(max_examples=100, deadline=None)
@given(texts, st.text(max_size=20), st.booleans())
def test_lengths_measure_what_operations_decode(base, typed, lower_case_escapes):
    """`lengths` counts the inserted text from its escapes; `operations` decodes it."""
    delta = to_delta(diff(base, base + typed + base[:5]))
    if lower_case_escapes:  # the JavaScript port writes upper case; both are escapes
        first, *escaped = delta.split("%")
        delta = "%".join([first] + [piece[:2].lower() + piece[2:] for piece in escaped])
    check_tokens(delta)
    measured = lengths(delta)
    decoded = operations(delta)
    assert [sign for sign, _ in measured] == [sign for sign, _ in decoded]
    for (sign, units), (_, parameter) in zip(measured, decoded, strict=True):
        assert units == (len(parameter) // 2 if sign == "+" else parameter)
    assert sum(units for sign, units in measured if sign != "+") == utf16_length(base)


def test_blank_tokens_are_left_out():
    assert tokens("=3\t+a%20b\t") == [("=", "3"), ("+", "a%20b")]
    assert tokens("") == []
    assert lengths("=3\t\t+%F0%9F%8C%8D\t") == [("=", 3), ("+", 2)]
    assert operations("") == []


@pytest.mark.parametrize("delta", ["*3", "=", "=+3", "= 3", "=٣", "=²", "-x", "=3\t3"])
def test_a_malformed_token_is_refused_by_every_reader(delta):
    for read in (operations, lengths, check_tokens):
        with pytest.raises(DeltaMismatch):
            read(delta)


@pytest.mark.parametrize("delta", ["+%zz", "+100%", "+%FF", "+%C3"])
def test_only_the_check_refuses_escapes_that_are_not_utf8(delta):
    """Deltas from outside are checked; stored ones are read as unquote() decodes them."""
    with pytest.raises(DeltaMismatch):
        check_tokens(delta)
    assert operations(delta) and lengths(delta)
