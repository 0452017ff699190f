"""Diffs for people to read: paragraphs first, then words inside changed paragraphs.

A character diff of prose shows "colo(u)r"-style fragments; people read whole words. And
on a 150,000-character paper a character-level Myers diff is slow in Python. So: diff by
lines (paragraphs), then re-diff each changed run word by word, then merge small
equalities away (diff_cleanupSemantic). The result still turns A into B exactly.
"""

from __future__ import annotations

import re

from drafting.text.diffs import DELETE
from drafting.text.diffs import EQUAL
from drafting.text.diffs import INSERT
from drafting.text.diffs import Diffs
from drafting.text.diffs import differ

# Words (letters and digits in any script), runs of spaces, or single other characters.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
# diff_main works on strings: each distinct token becomes one character from here up.
FIRST_CODE_POINT = 0x100


def tokens_to_chars(a: str, b: str) -> tuple[str, str, list[str]]:
    """Encode both texts as one character per token (like diff_linesToChars, for words)."""
    vocabulary: list[str] = []
    index: dict[str, int] = {}

    def encode(text: str) -> str:
        codes = []
        for token in TOKEN.findall(text):
            if token not in index:
                index[token] = len(vocabulary)
                vocabulary.append(token)
            codes.append(chr(FIRST_CODE_POINT + index[token]))
        return "".join(codes)

    return encode(a), encode(b), vocabulary


def word_diff(a: str, b: str, *, timeout: float = 0.5, semantic: bool = True) -> Diffs:
    """A word-level diff of two (short) texts, cleaned up for people to read if `semantic`.

    The cleanup runs on the encoded tokens, so it can only ever move whole words.
    """
    a_codes, b_codes, vocabulary = tokens_to_chars(a, b)
    dmp = differ(timeout)
    diffs = dmp.diff_main(a_codes, b_codes, False)
    if semantic:
        dmp.diff_cleanupSemantic(diffs)
    return [
        (op, "".join(vocabulary[ord(code) - FIRST_CODE_POINT] for code in codes))
        for op, codes in diffs
    ]


def line_diff(a: str, b: str, *, timeout: float) -> Diffs:
    """A paragraph-level diff."""
    dmp = differ(timeout)
    a_lines, b_lines, lines = dmp.diff_linesToChars(a, b)
    diffs = dmp.diff_main(a_lines, b_lines, False)
    dmp.diff_charsToLines(diffs, lines)
    return diffs


def readable_diff(a: str, b: str, *, timeout: float = 1.0, semantic: bool = True) -> Diffs:
    """The diff a rapporteur reads: changed paragraphs, and within them changed words.

    With `semantic=False` it stays minimal at word level: that is how revisions are
    stored, so that authorship credits whole words ("must" for "shall", not "mu…t").
    """
    result: Diffs = []
    deleted, inserted = [], []
    for op, text in [*line_diff(a, b, timeout=timeout), (EQUAL, "")]:
        if op == DELETE:
            deleted.append(text)
        elif op == INSERT:
            inserted.append(text)
        else:
            result.extend(
                word_diff("".join(deleted), "".join(inserted), timeout=timeout, semantic=semantic)
            )
            deleted, inserted = [], []
            result.append((EQUAL, text))
    return joined(result)


def joined(diffs: Diffs) -> Diffs:
    """Adjacent pieces with the same operation joined, empty ones dropped.

    Not diff_cleanupMerge: that would factor common letters out of a changed word
    ("colo[u]r") and undo the word-level view.
    """
    result: Diffs = []
    for op, text in diffs:
        if not text:
            continue
        if result and result[-1][0] == op:
            result[-1] = (op, result[-1][1] + text)
        else:
            result.append((op, text))
    return result
