"""PDF rendering with WeasyPrint: the interface publishing and review share.

A document's PDF is made in two steps. Here, in the app's process, its Markdown
becomes sanitized HTML (`drafting.text.markdown.render`) and is laid into the
print template (`templates/publishing/pdf/document.html`) in the document's
own language: cover, contents, running header and footer, footnotes at the
foot of the page, the draft mark, the endorsements. Then the sandbox
(`sandbox.py`) prints that HTML in a separate process with time and memory
limits, reading nothing but the app's static files (`fetcher.py`).

The output is deterministic: the same request gives the same bytes. The PDF's
dates come from `issued_on` (none at all without it) and its identifier from
the request's hash, so a cached, stored or re-rendered copy is byte-identical.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from functools import lru_cache
from importlib.metadata import version
from itertools import groupby
from typing import Literal

import jinja2
from babel import Locale
from babel import UnknownLocaleError
from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from drafting.config import PROJECT_ROOT
from drafting.errors import Invalid
from drafting.publishing import sandbox
from drafting.text.markdown import Heading
from drafting.text.markdown import render

TEMPLATE_DIR = PROJECT_ROOT / "templates" / "publishing" / "pdf"
PRINT_CSS = PROJECT_ROOT / "static" / "css" / "print.css"
TRANSLATIONS_DIR = PROJECT_ROOT / "translations"
SHORT_HASH_LENGTH = 10
# The cover page's content height: the paper's height less the first page's margins (print.css).
COVER_HEIGHT = {"A4": "252mm", "Letter": "234mm"}
MAX_MARKDOWN_CHARS = 5_000_000
# PDF/UA-1: a tagged PDF (structure, reading order, language) that screen readers can follow.
PDF_VARIANT = "pdf/ua-1"
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


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


@dataclass(frozen=True)
class PageRequest:
    """A page of the app's own HTML to print (the decision table): `html` is its body."""

    html: str
    title: str
    language: str = "en"


# What the engine prints: a document, or a page of the app.
PrintOrder = PdfRequest | PageRequest


def order_key(order: PrintOrder) -> str:
    """The cache key of what an order prints: equal keys, equal PDFs."""
    if isinstance(order, PdfRequest):
        return request_key(order)
    return _sha256_hex(json.dumps([engine_version(), order.title, order.language, order.html]))


def render_order(order: PrintOrder) -> bytes:
    """Print an order in the sandbox (slow: seconds to a minute)."""
    if isinstance(order, PdfRequest):
        return render_pdf(order)
    return render_html_pdf(order.html, title=order.title, language=order.language)


def render_pdf(request: PdfRequest) -> bytes:
    """The document's PDF, rendered in a sandboxed worker (time and memory limits)."""
    key = request_key(request)
    return sandbox.print_pdf(document_html(request), identifier=key[:32], variant=PDF_VARIANT)


def render_html_pdf(html: str, *, title: str, language: str = "en") -> bytes:
    """A PDF of a page of the app's own HTML (the decision table), in the same sandbox.

    `html` is the page's content (what goes inside `<body>`); it is printed with
    the print stylesheet, and like a document it may read only static files.
    """
    language = _checked_language(language)
    with force_locale(language):
        page = (
            _templates()
            .get_template("page.html")
            .render(
                body=Markup(html),  # noqa: S704 - the app's own HTML; the fetcher still guards it
                title=title,
                language=language,
                direction=text_direction(language),
                page_css=_page_css(title=title, language=language),
            )
        )
    key = order_key(PageRequest(html, title, language))
    return sandbox.print_pdf(page, identifier=key[:32], variant=PDF_VARIANT)


def request_key(request: PdfRequest) -> str:
    """SHA-256 of the request and of the engine that prints it: equal keys, equal PDFs."""
    fields = dataclasses.asdict(request)
    payload = json.dumps([engine_version(), fields], sort_keys=True, default=str)
    return _sha256_hex(payload)


