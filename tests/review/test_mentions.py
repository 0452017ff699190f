"""The one @mention grammar: what notifies a member is what the cards set apart."""

from __future__ import annotations

from drafting.review.mentions import Mentions

PEOPLE = Mentions(
    [
        ("amina", ["Amina", "amina@example.org"]),
        ("amina diallo", ["Amina Diallo"]),
        ("jorg", ["Jörg Strauß"]),
    ]
)


def mentioned(text: str) -> list[tuple[str, str]]:
    return [(text[m.start : m.end], m.person) for m in PEOPLE.find(text)]


def test_the_longest_handle_wins_and_case_does_not_matter():
    assert mentioned("@amina diallo, see @AMINA.") == [
        ("@amina diallo", "amina diallo"),
        ("@AMINA", "amina"),
    ]
    assert mentioned("@amina@example.org") == [("@amina@example.org", "amina")]


def test_a_mention_starts_and_ends_where_words_do():
    assert mentioned("x@Amina y-@Amina @Aminata @Amina-Maria") == []
    assert mentioned("(@Amina)") == [("@Amina", "amina")]


def test_folding_that_lengthens_a_letter_keeps_the_texts_own_positions():
    """ "ß" folds to "ss": "@Jörg Strauss" names Jörg Strauß, and the marked span is right."""
    assert mentioned("ß ß @Jörg Strauss!") == [("@Jörg Strauss", "jorg")]
    assert mentioned("Straße @jörg strauß") == [("@jörg strauß", "jorg")]
    marked = str(PEOPLE.marked_up("ß <b> @Jörg Strauß"))
    assert marked == 'ß &lt;b&gt; <span class="mention">@Jörg Strauß</span>'


def test_each_person_once_in_order():
    assert PEOPLE.people_in("@Amina @Jörg Strauß @amina") == ["amina", "jorg"]
