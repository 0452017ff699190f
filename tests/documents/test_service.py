"""Saving (with merges and conflicts), limits, restore, history, compare, authorship."""

import pytest
import sqlalchemy as sa

from drafting.documents import service
from drafting.documents.models import KeptText
from drafting.documents.models import Revision
from drafting.errors import Conflict
from drafting.errors import Invalid
from drafting.errors import TooLarge
from drafting.extensions import db
from tests.conftest import fresh

BASE = (
    "## Access to justice\n\nMember States shall ensure access to justice.\n\n"
    "## Health\n\nMember States shall ensure access to health care.\n"
)


@pytest.fixture
def doc(ctx, make_document):
    """A document in the test's session."""
    return fresh(make_document(BASE))


def people(team):
    """The team's people in the test's session."""
    return {role: fresh(person) for role, person in team.items() if role != "caucus"}


def test_stale_save_merges_changes_in_other_places(doc, team):
    """Two people saved from revision 1, in different sections: both changes are kept."""
    members = people(team)
    first = BASE.replace("to justice", "to justice and legal aid")
    second = BASE.replace("health care", "health care, including sexual and reproductive health")
    service.save_content(doc, author=members["owner"], base_revision=1, content=first)
    outcome = service.save_content(doc, author=members["editor"], base_revision=1, content=second)
    assert outcome.merged
    assert "justice and legal aid" in outcome.content
    assert "including sexual and reproductive health" in outcome.content
    assert outcome.revision == 3


def test_same_passage_changed_twice_is_a_conflict_and_the_text_is_kept(doc, team):
    """Nothing is saved, the conflict names the passage, the author's text is kept."""
    members = people(team)
    service.save_content(
        doc,
        author=members["owner"],
        base_revision=1,
        content=BASE.replace("shall ensure access to justice", "must guarantee access to justice"),
    )
    mine = BASE.replace("shall ensure access to justice", "should promote access to justice")
    with pytest.raises(Conflict) as raised:
        service.save_content(doc, author=members["editor"], base_revision=1, content=mine)
    assert raised.value.extra["head_revision"] == 2
    conflicts = raised.value.extra["conflicts"]
    assert "promote" in " ".join(c["yours"] for c in conflicts)
    assert "guarantee" in " ".join(c["theirs"] for c in conflicts)
    kept = service.kept_text(doc, members["editor"])
    assert kept.content == mine
    assert kept.base_revision == 1
    assert doc.head_revision == 2


def test_a_later_save_forgets_the_kept_text(doc, team):
    """Once the author saved again, the kept copy goes away."""
    members = people(team)
    service.keep_text(doc, members["editor"], 1, "old attempt")
    service.save_content(doc, author=members["editor"], base_revision=1, content=BASE + "More.\n")
    assert db.session.scalar(sa.select(sa.func.count(KeptText.id))) == 0


def test_the_body_limit_is_2_mb(doc, team):
    """Over 2 MB: TooLarge (413); the document is unharmed."""
    members = people(team)
    with pytest.raises(TooLarge):
        service.save_content(
            doc, author=members["editor"], base_revision=1, content="é" * (1024 * 1024 + 1)
        )
    assert doc.content == BASE


def test_summary_and_base_revision_are_checked(doc, team):
    """A summary over 500 characters or an unknown base revision: Invalid (422)."""
    members = people(team)
    with pytest.raises(Invalid):
        service.save_content(
            doc, author=members["editor"], base_revision=1, content="x", summary="s" * 501
        )
    for base in (0, 2, -1):
        with pytest.raises(Invalid):
            service.save_content(doc, author=members["editor"], base_revision=base, content="x")


def test_archived_documents_take_no_saves(doc, team):
    """Archiving makes a document read-only."""
    members = people(team)
    service.update_document(doc, archived=True)
    with pytest.raises(Conflict):
        service.save_content(doc, author=members["editor"], base_revision=1, content="x")


def test_restore_makes_a_new_head_and_keeps_history(doc, team):
    """Restoring revision 1 appends a revision equal to it; nothing is rewritten."""
    members = people(team)
    service.save_content(doc, author=members["editor"], base_revision=1, content="Gone.\n")
    outcome = service.restore(doc, 1, actor=members["owner"])
    assert outcome.revision == 3
    assert outcome.content == BASE
    assert service.text_of(doc, 2) == "Gone.\n"
    restored = service.get_revision(doc, 3)
    assert restored.restored_from == 1
    assert restored.author_id == members["owner"].id


