"""A version as other files: standalone HTML, Word (DOCX), and its endorsements as CSV.

The Word file is built from markdown-it's token stream (the pages' own parser, so the same
dialect: CommonMark, tables, footnotes, strikethrough; raw HTML shown as text; structures
too deep flattened, never dropped) through python-docx's
own API: headings, paragraphs, nested lists, bold, italic, struck and code spans, tables,
footnotes gathered as numbered notes at the end. Word's own footnotes are not in
python-docx's API, so notes are plain paragraphs under a "Notes" heading. The document's
language is set on its default style; Arabic paragraphs and runs are marked right to left.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field

import docx
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from flask import render_template
from flask_babel import gettext as _
from markdown_it.token import Token

from drafting.publishing.models import Endorsement
from drafting.publishing.models import Version
from drafting.spreadsheets import spreadsheet_safe
from drafting.text.markdown import parse
from drafting.text.markdown import render

RIGHT_TO_LEFT = {"ar", "fa", "he", "ur"}
MONOSPACE = "Courier New"

# The standalone file's stylesheet: inside the file, so it reads the same offline.
STANDALONE_CSS = """
body { margin: 0 auto; max-width: 46rem; padding: 1.5rem; color: #1d1d1f; background: #fff;
  font: 1.08rem/1.7 Georgia, "Noto Serif", "Noto Naskh Arabic", serif; }
