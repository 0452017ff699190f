"""`flask --app wsgi demo`: a sample caucus with people in every role, to try Drafting."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from drafting.accounts import service as accounts
from drafting.accounts.models import User
from drafting.caucuses import service as caucuses
from drafting.caucuses.models import Caucus
from drafting.caucuses.models import Role
from drafting.documents import service as documents
from drafting.extensions import db

DEMO_PASSWORD = "drafting-demo-2026"  # noqa: S105  (demo data, printed on purpose)
DEMO_CAUCUS = "Women in Migration Caucus"
DEMO_PEOPLE = [
    ("amina@example.org", "Amina Diallo", Role.OWNER, "Migrant Women's Network West Africa"),
    ("lucia@example.org", "Lucía Fernández", Role.RAPPORTEUR, "Red de Mujeres Migrantes"),
    ("sophie@example.org", "Sophie Martin", Role.EDITOR, "Collectif Femmes Migrantes"),
    ("layla@example.org", "Layla Haddad", Role.COMMENTER, "Arab Women's Mobility Forum"),
    ("grace@example.org", "Grace Mwangi", Role.VIEWER, "East African Domestic Workers"),
]


def demo_user(email: str, name: str) -> User:
    """The demo person with this email, created if missing."""
    user = accounts.user_by_email(email)
    return user or accounts.create_user(email, name=name, password=DEMO_PASSWORD)


SAMPLE_PAPER = Path(__file__).parent / "documents" / "samples" / "bridge_document.md"


def add_sample_paper(caucus, people) -> None:
    """The sample position paper, with a few revisions by different people (once)."""
    if documents.documents_of(caucus):
        return
    owner, rapporteur, editor = people[0][0], people[1][0], people[2][0]
    text = SAMPLE_PAPER.read_text()
    paper = documents.create_document(caucus, owner, title="Bridge document", content=text)
    edits = [
        (
            editor,
            "regardless of status.",
            "regardless of status, and without fear of deportation.",
            "Firewall between services and immigration enforcement",
        ),
        (
            rapporteur,
            "Member States shall recognise",
            "Member States shall ratify ILO C189 and recognise",
            "Name the convention",
        ),
        (
            editor,
            "## 4. Voices",
            "## 4. Monitoring\n\nThe caucus will report on progress every year.\n\n## 5. Voices",
            "Add a monitoring section",
        ),
    ]
    for author, old, new, summary in edits:
        text = text.replace(old, new)
        documents.save_content(
            paper, author=author, base_revision=paper.head_revision, content=text, summary=summary
        )


def add_sample_review(caucus, people) -> None:
    """A few comments and suggestions on the sample paper, one of them declined (once)."""
    from drafting.review import comments
    from drafting.review import suggestions
    from drafting.review.models import Comment
    from drafting.text.anchors import Anchor

    paper = next(iter(documents.documents_of(caucus)), None)
    if paper is None or db.session.scalar(
        sa.select(Comment.id).where(Comment.document_id == paper.id).limit(1)
    ):
        return
    owner, rapporteur, editor, commenter = (person for person, _role, _org in people[:4])
    question = comments.add_comment(
        paper,
        commenter,
        "Could we name the Compact's objectives here? @Lucía Fernández, what do you think?",
        anchor=Anchor("Their experience must shape the policies that govern migration."),
    )
    comments.add_comment(paper, editor, "Objectives 7 and 16 fit best.", parent=question)
    comments.add_comment(
        paper,
        owner,
        "Members in the Arab States asked us to say *abolition* of the kafala system.",
        anchor=Anchor("Kafala reform"),
    )
    suggestions.propose(
        paper,
        commenter,
        Anchor("regardless of status"),
        "regardless of migration status",
        "The Compact's own wording.",
    )
    suggestions.propose(
        paper,
        editor,
        Anchor("gender-responsive"),
        "gender-responsive and rights-based",
        "Governments answer to rights, not only to gender targets.",
    )
    declined = suggestions.propose(
        paper,
        commenter,
        Anchor("workers, caregivers, leaders"),
        "workers and caregivers",
        "Shorter.",
    )
    suggestions.reject(declined, rapporteur, note="Leadership matters to the caucus: we keep it.")


@click.command("demo")
@with_appcontext
def demo_cli() -> None:
    """Load the demo caucus (idempotent) and print how to sign in."""
    caucus = db.session.scalar(sa.select(Caucus).where(Caucus.name == DEMO_CAUCUS))
    people = [(demo_user(email, name), role, org) for email, name, role, org in DEMO_PEOPLE]
    if caucus is None:
        owner = people[0][0]
        caucus = caucuses.create_caucus(owner, name=DEMO_CAUCUS, slug="women-in-migration")
    for user, role, organization in people:
        membership = next((m for m in caucus.memberships if m.user_id == user.id), None)
        if membership is None:
            membership = caucuses.add_member(caucus, user, role)
        membership.organization = organization
    add_sample_paper(caucus, people)
    add_sample_review(caucus, people)
    db.session.commit()
    click.echo(f"Demo caucus “{caucus.name}” is ready. Sign in at /login with any of:")
    for user, role, organization in people:
        click.echo(f"  {user.email:<22} {role.label:<11} {organization}")
    click.echo(f"Password for all of them: {DEMO_PASSWORD}")
