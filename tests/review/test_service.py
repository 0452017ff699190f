"""The review service: comments, threads, anchors that follow their passages, suggestions."""

from __future__ import annotations

import pytest

from drafting.accounts.models import User
from drafting.caucuses.models import Membership
from drafting.documents import live
from drafting.documents import service as documents
from drafting.documents.models import Document
from drafting.documents.models import LiveEdit
from drafting.documents.models import Revision
from drafting.errors import Conflict
from drafting.errors import Invalid
from drafting.errors import NotAllowed
from drafting.errors import NotFound
from drafting.extensions import db
from drafting.review import anchoring
from drafting.review import comments
from drafting.review import decisions
from drafting.review import suggestions
from drafting.review.models import Comment
from drafting.review.models import Notification
from drafting.text.anchors import Anchor

QUOTE = "rights of migrant women"


@pytest.fixture
def world(ctx, people, paper):
    """Everyone and the paper, loaded in the test's session."""
    loaded = {
        name: db.session.get(User, person.id) for name, person in people.items() if name != "caucus"
    }
    loaded["paper"] = db.session.get(Document, paper.id)
    return loaded


def save(world, old: str, new: str, who: str = "editor") -> None:
    """An editor saves the paper with one passage changed."""
    paper = world["paper"]
    documents.save_content(
        paper,
        author=world[who],
        base_revision=paper.head_revision,
        content=paper.content.replace(old, new, 1),
    )


def anchor_text(world, thread) -> str:
    """The words the thread's anchor covers now."""
    return world["paper"].content[thread.anchor.start : thread.anchor.end]


def test_a_comment_is_anchored_to_its_passage(world):
    comment = comments.add_comment(
        world["paper"], world["commenter"], "Say *which* rights.", anchor=Anchor(QUOTE)
    )
    [thread] = comments.threads_of(world["paper"])
    assert thread.root.id == comment.id
    assert anchor_text(world, thread) == QUOTE
    assert not thread.anchor.orphaned and not thread.resolved


def test_an_anchor_not_in_the_text_is_invalid(world):
    with pytest.raises(Invalid) as error:
        comments.add_comment(world["paper"], world["commenter"], "Hm", anchor=Anchor("not there"))
    assert error.value.fields == {"anchor": "not_found"}


def test_a_repeated_quote_needs_context(world):
    with pytest.raises(Invalid) as error:
        comments.add_comment(
            world["paper"], world["commenter"], "Hm", anchor=Anchor("shall ensure")
        )
    assert error.value.fields == {"anchor": "ambiguous"}
    comment = comments.add_comment(
        world["paper"],
        world["commenter"],
        "Which care?",
        anchor=Anchor("shall ensure", suffix=" access to health"),
    )
    [thread] = comments.threads_of(world["paper"])
    assert thread.root.id == comment.id
    assert world["paper"].content[thread.anchor.end :].startswith(" access to health care")


def test_sizes_are_bounded(world):
    with pytest.raises(Invalid) as error:
        comments.add_comment(world["paper"], world["commenter"], "x" * 10_001)
    assert error.value.fields == {"body": "too_long"}
    with pytest.raises(Invalid) as error:
        comments.add_comment(world["paper"], world["commenter"], "x", anchor=Anchor("y" * 2001))
    assert error.value.fields == {"anchor.quote": "too_long"}
    with pytest.raises(Invalid):
        comments.add_comment(world["paper"], world["commenter"], "   ")


def test_viewers_and_outsiders_cannot_comment(world):
    with pytest.raises(NotAllowed):
        comments.add_comment(world["paper"], world["viewer"], "Hello")
    with pytest.raises(NotFound):
        comments.add_comment(world["paper"], world["outsider"], "Hello")


def test_the_anchor_follows_its_passage_through_saves_and_live_edits(world):
    comments.add_comment(world["paper"], world["commenter"], "Which?", anchor=Anchor(QUOTE))
    save(world, "# Bridge document", "# Bridge document on migration\n\nA new opening line.")
    paper = world["paper"]
    live.change_live_text(paper, "Typed live at the top. " + paper.content, world["editor"])
    [thread] = comments.threads_of(paper)
    assert anchor_text(world, thread) == QUOTE


