"""A request is a transaction: what a view did is committed when it returns, and rolled back
when it raises.

The access decorators (`public`, `signed_in`, `member_of`) apply this to every route, as
Indico's `RH.process` does, so views and services never commit. Work that must follow the
commit (publishing a change to Redis after a live sync) commits first, explicitly, and says
why. A domain error whose `keeps_work` is set (a save that clashes keeps the submitted text
for its author) is committed before it propagates; every other error rolls back.

Nothing slow runs inside a transaction: before a slow wait (a print), `release()` ends the
request's transaction, so no row lock, and on SQLite no write lock, is held meanwhile.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from drafting.errors import DomainError
from drafting.extensions import db


def in_transaction(view: Callable) -> Callable:
    """Run the view as one transaction: commit on return, roll back on any exception."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            result = view(*args, **kwargs)
        except DomainError as error:
            finish(commit=error.keeps_work)
            raise
        except BaseException:
            db.session.rollback()
            raise
        finish(commit=True)
        return result

    return wrapper


def release() -> None:
    """End the request's transaction now, keeping what it did, before a slow wait; the
    next database work begins a new one (committed by the decorator as usual)."""
    finish(commit=True)


def finish(*, commit: bool) -> None:
    """Commit (rolling back if the commit itself fails) or roll back the request's work."""
    if not commit:
        db.session.rollback()
        return
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
