"""Pages: sign in and out, register, settings (password, API tokens)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from drafting.accounts import service
from drafting.accounts import throttle
from drafting.accounts.forms import ChangePasswordForm
from drafting.accounts.forms import EmptyForm
from drafting.accounts.forms import LoginForm
from drafting.accounts.forms import RegisterForm
from drafting.accounts.forms import TokenForm
from drafting.accounts.throttle import TooManyAttempts
from drafting.caucuses import service as caucus_service
from drafting.caucuses.access import public
from drafting.caucuses.access import signed_in
from drafting.errors import DomainError
from drafting.extensions import limiter
from drafting.ratelimits import by_address
from drafting.ratelimits import login_limits
from drafting.ratelimits import password_change_limits
from drafting.ratelimits import signed_in_account
from drafting.ratelimits import token_limits
from drafting.security import safe_next_path

bp = Blueprint("accounts", __name__)


def start_session(user, *, remember: bool) -> None:
    """Sign a person in on a fresh session, so nothing from before sign-in carries over; its
    record on the server is what the cookies name (and what signing out deletes)."""
    session.clear()
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION"]
    if not isinstance(lifetime, timedelta):
        lifetime = timedelta(seconds=lifetime)
    service.open_session(user, lifetime=lifetime)
    login_user(user, remember=remember)


def end_session() -> None:
    """Sign this browser out. In this order: logout_user() leaves a note in the session to
    delete the remember-me cookie; clearing the session after it would drop the note."""
    session.clear()
    logout_user()


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in with email and password; failures make their address wait (throttle.py)."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = throttle.authenticate(form.email.data, form.password.data)
        except TooManyAttempts as error:
            form.password.errors.append(error.message)
            page = render_template("accounts/login.html", form=form)
            return page, 429, {"Retry-After": str(error.retry_after)}
        except DomainError as error:
            form.password.errors.append(error.message)
        else:
            start_session(user, remember=form.remember.data)
            return redirect(safe_next_path(form.next.data, url_for("caucuses.index")))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    """Sign out of this session, on the server too: a copy of its cookies stops working."""
    if current_user.is_authenticated and current_user.session_secret:
        service.close_session(current_user.session_secret)
    end_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"))


def registration_open(invitation_secret: str | None) -> bool:
    """Open instances let anyone register; invite-only ones need a valid invitation link."""
    if current_app.config["OPEN_REGISTRATION"]:
        return True
    if not invitation_secret:
        return False
    try:
        caucus_service.invitation_by_secret(invitation_secret)
    except DomainError:
        return False
    return True


def field_named_by(form, error: DomainError, *, default: str):
    """The form's field a service error names (its `fields`), so the message shows there."""
    for name in error.fields or {}:
        if name in form:
            return form[name]
    return form[default]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(login_limits, key_func=by_address, methods=["POST"], scope="register-address")
@public
def register():
    """Create an account: on open instances anyone, else the invited address through its link."""
    invitation_secret = request.values.get("invitation") or None
    if not registration_open(invitation_secret):
        return render_template("accounts/registration_closed.html"), 403
    form = RegisterForm(invitation=invitation_secret or "")
    if request.method == "GET" and invitation_secret:
        form.email.data = caucus_service.invitation_by_secret(invitation_secret).email
    if form.validate_on_submit():
        try:
            if invitation_secret:
                invitation = caucus_service.invitation_by_secret(invitation_secret)
                caucus_service.check_invited_email(invitation, form.email.data)
            user = service.create_user(
                form.email.data, name=form.name.data, password=form.password.data
            )
        except DomainError as error:
            field_named_by(form, error, default="email").errors.append(error.message)
        else:
            start_session(user, remember=False)
            if invitation_secret:
                return redirect(url_for("caucuses.invitation", secret=invitation_secret))
            flash(_("Welcome to Drafting, %(name)s.", name=user.name), "success")
            return redirect(url_for("caucuses.index"))
    return render_template("accounts/register.html", form=form)


@bp.route("/settings")
@signed_in
def settings():
    """The person's settings: password and API tokens."""
    return render_settings()


def render_settings(*, new_token: str | None = None, password_form=None, token_form=None):
    """Render the settings page with fresh or submitted forms."""
    return render_template(
        "accounts/settings.html",
        password_form=password_form or ChangePasswordForm(formdata=None),
        token_form=token_form or TokenForm(formdata=None),
        revoke_form=EmptyForm(),
        tokens=current_user.tokens,
        new_token=new_token,
    )


@bp.route("/settings/password", methods=["POST"])
@limiter.limit(password_change_limits, key_func=signed_in_account, scope="password-account")
@limiter.limit(password_change_limits, key_func=by_address, scope="password-address")
@signed_in
def change_password():
    """Change the password; other sessions end, this one continues."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_settings(password_form=form), 422
    try:
        revoked = service.change_password(
            current_user,
            current_password=form.current_password.data,
            new_password=form.new_password.data,
            revoke_tokens=form.revoke_tokens.data,
        )
    except DomainError as error:
        form.current_password.errors.append(error.message)
        return render_settings(password_form=form), 422
    start_session(current_user._get_current_object(), remember=False)
    flash(_("Your password is changed. Other devices are signed out."), "success")
    if form.revoke_tokens.data:
        flash(_("Your API tokens no longer work (%(n)d revoked).", n=revoked), "success")
    return redirect(url_for("accounts.settings"))


@bp.route("/settings/sessions/end", methods=["POST"])
@signed_in
def sign_out_everywhere():
    """End every session of the person, this one and remembered browsers included."""
    service.close_all_sessions(current_user)
    end_session()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("site.home"))


@bp.route("/settings/tokens", methods=["POST"])
@limiter.limit(token_limits, key_func=by_address, scope="token-address")
@limiter.limit(token_limits, key_func=signed_in_account, scope="token-account")
@signed_in
def create_token():
    """Create an API token and show its secret once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return render_settings(token_form=form), 422
    _token, secret = service.create_token(current_user, form.name.data)
    return render_settings(new_token=secret)


@bp.route("/settings/tokens/<int:token_id>/revoke", methods=["POST"])
@signed_in
def revoke_token(token_id: int):
    """Revoke one of the person's tokens."""
    token = service.revoke_token(current_user, token_id)
    flash(_("The token “%(name)s” no longer works.", name=token.name), "success")
    return redirect(url_for("accounts.settings"))
