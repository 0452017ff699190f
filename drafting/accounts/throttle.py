"""Sign-in attempts: the one guessing waits, the account's owner does not.

Only failures count, and they count against the pair of the address they come from and the
account they try: a few are free, then each one more makes that pair wait twice as long before
its next attempt (up to SIGN_IN_MAX_DELAY), whatever the password. An address also has a
generous cap on its failures over all accounts. So a correct password from an address without
failures always works, however many guesses others made at the account; counting every attempt
per account, as before, let anyone lock its owner out (a minute for 13 wrong passwords, a day
for 148). Counts are in the limiter's storage, shared by every process.
"""

from __future__ import annotations

import math
import time

from flask import current_app
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from limits import parse_many

from drafting.accounts import service
from drafting.accounts.models import User
from drafting.errors import DomainError
from drafting.errors import NotAuthenticated
from drafting.extensions import limiter

MAX_DOUBLINGS = 30  # far past any configured maximum delay; keeps the power small
ADDRESS_SCOPE = "sign-in-failures"  # an address's failures over all accounts


class TooManyAttempts(DomainError):
    """This address must wait before trying this account (or any account) again."""

    status = 429
    code = "rate_limited"

    def __init__(self, seconds: int):
        super().__init__(
            ngettext(
                "Too many failed attempts. Try again in %(num)d second.",
                "Too many failed attempts. Try again in %(num)d seconds.",
                seconds,
            )
        )
        self.retry_after = seconds


def authenticate(email: str, password: str) -> User:
    """The person with these credentials (service.authenticate), unless this address must wait
    first: then TooManyAttempts, without looking at the password."""
    if not limiter.enabled:
        return service.authenticate(email, password)
    address, account = get_remote_address(), service.normalize_email(email)
    refuse_while_waiting(address, account)
    try:
        user = service.authenticate(email, password)
    except NotAuthenticated:
        record_failure(address, account)
        raise
    forget_failures(address, account)
    return user


def key(kind: str, address: str, account: str) -> str:
    """Where a pair's failures ("failures") or its current wait ("wait") are counted."""
    return f"drafting/sign-in/{kind}/{address}/{account}"


def address_limits():
    """The configured cap on one address's failures, over all accounts."""
    return parse_many(current_app.config["SIGN_IN_ADDRESS_FAILURES"])


def seconds_to_wait(address: str, account: str) -> float:
    """How long this pair must still wait: its own delay, or the address's cap."""
    storage, now = limiter.storage, time.time()
    waits = [0.0]
    if storage.get(key("wait", address, account)):
        waits.append(storage.get_expiry(key("wait", address, account)) - now)
    for item in address_limits():
        if not limiter.limiter.test(item, ADDRESS_SCOPE, address):
            reset_at = limiter.limiter.get_window_stats(item, ADDRESS_SCOPE, address).reset_time
            waits.append(reset_at - now)
    return max(waits)


def refuse_while_waiting(address: str, account: str) -> None:
    """TooManyAttempts while this pair waits."""
    wait = seconds_to_wait(address, account)
    if wait > 0:
        raise TooManyAttempts(max(1, math.ceil(wait)))


def delay_after(failures: int) -> int:
    """The wait after a pair's n-th failure: none for the free ones, then doubling."""
    config = current_app.config
    beyond = failures - config["SIGN_IN_FREE_FAILURES"]
    if beyond <= 0:
        return 0
    delay = config["SIGN_IN_FIRST_DELAY"] * 2 ** min(beyond - 1, MAX_DOUBLINGS)
    return min(delay, config["SIGN_IN_MAX_DELAY"])


def record_failure(address: str, account: str) -> None:
    """Count a failure against the address and the pair, and start the pair's wait."""
    for item in address_limits():
        limiter.limiter.hit(item, ADDRESS_SCOPE, address)
    storage = limiter.storage
    memory = current_app.config["SIGN_IN_FAILURE_MEMORY"]
    delay = delay_after(storage.incr(key("failures", address, account), memory))
    if delay:
        storage.clear(key("wait", address, account))
        storage.incr(key("wait", address, account), delay)


def forget_failures(address: str, account: str) -> None:
    """A correct password clears the pair's failures (the address's cap keeps its count)."""
    limiter.storage.clear(key("failures", address, account))
    limiter.storage.clear(key("wait", address, account))
