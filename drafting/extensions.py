"""Flask extensions, created unbound here and bound to the app in create_app."""

from __future__ import annotations

import sqlite3
from datetime import UTC
from datetime import datetime

import sqlalchemy as sa
from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from drafting import limit_store  # noqa: F401  (registers the limiter's drafting+sqlite:// storage)


class Base(DeclarativeBase):
    """Declarative base with named constraints, so migrations can alter them on every database."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp that is always timezone-aware UTC, also on SQLite (which stores it naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use utcnow()")
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware; the default of every timestamp column."""
    return datetime.now(UTC)


# Objects stay readable after commit: a request that commits early (the live sync) can still
# answer with what it just saved,
# without a second round trip (and, on SQLite, a second write-locking transaction).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


def select_locale() -> str | None:
    """Pick the interface language: the ?lang= choice kept in a cookie, else the browser's."""
    from flask import current_app
    from flask import has_request_context

    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # the CLI and background jobs
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages)


@sa.event.listens_for(sa.Engine, "connect")
def configure_sqlite(dbapi_connection, _record) -> None:
    """Make SQLite behave like the production database where it matters.

    Foreign keys are off by default in SQLite (cascades would silently not happen); a
    busy timeout lets concurrent writers wait instead of failing; and the driver's own
    transaction handling is switched off so that SAVEPOINTs work (SQLAlchemy's documented
    recipe, completed by `begin_sqlite_transaction` below).
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@sa.event.listens_for(sa.Engine, "begin")
def begin_sqlite_transaction(connection) -> None:
    """Start SQLite transactions ourselves (see `configure_sqlite`), as IMMEDIATE ones.

    SQLite has one writer at a time. A deferred transaction that read first and writes
    later fails outright if another connection wrote in between; an immediate one takes
    the write lock at the start and waits its turn (busy_timeout) instead. That makes a
    save's read-merge-write safe without special cases, at the cost of serialising
    requests, which suits SQLite's role here: one machine, a small caucus, development.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
