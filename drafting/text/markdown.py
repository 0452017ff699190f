"""A document's Markdown rendered to safe HTML, with heading ids and a table of contents.

The dialect is CommonMark with tables, footnotes (`[^1]`, `^[inline]`) and
`~~strikethrough~~`. Raw HTML written in a document is not interpreted: it
shows as text, so no member can slip a script, a form or a tracking pixel into
a paper that others open. Whatever the parser emits is then cleaned by nh3
against an allowlist, so a mistake in a rule or a plugin still cannot let
script through. `sanitize` is that second layer on its own.

Images: a reader's browser fetching an image from a host the author picked
tells that host who read the paper, when and from where. And on this site an
image URL can name any route: a dozen images pointing at a version's PDF made
every page view print a dozen PDFs. So an image is shown only when it is one of
the site's static files (a path under `/static/`, with no dot segments, no
query, nothing encoded that would read otherwise) or on one of
`allowed_image_hosts`; any other image becomes a link to it
(`<a class="remote-image">`), labelled with its alt text.

Ids: every heading gets an id made from its text (`## Políticas de migración`
gets `políticas-de-migración`, an Arabic heading keeps its Arabic letters);
repeated headings get `-2`, `-3`. Footnotes use `fn:1` and `fnref:1`, which no
heading can produce since slugs hold no colon.

Depth: markdown-it stops parsing at its nesting limit and drops the rest of the
text, which a paper's hash still covers. So a structure nested deeper than
`FLATTEN_DEPTH` levels (a tenth list inside nine, a nineteenth quotation inside
eighteen) is not dropped but flattened: the rest of its lines, markers and all, become
one paragraph with a line break per source line. Every word of the text is in every
rendering.

Numbered paragraphs, as in UN resolutions (`numbered=True`): each top-level
paragraph becomes `<p class="para" data-para="N">`, N counting from 1.
Headings, list items, quotations, tables and footnotes are not counted. The
stylesheet shows the number, e.g. `p.para::before { content: attr(data-para) "."; }`,
and the attribute gives a stable number to cite even where CSS counters differ.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType
from markdown_it.utils import OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

TOC_MAX_LEVEL = 3
MAX_SLUG_LENGTH = 80
FALLBACK_SLUG = "section"
LINK_REL = "noopener noreferrer nofollow"
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Where the app serves its static files: the only same-site images a document may show.
STATIC_PREFIX = "/static/"
# markdown-it's own limit, which bounds its recursion and the depth of the HTML that
# browsers, WeasyPrint and Word receive. Containers open one level (a quotation) or two
# (a list and its item) at a time, so every structure passes through one of the two levels
# below the limit, where its rest is flattened before the parser would drop it.
MAX_NESTING = 20
FLATTEN_DEPTH = MAX_NESTING - 2

# markdown-it writes alignment as inline style; styles are not allowed through, classes are.
_ALIGNMENT_CLASSES = {
    "text-align:left": "align-left",
    "text-align:center": "align-center",
    "text-align:right": "align-right",
}
_SLUG_SEPARATORS = re.compile(r"-{2,}")
# Browsers drop these anywhere in a URL and strip leading C0 controls and spaces.
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_LEADING_JUNK = "".join(map(chr, range(0x21)))

_HEADING_TAGS = {f"h{level}" for level in range(1, 7)}
_ALLOWED_TAGS = _HEADING_TAGS | {
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "section",
    "strong",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
# Removed with everything inside them, not just unwrapped to text.
_DROPPED_WITH_CONTENT = {"script", "style", "iframe", "noscript", "template", "object", "svg"}
_ALLOWED_ATTRIBUTES = {
    **{tag: {"id"} for tag in _HEADING_TAGS},
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title"},
    "li": {"id"},
    "ol": {"start"},
    "p": {"data-para"},
}
_ALLOWED_CLASSES = {
    "a": {"footnote-backref", "remote-image"},
    "hr": {"footnotes-sep"},
    "li": {"footnote-item"},
    "ol": {"footnotes-list"},
    "p": {"para"},
    "section": {"footnotes"},
    "sup": {"footnote-ref"},
    "td": set(_ALIGNMENT_CLASSES.values()),
    "th": set(_ALIGNMENT_CLASSES.values()),
}


@dataclass(frozen=True)
class Heading:
    """One entry of the table of contents."""

    level: int
    text: str
    id: str


@dataclass(frozen=True)
class Rendered:
    """Sanitized HTML and the table of contents (top-level h1–h3) of a document."""

    html: str
    toc: tuple[Heading, ...]


def render(
    markdown: str,
    *,
    allowed_image_hosts: frozenset[str] = frozenset(),
    numbered: bool = False,
) -> Rendered:
    """Render Markdown to sanitized HTML and its table of contents."""
    return _render_cached(markdown, _lowercased(allowed_image_hosts), numbered)


# A long paper takes ~40 ms to render and every reader of one revision asks for the same
# text, so recent results are kept per process. The result is a pure function of the
# arguments, and is frozen (the contents are a tuple), so sharing it between requests is safe.
@lru_cache(maxsize=64)
def _render_cached(markdown: str, image_hosts: frozenset[str], numbered: bool) -> Rendered:
    """Render once per distinct (text, image hosts, numbering)."""
    env = {"allowed_image_hosts": image_hosts, "numbered": numbered, "toc": []}
    unsanitized_html = _PARSER.render(markdown, env)
    return Rendered(html=_cleaner(image_hosts).clean(unsanitized_html), toc=tuple(env["toc"]))


def sanitize(html: str, *, allowed_image_hosts: frozenset[str] = frozenset()) -> str:
    """Cut HTML down to the tags, attributes, classes and URLs a rendered document may hold."""
    return _cleaner(_lowercased(allowed_image_hosts)).clean(html)


def slugify(text: str) -> str:
    """A heading's id: lowercase letters, marks and digits of any script, joined by hyphens."""
    kept = [
        char if unicodedata.category(char)[0] in "LMN" or char == "_" else "-"
        for char in unicodedata.normalize("NFC", text).lower()
    ]
    slug = _SLUG_SEPARATORS.sub("-", "".join(kept)).strip("-")
    return slug[:MAX_SLUG_LENGTH].rstrip("-") or FALLBACK_SLUG


