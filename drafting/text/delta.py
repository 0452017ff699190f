"""Applying diff-match-patch deltas fast, in UTF-16 code units.

`diff_toDelta` counts lengths in UTF-16 code units (as the JavaScript port does). Applying
a delta by slicing the text's UTF-16 encoding keeps that exact, and lets a chain of deltas
(rebuilding an old revision) run without decoding in between: each step is a join of a
few slices, not a walk over the text in Python.
"""

from __future__ import annotations

from urllib.parse import unquote

from drafting.text.diffs import DELETE
from drafting.text.diffs import EQUAL
from drafting.text.diffs import INSERT
from drafting.text.diffs import DeltaMismatch
from drafting.text.diffs import joined

UNIT = 2  # bytes per UTF-16 code unit


def encode(text: str) -> bytes:
    """The text as UTF-16-LE; `surrogatepass` keeps lone surrogates from breaking it."""
    return text.encode("utf-16-le", "surrogatepass")


def decode(units: bytes) -> str:
    """Back from UTF-16-LE."""
    return units.decode("utf-16-le", "surrogatepass")


def utf16_length(text: str) -> int:
    """The length JavaScript's `text.length` would give."""
    return len(encode(text)) // UNIT


def apply_encoded(base: bytes, delta: str) -> bytes:
    """Apply a delta to UTF-16-LE bytes; DeltaMismatch unless it fits exactly."""
    pieces: list[bytes] = []
    position = 0
    for operation, parameter in operations(delta):
        if operation == "+":
            pieces.append(parameter)
            continue
        end = position + parameter * UNIT
        if end > len(base):
            raise DeltaMismatch("the delta is longer than the text")
        if operation == "=":
            pieces.append(base[position:end])
        position = end
    if position != len(base):
        raise DeltaMismatch("the delta is shorter than the text")
    return b"".join(pieces)


def apply_delta(base: str, delta: str) -> str:
    """Apply one delta to a text."""
    return decode(apply_encoded(encode(base), delta))


def apply_chain(base: str, deltas: list[str]) -> str:
    """Apply deltas one after another, decoding only at the end."""
    units = encode(base)
    for delta in deltas:
        units = apply_encoded(units, delta)
    return decode(units)


# A delta as operations on UTF-16 units: ("=", count), ("-", count) or ("+", encoded text).
Operation = tuple[str, int | bytes]


def operations(delta: str) -> list[Operation]:
    """A delta's tokens as operations, the inserted text encoded as UTF-16-LE."""
    parsed: list[Operation] = []
    for token in delta.split("\t") if delta else ():
        operation, parameter = token[:1], token[1:]
        if operation == "+":
            parsed.append(("+", encode(unquote(parameter))))
        elif operation in ("=", "-") and parameter.isdigit():
            parsed.append((operation, int(parameter)))
        else:
            raise DeltaMismatch(f"not a delta token: {token[:20]!r}")
    return parsed


def compose(first: list[Operation], second: list[Operation]) -> list[Operation]:
    """One change doing `first`, then `second` (which applies to `first`'s result).

    Positions come from the deltas themselves, never from comparing texts: what each change
    inserted stays an insertion of exactly those characters, however much else moved.
    """
    composed: list[Operation] = []
    pending = list(reversed(first))  # first's operations still to read, the next one last
    for operation, parameter in second:
        if operation == "+":
            composed.append(("+", parameter))
            continue
        composed += _take(pending, parameter * UNIT, keep=operation == "=")
    while pending:  # second ends where first's text ends: only deletions may be left
        operation, parameter = pending.pop()
        if operation != "-":
            raise DeltaMismatch("the second delta is shorter than the first's result")
        composed.append((operation, parameter))
    return composed


def _take(pending: list[Operation], size: int, *, keep: bool) -> list[Operation]:
    """Read `size` bytes of the first change's result, kept (`=`) or deleted (`-`)."""
    taken: list[Operation] = []
    while size:
        if not pending:
            raise DeltaMismatch("the second delta is longer than the first's result")
        operation, parameter = pending.pop()
        if operation == "-":  # not part of the result: the deletion stands
            taken.append((operation, parameter))
            continue
        length = len(parameter) if operation == "+" else parameter * UNIT
        used = min(length, size)
        if used < length:  # put the rest back for the next read
            rest = parameter[used:] if operation == "+" else (length - used) // UNIT
            pending.append((operation, rest))
        size -= used
        if operation == "+":
            if keep:  # inserted by the first, deleted by the second: never was
                taken.append(("+", parameter[:used]))
        else:
            taken.append(("=" if keep else "-", used // UNIT))
    return taken


def diffs_of(base: str, ops: list[Operation]) -> list[tuple[int, str]]:
    """Operations on `base` as diff-match-patch diffs (code points), runs merged."""
    units = encode(base)
    diffs: list[tuple[int, str]] = []
    position = 0
    for operation, parameter in ops:
        if operation == "+":
            op, text = INSERT, decode(parameter)
        else:
            end = position + parameter * UNIT
            if end > len(units):
                raise DeltaMismatch("the delta is longer than the text")
            op, text = (EQUAL if operation == "=" else DELETE), decode(units[position:end])
            position = end
        diffs.append((op, text))
    if position != len(units):
        raise DeltaMismatch("the delta is shorter than the text")
    return joined(diffs)


def chain_diffs(base: str, deltas: list[str]) -> list[tuple[int, str]]:
    """The diffs from `base` to the text a chain of deltas leads to, by their positions."""
    composed: list[Operation] = [("=", utf16_length(base))] if base else []
    for delta in deltas:
        composed = compose(composed, operations(delta))
    return diffs_of(base, composed)
