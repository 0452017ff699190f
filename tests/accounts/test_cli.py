"""`flask --app wsgi users create EMAIL --name NAME --password PASSWORD [--admin]`."""

import sqlalchemy as sa

from drafting.accounts.models import User
from drafting.extensions import db


def test_create_user(app):
    """Creates the account and says so; exit 0."""
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "cli@example.org",
            "--name",
            "Cli Person",
            "--password",
            "a long password",
            "--admin",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "cli@example.org" in result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "cli@example.org"))
    assert user.name == "Cli Person"
    assert user.is_admin


def test_duplicate_email_exits_1_with_a_clear_message(app, factory):
    """An existing email: a clear message on stderr and exit code 1."""
    factory.user("dup@example.org")
    result = app.test_cli_runner().invoke(
        args=["users", "create", "dup@example.org", "--name", "X", "--password", "a long password"]
    )
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_short_password_exits_1(app):
    """The same password rules as the web form."""
    result = app.test_cli_runner().invoke(
        args=["users", "create", "p@example.org", "--name", "X", "--password", "short"]
    )
    assert result.exit_code == 1
    assert "at least 10" in result.output