def stored_version(comment) -> int:
    """The live version the comment's span is stored at, read from the database."""
    return db.session.scalar(db.select(Comment.anchor_version).where(Comment.id == comment.id))


def test_caught_up_spans_are_stored_once_far_enough_behind(world):
    paper = world["paper"]
    comment = comments.add_comment(paper, world["commenter"], "Which?", anchor=Anchor(QUOTE))
    created_at = paper.live_version
    for number in range(anchoring.STORE_BEHIND):
        live.change_live_text(paper, f"Line {number}.\n" + paper.content, world["editor"])
        [thread] = comments.threads_of(paper)
        assert anchor_text(world, thread) == QUOTE
        db.session.expire_all()
        if number < anchoring.STORE_BEHIND - 1:
            assert stored_version(comment) == created_at  # a few behind: mapped in memory
    assert stored_version(comment) == paper.live_version


def test_an_edit_inside_the_passage_keeps_the_comment_on_it(world):
    comments.add_comment(world["paper"], world["commenter"], "Which?", anchor=Anchor(QUOTE))
    save(world, "rights of migrant women", "rights of all migrant women")
    [thread] = comments.threads_of(world["paper"])
    assert anchor_text(world, thread) == "rights of all migrant women"


def test_deleting_the_passage_orphans_the_comment(world):
    comments.add_comment(world["paper"], world["commenter"], "Which?", anchor=Anchor(QUOTE))
    save(world, "Member States shall protect the rights of migrant women.", "")
    [thread] = comments.threads_of(world["paper"])
    assert thread.anchor.orphaned and thread.anchor.start is None
    # Writing the same words again elsewhere does not bring it back: never moved.
    save(world, "## Commitments", "## Commitments\n\nThe rights of migrant women matter.")
    [thread] = comments.threads_of(world["paper"])
    assert thread.anchor.orphaned


def test_the_anchor_stays_on_its_occurrence_of_a_repeated_quote(world):
    comments.add_comment(
        world["paper"],
        world["commenter"],
        "Health!",
        anchor=Anchor("access", prefix="shall ensure ", suffix=" to health"),
    )
    save(
        world, "1. Member States", "0. Everyone shall have access to information.\n1. Member States"
    )
    [thread] = comments.threads_of(world["paper"])
    paper = world["paper"].content
    assert paper[thread.anchor.start : thread.anchor.end] == "access"
    assert paper[thread.anchor.end :].startswith(" to health care")


def test_positions_count_characters_and_utf16_units(world):
    comments.add_comment(world["paper"], world["commenter"], "Yes", anchor=Anchor("shall be heard"))
    save(world, "# Bridge document", "# 🌍🌍 Bridge document")
    [thread] = comments.threads_of(world["paper"])
    assert anchor_text(world, thread) == "shall be heard"
    # Three emoji before it: each is one character and two UTF-16 units.
    assert thread.anchor.utf16_start == thread.anchor.start + 3


def test_replies_notifications_and_mentions(world):
    root = comments.add_comment(
        world["paper"], world["commenter"], "Which rights?", anchor=Anchor(QUOTE)
    )
    comments.add_comment(
        world["paper"], world["editor"], "Labour rights, @amina diallo.", parent=root
    )
    reply = comments.add_comment(
        world["paper"],
        world["commenter2"],
        f"Agree. @{world['rapporteur'].email} decide?",
        parent=root,
    )
    comments.add_comment(world["paper"], world["commenter"], "Thanks all", parent=reply)
    [thread] = comments.threads_of(world["paper"])
    assert [c.author_id for c in thread.replies] == [
        world["editor"].id,
        world["commenter2"].id,
        world["commenter"].id,
    ]
    assert all(reply.parent_id == root.id for reply in thread.replies)  # one level

    def kinds(person):
        return sorted(
            n.kind
            for n in db.session.scalars(
                db.select(Notification).where(Notification.user_id == world[person].id)
            )
        )

    assert kinds("owner") == ["mention"]
    assert kinds("rapporteur") == ["mention"]
    assert kinds("commenter") == ["reply", "reply"]
    assert kinds("editor") == ["reply", "reply"]
    assert kinds("commenter2") == ["reply"]
    assert [t.root.id for t in comments.threads_of(world["paper"], mentioning=world["owner"])] == [
        root.id
    ]
    assert comments.threads_of(world["paper"], mentioning=world["viewer"]) == []


