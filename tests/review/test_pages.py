"""Review pages: the reading page's panel, the comments page, decisions, notifications.

Through HTTP with the WebClient, as people use them without JavaScript: plain forms with
CSRF tokens, roles, non-members, escaping. The fixtures `people` and `paper` come from
tests/review/conftest.py.
"""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import pytest

from drafting.accounts.models import User
from drafting.caucuses.models import Membership
from drafting.documents import service as documents
from drafting.documents.models import Document
from drafting.extensions import db
from drafting.review import comments
from drafting.review import suggestions
from drafting.review.models import Comment
from drafting.review.models import Suggestion
from drafting.text.anchors import Anchor
from tests.conftest import fresh

PASSAGE = "protect the rights of migrant women"


def as_person(make_client, person):
    """A client signed in as `person`."""
    client = make_client()
    client.login(person)
    return client


def comment_on(app, document, author, body, quote=None, parent=None) -> int:
    """A committed comment, made through the service; its id."""
    with app.app_context():
        comment = comments.add_comment(
            fresh(document),
            fresh(author),
            body,
            anchor=Anchor(quote) if quote else None,
            parent=db.session.get(Comment, parent) if parent else None,
        )
        db.session.commit()
        return comment.id


def suggest(app, document, author, quote, replacement, rationale="") -> int:
    """A committed suggestion, made through the service; its id."""
    with app.app_context():
        suggestion = suggestions.propose(
            fresh(document), fresh(author), Anchor(quote), replacement, rationale
        )
        db.session.commit()
        return suggestion.id


def content_of(app, document) -> str:
    with app.app_context():
        return db.session.get(Document, document.id).content


def suggestion_status(app, suggestion_id) -> str:
    with app.app_context():
        return db.session.get(Suggestion, suggestion_id).status


def read_page(client, document) -> str:
    response = client.get(f"/documents/{document.id}")
    assert response.status_code == 200
    return response.text


# The reading page's panel.


def test_reading_page_shows_open_threads_and_suggestions_in_its_panel(
    app, make_client, people, paper
):
    """Cards carry their passage for the script, and the forms match the reader's role."""
    comment_on(app, paper, people["commenter"], "Say which rights.", quote=PASSAGE)
    suggest(app, paper, people["commenter2"], "access to justice", "access to legal aid", "Clearer")

    html = read_page(as_person(make_client, people["viewer"]), paper)
    assert 'data-testid="review-panel"' in html
    # The script marks the card's own quote (or struck words), found near data-prefix.
    assert re.search(rf'data-anchored data-prefix="[^"]*"[^>]*><blockquote[^>]*>{PASSAGE}<', html)
    assert "Say which rights." in html
    assert "<del>access to justice</del> <ins>access to legal aid</ins>" in html
    assert html.count("data-anchored") == 2
    assert "Clearer" in html
    # A viewer reads; the forms are for commenters and up, deciding for rapporteurs.
    assert "Send comment" not in html and ">Accept<" not in html
    assert 'src="/static/vendor/review.bundle.js"' in html and 'name="csrf-token"' in html

    html = read_page(as_person(make_client, people["commenter"]), paper)
    assert "Send comment" in html and "Suggest wording" in html
    assert "Accept with edits" not in html

    html = read_page(as_person(make_client, people["rapporteur"]), paper)
    assert "Accept with edits" in html and ">Reject<" in html


def test_user_text_is_escaped_everywhere_it_shows(app, make_client, people, paper):
    """A comment or suggestion with markup shows as text: in cards, attributes and tables."""
    script = "<script>alert(1)</script>"
    comment_on(app, paper, people["commenter"], f"Look {script} here")
    suggest(
        app, paper, people["commenter"], "access to justice", f'justice" onmouseover="x{script}'
    )
    client = as_person(make_client, people["rapporteur"])
    for url in (
        f"/documents/{paper.id}",
        f"/documents/{paper.id}/comments",
        f"/documents/{paper.id}/decisions",
        f"/documents/{paper.id}/edit",
    ):
        html = client.get(url).text
        assert script not in html, url
        assert 'onmouseover="x' not in html, url
    assert "Look &lt;script&gt;alert(1)&lt;/script&gt; here" in read_page(client, paper)


