"""Slowing down password guessing without locking out the people it is aimed at.

- django-axes locks a username at one address after LOGIN_FAILURE_LIMIT failures.
- An address with more than LOGIN_ADDRESS_FAILURE_LIMIT failures (any username) within the
  lockout time is paced: after each failure from it, the next attempt waits
  LOGIN_ADDRESS_PACE_SECONDS. Guessing across usernames slows to a crawl.
- A username with more than LOGIN_USERNAME_FAILURE_LIMIT failures (from any address) within the
  lockout time is locked, for browsers it was not used in before: guessing one person's password
  from many addresses stops.
- A browser in which a person logged in carries a signed device cookie naming that username
  (OWASP's "device cookies"): for that username neither the pace nor the username lock applies
  to it, so the people behind a guessed-at address, or whose username is guessed at, log in
  as usual.

Counted in the cache (django-ratelimit; a shared cache such as Redis in production).
"""

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django_ratelimit.core import is_ratelimited

DEVICE_COOKIE = "zlogin_device"
DEVICE_COOKIE_AGE = 180 * 24 * 60 * 60
DEVICE_COOKIE_USERNAMES = 5  # a shared computer
_SALT = "accounts.throttle.device"


def _normalised(username: str) -> str:
    return username.strip().casefold()


def _window() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def _over(request, group: str, key, limit: int, *, increment: bool = False) -> bool:
    rate = f"{limit}/{_window()}s"
    return is_ratelimited(request, group=group, key=key, rate=rate, increment=increment)


def _by_username(username: str):
    return lambda group, request: _normalised(username)


def _pace_key(request) -> str:
    return f"login-paced:{request.META['REMOTE_ADDR']}"


def known_device(request, username: str) -> bool:
    try:
        usernames = signing.loads(
            request.COOKIES.get(DEVICE_COOKIE, ""), salt=_SALT, max_age=DEVICE_COOKIE_AGE
        )
    except signing.BadSignature:
        return False
    return _normalised(username) in usernames


def remember_device(request, response, username: str) -> None:
    """After a successful login: this browser is one the person uses."""
    try:
        usernames = signing.loads(request.COOKIES.get(DEVICE_COOKIE, ""), salt=_SALT)
    except signing.BadSignature:
        usernames = []
    name = _normalised(username)
    usernames = [name, *(u for u in usernames if u != name)][:DEVICE_COOKIE_USERNAMES]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(usernames, salt=_SALT),
        max_age=DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def refusal(request, username: str) -> str | None:
    """Why this password attempt may not be made now: "locked" (the username, from a browser it
    was not used in), "paced" (too soon after a failure from this address), or None."""
    if known_device(request, username):
        return None
    limit = settings.LOGIN_USERNAME_FAILURE_LIMIT
    if _over(request, "login-failures-per-username", _by_username(username), limit):
        return "locked"
    if cache.get(_pace_key(request)):
        return "paced"
    return None


def record_failure(request, username: str) -> None:
    """A wrong password or code: counted for the address and for the username."""
    _over(
        request,
        "login-failures-per-username",
        _by_username(username),
        settings.LOGIN_USERNAME_FAILURE_LIMIT,
        increment=True,
    )
    if _over(
        request,
        "login-failures-per-address",
        "ip",
        settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        increment=True,
    ):
        cache.set(_pace_key(request), True, settings.LOGIN_ADDRESS_PACE_SECONDS)


def first_refusal_in_a_while(request, username: str) -> bool:
    """Whether to write this refusal in the login history: once per pace, not for every
    attempt of a script."""
    key = f"login-refusal-noted:{request.META['REMOTE_ADDR']}:{_normalised(username)}"
    return cache.add(key, True, settings.LOGIN_ADDRESS_PACE_SECONDS)
