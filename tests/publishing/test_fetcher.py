"""The printer reads only the app's static files: no network, no local files, no attachments.

A local HTTP server stands for the outside world and records every request it gets: hostile
documents and pages must leave it untouched and the PDF must embed nothing from it.
"""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import pytest
from pypdf import PdfReader

from drafting.publishing.fetcher import STATIC_DIR
from drafting.publishing.fetcher import RefusedFetch
from drafting.publishing.fetcher import StaticOnlyFetcher
from drafting.publishing.fetcher import static_path
from drafting.publishing.pdf import PdfRequest
from drafting.publishing.pdf import render_html_pdf
from drafting.publishing.pdf import render_pdf

ORIGIN = "https://app.drafting.invalid"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


class Recorder(BaseHTTPRequestHandler):
    """Answers everything (images, CSS, a redirect to a local file) and records each request."""

    requests: list[str]

    def do_GET(self) -> None:
        """Record the request and answer with something a printer would embed."""
        self.requests.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        body, kind = (
            (b"body { color: red }", "text/css") if "css" in self.path else (PNG, "image/png")
        )
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        """Quiet: the test reads `requests` instead."""


@pytest.fixture
def outside() -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 standing for the internet: (its URL, the requests it saw)."""
    seen: list[str] = []
    handler = type("Handler", (Recorder,), {"requests": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def hostile_html(url: str) -> str:
    """A page trying every way HTML and CSS have to make a printer fetch or embed."""
    return f"""
    <link rel="stylesheet" href="{url}/css/linked.css">
    <link rel="attachment" href="file:///etc/passwd">
    <link rel="attachment" href="{url}/attach-link">
    <style>
      @import url("{url}/css/imported.css");
      @font-face {{ font-family: Spy; src: url("{url}/font.woff2"); }}
      body {{ background: url("{url}/background.png"); font-family: Spy; }}
      h1::after {{ content: url("{url}/generated.png"); }}
      ul {{ list-style-image: url("file:///etc/passwd"); }}
    </style>
    <h1>Decision table</h1>
    <img src="{url}/pixel.png" alt="pixel">
    <img src="{url}/redirect">
    <img src="file:///etc/passwd">
    <img src="/static/../../../../etc/passwd">
    <img src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">
    <img src="data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg'>
      <image href='{url}/svg.png'/></svg>">
    <svg width="10" height="10">
      <image href="{url}/inline-svg.png" width="10" height="10"/>
    </svg>
    <object data="{url}/object"></object><embed src="{url}/embed">
    <iframe src="{url}/frame"></iframe>
    <a rel="attachment" href="{url}/attachment.pdf">annex</a>
    <a rel="attachment" href="file:///etc/passwd">passwords</a>
    <ul><li>one</li></ul>
    <p style="background-image: url('{url}/inline-style.png')">text</p>
    """


def assert_embeds_nothing(pdf: bytes) -> None:
    """No attachment, no image and nothing of /etc/passwd in the PDF."""
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {}
    for page in reader.pages:
        assert not page.images
        assert "root:" not in page.extract_text()
        annotations = page.get("/Annots") or []
        assert all(a.get_object().get("/Subtype") != "/FileAttachment" for a in annotations)
    assert b"/EmbeddedFile" not in pdf and b"/FileAttachment" not in pdf


def test_a_hostile_page_makes_no_request_and_embeds_nothing(outside):
    """Images, stylesheets, @import, url(), fonts, attachments, file: and redirects: all refused."""
    url, requests = outside
    pdf = render_html_pdf(hostile_html(url), title="Decisions")
    assert requests == []
    assert_embeds_nothing(pdf)
    assert "Decision table" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_a_hostile_document_makes_no_request_and_embeds_nothing(outside):
    """Markdown's own routes to the outside (images, links, raw HTML) fetch nothing either."""
    url, requests = outside
    markdown = (
        f"# Paper\n\n![chart]({url}/chart.png) and ![local](file:///etc/passwd)\n\n"
        f"[annex]({url}/annex.pdf), [passwords](file:///etc/passwd)\n\n"
        f'<img src="{url}/raw.png"><link rel="attachment" href="file:///etc/passwd">\n\n'
        + hostile_html(url)
    )
    request = PdfRequest(
        title="Paper", caucus_name="Caucus", markdown=markdown, text_sha256="0" * 64
    )
    pdf = render_pdf(request)
    assert requests == []
    assert_embeds_nothing(pdf)


def test_the_app_static_files_are_served():
    """A stylesheet or image under static/ is read, with its type."""
    fetcher = StaticOnlyFetcher()
    response = fetcher.fetch(f"{ORIGIN}/static/css/print.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    assert fetcher.fetch(f"{ORIGIN}/static/favicon.svg").content_type == "image/svg+xml"


def test_a_static_image_is_embedded():
    """The fetcher does serve the app's own files: an image under static/ ends up in the PDF."""

    def drawing(source: str) -> bytes:
        pdf = render_html_pdf(f'<p>Logo</p><img src="{source}" width="40">', title="Logo")
        return PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()

    # The SVG is drawn as vector paths: the page with it draws more than the page without.
    assert len(drawing("/static/favicon.svg")) > len(drawing("/static/missing.svg")) + 100


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/static/css/print.css",
        "https://example.org/static/css/print.css",
        "file:///etc/passwd",
        f"file://{STATIC_DIR}/css/print.css",
        "ftp://127.0.0.1/x",
        f"{ORIGIN}/static/../drafting/config.py",
        f"{ORIGIN}/static/%2e%2e/drafting/config.py",
        f"{ORIGIN}/static/css/..%2f..%2fdrafting%2fconfig.py",
        f"{ORIGIN}/static\\..\\drafting\\config.py",
        f"{ORIGIN}/instance/secret_key",
        f"{ORIGIN}/static/css/print.css?x=1",
        f"{ORIGIN}/static/js/../../pyproject.toml",
        f"{ORIGIN}/static/css/missing.css",
        f"{ORIGIN}/static/",
        f"{ORIGIN}:8443/static/css/print.css",
        "https://user@app.drafting.invalid/static/css/print.css",
        "data:text/html;base64,PGI+aGk8L2I+",
        "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
        "data:text/css,body{}",
        "data:image/png,notbase64",
    ],
)
def test_everything_else_is_refused(url):
    """Other origins and schemes, escapes from static/, odd data: URLs: refused, logged."""
    fetcher = StaticOnlyFetcher()
    with pytest.raises(RefusedFetch):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_a_small_inline_png_is_allowed():
    """data:image/png;base64 is the one inline form accepted (it fetches nothing)."""
    encoded = base64.b64encode(PNG).decode()
    response = StaticOnlyFetcher().fetch(f"data:image/png;base64,{encoded}")
    assert response.read() == PNG and response.content_type == "image/png"


def test_a_symlink_out_of_static_is_refused(tmp_path):
    """A link inside static/ pointing outside it resolves outside: refused."""
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "ok.css").write_text("p {}")
    secret = tmp_path / "secret.css"
    secret.write_text("/* secret */")
    (static / "css" / "leak.css").symlink_to(secret)
    (static / "up").symlink_to(tmp_path)
    assert static_path(f"{ORIGIN}/static/css/ok.css", static) == static / "css" / "ok.css"
    for path in ("css/leak.css", "up/secret.css"):
        with pytest.raises(RefusedFetch):
            static_path(f"{ORIGIN}/static/{path}", static)
    fetcher = StaticOnlyFetcher(static)
    with pytest.raises(RefusedFetch):
        fetcher.fetch(f"{ORIGIN}/static/css/leak.css")
