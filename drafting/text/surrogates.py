"""Lone surrogates: what JSON's "\ud800" decodes to, and what no UTF-8 text can hold.

A JSON string may escape half of a UTF-16 pair alone; Python decodes it to a surrogate code
point, which every later step that encodes the text (PostgreSQL, SHA-256 of the UTF-8, a
delta's percent-escapes) refuses. Text from outside is checked for them on the way in.
"""

from __future__ import annotations


def has_lone_surrogate(text: str) -> bool:
    """Whether the text holds a surrogate code point (in a Python string, always a lone one:
    JSON's "\\ud83d\\ude00" decodes to the one character it stands for)."""
    if text.isascii():  # the common case, without encoding a copy
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
