"""With the real PDF engine: a version's PDF is printed once and served byte for byte."""

from __future__ import annotations

import hashlib

from drafting.documents import service as documents
from drafting.extensions import db
from drafting.publishing import printing
from drafting.publishing import versions
from drafting.publishing.models import Version
from tests.conftest import fresh


def test_the_real_pdf_is_kept_and_served_unchanged(ctx, team, make_document):
    """The stored bytes are a PDF whose hash is pdf_sha256; edits and renames change nothing."""
    document = make_document()
    version = versions.create_version(
        fresh(document), fresh(team["rapporteur"]), label="Round 1", final=True
    )
    db.session.commit()
    assert version.pdf.startswith(b"%PDF")
    assert hashlib.sha256(version.pdf).hexdigest() == version.pdf_sha256

    documents.save_content(
        fresh(document), author=fresh(team["editor"]), base_revision=1, content="Other words."
    )
    documents.update_document(fresh(document), title="Renamed")
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(Version, version.id)
    assert printing.version_pdf(again) == version.pdf
    assert again.pdf_sha256 == version.pdf_sha256
