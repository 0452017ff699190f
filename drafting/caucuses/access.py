"""The one authorization check, the capabilities built on it, and the decorators that
apply it to every route.

Every view declares who may reach it with exactly one of `public`, `signed_in`
or `member_of(role)`. `tests/test_authorization_matrix.py` walks the URL map
and fails on a route without a declaration, then checks each declaration
against real requests by every kind of person. Each decorator also makes the
request one transaction (`drafting.transactions.in_transaction`).

What a member may do beyond reaching a route (edit this document, resolve this
thread, decide) is asked of the predicates below, by views, templates and
services alike: no other code compares roles.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_login import current_user

from drafting.caucuses.models import Caucus
from drafting.caucuses.models import Membership
from drafting.caucuses.models import Role
from drafting.errors import NotAllowed
from drafting.errors import NotAuthenticated
from drafting.errors import NotFound
from drafting.extensions import db
from drafting.transactions import in_transaction


def membership_of(user: Any, caucus_id: int) -> Membership | None:
    """The person's membership in a caucus, read fresh from the database on every request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(Membership).where(
            Membership.caucus_id == caucus_id, Membership.user_id == user.id
        )
    )


def caucus_of(target: Any) -> Caucus:
    """The caucus that owns a target: a caucus itself, or anything with a `.caucus`."""
    return target if isinstance(target, Caucus) else target.caucus


def require(user: Any, target: Any, role: Role) -> Membership:
    """Allow `user` to act on `target` (a caucus, or anything belonging to one) with `role`.

    Non-members get NotFound, never NotAllowed, so that ids reveal nothing; members
    with a lesser role get NotAllowed. Returns the membership for the view to use.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAuthenticated(_("Please sign in."))
    membership = membership_of(user, caucus_of(target).id)
    if membership is None:
        raise NotFound(_("There is nothing here, or you do not have access to it."))
    if not has_role(membership, role):
        raise NotAllowed(_("This needs the %(role)s role in this caucus.", role=_(role.label)))
    return membership


# ---------------------------------------------------------------- capabilities
# What a member may do with a document beyond reaching its routes. Each takes the acting
# membership (None for a visitor or former member: they may do nothing) and, where it
# matters, the object acted on; an archived document is read-only for everyone.


def has_role(membership: Membership | None, role: Role) -> bool:
    """The member holds at least `role` (the ladder viewer < commenter < … < owner)."""
    return membership is not None and membership.role >= role


def may_edit(membership: Membership | None, document: Any) -> bool:
    """Editors and up change the text of a document that is not archived."""
    return has_role(membership, Role.EDITOR) and not document.archived


def may_comment(membership: Membership | None, document: Any) -> bool:
    """Commenters and up comment on, reply in and suggest wording for a live document."""
    return has_role(membership, Role.COMMENTER) and not document.archived


def may_resolve(membership: Membership | None, root: Any, *, archived_too: bool = False) -> bool:
    """Editors and up resolve any thread of a live document; its author (a commenter at
    least) their own. `archived_too`: whether they would, were the document not archived."""
    if not has_role(membership, Role.COMMENTER):
        return False
    if root.document.archived and not archived_too:
        return False
    return has_role(membership, Role.EDITOR) or root.author_id == membership.user_id


def may_decide(membership: Membership | None, document: Any) -> bool:
    """Rapporteurs and owners accept or reject suggestions on a live document."""
    return has_role(membership, Role.RAPPORTEUR) and not document.archived


def may_publish(membership: Membership | None) -> bool:
    """Rapporteurs and owners make versions, share them and look after endorsements."""
    return has_role(membership, Role.RAPPORTEUR)


def is_owner(membership: Membership | None) -> bool:
    """The member is one of the caucus's owners (a caucus always keeps one)."""
    return membership is not None and membership.role == Role.OWNER


def may_manage_members(membership: Membership | None) -> bool:
    """Owners invite, change roles and remove members."""
    return has_role(membership, Role.OWNER)


def may_create_documents(membership: Membership | None) -> bool:
    """Editors and up start and import documents in their caucus."""
    return has_role(membership, Role.EDITOR)


# The predicates, by name, for templates (drafting/templating.py).
CAPABILITIES = {
    predicate.__name__: predicate
    for predicate in (
        may_edit,
        may_comment,
        may_resolve,
        may_decide,
        may_publish,
        may_manage_members,
        may_create_documents,
    )
}


@dataclass(frozen=True)
class Access:
    """Who may reach a route: kept on the view function for the authorization-matrix test."""

    kind: str  # "public", "signed_in" or "member"
    role: Role | None = None


# Turns a URL argument into the object it names. Features register theirs
# (documents add `doc_id`), so `member_of` finds the caucus behind any route.
TARGET_LOADERS: dict[str, Callable[[int], Any]] = {}


def register_target(url_argument: str, loader: Callable[[int], Any]) -> None:
    """Teach `member_of` how to load the object a URL argument names."""
    TARGET_LOADERS[url_argument] = loader


def target_argument(view_args: dict[str, Any], via: str | None = None) -> str:
    """The URL argument naming a route's target: `via` when declared, else the route's one
    registered argument (a route with two must say which, rather than let import order choose)."""
    if via is not None:
        return via
    registered = [name for name in TARGET_LOADERS if name in view_args]
    if len(registered) != 1:
        raise LookupError(f"declare member_of(..., via=) among {sorted(registered or view_args)}")
    return registered[0]


def load_target(view_args: dict[str, Any], via: str | None = None) -> Any:
    """Load the object the route's target argument names (NotFound when there is none)."""
    url_argument = target_argument(view_args, via)
    target = TARGET_LOADERS[url_argument](view_args[url_argument])
    if target is None:
        raise NotFound(_("There is nothing here, or you do not have access to it."))
    return target


def public(view: Callable) -> Callable:
    """Anyone, signed in or not, may reach this route."""
    wrapper = in_transaction(view)
    wrapper.access = Access("public")
    return wrapper


def signed_in(view: Callable) -> Callable:
    """Any signed-in person may reach this route."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise NotAuthenticated(_("Please sign in."))
        return view(*args, **kwargs)

    wrapper = in_transaction(wrapper)
    wrapper.access = Access("signed_in")
    return wrapper


def member_of(role: Role, *, via: str | None = None) -> Callable[[Callable], Callable]:
    """Members with at least `role` in the caucus behind the route's target may reach it.

    The target is named by the URL argument `via`, or by the route's one registered argument.
    The view receives the loaded target as `target` and the acting membership as `membership`.
    """

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(**view_args):
            if not current_user.is_authenticated:
                raise NotAuthenticated(_("Please sign in."))
            target = load_target(view_args, via)
            membership = require(current_user, target, role)
            return view(target=target, membership=membership, **view_args)

        wrapper = in_transaction(wrapper)
        wrapper.access = Access("member", role)
        wrapper.via = via
        return wrapper

    return decorate


register_target("cid", lambda caucus_id: db.session.get(Caucus, caucus_id))
