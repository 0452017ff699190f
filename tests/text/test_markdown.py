"""Markdown rendering: the dialect, heading ids and contents, numbering, and safety."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from drafting.text.markdown import LINK_REL
from drafting.text.markdown import Heading
from drafting.text.markdown import may_embed_image
from drafting.text.markdown import render
from drafting.text.markdown import sanitize
from drafting.text.markdown import slugify
from tests.text.nested_documents import html_text
from tests.text.nested_documents import nested_documents
from tests.text.nested_documents import words_in

SAFE_TAGS = {
    *(f"h{level}" for level in range(1, 7)),
    *["a", "blockquote", "br", "code", "del", "em", "hr", "img", "li", "ol", "p", "pre"],
    *["s", "section", "strong", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"],
}
SAFE_SCHEMES = {"", "http", "https", "mailto"}


class _ElementCollector(HTMLParser):
    """Every start tag of a fragment with its attributes, character references decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """The (tag, attributes) of each element of `html`, in order."""
    collector = _ElementCollector()
    collector.feed(html)
    collector.close()
    return collector.elements


def assert_harmless(html: str, image_hosts: frozenset[str] = frozenset()) -> None:
    """No script can run and no image loads from a host outside `image_hosts`."""
    lowered = html.lower()
    for dangerous in ("<script", "<iframe", "<style", "<svg", "<object", "<embed", "<form"):
        assert dangerous not in lowered
    for tag, attributes in elements(html):
        assert tag in SAFE_TAGS, tag
        for name, value in attributes.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in {"style", "srcdoc", "formaction"}, (tag, name)
            if name in {"href", "src"}:
                assert_safe_url(value or "")
        if tag == "img" and "src" in attributes:  # an image without a source fetches nothing
            assert may_embed_image(attributes["src"] or "", image_hosts)
        if tag == "a" and "href" in attributes:
            assert attributes.get("rel") == LINK_REL


def assert_safe_url(url: str) -> None:
    """The URL has an allowed scheme, as a browser would read it."""
    browser_view = re.sub(r"[\x00-\x20]", "", url).lower()
    assert urlsplit(browser_view).scheme in SAFE_SCHEMES, url
    for scheme in ("javascript:", "vbscript:", "data:", "file:"):
        assert not browser_view.startswith(scheme), url


# The dialect


def test_table_keeps_alignment_as_classes() -> None:
    html = render("| Country | Year |\n|:--|--:|\n| Chile | 2004 |\n").html
    assert ("th", {"class": "align-left"}) in elements(html)
    assert ("td", {"class": "align-right"}) in elements(html)
    assert '<td class="align-left">Chile</td>' in html
    assert "style" not in html


def test_footnotes_link_both_ways() -> None:
    html = render("States shall act.[^act]\n\n[^act]: See A/RES/73/195.\n").html
    found = elements(html)
    assert ("a", {"href": "#fn:1", "id": "fnref:1", "rel": LINK_REL}) in found
    assert ("li", {"id": "fn:1", "class": "footnote-item"}) in found
    assert ("a", {"href": "#fnref:1", "class": "footnote-backref", "rel": LINK_REL}) in found
    assert ("section", {"class": "footnotes"}) in found
    assert "See A/RES/73/195." in html


def test_inline_footnote_and_strikethrough() -> None:
    html = render("Text^[an aside] with ~~old wording~~.").html
    assert "<s>old wording</s>" in html
    assert "an aside" in html
    assert ("sup", {"class": "footnote-ref"}) in elements(html)


def test_raw_html_shows_as_text() -> None:
    html = render("Use <b>bold</b> sparingly.").html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


# Heading ids and the table of contents


def test_the_same_text_is_rendered_once_and_options_are_part_of_the_key() -> None:
    """Readers of one revision share one rendering; numbering or image hosts make another."""
    text = "# Paper\n\nStates should act.\n"
    assert render(text) is render(text)
    numbered = render(text, numbered=True)
    assert numbered is not render(text) and 'class="para"' in numbered.html
    assert render(text, allowed_image_hosts=frozenset({"example.org"})) is not render(text)


