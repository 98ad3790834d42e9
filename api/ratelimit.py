"""Requests per client per minute, counted in Django's cache (Redis in production), so that
every web process shares the count. Fixed one-minute windows: simple, and cheap per request."""

import math
import time

from django.core.cache import cache

WINDOW_SECONDS = 60


def retry_after(client_id: int, limit: int, *, now: float | None = None) -> int | None:
    """Count one request. None while within `limit`; else the seconds until the next window."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"api:rate:{client_id}:{window}"
    try:
        count = cache.incr(key)
    except ValueError:  # first request of the window
        count = 1 if cache.add(key, 1, timeout=WINDOW_SECONDS + 5) else cache.incr(key)
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
