"""Applying diff-match-patch deltas fast, in UTF-16 code units.

`diff_toDelta` counts lengths in UTF-16 code units (as the JavaScript port does). Applying
a delta by slicing the text's UTF-16 encoding keeps that exact, and lets a chain of deltas
(rebuilding an old revision) run without decoding in between: each step is a join of a
few slices, not a walk over the text in Python.
"""

from __future__ import annotations

from urllib.parse import unquote

from drafting.text.diffs import DeltaMismatch

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
    for token in delta.split("\t") if delta else ():
        operation, parameter = token[:1], token[1:]
        if operation == "+":
            pieces.append(encode(unquote(parameter)))
            continue
        if operation not in ("=", "-") or not parameter.isdigit():
            raise DeltaMismatch(f"not a delta token: {token[:20]!r}")
        end = position + int(parameter) * UNIT
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
