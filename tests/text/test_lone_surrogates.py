"""Lone surrogates (JSON's "\\ud800" alone) are no text: a delta holding one is refused."""

import pytest

from drafting.text.delta import from_delta
from drafting.text.diffs import DeltaMismatch
from drafting.text.surrogates import has_lone_surrogate


@pytest.mark.parametrize("delta", ["+\ud800\t=3", "=3\t+a\udfffb", "=1\t-\ud83d\t=2", "+\udc00"])
def test_a_delta_holding_a_lone_surrogate_does_not_fit(delta):
    # A raw surrogate in a "+" token failed encoding (UnicodeEncodeError), which the sync
    # did not expect from a delta: a 500 instead of the conflict a bad delta gets.
    with pytest.raises(DeltaMismatch):
        from_delta("abc", delta)


def test_characters_outside_the_basic_plane_are_no_lone_surrogates():
    assert from_delta("abc", "=3\t+🌍") == [(0, "abc"), (1, "🌍")]
    assert not has_lone_surrogate("🌍 ✊🏽 État")
    assert not has_lone_surrogate("")
    assert has_lone_surrogate("État \ud800")
    assert has_lone_surrogate("\udfff")
