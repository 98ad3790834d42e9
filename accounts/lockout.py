"""When a locked login can be tried again, for the lockout page.

django-axes locks a username at an address after LOGIN_FAILURE_LIMIT failures, until the cool-off
(AXES_COOLOFF_TIME) has passed since the last failure; a failure during the lock starts it again.
The lock of accounts/throttle.py (one username from many addresses) lasts at most a cool-off.
"""

import datetime
import math

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.db.models import Max
from django.utils import timezone


def cool_off_minutes(request) -> int:
    """How long a lock lasts (LOGIN_LOCKOUT_MINUTES)."""
    return math.ceil(get_cool_off(request).total_seconds() / 60)


def lock_ends_at(request, username: str) -> datetime.datetime:
    """When the lock on `username` at this request's address ends, if nobody tries again."""
    now = timezone.now()
    last_failure = None
    handler = AxesProxyHandler.get_implementation()
    if isinstance(handler, AxesDatabaseHandler):
        AxesProxyHandler.update_request(request)  # the address as axes counts it
        for attempts in handler.filter_user_attempts(request, {"username": username}):
            latest = attempts.aggregate(latest=Max("attempt_time"))["latest"]
            if latest and (last_failure is None or latest > last_failure):
                last_failure = latest
    ends_at = last_failure + get_cool_off(request) if last_failure else None
    if ends_at is None or ends_at <= now:
        # Not axes's lock (or no record of it): the throttle's lasts at most a cool-off.
        ends_at = now + get_cool_off(request)
    return ends_at


def minutes_until(moment: datetime.datetime) -> int:
    """Whole minutes from now until `moment`, rounded up: "over 1 minuut" until it has passed."""
    return max(1, math.ceil((moment - timezone.now()).total_seconds() / 60))
