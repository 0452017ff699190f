"""Password hashing with Argon2id, parameters from the app config."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2 import Type
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from flask import current_app
from werkzeug.security import check_password_hash

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # hashing a megabyte would be a cheap denial of service


def hasher() -> PasswordHasher:
    """An Argon2id hasher with the configured cost."""
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
        type=Type.ID,
    )


def hash_password(password: str) -> str:
    """Hash a new password."""
    return hasher().hash(password)


def is_argon2(password_hash: str) -> bool:
    """Argon2 hashes carry their own parameters in a $argon2…$ prefix."""
    return password_hash.startswith("$argon2")


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches; never raises for a wrong password or a foreign hash.

    Hashes from before Argon2id (Werkzeug's pbkdf2 or scrypt, e.g. from an import) still
    verify, so that sign-in can upgrade them.
    """
    if not is_argon2(password_hash):
        legacy = password_hash.startswith(("pbkdf2:", "scrypt:"))
        return legacy and check_password_hash(password_hash, password)
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash is weaker than the current parameters (or not Argon2id)."""
    if not is_argon2(password_hash):
        return True
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
