"""A token's last use is noted without holding its row for the length of the request."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from drafting import create_app
from drafting.accounts.models import ApiToken
from drafting.caucuses.access import signed_in
from drafting.extensions import db
from drafting.extensions import utcnow
from tests.conftest import bearer
from tests.conftest import test_config


def needs_postgresql(app) -> None:
    """Row locks are PostgreSQL's; SQLite locks the whole database for every request."""
    if app.config["DB_BACKEND"] != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent connections")


def token_row(app, secret_prefix: str) -> ApiToken:
    """The stored token whose secret starts so."""
    with app.app_context():
        return db.session.scalar(sa.select(ApiToken).where(ApiToken.prefix == secret_prefix))


def test_use_is_noted_at_most_every_few_minutes(client, factory, app):
    """The first request notes the use; the next ones within five minutes write nothing."""
    secret = factory.token(factory.user())
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    first = token_row(app, secret[:10]).last_used_at
    assert first is not None and utcnow() - first < timedelta(minutes=1)
    client.get("/api/v1/me", headers=bearer(secret))
    assert token_row(app, secret[:10]).last_used_at == first
    with app.app_context():
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.prefix == secret[:10])
            .values(last_used_at=first - timedelta(minutes=6))
        )
        db.session.commit()
    client.get("/api/v1/me", headers=bearer(secret))
    assert token_row(app, secret[:10]).last_used_at > first


def test_a_revoked_token_notes_nothing(client, factory, app):
    """A refused token leaves its row alone."""
    user = factory.user()
    secret = factory.token(user)
    with app.app_context():
        db.session.execute(
            sa.update(ApiToken).where(ApiToken.prefix == secret[:10]).values(revoked_at=utcnow())
        )
        db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert token_row(app, secret[:10]).last_used_at is None


@pytest.mark.postgres_only
@pytest.mark.committed
def test_the_view_runs_without_a_lock_on_the_token(app, factory):
    """While the view runs (a print can take 20 s), another transaction may lock the token's
    row at once: the request holds no lock on it."""
    needs_postgresql(app)
    user = factory.user()
    secret = factory.token(user)
    token_id = token_row(app, secret[:10]).id
    probe_app = create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"]))

    @probe_app.get("/_probe")
    @signed_in
    def probe():
        """Try to lock the token's row from another connection, without waiting."""
        with db.engine.connect() as other:
            try:
                row = sa.select(ApiToken.id).where(ApiToken.id == token_id)
                other.execute(row.with_for_update(nowait=True))
            except sa.exc.OperationalError:
                return "locked"
            return "free"

    try:
        with probe_app.test_client() as web:
            answer = web.get("/_probe", headers=bearer(secret))
        assert answer.text == "free"
        assert token_row(app, secret[:10]).last_used_at is not None  # and the use was noted
    finally:
        with probe_app.app_context():
            db.engine.dispose()


@pytest.mark.postgres_only
@pytest.mark.committed
def test_a_request_does_not_wait_for_someone_holding_the_token(app, factory):
    """Someone holding the token's row (revoking it, say) does not stall requests that use it."""
    needs_postgresql(app)
    secret = factory.token(factory.user())
    statuses = []

    def use_token() -> None:
        with app.test_client() as web:
            statuses.append(web.get("/api/v1/me", headers=bearer(secret)).status_code)

    with app.app_context(), db.engine.connect() as holder:
        holding = holder.begin()
        holder.execute(
            sa.select(ApiToken.id).where(ApiToken.prefix == secret[:10]).with_for_update()
        )
        request = threading.Thread(target=use_token)
        request.start()
        request.join(timeout=5)
        finished_while_held = not request.is_alive()
        holding.rollback()
    request.join()
    assert finished_while_held
    assert statuses == [200]
