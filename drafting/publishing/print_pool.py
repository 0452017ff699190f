"""Printing off the request thread, in this process, when no PDF queue is configured.

A print takes seconds to a minute of a WeasyPrint process. Printed inside the request,
eight of them filled every worker thread, and on SQLite the request's transaction held the
database's write lock for the whole print. Here a small pool of print threads does the
printing; a request waits for its PDF a bounded time (PDF_WAIT_SECONDS), without any
transaction open, and is otherwise answered "pending" to ask again. Asking for a PDF that is
already being printed waits for that print (one print per key). Each person (or visitor's
address) has at most PDF_PRINTS_PER_PERSON prints in flight and the process at most
PDF_PRINTS_WAITING: beyond them the answer is "too many prints, try again shortly". A print
that failed is remembered for PDF_FAILURE_SECONDS, so asking again does not print again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as WaitedEnough
from dataclasses import dataclass

from flask import Flask
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from drafting.errors import DomainError
from drafting.extensions import db
from drafting.publishing import cache


class TooManyPrints(DomainError):
    """This person (or the whole site) has as many prints in flight as it may."""

    status = 429
    code = "too_many_prints"
    retry_after = 10


@dataclass(frozen=True)
class PrintOutcome:
    """What became of a print: its PDF, still printing (None, None), or why it failed."""

    pdf: bytes | None = None
    error: str | None = None


@dataclass
class _InFlight:
    future: Future
    person: str


class PrintPool:
    """The process's print threads, the prints in flight and the failures remembered."""

    def __init__(self, app: Flask):
        config = app.config
        self.app = app
        self.per_person = int(config["PDF_PRINTS_PER_PERSON"])
        self.waiting = int(config["PDF_PRINTS_WAITING"])
        self.failure_seconds = float(config["PDF_FAILURE_SECONDS"])
        self.executor = ThreadPoolExecutor(
            max_workers=int(config["PDF_PRINTERS"]), thread_name_prefix="pdf-print"
        )
        self.lock = threading.Lock()
        self.in_flight: dict[str, _InFlight] = {}
        self.failures: dict[str, tuple[float, str]] = {}

    def request(self, key: str, render: Callable[[], bytes], person: str, wait: float):
        """The PDF under `key` if it is printed within `wait` seconds, else None (pending)."""
        failure = self.failure(key)
        if failure is not None:
            return PrintOutcome(error=failure)
        future = self.start(key, render, person)
        try:
            return PrintOutcome(pdf=future.result(timeout=wait))
        except WaitedEnough:
            return PrintOutcome()
        except DomainError as error:
            return PrintOutcome(error=error.message)

    def failure(self, key: str) -> str | None:
        """Why the last print under `key` failed, while that is remembered."""
        with self.lock:
            failed = self.failures.get(key)
            if failed is not None and time.monotonic() - failed[0] > self.failure_seconds:
                del self.failures[key]
                failed = None
        return failed[1] if failed else None

    def start(self, key: str, render: Callable[[], bytes], person: str) -> Future:
        """The print of `key` in flight, started now if it is not (within the limits)."""
        with self.lock:
            running = self.in_flight.get(key)
            if running is not None:
                return running.future
            self.check_limits(person)
            future = self.executor.submit(self.print_and_keep, key, render)
            self.in_flight[key] = _InFlight(future, person)
        future.add_done_callback(lambda done: self.finished(key, done))
        return future

    def check_limits(self, person: str) -> None:
        """TooManyPrints past the person's or the process's number of prints in flight."""
        mine = sum(1 for job in self.in_flight.values() if job.person == person)
        refuse_beyond_limits(mine, self.per_person, len(self.in_flight), self.waiting)

    def finished(self, key: str, future: Future) -> None:
        """A print ended: it leaves the prints in flight; a failure is remembered."""
        error = future.exception()
        with self.lock:
            self.in_flight.pop(key, None)
            if isinstance(error, DomainError):
                self.failures[key] = (time.monotonic(), error.message)

    def print_and_keep(self, key: str, render: Callable[[], bytes]) -> bytes:
        """Print (in a print thread) and keep the PDF in the engine's cache."""
        with self.app.app_context():
            try:
                pdf = render()
                keep(key, pdf)
                return pdf
            finally:
                db.session.remove()


def refuse_beyond_limits(mine: int, per_person: int, in_all: int, waiting: int) -> None:
    """TooManyPrints when a person has `per_person` prints in flight already, or everyone
    together `waiting`: the one rule of the print threads and of the queue."""
    if mine >= per_person:
        raise TooManyPrints(
            _("Your other PDFs are still being printed. Try again in a few seconds.")
        )
    if in_all >= waiting:
        raise TooManyPrints(_("Many PDFs are being printed. Try again in a few seconds."))


def keep(key: str, pdf: bytes) -> None:
    """Store a printed PDF in the cache, in a short transaction of its own. A database too
    busy to take it loses only the cached copy: the PDF still goes to whoever waits."""
    try:
        cache.store(key, pdf)
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        current_app.logger.warning("could not cache a printed PDF: %r", error)


def print_pool() -> PrintPool:
    """This app's print pool, made on first use."""
    app = current_app._get_current_object()
    pool = app.extensions.get("drafting_print_pool")
    if pool is None:
        with _creating:
            pool = app.extensions.get("drafting_print_pool")
            if pool is None:
                pool = app.extensions["drafting_print_pool"] = PrintPool(app)
    return pool


_creating = threading.Lock()