def test_an_edit_that_removes_a_mention_stops_listing_the_thread(world):
    """ "Mentioning me" follows the comment's current words, not the first draft's."""
    comment = comments.add_comment(
        world["paper"], world["commenter"], f"@{world['owner'].email} please look", anchor=None
    )
    owner = world["owner"]
    assert [t.root.id for t in comments.threads_of(world["paper"], mentioning=owner)] == [
        comment.id
    ]
    comments.edit_comment(comment, world["commenter"], "Never mind, settled.")
    assert comments.threads_of(world["paper"], mentioning=owner) == []


def test_only_the_author_edits_and_deletes(world):
    comment = comments.add_comment(world["paper"], world["commenter"], "First words")
    reply = comments.add_comment(world["paper"], world["editor"], "A reply", parent=comment)
    with pytest.raises(NotAllowed):
        comments.edit_comment(comment, world["owner"], "Not mine")
    with pytest.raises(NotAllowed):
        comments.delete_comment(comment, world["rapporteur"])
    comments.edit_comment(comment, world["commenter"], "Better words")
    assert comment.body == "Better words" and comment.edited_at is not None
    comments.delete_comment(comment, world["commenter"])
    [thread] = comments.threads_of(world["paper"])
    assert thread.root.deleted and thread.root.body == ""
    assert [r.id for r in thread.replies] == [reply.id]  # the thread stays
    with pytest.raises(Conflict):
        comments.edit_comment(comment, world["commenter"], "Back")


def test_resolving_threads(world):
    comment = comments.add_comment(world["paper"], world["commenter"], "Mine")
    other = comments.add_comment(world["paper"], world["commenter2"], "Theirs")
    comments.resolve_thread(comment, world["commenter"])  # the author, even as a commenter
    with pytest.raises(NotAllowed):
        comments.resolve_thread(other, world["commenter"])
    comments.resolve_thread(other, world["editor"], note="Done in revision 3")
    assert [t.root.id for t in comments.threads_of(world["paper"], status="resolved")] == [
        comment.id,
        other.id,
    ]
    comments.reopen_thread(comment, world["commenter"])
    assert [t.root.id for t in comments.threads_of(world["paper"], status="open")] == [comment.id]
    assert [t.root.id for t in comments.threads_of(world["paper"], author=world["commenter2"])] == [
        other.id
    ]


def test_accepting_a_suggestion_makes_a_revision_by_the_proposer(world):
    suggestion = suggestions.propose(
        world["paper"],
        world["commenter"],
        Anchor(QUOTE),
        "human rights of migrant women",
        "Stronger",
    )
    [view] = suggestions.suggestions_of(world["paper"])
    assert view.suggestion.status == "open" and not view.outdated
    number = suggestions.accept(suggestion, world["rapporteur"], note="Agreed")
    paper = world["paper"]
    assert "protect the human rights of migrant women." in paper.content
    revision = db.session.scalar(
        db.select(Revision).where(Revision.document_id == paper.id, Revision.number == number)
    )
    assert revision.author_id == world["commenter"].id
    assert suggestion.decided_by_id == world["rapporteur"].id
    assert suggestion.revision_number == number == paper.head_revision
    assert documents.text_of(paper, number) == paper.content
    notified = db.session.scalars(
        db.select(Notification).where(Notification.user_id == world["commenter"].id)
    ).all()
    assert [n.kind for n in notified] == ["decision"]
    with pytest.raises(Conflict):
        suggestions.accept(suggestion, world["rapporteur"])


def test_accept_with_edits(world):
    suggestion = suggestions.propose(
        world["paper"], world["commenter"], Anchor(QUOTE), "rights of women"
    )
    suggestions.accept(suggestion, world["rapporteur"], replacement="rights of all migrant women")
    assert "protect the rights of all migrant women." in world["paper"].content
    assert suggestion.accepted_text == "rights of all migrant women"


def test_only_rapporteurs_decide(world):
    suggestion = suggestions.propose(world["paper"], world["commenter"], Anchor(QUOTE), "x")
    with pytest.raises(NotAllowed):
        suggestions.accept(suggestion, world["editor"])
    with pytest.raises(NotAllowed):
        suggestions.reject(suggestion, world["editor"])
    with pytest.raises(NotAllowed):
        suggestions.withdraw(suggestion, world["commenter2"])
    suggestions.reject(suggestion, world["owner"], note="Too vague")
    assert suggestion.status == "rejected" and suggestion.decision_note == "Too vague"
    with pytest.raises(Conflict):
        suggestions.withdraw(suggestion, world["commenter"])


