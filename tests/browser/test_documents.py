"""In a real browser: writing a paper, its history, comparing, authorship, restoring, conflicts."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask
from playwright.sync_api import Dialog
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from drafting.accounts import service as accounts
from drafting.caucuses import service as caucuses
from drafting.caucuses.models import Role
from drafting.extensions import db
from tests.browser.test_accounts_and_caucuses import assert_fits_width
from tests.browser.test_accounts_and_caucuses import flash
from tests.browser.test_accounts_and_caucuses import screenshot
from tests.browser.test_accounts_and_caucuses import sign_in

OWNER = "Nadia Rahman"
EDITOR = "João Pereira"
RAPPORTEUR = "Mei Lin"

# What the owner first writes: headings for the contents, a table, a footnote.
POSITION_PAPER = """\
# Position on labour migration

## Preamble

The caucus recalls the Global Compact for Safe, Orderly and Regular Migration and the
commitments States made in it.

## Recommendations

States should guarantee access to justice for all migrant workers.

States should ensure that recruitment fees are never charged to workers.[^fees]

| Region   | Ratifications | Target |
| -------- | ------------: | -----: |
| Africa   |            12 |     20 |
| Americas |             9 |     15 |

## Follow-up

The rapporteur will report to the plenary in June.

[^fees]: As set out in ILO Convention No. 181, Article 7.
"""
EDITOR_CLAUSE = ", whatever their migration status"


# People, caucuses and documents.


def make_caucus(live_app: Flask, name: str, people: dict[str, Role]) -> int:
    """A caucus whose first person (an owner) created it and added the others; returns its id.

    Straight in the live database: signing up and inviting are the other test module's subject.
    """
    with live_app.app_context():
        emails = iter(people)
        caucus = caucuses.create_caucus(accounts.user_by_email(next(emails)), name=name)
        for email in emails:
            caucuses.add_member(caucus, accounts.user_by_email(email), people[email])
        db.session.commit()
        return caucus.id


def user_id(live_app: Flask, email: str) -> int:
    """The id the pages use for a person (in data-author and the history's author filter)."""
    with live_app.app_context():
        return accounts.user_by_email(email).id


def create_document(page: Page, caucus_id: int, title: str, text: str) -> str:
    """Start a document from the caucus dashboard's “New document” form; returns its URL."""
    page.goto(f"/caucuses/{caucus_id}")
    page.get_by_role("link", name="New document").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Text (Markdown)").fill(text)
    page.get_by_role("button", name="Create document").click()
    # The page's own h1 is the title (the text may hold h1 headings of its own).
    expect(page.locator("main > h1")).to_have_text(title)
    return re.sub(r"[?#].*$", "", page.url)


def open_editor(page: Page, document_url: str) -> Locator:
    """Open the plain edit page (the one without live editing); returns its text area."""
    page.goto(document_url + "/edit?plain=1")
    return page.get_by_label("Text (Markdown)")


def save(page: Page, summary: str) -> None:
    """Save the edit page with a note for the rapporteur."""
    page.get_by_label("What did you change?").fill(summary)
    page.get_by_role("button", name="Save").click()


def edit(page: Page, document_url: str, old: str, new: str, summary: str) -> None:
    """Replace `old` by `new` in the text through the edit page, and save it."""
    text = open_editor(page, document_url)
    text.fill(text.input_value().replace(old, new, 1))
    save(page, summary)
    expect(flash(page)).to_contain_text("Saved as revision")


# Parts of the document pages.


def document_tab(page: Page, name: str) -> Locator:
    """A tab of the document's navigation (Read, Edit, History, Compare, Who wrote what)."""
    return page.get_by_role("navigation", name="Document").get_by_role("link", name=name)


def body(page: Page) -> Locator:
    """The typeset text on the reading page."""
    return page.get_by_test_id("document-body")


def revisions(page: Page) -> Locator:
    """The history's revisions, as listed (newest first)."""
    return page.get_by_test_id("revisions").locator("li.revision")


def recording_dialogs(page: Page) -> list[str]:
    """Dismiss every dialog the page opens, remembering its message."""
    messages: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        messages.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return messages


def test_rapporteur_reviews_history_compares_sees_authors_and_restores(
    new_page: Callable[..., Page], make_account, live_app: Flask, console
):
    """The rapporteur's review: history, filter, compare, who wrote what, then restore."""
    make_account("nadia@example.org", OWNER)
    make_account("joao@example.org", EDITOR)
    make_account("mei@example.org", RAPPORTEUR)
    caucus_id = make_caucus(
        live_app,
        "Migrant Workers Caucus",
        {
            "nadia@example.org": Role.OWNER,
            "joao@example.org": Role.EDITOR,
            "mei@example.org": Role.RAPPORTEUR,
        },
    )
    editor_id = user_id(live_app, "joao@example.org")

    # The owner writes the first draft; the reading page typesets it with its contents.
    owner = new_page()
    sign_in(owner, "nadia@example.org")
    document_url = create_document(owner, caucus_id, "Labour migration", POSITION_PAPER)
    expect(body(owner).locator("table td")).to_have_text(
        ["Africa", "12", "20", "Americas", "9", "15"]
    )
    expect(body(owner).locator("section.footnotes")).to_contain_text("ILO Convention No. 181")
    expect(owner.get_by_role("navigation", name="Contents").get_by_role("link")).to_have_text(
        ["Position on labour migration", "Preamble", "Recommendations", "Follow-up"]
    )
    screenshot(owner, "document.png")

    # The editor, in another browser, changes it twice, each time saying why.
    editor = new_page()
    sign_in(editor, "joao@example.org")
    edit(
        editor,
        document_url,
        "for all migrant workers.",
        f"for all migrant workers{EDITOR_CLAUSE}.",
        "Access to justice regardless of status",
    )
    edit(editor, document_url, "in June", "in September", "Report in September")

    # The rapporteur opens the history: newest first, who made each revision and why.
    rapporteur = new_page()
    sign_in(rapporteur, "mei@example.org")
    rapporteur.goto(document_url)
    document_tab(rapporteur, "History").click()
    expect(revisions(rapporteur).locator(".revision-number")).to_have_text(["#3", "#2", "#1"])
    expect(revisions(rapporteur).locator(".person")).to_have_text([EDITOR, EDITOR, OWNER])
    expect(revisions(rapporteur).locator(".summary")).to_have_text(
        ["Report in September", "Access to justice regardless of status", "Created"]
    )

    # Narrowed to the editor, only the editor's two revisions remain.
    rapporteur.get_by_label("Author").select_option(label=EDITOR)
    rapporteur.get_by_role("button", name="Filter").click()
    expect(rapporteur).to_have_url(re.compile(rf"author={editor_id}"))
    expect(revisions(rapporteur).locator(".revision-number")).to_have_text(["#3", "#2"])
    expect(revisions(rapporteur).locator(".person")).to_have_text([EDITOR, EDITOR])

    # She compares the first draft with the current text: insertions and deletions are marked.
    compare_form = rapporteur.get_by_role("form", name="Compare two revisions")
    compare_form.get_by_label("Compare revision").fill("1")
    compare_form.get_by_label("with revision").fill("3")
    compare_form.get_by_role("button", name="Compare").click()
    # (No exact count of changes here: revision 1 suffers the line-ending bug pinned below.)
    expect(rapporteur.get_by_test_id("compare-summary")).to_contain_text("Revision 1 → 3:")
    diff = rapporteur.get_by_test_id("diff")
    expect(diff.locator("ins").filter(has_text=EDITOR_CLAUSE)).to_have_count(1)
    expect(diff.locator("ins").filter(has_text="September")).to_have_count(1)
    expect(diff.locator("del").filter(has_text="June")).to_have_count(1)
    screenshot(rapporteur, "compare.png")

    # The list of changes leads to each change on the page.
    changes = rapporteur.get_by_role("navigation", name="Changes").get_by_role("link")
    changes.first.click()
    expect(rapporteur).to_have_url(re.compile(r"#change-1$"))
    expect(rapporteur.locator("#change-1")).to_be_in_viewport()
    expect(rapporteur.locator("#change-1")).to_contain_text("migration status")

    # Side by side: the old words on the left, the new on the right.
    rapporteur.get_by_label("View").select_option(label="Side by side")
    rapporteur.get_by_role("form", name="Revisions to compare").get_by_role(
        "button", name="Compare"
    ).click()
    expect(rapporteur).to_have_url(re.compile(r"view=side"))
    expect(diff.locator(".old del").filter(has_text="June")).to_have_count(1)
    expect(diff.locator(".new ins").filter(has_text="September")).to_have_count(1)
    expect(diff.locator(".old ins, .new del")).to_have_count(0)

    # Who wrote what: the editor's clause is credited to the editor.
    document_tab(rapporteur, "Who wrote what").click()
    clause = rapporteur.get_by_test_id("authorship").locator("span", has_text="migration status")
    expect(clause).to_have_attribute("data-author", str(editor_id))
    expect(clause).to_have_attribute("title", re.compile(rf"^{EDITOR} · #2$"))
    legend = rapporteur.get_by_test_id("authorship-legend").locator("li")
    expect(legend).to_have_text(
        [re.compile(rf"{OWNER}\s+\d+ characters"), re.compile(rf"{EDITOR}\s+\d+ characters")]
    )
    screenshot(rapporteur, "authorship.png")

    # She restores the first draft from its revision page, confirming the question.
    document_tab(rapporteur, "History").click()
    rapporteur.get_by_role("link", name="#1", exact=True).click()
    expect(rapporteur.get_by_role("heading", name="Revision 1")).to_be_visible()
    questions: list[str] = []
    rapporteur.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    rapporteur.get_by_role("button", name="Restore this revision").click()
    expect(flash(rapporteur)).to_contain_text("Revision 1 restored as revision 4.")
    assert questions == [
        "Make revision 1 the current text? Nothing is lost: the current text stays in the history."
    ]

    # The new head says where it came from; nothing was rewritten.
    head = revisions(rapporteur).first
    expect(head.locator(".revision-number")).to_have_text("#4")
    expect(head.locator(".person")).to_have_text(RAPPORTEUR)
    expect(head.locator(".badge")).to_have_text("restored #1")
    expect(revisions(rapporteur)).to_have_count(4)
    screenshot(rapporteur, "history.png")

    # The reading page shows the first draft again.
    document_tab(rapporteur, "Read").click()
    expect(body(rapporteur)).to_contain_text("The rapporteur will report to the plenary in June.")
    expect(body(rapporteur)).not_to_contain_text("migration status")

    assert console.problems == []


def test_conflicting_saves_keep_the_second_editors_text(
    new_page: Callable[..., Page], make_account, live_app: Flask, console
):
    """Two editors change the same sentence: the second is shown the clash and keeps her words."""
    make_account("kwame@example.org", "Kwame Asante")
    make_account("ines@example.org", "Inés Morales")
    make_account("omar@example.org", "Omar Farouk")
    caucus_id = make_caucus(
        live_app,
        "Climate Finance Caucus",
        {
            "kwame@example.org": Role.OWNER,
            "ines@example.org": Role.EDITOR,
            "omar@example.org": Role.EDITOR,
        },
    )
    first, second = new_page(), new_page()
    sign_in(first, "omar@example.org")
    sign_in(second, "ines@example.org")
    sentence = "Adaptation finance should double by 2025."
    document_url = create_document(
        second, caucus_id, "Adaptation finance", f"# Ask\n\n{sentence}\n"
    )

    # Both open the editor on revision 1.
    first_text = open_editor(first, document_url)
    second_text = open_editor(second, document_url)
    expect(second_text).to_have_value(re.compile(re.escape(sentence)))

    # The first moves the deadline and saves.
    first_text.fill(first_text.input_value().replace("by 2025", "by 2030"))
    save(first, "Deadline 2030")
    expect(flash(first)).to_contain_text("Saved as revision 2.")

    # The second, still on revision 1, moves it elsewhere: a conflict, answered 409.
    mine = second_text.input_value().replace("by 2025", "by 2027")
    second_text.fill(mine)
    console.expect_status(document_url + "/edit", 409)
    with second.expect_navigation() as navigation:
        save(second, "Deadline 2027")
    assert navigation.value is not None and navigation.value.status == 409
    expect(flash(second)).to_contain_text("Someone changed the same passages since you started.")

    # The conflict panel shows both versions. The editor now holds the current text with
    # every change of hers that did not clash, ready to adjust; her whole text is kept.
    panel = second.get_by_role("region", name="Passages changed by you and by someone else")
    expect(panel.locator(".conflict")).to_have_text(
        [re.compile(r"Yours:\s*2027\s*Now in the document:\s*2030")]
    )
    expect(second_text).to_have_value(re.compile("by 2030"))
    notice = second.get_by_role("status").filter(has_text="could not be saved")
    expect(notice).to_have_text(re.compile(r"could not be saved \(from revision 1\)"))
    second.get_by_role("link", name="See your kept text").click()
    expect(second.get_by_role("heading", level=1)).to_have_text("Your kept text")
    expect(second.get_by_test_id("kept-text")).to_have_value(mine)

    # She puts her wording back into the current text and saves: it goes through now.
    open_editor(second, document_url)
    current = second_text.input_value()
    second_text.fill(current.replace("by 2030", "by 2027"))
    second.get_by_role("button", name="Save").click()
    expect(flash(second)).to_contain_text("Saved as revision 3.")

    assert console.problems == []


def test_reading_page_renders_markdown_safely_with_working_contents(
    new_page: Callable[..., Page], make_account, live_app: Flask, console
):
    """Tables and footnotes render; script and javascript: links do nothing; contents jump."""
    make_account("priya@example.org", "Priya Natarajan")
    caucus_id = make_caucus(live_app, "Gender Equality Caucus", {"priya@example.org": Role.OWNER})
    # Long enough that the last heading starts below the first screen.
    filler = "\n\n".join(
        f"Paragraph {n}: States should collect data disaggregated by sex, age and migration "
        "status, and publish it every year so that civil society can follow progress."
        for n in range(1, 13)
    )
    text = f"""\
# Hostile content

## Table

| Indicator | 2020 | 2024 |
| --- | ---: | ---: |
| Shelters  | 4    | 11   |

Raw markup stays text: <script>alert("script")</script> <img src=x onerror="alert('img')">

A [harmless-looking link](javascript:alert('link')) and a footnote.[^source]

## Evidence

{filler}

## Conclusions

Nothing here may run.

[^source]: Caucus survey of 2024.
"""
    page = new_page()
    dialogs = recording_dialogs(page)
    sign_in(page, "priya@example.org")
    document_url = create_document(page, caucus_id, "Safety check", text)

    # The table and the footnote are typeset.
    expect(body(page).locator("table th")).to_have_text(["Indicator", "2020", "2024"])
    expect(body(page).locator("table td")).to_have_text(["Shelters", "4", "11"])
    footnote_ref = body(page).locator("sup.footnote-ref a")
    expect(footnote_ref).to_have_attribute("href", "#fn:1")
    expect(body(page).locator("section.footnotes")).to_contain_text("Caucus survey of 2024.")

    # Markup written in the text is shown as text, not obeyed.
    expect(body(page)).to_contain_text('<script>alert("script")</script>')
    expect(body(page)).to_contain_text("<img src=x onerror=")
    expect(body(page).locator("script, img, [onerror]")).to_have_count(0)
    # No link in the text may run script: only web and mail addresses survive (the footnote
    # links resolve to this page's address), so the javascript: one is left as plain text.
    hrefs = body(page).locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    assert hrefs and all(urlsplit(href).scheme in {"http", "https", "mailto"} for href in hrefs)
    expect(body(page).get_by_text("harmless-looking link")).to_be_visible()

    # The contents jump to their headings, and the footnote number to its note.
    conclusions = body(page).get_by_role("heading", name="Conclusions")
    expect(conclusions).not_to_be_in_viewport()
    page.get_by_role("navigation", name="Contents").get_by_role("link", name="Conclusions").click()
    expect(page).to_have_url(re.compile(r"#conclusions$"))
    expect(conclusions).to_be_in_viewport()
    footnote_ref.click()
    expect(page).to_have_url(re.compile(r"#fn:1$"))
    expect(body(page).locator("li[id='fn:1']")).to_be_in_viewport()

    # On a phone this page, table included, and the other document pages fit the screen.
    phone = new_page(phone=True)
    sign_in(phone, "priya@example.org")
    for path in ("", "/edit", "/history", "/revisions/1", "/compare?from=1&to=1", "/authorship"):
        phone.goto(document_url + path)
        expect(phone.get_by_role("navigation", name="Document")).to_be_visible()
        assert_fits_width(phone)

    assert dialogs == []
    assert console.problems == []


def test_saving_a_new_document_unchanged_makes_no_revision(page: Page, make_account, live_app):
    """Opening a document just made in the “New document” form and saving it changes nothing."""
    make_account("zara@example.org", "Zara Okafor")
    caucus_id = make_caucus(live_app, "Housing Rights Caucus", {"zara@example.org": Role.OWNER})
    sign_in(page, "zara@example.org")
    document_url = create_document(page, caucus_id, "Housing", "# Housing\n\nA right for all.\n")

    # Browsers send a textarea's lines ending in CRLF; the edit form stores LF, the new form
    # stores them as sent. So this empty save would rewrite every line ending as revision 2,
    # and every later comparison with revision 1 would show the whole text as one change.
    open_editor(page, document_url)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(document_url)  # saved or not, the reading page is next
    expect(flash(page)).to_have_text("Nothing changed, so no revision was made.", timeout=1_000)
