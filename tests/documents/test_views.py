"""Document pages: create, import, read, edit with preview and conflicts, history, compare."""

import io
import re

import pytest

from tests.documents.conftest import PAPER


@pytest.fixture
def editor_client(client, team):
    """The editor, signed in."""
    client.login(team["editor"])
    return client


def test_editor_creates_a_document_from_the_dashboard(editor_client, team):
    """New document → the reading page with the rendered text."""
    response = editor_client.submit(
        f"/caucuses/{team['caucus'].id}/documents/new",
        {"title": "Platform 2026", "language": "es", "content": "# Plataforma\n\nTexto."},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert '<h1 id="plataforma">Plataforma</h1>' in response.text
    assert 'lang="es"' in response.text
    assert "Platform 2026" in editor_client.get(f"/caucuses/{team['caucus'].id}").text


def test_viewers_cannot_create_or_edit(client, team, make_document):
    """The buttons are hidden and the routes refuse with 403."""
    document = make_document()
    client.login(team["viewer"])
    assert "New document" not in client.get(f"/caucuses/{team['caucus'].id}").text
    assert client.get(f"/documents/{document.id}/edit").status_code == 403
    assert ">Edit<" not in client.get(f"/documents/{document.id}").text


def test_reading_page_is_typeset_with_contents(editor_client, make_document):
    """Headings in a table of contents, tables and footnotes rendered."""
    document = make_document()
    html = editor_client.get(f"/documents/{document.id}").text
    assert '<a href="#commitments">Commitments</a>' in html
    assert "<table>" in html
    assert 'class="footnotes' in html


def test_reading_page_sanitizes(editor_client, make_document):
    """Script and javascript: links never reach the reader."""
    document = make_document("Hi <script>alert(1)</script> [x](javascript:alert(1))\n")
    html = editor_client.get(f"/documents/{document.id}").text
    body = html.split('data-testid="document-body"', 1)[1]
    assert "<script" not in body
    assert 'href="javascript:' not in body
    assert "&lt;script&gt;" in body  # shown as text, harmless


def test_numbered_paragraphs(editor_client, make_document):
    """The settings switch numbers top-level paragraphs UN style."""
    document = make_document("First.\n\nSecond.\n")
    editor_client.submit(
        f"/documents/{document.id}/settings",
        {"title": "Numbered", "language": "en", "numbered_paragraphs": "y"},
    )
    html = editor_client.get(f"/documents/{document.id}").text
    assert 'data-para="2"' in html
    assert "Numbered" in html


def test_edit_preview_does_not_save(editor_client, make_document):
    """Preview renders the text below the form; the document is unchanged."""
    document = make_document("Old.\n")
    response = editor_client.submit(
        f"/documents/{document.id}/edit",
        {"content": "# New heading\n", "base_revision": "1", "action": "preview"},
    )
    assert '<h1 id="new-heading">New heading</h1>' in response.text
    assert "Old." in editor_client.get(f"/documents/{document.id}").text


def test_edit_saves_a_revision_with_summary(editor_client, make_document, team):
    """Save → a new revision with the summary, by the editor."""
    document = make_document("Old.\n")
    response = editor_client.submit(
        f"/documents/{document.id}/edit",
        {"content": "New.\r\n", "base_revision": "1", "summary": "Rewrote", "action": "save"},
        follow_redirects=True,
    )
    assert "Saved as revision 2" in response.text
    history = editor_client.get(f"/documents/{document.id}/history").text
    assert "Rewrote" in history
    assert team["editor"].name in history


def test_conflict_page_keeps_the_text(client, make_client, make_document, team):
    """A clashing save answers 409, shows both versions, and keeps the author's text."""
    document = make_document("Member States shall act.\n")
    owner = make_client()
    owner.login(team["owner"])
    owner.submit(
        f"/documents/{document.id}/edit",
        {"content": "Member States must act.\n", "base_revision": "1"},
    )
    client.login(team["editor"])
    mine = "Member States should act.\n"
    response = client.submit(
        f"/documents/{document.id}/edit", {"content": mine, "base_revision": "1"}
    )
    assert response.status_code == 409
    assert "Passages changed by you and by someone else" in response.text
    assert '<span class="passage">should</span>' in response.text
    # The form continues from the head (revision 2), so saving again cannot clash forever.
    assert 'name="base_revision" type="hidden" value="2"' in response.text
    assert "Member States must act." in response.text
    kept = client.get(f"/documents/{document.id}/kept").text
    assert mine.strip() in kept


def test_import_a_file_as_a_new_document_and_as_a_revision(editor_client, team):
    """.md upload makes a document; a second upload makes a revision; export returns it."""
    response = editor_client.post(
        f"/caucuses/{team['caucus'].id}/documents/import",
        data={
            "csrf_token": editor_client.csrf(),
            "file": (io.BytesIO("\ufeff# Imported\n\nBody é.\n".encode()), "platform.md"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Imported “platform.md”" in response.text
    doc_id = re.search(r"/documents/(\d+)/history", response.text).group(1)
    editor_client.post(
        f"/documents/{doc_id}/import",
        data={
            "csrf_token": editor_client.csrf(),
            "summary": "From Word",
            "file": (io.BytesIO(b"# Imported\r\n\r\nBody v2.\r\n"), "v2.txt"),
        },
        content_type="multipart/form-data",
    )
    exported = editor_client.get(f"/documents/{doc_id}/export.md")
    assert exported.text == "# Imported\n\nBody v2.\n"
    assert 'filename="platform.md"' in exported.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("filename", "payload"), [("evil.exe", b"MZ"), ("latin1.txt", "é".encode("latin-1"))]
)
def test_bad_imports_are_refused(editor_client, team, filename, payload):
    """Only UTF-8 .md/.txt: a clear 4xx, nothing created."""
    response = editor_client.post(
        f"/caucuses/{team['caucus'].id}/documents/import",
        data={"csrf_token": editor_client.csrf(), "file": (io.BytesIO(payload), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code in (302, 422)
    assert "No documents yet" in editor_client.get(f"/caucuses/{team['caucus'].id}").text


def test_history_compare_and_restore_pages(editor_client, make_document):
    """History lists revisions; compare marks changes; restore appends a revision."""
    document = make_document(PAPER)
    changed = PAPER.replace("access to justice", "access to justice and legal aid")
    editor_client.submit(
        f"/documents/{document.id}/edit",
        {"content": changed, "base_revision": "1", "summary": "Legal aid"},
    )
    history = editor_client.get(f"/documents/{document.id}/history").text
    assert history.index("#2") < history.index("#1")
    compare = editor_client.get(f"/documents/{document.id}/compare?from=1&to=2").text
    assert "<ins> and legal aid</ins>" in compare
    assert 'href="#change-1"' in compare
    assert "Commitments" in compare  # the section the change is in
    side = editor_client.get(f"/documents/{document.id}/compare?from=1&to=2&view=side").text
    assert 'class="old"' in side
    editor_client.submit(f"/documents/{document.id}/revisions/1/restore")
    assert "restored #1" in editor_client.get(f"/documents/{document.id}/history").text


@pytest.mark.parametrize(
    "query",
    [
        "since=2026-13-01",
        "until=yesterday",
        "before=abc",
        "author=x",
        "author=²",
        "author=" + "9" * 12,
    ],
)
def test_history_filters_never_break(editor_client, make_document, query):
    """Bad filter values: a clear 422 or ignored, never a 500."""
    document = make_document()
    response = editor_client.get(f"/documents/{document.id}/history?{query}")
    assert response.status_code in (200, 422)


@pytest.mark.parametrize("query", ["from=0&to=1", "from=1&to=99", "from=x", "to=-1"])
def test_compare_bad_ranges(editor_client, make_document, query):
    """Unknown revisions: 404 page, never a 500."""
    document = make_document()
    response = editor_client.get(f"/documents/{document.id}/compare?{query}")
    assert response.status_code in (200, 404)


def test_authorship_page_has_a_legend(editor_client, make_document, team):
    """Passages coloured by author with a legend and counts."""
    document = make_document("Owner text.\n")
    editor_client.submit(
        f"/documents/{document.id}/edit",
        {"content": "Owner text.\nEditor text.\n", "base_revision": "1"},
    )
    html = editor_client.get(f"/documents/{document.id}/authorship").text
    assert f'data-author="{team["editor"].id}">Editor text.' in html
    legend = html.split('data-testid="authorship-legend"', 1)[1].split("</ul>", 1)[0]
    assert team["owner"].name in legend
    assert team["editor"].name in legend