def may_embed_image(url: str, allowed_hosts: frozenset[str]) -> bool:
    """Whether showing an image at `url` makes browsers fetch only static files or allowed hosts.

    `allowed_hosts` must be lowercase. Anything unusual counts as remote.
    """
    cleaned_url = _URL_IGNORED.sub("", url).lstrip(_URL_LEADING_JUNK)
    parts = urlsplit(cleaned_url)
    if not parts.scheme and not parts.netloc:
        return is_static_path(cleaned_url)
    return parts.scheme in {"http", "https"} and parts.hostname in allowed_hosts


def is_static_path(url: str) -> bool:
    """Whether a same-site URL names a file under `/static/`, as browsers and servers read it.

    Its path, decoded once, must start with `/static/` and hold no `.` or `..` segment, no
    empty segment, no backslash (browsers read `/\\host` as `//host`), no control character
    and nothing still encoded; and the URL no query. A fragment stays in the browser.
    """
    path, _hash, _fragment = url.partition("#")
    if "?" in path:
        return False
    decoded = unquote(path)
    if not decoded.startswith(STATIC_PREFIX) or any(char in decoded for char in "%\\"):
        return False
    if any(unicodedata.category(char) == "Cc" for char in decoded):
        return False
    segments = decoded[len(STATIC_PREFIX) :].split("/")
    return all(segment not in {"", ".", ".."} for segment in segments)


def _lowercased(hosts: frozenset[str]) -> frozenset[str]:
    """Host names compared the way `urlsplit(...).hostname` gives them."""
    return frozenset(host.lower() for host in hosts)


def parse(markdown: str) -> list[Token]:
    """The token stream of `markdown` in the one dialect, deep structures flattened (for DOCX)."""
    return _PARSER.parse(markdown, {"toc": []})


# Block rule: tried first on every block, it acts only at the flattening depth.


