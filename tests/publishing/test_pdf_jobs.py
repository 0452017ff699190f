"""PDF printing through the queue (RQ on the real Redis), and inline when no queue is set."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date

import pytest
import redis
from rq import Queue
from rq import SimpleWorker

from drafting.errors import NotFound
from drafting.publishing import jobs
from drafting.publishing import pdf
from drafting.publishing.pdf import Endorser
from drafting.publishing.pdf import PdfRequest
from drafting.publishing.pdf import request_key
from drafting.publishing.print_pool import TooManyPrints
from drafting.publishing.sandbox import PdfFailed

QUEUE_URL = "redis://127.0.0.1:6379/15"  # a database of its own, emptied around each test
REQUEST = PdfRequest(
    title="Bridge document",
    caucus_name="Women in Migration Network",
    markdown="# Preamble\n\nNothing about us without us.",
    text_sha256="b" * 64,
    issued_on=date(2026, 11, 28),
    endorsers=(Endorser("Casa de la Mujer", "Mexico"),),
)


class Engine:
    """Stands in for the printer; can be told to fail."""

    def __init__(self):
        self.printed: list[PdfRequest] = []
        self.fail = False

    def __call__(self, request: PdfRequest) -> bytes:
        if self.fail:
            raise PdfFailed("the printer is out of order")
        self.printed.append(request)
        return b"%PDF-1.7\n" + hashlib.sha256(repr(request).encode()).hexdigest().encode()


@pytest.fixture
def engine(monkeypatch) -> Engine:
    """The stand-in, installed where the cache calls the printer."""
    stand_in = Engine()
    monkeypatch.setattr(pdf, "render_pdf", stand_in)
    return stand_in


@pytest.fixture
def queue(app, monkeypatch):
    """PDF_QUEUE_URL pointing at the real Redis on 127.0.0.1:6379 (skipped when absent)."""
    connection = redis.Redis.from_url(QUEUE_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    connection.flushdb()
    monkeypatch.setitem(app.config, "PDF_QUEUE_URL", QUEUE_URL)
    yield Queue(jobs.QUEUE_NAME, connection=connection)
    connection.flushdb()


def work(queue: Queue) -> None:
    """Run a worker in this process until the queue is empty (RQ's burst mode)."""
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_without_a_queue_the_pdf_is_printed_inline(ctx, engine):
    """No PDF_QUEUE_URL: request_pdf prints at once and answers ready."""
    job = jobs.request_pdf(REQUEST)
    assert job.state == "ready" and job.pdf.startswith(b"%PDF")
    assert job.key == request_key(REQUEST)
    assert jobs.pdf_job(job.key).pdf == job.pdf
    with pytest.raises(NotFound):
        jobs.pdf_job("0" * 64)


def test_with_a_queue_a_miss_is_queued_once_and_printed_by_the_worker(ctx, engine, queue):
    """A miss answers pending at once; asking again does not queue twice; the worker prints."""
    first = jobs.request_pdf(REQUEST)
    again = jobs.request_pdf(REQUEST)
    assert first.state == again.state == "pending" and first.pdf is None
    assert queue.count == 1 and engine.printed == []
    assert jobs.pdf_job(first.key).state == "pending"
    work(queue)
    assert len(engine.printed) == 1
    assert engine.printed[0] == REQUEST  # the request survives the trip through Redis
    ready = jobs.pdf_job(first.key)
    assert ready.state == "ready" and ready.pdf.startswith(b"%PDF")
    assert jobs.request_pdf(REQUEST).pdf == ready.pdf
    assert len(engine.printed) == 1


def test_a_failed_print_is_reported_then_retried(ctx, engine, queue):
    """A job that failed reads "failed"; the next request queues it again."""
    engine.fail = True
    key = jobs.request_pdf(REQUEST).key
    work(queue)
    failed = jobs.pdf_job(key)
    assert failed.state == "failed" and failed.error
    assert jobs.request_pdf(REQUEST).state == "failed"
    engine.fail = False
    assert jobs.request_pdf(REQUEST).state == "pending"
    work(queue)
    assert jobs.pdf_job(key).state == "ready"


def test_the_queue_takes_two_prints_per_person_and_eight_in_all(ctx, app, engine, queue):
    """Beyond them, TooManyPrints (429) at once: nothing more is queued."""
    requests = [dataclasses.replace(REQUEST, revision=number) for number in range(1, 10)]
    for request in requests[:2]:
        assert jobs.request_pdf(request, person="user:1").state == "pending"
    with pytest.raises(TooManyPrints):
        jobs.request_pdf(requests[2], person="user:1")
    assert jobs.request_pdf(requests[0], person="user:1").state == "pending"  # already queued
    for number, request in enumerate(requests[2:8]):
        jobs.request_pdf(request, person=f"user:{number + 2}")
    with pytest.raises(TooManyPrints):
        jobs.request_pdf(requests[8], person="user:99")
    assert len(queue) == 8 and not engine.printed


def test_unknown_keys_are_not_found(ctx, queue):
    """A key nobody asked for is a 404, with or without a queue."""
    with pytest.raises(NotFound):
        jobs.pdf_job("f" * 64)


def test_an_unreachable_queue_is_a_503(ctx, app, engine, monkeypatch):
    """Redis down: request_pdf raises PdfFailed (503), never a connection error."""
    monkeypatch.setitem(app.config, "PDF_QUEUE_URL", "redis://127.0.0.1:1/0")
    with pytest.raises(PdfFailed) as raised:
        jobs.request_pdf(REQUEST)
    assert raised.value.status == 503
    with pytest.raises(PdfFailed):
        jobs.pdf_job("e" * 64)


def test_requests_survive_the_queue_as_plain_data():
    """request_payload and request_from_payload round-trip every field."""
    assert jobs.request_from_payload(jobs.request_payload(REQUEST)) == REQUEST


def test_a_queued_draft_pdf_shows_progress_then_downloads(
    client, engine, queue, team, make_document
):
    """With a queue, the page says the PDF is being printed (and reloads); then it downloads."""
    document = make_document()
    client.login(team["viewer"])
    url = f"/documents/{document.id}/draft.pdf"

    waiting = client.get(url)
    assert waiting.status_code == 202
    assert waiting.headers["Retry-After"] == "3"
    page = waiting.get_data(as_text=True)
    assert 'data-testid="pdf-pending"' in page and "<progress" in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert engine.printed == []

    work(queue)
    ready = client.get(url)
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    assert len(engine.printed) == 1 and engine.printed[0].status == "draft"
