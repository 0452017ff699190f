"""Fixtures in the house style: one app per database, each test in a rolled-back transaction.

The suite runs on SQLite always and on PostgreSQL too when TEST_DATABASE_URL is set
(each run gets its own scratch database there). With DRAFTING_REQUIRE_POSTGRES=1,
as CI sets, a PostgreSQL that cannot be reached fails the run instead of skipping.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import orm

from drafting import create_app
from drafting.accounts import service as accounts
from drafting.accounts.models import User
from drafting.caucuses import service as caucuses
from drafting.caucuses.models import Caucus
from drafting.caucuses.models import Role
from drafting.config import database_url
from drafting.extensions import db
from drafting.extensions import limiter

PASSWORD = "correct horse battery"
CSRF_INPUT = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def fresh(instance):
    """The same row, loaded in the current session.

    Not session.merge(): merging a detached object copies its stale collections over
    the current ones, and delete-orphan cascades then delete what others added since.
    """
    return db.session.get(type(instance), instance.id)


def backends() -> list[str]:
    """SQLite always; PostgreSQL when TEST_DATABASE_URL names one."""
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


def test_config(uri: str, **overrides) -> dict:
    """Configuration for tests: fast hashing, a fixed key, in-memory rate limits."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": uri,
        "RATELIMIT_STORAGE_URI": "memory://",
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
        "OPEN_REGISTRATION": True,
        "LONG_POLL_SECONDS": 0.3,  # change notifications answer quickly in tests
        "PDF_FAILURE_SECONDS": 0.0,  # a test's next print tries again (tests that need it set it)
        **overrides,
    }


test_config.__test__ = False  # a helper, not a test, wherever it is imported


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, dropped afterwards."""
    admin_url = database_url(os.environ["TEST_DATABASE_URL"])
    name = f"drafting_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        if os.environ.get("DRAFTING_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable: {error}", pytrace=False)
        pytest.skip(f"PostgreSQL unreachable: {error}")
    try:
        yield sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def database_for(backend: str, tmp_dir: Path) -> Iterator[str]:
    """A fresh, empty database URL of the given kind."""
    if backend == "postgresql":
        with scratch_postgres() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_dir / 'test.sqlite3'}"


def upgrade_to_head(app: Flask) -> None:
    """Create the schema the way production does: by running every migration."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


@pytest.fixture(scope="session", params=backends())
def app(request, tmp_path_factory) -> Iterator[Flask]:
    """The application on a migrated database; one per backend for the whole run."""
    tmp_dir = tmp_path_factory.mktemp(request.param)
    with database_for(request.param, tmp_dir) as uri:
        application = create_app(test_config(uri))
        upgrade_to_head(application)
        application.config["DB_BACKEND"] = request.param
        yield application
        with application.app_context():
            db.engine.dispose()


def wipe_tables(app: Flask) -> None:
    """Delete every row a `committed` test wrote, so the next test starts clean."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


class ConnectionBoundSession(orm.Session):
    """A plain Session on the test's connection: Flask-SQLAlchemy's own Session picks its
    engine itself and would ignore `bind`, escaping the rolled-back transaction."""

    def __init__(self, db=None, **options):
        super().__init__(**options)


@pytest.fixture(autouse=True)
def _transaction(request, app: Flask) -> Iterator[None]:
    """Run each test inside a transaction that is rolled back at the end.

    Sessions join the outer transaction through savepoints, so code under test can
    commit as usual and nothing persists. Tests marked `committed` opt out.
    """
    if request.node.get_closest_marker("committed"):
        yield
        wipe_tables(app)
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
    original_session = db.session
    db.session = db._make_scoped_session(
        {
            "class_": ConnectionBoundSession,
            "bind": connection,
            "join_transaction_mode": "create_savepoint",
            "expire_on_commit": False,
        }
    )
    with app.app_context():
        limiter.reset()
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
        db.session = original_session
        outer.rollback()
        connection.close()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An application context for tests that call services directly."""
    with app.app_context():
        yield


class Factory:
    """Makes committed test data; each call works in its own short app context."""

    def __init__(self, app: Flask):
        self.app = app
        self.counter = 0

    @contextmanager
    def context(self):
        """Reuse the test's app context if there is one, else push a short one."""
        from flask import has_app_context

        if has_app_context():
            yield
        else:
            with self.app.app_context():
                yield

    def user(self, email: str | None = None, *, name: str | None = None, admin=False) -> User:
        """A person with the password PASSWORD."""
        self.counter += 1
        email = email or f"person{self.counter}@example.org"
        with self.context():
            user = accounts.create_user(
                email, name=name or f"Person {self.counter}", password=PASSWORD, admin=admin
            )
            db.session.commit()
            return user

    def caucus(self, owner: User, name: str = "Women in Migration Caucus") -> Caucus:
        """A caucus owned by `owner`."""
        with self.context():
            caucus = caucuses.create_caucus(fresh(owner), name=name)
            db.session.commit()
            return caucus

    def member(self, caucus: Caucus, role: Role, email: str | None = None) -> User:
        """A new person with `role` in `caucus`."""
        user = self.user(email)
        with self.context():
            caucuses.add_member(fresh(caucus), fresh(user), role)
            db.session.commit()
        return user

    def token(self, user: User, name: str = "test") -> str:
        """A Bearer token secret for `user`."""
        with self.context():
            _token, secret = accounts.create_token(fresh(user), name)
            db.session.commit()
            return secret


@pytest.fixture
def factory(app: Flask) -> Factory:
    """Committed test data (rolled back with the test's transaction)."""
    return Factory(app)


def csrf_token_from(html: str) -> str:
    """The CSRF token embedded in a page's form."""
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


class WebClient(FlaskClient):
    """A test client that signs in like a person and adds the CSRF token to its forms."""

    def csrf(self) -> str:
        """A CSRF token valid for this client's session."""
        return csrf_token_from(self.get("/login").get_data(as_text=True))

    def submit(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with a valid CSRF token, as the browser would."""
        return self.post(url, data={"csrf_token": self.csrf(), **(data or {})}, **kwargs)

    def login(self, user: User, password: str = PASSWORD, remember: bool = False):
        """Sign in through the real form."""
        response = self.submit(
            "/login",
            {"email": user.email, "password": password, "remember": "y" if remember else ""},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


@pytest.fixture
def client(app: Flask) -> WebClient:
    """A browser-like client with its own cookies."""
    app.test_client_class = WebClient
    return app.test_client()


@pytest.fixture
def make_client(app: Flask):
    """More clients, for tests with several people at once."""
    app.test_client_class = WebClient
    return app.test_client


def open_for_endorsements(app: Flask, factory: Factory) -> str:
    """A final version of a new paper, public and open to endorsements: its slug."""
    from drafting.documents import service as documents
    from drafting.publishing import versions

    owner = factory.user()
    caucus = factory.caucus(owner)
    with app.app_context():
        document = documents.create_document(
            fresh(caucus), fresh(owner), title="Paper", content="Text"
        )
        version = versions.create_version(document, fresh(owner), label="Final", final=True)
        versions.update_sharing(version, public=True, endorsements_open=True)
        db.session.commit()
        return version.slug


def bearer(secret: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {secret}"}
