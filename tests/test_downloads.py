"""Download names keep the title's own script, and the header gives them to every browser."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from drafting.documents import service as documents
from drafting.downloads import MAX_NAME_BYTES
from drafting.downloads import content_disposition
from drafting.downloads import download_name
from drafting.extensions import db
from drafting.publishing import pdf
from drafting.publishing import versions
from tests.conftest import fresh

ARABIC_TITLE = "منصة التجمع"


@pytest.mark.parametrize(
    ("title", "suffix", "name"),
    [
        (ARABIC_TITLE, "pdf", "منصة-التجمع.pdf"),
        ("ورقة موقف ٢٠٢٦", "md", "ورقة-موقف-٢٠٢٦.md"),  # Arabic-Indic digits stay
        ("移民妇女政策", "pdf", "移民妇女政策.pdf"),
        ("移民 妇女：政策文件", "docx", "移民-妇女-政策文件.docx"),  # full-width colon
        ("Políticas de migración", "pdf", "Políticas-de-migración.pdf"),
        ("Políticas de migración", "pdf", "Políticas-de-migración.pdf"),  # decomposed
        ("Мигранты и право", "csv", "Мигранты-и-право.csv"),
        ("प्रवासी महिलाएँ", "pdf", "प्रवासी-महिलाएँ.pdf"),  # vowel signs are marks: kept
        ("Bridge document-Round 1", "pdf", "Bridge-document-Round-1.pdf"),
        ("platform", "md", "platform.md"),
        ("Women's rights: “2025/26”", "html", "Womens-rights-2025-26.html"),
        ("../x", "pdf", "x.pdf"),
        ("../../etc/passwd", "pdf", "etc-passwd.pdf"),
        ("a/b\\c", "pdf", "a-b-c.pdf"),
        ('say "no"; filename=evil.exe', "pdf", "say-no-filename-evil-exe.pdf"),
        ("line\r\nbreak\ttab", "md", "line-break-tab.md"),
        ("report\u202efdp.exe", "pdf", "reportfdp-exe.pdf"),  # direction override dropped
        ("  -- spaced  out --  ", "pdf", "spaced-out.pdf"),
        ("", "pdf", "document.pdf"),
        ("...", "pdf", "document.pdf"),
        ("\"' / \n", "md", "document.md"),
        ("🙂🙂", "pdf", "document.pdf"),  # symbols are not words
        ("Paper", ".pdf", "Paper.pdf"),  # the extension with its dot, or without
    ],
)
def test_download_name(title, suffix, name):
    assert download_name(title, suffix) == name


@pytest.mark.parametrize("letter", ["x", "é", "م", "中", "𠀀"])
def test_long_titles_are_cut_whole_characters_within_the_bound(letter):
    """Latin, Arabic, Chinese, and a letter outside the BMP (four bytes)."""
    name = download_name(f"{letter * 400} tail", "pdf")
    stem = name.removesuffix(".pdf")
    assert len(stem.encode()) <= MAX_NAME_BYTES
    assert len(stem.encode()) > MAX_NAME_BYTES - 4
    assert set(stem) == {letter}


def test_a_cut_never_ends_on_a_hyphen():
    name = download_name("ab " * 100, "pdf")
    assert len(name.removesuffix(".pdf").encode()) <= MAX_NAME_BYTES
    assert not name.removesuffix(".pdf").endswith("-")


def disposition_parts(header: str) -> dict[str, str]:
    """The disposition's type, its quoted ASCII `filename` and its decoded `filename*`."""
    parts = {"type": header.split(";")[0]}
    if plain := re.search(r'(?:^|; )filename="([^"]*)"', header):
        parts["filename"] = plain.group(1)
    if extended := re.search(r"filename\*=UTF-8''(\S+)", header):
        parts["filename*"] = unquote(extended.group(1), errors="strict")
    return parts


