"""Printing HTML to PDF in a separate, limited process.

WeasyPrint lays out whatever a caucus wrote: a pathological document (a table
of a million cells, footnotes in footnotes) can take minutes or gigabytes. So
each print runs in a fresh child process, `python -m drafting.publishing.sandbox`,
that reads a JSON job on stdin and writes the PDF on stdout. The child caps its
own address space (RLIMIT_AS) and CPU time as soon as it has the job; the
parent kills its whole process group when the wall-clock limit passes. A spare
child is kept waiting with WeasyPrint loaded and its fonts warmed by a throwaway
print of our own template (PDF_SPARE_PROCESS), so a print does not wait for
Python to start; it says so with a ready line, and each child still prints once. Either
way the caller gets a domain error (`PdfTimedOut`, `PdfTooLarge`, `PdfFailed`),
never a hung request or a half-written file, and the web worker's own memory
is never at stake.

The limits come from the app's config (PDF_TIME_LIMIT, PDF_MEMORY_LIMIT) when
there is an app, else from the defaults below.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import resource
import select
import signal
import subprocess
import sys
import threading
from dataclasses import asdict
from dataclasses import dataclass

from flask import current_app
from flask import has_app_context
from flask_babel import gettext as _

from drafting.config import PROJECT_ROOT
from drafting.errors import DomainError

DEFAULT_TIME_LIMIT = 60.0  # seconds of wall-clock time for one print
DEFAULT_MEMORY_LIMIT = 1024 * 1024 * 1024  # bytes of address space for the printing process
EXIT_OUT_OF_MEMORY = 3
EXIT_FAILED = 2
LOGGER = logging.getLogger(__name__)
# What GLib, Pango and cairo print when RLIMIT_AS refuses them memory (or a thread's stack).
_OUT_OF_MEMORY_SIGNS = (b"MemoryError", b"Cannot allocate memory", b"Error creating thread")
# The child's first line on stdout, once WeasyPrint is loaded (and, in a spare, warmed up).
READY = b"READY\n"
# The spare's throwaway print: the print stylesheet's fonts (serif, sans, mono), a table and
# a footnote, so fontconfig, Pango's font map and the CSS are loaded before a job arrives.
_WARM_UP_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="stylesheet" href="/static/css/print.css"></head><body>
<h1>Warm-up</h1><p>Text<span class="footnote">note</span> <code>code</code> <em>em</em>
<strong>strong</strong></p><table><thead><tr><th>a</th></tr></thead>
<tbody><tr><td>1</td></tr></tbody></table></body></html>"""


class PdfFailed(DomainError):
    """The PDF could not be made; trying again later may help (503)."""

    status = 503
    code = "pdf_failed"


class PdfTimedOut(PdfFailed):
    """Printing took longer than PDF_TIME_LIMIT and was stopped."""

    code = "pdf_timed_out"


class PdfTooLarge(PdfFailed):
    """Printing needed more memory than PDF_MEMORY_LIMIT (413: the document is too big)."""

    status = 413
    code = "too_large"


@dataclass(frozen=True)
class PrintJob:
    """What the child process receives: the HTML, the PDF options and its own limits."""

    html: str
    identifier: str  # hex; becomes the PDF's /ID, so equal jobs give equal bytes
    variant: str | None
    memory_limit: int
    cpu_limit: int


def print_pdf(
    html: str,
    *,
    identifier: str,
    variant: str | None = None,
    time_limit: float | None = None,
    memory_limit: int | None = None,
) -> bytes:
    """Print `html` in a limited child process and return the PDF's bytes.

    The limits default to the app's PDF_TIME_LIMIT and PDF_MEMORY_LIMIT.
    """
    configured_time, configured_memory = limits()
    time_limit = time_limit or configured_time
    memory_limit = memory_limit or configured_memory
    job = PrintJob(
        html=html,
        identifier=identifier,
        variant=variant,
        memory_limit=memory_limit,
        # A second guard behind the wall clock, should the parent itself be stopped.
        cpu_limit=int(time_limit) + 5,
    )
    return _run_child(json.dumps(asdict(job)).encode(), time_limit)


