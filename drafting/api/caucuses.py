"""API: caucuses, members and invitations."""

from __future__ import annotations

from flask import current_app
from flask import request
from flask import url_for
from flask_login import current_user
from spectree import Response

from drafting.api import bp
from drafting.api import page_info
from drafting.api import spec
from drafting.api.schemas.caucuses import CaucusCreate
from drafting.api.schemas.caucuses import CaucusList
from drafting.api.schemas.caucuses import CaucusOut
from drafting.api.schemas.caucuses import InvitationList
from drafting.api.schemas.caucuses import InvitationOut
from drafting.api.schemas.caucuses import MemberInvite
from drafting.api.schemas.caucuses import MemberList
from drafting.api.schemas.caucuses import MemberOut
from drafting.api.schemas.caucuses import RoleChange
from drafting.api.schemas.common import ErrorBody
from drafting.api.schemas.common import PageQuery
from drafting.caucuses import service
from drafting.caucuses.access import member_of
from drafting.caucuses.access import signed_in
from drafting.caucuses.models import Caucus
from drafting.caucuses.models import Invitation
from drafting.caucuses.models import Membership
from drafting.caucuses.models import Role

ERRORS = {"HTTP_401": ErrorBody, "HTTP_403": ErrorBody, "HTTP_404": ErrorBody}


def caucus_json(caucus: Caucus, role: Role | None = None) -> dict:
    """A caucus as the API shows it."""
    return {
        "id": caucus.id,
        "slug": caucus.slug,
        "name": caucus.name,
        "role": role.label if role else None,
    }


def member_json(membership: Membership) -> dict:
    """A membership as the API shows it."""
    return {
        "user_id": membership.user_id,
        "name": membership.user.name,
        "email": membership.user.email,
        "role": membership.role.label,
        "organization": membership.organization,
        "joined_at": membership.created_at,
    }


def invitation_json(invitation: Invitation, url: str | None = None) -> dict:
    """An invitation as the API shows it; the URL only when just created."""
    return {
        "id": invitation.id,
        "email": invitation.email,
        "role": invitation.role.label,
        "expires_at": invitation.expires_at,
        "invitation_url": url,
    }


@bp.post("/caucuses")
@signed_in
@spec.validate(
    json=CaucusCreate,
    # 401 listed so the OpenAPI document says what a missing or bad token gets.
    resp=Response(HTTP_201=CaucusOut, HTTP_401=ErrorBody, HTTP_409=ErrorBody),
    tags=["caucuses"],
)
def create_caucus():
    """Create a caucus; you become its owner."""
    body: CaucusCreate = request.context.json
    caucus = service.create_caucus(current_user, name=body.name, slug=body.slug)
    return caucus_json(caucus, Role.OWNER), 201


@bp.get("/caucuses")
@signed_in
@spec.validate(
    query=PageQuery, resp=Response(HTTP_200=CaucusList, HTTP_401=ErrorBody), tags=["caucuses"]
)
def list_caucuses():
    """The caucuses you belong to, with your role in each."""
    page: PageQuery = request.context.query
    memberships = service.caucuses_of(current_user, limit=page.limit, offset=page.offset)
    total = service.count_caucuses_of(current_user)
    return {
        "items": [caucus_json(m.caucus, m.role) for m in memberships],
        **page_info(total, page.limit, page.offset),
    }


@bp.get("/caucuses/<int:cid>")
@member_of(Role.VIEWER)
@spec.validate(resp=Response(HTTP_200=CaucusOut, **ERRORS), tags=["caucuses"])
def get_caucus(cid: int, target, membership):
    """One caucus you belong to."""
    return caucus_json(target, membership.role)


@bp.get("/caucuses/<int:cid>/members")
@member_of(Role.VIEWER)
@spec.validate(query=PageQuery, resp=Response(HTTP_200=MemberList, **ERRORS), tags=["caucuses"])
def list_members(cid: int, target, membership):
    """The caucus's members, most powerful roles first."""
    page: PageQuery = request.context.query
    memberships = service.members_of(target, limit=page.limit, offset=page.offset)
    return {
        "items": [member_json(m) for m in memberships],
        **page_info(service.count_members(target), page.limit, page.offset, cid=cid),
    }


@bp.post("/caucuses/<int:cid>/members")
@member_of(Role.OWNER)
@spec.validate(
    json=MemberInvite,
    resp=Response(HTTP_201=MemberOut, HTTP_202=InvitationOut, HTTP_409=ErrorBody, **ERRORS),
    tags=["caucuses"],
)
def add_member(cid: int, target, membership):
    """Add a person by email; an unknown email gets an invitation link instead (202)."""
    body: MemberInvite = request.context.json
    outcome = service.invite(
        target,
        inviter=current_user,
        email=body.email,
        role=Role.parse(body.role),
        days=current_app.config["INVITATION_DAYS"],
    )
    if outcome.membership is not None:
        return member_json(outcome.membership), 201
    url = url_for("caucuses.invitation", secret=outcome.secret, _external=True)
    return invitation_json(outcome.invitation, url), 202


@bp.patch("/caucuses/<int:cid>/members/<int:uid>")
@member_of(Role.OWNER)
@spec.validate(
    json=RoleChange,
    resp=Response(HTTP_200=MemberOut, HTTP_409=ErrorBody, **ERRORS),
    tags=["caucuses"],
)
def change_role(cid: int, uid: int, target, membership):
    """Change a member's role; the last owner cannot be demoted (409)."""
    body: RoleChange = request.context.json
    changed = service.change_role(target, uid, Role.parse(body.role))
    return member_json(changed)


@bp.delete("/caucuses/<int:cid>/members/<int:uid>")
@member_of(Role.OWNER)
@spec.validate(resp=Response("HTTP_204", HTTP_409=ErrorBody, **ERRORS), tags=["caucuses"])
def remove_member(cid: int, uid: int, target, membership):
    """Remove a member; their pages, tokens and sessions lose access at once."""
    service.remove_member(target, uid)
    return "", 204


@bp.post("/caucuses/<int:cid>/leave")
@member_of(Role.VIEWER)
@spec.validate(resp=Response("HTTP_204", HTTP_409=ErrorBody, **ERRORS), tags=["caucuses"])
def leave(cid: int, target, membership):
    """Leave a caucus (the last owner cannot: 409)."""
    service.remove_member(target, current_user.id)
    return "", 204


@bp.get("/caucuses/<int:cid>/invitations")
@member_of(Role.OWNER)
@spec.validate(resp=Response(HTTP_200=InvitationList, **ERRORS), tags=["caucuses"])
def list_invitations(cid: int, target, membership):
    """Pending invitations (their links are not shown again)."""
    return {"items": [invitation_json(i) for i in service.pending_invitations(target)]}


@bp.delete("/caucuses/<int:cid>/invitations/<int:invitation_id>")
@member_of(Role.OWNER)
@spec.validate(resp=Response("HTTP_204", **ERRORS), tags=["caucuses"])
def revoke_invitation(cid: int, invitation_id: int, target, membership):
    """Withdraw an invitation; its link stops working."""
    service.revoke_invitation(target, invitation_id)
    return "", 204
