"""Fixtures for publishing: a caucus with every role, a document, and a stand-in PDF engine.

The stand-in (fixture `engine`) renders deterministic bytes from the request (so "the same
bytes every time" is about storage, not about the engine) and records each request. The
real engine is tested by its own tests (tests/publishing/test_pdf*.py).
"""

from __future__ import annotations

import hashlib

import pytest

from drafting.caucuses.models import Role
from drafting.documents import service as documents
from drafting.extensions import db
from drafting.publishing import pdf
from drafting.publishing import versions
from tests.conftest import bearer
from tests.conftest import fresh

PAPER = """# Bridge document

## Preamble

Member States shall **protect** the rights of *migrant women*.

## Commitments

1. Member States shall ensure access to justice.
2. Member States shall ensure access to health care.
   - including sexual and reproductive health

| Region | Members |
|---|---|
| Africa | 12 |

> Nothing about us without us.

A footnote here.[^1]

[^1]: Source: the caucus survey.
"""


class FakeEngine:
    """Stands in for WeasyPrint: the same request always gives the same bytes."""

    def __init__(self):
        self.requests: list[pdf.PdfRequest] = []
        self.broken = False

    def render(self, request: pdf.PdfRequest) -> bytes:
        if self.broken:
            raise RuntimeError("the PDF engine crashed")
        self.requests.append(request)
        digest = hashlib.sha256(repr(request).encode()).hexdigest()
        return b"%PDF-1.7\n% fake " + digest.encode() + b"\n%%EOF\n"


@pytest.fixture
def engine(monkeypatch) -> FakeEngine:
    """The stand-in engine, installed where the service calls it. Not autouse: the engine's
    own tests live in this folder too; modules here opt in with `usefixtures("engine")`."""
    fake = FakeEngine()
    monkeypatch.setattr(pdf, "render_pdf", fake.render)
    return fake


@pytest.fixture
def team(factory):
    """An owner, a rapporteur, an editor, a commenter and a viewer of one caucus."""
    owner = factory.user(name="Amina Diallo")
    caucus = factory.caucus(owner)
    return {
        "caucus": caucus,
        "owner": owner,
        "rapporteur": factory.member(caucus, Role.RAPPORTEUR),
        "editor": factory.member(caucus, Role.EDITOR),
        "commenter": factory.member(caucus, Role.COMMENTER),
        "viewer": factory.member(caucus, Role.VIEWER),
    }


@pytest.fixture
def make_document(app, team):
    """Create a document (committed) and return it."""

    def make(content: str = PAPER, title: str = "Bridge document", language: str = "en"):
        with app.app_context():
            document = documents.create_document(
                fresh(team["caucus"]),
                fresh(team["owner"]),
                title=title,
                content=content,
                language=language,
            )
            db.session.commit()
            return document

    return make


@pytest.fixture
def make_version(app, team, make_document):
    """Cut a version of a new (or given) document as the rapporteur; returns the version."""

    def make(document=None, *, final=True, public=False, endorsements_open=False, **fields):
        document = document or make_document()
        with app.app_context():
            version = versions.create_version(
                fresh(document),
                fresh(team["rapporteur"]),
                label=fields.pop("label", "Round 1"),
                final=final,
                **fields,
            )
            if public or endorsements_open:
                versions.update_sharing(version, public=public, endorsements_open=endorsements_open)
            db.session.commit()
            return version

    return make


@pytest.fixture
def tokens(factory, team):
    """Bearer headers for each person of the team."""
    return {name: bearer(factory.token(team[name])) for name in team if name != "caucus"}


# The engine's own tests print real PDFs and touch the database only for the app's settings and
# the cache table: one backend proves them, and printing them twice would cost the suite about a
# minute. The cache and job tests, which use the database for real, run on both.
ENGINE_ONLY_MODULES = {"test_pdf.py", "test_fetcher.py", "test_sandbox.py"}


def pytest_collection_modifyitems(config, items):
    """Run the engine-only modules on SQLite alone (deselected, not skipped, on PostgreSQL)."""
    dropped = [
        item
        for item in items
        if item.path.name in ENGINE_ONLY_MODULES
        and item.path.parent.name == "publishing"
        and "[postgresql" in item.nodeid
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in set(dropped)]
