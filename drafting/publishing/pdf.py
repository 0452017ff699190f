"""PDF rendering with WeasyPrint: the interface publishing and review share.

Owned by the PDF engine work; the signatures below are the contract other modules call.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Literal


@dataclass(frozen=True)
class Endorser:
    """One endorsing organization as the endorsed edition lists it."""

    organization: str
    country: str = ""


@dataclass(frozen=True)
class PdfRequest:
    """Everything a document PDF is made from; its hash is the cache key."""

    title: str
    caucus_name: str
    markdown: str
    text_sha256: str  # SHA-256 of the text (UTF-8); the footer shows its first characters
    language: str = "en"  # BCP 47 code: en, es, fr, ar (right to left), zh, …
    status: Literal["draft", "final"] = "draft"  # drafts carry "DRAFT – not for circulation"
    version_label: str = ""  # "Istanbul round 2"; empty for a draft of a revision
    revision: int | None = None
    issued_on: date | None = None  # the cover's date, also the PDF's creation date
    numbered_paragraphs: bool = False
    page_size: Literal["A4", "Letter"] = "A4"
    author: str = ""  # PDF metadata: the caucus, usually
    endorsers: tuple[Endorser, ...] = field(default_factory=tuple)  # the endorsed edition


def render_pdf(request: PdfRequest) -> bytes:
    """The document's PDF, rendered in a sandboxed worker (time and memory limits)."""
    raise NotImplementedError("the PDF engine is being built")


def render_html_pdf(html: str, *, title: str, language: str = "en") -> bytes:
    """A PDF of a page of the app's own HTML (the decision table), in the same sandbox."""
    raise NotImplementedError("the PDF engine is being built")
