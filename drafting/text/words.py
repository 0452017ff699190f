"""Diffs for people to read: paragraphs first, then words inside changed paragraphs.

A character diff of prose shows "colo(u)r"-style fragments; people read whole words. And
on a 150,000-character paper a character-level Myers diff is slow in Python. So: diff by
lines (paragraphs), then re-diff each changed run word by word, then merge small
equalities away (diff_cleanupSemantic). The result still turns A into B exactly.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from drafting.text.diffs import DELETE
from drafting.text.diffs import EQUAL
from drafting.text.diffs import INSERT
from drafting.text.diffs import Diffs
from drafting.text.diffs import differ
from drafting.text.diffs import joined

try:  # Google's C++ diff-match-patch: optional, same algorithm, much faster
    import fast_diff_match_patch as fast_dmp
except ImportError:  # pragma: no cover - the Python package then does the work
    fast_dmp = None

FAST_OPS = {"=": EQUAL, "-": DELETE, "+": INSERT}

# Words (letters and digits in any script), runs of spaces, or single other characters.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
# diff_main works on strings: each distinct token becomes one character from here up.
FIRST_CODE_POINT = 0x100


def tokens_to_chars(a: str, b: str) -> tuple[str, str, list[str], list[str], list[str]]:
    """Encode both texts as one character per token (like diff_linesToChars, for words).

    Returns the two encodings and the two texts' token lists.
    """
    index: dict[str, int] = {}
    a_tokens, b_tokens = TOKEN.findall(a), TOKEN.findall(b)
    number = index.setdefault
    a_codes = "".join([chr(FIRST_CODE_POINT + number(token, len(index))) for token in a_tokens])
    b_codes = "".join([chr(FIRST_CODE_POINT + number(token, len(index))) for token in b_tokens])
    return a_codes, b_codes, a_tokens, b_tokens


def word_diff(a: str, b: str, *, timeout: float = 0.5, semantic: bool = True) -> Diffs:
    """A word-level diff of two (short) texts, cleaned up for people to read if `semantic`.

    The diff and its cleanup run on the encoded tokens, so they only ever move whole words.
    When Google's C++ diff-match-patch (fast-diff-match-patch) is installed it does the
    work, with the same algorithm and the same result, about ten times faster; the Python
    package is the fallback.
    """
    a_codes, b_codes, a_tokens, b_tokens = tokens_to_chars(a, b)
    if fast_dmp is not None:
        operations = fast_dmp.diff(
            a_codes,
            b_codes,
            timelimit=timeout,
            checklines=False,
            cleanup="Semantic" if semantic else "No",
            counts_only=True,
        )
        counted = [(FAST_OPS[op], count) for op, count in operations]
    else:
        dmp = differ(timeout)
        diffs = dmp.diff_main(a_codes, b_codes, False)
        if semantic:
            dmp.diff_cleanupSemantic(diffs)
        counted = [(op, len(codes)) for op, codes in diffs]
    return tokens_of(counted, a_tokens, b_tokens)


def tokens_of(counted: list[tuple[int, int]], a_tokens: list[str], b_tokens: list[str]) -> Diffs:
    """Turn (op, number of tokens) back into (op, text)."""
    result: Diffs = []
    a_at = b_at = 0
    for op, count in counted:
        if op == INSERT:
            result.append((op, "".join(b_tokens[b_at : b_at + count])))
            b_at += count
            continue
        result.append((op, "".join(a_tokens[a_at : a_at + count])))
        a_at += count
        if op == EQUAL:
            b_at += count
    return result


def dmp_line_diff(a_lines: list[str], b_lines: list[str], *, timeout: float) -> Diffs:
    """diff-match-patch's line diff of two runs of lines."""
    a, b = "".join(a_lines), "".join(b_lines)
    if not a or not b:
        return [(DELETE, a), (INSERT, b)]
    dmp = differ(timeout)
    a_chars, b_chars, lines = dmp.diff_linesToChars(a, b)
    diffs = dmp.diff_main(a_chars, b_chars, False)
    dmp.diff_charsToLines(diffs, lines)
    return diffs


def unique_anchors(a_lines: list[str], b_lines: list[str]) -> list[tuple[int, int]]:
    """Lines that occur exactly once in each text, matched in order (the longest increasing
    run of their positions, as in patience diff): they pin the alignment."""
    a_counts, b_counts = Counter(a_lines), Counter(b_lines)
    b_position = {line: j for j, line in enumerate(b_lines) if b_counts[line] == 1}
    pairs = [
        (i, b_position[line])
        for i, line in enumerate(a_lines)
        if a_counts[line] == 1 and line in b_position and line.strip()
    ]
    tails: list[int] = []
    tail_pair: list[int] = []
    previous: list[int | None] = [None] * len(pairs)
    for k, (_i, j) in enumerate(pairs):
        place = bisect.bisect_left(tails, j)
        if place == len(tails):
            tails.append(j)
            tail_pair.append(k)
        else:
            tails[place], tail_pair[place] = j, k
        previous[k] = tail_pair[place - 1] if place else None
    anchors = []
    k = tail_pair[-1] if tail_pair else None
    while k is not None:
        anchors.append(pairs[k])
        k = previous[k]
    return anchors[::-1]


def line_diff(a: str, b: str, *, timeout: float) -> Diffs:
    """A paragraph-level diff, anchored on lines both texts have exactly once.

    After thousands of edits most paragraphs differ, and one diff of all lines costs
    seconds; the anchors cut it into small gaps that diff-match-patch handles at once.
    """
    a_lines, b_lines = a.splitlines(keepends=True), b.splitlines(keepends=True)
    result: Diffs = []
    a_at = b_at = 0
    for i, j in [*unique_anchors(a_lines, b_lines), (len(a_lines), len(b_lines))]:
        result.extend(dmp_line_diff(a_lines[a_at:i], b_lines[b_at:j], timeout=timeout))
        if i < len(a_lines):
            result.append((EQUAL, a_lines[i]))
        a_at, b_at = i + 1, j + 1
    return joined(result)


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
