"""Fixtures for review: a caucus with a person in every role, and a document to discuss."""

from __future__ import annotations

import pytest

from drafting.caucuses.models import Role
from drafting.documents import service as documents
from drafting.extensions import db
from tests.conftest import fresh

PAPER = """# Bridge document

## Preamble

Member States shall protect the rights of migrant women.

## Commitments

1. Member States shall ensure access to justice.
2. Member States shall ensure access to health care.
3. Migrant women 🌍 shall be heard.
"""


@pytest.fixture
def people(factory):
    """An owner, a rapporteur, an editor, two commenters, a viewer, and an outsider."""
    owner = factory.user(name="Amina Diallo")
    caucus = factory.caucus(owner)
    return {
        "caucus": caucus,
        "owner": owner,
        "rapporteur": factory.member(caucus, Role.RAPPORTEUR),
        "editor": factory.member(caucus, Role.EDITOR),
        "commenter": factory.member(caucus, Role.COMMENTER),
        "commenter2": factory.member(caucus, Role.COMMENTER),
        "viewer": factory.member(caucus, Role.VIEWER),
        "outsider": factory.user(),
    }


@pytest.fixture
def paper(app, people):
    """A committed document with the sample text."""
    with app.app_context():
        document = documents.create_document(
            fresh(people["caucus"]), fresh(people["owner"]), title="Bridge document", content=PAPER
        )
        db.session.commit()
        return document
