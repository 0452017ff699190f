"""Settings, read from the environment once at start-up."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from drafting.limit_store import storage_uri

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

# Values that must never reach production: the start-up check refuses them.
INSECURE_SECRET_KEYS = {"", "dev", "change-me", "changeme", "secret", "development"}
# Where `flask run` serves by default: mail links in development point there.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message says which and how to fix it."""


def database_url(raw: str | None) -> str:
    """Normalise DATABASE_URL: a plain postgresql:// URL means psycopg 3."""
    if not raw:
        return f"sqlite:///{INSTANCE_DIR / 'drafting.sqlite3'}"
    for plain in ("postgres://", "postgresql://"):
        if raw.startswith(plain):
            return "postgresql+psycopg://" + raw[len(plain) :]
    return raw


def base_url(raw: str | None, *, production: bool) -> str:
    """The site's address, which every link in mail starts with (never a request's Host
    header, which anyone can forge): required in production, and there over HTTPS."""
    if not raw or not raw.strip():
        if production:
            raise ConfigError(
                "BASE_URL is missing. In production set BASE_URL to the address people open, "
                "e.g. https://drafting.example.org: links in mail are built from it."
            )
        return DEVELOPMENT_BASE_URL
    url = raw.strip().rstrip("/")
    parts = urlsplit(url)
    schemes = ("https",) if production else ("http", "https")
    if parts.scheme not in schemes or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"BASE_URL {raw!r} is not a site address like https://drafting.example.org"
            + (" (HTTPS in production, as the cookies are Secure)." if production else ".")
        )
    return url


def development_secret_key() -> str:
    """Create the development secret once and keep it in instance/, so sessions survive restarts."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def env_flag(name: str, default: bool) -> bool:
    """Read a yes/no environment variable."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def from_environment() -> dict:
    """Build the Flask config mapping from environment variables."""
    production = os.environ.get("DRAFTING_ENV", "development") == "production"
    secret_key = os.environ.get("SECRET_KEY", "")
    if production and secret_key.strip().lower() in INSECURE_SECRET_KEYS:
        raise ConfigError(
            "SECRET_KEY is missing or a default value. In production set SECRET_KEY to a long "
            'random string, e.g. `python -c "import secrets; print(secrets.token_urlsafe(48))"`.'
        )
    redis_url = os.environ.get("REDIS_URL") or None
    return {
        "DRAFTING_ENV": "production" if production else "development",
        "SECRET_KEY": secret_key or development_secret_key(),
        "BASE_URL": base_url(os.environ.get("BASE_URL"), production=production),
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL")),
        "REDIS_URL": redis_url,
        # Limit counts every process shares: Redis, else a file of this machine (memory://
        # would let each gunicorn worker count its own).
        "RATELIMIT_STORAGE_URI": redis_url or storage_uri(INSTANCE_DIR / "ratelimits.sqlite3"),
        "OPEN_REGISTRATION": env_flag("OPEN_REGISTRATION", True),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": env_flag("MAIL_USE_TLS", True),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "drafting@localhost"),
        "PROXY_HOPS": int(os.environ.get("PROXY_HOPS", "0")),
        "ALLOWED_IMAGE_HOSTS": [
            host.strip().lower()
            for host in os.environ.get("ALLOWED_IMAGE_HOSTS", "").split(",")
            if host.strip()
        ],
        "ENDORSEMENT_LIMITS": os.environ.get("ENDORSEMENT_LIMITS", Defaults.ENDORSEMENT_LIMITS),
        "PDF_TIME_LIMIT": float(os.environ.get("PDF_TIME_LIMIT", "60")),
        "PDF_MEMORY_LIMIT": int(os.environ.get("PDF_MEMORY_LIMIT", str(1024**3))),
        "PDF_QUEUE_URL": os.environ.get("PDF_QUEUE_URL") or None,
        "PDF_SPARE_PROCESS": env_flag("PDF_SPARE_PROCESS", True),
        "PDF_CACHE_MAX_BYTES": int(os.environ.get("PDF_CACHE_MAX_BYTES", str(512 * 1024**2))),
        # Host names this instance answers to (others get a 400). Links in mail come from
        # BASE_URL whatever the Host, so this is defence in depth, not what keeps them right.
        "TRUSTED_HOSTS": [
            host.strip() for host in os.environ.get("TRUSTED_HOSTS", "").split(",") if host.strip()
        ]
        or None,
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
    }


