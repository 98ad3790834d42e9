"""The per-address throttle of the login: guessing across many usernames from one address is
slowed down, without locking anyone out.

django-axes locks a username at an address after LOGIN_FAILURE_LIMIT failures. Beside it, the
failures of an address are counted (any username); past LOGIN_ADDRESS_FAILURE_LIMIT within the
lockout time the address gets one login attempt per LOGIN_ADDRESS_PACE_SECONDS. The people of an
office behind that address wait a few seconds at most; a guesser gets a few hundred attempts an
hour instead of thousands. Counted in the cache (django-ratelimit; Redis in production).
"""

from django.conf import settings
from django_ratelimit.core import is_ratelimited

_FAILURES = "login-failures-per-address"
_PACE = "login-pace-per-address"


def _failure_rate() -> str:
    return (
        f"{settings.LOGIN_ADDRESS_FAILURE_LIMIT}/{int(settings.AXES_COOLOFF_TIME.total_seconds())}s"
    )


def record_failure(request) -> None:
    is_ratelimited(request, group=_FAILURES, key="ip", rate=_failure_rate(), increment=True)


def must_wait(request) -> bool:
    """Whether this attempt comes too soon: only once the address has failed too often."""
    if not is_ratelimited(request, group=_FAILURES, key="ip", rate=_failure_rate()):
        return False
    rate = f"1/{settings.LOGIN_ADDRESS_PACE_SECONDS}s"
    return is_ratelimited(request, group=_PACE, key="ip", rate=rate, increment=True)
