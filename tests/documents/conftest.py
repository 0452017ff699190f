"""Fixtures for documents: a caucus with people in each role and a document."""

import pytest

from drafting.caucuses.models import Role
from drafting.documents import service
from drafting.extensions import db
from tests.conftest import fresh

PAPER = """# Bridge document

## Preamble

Member States shall protect the rights of migrant women.

## Commitments

1. Member States shall ensure access to justice.
2. Member States shall ensure access to health care.

| Region | Members |
|---|---|
| Africa | 12 |

A footnote here.[^1]

[^1]: Source: the caucus survey.
"""


@pytest.fixture
def team(factory):
    """An owner, an editor and a viewer of one caucus."""
    owner = factory.user(name="Amina Diallo")
    caucus = factory.caucus(owner)
    return {
        "caucus": caucus,
        "owner": owner,
        "editor": factory.member(caucus, Role.EDITOR),
        "viewer": factory.member(caucus, Role.VIEWER),
    }


@pytest.fixture
def make_document(app, team):
    """Create a document (committed) and return it."""

    def make(content: str = PAPER, title: str = "Bridge document"):
        with app.app_context():
            document = service.create_document(
                fresh(team["caucus"]),
                fresh(team["owner"]),
                title=title,
                content=content,
            )
            db.session.commit()
            return document

    return make
