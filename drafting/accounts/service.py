"""Accounts: registration, sign-in, passwords and API tokens. No HTTP here."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from drafting.accounts.models import ApiToken
from drafting.accounts.models import User
from drafting.accounts.models import UserSession
from drafting.accounts.passwords import MAX_PASSWORD_LENGTH
from drafting.accounts.passwords import MIN_PASSWORD_LENGTH
from drafting.accounts.passwords import hash_password
from drafting.accounts.passwords import needs_rehash
from drafting.accounts.passwords import verify_password
from drafting.errors import Conflict
from drafting.errors import Invalid
from drafting.errors import NotAuthenticated
from drafting.errors import NotFound
from drafting.extensions import db
from drafting.extensions import utcnow
from drafting.single_line import check_single_line

TOKEN_PREFIX = "dft_"  # noqa: S105  (a public marker, not a secret)
TOKEN_USE_RESOLUTION = timedelta(minutes=5)

# Verifying against this when the email is unknown keeps sign-in time the same either way,
# so response times do not reveal who has an account.
_DUMMY_HASH: dict[str, str] = {}


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def sha256_hex(secret: str) -> str:
    """How secrets (tokens, invitation links) are stored: only their SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()


def user_by_email(email: str) -> User | None:
    """The account with this email, if any."""
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def check_password_rules(password: str) -> None:
    """Refuse passwords too short to resist guessing, or absurdly long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            fields={"password": "too_short"},
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(_("That password is too long."), fields={"password": "too_long"})


def create_user(email: str, *, name: str, password: str, admin: bool = False) -> User:
    """Create an account. The first account on an empty instance becomes its admin."""
    email = check_single_line(normalize_email(email), "email")
    name = check_single_line(name.strip(), "name")
    if user_by_email(email) is not None:
        raise Conflict(_("An account with this email already exists."), fields={"email": "taken"})
    if not name:
        raise Invalid(_("Please give your name."), fields={"name": "required"})
    check_password_rules(password)
    first_account = db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password),
        is_admin=admin or first_account,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    """The person with these credentials, or NotAuthenticated. Upgrades a weaker hash."""
    user = user_by_email(email)
    if user is None:
        _DUMMY_HASH.setdefault("hash", hash_password(secrets.token_hex(8)))
        verify_password(_DUMMY_HASH["hash"], password)
        raise NotAuthenticated(_("Wrong email or password."))
    if not verify_password(user.password_hash, password):
        raise NotAuthenticated(_("Wrong email or password."))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def change_password(
    user: User, *, current_password: str, new_password: str, revoke_tokens: bool = False
) -> int:
    """Change a password: every session of the person ends (the caller opens a new one for
    the browser that asked), and with `revoke_tokens` every API token. How many tokens went."""
    if not verify_password(user.password_hash, current_password):
        raise Invalid(
            _("Your current password is not right."), fields={"current_password": "wrong"}
        )
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    close_all_sessions(user)
    return revoke_all_tokens(user) if revoke_tokens else 0


def open_session(user: User, *, lifetime: timedelta) -> str:
    """Sign a person in on one more browser: a new session whose secret their cookies will
    carry (only its hash is stored). Their sessions that ran out go at the same time."""
    now = utcnow()
    db.session.execute(
        sa.delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now)
    )
    secret = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(user_id=user.id, secret_hash=sha256_hex(secret), expires_at=now + lifetime)
    )
    db.session.flush()
    user.session_secret = secret
    return secret


def user_for_session(secret: str) -> User | None:
    """The person a session secret (from the session or the remember-me cookie) signs in;
    None once that session was closed or ran out."""
    found = db.session.scalar(
        sa.select(UserSession).where(
            UserSession.secret_hash == sha256_hex(secret), UserSession.expires_at > utcnow()
        )
    )
    if found is None:
        return None
    found.user.session_secret = secret
    return found.user


def close_session(secret: str) -> None:
    """Sign one browser out on the server: its cookies, and any copy of them, stop working."""
    db.session.execute(sa.delete(UserSession).where(UserSession.secret_hash == sha256_hex(secret)))


def close_all_sessions(user: User) -> None:
    """Sign the person out everywhere: every browser, remembered ones too."""
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a named API token; the secret is returned once and only its hash is kept."""
    name = check_single_line(name.strip(), "name") or _("API token")
    if len(name) > 80:
        raise Invalid(_("Keep the token name under 80 characters."), fields={"name": "too_long"})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=sha256_hex(secret), prefix=secret[:10])
    db.session.add(token)
    db.session.flush()
    return token, secret


def active_token(secret: str) -> ApiToken | None:
    """The active token with this secret; None for unknown or revoked ones. Reads only."""
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == sha256_hex(secret)))
    return token if token is not None and token.active else None


def token_use_due(token: ApiToken) -> bool:
    """Whether the token's use should be noted: at most every few minutes, so that reading
    through the API is not a write each time."""
    return token.last_used_at is None or utcnow() - token.last_used_at > TOKEN_USE_RESOLUTION


def record_token_use(token_id: int) -> None:
    """Note a token's use, in one statement that never waits: if someone holds the token's
    row (revoking it, say), this use goes unnoted and the next one is noted instead."""
    now = utcnow()
    due = (
        sa.select(ApiToken.id)
        .where(
            ApiToken.id == token_id,
            sa.or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at < now - TOKEN_USE_RESOLUTION,
            ),
        )
        .with_for_update(skip_locked=True)
    )
    db.session.execute(
        sa.update(ApiToken).where(ApiToken.id.in_(due)).values(last_used_at=now),
        execution_options={"synchronize_session": False},
    )


def revoke_all_tokens(user: User) -> int:
    """Revoke every active token of the person; how many there were."""
    result = db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount or 0


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the person's own tokens (someone else's reads as absent)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("There is no such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token