def _flatten_too_deep(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """At FLATTEN_DEPTH, the rest of the current container as one paragraph, line by line."""
    if state.level < FLATTEN_DEPTH or silent:
        return False
    next_line = start_line + 1
    # The lines the container's own parse would go on with (sCount < 0: a quotation's lazy
    # continuation); the first line indented less belongs to an outer structure.
    while next_line < end_line and (
        state.isEmpty(next_line)
        or state.sCount[next_line] >= state.blkIndent
        or state.sCount[next_line] < 0
    ):
        next_line += 1
    content = state.getLines(start_line, next_line, state.blkIndent, False).strip()
    state.line = next_line
    state.push("paragraph_open", "p", 1).map = [start_line, next_line]
    inline = state.push("inline", "", 0)
    inline.content, inline.map, inline.children = content, [start_line, next_line], []
    inline.meta["flattened"] = True
    state.push("paragraph_close", "p", -1)
    return True


# Core rules: they run after parsing, over the whole token stream.


def _keep_flattened_lines(state: StateCore) -> None:
    """Each source line of a flattened structure stays a line of its own (a hard break)."""
    for token in state.tokens:
        if token.type == "inline" and token.meta.get("flattened"):
            for child in token.children or []:
                if child.type == "softbreak":
                    child.type, child.tag = "hardbreak", "br"


def _add_heading_ids(state: StateCore) -> None:
    """Give every heading a unique slug id; list top-level h1–h3 in env["toc"]."""
    heading_ids = _HeadingIds()
    toc = state.env.setdefault("toc", [])
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        text = _plain_text(state.tokens[index + 1])
        heading_id = heading_ids.claim(slugify(text))
        token.attrSet("id", heading_id)
        level = int(token.tag[1])
        # A heading inside a quotation or a list quotes, it does not structure the paper.
        if token.level == 0 and level <= TOC_MAX_LEVEL:
            toc.append(Heading(level=level, text=text, id=heading_id))


def _plain_text(inline: Token) -> str:
    """The text of an inline token without markup (an image counts as its alt text)."""
    pieces = []
    for child in inline.children or []:
        if child.type in {"text", "code_inline"}:
            pieces.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            pieces.append(" ")
        elif child.type == "image":
            pieces.append(_plain_text(child))
    return "".join(pieces).strip()


class _HeadingIds:
    """Hands out unique heading ids: `slug`, then `slug-2`, `slug-3`…"""

    def __init__(self) -> None:
        self._taken: set[str] = set()
        # Where to resume counting for each slug, so a paper with thousands of
        # "Recommendations" headings does not try every suffix again each time.
        self._next_suffix: dict[str, int] = {}

    def claim(self, slug: str) -> str:
        """`slug`, or the first free `slug-N`; the result is taken from now on."""
        candidate, suffix = slug, self._next_suffix.get(slug, 2)
        while candidate in self._taken:
            candidate = f"{slug}-{suffix}"
            suffix += 1
        self._next_suffix[slug] = suffix
        self._taken.add(candidate)
        return candidate


def _align_by_class(state: StateCore) -> None:
    """Replace table cells' inline alignment style with a class the sanitizer lets through."""
    for token in state.tokens:
        if token.type in {"th_open", "td_open"} and "style" in token.attrs:
            style = str(token.attrs.pop("style"))
            if style in _ALIGNMENT_CLASSES:
                token.attrSet("class", _ALIGNMENT_CLASSES[style])


def _number_paragraphs(state: StateCore) -> None:
    """With env["numbered"], mark top-level paragraphs `class="para" data-para="N"`."""
    if not state.env.get("numbered"):
        return
    # Count nesting ourselves: the footnote plugin's paragraphs all claim level 0.
    depth = number = 0
    for token in state.tokens:
        if token.type == "paragraph_open" and depth == 0:
            number += 1
            token.attrSet("class", "para")
            token.attrSet("data-para", str(number))
        depth += token.nesting


# Render rules: called as methods of the renderer.


def _render_image(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    index: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    """An image, or a link to it when showing it would make readers fetch from elsewhere."""
    source = str(tokens[index].attrGet("src") or "")
    if may_embed_image(source, env.get("allowed_image_hosts", frozenset())):
        return renderer.image(tokens, index, options, env)
    alt_text = renderer.renderInlineAsText(tokens[index].children, options, env)
    label = escapeHtml(alt_text or source)
    # The sanitizer still vets the href: a data: or other scheme is dropped there.
    return f'<a href="{escapeHtml(source)}" class="remote-image">{label}</a>'


def _footnote_anchor_name(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    index: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    """The footnote number after a colon, giving ids `fn:1` and `fnref:1`."""
    return f":{tokens[index].meta['id'] + 1}"


def _build_parser() -> MarkdownIt:
    """The one parser, configured once: building it costs more than rendering a page."""
    parser = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING})
    parser.enable(["table", "strikethrough"]).use(footnote_plugin)
    first_rule = parser.block.ruler.get_all_rules()[0]
    parser.block.ruler.before(first_rule, "flatten_too_deep", _flatten_too_deep)
    parser.core.ruler.push("flattened_lines", _keep_flattened_lines)
    parser.core.ruler.push("heading_ids", _add_heading_ids)
    parser.core.ruler.push("table_alignment", _align_by_class)
    parser.core.ruler.push("paragraph_numbers", _number_paragraphs)
    parser.add_render_rule("image", _render_image)
    parser.add_render_rule("footnote_anchor_name", _footnote_anchor_name)
    return parser


_PARSER = _build_parser()


@lru_cache(maxsize=32)
def _cleaner(allowed_image_hosts: frozenset[str]) -> nh3.Cleaner:
    """The sanitizer for one set of image hosts, built once and reused."""

    def drop_remote_image_sources(tag: str, attribute: str, value: str) -> str | None:
        # A second guard behind _render_image, for HTML that did not come from it.
        if tag == "img" and attribute == "src" and not may_embed_image(value, allowed_image_hosts):
            return None
        return value

    return nh3.Cleaner(
        tags=_ALLOWED_TAGS,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=drop_remote_image_sources,
        allowed_classes=_ALLOWED_CLASSES,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