header { border-block-end: 1px solid #ccc; margin-block-end: 1.5rem; }
h1, h2, h3, h4 { font-family: system-ui, sans-serif; line-height: 1.3; }
.meta { color: #555; font: 0.9rem/1.5 system-ui, sans-serif; overflow-wrap: anywhere; }
blockquote { border-inline-start: 4px solid #ccc; margin-inline: 0; padding-inline-start: 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: start; vertical-align: top; }
.align-center { text-align: center; } .align-right { text-align: right; }
pre, code { font-family: monospace; background: #f3f3f3; }
pre { padding: 0.75rem; overflow-x: auto; }
.footnotes { font-size: 0.9rem; border-block-start: 1px solid #ccc; margin-block-start: 2rem; }
.footnotes-sep { display: none; }
p.para::before { content: attr(data-para) ". "; color: #555; }
"""


def text_direction(language: str) -> str:
    """ "rtl" for right-to-left languages, else "ltr"."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


# Standalone HTML


def standalone_html(version: Version) -> str:
    """One HTML file with its styles inside and the text sanitized as the pages show it.

    It embeds nothing from elsewhere: a file passed around and opened anywhere must not
    tell any host who reads the paper, so even images on ALLOWED_IMAGE_HOSTS (which the
    app's own pages show) become links to them here.
    """
    page = render(version.content, numbered=version.numbered_paragraphs)
    return render_template(
        "publishing/standalone.html",
        version=version,
        page=page,
        css=STANDALONE_CSS,
        direction=text_direction(version.language),
    )


# CSV


def endorsements_csv(endorsements: Iterable[Endorsement]) -> str:
    """The endorsements as CSV with a BOM, so spreadsheets read every script correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["organization", "country", "source", "contact_email", "endorsed_at", "sha256"])
    for endorsement in endorsements:
        row = [
            endorsement.organization,
            endorsement.country,
            endorsement.source,
            endorsement.contact_email,
            (endorsement.confirmed_at or endorsement.created_at).isoformat(),
            endorsement.text_sha256,
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


# DOCX


def docx_bytes(version: Version) -> bytes:
    """The version as a Word document."""
    document = docx.Document()
    document.core_properties.title = version.title
    document.core_properties.author = version.caucus_name
    document.core_properties.language = version.language
    set_language(document, version.language)
    document.add_heading(version.title, level=0)
    document.add_paragraph(
        _(
            "%(label)s · revision %(n)d · SHA-256 %(sha)s",
            label=version.label,
            n=version.revision,
            sha=version.sha256,
        )
    )
    DocxWriter(document).write(parse(version.content))
    if text_direction(version.language) == "rtl":
        mark_right_to_left(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def set_language(document, language: str) -> None:
    """Set the language of the default style (spelling, hyphenation, fonts for the script)."""
    run_properties = document.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language)
    lang.set(qn("w:bidi"), language)
    lang.set(qn("w:eastAsia"), language)
    run_properties.append(lang)


def mark_right_to_left(document) -> None:
    """Mark every paragraph and run as right to left (Word's bidi and rtl properties)."""
    body = document.element.body
    for paragraph in body.iter(qn("w:p")):
        paragraph.get_or_add_pPr().append(OxmlElement("w:bidi"))
    for run in body.iter(qn("w:r")):
        run.get_or_add_rPr().append(OxmlElement("w:rtl"))


@dataclass
class InlineStyle:
    """What the inline tokens so far have switched on."""

    bold: int = 0
    italic: int = 0
    strike: int = 0
    links: list[str] = field(default_factory=list)


@dataclass
class DocxWriter:
    """Walks markdown-it's block tokens and writes them with python-docx."""

    document: object
    lists: list[str] = field(default_factory=list)  # "bullet" or "number", outermost first
    item_started: bool = False  # the next paragraph opens a list item
    quote_depth: int = 0
    table: list[list[tuple[bool, Token]]] | None = None
    notes: list[tuple[int, list[Token]]] = field(default_factory=list)
    note_number: int | None = None

    def write(self, tokens: list[Token]) -> None:
        """Write every block of the token stream, then the notes."""
        index = 0
        while index < len(tokens):
            index = self.block(tokens, index)
        self.write_notes()

    def block(self, tokens: list[Token], index: int) -> int:
        """Handle the token at `index`; return the index of the next one to handle."""
        token = tokens[index]
        kind = token.type
        if kind == "heading_open" and self.note_number is None:
            paragraph = self.document.add_heading(level=min(int(token.tag[1]), 9))
            self.inline(paragraph, tokens[index + 1])
            return index + 3
        # In a note a heading is one more line of it: notes are plain paragraphs at the end.
        if kind in ("paragraph_open", "heading_open"):
            self.paragraph(tokens[index + 1])
            return index + 3
        if kind in ("bullet_list_open", "ordered_list_open"):
            self.lists.append("bullet" if kind == "bullet_list_open" else "number")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            self.item_started = True
        elif kind == "blockquote_open":
            self.quote_depth += 1
        elif kind == "blockquote_close":
            self.quote_depth -= 1
        elif kind in ("fence", "code_block"):
            self.code(token.content)
        elif kind == "hr":
            self.document.add_paragraph("* * *")
        elif kind == "table_open":
            self.table = []
        elif kind == "tr_open":
            self.table.append([])
        elif kind in ("th_open", "td_open"):
            self.table[-1].append((kind == "th_open", tokens[index + 1]))
        elif kind == "table_close":
            self.write_table()
        elif kind == "footnote_open":
            self.note_number = token.meta["id"] + 1
            self.notes.append((self.note_number, []))
        elif kind == "footnote_close":
            self.note_number = None
        return index + 1

    def paragraph(self, inline: Token) -> None:
        """A paragraph: in a list item, a quotation, a note, or plain."""
        if self.note_number is not None:
            self.notes[-1][1].append(inline)
            return
        style = None
        if self.lists and self.item_started:
            depth = len(self.lists)
            base = "List Bullet" if self.lists[-1] == "bullet" else "List Number"
            style = base if depth == 1 else f"{base} {min(depth, 3)}"
        elif self.quote_depth:
            style = "Quote"
        self.item_started = False
        self.inline(self.document.add_paragraph(style=style), inline)

    def code(self, text: str) -> None:
        """A code block, line by line in a monospace font."""
        paragraph = self.document.add_paragraph()
        for number, line in enumerate(text.rstrip("\n").split("\n")):
            if number:
                paragraph.add_run().add_break(WD_BREAK.LINE)
            run = paragraph.add_run(line)
            run.font.name = MONOSPACE
            run.font.size = Pt(9)

    def write_table(self) -> None:
        """The collected rows as a Word table with a grid."""
        rows = self.table or []
        self.table = None
        columns = max((len(row) for row in rows), default=0)
        if not columns:
            return
        table = self.document.add_table(rows=len(rows), cols=columns)
        table.style = "Table Grid"
        for row_index, row in enumerate(rows):
            for column, (header, inline) in enumerate(row):
                paragraph = table.cell(row_index, column).paragraphs[0]
                self.inline(paragraph, inline, bold=header)

    def write_notes(self) -> None:
        """Footnotes, numbered, under a heading at the end."""
        if not self.notes:
            return
        self.document.add_heading(_("Notes"), level=2)
        for number, inlines in self.notes:
            paragraph = self.document.add_paragraph()
            paragraph.add_run(f"{number}. ")
            for position, inline in enumerate(inlines):
                if position:
                    paragraph.add_run().add_break(WD_BREAK.LINE)
                self.inline(paragraph, inline)

    def inline(self, paragraph: Paragraph, inline: Token, *, bold: bool = False) -> None:
        """Write an inline token's children as runs of the paragraph."""
        style = InlineStyle(bold=int(bold))
        for child in inline.children or []:
            self.inline_token(paragraph, child, style)

    def inline_token(self, paragraph: Paragraph, token: Token, style: InlineStyle) -> None:
        """One inline token: a run of text, a change of style, a break or a note mark."""
        kind = token.type
        toggles = {"strong": "bold", "em": "italic", "s": "strike"}
        name, _sep, edge = kind.rpartition("_")
        if name in toggles and edge in ("open", "close"):
            attribute = toggles[name]
            setattr(style, attribute, getattr(style, attribute) + (1 if edge == "open" else -1))
        elif kind == "text":
            self.run(paragraph, token.content, style)
        elif kind == "code_inline":
            self.run(paragraph, token.content, style).font.name = MONOSPACE
        elif kind == "softbreak":
            self.run(paragraph, " ", style)
        elif kind == "hardbreak":
            paragraph.add_run().add_break(WD_BREAK.LINE)
        elif kind == "link_open":
            style.links.append(str(token.attrGet("href") or ""))
        elif kind == "link_close" and style.links:
            self.link_target(paragraph, style.links.pop(), style)
        elif kind == "image":
            self.run(paragraph, f"[{token.content or _('image')}]", style)
        elif kind == "footnote_ref":
            run = paragraph.add_run(str(token.meta["id"] + 1))
            run.font.superscript = True

    def link_target(self, paragraph: Paragraph, href: str, style: InlineStyle) -> None:
        """A printed document cannot be clicked: write the address after the link's text."""
        if href and not href.startswith("#"):
            self.run(paragraph, f" ({href.removeprefix('mailto:')})", style)

    @staticmethod
    def run(paragraph: Paragraph, text: str, style: InlineStyle):
        """A run of text in the current style."""
        run = paragraph.add_run(text)
        run.bold = bool(style.bold) or None
        run.italic = bool(style.italic) or None
        run.font.strike = bool(style.strike) or None
        return run