class Defaults:
    """Settings that do not depend on the environment."""

    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    WTF_CSRF_TIME_LIMIT = None  # a draft can stay open all day; the token is tied to the session
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    BASE_URL = DEVELOPMENT_BASE_URL  # links in mail start with it (drafting/links.py)
    INVITATION_DAYS = 14
    LANGUAGES: ClassVar[list[str]] = ["en", "es", "fr", "ar"]
    BABEL_DEFAULT_LOCALE = "en"
    # Argon2id parameters (argon2-cffi's RFC 9106 low-memory profile); tests lower them.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMITS = "10 per minute;100 per day"  # registration, per address
    # Sign-in failures (accounts/throttle.py): free ones per address and account, then a wait
    # doubling from the first delay up to the maximum (seconds), failures remembered a day;
    # and a generous cap on one address's failures over all accounts.
    SIGN_IN_FREE_FAILURES = 3
    SIGN_IN_FIRST_DELAY = 1
    SIGN_IN_MAX_DELAY = 15 * 60
    SIGN_IN_FAILURE_MEMORY = 24 * 60 * 60
    SIGN_IN_ADDRESS_FAILURES = "50 per hour;200 per day"
    TOKEN_LIMITS = "10 per minute;100 per day"  # noqa: S105
    PASSWORD_CHANGE_LIMITS = "5 per minute;20 per day"  # noqa: S105  (per person and address)
    # Mails one person's actions may send (notifications, invitations); beyond, the in-app
    # notification is still made, and an invitation link is shown instead of mailed.
    MAIL_LIMITS_PER_SENDER = "20 per minute;200 per hour"
    ENDORSEMENT_LIMITS = "10 per hour;30 per day"  # public sign-on form, per address
    # Live editing (collab/limits.py): a person's open sessions per document (one more ends
    # their tab seen least recently), how often they may open one there, and how long one
    # sync may merge edits while it holds the document's lock (the rest is sent again).
    LIVE_SESSIONS_PER_PERSON = 10
    LIVE_SESSION_LIMITS = "30 per minute;300 per hour"
    SYNC_TIME_BUDGET = 2.0
    DRAFTING_ENV = "development"
    PROXY_HOPS = 0  # reverse proxies in front of the app whose X-Forwarded-* to trust
    # Hosts whose images a reader's browser may load; others show as links, never fetched.
    ALLOWED_IMAGE_HOSTS: ClassVar[list[str]] = []
    OPEN_REGISTRATION = True
    REDIS_URL = None
    MAIL_SERVER = None  # no mail server: invitation links are shown to the owner instead
    MAIL_PORT = 587
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_USE_TLS = True
    MAIL_DEFAULT_SENDER = "drafting@localhost"
    # PDF printing: limits of the sandboxed printing process, the queue that moves printing out
    # of web requests (RQ on Redis; unset prints inline) and the cache's size cap.
    PDF_TIME_LIMIT = 60.0
    PDF_MEMORY_LIMIT = 1024**3
    PDF_QUEUE_URL = None
    PDF_SPARE_PROCESS = True  # keep a printing process waiting with WeasyPrint loaded
    PDF_CACHE_MAX_BYTES = 512 * 1024**2
    # Without a queue, prints run on this process's print threads (print_pool.py): how many
    # at once, how many may be in flight in all and per person, how long a request waits for
    # its PDF before answering "pending", and how long a failed print is remembered.
    PDF_PRINTERS = 2
    PDF_PRINTS_WAITING = 8
    PDF_PRINTS_PER_PERSON = 2
    PDF_WAIT_SECONDS = 10.0
    PDF_FAILURE_SECONDS = 30.0
    # How long a change notification request waits before answering "nothing new", and how
    # many may wait at once in one process and per person (collab/notify.py).
    LONG_POLL_SECONDS = 20.0
    LONG_POLLS_WAITING = 16
    LONG_POLLS_PER_PERSON = 4
