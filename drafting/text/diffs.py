"""Diffs and deltas on top of diff-match-patch, configured the same way everywhere.

A diff is diff-match-patch's list of `(op, text)` pairs, `op` being `DELETE`,
`EQUAL` or `INSERT`. A delta is `diff_toDelta` text (`=4\t-2\t+new`), the
wire format of SYNC.md: its counts are UTF-16 code units, like the JavaScript
port in the browser, so a character outside the Basic Multilingual Plane (an
emoji) counts 2. Python strings count code points; the package converts.
"""

from __future__ import annotations

from diff_match_patch import diff_match_patch

DELETE = diff_match_patch.DIFF_DELETE
EQUAL = diff_match_patch.DIFF_EQUAL
INSERT = diff_match_patch.DIFF_INSERT

Diffs = list[tuple[int, str]]

# Without a bound, a 150k-character half rewrite took 219 s while holding the
# document lock. A diff cut short by the timeout is still correct, only coarser.
DEFAULT_TIMEOUT_SECONDS = 1.0
_default_timeout = DEFAULT_TIMEOUT_SECONDS


class DeltaMismatch(ValueError):
    """A delta that does not describe an edit of the given base text."""


def set_default_timeout(seconds: float) -> None:
    """Set the diff time bound used when a call names none (e.g. from the app config)."""
    global _default_timeout
    _default_timeout = _checked_timeout(seconds)


def differ(timeout: float | None = None) -> diff_match_patch:
    """A diff-match-patch whose diffs give up refining after `timeout` seconds."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = _default_timeout if timeout is None else _checked_timeout(timeout)
    return dmp


def _checked_timeout(seconds: float) -> float:
    """The timeout, refusing 0 and below, which diff-match-patch reads as "no bound"."""
    if not seconds > 0:
        raise ValueError(f"the diff timeout must be a positive number of seconds, not {seconds}")
    return float(seconds)


def diff(a: str, b: str, *, semantic: bool = False, timeout: float | None = None) -> Diffs:
    """The changes that turn `a` into `b`, slid to word boundaries.

    Large texts are diffed line by line first, then the changed lines character
    by character (`checklines`). `semantic=True` also merges small equalities
    away, for compare views a person reads; never use it for patches or merges,
    where the smallest, exactly placed edits are wanted.
    """
    dmp = differ(timeout)
    diffs = without_empty(dmp.diff_main(a, b, checklines=True), dmp)
    # Lossless: it changes neither text, only slides each edit to a word
    # boundary, so that a patch made from it does not land one word off.
    dmp.diff_cleanupSemanticLossless(diffs)
    if semantic:
        dmp.diff_cleanupSemantic(diffs)
    return diffs


def normalize(diffs: Diffs) -> Diffs:
    """The same change, merged into canonical runs and slid to word boundaries.

    For diffs that did not come from `diff` (a client's delta): the server does
    not trust clients to have cleaned them. Neither text changes.
    """
    dmp = differ()
    normalized = without_empty(diffs, dmp)
    dmp.diff_cleanupSemanticLossless(normalized)
    return normalized


def without_empty(diffs: Diffs, dmp: diff_match_patch) -> Diffs:
    """The diffs without empty runs, merged into canonical runs.

    diff-match-patch's line mode leaves an empty deletion between two equal runs now and
    then ("=120\t-0\t=40"): harmless to apply, but no diff of two texts means it, and a
    client or a merge that reads positions from runs should not have to know.
    """
    kept = [(op, text) for op, text in diffs if text]
    dmp.diff_cleanupMerge(kept)
    return [(op, text) for op, text in kept if text]


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


def old_text(diffs: Diffs) -> str:
    """The text the diffs start from."""
    return "".join(text for op, text in diffs if op != INSERT)


def new_text(diffs: Diffs) -> str:
    """The text the diffs lead to."""
    return "".join(text for op, text in diffs if op != DELETE)


def inverted(diffs: Diffs) -> Diffs:
    """The diffs that undo `diffs`: insertions become deletions and back."""
    swap = {INSERT: DELETE, DELETE: INSERT}
    return [(swap.get(op, op), text) for op, text in diffs]


def added_removed(diffs: Diffs) -> tuple[int, int]:
    """How many characters (code points) the diffs insert and delete."""
    added = sum(len(text) for op, text in diffs if op == INSERT)
    removed = sum(len(text) for op, text in diffs if op == DELETE)
    return added, removed