# Comments through plain forms.


def test_commenter_comments_on_a_passage_with_the_plain_form(make_client, people, paper):
    """The quote typed into the form anchors the comment; it shows at its card."""
    client = as_person(make_client, people["commenter"])
    response = client.submit(
        f"/documents/{paper.id}/comments",
        {
            "quote": PASSAGE,
            "body": "Which rights, @Amina Diallo?",
            "next": f"/documents/{paper.id}",
        },
    )
    assert response.status_code == 302
    assert re.search(rf"/documents/{paper.id}#thread-\d+$", response.headers["Location"])
    html = read_page(client, paper)
    assert f">{PASSAGE}</blockquote>" in html
    assert '<span class="mention">@Amina Diallo</span>' in html


def test_a_passage_not_in_the_text_is_refused_and_the_words_kept(make_client, people, paper):
    """422 with the server's message; what the person wrote is still in the form."""
    client = as_person(make_client, people["commenter"])
    response = client.submit(
        f"/documents/{paper.id}/comments",
        {"quote": "words nobody wrote", "body": "My long thought"},
    )
    assert response.status_code == 422
    assert "This passage is not in the text" in response.text
    assert "My long thought" in response.text


def test_reply_edit_and_delete_own_comment(app, make_client, people, paper):
    """A reply joins the thread; authors edit and delete their own words only."""
    thread = comment_on(app, paper, people["commenter"], "First thought", quote=PASSAGE)
    other = as_person(make_client, people["commenter2"])
    assert (
        other.submit(
            f"/documents/{paper.id}/comments", {"parent_id": str(thread), "body": "A reply"}
        ).status_code
        == 302
    )
    assert "A reply" in read_page(other, paper)

    # Someone else's comment: neither edit nor delete (403), and no buttons for it.
    edit_url = f"/documents/{paper.id}/comments/{thread}/edit"
    assert other.submit(edit_url, {"body": "Hijacked"}).status_code == 403
    assert other.submit(f"/documents/{paper.id}/comments/{thread}/delete").status_code == 403

    author = as_person(make_client, people["commenter"])
    assert author.submit(edit_url, {"body": "Second thought"}).status_code == 302
    html = read_page(author, paper)
    assert "Second thought" in html and "edited" in html
    assert author.submit(f"/documents/{paper.id}/comments/{thread}/delete").status_code == 302
    html = read_page(author, paper)
    assert "Second thought" not in html and "This comment was deleted." in html
    assert "A reply" in html  # the thread keeps its replies


def test_resolve_and_reopen(app, make_client, people, paper):
    """The author or an editor resolves; resolved threads leave the panel for the filter."""
    thread = comment_on(app, paper, people["commenter"], "Resolve me", quote=PASSAGE)
    other = as_person(make_client, people["commenter2"])
    assert other.submit(f"/documents/{paper.id}/comments/{thread}/resolve").status_code == 403

    editor = as_person(make_client, people["editor"])
    response = editor.submit(
        f"/documents/{paper.id}/comments/{thread}/resolve",
        {"next": f"/documents/{paper.id}/comments?show=resolved"},
    )
    assert response.status_code == 302
    assert "show=resolved" in response.headers["Location"]
    assert "Resolve me" not in read_page(editor, paper)
    resolved = editor.get(f"/documents/{paper.id}/comments?show=resolved").text
    assert "Resolve me" in resolved and "Reopen" in resolved

    author = as_person(make_client, people["commenter"])
    assert author.submit(f"/documents/{paper.id}/comments/{thread}/reopen").status_code == 302
    assert "Resolve me" in read_page(author, paper)


def test_comments_page_filters(app, make_client, people, paper):
    """Open, resolved and decided, mine, mentioning me."""
    mine = people["commenter"]
    comment_on(app, paper, mine, "My own thread")
    comment_on(app, paper, people["commenter2"], "Asking @" + mine.name)
    done = comment_on(app, paper, people["commenter2"], "Finished business")
    with app.app_context():
        comments.resolve_thread(db.session.get(Comment, done), fresh(people["owner"]))
        db.session.commit()
    client = as_person(make_client, mine)
    page = f"/documents/{paper.id}/comments"

    open_threads = client.get(page).text
    assert "My own thread" in open_threads and "Finished business" not in open_threads
    assert "Finished business" in client.get(page + "?show=resolved").text
    only_mine = client.get(page + "?show=mine").text
    assert "My own thread" in only_mine and "Asking" not in only_mine
    mentions = client.get(page + "?show=mentions").text
    assert "Asking" in mentions and "My own thread" not in mentions
    assert client.get(page + "?show=nonsense").status_code == 200


