"""Anchors following the text: where each comment's and suggestion's passage is now.

A passage is located once, when the comment or suggestion is made (`place_anchor`); from
then on its span is mapped through the forward delta of every change of the live text, by
position (drafting/text/anchors.py, `follow_spans`); creating a document sets version 0
without a live edit, and nothing changes the text without one. Listings map every span of
a document together, loading those deltas once (documents/live.py), and store the
caught-up spans once they are STORE_BEHIND versions ahead, so later listings start from
there. Should the chain back to a span be gone (pruned), the passage is found again by its
quote and context only if that occurs exactly once; otherwise it is orphaned, never
guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from drafting.documents import live
from drafting.documents.models import Document
from drafting.documents.service import normalize_newlines
from drafting.errors import Invalid
from drafting.extensions import db
from drafting.review.models import MAX_CONTEXT_CHARS
from drafting.review.models import MAX_QUOTE_CHARS
from drafting.review.models import Anchored
from drafting.text.anchors import Anchor
from drafting.text.anchors import Span
from drafting.text.anchors import Utf16Index
from drafting.text.anchors import follow_spans
from drafting.text.anchors import locate
from drafting.text.anchors import occurrences

# Caught-up spans are written back once they are this many live versions ahead of the
# stored ones (catching up through fewer costs less than the write).
STORE_BEHIND = 32


@dataclass(frozen=True)
class ResolvedAnchor:
    """A passage as it stands in the current text: character offsets (Python and API),
    UTF-16 offsets (the browser editor's unit), and the words there now."""

    quote: str
    prefix: str
    suffix: str
    start: int | None
    end: int | None
    orphaned: bool
    utf16_start: int | None = None
    utf16_end: int | None = None
    current_text: str = ""

    def as_json(self) -> dict:
        """The anchor as the API shows it."""
        return {
            "quote": self.quote,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "start": self.start,
            "end": self.end,
            "orphaned": self.orphaned,
            "utf16_start": self.utf16_start,
            "utf16_end": self.utf16_end,
        }


def checked_anchor(anchor: Anchor) -> Anchor:
    """An anchor's sizes are bounded: the quote by 2,000 characters, its context by 200.

    Line ends are made LF like the documents' (browsers send CRLF from text areas).
    """
    anchor = Anchor(*(normalize_newlines(part) for part in astuple(anchor)))
    if not anchor.quote:
        raise Invalid(_("Quote the passage you mean."), fields={"anchor.quote": "required"})
    if len(anchor.quote) > MAX_QUOTE_CHARS:
        raise Invalid(
            _("Quote at most %(n)d characters of the passage.", n=MAX_QUOTE_CHARS),
            fields={"anchor.quote": "too_long"},
        )
    for name, value in (("prefix", anchor.prefix), ("suffix", anchor.suffix)):
        if len(value) > MAX_CONTEXT_CHARS:
            raise Invalid(
                _("Keep the text around the quote under %(n)d characters.", n=MAX_CONTEXT_CHARS),
                fields={f"anchor.{name}": "too_long"},
            )
    return anchor


def place_anchor(item: Anchored, document: Document, anchor: Anchor) -> None:
    """Find the quoted passage in the current text and pin the item to it (or Invalid)."""
    anchor = checked_anchor(anchor)
    found = occurrences(document.content, anchor, limit=2)  # one, or ambiguous
    if not found:
        raise Invalid(
            _("This passage is not in the text (it may have just changed)."),
            fields={"anchor": "not_found"},
        )
    if len(found) > 1:
        raise Invalid(
            _("These words occur more than once: quote a few words before or after them."),
            fields={"anchor": "ambiguous"},
        )
    span = Utf16Index(document.content).span_to_utf16(found[0])
    item.anchor_quote, item.anchor_prefix, item.anchor_suffix = (
        anchor.quote,
        anchor.prefix,
        anchor.suffix,
    )
    item.anchor_start, item.anchor_end = span
    item.anchor_version = document.live_version
    item.orphaned = False


def catch_up(document: Document, items: Sequence[Anchored]) -> None:
    """Bring every item's span to the document's current live version, in one pass.

    The forward deltas since the oldest span are loaded once, and `follow_spans` walks
    them: each delta moves all the spans it reaches (SpanMapper leaves or shifts the others
    without walking it). A passage whose every character was deleted is orphaned for good.
    """
    behind = sorted(
        (
            item
            for item in items
            if item.anchor_quote is not None
            and not item.orphaned
            and item.anchor_version != document.live_version
        ),
        key=lambda item: item.anchor_version,
    )
    if not behind:
        return
    rows = live.forward_deltas_after(document, behind[0].anchor_version)
    chain_start = complete_chain_start(rows, document.live_version)
    spans: dict[int, Span | None] = {}
    followed: list[Anchored] = []
    for item in behind:
        if chain_start <= item.anchor_version <= document.live_version:
            followed.append(item)
        else:
            spans[id(item)] = relocated(document, item)  # the chain back to it is gone
    mapped = follow_spans(
        [(item.anchor_version, Span(item.anchor_start, item.anchor_end)) for item in followed],
        [(version, forward) for version, forward in rows if version > chain_start],
    )
    for item, span in zip(followed, mapped, strict=True):
        spans[id(item)] = span
    store_spans(behind, spans, document.live_version)


def complete_chain_start(rows: Sequence, live_version: int) -> int:
    """The oldest version from which every later live edit is at hand (gaps if pruned)."""
    start = live_version
    for version, _forward in reversed(rows):
        if version != start:
            break
        start -= 1
    return start


def relocated(document: Document, item: Anchored) -> Span | None:
    """Re-find a passage by its quote when positions can't be followed: only if unique."""
    found = locate(document.content, item.anchor)
    return Utf16Index(document.content).span_to_utf16(found) if found else None


def store_spans(items: Sequence[Anchored], spans: dict[int, Span | None], version: int) -> None:
    """Keep where each passage is at `version` (or that it is gone) for the next reading.

    Only items at least STORE_BEHIND versions behind (or newly orphaned) are written: a
    listing while people type then maps a few recent deltas in memory instead of rewriting
    hundreds of rows each time. One executemany UPDATE per table; the loaded objects take
    the same values as committed ones (flushing them one by one costs a statement each).
    """
    rows: dict[type, list[dict]] = {}
    for item in items:
        span = spans[id(item)]
        values = {
            "anchor_start": span.start if span else None,
            "anchor_end": span.end if span else None,
            "anchor_version": version,
            "orphaned": span is None,
        }
        due = span is None or version - item.anchor_version >= STORE_BEHIND
        for name, value in values.items():
            set_committed_value(item, name, value)
        if due:
            rows.setdefault(type(item), []).append({"item_id": item.id, **values})
    for model, changes in rows.items():
        table = model.__table__
        db.session.execute(
            table.update()
            .where(table.c.id == sa.bindparam("item_id"))
            .values({name: sa.bindparam(name) for name in changes[0] if name != "item_id"}),
            changes,
        )


def resolve_anchors(
    document: Document, items: Sequence[Anchored]
) -> dict[int, ResolvedAnchor | None]:
    """Each item's passage in the current text, by the item's id (None when unanchored)."""
    catch_up(document, items)
    index = Utf16Index(document.content)
    return {item.id: resolved_anchor(document.content, index, item) for item in items}


def resolved_anchor(text: str, index: Utf16Index, item: Anchored) -> ResolvedAnchor | None:
    """One caught-up item's passage, in characters and UTF-16 units."""
    if item.anchor_quote is None:
        return None
    base = {"quote": item.anchor_quote, "prefix": item.anchor_prefix, "suffix": item.anchor_suffix}
    if item.orphaned or item.anchor_start is None:
        return ResolvedAnchor(**base, start=None, end=None, orphaned=True)
    start, end = index.span_to_chars(Span(item.anchor_start, item.anchor_end))
    return ResolvedAnchor(
        **base,
        start=start,
        end=end,
        orphaned=False,
        utf16_start=item.anchor_start,
        utf16_end=item.anchor_end,
        current_text=text[start:end],
    )