def test_history_pages_and_filters(doc, team):
    """Newest first, keyset paging, by author."""
    members = people(team)
    text = BASE
    for n in range(6):
        text += f"Line {n}.\n"
        author = members["editor"] if n % 2 else members["owner"]
        service.save_content(doc, author=author, base_revision=doc.head_revision, content=text)
    first_page = service.history(doc, filters=service.HistoryFilter(), limit=3)
    assert [r.number for r in first_page] == [7, 6, 5]
    second_page = service.history(doc, filters=service.HistoryFilter(), before=5, limit=3)
    assert [r.number for r in second_page] == [4, 3, 2]
    by_editor = service.history(doc, filters=service.HistoryFilter(author_id=members["editor"].id))
    assert [r.number for r in by_editor] == [7, 5, 3]


def test_compare_any_two_revisions(doc, team):
    """The diff between revisions 1 and 3 turns 1 into 3 exactly."""
    members = people(team)
    second = BASE.replace("justice", "justice and remedy")
    third = second.replace("Health", "Health and care")
    service.save_content(doc, author=members["editor"], base_revision=1, content=second)
    service.save_content(doc, author=members["editor"], base_revision=2, content=third)
    diffs, new_text = service.compare_texts(doc, 1, 3)
    assert "".join(t for op, t in diffs if op != 1) == BASE
    assert "".join(t for op, t in diffs if op != -1) == third == new_text
    assert (1, " and remedy") in diffs


def test_authorship_credits_each_passage(doc, team):
    """Words added by the editor are the editor's; the rest stays the owner's."""
    members = people(team)
    changed = BASE.replace("legal", "").replace("justice.", "justice and legal aid.")
    service.save_content(doc, author=members["editor"], base_revision=1, content=changed)
    state = service.authorship_at(doc, 2)
    pieces = {text: author for text, author, _revision in state.segments(changed)}
    assert pieces[" and legal aid"] == members["editor"].id
    counts = state.counts()
    assert counts[members["editor"].id] == len(" and legal aid")
    assert counts[members["owner"].id] == len(BASE)


def test_authorship_is_cached_and_resumed(doc, team, monkeypatch):
    """Replays resume from the newest cached state."""
    members = people(team)
    monkeypatch.setattr(service, "AUTHORSHIP_CACHE_EVERY", 2)
    text = BASE
    for n in range(5):
        text += f"Point {n}.\n"
        service.save_content(
            doc, author=members["editor"], base_revision=doc.head_revision, content=text
        )
    full = service.authorship_at(doc, 6)
    from drafting.documents.models import AuthorshipCache

    cached = sorted(db.session.scalars(sa.select(AuthorshipCache.revision)))
    assert cached == [2, 4, 6]
    assert service.authorship_at(doc, 6).runs() == full.runs()


def test_unknown_revision_numbers_are_not_found(doc):
    """Asking for revision 0 or beyond the head is NotFound (404), not a crash."""
    from drafting.errors import NotFound

    for number in (0, 2, 10**9):
        with pytest.raises(NotFound):
            service.text_of(doc, number)


def test_documents_of_lists_active_and_archived_apart(ctx, team, make_document):
    """The dashboard shows active documents; archived ones are listed apart."""
    active = make_document(title="Active")
    archived = fresh(make_document(title="Old"))
    service.update_document(archived, archived=True)
    caucus = fresh(team["caucus"])
    assert [d.id for d in service.documents_of(caucus)] == [active.id]
    assert [d.id for d in service.documents_of(caucus, archived=True)] == [archived.id]
    assert db.session.scalar(sa.select(sa.func.count(Revision.id))) == 2


def test_windows_line_endings_become_lf(doc, team):
    """A textarea sends CRLF: saving the same text again is no change at all."""
    members = people(team)
    outcome = service.save_content(
        doc, author=members["editor"], base_revision=1, content=BASE.replace("\n", "\r\n")
    )
    assert not outcome.created
    assert doc.content == BASE


def test_compare_rows_are_paragraphs(doc, team):
    """A paragraph of several lines is one row; unchanged paragraphs fold."""
    from drafting.documents.compare import Fold
    from drafting.documents.compare import compare

    members = people(team)
    longer = BASE + "\n".join(f"Line {n} of a long list." for n in range(6)) + "\n\nEnd.\n"
    service.save_content(doc, author=members["editor"], base_revision=1, content=longer)
    changed = longer.replace("Line 3 of", "Line three of")
    service.save_content(doc, author=members["editor"], base_revision=2, content=changed)
    diffs, new_text = service.compare_texts(doc, 2, 3)
    comparison = compare(diffs, new_text)
    [change] = comparison.changes
    assert "Line 0 of a long list." in "".join(t for _op, t in change.pieces)
    assert isinstance(comparison.blocks[0], Fold)
