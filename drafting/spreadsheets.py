"""CSV cells that spreadsheets show as text: the one guard against formula injection."""

from __future__ import annotations

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(text: str) -> str:
    """The text as a cell no spreadsheet will evaluate; the apostrophe is the usual escape."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
