"""Chains of deltas composed by their positions (drafting/text/delta.py)."""

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from drafting.text.delta import apply_chain
from drafting.text.delta import chain_diffs
from drafting.text.diffs import DELETE
from drafting.text.diffs import EQUAL
from drafting.text.diffs import INSERT
from drafting.text.diffs import diff
from drafting.text.diffs import new_text
from drafting.text.diffs import old_text
from drafting.text.diffs import to_delta

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
