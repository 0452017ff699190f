"""The only way WeasyPrint may read a resource while printing a PDF: the app's own static files.

A paper is written by many people and an HTML page of the app holds what they
typed. If the printer followed the URLs in them, a document could make the
server fetch from the network (server-side request forgery, tracking who
prints what), read local files (`file:///etc/passwd` embedded as an
attachment) or pull a huge resource. So the fetcher answers one origin only,
`STATIC_ORIGIN` (a reserved `.invalid` host that no resolver can ever reach),
and within it only files under `static/`, resolved with symlinks followed and
required to stay inside that folder. Everything else, http(s), file:, ftp:,
data: (except small raster images), is refused before any I/O, and the fetcher
never follows a redirect because it never opens a connection.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlsplit

from weasyprint.urls import URLFetcher
from weasyprint.urls import URLFetcherResponse

from drafting.config import PROJECT_ROOT

# Relative URLs in a printed page ("/static/css/print.css") resolve against this.
STATIC_ORIGIN = "https://app.drafting.invalid"
BASE_URL = f"{STATIC_ORIGIN}/"
STATIC_DIR = PROJECT_ROOT / "static"
STATIC_PREFIX = "/static/"
# Bigger files are not a stylesheet, font or logo the app ships.
MAX_STATIC_BYTES = 20 * 1024 * 1024
MAX_DATA_URL_BYTES = 2 * 1024 * 1024
DATA_URL_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
STATIC_TYPES = frozenset(
    {
        "text/css",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/svg+xml",
        "font/woff",
        "font/woff2",
        "font/ttf",
        "font/otf",
    }
)
_DATA_URL = re.compile(
    r"^data:(?P<type>[\w.+-]+/[\w.+-]+)(?P<params>(;[^,;]*)*?)(?P<b64>;base64)?,"
)


class RefusedFetch(ValueError):
    """A URL the printer may not read; WeasyPrint logs it and leaves the resource out."""


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves files under `static/` and refuses every other URL."""

    def __init__(self, static_dir: Path = STATIC_DIR) -> None:
        # No handlers, no redirects: the base class never gets to open anything.
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.static_dir = static_dir.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """The resource at `url` if it is one of the app's static files or a small inline image."""
        try:
            if url.startswith("data:"):
                return _data_url(url)
            return URLFetcherResponse(url, *self._static_file(url))
        except RefusedFetch:
            self.refused.append(url)
            raise

    def _static_file(self, url: str) -> tuple[bytes, dict[str, str]]:
        """The bytes and headers of a static file named by an app URL."""
        path = static_path(url, self.static_dir)
        content_type = _static_type(path)
        if path.stat().st_size > MAX_STATIC_BYTES:
            raise RefusedFetch(f"static file too large: {url}")
        return path.read_bytes(), {"Content-Type": content_type}


def static_path(url: str, static_dir: Path = STATIC_DIR) -> Path:
    """The file under `static_dir` that an app URL names; RefusedFetch for anything else."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != STATIC_ORIGIN or parts.query:
        raise RefusedFetch(f"not one of the app's static files: {url[:200]}")
    relative = unquote(parts.path)
    if not relative.startswith(STATIC_PREFIX) or "\\" in relative or "\0" in relative:
        raise RefusedFetch(f"not under {STATIC_PREFIX}: {url[:200]}")
    root = static_dir.resolve()
    # resolve() follows symlinks, so a link pointing out of static/ lands outside and is refused.
    candidate = (root / relative[len(STATIC_PREFIX) :]).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        raise RefusedFetch(f"no such static file: {url[:200]}")
    return candidate


def _static_type(path: Path) -> str:
    """The content type of a static file, if it is a kind a printed page may use."""
    guessed = mimetypes.guess_type(path.name)[0] or ""
    if guessed not in STATIC_TYPES:
        raise RefusedFetch(f"not a stylesheet, image or font: {path.name}")
    return guessed


def _data_url(url: str) -> URLFetcherResponse:
    """A small inline raster image; any other data: URL (HTML, SVG, CSS …) is refused."""
    match = _DATA_URL.match(url[:300])
    if not match or match["type"].lower() not in DATA_URL_TYPES or not match["b64"]:
        raise RefusedFetch("data: URL of an unexpected type")
    encoded = url[match.end() :]
    if len(encoded) > MAX_DATA_URL_BYTES * 4 // 3 + 4:
        raise RefusedFetch("data: URL too large")
    body = base64.b64decode(unquote(encoded), validate=False)
    return URLFetcherResponse("data:", body, {"Content-Type": match["type"].lower()})
