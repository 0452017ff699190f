"""The printing sandbox: a separate process, killed past its time limit, capped in memory."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from drafting.publishing import sandbox
from drafting.publishing.sandbox import PdfFailed
from drafting.publishing.sandbox import PdfTimedOut
from drafting.publishing.sandbox import PdfTooLarge

IDENTIFIER = "0" * 32
# A page that takes WeasyPrint several seconds: thousands of table rows of wrapped text.
# 4,000 rows of 40 words: several seconds of layout on any machine, so a 0.5 s limit always bites.
SLOW_HTML = "<table>" + ("<tr><td>cell</td><td>" + "word " * 40 + "</td></tr>") * 4000 + "</table>"


def sandbox_children() -> list[int]:
    """Ids of this process's printing children (alive or unreaped), the waiting spare aside."""
    spare = sandbox._spare[1].pid if sandbox._spare else None
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        mine = int(fields[1]) == os.getpid() and int(stat.parent.name) != spare
        if mine and b"drafting.publishing.sandbox" in cmdline:
            children.append(int(stat.parent.name))
    return children


def test_a_page_prints_in_a_child_process():
    """The child writes a PDF on its stdout and leaves nothing behind."""
    pdf = sandbox.print_pdf("<p>Hello</p>", identifier=IDENTIFIER)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert sandbox_children() == []


def test_a_print_past_its_time_limit_is_killed_and_reported():
    """Past the time limit the child and its process group are killed: PdfTimedOut, at once."""
    started = time.monotonic()
    with pytest.raises(PdfTimedOut) as raised:
        sandbox.print_pdf(SLOW_HTML, identifier=IDENTIFIER, time_limit=0.5)
    assert time.monotonic() - started < 5
    assert raised.value.status == 503
    assert sandbox_children() == []


def test_a_print_past_its_memory_limit_is_reported_as_too_large(app, monkeypatch):
    """With an address space too small for the job, the answer is PdfTooLarge (413)."""
    monkeypatch.setitem(app.config, "PDF_SPARE_PROCESS", False)
    with app.app_context(), pytest.raises(PdfTooLarge) as raised:
        sandbox._discard_spare()  # a new process: loading the fonts alone overruns 64 MiB
        sandbox.print_pdf("<p>Hello</p>", identifier=IDENTIFIER, memory_limit=64 * 1024 * 1024)
    assert raised.value.status == 413
    assert sandbox_children() == []


def test_the_limits_come_from_the_app_config(app, monkeypatch):
    """PDF_TIME_LIMIT and PDF_MEMORY_LIMIT set the limits of prints made in the app."""
    monkeypatch.setitem(app.config, "PDF_TIME_LIMIT", 0.4)
    monkeypatch.setitem(app.config, "PDF_MEMORY_LIMIT", 512 * 1024 * 1024)
    with app.app_context():
        assert sandbox.limits() == (0.4, 512 * 1024 * 1024)
        with pytest.raises(PdfTimedOut):
            sandbox.print_pdf(SLOW_HTML, identifier=IDENTIFIER)


def test_a_spare_process_waits_warm_and_prints_once(app, monkeypatch):
    """After a print a spare child waits; the next print uses it, and a new spare is started."""
    sandbox.warm_up()
    spare = sandbox._spare[1]
    assert sandbox.print_pdf("<p>One</p>", identifier=IDENTIFIER).startswith(b"%PDF-")
    assert spare.poll() is not None  # it printed, then exited: one print per process
    assert sandbox._spare[1] is not spare and sandbox._spare[1].poll() is None
    monkeypatch.setitem(app.config, "PDF_SPARE_PROCESS", False)
    with app.app_context():
        sandbox.print_pdf("<p>Two</p>", identifier=IDENTIFIER)
    assert sandbox._spare is None


def test_any_other_failure_is_a_clear_domain_error():
    """A child that fails for another reason gives PdfFailed (503), not an exception trace."""
    with pytest.raises(PdfFailed) as raised:
        sandbox.print_pdf("<p>Hello</p>", identifier="not hex")
    assert type(raised.value) is PdfFailed
    assert raised.value.status == 503


def test_the_spare_says_it_is_ready_once_weasyprint_and_the_fonts_are_loaded():
    """Before any job, the spare has imported WeasyPrint and opened the print fonts."""
    sandbox.warm_up()
    spare = sandbox._spare[1]
    assert sandbox.wait_until_ready(timeout=60)
    assert sandbox.wait_until_ready(timeout=60)  # it stays ready: asking again answers at once
    assert spare.poll() is None  # still waiting for its one job
    mapped = Path(f"/proc/{spare.pid}/maps").read_text()
    assert "libpango" in mapped  # WeasyPrint is imported
    assert "NotoSerif-Regular" in mapped  # its throwaway print loaded the text font
    assert sandbox.print_pdf("<p>One</p>", identifier=IDENTIFIER).startswith(b"%PDF-")
    assert spare.poll() is not None  # the print was the spare's, and its only one


def test_a_warm_spare_prints_the_same_bytes_as_a_new_process(app, monkeypatch):
    """The spare's throwaway print leaves no trace in the next: same HTML, same PDF."""
    html = "<h1>Title</h1><p>Text in <em>Noto</em> and <code>mono</code>.</p>"
    sandbox.warm_up()
    assert sandbox.wait_until_ready(timeout=60)
    warm = sandbox.print_pdf(html, identifier=IDENTIFIER)
    monkeypatch.setitem(app.config, "PDF_SPARE_PROCESS", False)
    with app.app_context():
        sandbox._discard_spare()  # so the next print starts a new process
        cold = sandbox.print_pdf(html, identifier=IDENTIFIER)
    assert warm == cold


def test_the_next_spare_is_started_after_a_print_not_during_it(monkeypatch):
    """While a print runs no spare is loading beside it; once it is done, one waits."""
    spares_during_print = []
    communicate = subprocess.Popen.communicate

    def watched(child, *args, **kwargs):
        """Note whether a spare exists while the printing child runs."""
        spares_during_print.append(sandbox._spare)
        return communicate(child, *args, **kwargs)

    sandbox.warm_up()
    monkeypatch.setattr(subprocess.Popen, "communicate", watched)
    sandbox.print_pdf("<p>One</p>", identifier=IDENTIFIER)
    assert spares_during_print[0] is None
    assert sandbox._spare is not None and sandbox._spare[1].poll() is None
