"""Caucus services: creating, roles, the last owner, invitations."""

from datetime import timedelta

import pytest

from drafting.caucuses import service
from drafting.caucuses.access import require
from drafting.caucuses.models import Role
from drafting.errors import Conflict
from drafting.errors import Invalid
from drafting.errors import NotAllowed
from drafting.errors import NotAuthenticated
from drafting.errors import NotFound
from drafting.extensions import db
from drafting.extensions import utcnow


def test_creator_becomes_owner(ctx, factory):
    """Whoever creates a caucus owns it."""
    person = factory.user()
    caucus = service.create_caucus(person, name="Mujeres en Migración")
    assert caucus.slug == "mujeres-en-migracion"
    assert require(person, caucus, Role.OWNER).role == Role.OWNER


def test_slugs_stay_unique(ctx, factory):
    """Two caucuses with the same name get distinct slugs."""
    person = factory.user()
    first = service.create_caucus(person, name="Bridge Caucus")
    second = service.create_caucus(person, name="Bridge Caucus")
    assert (first.slug, second.slug) == ("bridge-caucus", "bridge-caucus-2")


def test_a_chosen_slug_that_is_taken_is_a_conflict(ctx, factory):
    """An explicit slug is never silently changed."""
    person = factory.user()
    service.create_caucus(person, name="A", slug="bridge")
    with pytest.raises(Conflict):
        service.create_caucus(person, name="B", slug="bridge")
    with pytest.raises(Invalid):
        service.create_caucus(person, name="C", slug="Not A Slug")


@pytest.mark.parametrize("role", list(Role))
def test_roles_include_the_ones_below(ctx, factory, role):
    """owner > rapporteur > editor > commenter > viewer."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    member = factory.member(caucus, role)
    for needed in Role:
        if needed <= role:
            assert require(member, caucus, needed).role == role
        else:
            with pytest.raises(NotAllowed):
                require(member, caucus, needed)


def test_non_members_are_told_nothing_exists(ctx, factory):
    """A non-member gets NotFound, never NotAllowed, so ids do not leak."""
    caucus = factory.caucus(factory.user())
    with pytest.raises(NotFound):
        require(factory.user(), caucus, Role.VIEWER)


def test_anonymous_must_sign_in(ctx, factory):
    """No person: NotAuthenticated."""
    from flask_login import AnonymousUserMixin

    caucus = factory.caucus(factory.user())
    with pytest.raises(NotAuthenticated):
        require(AnonymousUserMixin(), caucus, Role.VIEWER)


def test_role_labels_are_ordered_as_the_api_says():
    """API.md lists roles from the most to the least powerful."""
    assert Role.labels() == ["owner", "rapporteur", "editor", "commenter", "viewer"]


def test_last_owner_cannot_be_demoted_or_removed(ctx, factory):
    """A caucus always keeps an owner."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    with pytest.raises(Conflict):
        service.change_role(caucus, owner.id, Role.EDITOR)
    with pytest.raises(Conflict):
        service.remove_member(caucus, owner.id)


def test_an_owner_can_step_down_once_another_owner_exists(ctx, factory):
    """With a second owner, the first may become a rapporteur or leave."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    second = factory.member(caucus, Role.EDITOR)
    service.change_role(caucus, second.id, Role.OWNER)
    service.change_role(caucus, owner.id, Role.RAPPORTEUR)
    with pytest.raises(Conflict):
        service.remove_member(caucus, second.id)


def test_inviting_a_known_email_adds_them_at_once(ctx, factory):
    """People with an account join straight away."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    known = factory.user("known@example.org")
    outcome = service.invite(
        caucus, inviter=owner, email="Known@Example.org", role=Role.EDITOR, days=14
    )
    assert outcome.membership.user_id == known.id
    assert outcome.invitation is None
    with pytest.raises(Conflict):
        service.invite(caucus, inviter=owner, email="known@example.org", role=Role.VIEWER, days=14)


def test_inviting_an_unknown_email_makes_an_expiring_link(ctx, factory):
    """Others get a link whose token is stored only as a hash."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    outcome = service.invite(
        caucus, inviter=owner, email="new@example.org", role=Role.COMMENTER, days=14
    )
    invitation = outcome.invitation
    assert outcome.secret not in invitation.token_hash
    assert service.invitation_by_secret(outcome.secret).id == invitation.id
    assert invitation.expires_at - utcnow() > timedelta(days=13)


def test_expired_used_or_revoked_links_stop_working(ctx, factory):
    """A link works once, until it expires or is withdrawn."""
    owner = factory.user()
    caucus = factory.caucus(owner)

    def new_link():
        return service.invite(
            caucus, inviter=owner, email=f"x{utcnow().timestamp()}@e.org", role=Role.VIEWER, days=14
        )

    expired = new_link()
    expired.invitation.expires_at = utcnow() - timedelta(seconds=1)
    revoked = new_link()
    service.revoke_invitation(caucus, revoked.invitation.id)
    used = new_link()
    invitee = factory.user(used.invitation.email)
    service.accept_invitation(used.invitation, invitee)
    db.session.flush()
    for outcome in (expired, revoked, used):
        with pytest.raises(NotFound):
            service.invitation_by_secret(outcome.secret)


def test_an_invitation_is_only_for_its_email(ctx, factory):
    """A forwarded link does not let someone else into a confidential caucus."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    outcome = service.invite(
        caucus, inviter=owner, email="meant@example.org", role=Role.EDITOR, days=14
    )
    with pytest.raises(NotAllowed):
        service.accept_invitation(outcome.invitation, factory.user("other@example.org"))


def test_members_are_listed_by_role_then_name(ctx, factory):
    """Owners first, then rapporteurs, and so on; names alphabetically within a role."""
    owner = factory.user(name="Zoe")
    caucus = factory.caucus(owner)
    factory.member(caucus, Role.VIEWER)
    factory.member(caucus, Role.RAPPORTEUR)
    roles = [m.role for m in service.members_of(caucus)]
    assert roles == [Role.OWNER, Role.RAPPORTEUR, Role.VIEWER]