@lru_cache(maxsize=1)
def engine_version() -> str:
    """WeasyPrint's version and a hash of the templates, print stylesheet and translations.

    Part of every cache key, so changing how PDFs look or read invalidates the cached ones.
    """
    weasyprint_version = version("weasyprint")
    digest = hashlib.sha256(weasyprint_version.encode())
    catalogs = sorted(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.[mp]o"))
    for path in [*sorted(TEMPLATE_DIR.glob("*.html")), PRINT_CSS, *catalogs]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"weasyprint-{weasyprint_version}-{digest.hexdigest()[:16]}"


def document_html(request: PdfRequest) -> str:
    """The HTML a document's PDF is printed from, in the document's language."""
    _check(request)
    rendered = render(request.markdown, numbered=request.numbered_paragraphs)
    language = request.language
    with force_locale(language):
        return (
            _templates()
            .get_template("document.html")
            .render(
                request=request,
                language=language,
                direction=text_direction(language),
                body=Markup(inline_footnotes(rendered.html)),  # noqa: S704 - sanitized by render()
                toc=_contents(rendered.toc, request),
                endorsements=endorsements_by_country(request.endorsers),
                issued_on=format_date(request.issued_on, "long", locale=_locale(language))
                if request.issued_on
                else "",
                created=request.issued_on.isoformat() if request.issued_on else "",
                short_hash=request.text_sha256[:SHORT_HASH_LENGTH],
                page_css=_document_page_css(request),
            )
        )


def text_direction(language: str) -> Literal["ltr", "rtl"]:
    """ "rtl" for Arabic, Hebrew, Persian, Urdu…; "ltr" otherwise."""
    return "rtl" if _locale(language).character_order == "right-to-left" else "ltr"


def endorsements_by_country(endorsers: tuple[Endorser, ...]) -> list[tuple[str, list[str]]]:
    """Endorsing organizations grouped by country (countries and names sorted), unnamed last."""
    ordered = sorted(endorsers, key=lambda e: (not e.country, e.country.casefold()))
    grouped = []
    for country, members in groupby(ordered, key=lambda e: e.country.casefold()):
        names = [member.organization for member in members]
        label = next(e.country for e in endorsers if e.country.casefold() == country)
        grouped.append((label, sorted(set(names), key=str.casefold)))
    return grouped


# Footnotes: markdown-it lists them at the end; print puts each at the foot of its page.

# A note's own list items end in </li> too: its end is the </li> before the next note or the
# end of the notes' list.
_FOOTNOTE_ITEM = re.compile(
    r'<li id="fn:(?P<number>\d+)" class="footnote-item">(?P<body>.*?)</li>\s*'
    r'(?=<li id="fn:\d+" class="footnote-item">|</ol>\s*</section>)',
    re.DOTALL,
)
_FOOTNOTE_SECTION = re.compile(
    r'<hr class="footnotes-sep">\s*<section class="footnotes">.*?</section>', re.DOTALL
)
_FOOTNOTE_REF = re.compile(
    r'<sup class="footnote-ref"><a href="#fn:(?P<number>\d+)" id="fnref:\d+(?::\d+)?"[^>]*>'
    r"\[[^\]]*\]</a></sup>"
)
_BACKREF = re.compile(r'\s*<a href="#fnref:[^"]*" class="footnote-backref"[^>]*>[^<]*</a>')
# Blocks cannot sit inside a paragraph; a footnote's own blocks become spans styled as blocks.
_FOOTNOTE_BLOCK_TAG = re.compile(
    r"<(/?)(p|ul|ol|li|blockquote|pre|table|thead|tbody|tr|td|th|h[1-6]|hr|section)\b([^>]*)>"
)


def inline_footnotes(html: str) -> str:
    """Move each footnote's text to its first reference, as `<span class="footnote">`.

    The stylesheet floats those spans to the page's footnote area (`float: footnote`),
    which numbers them; a later reference to the same note repeats its number.
    """
    notes = {
        match["number"]: _footnote_body(match["body"]) for match in _FOOTNOTE_ITEM.finditer(html)
    }
    html = _FOOTNOTE_SECTION.sub("", html)
    placed: set[str] = set()

    def place(match: re.Match[str]) -> str:
        number = match["number"]
        if number in placed or number not in notes:
            return f'<sup class="footnote-again">{number}</sup>'
        placed.add(number)
        # A note may cite another: its call is placed inside, or its text would be lost.
        return f'<span class="footnote">{_FOOTNOTE_REF.sub(place, notes[number])}</span>'

    return _FOOTNOTE_REF.sub(place, html)


def _footnote_body(body: str) -> str:
    """A footnote's HTML without its back links, its blocks turned into spans."""
    body = _BACKREF.sub("", body).strip()
    return _FOOTNOTE_BLOCK_TAG.sub(_span_for_block, body)


def _span_for_block(match: re.Match[str]) -> str:
    """`<p>` → `<span class="fn-p">`, `</p>` → `</span>` (and the same for other blocks)."""
    closing, tag = match[1], match[2]
    return "</span>" if closing else f'<span class="fn-{tag}">'


# The template's pieces.


@dataclass(frozen=True)
class ContentsEntry:
    """A line of the table of contents: heading text, its level and the anchor it points to."""

    level: int
    text: str
    id: str


def _contents(toc: list[Heading], request: PdfRequest) -> list[ContentsEntry]:
    """The document's top headings, plus the endorsements section when there is one."""
    entries = [ContentsEntry(h.level, h.text, h.id) for h in toc]
    if request.endorsers:
        entries.append(ContentsEntry(1, _("Endorsing organizations"), "endorsements"))
    return entries


def _edition(request: PdfRequest) -> str:
    """What the footer names: the version label, else "Revision N", else nothing."""
    if request.version_label:
        return request.version_label
    if request.revision is not None:
        return _("Revision %(number)s", number=request.revision)
    return ""


def _document_page_css(request: PdfRequest) -> str:
    """The @page rules of a document: its header, footer, draft mark and paper size."""
    return _page_css(
        title=request.title,
        language=request.language,
        page_size=request.page_size,
        edition=_edition(request),
        draft=request.status == "draft",
        short_hash=request.text_sha256[:SHORT_HASH_LENGTH],
        cover=True,
    )


def _page_css(
    *,
    title: str,
    language: str,
    page_size: str = "A4",
    edition: str = "",
    draft: bool = False,
    short_hash: str = "",
    cover: bool = False,
) -> str:
    """The @page rules that hold translated text and the paper size (print.css has the rest)."""
    page_of = _css_with_counters(
        _("Page %(page)s of %(pages)s"), page="counter(page)", pages="counter(pages)"
    )
    # Margin boxes are physical: in a right-to-left document the title goes on the right.
    start, end = ("right", "left") if text_direction(language) == "rtl" else ("left", "right")
    boxes = {
        f"top-{start}": css_string(title),
        f"top-{end}": css_string(_("DRAFT – not for circulation")) if draft else "",
        f"bottom-{start}": css_string(edition) if edition else "",
        "bottom-center": css_string(f"SHA-256 {short_hash}") if short_hash else "",
        f"bottom-{end}": page_of,
    }
    rules = [f"@page {{ size: {'letter' if page_size == 'Letter' else 'A4'}; }}"]
    if cover:
        # The cover fills its page, so that its facts can sit at the foot of it.
        rules.append(f".cover {{ height: {COVER_HEIGHT[page_size]}; }}")
    rules += [f"@page {{ @{box} {{ content: {css}; }} }}" for box, css in boxes.items() if css]
    if draft:
        rules.append(f"@page {{ @top-{end} {{ color: #a4262c; font-weight: 700; }} }}")
    if cover:
        # The cover shows only the draft mark: its own text says everything else.
        hidden = [box for box, css in boxes.items() if css and box != f"top-{end}"]
        rules += [f"@page :first {{ @{box} {{ content: none; }} }}" for box in hidden]
    return "\n".join(rules)


def css_string(text: str) -> str:
    """`text` as a quoted CSS string, safe inside a `<style>` element."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>&' or ord(char) < 0x20 or ord(char) == 0x7F else char
        for char in text
    )
    return f'"{escaped}"'


def _css_with_counters(message: str, **counters: str) -> str:
    """A translated message with `%(name)s` placeholders as CSS content with counters."""
    pieces = _PLACEHOLDER.split(message)
    css = [
        counters[piece] if index % 2 else css_string(piece)
        for index, piece in enumerate(pieces)
        if piece
    ]
    return " ".join(css)


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    """The print templates, independent of any request, so a worker can render them too."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_callables(_, ngettext, newstyle=True)  # type: ignore[attr-defined]
    return environment


def _check(request: PdfRequest) -> None:
    """Refuse requests that cannot make a sensible PDF before spending a worker on them."""
    _checked_language(request.language)
    if len(request.markdown) > MAX_MARKDOWN_CHARS:
        raise Invalid(_("The document is too long to print."))
    if request.status not in {"draft", "final"} or request.page_size not in {"A4", "Letter"}:
        raise Invalid(_("Unknown status or page size."))


def _checked_language(language: str) -> str:
    """The language code if it looks like BCP 47; Invalid otherwise."""
    if not _LANGUAGE.match(language or ""):
        raise Invalid(_("Unknown language code."))
    return language


def _locale(language: str) -> Locale:
    """The Babel locale of a language code, English when Babel does not know it."""
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


def _sha256_hex(text: str) -> str:
    """SHA-256 of a string's UTF-8 bytes, in hex."""
    return hashlib.sha256(text.encode()).hexdigest()
