"""A request is a transaction: the access decorators commit on return and roll back on raise."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from drafting.accounts.models import User
from drafting.caucuses.access import public
from drafting.documents.service import SaveConflict
from drafting.errors import Invalid
from drafting.extensions import db


def rename(user_id: int, name: str, error: Exception | None = None):
    """A view that renames a person, then raises `error` if given."""

    @public
    def view():
        db.session.get(User, user_id).name = name
        db.session.flush()
        if error is not None:
            raise error
        return "done"

    return view


def stored_name(user_id: int) -> str:
    """The name as another transaction sees it, after the session lets go of its objects."""
    db.session.expire_all()
    return db.session.scalar(sa.select(User.name).where(User.id == user_id))


def test_a_view_that_returns_is_committed(app, factory):
    user = factory.user(name="Amina")
    with app.test_request_context():
        assert rename(user.id, "Amina Diallo")() == "done"
        db.session.rollback()  # nothing left to undo: it was committed
        assert stored_name(user.id) == "Amina Diallo"


@pytest.mark.parametrize("error", [Invalid("no"), RuntimeError("bug")])
def test_a_view_that_raises_is_rolled_back(app, factory, error):
    user = factory.user(name="Amina")
    with app.test_request_context():
        with pytest.raises(type(error)):
            rename(user.id, "Someone else", error)()
        assert stored_name(user.id) == "Amina"


def test_an_error_that_keeps_work_is_committed_before_it_propagates(app, factory):
    user = factory.user(name="Amina")
    with app.test_request_context():
        with pytest.raises(SaveConflict):
            rename(user.id, "Kept", SaveConflict("clash", merged_text=""))()
        db.session.rollback()
        assert stored_name(user.id) == "Kept"