# Suggestions.


def test_propose_and_withdraw_with_plain_forms(app, make_client, people, paper):
    """A commenter proposes wording; only they can withdraw it."""
    client = as_person(make_client, people["commenter"])
    response = client.submit(
        f"/documents/{paper.id}/suggestions",
        {"passage": "access to justice", "replacement": "access to legal aid", "rationale": "Why"},
    )
    assert response.status_code == 302
    suggestion_id = int(response.headers["Location"].rsplit("suggestion-", 1)[1])
    withdraw = f"/documents/{paper.id}/suggestions/{suggestion_id}/withdraw"
    assert as_person(make_client, people["commenter2"]).submit(withdraw).status_code == 403
    assert client.submit(withdraw).status_code == 302
    assert suggestion_status(app, suggestion_id) == "withdrawn"


def test_viewers_cannot_comment_or_propose(make_client, people, paper):
    """The routes refuse with 403; non-members get 404."""
    viewer = as_person(make_client, people["viewer"])
    assert viewer.submit(f"/documents/{paper.id}/comments", {"body": "Hi"}).status_code == 403
    assert (
        viewer.submit(
            f"/documents/{paper.id}/suggestions", {"passage": "justice", "replacement": "x"}
        ).status_code
        == 403
    )
    outsider = as_person(make_client, people["outsider"])
    for url in ("comments", "decisions", "decisions.csv"):
        assert outsider.get(f"/documents/{paper.id}/{url}").status_code == 404
    assert outsider.submit(f"/documents/{paper.id}/comments", {"body": "Hi"}).status_code == 404


def test_an_unknown_passage_in_a_suggestion_is_refused(make_client, people, paper):
    client = as_person(make_client, people["commenter"])
    response = client.submit(
        f"/documents/{paper.id}/suggestions",
        {"passage": "not in the text", "replacement": "anything"},
    )
    assert response.status_code == 422
    assert "This passage is not in the text" in response.text
    assert "anything" in response.text


def test_rapporteur_accepts_and_everyone_sees_the_decision(app, make_client, people, paper):
    """The text changes; the proposer's card shows the decision, its note and the revision."""
    suggestion_id = suggest(app, paper, people["commenter"], "access to justice", "legal aid")
    accept = f"/documents/{paper.id}/suggestions/{suggestion_id}/accept"
    assert as_person(make_client, people["editor"]).submit(accept).status_code == 403

    rapporteur = as_person(make_client, people["rapporteur"])
    response = rapporteur.submit(accept, {"note": "Agreed by the drafting group"})
    assert response.status_code == 302
    assert "shall ensure legal aid." in content_of(app, paper)

    viewer = as_person(make_client, people["viewer"])
    decided = viewer.get(f"/documents/{paper.id}/comments?show=resolved").text
    assert "accepted" in decided and "Agreed by the drafting group" in decided
    assert re.search(rf'href="/documents/{paper.id}/revisions/\d+"', decided)


def test_accept_with_edits_and_reject_with_a_reason(app, make_client, people, paper):
    first = suggest(app, paper, people["commenter"], "access to justice", "legal aid")
    second = suggest(app, paper, people["commenter"], "access to health care", "health")
    rapporteur = as_person(make_client, people["rapporteur"])
    response = rapporteur.submit(
        f"/documents/{paper.id}/suggestions/{first}/accept",
        {"edited": "1", "replacement": "free legal aid", "note": "Tightened"},
    )
    assert response.status_code == 302
    assert "ensure free legal aid." in content_of(app, paper)
    response = rapporteur.submit(
        f"/documents/{paper.id}/suggestions/{second}/reject", {"note": "Too vague"}
    )
    assert response.status_code == 302
    assert suggestion_status(app, second) == "rejected"
    table = rapporteur.get(f"/documents/{paper.id}/decisions").text
    assert "free legal aid" in table and "Tightened" in table and "Too vague" in table