def test_an_outdated_suggestion_needs_review(world):
    suggestion = suggestions.propose(
        world["paper"], world["commenter"], Anchor(QUOTE), "rights of women"
    )
    save(world, "migrant women.", "migrant women and girls.")  # outside the passage: still fine
    assert not suggestions.suggestions_of(world["paper"])[0].outdated
    save(world, "rights of migrant women", "rights of migrant workers")
    [view] = suggestions.suggestions_of(world["paper"])
    assert view.outdated and view.current_text == "rights of migrant workers"
    with pytest.raises(Conflict) as error:
        suggestions.accept(suggestion, world["rapporteur"])
    assert error.value.extra["reason"] == "outdated"
    suggestions.accept(suggestion, world["rapporteur"], reviewed=True)
    assert "protect the rights of women and girls." in world["paper"].content


def test_an_orphaned_suggestion_cannot_be_accepted(world):
    suggestion = suggestions.propose(world["paper"], world["commenter"], Anchor(QUOTE), "rights")
    save(world, "Member States shall protect the rights of migrant women.", "Gone.")
    with pytest.raises(Conflict) as error:
        suggestions.accept(suggestion, world["rapporteur"], reviewed=True)
    assert error.value.extra["reason"] == "orphaned"


def test_decision_rows_and_csv(world):
    membership = db.session.scalar(
        db.select(Membership).where(Membership.user_id == world["commenter"].id)
    )
    membership.organization = '=HYPERLINK("http://evil")'
    first = suggestions.propose(
        world["paper"], world["commenter"], Anchor(QUOTE), "rights", "Shorter"
    )
    second = suggestions.propose(
        world["paper"], world["commenter2"], Anchor("access to justice"), "justice"
    )
    comments.add_comment(
        world["paper"], world["commenter2"], "-1 on this", anchor=Anchor("health care")
    )
    suggestions.accept(first, world["rapporteur"], note="Yes")
    suggestions.reject(second, world["rapporteur"], note="+ no")
    rows = decisions.decision_rows(world["paper"])
    assert [(row.kind, row.decision) for row in rows] == [
        ("suggestion", "accepted"),
        ("suggestion", "rejected"),
        ("comment", "open"),
    ]
    assert rows[0].organization.startswith("=HYPERLINK") and rows[0].revision
    assert [row.id for row in decisions.decision_rows(world["paper"], status="rejected")] == [
        second.id
    ]
    assert [
        row.kind for row in decisions.decision_rows(world["paper"], person=world["commenter2"])
    ] == [
        "suggestion",
        "comment",
    ]
    text = decisions.csv_of(rows)
    assert "'=HYPERLINK" in text and "'+ no" in text and "'-1 on this" in text
    assert ",=" not in text and ",+" not in text and ",-" not in text


def test_a_quote_sent_with_crlf_line_ends_is_found(world):
    comment = comments.add_comment(
        world["paper"],
        world["commenter"],
        "Both items",
        anchor=Anchor("access to justice.\r\n2. Member States"),
    )
    assert comment.anchor.quote == "access to justice.\n2. Member States"


def test_without_the_live_history_a_passage_is_found_again_only_if_unique(world):
    paper = world["paper"]
    unique = comments.add_comment(paper, world["commenter"], "One", anchor=Anchor(QUOTE))
    repeated = comments.add_comment(
        paper, world["commenter"], "Two", anchor=Anchor("shall ensure", suffix=" access to j")
    )
    copied = "Member States shall ensure access to justice.\n"
    live.change_live_text(paper, copied + paper.content, world["editor"])
    # The chain of live edits back to the comments is gone (pruned, say).
    db.session.execute(db.delete(LiveEdit).where(LiveEdit.document_id == paper.id))
    threads = {thread.root.id: thread for thread in comments.threads_of(paper)}
    assert anchor_text(world, threads[unique.id]) == QUOTE  # its quote occurs once
    # Its words now occur twice: which one it was can't be known, so it is not guessed.
    assert threads[repeated.id].anchor.orphaned
