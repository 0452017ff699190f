"""PDFs kept by the hash of what they were made from, so a draft is printed once.

The key is `pdf.order_key(order)`: the SHA-256 of the whole request (text,
title, language, status, paper size, endorsers…, or a page's HTML) and of the engine version,
which hashes the print templates and stylesheet. Any change to the document
or to how PDFs look gives a new key; nothing ever needs invalidating by hand.

Rows live in `pdf_cache` (migration 0006) so every web worker and the PDF
queue's workers share them. The table has a size cap (PDF_CACHE_MAX_BYTES):
after each insert the least recently used rows go until the total fits.
`last_used_at` is refreshed at most every `TOUCH_INTERVAL`, so a busy PDF does
not turn every download into a write.

Like every service, this module only flushes: the caller's commit keeps what
it added (the print threads and the queue's worker commit after each print).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from drafting.extensions import UTCDateTime
from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.publishing.pdf import PrintOrder
from drafting.publishing.pdf import order_key
from drafting.publishing.pdf import render_order

TOUCH_INTERVAL = timedelta(minutes=10)
DEFAULT_MAX_BYTES = 512 * 1024 * 1024


class PdfCacheEntry(db.Model):
    """One printed PDF, named by the SHA-256 of its request and engine."""

    __tablename__ = "pdf_cache"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    # Deferred: eviction and lookups read sizes and dates, not megabytes of PDF.
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def cached_pdf(order: PrintOrder) -> bytes:
    """The order's PDF: from the cache, or printed now and cached (flushed, not committed)."""
    key = order_key(order)
    pdf = lookup(key)
    if pdf is None:
        pdf = render_order(order)
        store(key, pdf)
    return pdf


def lookup(key: str) -> bytes | None:
    """The cached PDF under `key`, marking it used; None on a miss."""
    entry = db.session.get(PdfCacheEntry, key, options=[sa.orm.undefer(PdfCacheEntry.pdf)])
    if entry is None:
        return None
    now = utcnow()
    if now - entry.last_used_at > TOUCH_INTERVAL:
        entry.last_used_at = now
        db.session.flush()
    return entry.pdf


def contains(key: str) -> bool:
    """Whether a PDF is cached under `key` (without reading it)."""
    found = db.session.scalar(sa.select(PdfCacheEntry.key).where(PdfCacheEntry.key == key))
    return found is not None


def store(key: str, pdf: bytes) -> None:
    """Keep `pdf` under `key`, then evict the least recently used PDFs beyond the size cap."""
    if contains(key):
        return
    entry = PdfCacheEntry(
        key=key, pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf)
    )
    try:
        # A savepoint: when another worker cached the same PDF meanwhile, theirs stands.
        with db.session.begin_nested():
            db.session.add(entry)
    except sa.exc.IntegrityError:
        return
    evict(max_bytes())


def evict(limit: int) -> int:
    """Delete the least recently used PDFs until the total size is at most `limit`; how many."""
    total = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(PdfCacheEntry.size), 0)))
    if total <= limit:
        return 0
    doomed = []
    rows = db.session.execute(
        sa.select(PdfCacheEntry.key, PdfCacheEntry.size).order_by(
            PdfCacheEntry.last_used_at, PdfCacheEntry.created_at
        )
    )
    for key, size in rows:
        if total <= limit:
            break
        doomed.append(key)
        total -= size
    db.session.execute(sa.delete(PdfCacheEntry).where(PdfCacheEntry.key.in_(doomed)))
    db.session.flush()
    return len(doomed)


def max_bytes() -> int:
    """The cache's size cap (PDF_CACHE_MAX_BYTES)."""
    return int(current_app.config.get("PDF_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES))
