"""Delta text read in one place, and applied fast in UTF-16 code units.

A delta is diff-match-patch's `diff_toDelta` text: tab-separated tokens `=N` (keep N),
`-N` (delete N) and `+text` (insert the percent-escaped UTF-8 text). Every reader of deltas
goes through `tokens`, `operations`, `lengths` or `check_tokens` here, so that one set of
rules decides what a token is. Counts are UTF-16 code units (as the JavaScript port gives
them), and so is `utf16_length`, the one measure of a text in those units.

Applying a delta by slicing the text's UTF-16 encoding keeps that exact, and lets a chain
of deltas (rebuilding an old revision) run without decoding in between: each step is a
join of a few slices, not a walk over the text in Python.
"""

from __future__ import annotations

import re
from urllib.parse import unquote
from urllib.parse import unquote_to_bytes

from drafting.text.diffs import DELETE
from drafting.text.diffs import EQUAL
from drafting.text.diffs import INSERT
from drafting.text.diffs import DeltaMismatch
from drafting.text.diffs import Diffs
from drafting.text.diffs import differ
from drafting.text.diffs import joined
from drafting.text.surrogates import has_lone_surrogate

UNIT = 2  # bytes per UTF-16 code unit

# A `%` that does not start an escape; the JavaScript port's decodeURI throws on it.
_BARE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Escapes of UTF-8 continuation bytes (80-BF): no UTF-16 unit of their own.
_CONTINUATION_ESCAPES = ("%8", "%9", "%A", "%B")


def encode(text: str) -> bytes:
    """The text as UTF-16-LE; `surrogatepass` keeps lone surrogates from breaking it."""
    return text.encode("utf-16-le", "surrogatepass")


def decode(units: bytes) -> str:
    """Back from UTF-16-LE."""
    return units.decode("utf-16-le", "surrogatepass")


def utf16_length(text: str) -> int:
    """The length JavaScript's `text.length` would give (a lone surrogate counts one)."""
    if text.isascii():  # one unit a character; isascii() does not walk the text
        return len(text)
    return len(encode(text)) // UNIT


# A delta as operations on UTF-16 units: ("=", count), ("-", count) or ("+", encoded text).
Operation = tuple[str, int | bytes]


def tokens(delta: str) -> list[tuple[str, str]]:
    """A delta's tokens as written: (operation, parameter), e.g. ("=", "12"), ("+", "a%20b").

    Blank tokens (a trailing tab) are left out: both diff-match-patch ports allow them.
    Nothing else is checked here; `operations`, `lengths` and `check_tokens` read the
    parameters and refuse what is not a delta.
    """
    return [(token[0], token[1:]) for token in delta.split("\t") if token]


def operations(delta: str) -> list[Operation]:
    """A delta's tokens as operations, the inserted text encoded as UTF-16-LE.

    DeltaMismatch for a token other than `=N`, `-N` (N in ASCII digits) or `+text`. The
    inserted text is decoded as `unquote` does (invalid UTF-8 becomes U+FFFD): deltas read
    here were written by this server, or passed `check_tokens` first.
    """
    parsed: list[Operation] = []
    # `tokens` and `_count`, inlined: a third faster on the few tokens of a typed change.
    for token in delta.split("\t"):
        operation, parameter = token[:1], token[1:]
        if operation == "+":
            parsed.append(("+", encode(unquote(parameter))))
        elif (operation == "=" or operation == "-") and parameter.isascii() and parameter.isdigit():
            parsed.append((operation, int(parameter)))
        elif token:  # not a blank one
            raise _malformed(operation, parameter)
    return parsed


def lengths(delta: str) -> list[tuple[str, int]]:
    """A delta's tokens as (operation, length in UTF-16 units), for readers that need no
    inserted text: it is measured from its escapes, never decoded (`inserted_units`).

    DeltaMismatch as for `operations`.
    """
    parsed: list[tuple[str, int]] = []
    for token in delta.split("\t"):  # as in `operations`
        operation, parameter = token[:1], token[1:]
        if operation == "+":
            parsed.append(("+", inserted_units(parameter)))
        elif (operation == "=" or operation == "-") and parameter.isascii() and parameter.isdigit():
            parsed.append((operation, int(parameter)))
        elif token:
            raise _malformed(operation, parameter)
    return parsed