def limits() -> tuple[float, int]:
    """(seconds, bytes) allowed for one print: the app's config or the defaults."""
    if has_app_context():
        config = current_app.config
        return (
            float(config.get("PDF_TIME_LIMIT", DEFAULT_TIME_LIMIT)),
            int(config.get("PDF_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)),
        )
    return DEFAULT_TIME_LIMIT, DEFAULT_MEMORY_LIMIT


def _run_child(job: bytes, time_limit: float) -> bytes:
    """Run a printing child on `job`; its stdout is the PDF."""
    child = _take_child()
    try:
        pdf, errors = child.communicate(job, timeout=time_limit)
    except subprocess.TimeoutExpired:
        _kill(child)
        raise PdfTimedOut(_("Making the PDF took too long and was stopped.")) from None
    finally:
        if child.poll() is None:
            _kill(child)
        # Only now: a spare loading WeasyPrint during the print would take CPU from it.
        _replenish()
    # The ready line is still there unless `wait_until_ready` read it.
    return _result(child.returncode, pdf.removeprefix(READY), errors)


# A spare child, started ahead and waiting with WeasyPrint imported and warmed up, saves each
# print the second or so of starting Python, importing WeasyPrint and loading fonts. It is
# still used for one print only, and takes its limits with its job, so it isolates exactly as
# a new one would. The next spare is started after each print, not during it.
_spare_lock = threading.Lock()
_spare: tuple[int, subprocess.Popen] | None = None  # (the process that started it, the child)
_ready_pid: int | None = None  # the spare whose ready line was read


def warm_up() -> None:
    """Start a spare printing process now, so that the next print starts warm."""
    global _spare
    with _spare_lock:
        ours = _spare is not None and _spare[0] == os.getpid()
        if ours and _spare[1].poll() is None:
            return  # one is waiting already
        if ours:
            _kill(_spare[1])  # it died waiting: reap it and close its pipes
        _spare = (os.getpid(), _start_child(spare=True))


def wait_until_ready(timeout: float) -> bool:
    """Wait for the spare's ready line (WeasyPrint loaded and warmed); whether it came.

    For start-up, tests and benchmarks: it holds the lock, so a print meanwhile waits too.
    """
    global _ready_pid
    with _spare_lock:
        spare = _spare[1] if _spare is not None and _spare[0] == os.getpid() else None
        if spare is None or spare.pid == _ready_pid:
            return spare is not None
        # Read straight from the pipe, unbuffered, so communicate() later finds the rest.
        readable, _writable, _errors = select.select([spare.stdout], [], [], timeout)
        if not readable or os.read(spare.stdout.fileno(), len(READY)) != READY:
            return False
        _ready_pid = spare.pid
        return True


def _take_child() -> subprocess.Popen:
    """The spare child if it is alive (and ours), even if still warming up, else a new one."""
    global _spare
    with _spare_lock:
        spare, _spare = _spare, None
        # After a fork (gunicorn's preload) the spare belongs to the parent: leave it alone.
        ours = spare is not None and spare[0] == os.getpid()
        usable = ours and spare[1].poll() is None
        if ours and not usable:
            _kill(spare[1])  # it died waiting: reap it and close its pipes
    return spare[1] if usable else _start_child(spare=False)


def _replenish() -> None:
    """Start the next spare if PDF_SPARE_PROCESS asks for one and none is waiting."""
    if _keep_spare():
        warm_up()


def _start_child(*, spare: bool) -> subprocess.Popen:
    """A new printing process, in a session of its own so that killing it kills all it started."""
    # Only a spare warms up: for a child started for a print, it would delay the print.
    role = "--spare" if spare else "--print"
    # The command is all ours (this interpreter, this module, a fixed flag): nothing untrusted.
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "drafting.publishing.sandbox", role],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PROJECT_ROOT,
        start_new_session=True,
    )


def _keep_spare() -> bool:
    """PDF_SPARE_PROCESS (on by default): keep a warm printing process waiting."""
    return not has_app_context() or bool(current_app.config.get("PDF_SPARE_PROCESS", True))


