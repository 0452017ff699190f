"""`flask --app wsgi demo`: a sample caucus, people in every role, a paper with history."""

import sqlalchemy as sa

from drafting.caucuses.models import Membership
from drafting.documents.models import Document
from drafting.extensions import db


def test_demo_loads_once_and_prints_credentials(app):
    """Running it twice changes nothing the second time."""
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert "lucia@example.org" in first.output
    assert "Password for all of them" in first.output
    with app.app_context():
        roles = sorted(m.role.label for m in db.session.scalars(sa.select(Membership)))
        [paper] = db.session.scalars(sa.select(Document)).all()
    assert roles == ["commenter", "editor", "owner", "rapporteur", "viewer"]
    assert paper.head_revision == 4
    assert "ILO C189" in paper.content
