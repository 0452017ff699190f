"""The one row-lock helper: take a row's write lock for the rest of the transaction."""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa

from drafting.extensions import db

Row = TypeVar("Row")


def locked(row: Row) -> Row:
    """Lock the row (a document, a version …) until the transaction ends, and read it fresh.

    PostgreSQL: SELECT … FOR UPDATE, so concurrent writers queue up on the row. SQLite
    transactions hold the database's write lock from their start (see extensions.py), so
    there is nothing more to take.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        return row
    model = type(row)
    return db.session.scalars(
        sa.select(model)
        .where(model.id == row.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
