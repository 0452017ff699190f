"""The PDF cache: printed once per request and engine, shared through the database, capped."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.publishing import cache
from drafting.publishing import pdf
from drafting.publishing.cache import PdfCacheEntry
from drafting.publishing.pdf import PdfRequest
from drafting.publishing.pdf import request_key

REQUEST = PdfRequest(
    title="Bridge document",
    caucus_name="Women in Migration Network",
    markdown="# Preamble\n\nNothing about us without us.",
    text_sha256="a" * 64,
)


class CountingEngine:
    """Stands in for the printer: records each request, returns bytes made from it."""

    def __init__(self):
        self.printed: list[PdfRequest] = []

    def __call__(self, request: PdfRequest) -> bytes:
        self.printed.append(request)
        return b"%PDF-1.7\n" + hashlib.sha256(repr(request).encode()).hexdigest().encode()


@pytest.fixture
def engine(monkeypatch) -> CountingEngine:
    """The counting stand-in, installed where the cache calls the printer."""
    counting = CountingEngine()
    monkeypatch.setattr(pdf, "render_pdf", counting)
    return counting


def test_a_pdf_is_printed_once_then_served_from_the_cache(ctx, engine):
    """The second request for the same PDF prints nothing."""
    first = cache.cached_pdf(REQUEST)
    second = cache.cached_pdf(REQUEST)
    assert first == second and len(engine.printed) == 1
    entry = db.session.get(PdfCacheEntry, request_key(REQUEST))
    assert entry.size == len(first)
    assert entry.pdf_sha256 == hashlib.sha256(first).hexdigest()


def test_changing_the_request_or_the_engine_prints_again(ctx, engine, monkeypatch):
    """Another title, or another template version, is another key."""
    cache.cached_pdf(REQUEST)
    cache.cached_pdf(PdfRequest(**{**REQUEST.__dict__, "title": "Platform"}))
    assert len(engine.printed) == 2
    monkeypatch.setattr(pdf, "engine_version", lambda: "weasyprint-70.0-new-template")
    cache.cached_pdf(REQUEST)
    assert len(engine.printed) == 3


def test_the_least_recently_used_pdfs_go_beyond_the_size_cap(ctx, app, monkeypatch):
    """After an insert past PDF_CACHE_MAX_BYTES, the oldest-used rows are deleted."""
    monkeypatch.setitem(app.config, "PDF_CACHE_MAX_BYTES", 250)
    now = utcnow()
    for name, hours_ago in (("old", 3), ("recent", 1)):
        cache.store(name * 8, b"x" * 100)
        db.session.get(PdfCacheEntry, name * 8).last_used_at = now - timedelta(hours=hours_ago)
    db.session.flush()
    cache.store("new" * 8, b"y" * 100)
    keys = set(db.session.scalars(sa.select(PdfCacheEntry.key)))
    assert keys == {"recent" * 8, "new" * 8}


def test_a_hit_marks_the_pdf_used_at_most_every_few_minutes(ctx):
    """last_used_at moves on a hit only when it is older than TOUCH_INTERVAL."""
    cache.store("k" * 64, b"%PDF-1.7 k")
    entry = db.session.get(PdfCacheEntry, "k" * 64)
    fresh_stamp = entry.last_used_at
    assert cache.lookup("k" * 64) == b"%PDF-1.7 k"
    assert entry.last_used_at == fresh_stamp
    entry.last_used_at = fresh_stamp - cache.TOUCH_INTERVAL * 2
    db.session.flush()
    cache.lookup("k" * 64)
    assert entry.last_used_at > fresh_stamp - cache.TOUCH_INTERVAL


def test_a_pdf_cached_meanwhile_by_another_worker_stands(ctx):
    """Two workers printing the same PDF at once: the second insert is quietly dropped."""
    db.session.execute(
        sa.insert(PdfCacheEntry).values(
            key="r" * 64,
            pdf=b"%PDF theirs",
            pdf_sha256="0" * 64,
            size=11,
            created_at=utcnow(),
            last_used_at=utcnow(),
        )
    )
    cache.store("r" * 64, b"%PDF ours")
    assert cache.lookup("r" * 64) == b"%PDF theirs"
    assert cache.contains("r" * 64) and not cache.contains("s" * 64)


def test_a_real_print_is_cached_and_served_fast(ctx):
    """With the real engine: a valid PDF the first time, the same bytes from the cache after."""
    printed = cache.cached_pdf(REQUEST)
    assert printed.startswith(b"%PDF-")
    started = time.perf_counter()
    assert cache.cached_pdf(REQUEST) == printed
    assert time.perf_counter() - started < 0.5
