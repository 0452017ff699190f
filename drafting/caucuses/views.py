"""Pages: the person's caucuses, a caucus dashboard, members and invitations."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from drafting.accounts.forms import EmptyForm
from drafting.caucuses import service
from drafting.caucuses.access import may_manage_members
from drafting.caucuses.access import member_of
from drafting.caucuses.access import public
from drafting.caucuses.access import signed_in
from drafting.caucuses.forms import CaucusForm
from drafting.caucuses.forms import InviteForm
from drafting.caucuses.forms import OrganizationForm
from drafting.caucuses.forms import RoleForm
from drafting.caucuses.models import Role
from drafting.errors import DomainError
from drafting.extensions import db
from drafting.links import site_url
from drafting.mail import mail_configured
from drafting.mail import send_mail
from drafting.ratelimits import may_send_mail
from drafting.single_line import check_single_line

bp = Blueprint("caucuses", __name__)


@bp.route("/caucuses", methods=["GET", "POST"])
@signed_in
def index():
    """The caucuses the person belongs to, and a form to create one."""
    form = CaucusForm()
    if form.validate_on_submit():
        try:
            caucus = service.create_caucus(current_user, name=form.name.data)
        except DomainError as error:
            form.name.errors.append(error.message)
        else:
            flash(_("Caucus “%(name)s” created. You are its owner.", name=caucus.name), "success")
            return redirect(url_for("caucuses.dashboard", cid=caucus.id))
    memberships = service.caucuses_of(current_user)
    return render_template("caucuses/index.html", memberships=memberships, form=form)


@bp.route("/caucuses/<int:cid>")
@member_of(Role.VIEWER)
def dashboard(cid: int, target, membership):
    """A caucus's home: its documents and its members."""
    from drafting.documents.service import documents_of

    return render_template(
        "caucuses/dashboard.html",
        caucus=target,
        membership=membership,
        members=service.members_of(target),
        documents=documents_of(target),
        archived=documents_of(target, archived=True),
        leave_form=EmptyForm(),
    )


@bp.route("/caucuses/<int:cid>/members")
@member_of(Role.VIEWER)
def members(cid: int, target, membership):
    """The member list; owners also see invitations and can manage roles."""
    return render_members(target, membership)


def render_members(caucus, membership, *, invite_form=None, invitation_link=None):
    """Render the members page, with a submitted invite form or a fresh invitation link."""
    return render_template(
        "caucuses/members.html",
        caucus=caucus,
        membership=membership,
        members=service.members_of(caucus),
        invitations=service.pending_invitations(caucus) if may_manage_members(membership) else [],
        invite_form=invite_form or InviteForm(formdata=None),
        role_form=RoleForm(formdata=None),
        action_form=EmptyForm(),
        organization_form=OrganizationForm(formdata=None, obj=membership),
        invitation_link=invitation_link,
    )


@bp.route("/caucuses/<int:cid>/members", methods=["POST"])
@member_of(Role.OWNER)
def invite(cid: int, target, membership):
    """Invite by email: known people join at once, others get an expiring link."""
    form = InviteForm()
    if not form.validate_on_submit():
        return render_members(target, membership, invite_form=form), 422
    outcome = service.invite(
        target,
        inviter=current_user,
        email=form.email.data,
        role=Role.parse(form.role.data),
        days=current_app.config["INVITATION_DAYS"],
    )
    if outcome.membership is not None:
        flash(_("%(name)s joined the caucus.", name=outcome.membership.user.name), "success")
        return redirect(url_for("caucuses.members", cid=cid))
    link = site_url("caucuses.invitation", secret=outcome.secret)
    # Work that must follow the commit (drafting/transactions.py): the mailed link must work
    # when it arrives, and no write lock is held while the mail server answers.
    db.session.commit()
    if send_invitation_mail(outcome.invitation, link):
        flash(_("Invitation sent to %(email)s.", email=outcome.invitation.email), "success")
        return redirect(url_for("caucuses.members", cid=cid))
    # No mail server: the owner passes the link on; it is shown once, never stored in clear.
    return render_members(target, membership, invitation_link=link)


def send_invitation_mail(invitation, link: str) -> bool:
    """Mail an invitation link, when mail is configured and the inviter is within their mail
    limit (an owner cannot make the server mail any number of addresses)."""
    if not mail_configured() or not may_send_mail(current_user.id):
        return False
    subject = _("You are invited to the caucus “%(name)s”", name=invitation.caucus.name)
    body = _(
        "%(inviter)s invites you to write with the caucus “%(name)s” on Drafting.\n\n"
        "Open this link to join (it works for %(days)d days):\n%(link)s\n",
        inviter=current_user.name,
        name=invitation.caucus.name,
        days=current_app.config["INVITATION_DAYS"],
        link=link,
    )
    return send_mail(invitation.email, subject, body)


@bp.route("/caucuses/<int:cid>/members/<int:uid>/role", methods=["POST"])
@member_of(Role.OWNER)
def change_role(cid: int, uid: int, target, membership):
    """Change a member's role."""
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the roles."), "error")
        return redirect(url_for("caucuses.members", cid=cid))
    changed = service.change_role(target, uid, Role.parse(form.role.data))
    flash(_("%(name)s is now %(role)s.", name=changed.user.name, role=form.role.data), "success")
    return redirect(url_for("caucuses.members", cid=cid))


@bp.route("/caucuses/<int:cid>/members/<int:uid>/remove", methods=["POST"])
@member_of(Role.OWNER)
def remove_member(cid: int, uid: int, target, membership):
    """Remove a member; they lose access with their next request."""
    service.remove_member(target, uid)
    flash(_("The member was removed."), "success")
    return redirect(url_for("caucuses.members", cid=cid))


@bp.route("/caucuses/<int:cid>/organization", methods=["POST"])
@member_of(Role.VIEWER)
def set_organization(cid: int, target, membership):
    """Say which organization one represents in this caucus."""
    form = OrganizationForm()
    if form.validate_on_submit():
        membership.organization = check_single_line(
            (form.organization.data or "").strip(), "organization"
        )
        flash(_("Your organization is saved."), "success")
    else:
        flash(" ".join(form.organization.errors) or _("Reload the page and try again."), "error")
    return redirect(url_for("caucuses.members", cid=cid))


@bp.route("/caucuses/<int:cid>/leave", methods=["POST"])
@member_of(Role.VIEWER)
def leave(cid: int, target, membership):
    """Leave a caucus (the last owner cannot)."""
    service.remove_member(target, current_user.id)
    flash(_("You left “%(name)s”.", name=target.name), "success")
    return redirect(url_for("caucuses.index"))


@bp.route("/caucuses/<int:cid>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@member_of(Role.OWNER)
def revoke_invitation(cid: int, invitation_id: int, target, membership):
    """Withdraw an invitation link."""
    service.revoke_invitation(target, invitation_id)
    flash(_("The invitation link no longer works."), "success")
    return redirect(url_for("caucuses.members", cid=cid))


@bp.route("/invitations/<secret>", methods=["GET", "POST"])
@public
def invitation(secret: str):
    """An invitation link: sign in or register, then accept."""
    invitation = service.invitation_by_secret(secret)
    form = EmptyForm()
    if current_user.is_authenticated and form.validate_on_submit():
        service.accept_invitation(invitation, current_user)
        flash(_("Welcome to “%(name)s”.", name=invitation.caucus.name), "success")
        return redirect(url_for("caucuses.dashboard", cid=invitation.caucus_id))
    return render_template(
        "caucuses/invitation.html", invitation=invitation, secret=secret, form=form
    )
