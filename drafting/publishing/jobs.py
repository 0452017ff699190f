"""PDF printing out of web requests: RQ on Redis when PDF_QUEUE_URL is set, this process's
print threads otherwise (print_pool.py).

`request_pdf(order, person=…)` answers soon. A cached PDF is "ready"; otherwise,
with a queue, a job is enqueued (one per key: asking twice does not print
twice) and the answer is "pending", to be polled with `pdf_job(key)`; without
a queue a print thread prints it while the request waits up to PDF_WAIT_SECONDS
("ready" if it is done by then, else "pending"), with no transaction open. The
workers print through the same sandbox and cache, and commit the cache row themselves.

Workers: `python -m drafting.publishing.jobs` (or `rq worker --url $PDF_QUEUE_URL
drafting-pdf`), configured from the same environment as the web app.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from flask import Flask
from flask import current_app
from flask import has_app_context
from flask_babel import gettext as _
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq import Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.job import JobStatus
from rq.registry import StartedJobRegistry

from drafting.errors import NotFound
from drafting.extensions import db
from drafting.publishing import cache
from drafting.publishing import sandbox
from drafting.publishing.pdf import Endorser
from drafting.publishing.pdf import PageRequest
from drafting.publishing.pdf import PdfRequest
from drafting.publishing.pdf import PrintOrder
from drafting.publishing.pdf import order_key
from drafting.publishing.pdf import render_order
from drafting.publishing.print_pool import print_pool
from drafting.publishing.print_pool import refuse_beyond_limits
from drafting.publishing.sandbox import PdfFailed
from drafting.transactions import release

QUEUE_NAME = "drafting-pdf"
FAILURE_TTL = 300  # seconds a failure is remembered; asking again after that retries
JOB_MARGIN = 30  # seconds the queue allows a job beyond the sandbox's own time limit
_PENDING = {
    JobStatus.QUEUED,
    JobStatus.STARTED,
    JobStatus.DEFERRED,
    JobStatus.SCHEDULED,
    JobStatus.CREATED,
}


@dataclass(frozen=True)
class PdfJob:
    """Where a requested PDF stands: ready (with its bytes), pending or failed (with why)."""

    state: Literal["ready", "pending", "failed"]
    key: str
    pdf: bytes | None = None
    error: str = ""


def request_pdf(request: PrintOrder, *, person: str = "") -> PdfJob:
    """The PDF if cached (or printed in time by a print thread); else a job for it, pending.
    `person` is whom the print counts against (print_pool.py's limits)."""
    key = order_key(request)
    pdf = cache.lookup(key)
    if pdf is not None:
        return PdfJob("ready", key, pdf)
    queue = pdf_queue()
    if queue is None:
        return printed_here(key, request, person)
    with _queue_errors():
        job = _existing_job(queue, key)
        status = job.get_status() if job is not None else None
        if job is not None and status == JobStatus.FAILED:
            job.delete()  # report this failure once; the next request tries again
            return PdfJob("failed", key, error=_failure_message())
        if status not in _PENDING:
            _check_queue_limits(queue, person)
            _enqueue(queue, key, request, person)
    return PdfJob("pending", key)


def printed_here(key: str, order: PrintOrder, person: str) -> PdfJob:
    """Print in this process's print threads, waiting a bounded time with no transaction open."""
    release()
    wait = float(current_app.config["PDF_WAIT_SECONDS"])
    outcome = print_pool().request(key, lambda: render_order(order), person, wait)
    if outcome.pdf is not None:
        return PdfJob("ready", key, outcome.pdf)
    if outcome.error is not None:
        return PdfJob("failed", key, error=outcome.error)
    return PdfJob("pending", key)


def pdf_job(key: str) -> PdfJob:
    """Where the PDF under `key` stands; NotFound if it was never requested (or expired)."""
    pdf = cache.lookup(key)
    if pdf is not None:
        return PdfJob("ready", key, pdf)
    queue = pdf_queue()
    with _queue_errors():
        job = _existing_job(queue, key) if queue is not None else None
        status = job.get_status() if job is not None else None
    if job is None:
        raise NotFound(_("There is no such PDF."))
    if status in _PENDING:
        return PdfJob("pending", key)
    if status == JobStatus.FAILED:
        return PdfJob("failed", key, error=_failure_message())
    # Finished, yet not in the cache: evicted since. Asking for it again prints it again.
    raise NotFound(_("There is no such PDF."))


def pdf_queue() -> Queue | None:
    """The PDF queue when PDF_QUEUE_URL is configured, else None (print inline)."""
    url = current_app.config.get("PDF_QUEUE_URL")
    return Queue(QUEUE_NAME, connection=_redis(url)) if url else None


@lru_cache(maxsize=4)
def _redis(url: str) -> Redis:
    """One connection pool per Redis URL for the process."""
    return Redis.from_url(url)


@contextmanager
def _queue_errors() -> Iterator[None]:
    """Redis down or unreachable: a 503 the person can retry, not a 500."""
    try:
        yield
    except RedisError as error:
        current_app.logger.warning("PDF queue unavailable: %r", error)
        raise PdfFailed(_("The PDF cannot be made right now. Try again in a minute.")) from None


def _job_id(key: str) -> str:
    """The queue's id for the job printing the PDF under `key`: one job per key."""
    return f"pdf-{key}"


def _existing_job(queue: Queue, key: str) -> Job | None:
    """The queue's job for `key`, if it still remembers one."""
    try:
        return Job.fetch(_job_id(key), connection=queue.connection)
    except NoSuchJobError:
        return None


def _check_queue_limits(queue: Queue, person: str) -> None:
    """The queue's own limits, as the print threads': PDF_PRINTS_WAITING jobs waiting or
    printing in all, PDF_PRINTS_PER_PERSON of them one person's (TooManyPrints beyond)."""
    ids = queue.get_job_ids() + StartedJobRegistry(queue=queue).get_job_ids()
    waiting = [job for job in Job.fetch_many(ids, connection=queue.connection) if job]
    config = current_app.config
    mine = sum(1 for job in waiting if job.meta.get("person") == person)
    refuse_beyond_limits(
        mine, int(config["PDF_PRINTS_PER_PERSON"]), len(waiting), int(config["PDF_PRINTS_WAITING"])
    )


def _enqueue(queue: Queue, key: str, request: PrintOrder, person: str) -> None:
    """Queue the printing of `request` (as plain data, so any worker version can read it)."""
    time_limit = float(current_app.config.get("PDF_TIME_LIMIT", 60))
    queue.enqueue(
        print_job,
        request_payload(request),
        job_id=_job_id(key),
        meta={"person": person},
        job_timeout=int(time_limit) + JOB_MARGIN,
        result_ttl=60,
        failure_ttl=FAILURE_TTL,
    )


def _failure_message() -> str:
    """What a person is told when their PDF could not be made."""
    return _("The PDF could not be made. Try again later.")


# The worker's side.


def print_job(payload: dict) -> str:
    """Queue job: print the request into the cache and commit; returns the key."""
    with _app_context():
        request = request_from_payload(payload)
        cache.cached_pdf(request)
        db.session.commit()
        return order_key(request)


def request_payload(request: PrintOrder) -> dict:
    """A print order as JSON-friendly data (a page says so: `kind`)."""
    if isinstance(request, PageRequest):
        return {"kind": "page", **dataclasses.asdict(request)}
    payload = dataclasses.asdict(request)
    payload["issued_on"] = request.issued_on.isoformat() if request.issued_on else None
    return payload


def request_from_payload(payload: dict) -> PrintOrder:
    """The print order that `request_payload` described."""
    fields = dict(payload)
    if fields.pop("kind", None) == "page":
        return PageRequest(**fields)
    fields["issued_on"] = date.fromisoformat(fields["issued_on"]) if fields["issued_on"] else None
    fields["endorsers"] = tuple(Endorser(**endorser) for endorser in fields["endorsers"])
    return PdfRequest(**fields)


@contextmanager
def _app_context() -> Iterator[None]:
    """The current app's context if any (tests, in-process workers), else the worker's own."""
    if has_app_context():
        yield
        return
    with _worker_app().app_context():
        try:
            yield
        finally:
            db.session.remove()


@lru_cache(maxsize=1)
def _worker_app() -> Flask:
    """The app a standalone worker runs jobs in, configured from the environment."""
    from drafting import create_app

    return create_app()


def main() -> int:
    """Run a PDF worker on PDF_QUEUE_URL until stopped."""
    app = _worker_app()
    url = app.config.get("PDF_QUEUE_URL")
    if not url:
        print("PDF_QUEUE_URL is not set: PDFs are printed inline, no worker needed.")
        return 1
    sandbox.warm_up()
    Worker([QUEUE_NAME], connection=_redis(url)).work()
    return 0


if __name__ == "__main__":
    sys.exit(main())
