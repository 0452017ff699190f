"""`flask --app wsgi users create EMAIL --name NAME --password PASSWORD [--admin]`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from drafting.accounts import service
from drafting.errors import DomainError
from drafting.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's name as others will see it.")
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--admin", is_flag=True, help="Make the account an instance admin.")
def create_user_command(email: str, name: str, password: str, admin: bool) -> None:
    """Create an account."""
    try:
        user = service.create_user(email, name=name, password=password, admin=admin)
    except DomainError as error:
        db.session.rollback()
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Created user {user.id} <{user.email}>{' (admin)' if user.is_admin else ''}.")