def test_headings_get_slug_ids_and_a_toc() -> None:
    rendered = render("# Position paper\n\n## Key *demands*\n\n### On `labour`\n\n#### Detail\n")
    assert list(rendered.toc) == [
        Heading(level=1, text="Position paper", id="position-paper"),
        Heading(level=2, text="Key demands", id="key-demands"),
        Heading(level=3, text="On labour", id="on-labour"),
    ]
    assert '<h4 id="detail">Detail</h4>' in rendered.html


def test_duplicate_headings_get_numbered_ids() -> None:
    rendered = render("## Recommendations\n\n## Recommendations\n\n## Recommendations-2\n")
    assert [heading.id for heading in rendered.toc] == [
        "recommendations",
        "recommendations-2",
        "recommendations-2-2",
    ]


def test_arabic_headings_keep_their_letters() -> None:
    rendered = render("## التوصيات الرئيسية\n\n## التوصيات الرئيسية\n")
    assert [heading.id for heading in rendered.toc] == [
        "التوصيات-الرئيسية",
        "التوصيات-الرئيسية-2",
    ]
    assert rendered.toc[0].text == "التوصيات الرئيسية"
    assert '<h2 id="التوصيات-الرئيسية">' in rendered.html


def test_spanish_heading_ids_keep_accents_whatever_the_normalization() -> None:
    composed = "Políticas de Migración"
    decomposed = unicodedata.normalize("NFD", composed)
    assert slugify(composed) == slugify(decomposed) == "políticas-de-migración"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("1.2 Scope & purpose", "1-2-scope-purpose"),
        ("  Women’s rights!  ", "women-s-rights"),
        ("?!", "section"),
        ("🌍", "section"),
        ("x" * 200, "x" * 80),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_toc_leaves_out_quoted_headings() -> None:
    rendered = render("# Paper\n\n> ## Quoted heading\n")
    assert [heading.text for heading in rendered.toc] == ["Paper"]
    assert '<h2 id="quoted-heading">' in rendered.html


def test_heading_ids_never_collide_with_footnote_ids() -> None:
    html = render("# fn:1\n\nText[^1]\n\n[^1]: Note.\n").html
    ids = [attributes["id"] for _, attributes in elements(html) if "id" in attributes]
    assert len(ids) == len(set(ids))


def test_many_duplicate_headings_stay_fast() -> None:
    rendered = render("## Recommendations\n" * 3000)
    assert rendered.toc[-1].id == "recommendations-3000"


# Numbered paragraphs


def test_numbered_paragraphs_count_top_level_paragraphs_only() -> None:
    markdown = (
        "# Title\n\nFirst.\n\n- item one\n\n- item two\n\n> Quoted.\n\n"
        "Second.[^1]\n\n| a |\n|---|\n| b |\n\nThird.\n\n[^1]: A note.\n"
    )
    numbered = [
        attributes["data-para"]
        for tag, attributes in elements(render(markdown, numbered=True).html)
        if tag == "p" and "data-para" in attributes
    ]
    assert numbered == ["1", "2", "3"]
    assert '<p class="para" data-para="3">Third.</p>' in render(markdown, numbered=True).html


def test_paragraphs_are_not_numbered_by_default() -> None:
    assert render("First.\n\nSecond.\n").html == "<p>First.</p>\n<p>Second.</p>\n"


# Deep structures: flattened, never dropped


def deepest_nesting(html: str) -> int:
    """How many elements deep the HTML goes."""
    depth = deepest = 0
    for tag in re.findall(r"<(/?)(ul|ol|li|blockquote|p)\b", html):
        depth += -1 if tag[0] else 1
        deepest = max(deepest, depth)
    return deepest


def test_the_text_after_a_list_nested_ten_deep_is_kept() -> None:
    markdown = "".join(f"{'  ' * level}- level{level}\n" for level in range(12)) + "\nAfterword.\n"
    html = render(markdown).html
    for level in range(12):
        assert f"level{level}" in html
    assert html.endswith("<p>Afterword.</p>\n")


