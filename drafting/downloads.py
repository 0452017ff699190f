"""File names of downloads, and the Content-Disposition header that gives them.

A download is named after its title, in the title's own script: "منصة التجمع" saves as
"منصة-التجمع.pdf", "移民妇女政策" as "移民妇女政策.pdf", "Políticas de migración" as
"Políticas-de-migración.pdf". Only letters, combining marks and digits are kept; quotes
and invisible formatting characters (direction overrides, zero-width joiners, soft
hyphens) are dropped; anything else (spaces, slashes, dots, line breaks…) separates words
with one hyphen, so no name climbs a folder, fakes its extension or breaks a header. Names
are cut to MAX_NAME_BYTES; a title with nothing left is a "document".

A name in ASCII goes in the header as it is, quoted. Any other goes twice, as RFC 6266
asks: percent-encoded in `filename*=UTF-8''…` (RFC 5987), which every current browser
reads, and before it in a plain `filename="…"` for older clients, with its accents dropped
("Politicas-de-migracion.pdf"), or "document.pdf" when it has letters ASCII has not. This
is how Flask's `send_file(download_name=…)` writes it, except for that plain name.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

FALLBACK = "document"
MAX_NAME_BYTES = 150  # before the extension, in UTF-8: 150 Latin, 75 Arabic or 50 Chinese letters
QUOTES = frozenset("'\"`´‘’‚‛“”„‟‹›«»ʹʺʻʼʽ＂＇")
ATTR_CHARS = "!#$&+-.^_`|~"  # RFC 5987 attr-chars besides letters and digits: sent as they are


def download_name(title: str, suffix: str) -> str:
    """The file name of a download of `title`; `suffix` is its extension ("pdf" or ".pdf")."""
    stem = clean(title) or FALLBACK
    suffix = clean(suffix)
    return f"{stem}.{suffix}" if suffix else stem


def clean(text: str) -> str:
    """The letters, marks and digits of `text`, words joined by hyphens, cut to fit."""
    words: list[str] = []
    word: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if char in QUOTES or category == "Cf":
            continue
        if category[0] in "LMN":
            word.append(char)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    name = "-".join(words)
    if len(name.encode()) > MAX_NAME_BYTES:
        name = name.encode()[:MAX_NAME_BYTES].decode(errors="ignore").rstrip("-")
    return name


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """The Content-Disposition of a file named `filename` (see download_name): shown by the
    browser when `inline`, else saved."""
    kind = "inline" if inline else "attachment"
    stem, dot, suffix = filename.rpartition(".")
    if not dot:
        stem, suffix = suffix, ""
    fallback = download_name(without_accents(stem), without_accents(suffix))
    if fallback == filename:
        return f'{kind}; filename="{filename}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe=ATTR_CHARS)}"


def without_accents(name: str) -> str:
    """`name` in ASCII if only its accents are lost ("Políticas" → "Politicas"), else "":
    a name with half its words left out would misname the file."""
    folded = ""
    for char in name:
        plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        if not plain and unicodedata.category(char)[0] in "LN":
            return ""
        folded += plain
    return folded
