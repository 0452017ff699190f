"""@mentions: the one grammar, used to notify the people a comment names and to show them.

`@` followed by a member's email (`@amina@example.org`) or by a member's name as the caucus
shows it (`@Amina Diallo`, any case; the longest matching name wins), at the start of the
text or after a space or punctuation, and ending where a word ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic
from typing import TypeVar

from markupsafe import Markup
from markupsafe import escape

Person = TypeVar("Person")

# Characters that make an @ part of a word or an address rather than a mention's start, and
# that continue a handle past its end (so "@Ana" does not mention Ana in "@Ana-Maria").
NOT_BEFORE = "@._-"
NOT_AFTER = "@_-"


@dataclass(frozen=True)
class Mention(Generic[Person]):
    """One mention in a text: where it is (characters) and whom it names."""

    start: int
    end: int
    person: Person


class Mentions(Generic[Person]):
    """Finds mentions of a set of people, each known by one or more handles (name, email).

    Handles match without regard to case: on the case-folded text, so "@Jörg Strauss" names
    "Jörg Strauß". Positions found in the folded text are mapped back to the text's own.
    """

    def __init__(self, people: Iterable[tuple[Person, Iterable[str]]]):
        pairs = ((handle, person) for person, handles in people for handle in handles if handle)
        # Longest first: "@Amina Diallo" names Amina Diallo, not an "Amina".
        self.handles = sorted(
            ((handle.casefold(), person) for handle, person in pairs),
            key=lambda entry: -len(entry[0]),
        )

    def find(self, text: str) -> Iterator[Mention[Person]]:
        """Every mention in the text, in order (positions in the text's own characters)."""
        if not self.handles or "@" not in text:
            return
        folded, origin = _folded(text)
        position = folded.find("@")
        while position != -1:
            found = None if _inside_word(folded, position) else self._at(folded, position + 1)
            if found is None:
                position = folded.find("@", position + 1)
                continue
            end, person = found
            yield Mention(origin[position], origin[end - 1] + 1, person)
            position = folded.find("@", end)

    def people_in(self, text: str) -> list[Person]:
        """The people the text mentions, each once, in order of first mention."""
        found: dict[int, Person] = {}
        for mention in self.find(text):
            found.setdefault(id(mention.person), mention.person)
        return list(found.values())

    def marked_up(self, text: str) -> Markup:
        """The text, escaped, with each mention set apart in a `<span class="mention">`."""
        parts, last = [], 0
        for mention in self.find(text):
            parts.append(escape(text[last : mention.start]))
            parts.append(
                Markup('<span class="mention">%s</span>') % text[mention.start : mention.end]
            )
            last = mention.end
        parts.append(escape(text[last:]))
        return Markup("").join(parts)

    def _at(self, folded: str, start: int) -> tuple[int, Person] | None:
        """Where the longest handle starting at `start` ends (at a word's end), and whose."""
        for handle, person in self.handles:
            end = start + len(handle)
            if folded.startswith(handle, start) and not _continues(folded, end):
                return end, person
        return None


def _folded(text: str) -> tuple[str, list[int]]:
    """The text case-folded, and for each folded character the index of the one it came
    from (folding can lengthen a character: "ß" becomes "ss")."""
    folded = text.casefold()
    if len(folded) == len(text):  # no character folded into several: positions are the same
        return folded, list(range(len(text)))
    pieces, origin = [], []
    for index, character in enumerate(text):
        piece = character.casefold()
        pieces.append(piece)
        origin += [index] * len(piece)
    return "".join(pieces), origin


def _inside_word(text: str, at: int) -> bool:
    """An @ right after a letter, digit or address character starts no mention."""
    return at > 0 and (text[at - 1].isalnum() or text[at - 1] in NOT_BEFORE)


def _continues(text: str, end: int) -> bool:
    """The handle would end inside a longer word."""
    return end < len(text) and (text[end].isalnum() or text[end] in NOT_AFTER)
