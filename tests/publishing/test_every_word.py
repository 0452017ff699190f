"""Every rendering of a version holds every word its hash covers, however deep the structures.

A caucus certifies the PDF of a text by its SHA-256: a rendering that lost words after a
deeply nested list would be certified for text it does not show. The reading page, the
preview and the public page render through `markdown.render` (tests/text/test_markdown.py
checks it the same way); here the exports and the printed PDF, read back.
"""

from __future__ import annotations

import io
from datetime import UTC
from datetime import datetime

import docx
import pytest
from docx.oxml.ns import qn
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from pypdf import PdfReader

from drafting.publishing import exports
from drafting.publishing.models import Version
from drafting.publishing.pdf import PdfRequest
from drafting.publishing.pdf import inline_footnotes
from drafting.publishing.pdf import render_pdf
from drafting.text.markdown import render
from tests.text.nested_documents import deep_example
from tests.text.nested_documents import html_text
from tests.text.nested_documents import nested_documents
from tests.text.nested_documents import words_in

SHA = "9" * 64
EXPORT_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    # The app is made once per run; each example only renders, in its own request context.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def version_of(markdown: str) -> Version:
    """A version held in memory only: the exports read nothing else of it."""
    return Version(
        label="Round 1",
        final=True,
        revision=3,
        content=markdown,
        sha256=SHA,
        title="Deep paper",
        caucus_name="Caucus",
        language="en",
        numbered_paragraphs=False,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def docx_text(data: bytes) -> str:
    """All text of a Word file: every paragraph, in tables and notes too, one per line."""
    body = docx.Document(io.BytesIO(data)).element.body
    return "\n".join(
        "".join(node.text or "" for node in paragraph.iter(qn("w:t")))
        for paragraph in body.iter(qn("w:p"))
    )


def pdf_text(data: bytes) -> str:
    """All text pypdf extracts from a PDF, page after page."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@EXPORT_SETTINGS
@given(document=nested_documents())
def test_the_word_file_holds_every_word(app, document):
    markdown, words = document
    with app.test_request_context():
        data = exports.docx_bytes(version_of(markdown))
    assert words - words_in(docx_text(data)) == set()


@EXPORT_SETTINGS
@given(document=nested_documents())
def test_the_standalone_html_holds_every_word(app, document):
    markdown, words = document
    with app.test_request_context():
        page = exports.standalone_html(version_of(markdown))
    assert words - words_in(html_text(page)) == set()


def test_the_word_file_of_a_deep_paper_holds_every_word(app):
    markdown, words = deep_example()
    with app.test_request_context():
        data = exports.docx_bytes(version_of(markdown))
    assert words - words_in(docx_text(data)) == set()


def test_a_note_keeps_all_of_its_list_when_it_moves_to_its_call():
    html = render("Claim.[^1]\n\n[^1]: Sources:\n\n    - w0001\n    - w0002\n\n    w0003\n").html
    assert words_in(html_text(inline_footnotes(html))) == {"w0001", "w0002", "w0003"}


def test_a_note_cited_only_by_another_note_is_printed_too():
    html = render("Claim.[^1]\n\n[^1]: w0001, see[^2]\n\n[^2]: w0002, see[^1]\n").html
    placed = inline_footnotes(html)
    assert words_in(html_text(placed)) == {"w0001", "w0002"}
    assert placed.count('<span class="footnote">') == 2


@pytest.fixture(scope="module")
def deep_pdf() -> bytes:
    """The fixed deep document printed once (a second or so), whatever the database."""
    markdown, _words = deep_example()
    return render_pdf(PdfRequest(title="Deep", caucus_name="C", markdown=markdown, text_sha256=SHA))


def test_the_printed_pdf_holds_every_word(deep_pdf):
    """Lists 12 deep, 22 quotations, chains of both, a note holding a list."""
    _markdown, words = deep_example()
    assert words - words_in(pdf_text(deep_pdf)) == set()


def test_the_reading_page_public_page_and_preview_hold_every_word(
    client, team, make_document, make_version
):
    markdown, words = deep_example()
    version = make_version(make_document(markdown), public=True)
    client.login(team["viewer"])
    pages = [client.get(f"/documents/{version.document_id}"), client.get(f"/p/{version.slug}")]
    for response in pages:
        assert response.status_code == 200
        assert words - words_in(html_text(response.text)) == set()
    preview = client.post(
        f"/api/v1/documents/{version.document_id}/preview",
        json={"content": markdown},
        headers={"X-CSRFToken": client.csrf()},
    )
    assert preview.status_code == 200, preview.text
    assert words - words_in(html_text(preview.json["html"])) == set()