def test_an_ascii_name_is_sent_once_and_quoted():
    header = content_disposition("platform.md")
    assert header == 'attachment; filename="platform.md"'
    assert content_disposition("Paper.pdf", inline=True) == 'inline; filename="Paper.pdf"'


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ("منصة-التجمع.pdf", "document.pdf"),
        ("منصة-التجمع-Round-1.pdf", "document.pdf"),  # not "Round-1.pdf": half a name
        ("移民妇女政策.pdf", "document.pdf"),
        ("Políticas-de-migración.pdf", "Politicas-de-migracion.pdf"),
    ],
)
def test_other_names_are_sent_encoded_with_an_ascii_fallback(name, fallback):
    header = content_disposition(name, inline=True)
    header.encode("ascii")  # a header a WSGI server can send
    assert disposition_parts(header) == {"type": "inline", "filename": fallback, "filename*": name}


def test_werkzeug_reads_the_header_back():
    from werkzeug.http import parse_options_header

    kind, options = parse_options_header(content_disposition("منصة-التجمع.pdf"))
    assert kind == "attachment"
    assert options["filename"] == "منصة-التجمع.pdf"


@settings(max_examples=300, deadline=None)
@given(title=st.text(), suffix=st.sampled_from(["pdf", "md", "docx", ""]))
def test_any_title_gives_a_safe_name_and_header(title, suffix):
    name = download_name(title, suffix)
    stem = name.removesuffix(f".{suffix}") if suffix else name
    assert stem
    assert len(stem.encode()) <= MAX_NAME_BYTES
    assert not stem.startswith(("-", ".")) and not stem.endswith("-")
    assert all(char == "-" or unicodedata.category(char)[0] in "LMN" for char in stem)
    header = content_disposition(name)
    header.encode("ascii")
    assert "\r" not in header and "\n" not in header
    parts = disposition_parts(header)
    assert parts.get("filename*", parts["filename"]) == name
    assert parts["filename"].isascii()


@settings(max_examples=300, deadline=None)
@given(filename=st.text(min_size=1), inline=st.booleans())
def test_any_file_name_gives_a_header_a_server_can_send(filename, inline):
    header = content_disposition(filename, inline=inline)
    header.encode("ascii")
    assert "\r" not in header and "\n" not in header
    parts = disposition_parts(header)
    assert parts["type"] == ("inline" if inline else "attachment")
    assert parts.get("filename*", parts["filename"]) == filename


# Through the app: what a browser gets


@pytest.fixture
def arabic_paper(factory, monkeypatch):
    """A caucus owner, their document titled in Arabic, and a version of it (PDF stubbed)."""

    def render(request: pdf.PdfRequest) -> bytes:
        return b"%PDF-1.7\n% stand-in\n%%EOF\n"

    monkeypatch.setattr(pdf, "render_pdf", render)
    owner = factory.user()
    caucus = factory.caucus(owner)
    with factory.context():
        document = documents.create_document(
            fresh(caucus), fresh(owner), title=ARABIC_TITLE, content="# نص\n\nكلمات.", language="ar"
        )
        version = versions.create_version(fresh(document), fresh(owner), label="الجولة 1")
        db.session.commit()
        return {"owner": owner, "document": document, "version": version}


@pytest.mark.parametrize(
    ("path", "kind", "name"),
    [
        ("/documents/{document}/export.md", "attachment", "منصة-التجمع.md"),
        ("/versions/{version}/export.md", "attachment", "منصة-التجمع-الجولة-1.md"),
        ("/versions/{version}/pdf", "inline", "منصة-التجمع-الجولة-1.pdf"),
        ("/api/v1/versions/{version}/pdf", "inline", "منصة-التجمع-الجولة-1.pdf"),
    ],
)
def test_an_arabic_title_downloads_under_its_arabic_name(client, arabic_paper, path, kind, name):
    client.login(arabic_paper["owner"])
    url = path.format(document=arabic_paper["document"].id, version=arabic_paper["version"].id)
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert disposition_parts(response.headers["Content-Disposition"]) == {
        "type": kind,
        "filename": "document." + name.rpartition(".")[2],
        "filename*": name,
    }