def test_twenty_nested_quotations_keep_their_text_and_what_follows() -> None:
    markdown = ">" * 22 + " Deep claim.\n" + ">" * 22 + " Its evidence.\n\n- After.\n"
    html = render(markdown).html
    assert "Deep claim." in html and "Its evidence." in html
    assert html.endswith("<li>After.</li>\n</ul>\n")


def test_a_structure_too_deep_becomes_one_line_per_source_line() -> None:
    markdown = "- " * 30 + "innermost\n" + "  " * 30 + "- sibling\n"
    html = render(markdown).html
    assert re.search(r"(- ){10,}innermost<br>\n\s*- sibling</li>", html)
    assert deepest_nesting(html) <= 20


@settings(max_examples=150, deadline=None)
@given(document=nested_documents())
def test_every_word_of_the_source_is_in_the_html(document: tuple[str, set[str]]) -> None:
    markdown, words = document
    html = render(markdown).html
    assert words - words_in(html_text(html)) == set()
    assert deepest_nesting(html) <= 21


# Links and images


def test_links_open_without_referrer_or_ranking() -> None:
    html = render("[the network](https://example.org/network)").html
    assert ("a", {"href": "https://example.org/network", "rel": LINK_REL}) in elements(html)


def test_remote_image_becomes_a_link_labelled_with_its_alt_text() -> None:
    html = render("![Chart of *remittances*](https://cdn.example.org/chart.png)").html
    assert "<img" not in html
    link = ("a", {"href": "https://cdn.example.org/chart.png", "class": "remote-image"})
    assert (link[0], {**link[1], "rel": LINK_REL}) in elements(html)
    assert ">Chart of remittances</a>" in html


def test_remote_image_without_alt_text_is_labelled_with_its_url() -> None:
    html = render("![](https://cdn.example.org/chart.png)").html
    assert ">https://cdn.example.org/chart.png</a>" in html


def test_image_on_an_allowed_host_is_shown() -> None:
    hosts = frozenset({"CDN.example.org"})
    html = render(
        "![Chart](https://cdn.EXAMPLE.org:8443/chart.png)", allowed_image_hosts=hosts
    ).html
    assert ("img", {"src": "https://cdn.EXAMPLE.org:8443/chart.png", "alt": "Chart"}) in elements(
        html
    )


@pytest.mark.parametrize(
    "source", ["/static/logo.png", "/static/img/chart%20one.png", "/static/logo.png#top"]
)
def test_static_image_is_shown(source: str) -> None:
    html = render(f"![Logo]({source})").html
    assert ("img", {"src": source, "alt": "Logo"}) in elements(html)


SAME_SITE_ROUTES = [
    "decisions.pdf",
    "/documents/3/decisions.pdf",
    "images/logo.png",
    "../logo.png",
    "#top",
    "/static",
    "/staticfiles/logo.png",
    "/static/logo.png?v=2",
    "/static/../documents/3/decisions.pdf",
    "/static/img/../../documents/3/decisions.pdf",
    "/static/%2e%2e/documents/3/decisions.pdf",
    "/static/.%2E/documents/3/decisions.pdf",
    "/static/%252e%252e/documents/3/decisions.pdf",
    "/static/./logo.png",
    "/static//logo.png",
    "/static/%2F%2Fother/logo.png",
    "/static/..%5C..%5Cdocuments/3/decisions.pdf",
    "/static/%00/logo.png",
]


@pytest.mark.parametrize("source", SAME_SITE_ROUTES)
def test_same_site_image_outside_static_files_becomes_a_link(source: str) -> None:
    """An image that names a route would make every reader's browser call it."""
    html = render(f"![twelve PDFs]({source})").html
    assert "<img" not in html
    assert ">twelve PDFs</a>" in html
    assert_harmless(html)


