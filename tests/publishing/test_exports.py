"""Exports of a version: Markdown, standalone HTML, DOCX read back with python-docx."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn

pytestmark = pytest.mark.usefixtures("engine")

ARABIC = """# ورقة موقف

تحمي الدول **حقوق** العاملات المهاجرات.

- الوصول إلى العدالة
"""


def download(client, team, version, kind: str):
    client.login(team["viewer"])
    response = client.get(f"/versions/{version.id}/export.{kind}")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return response


def test_markdown_export_is_the_frozen_text(client, team, make_version):
    """The version's own Markdown, byte for byte."""
    version = make_version()
    response = download(client, team, version, "md")
    assert response.text == version.content


def test_html_export_is_self_contained_and_sanitized(client, team, make_document, make_version):
    """Styles inside the file, no script, no external stylesheet; raw HTML stays text."""
    document = make_document("# Title\n\n<script>alert(1)</script>\n\nA **bold** claim.")
    version = make_version(document)
    html = download(client, team, version, "html").text
    assert "<style>" in html and "<strong>bold</strong>" in html
    assert "<script" not in html and "<link" not in html
    assert "&lt;script&gt;" in html
    assert version.sha256 in html


def test_docx_export_reads_back(client, team, make_version):
    """Headings, lists, bold and italic, the table, the footnote, and the language."""
    version = make_version()
    word = docx.Document(io.BytesIO(download(client, team, version, "docx").data))
    paragraphs = [(p.style.name, p.text) for p in word.paragraphs]
    assert ("Title", "Bridge document") in paragraphs
    assert ("Heading 1", "Bridge document") in paragraphs
    assert ("Heading 2", "Preamble") in paragraphs
    assert ("List Number", "Member States shall ensure access to justice.") in paragraphs
    assert ("List Bullet 2", "including sexual and reproductive health") in paragraphs
    assert ("Quote", "Nothing about us without us.") in paragraphs
    preamble = next(p for p in word.paragraphs if p.text.startswith("Member States shall protect"))
    assert [r.text for r in preamble.runs if r.bold] == ["protect"]
    assert [r.text for r in preamble.runs if r.italic] == ["migrant women"]
    [table] = word.tables
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["Region", "Members"],
        ["Africa", "12"],
    ]
    footnote_mark = next(p for p in word.paragraphs if p.text.startswith("A footnote here"))
    assert any(r.font.superscript and r.text == "1" for r in footnote_mark.runs)
    assert ("Heading 2", "Notes") in paragraphs
    assert ("Normal", "1. Source: the caucus survey.") in paragraphs
    assert word.core_properties.language == "en"
    assert word.core_properties.title == "Bridge document"


def test_docx_in_arabic_is_right_to_left(client, team, make_document, make_version):
    """Arabic paragraphs and runs are marked right to left; the language is set."""
    document = make_document(ARABIC, title="ورقة موقف", language="ar")
    version = make_version(document)
    word = docx.Document(io.BytesIO(download(client, team, version, "docx").data))
    assert word.core_properties.language == "ar"
    body = next(p for p in word.paragraphs if "العاملات" in p.text)
    assert body._p.pPr.find(qn("w:bidi")) is not None
    assert all(r._r.rPr.find(qn("w:rtl")) is not None for r in body.runs)
    lang = word.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:bidi")) == "ar"