def test_an_outdated_suggestion_needs_review_before_acceptance(app, make_client, people, paper):
    """The card shows the passage as it reads now; accepting needs the 'reviewed' tick."""
    suggestion_id = suggest(app, paper, people["commenter"], "access to justice", "legal aid")
    with app.app_context():
        document = db.session.get(Document, paper.id)
        documents.save_content(
            document,
            author=db.session.get(User, people["editor"].id),
            base_revision=document.head_revision,
            content=document.content.replace("access to justice", "access to fair justice"),
        )
        db.session.commit()
    rapporteur = as_person(make_client, people["rapporteur"])
    html = read_page(rapporteur, paper)
    assert "outdated" in html
    assert "access to fair justice" in html.split('data-testid="current-passage"', 1)[1][:200]
    assert 'name="reviewed"' in html

    accept = f"/documents/{paper.id}/suggestions/{suggestion_id}/accept"
    refused = rapporteur.submit(accept, follow_redirects=True)
    assert "The passage changed since this was proposed" in refused.text
    assert suggestion_status(app, suggestion_id) == "open"

    assert rapporteur.submit(accept, {"reviewed": "y"}).status_code == 302
    assert suggestion_status(app, suggestion_id) == "accepted"
    assert "shall ensure legal aid." in content_of(app, paper)


# The decision table.


def test_decision_table_filters_and_organizations(app, make_client, people, paper):
    """Each row names the person and the organization they represent; filters narrow it."""
    proposer = people["commenter"]
    commenter = as_person(make_client, proposer)
    response = commenter.submit(
        f"/caucuses/{people['caucus'].id}/organization", {"organization": "Mujeres Migrantes"}
    )
    assert response.status_code == 302
    with app.app_context():
        organization = db.session.scalar(
            db.select(Membership.organization).where(Membership.user_id == proposer.id)
        )
    assert organization == "Mujeres Migrantes"
    first = suggest(app, paper, proposer, "access to justice", "legal aid", "Clearer")
    suggest(app, paper, people["commenter2"], "access to health care", "care")
    comment_on(app, paper, people["commenter2"], "General remark")
    rapporteur = as_person(make_client, people["rapporteur"])
    rapporteur.submit(f"/documents/{paper.id}/suggestions/{first}/reject", {"note": "No"})

    table = rapporteur.get(f"/documents/{paper.id}/decisions").text
    assert table.count("<tr data-kind=") == 3
    assert "Mujeres Migrantes" in table and "Clearer" in table
    rejected = rapporteur.get(f"/documents/{paper.id}/decisions?status=rejected").text
    assert rejected.count("<tr data-kind=") == 1
    by_person = rapporteur.get(f"/documents/{paper.id}/decisions?person={proposer.id}").text
    assert by_person.count("<tr data-kind=") == 1
    assert "Mujeres Migrantes" in rapporteur.get(f"/caucuses/{people['caucus'].id}/members").text


def test_decision_table_as_csv(app, make_client, people, paper):
    """UTF-8 with a byte-order mark, spreadsheet formulas neutralized, filters kept."""
    suggest(app, paper, people["commenter"], "access to justice", "=HYPERLINK(1)", "مبرر")
    client = as_person(make_client, people["viewer"])
    response = client.get(f"/documents/{paper.id}/decisions.csv?status=open")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    assert "'=HYPERLINK(1)" in text and "مبرر" in text


def test_decision_table_downloads_under_the_papers_own_title(app, make_client, people, paper):
    """An Arabic title names the file in Arabic (filename*), with a plain ASCII name beside it."""
    with app.app_context():
        db.session.get(Document, paper.id).title = "منصة التجمع"
        db.session.commit()
    client = as_person(make_client, people["viewer"])
    disposition = client.get(f"/documents/{paper.id}/decisions.csv").headers["Content-Disposition"]
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == "منصة-التجمع-decisions.csv"
    assert 'filename="document.csv"' in disposition  # for clients without filename*


