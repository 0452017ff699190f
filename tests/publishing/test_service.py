"""Versions are frozen; endorsements name the text they endorse; hidden ones vanish."""

from __future__ import annotations

import pytest

from drafting.documents import service as documents
from drafting.errors import Conflict
from drafting.errors import Invalid
from drafting.errors import NotFound
from drafting.extensions import db
from drafting.publishing import endorsements
from drafting.publishing import printing
from drafting.publishing import versions
from drafting.publishing.models import Version
from tests.conftest import fresh

pytestmark = pytest.mark.usefixtures("engine")


def edit(document, author, text: str) -> None:
    """Save a new text over the head, as an editor would."""
    document = fresh(document)
    documents.save_content(
        document, author=fresh(author), base_revision=document.head_revision, content=text
    )
    db.session.commit()


def test_a_version_freezes_text_hashes_and_pdf(ctx, team, make_document, engine):
    """Later edits change neither the version's text, its PDF bytes nor their hashes."""
    document = make_document()
    version = versions.create_version(
        fresh(document), fresh(team["rapporteur"]), label="Round 1", final=True
    )
    db.session.commit()
    frozen = (version.content, version.sha256, version.pdf, version.pdf_sha256)
    assert version.sha256 == documents.storage.sha256_text(document.content)
    assert version.pdf_sha256 == printing.pdf_sha256(version.pdf)
    assert len(engine.requests) == 1 and engine.requests[0].status == "final"

    edit(document, team["editor"], "An entirely different text.")
    documents.update_document(fresh(document), title="Renamed", language="fr")
    db.session.commit()

    db.session.expire_all()
    again = db.session.get(Version, version.id)
    assert (again.content, again.sha256, again.pdf, again.pdf_sha256) == frozen
    assert printing.version_pdf(again) == frozen[2]
    assert len(engine.requests) == 1  # served from storage, never rendered again


def test_a_version_of_an_older_revision(ctx, team, make_document):
    """Any revision can be frozen, not only the head."""
    document = make_document("First words.")
    edit(document, team["editor"], "Second words.")
    version = versions.create_version(
        fresh(document), fresh(team["rapporteur"]), label="Old", revision=1
    )
    assert version.revision == 1
    assert version.content == "First words."


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"label": " "}, "label"),
        ({"label": "x" * 121}, "label"),
        ({"label": "R", "revision": 99}, "revision"),
    ],
)
def test_bad_versions_are_refused(ctx, team, make_document, fields, field):
    """A label is required and short; the revision must exist."""
    document = make_document()
    with pytest.raises(Invalid) as raised:
        versions.create_version(fresh(document), fresh(team["rapporteur"]), **fields)
    assert field in raised.value.fields


def test_live_edits_are_flushed_into_the_version(ctx, team, make_document):
    """Text typed live but not yet a revision is in a version of the head."""
    from drafting.documents import live

    document = fresh(make_document("Typed so far."))
    live.change_live_text(document, "Typed so far, and more.", fresh(team["editor"]))
    db.session.commit()
    version = versions.create_version(fresh(document), fresh(team["rapporteur"]), label="Now")
    assert version.content == "Typed so far, and more."
    assert version.revision == fresh(document).head_revision == 2


def test_without_the_engine_the_pdf_is_made_on_first_request(ctx, team, make_document, engine):
    """The version stands; its PDF is rendered once when first asked for, then kept."""
    engine.broken = True
    document = make_document()
    version = versions.create_version(fresh(document), fresh(team["rapporteur"]), label="R1")
    db.session.commit()
    assert version.pdf_sha256 is None
    with pytest.raises(printing.PdfUnavailable):
        printing.version_pdf(version)

    engine.broken = False
    edit(document, team["editor"], "Changed after the version was cut.")
    first = printing.version_pdf(fresh(version))
    db.session.commit()
    assert fresh(version).pdf_sha256 == printing.pdf_sha256(first)
    assert engine.requests[-1].markdown == version.content  # the frozen text, not the head
    assert printing.version_pdf(fresh(version)) == first
    assert len(engine.requests) == 1


def test_endorsement_names_the_text_hash(ctx, team, make_version):
    """A member endorses a final version on behalf of an organization."""
    version = make_version()
    endorsement = endorsements.endorse_as_member(
        fresh(version), fresh(team["viewer"]), organization="  Migrant  Voices ", country="Kenya"
    )
    assert endorsement.text_sha256 == version.sha256
    assert endorsement.organization == "Migrant Voices"
    assert endorsements.listed_endorsements(fresh(version)) == [endorsement]
    with pytest.raises(Conflict):
        endorsements.endorse_as_member(
            fresh(version), fresh(team["owner"]), organization="migrant voices"
        )


def test_draft_versions_cannot_be_endorsed(ctx, team, make_version):
    """Only final texts collect endorsements, from members or the public."""
    version = make_version(final=False)
    with pytest.raises(Conflict):
        endorsements.endorse_as_member(fresh(version), fresh(team["viewer"]), organization="X")
    with pytest.raises(Conflict):
        versions.update_sharing(fresh(version), endorsements_open=True)


def test_hidden_endorsements_vanish_from_lists_and_the_endorsed_edition(
    ctx, team, make_version, engine
):
    """Hiding spam removes it from the list and from the endorsed edition's endorsers."""
    version = fresh(make_version(public=True, endorsements_open=True))
    real = endorsements.endorse_as_member(version, fresh(team["viewer"]), organization="Real Org")
    spam = endorsements.endorse_publicly(
        version, organization="Buy Pills", country="", email="x@spam.example", confirmed=True
    )
    endorsements.set_hidden(spam, True)
    assert endorsements.listed_endorsements(version) == [real]
    printing.version_pdf(version, endorsed=True)
    assert [e.organization for e in engine.requests[-1].endorsers] == ["Real Org"]
    endorsements.set_hidden(spam, False)
    assert len(endorsements.listed_endorsements(version)) == 2


def test_public_endorsements_need_open_endorsements(ctx, make_version):
    """The public form works only while the rapporteur keeps endorsements open."""
    version = fresh(make_version(public=True))
    with pytest.raises(Conflict):
        endorsements.endorse_publicly(
            version, organization="Org", country="", email="a@example.org", confirmed=True
        )


def test_unconfirmed_public_endorsements_are_not_listed(ctx, make_version):
    """Until the mailed link is followed, nothing is listed; the token confirms it."""
    version = fresh(make_version(public=True, endorsements_open=True))
    endorsement = endorsements.endorse_publicly(
        version, organization="Org", country="Chile", email="a@example.org", confirmed=False
    )
    assert endorsements.listed_endorsements(version) == []
    token = endorsements.confirmation_token(endorsement)
    endorsements.confirm_endorsement(version, token)
    assert endorsements.listed_endorsements(version) == [endorsement]
    with pytest.raises(NotFound):
        endorsements.confirm_endorsement(version, token + "x")


def test_unpublished_versions_are_not_found_by_slug(ctx, make_version):
    """Unpublishing removes access at once; republishing revives the same link."""
    version = fresh(make_version(public=True))
    slug = version.slug
    assert len(slug) >= 20
    assert versions.published_version(slug) == version
    versions.update_sharing(version, public=False)
    with pytest.raises(NotFound):
        versions.published_version(slug)
    versions.update_sharing(version, public=True)
    assert version.slug == slug
