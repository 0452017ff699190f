"""Documents with deep lists and quotations, made of unique words, to check no rendering drops one.

A document is drawn as a tree of blocks (paragraphs, headings, code, tables, footnotes, lists
and quotations nested up to 30 deep) and written out as Markdown with a fresh word
(`w0001`, `w0002`…) wherever text goes, so that "every word of the source is in the
rendering" is a plain set comparison: `words_in(text) >= source_words`.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass
from dataclasses import field

from hypothesis import strategies as st

WORD = re.compile(r"w\d{4}")
CONTAINERS = ["-", "*", "1.", ">"]
LEAVES = ["paragraph", "heading", "code", "table", "footnote", "emphasis"]
MAX_DEPTH = 30


def words_in(text: str) -> set[str]:
    """The generated words in a text (a rendering's text, not its markup)."""
    return set(WORD.findall(text))


def html_text(markup: str) -> str:
    """The text of an HTML fragment: tags out (attributes such as heading ids hold words too)."""
    return html.unescape(re.sub(r"<[^>]*>", " ", markup))


@dataclass
class _Writer:
    """Writes a drawn tree as Markdown, handing out a fresh word wherever text goes."""

    counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    notes: list[str] = field(default_factory=list)

    def word(self) -> str:
        """The next unique word."""
        return f"w{next(self.counter):04d}"

    def leaf(self, kind: str) -> list[str]:
        """The lines of one leaf block."""
        if kind == "heading":
            return [f"## {self.word()} {self.word()}"]
        if kind == "code":
            return ["```", self.word(), "```"]
        if kind == "table":
            return [f"| {self.word()} | {self.word()} |", "|---|---|", f"| {self.word()} | x |"]
        if kind == "footnote":
            label = f"n{len(self.notes) + 1}"
            # A note holding blocks of its own: a heading, a list, a paragraph.
            note = [f"[^{label}]: {self.word()}", "", f"    ## {self.word()}", ""]
            note += [f"    - {self.word()}", f"    - {self.word()}", "", f"    {self.word()}"]
            self.notes += [*note, ""]
            return [f"{self.word()}[^{label}] {self.word()}"]
        if kind == "emphasis":
            return [f"*{self.word()}* **{self.word()}** ~~{self.word()}~~"]
        return [f"{self.word()} {self.word()}", self.word()]

    def nest(self, containers: list[str], inner: list[str]) -> list[str]:
        """A chain of containers, outermost first, each with a paragraph, then the leaves."""
        if not containers:
            return self.blocks(inner)
        marker, rest = containers[0], containers[1:]
        body = [self.word(), "", *self.nest(rest, inner)]
        if marker == ">":
            return [f"> {line}" if line else ">" for line in body]
        indent = " " * (len(marker) + 1)
        return [f"{marker} {body[0]}", *(f"{indent}{line}" if line else "" for line in body[1:])]

    def blocks(self, kinds: list[str]) -> list[str]:
        """Leaf blocks one after another, a blank line between them."""
        lines: list[str] = []
        for kind in kinds:
            lines += [*self.leaf(kind), ""]
        return lines


_leaves = st.lists(st.sampled_from(LEAVES), min_size=1, max_size=3)
_chain = st.tuples(st.lists(st.sampled_from(CONTAINERS), max_size=MAX_DEPTH), _leaves)
_deep_list = st.integers(8, 14).map(lambda depth: ["-"] * depth)
_deep_quote = st.integers(16, MAX_DEPTH).map(lambda depth: [">"] * depth)
_structure = st.one_of(_chain, st.tuples(st.one_of(_deep_list, _deep_quote), _leaves))


@st.composite
def nested_documents(draw) -> tuple[str, set[str]]:
    """A document of a few (often deep) structures and a last paragraph; and its words."""
    writer = _Writer()
    lines: list[str] = []
    for containers, leaves in draw(st.lists(_structure, min_size=1, max_size=3)):
        lines += [*writer.nest(containers, leaves), ""]
    lines += [f"{writer.word()} ends the paper.", "", *writer.notes]
    markdown = "\n".join(lines)
    return markdown, words_in(markdown)


def deep_example() -> tuple[str, set[str]]:
    """A fixed document: a list nested 12 deep, 22 quotations, mixed chains, words after them."""
    writer = _Writer()
    lines = writer.nest(["-"] * 12, ["paragraph", "footnote"])
    lines += ["", *writer.nest([">"] * 22, ["paragraph", "table"]), ""]
    lines += writer.nest(["1.", ">", "-"] * 8, ["heading", "code"])
    lines += ["", f"{writer.word()} ends the paper.", "", *writer.notes]
    markdown = "\n".join(lines)
    return markdown, words_in(markdown)