@pytest.mark.parametrize(
    "source",
    [
        "//tracker.example/p.gif",
        "https://cdn.example.org@tracker.example/p.gif",
        "https://cdn.example.org.tracker.example/p.gif",
        "http:tracker.example/p.gif",
        "ftp://cdn.example.org/p.gif",
    ],
)
def test_image_that_would_load_from_elsewhere_is_not_shown(source: str) -> None:
    hosts = frozenset({"cdn.example.org"})
    html = render(f"![pixel]({source})", allowed_image_hosts=hosts).html
    assert "<img" not in html
    assert_harmless(html, hosts)


def test_backslash_in_image_path_is_not_shown() -> None:
    html = render("![pixel](/\\tracker.example/p.gif)").html
    assert "<img" not in html
    assert (
        "a",
        {"href": "/%5Ctracker.example/p.gif", "class": "remote-image", "rel": LINK_REL},
    ) in (elements(html))


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/static/a.png", True),
        ("/a.png", False),
        ("a.png", False),
        ("#top", False),
        ("", False),
        ("https://cdn.example.org/a.png", True),
        ("https://other.example/a.png", False),
        ("//cdn.example.org/a.png", False),  # scheme-relative: allowed only as explicit https
        ("\\\\evil.example/a.png", False),
        (" /\\evil.example/a.png", False),
        ("/\t/evil.example/a.png", False),
        ("data:image/png;base64,AAAA", False),
        ("javascript:alert(1)", False),
    ],
)
def test_may_embed_image(url: str, allowed: bool) -> None:
    assert may_embed_image(url, frozenset({"cdn.example.org"})) is allowed


# Attacks written in Markdown


MARKDOWN_ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "[x]: javascript:alert(1)\n\n[click][x]",
    '<a href="https://example.org" onclick="alert(1)">x</a>',
    "<a href='javascript:alert(1)'>x</a>",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body { display: none }</style>",
    "<svg onload=alert(1)>",
    "<javascript:alert(1)>",
    '<https://example.org/?q="onmouseover=alert(1)>',
    '[x](https://example.org "t\\" onmouseover=\\"alert(1)")',
    '![x](https://example.org/a.png"onerror="alert(1))',
    "`<script>alert(1)</script>`",
    '```"><script>alert(1)</script>\ncode\n```',
    "# <script>alert(1)</script>",
    "Text[^1]\n\n[^1]: [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    "[![x](https://evil.example/p.gif)](javascript:alert(1))",
    "<form action=https://evil.example><input name=password></form>",
]


@pytest.mark.parametrize("markdown", MARKDOWN_ATTACKS)
def test_markdown_attack_comes_out_harmless(markdown: str) -> None:
    assert_harmless(render(markdown).html)
    assert_harmless(render(markdown, numbered=True).html)


def test_javascript_link_is_not_a_link() -> None:
    html = render("[x](javascript:alert(1))").html
    assert "<a" not in html


# Attacks written as HTML, against the sanitizer alone


HTML_ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="javascript&#58;alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<a href="https://example.org" onclick="alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body { display: none }</style>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<img src="https://tracker.example/p.gif">',
    '<img src="//tracker.example/p.gif">',
    '<img src="/\\tracker.example/p.gif">',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<form><button formaction="javascript:alert(1)">x</button></form>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<p class="para alert-danger" data-evil="1">x</p>',
    '<h2 id="x" onmouseover="alert(1)">x</h2>',
]


@pytest.mark.parametrize("html", HTML_ATTACKS)
def test_sanitizer_defuses_html_attack(html: str) -> None:
    assert_harmless(sanitize(html))


def test_sanitizer_keeps_only_known_classes() -> None:
    assert sanitize('<p class="para alert-danger">x</p>') == '<p class="para">x</p>'


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*MARKDOWN_ATTACKS, "\n\n", "> ", "- ", "# ", "[", "]"])))
def test_any_mix_of_attacks_comes_out_harmless(pieces: list[str]) -> None:
    assert_harmless(render("".join(pieces)).html)
