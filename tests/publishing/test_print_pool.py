"""The print threads: bounded per person and in all, one print per key, failures remembered."""

from __future__ import annotations

import threading

import pytest

from drafting.publishing import print_pool
from drafting.publishing.print_pool import PrintPool
from drafting.publishing.print_pool import TooManyPrints
from drafting.publishing.sandbox import PdfFailed


class Printer:
    """A stand-in print that takes as long as the test says, and counts its prints."""

    def __init__(self):
        self.go = threading.Event()
        self.prints = 0
        self.lock = threading.Lock()

    def render(self, pdf: bytes = b"%PDF-1.7 stand-in", fail: bool = False):
        def print_now() -> bytes:
            with self.lock:
                self.prints += 1
            self.go.wait(5)
            if fail:
                raise PdfFailed("the printer is out of order")
            return pdf

        return print_now


@pytest.fixture
def kept(monkeypatch) -> list[str]:
    """The keys whose PDFs the print threads kept (the cache itself is tested elsewhere;
    here a print thread must not write into a test's rolled-back transaction)."""
    keys: list[str] = []
    monkeypatch.setattr(print_pool, "keep", lambda key, pdf: keys.append(key))
    return keys


@pytest.fixture
def printer():
    """The test's printer; every print it holds is let go when the test ends."""
    printer = Printer()
    yield printer
    printer.go.set()


@pytest.fixture
def pool(app, kept, printer):
    """A pool of this app's, with its limits as the tests set them; its prints end with it."""
    pool = PrintPool(app)
    pool.per_person, pool.waiting, pool.failure_seconds = 2, 3, 60.0
    yield pool
    printer.go.set()
    pool.executor.shutdown(wait=True)


def test_a_print_that_takes_longer_than_the_wait_is_pending_then_ready(pool, printer):
    assert pool.request("k", printer.render(), "user:1", wait=0.05).pdf is None  # pending
    printer.go.set()
    assert pool.request("k", printer.render(), "user:1", wait=5).pdf == b"%PDF-1.7 stand-in"
    assert printer.prints == 1  # the second request waited for the same print


def test_a_printed_pdf_is_kept(pool, printer, kept):
    printer.go.set()
    pool.request("k", printer.render(), "user:1", wait=5)
    assert kept == ["k"]


def test_one_person_has_at_most_two_prints_in_flight(pool, printer):
    for key in ("a", "b"):
        pool.request(key, printer.render(), "user:1", wait=0)
    with pytest.raises(TooManyPrints):
        pool.request("c", printer.render(), "user:1", wait=0)
    pool.request("a", printer.render(), "user:1", wait=0)  # the same print: no new one
    pool.request("c", printer.render(), "user:2", wait=0)  # someone else still may
    printer.go.set()


def test_the_process_has_at_most_its_number_of_prints_in_flight(pool, printer):
    for number, key in enumerate("abc"):
        pool.request(key, printer.render(), f"user:{number}", wait=0)
    with pytest.raises(TooManyPrints):
        pool.request("d", printer.render(), "user:9", wait=0)
    printer.go.set()
    pool.request("a", printer.render(), "user:0", wait=5)
    pool.executor.shutdown(wait=True)  # every print done: room again
    assert not pool.in_flight


def test_a_failed_print_is_remembered_and_not_printed_again(pool, printer):
    printer.go.set()
    first = pool.request("k", printer.render(fail=True), "user:1", wait=5)
    assert first.error == "the printer is out of order"
    again = pool.request("k", printer.render(), "user:1", wait=5)
    assert again.error == "the printer is out of order" and printer.prints == 1
    pool.failure_seconds = 0.0  # once forgotten, asking again prints again
    assert pool.request("k", printer.render(), "user:1", wait=5).pdf is not None
    assert printer.prints == 2