def test_decision_table_as_pdf(app, make_client, people, paper):
    """The page's table is printed by the real PDF engine, with the proposed wording in it."""
    from pypdf import PdfReader

    suggest(app, paper, people["commenter"], "access to justice", "legal aid")
    client = as_person(make_client, people["viewer"])
    response = client.get(f"/documents/{paper.id}/decisions.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "legal aid" in text and "access to justice" in text
    assert "Bridge document" in reader.metadata.title


def test_the_decision_table_pdf_is_printed_once_until_the_table_changes(
    app, make_client, people, paper, monkeypatch
):
    """Like every PDF, the table's comes from the engine's cache while nothing changed."""
    from drafting.publishing import pdf

    printed = []
    monkeypatch.setattr(
        pdf, "render_html_pdf", lambda html, **kwargs: printed.append(html) or b"%PDF-1.7 x"
    )
    client = as_person(make_client, people["viewer"])
    url = f"/documents/{paper.id}/decisions.pdf"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    assert len(printed) == 1
    suggest(app, paper, people["commenter"], "access to justice", "legal aid")
    assert client.get(url).status_code == 200 and len(printed) == 2


# Notifications.


def test_notifications_count_list_and_mark_read(app, make_client, people, paper):
    """A reply and a decision reach the proposer; the header counts them; marking reads."""
    author = people["commenter"]
    thread = comment_on(app, paper, author, "Question", quote=PASSAGE)
    comment_on(app, paper, people["commenter2"], "An answer", parent=thread)
    suggestion_id = suggest(app, paper, author, "access to justice", "legal aid")
    as_person(make_client, people["rapporteur"]).submit(
        f"/documents/{paper.id}/suggestions/{suggestion_id}/reject", {"note": "Not now"}
    )
    client = as_person(make_client, author)
    header = client.get("/caucuses").text
    assert re.search(r'class="header-count">2<', header)

    page = client.get("/notifications").text
    assert "replied in a thread" in page and "declined your suggestion" in page
    assert "An answer" in page and "Not now" in page
    assert f"#thread-{thread}" in page and f"#suggestion-{suggestion_id}" in page
    first_id = re.search(r'name="notification_id" value="(\d+)"', page).group(1)
    assert client.submit("/notifications/read", {"notification_id": first_id}).status_code == 302
    assert re.search(r'class="header-count">1<', client.get("/caucuses").text)
    assert client.submit("/notifications/read").status_code == 302
    assert "header-count" not in client.get("/caucuses").text
    assert "Mark all as read" not in client.get("/notifications?unread=1").text


def test_notifications_need_a_sign_in(client):
    assert client.get("/notifications").status_code == 302
    assert client.post("/notifications/read").status_code in (302, 400)


# CSRF, and the live editor's list.


@pytest.mark.parametrize(
    "path",
    [
        "comments",
        "suggestions",
        "comments/{comment}/edit",
        "comments/{comment}/delete",
        "comments/{comment}/resolve",
        "suggestions/{suggestion}/accept",
        "suggestions/{suggestion}/reject",
        "suggestions/{suggestion}/withdraw",
    ],
)
def test_forms_without_a_csrf_token_are_refused(app, make_client, people, paper, path):
    comment = comment_on(app, paper, people["owner"], "Mine", quote=PASSAGE)
    suggestion = suggest(app, paper, people["owner"], "access to justice", "legal aid")
    client = as_person(make_client, people["owner"])
    url = f"/documents/{paper.id}/" + path.format(comment=comment, suggestion=suggestion)
    response = client.post(url, data={"body": "x", "passage": "justice", "replacement": "y"})
    assert response.status_code == 400
    assert "Your form expired" in response.text
    assert suggestion_status(app, suggestion) == "open"


def test_csrf_is_required_to_mark_notifications_read(make_client, people):
    client = as_person(make_client, people["commenter"])
    assert client.post("/notifications/read").status_code == 400


def test_live_editor_lists_open_comments_and_suggestions(app, make_client, people, paper):
    comment_on(app, paper, people["commenter"], "Look here", quote=PASSAGE)
    suggest(app, paper, people["commenter"], "access to justice", "legal aid")
    html = as_person(make_client, people["editor"]).get(f"/documents/{paper.id}/edit").text
    section = html.split('data-testid="live-review"', 1)[1]
    assert "Look here" in section and "legal aid" in section


def test_a_removed_member_no_longer_sees_notifications_from_that_caucus(
    app, make_client, people, paper
):
    """Their old notifications would name documents no longer theirs to see."""
    from drafting.caucuses import service as caucuses

    thread = comment_on(app, paper, people["commenter"], "Question")
    comment_on(app, paper, people["commenter2"], "Secret answer", parent=thread)
    client = as_person(make_client, people["commenter"])
    assert "Secret answer" in client.get("/notifications").text
    with app.app_context():
        caucuses.remove_member(fresh(people["caucus"]), people["commenter"].id)
        db.session.commit()
    assert "Secret answer" not in client.get("/notifications").text


def test_cards_name_the_organization_a_member_represents(app, make_client, people, paper):
    client = as_person(make_client, people["commenter"])
    client.submit(
        f"/caucuses/{people['caucus'].id}/organization", {"organization": "Red de Mujeres"}
    )
    comment_on(app, paper, people["commenter"], "From our network", quote=PASSAGE)
    html = read_page(as_person(make_client, people["viewer"]), paper)
    assert "(Red de Mujeres)" in html
    too_long = client.submit(
        f"/caucuses/{people['caucus'].id}/organization",
        {"organization": "x" * 161},
        follow_redirects=True,
    )
    assert "Red de Mujeres" in too_long.text  # unchanged, with the reason flashed


# The reading page's compact cards, and each card's own page (the no-JavaScript path).


def test_reading_page_cards_share_one_set_of_forms(app, make_client, people, paper):
    """However many cards, the page carries each form once: one-click actions are buttons of
    one shared form, the rest is copied by the script from <template>s."""
    rapporteur = as_person(make_client, people["rapporteur"])
    comment_on(app, paper, people["commenter"], "First", quote=PASSAGE)
    suggest(app, paper, people["commenter"], "access to justice", "legal aid")
    tokens_with_two = read_page(rapporteur, paper).count('name="csrf_token"')
    for number in range(5):
        comment_on(app, paper, people["commenter2"], f"More {number}", quote="access to health")
        suggest(app, paper, people["commenter2"], "Migrant women", f"Women {number}")
    html = read_page(rapporteur, paper)
    assert html.count('data-testid="thread"') == 6 and html.count('data-testid="suggestion"') == 6
    assert html.count('name="csrf_token"') == tokens_with_two
    assert html.count('id="review-action"') == 1
    for kind in ("reply", "edit", "accept", "accept-edit", "reject"):
        assert html.count(f'<template data-form="{kind}">') == 1, kind
    # A rapporteur resolves with a button of the shared form; without the script, the card
    # leads to its own page for the forms with words to write.
    thread = comment_on(app, paper, people["commenter"], "Resolve from the margin")
    html = read_page(rapporteur, paper)
    assert (
        f'form="review-action" formaction="/documents/{paper.id}/comments/{thread}/resolve"' in html
    )
    assert f'href="/documents/{paper.id}/comments/{thread}"' in html


def test_the_shared_forms_follow_the_role(make_client, people, paper):
    """Viewers get no form at all; commenters no form to decide."""
    viewer = read_page(as_person(make_client, people["viewer"]), paper)
    assert 'id="review-action"' not in viewer and "<template" not in viewer
    assert "data-can-reply" not in viewer and "data-can-decide" not in viewer
    commenter = read_page(as_person(make_client, people["commenter"]), paper)
    assert 'id="review-action"' in commenter and 'data-form="reply"' in commenter
    assert "data-can-reply" in commenter and "data-can-decide" not in commenter
    assert 'data-form="accept"' not in commenter


def test_a_threads_own_page_has_every_form(app, make_client, people, paper):
    """A thread on its page: its replies, and the forms the reader may use, coming back to it."""
    thread = comment_on(app, paper, people["commenter"], "Whose rights?", quote=PASSAGE)
    reply = comment_on(app, paper, people["commenter2"], "All of them", parent=thread)
    url = f"/documents/{paper.id}/comments/{thread}"
    author = as_person(make_client, people["commenter"])
    response = author.get(url)
    assert response.status_code == 200
    html = response.text
    assert "Whose rights?" in html and "All of them" in html
    assert f'name="parent_id" value="{thread}"' in html and "Send reply" in html
    assert f'action="/documents/{paper.id}/comments/{thread}/edit"' in html
    assert f'name="next" value="{url}"' in html
    # A reply's address shows its whole thread.
    assert "Whose rights?" in author.get(f"/documents/{paper.id}/comments/{reply}").text
    # Replying there comes back there.
    response = author.submit(
        f"/documents/{paper.id}/comments",
        {"parent_id": str(thread), "body": "Thanks", "next": url},
    )
    assert response.status_code == 302 and response.headers["Location"].startswith(url + "#")

    viewer = as_person(make_client, people["viewer"]).get(url).text
    assert (
        "Whose rights?" in viewer
        and "Send reply" not in viewer
        and "<form" not in viewer.split('data-testid="review-list"', 1)[1].split("</ol>", 1)[0]
    )


def test_a_suggestions_own_page_has_the_forms_to_decide(app, make_client, people, paper):
    suggestion_id = suggest(app, paper, people["commenter"], "access to justice", "legal aid")
    url = f"/documents/{paper.id}/suggestions/{suggestion_id}"
    html = as_person(make_client, people["rapporteur"]).get(url).text
    assert "<del>access to justice</del> <ins>legal aid</ins>" in html
    assert "Accept with these edits" in html and ">Reject<" in html
    assert f'action="/documents/{paper.id}/suggestions/{suggestion_id}/accept"' in html
    commenter = as_person(make_client, people["commenter2"]).get(url).text
    assert "legal aid" in commenter and "Accept with these edits" not in commenter
    proposer = as_person(make_client, people["commenter"]).get(url).text
    assert f"/suggestions/{suggestion_id}/withdraw" in proposer


def test_a_cards_page_is_for_members_of_that_documents_caucus(
    app, factory, make_client, people, paper
):
    """Non-members get 404; so does a comment or suggestion of another document."""
    thread = comment_on(app, paper, people["commenter"], "Members only")
    suggestion_id = suggest(app, paper, people["commenter"], "access to justice", "legal aid")
    outsider = as_person(make_client, people["outsider"])
    assert outsider.get(f"/documents/{paper.id}/comments/{thread}").status_code == 404
    assert outsider.get(f"/documents/{paper.id}/suggestions/{suggestion_id}").status_code == 404
    with app.app_context():
        other = documents.create_document(
            fresh(people["caucus"]), fresh(people["owner"]), title="Other", content="Other words"
        )
        db.session.commit()
        other_id = other.id
    owner = as_person(make_client, people["owner"])
    assert owner.get(f"/documents/{other_id}/comments/{thread}").status_code == 404
    assert owner.get(f"/documents/{other_id}/suggestions/{suggestion_id}").status_code == 404
    assert make_client().get(f"/documents/{paper.id}/comments/{thread}").status_code == 302


def test_the_comments_page_shows_fifty_cards_at_a_time(app, make_client, people, paper):
    """Each card there carries its forms, so the page is paged; the filter stays in the links."""
    with app.app_context():
        document, author = fresh(paper), fresh(people["commenter"])
        for number in range(53):
            comments.add_comment(document, author, f"Remark number {number}")
        db.session.commit()
    client = as_person(make_client, people["commenter"])
    first = client.get(f"/documents/{paper.id}/comments").text
    assert first.count('data-testid="thread"') == 50
    assert f'href="/documents/{paper.id}/comments?show=open&amp;page=2"' in first
    assert "Page 1 of 2 (53 in all)" in first
    second = client.get(f"/documents/{paper.id}/comments?page=2").text
    assert second.count('data-testid="thread"') == 3 and 'rel="prev"' in second
    assert f'name="next" value="/documents/{paper.id}/comments?show=open&amp;page=2"' in second
    assert (
        client.get(f"/documents/{paper.id}/comments?page=99").text.count('data-testid="thread"')
        == 3
    )
    assert client.get(f"/documents/{paper.id}/comments?page=x").status_code == 200
