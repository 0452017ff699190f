"""Revisions: snapshots and deltas, rebuilt exactly, verified by hash."""

import random

import pytest
import sqlalchemy as sa

from drafting.documents import service
from drafting.documents import storage
from drafting.documents.models import Document
from drafting.documents.models import Revision
from drafting.extensions import db
from tests.conftest import fresh


def save(document, author, text, summary=""):
    """Save `text` on top of the head."""
    return service.save_content(
        document,
        author=author,
        base_revision=document.head_revision,
        content=text,
        summary=summary,
    )


def edit_randomly(text: str, rng: random.Random) -> str:
    """A small realistic edit: insert, delete or replace a few words."""
    words = text.split(" ")
    position = rng.randrange(len(words))
    action = rng.choice(["insert", "delete", "replace"])
    if action == "insert":
        words.insert(position, rng.choice(["migrant", "women's", "rights", "🌍", "أهلا", "ñandú"]))
    elif action == "delete" and len(words) > 5:
        del words[position]
    else:
        words[position] = rng.choice(["shall", "must", "should", "may"])
    return " ".join(words)


def test_every_revision_rebuilds_exactly(ctx, team, make_document, monkeypatch):
    """Across several snapshot intervals, each revision's text comes back byte for byte."""
    monkeypatch.setattr(storage, "SNAPSHOT_INTERVAL", 7)
    document = fresh(make_document("Member States shall protect migrant women. " * 20))
    rng = random.Random(4)
    texts = {1: document.content}
    for _step in range(40):
        outcome = save(document, fresh(team["editor"]), edit_randomly(document.content, rng))
        texts[outcome.revision] = outcome.content
    for number, text in texts.items():
        assert storage.text_at(document, number) == text


def test_snapshots_bound_the_deltas(ctx, team, make_document, monkeypatch):
    """A snapshot every SNAPSHOT_INTERVAL revisions; deltas in between."""
    monkeypatch.setattr(storage, "SNAPSHOT_INTERVAL", 5)
    document = fresh(make_document("one two three " * 50))
    for n in range(12):
        save(document, fresh(team["editor"]), document.content + f" word{n}")
    snapshots = list(
        db.session.scalars(
            sa.select(Revision.number)
            .where(Revision.document_id == document.id, Revision.snapshot.is_not(None))
            .order_by(Revision.number)
        )
    )
    assert snapshots == [1, 6, 11]
    deltas = db.session.scalar(
        sa.select(sa.func.count()).where(
            Revision.document_id == document.id, Revision.delta.is_not(None)
        )
    )
    assert deltas == 12


def test_a_huge_rewrite_gets_its_own_snapshot(ctx, team, make_document):
    """When the delta is as big as the text, store the text instead of chaining deltas."""
    document = fresh(make_document("short text " * 20))
    rng = random.Random(1)
    rewrite = " ".join(
        f"{rng.choice(['women', 'rights', 'access'])}{rng.randrange(10**6)}" for _word in range(400)
    )
    outcome = save(document, fresh(team["editor"]), rewrite)
    revision = service.get_revision(document, outcome.revision)
    assert revision.snapshot is not None


def test_nothing_changed_makes_no_revision(ctx, team, make_document):
    """Saving the same text again stores nothing."""
    document = fresh(make_document())
    outcome = save(document, fresh(team["editor"]), document.content)
    assert not outcome.created
    assert outcome.revision == 1
    assert db.session.scalar(sa.select(sa.func.count(Revision.id))) == 1


def test_revision_records_counts_and_hash(ctx, team, make_document):
    """Number, author, summary, characters added and removed, SHA-256 of the text."""
    document = fresh(make_document("Member States shall act."))
    editor = fresh(team["editor"])
    outcome = save(document, editor, "Member States must act now.", "Stronger verb")
    revision = service.get_revision(document, outcome.revision)
    assert (revision.number, revision.author_id, revision.summary) == (
        2,
        editor.id,
        "Stronger verb",
    )
    assert (revision.added, revision.removed) == (len("must") + len(" now"), len("shall"))
    assert revision.sha256 == storage.sha256_text("Member States must act now.")


def test_corruption_fails_loudly(ctx, team, make_document):
    """A rebuilt text that does not match its hash raises, never returns a wrong text."""
    preamble = "Member States shall protect the rights of migrant women. " * 40
    document = fresh(make_document(preamble + "Member States shall act."))
    save(document, fresh(team["editor"]), preamble + "Member States must act.")
    save(document, fresh(team["editor"]), preamble + "Member States must act now.")
    # A delta that still fits the text but says something else: only the hash can tell.
    db.session.execute(
        sa.update(Revision)
        .where(Revision.document_id == document.id, Revision.number == 2)
        .values(delta=storage.pack(f"={len(preamble) + 14}\t-5\t+may\t=5"))
    )
    with pytest.raises(storage.CorruptRevision):
        storage.text_at(document, 2)


def test_head_text_is_read_without_rebuilding(ctx, team, make_document):
    """The head comes from the document row when its hash matches."""
    document = fresh(make_document("Member States shall act."))
    db.session.execute(sa.update(Revision).values(snapshot=storage.pack("garbage")))
    assert storage.text_at(db.session.get(Document, document.id), 1) == "Member States shall act."


def test_emoji_and_arabic_survive_the_chain(ctx, team, make_document):
    """UTF-16 counting in deltas: characters outside the BMP and right-to-left text."""
    document = fresh(make_document("النساء المهاجرات 🌍 rights"))
    editor = fresh(team["editor"])
    save(document, editor, "النساء المهاجرات 🌍🌎 rights of women")
    save(document, editor, "🧕 النساء المهاجرات 🌎 rights of women")
    assert storage.text_at(document, 2) == "النساء المهاجرات 🌍🌎 rights of women"
    assert storage.text_at(document, 3) == "🧕 النساء المهاجرات 🌎 rights of women"