def check_tokens(delta: str) -> None:
    """DeltaMismatch for any token the JavaScript port refuses, though diff-match-patch's
    Python port would read it loosely: for deltas from outside (`from_delta`).

    Stricter than `operations` about the inserted text: a `%` that starts no escape, or
    escapes that are not UTF-8, are refused too.
    """
    for operation, parameter in tokens(delta):
        if operation != "+":
            _count(operation, parameter)
            continue
        if _BARE_PERCENT.search(parameter):
            raise DeltaMismatch(f"invalid escape in delta token {_shown(operation, parameter)}")
        try:
            # unquote() would silently replace invalid UTF-8 with U+FFFD.
            unquote_to_bytes(parameter).decode("utf-8")
        except UnicodeDecodeError as error:
            raise DeltaMismatch(
                f"inserted text is not UTF-8 in {_shown(operation, parameter)}"
            ) from error


def inserted_units(parameter: str) -> int:
    """The UTF-16 length of the text a `+` token inserts, counted without decoding it.

    Each escape `%HH` (three characters of the token) stands for one UTF-8 byte, and the
    decoded text has one UTF-16 unit for each byte that starts a character, none for a
    continuation byte (80-BF) and two for one that starts a four-byte sequence (F0-F4:
    outside the Basic Multilingual Plane). Counting those escapes with str.count is two to
    three times faster than decoding a 150,000-character insertion. Escapes that are not
    UTF-8 give a count of no meaning (never a negative one); `check_tokens` refuses them.
    """
    if "%" not in parameter:
        return utf16_length(parameter)
    if not parameter.isascii() or _BARE_PERCENT.search(parameter):
        return utf16_length(unquote(parameter))  # raw text or stray `%`: as decoded
    upper = parameter.upper()  # escapes may use either case of hex digit
    escapes = upper.count("%")
    continuations = sum(upper.count(escape) for escape in _CONTINUATION_ESCAPES)
    return len(parameter) - 2 * escapes - continuations + upper.count("%F")


def _count(operation: str, parameter: str) -> int:
    """The count of an `=` or `-` token; DeltaMismatch for any other token.

    Only ASCII digits: int() alone would also take "+3", " 3", "3_0" and non-ASCII digits.
    """
    if (operation == "=" or operation == "-") and parameter.isascii() and parameter.isdigit():
        return int(parameter)
    raise _malformed(operation, parameter)


def _malformed(operation: str, parameter: str) -> DeltaMismatch:
    """The error for a token that is neither `=N`, `-N` nor `+text`."""
    if operation in ("=", "-"):
        return DeltaMismatch(f"invalid count in delta token {_shown(operation, parameter)}")
    return DeltaMismatch(f"unknown delta operation {operation!r}")


def _shown(operation: str, parameter: str) -> str:
    """A token as an error message shows it, cut short."""
    return repr(operation + parameter[:20])


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


def apply_chain(base: str, deltas: list[str]) -> str:
    """Apply deltas one after another, decoding only at the end."""
    units = encode(base)
    for delta in deltas:
        units = apply_encoded(units, delta)
    return decode(units)


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


def to_delta(diffs: Diffs) -> str:
    """The diffs as delta text, counting UTF-16 code units like the browser."""
    return differ().diff_toDelta(diffs)


def from_delta(base: str, delta: str) -> Diffs:
    """The diffs a delta describes against `base`.

    Raises DeltaMismatch when the delta is malformed or does not fit `base`
    exactly (its counts do not add up to the length of `base`, or one splits a
    character in two), or holds a lone surrogate, which no text has. The server answers
    that with a conflict; it never guesses.
    """
    if has_lone_surrogate(delta):  # diff-match-patch would fail encoding it, not parsing it
        raise DeltaMismatch("the delta holds a lone surrogate, which is no text")
    check_tokens(delta)
    try:
        return differ().diff_fromDelta(base, delta)
    except ValueError as error:  # UnicodeDecodeError too: a count splits a surrogate pair
        raise DeltaMismatch(f"the delta does not fit the base text: {error}") from error