@atexit.register
def _discard_spare() -> None:
    """At exit, end the waiting spare, so that no printing process outlives the app."""
    global _spare
    spare, _spare = _spare, None
    if spare is not None and spare[0] == os.getpid():
        _kill(spare[1])


def _kill(child: subprocess.Popen) -> None:
    """Kill the child's whole process group and reap it."""
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(child.pid, signal.SIGKILL)
    child.communicate()
    # communicate() without input leaves stdin open (a spare never given a job, or one whose
    # job was cut short by the time limit): close every pipe, or it leaks until collected.
    for pipe in (child.stdin, child.stdout, child.stderr):
        if pipe is not None and not pipe.closed:
            pipe.close()


def _result(returncode: int, pdf: bytes, errors: bytes) -> bytes:
    """The PDF when the child succeeded; the matching domain error otherwise."""
    if returncode == 0 and pdf.startswith(b"%PDF-"):
        if errors:
            LOGGER.info("PDF printed with messages: %s", errors.decode(errors="replace")[-2000:])
        return pdf
    LOGGER.warning(
        "PDF printing failed (exit %s): %s", returncode, errors.decode(errors="replace")[-2000:]
    )
    if returncode == EXIT_OUT_OF_MEMORY or _ran_out_of_memory(errors):
        raise PdfTooLarge(_("The document needs too much memory to print."))
    if returncode == -signal.SIGXCPU:
        raise PdfTimedOut(_("Making the PDF took too long and was stopped."))
    raise PdfFailed(_("The PDF could not be made. Try again later."))


def _ran_out_of_memory(errors: bytes) -> bool:
    """Whether the child's last words say an allocation failed (C libraries abort, not raise)."""
    return any(sign in errors[-4000:] for sign in _OUT_OF_MEMORY_SIGNS)


# The child's side.


def main() -> int:
    """Entry point of the child: a job on stdin, the PDF on stdout."""
    # Imported before the job arrives (a spare waits with them loaded) and before the
    # limits: loading the libraries is ours and fixed in size; the limits are for what the
    # document makes WeasyPrint do. (A library failing to load under a tight RLIMIT_AS says
    # "cannot open shared object", which would hide the real cause.)
    from weasyprint import HTML

    from drafting.publishing.fetcher import BASE_URL
    from drafting.publishing.fetcher import StaticOnlyFetcher

    if "--spare" in sys.argv[1:]:
        _warm_up_layout()
    sys.stdout.buffer.write(READY)
    sys.stdout.buffer.flush()
    raw_job = sys.stdin.buffer.read()
    if not raw_job:
        return 0  # a spare that was never used: its parent closed our stdin
    job = PrintJob(**json.loads(raw_job))
    _limit_self(job)
    try:
        document = HTML(string=job.html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
        pdf = document.write_pdf(
            pdf_identifier=bytes.fromhex(job.identifier),
            pdf_variant=job.variant,
            pdf_tags=True,
        )
    except MemoryError:
        return EXIT_OUT_OF_MEMORY
    sys.stdout.buffer.write(pdf)
    sys.stdout.buffer.flush()
    return 0


def _warm_up_layout() -> None:
    """Print a small page of our own and discard it, so fonts and caches are loaded."""
    from weasyprint import HTML

    from drafting.publishing.fetcher import BASE_URL
    from drafting.publishing.fetcher import StaticOnlyFetcher

    try:
        HTML(string=_WARM_UP_HTML, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf(
            pdf_variant="pdf/ua-1", pdf_tags=True
        )
    except Exception:  # a spare that could not warm up still prints, only colder
        LOGGER.exception("The spare printing process could not warm up")


def _limit_self(job: PrintJob) -> None:
    """Cap this process's memory and CPU before it touches the document."""
    resource.setrlimit(resource.RLIMIT_AS, (job.memory_limit, job.memory_limit))
    resource.setrlimit(resource.RLIMIT_CPU, (job.cpu_limit, job.cpu_limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    sys.exit(main())
