"""Requests per client per minute, counted in Django's cache (Redis in production), so that
every web process shares the count. Fixed one-minute windows: simple, and cheap per request."""

import math
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

WINDOW_SECONDS = 60
KEY_TTL = WINDOW_SECONDS + 5


def _count(key: str) -> int:
    """Add one to the window's count and return it."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # Django's RedisCache.incr asks EXISTS first and sets no expiry: two round trips, and
        # a third to create the key. INCR creates it at 1; pipelined with EXPIRE it is one
        # round trip. Django stores integers as plain Redis integers, so cache.get() still
        # reads the count.
        redis_key = backend.make_and_validate_key(key)
        pipe = _redis_client(backend, redis_key).pipeline(transaction=False)
        pipe.incr(redis_key)
        pipe.expire(redis_key, KEY_TTL)
        count, _expiry_set = pipe.execute()
        return count
    try:
        return backend.incr(key)
    except ValueError:  # the window's first request
        return 1 if backend.add(key, 1, timeout=KEY_TTL) else backend.incr(key)


def _redis_client(backend: RedisCache, redis_key: str):
    """The backend's client for writes, made once: Django makes a new one (a costly object) on
    every call. A backend instance belongs to one thread, and so does this client."""
    client = getattr(backend, "_api_write_client", None)
    if client is None:
        client = backend._cache.get_client(redis_key, write=True)
        backend._api_write_client = client
    return client


def retry_after(client_id: int, limit: int, *, now: float | None = None) -> int | None:
    """Count one request. None while within `limit`; else the seconds until the next window."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    count = _count(f"api:rate:{client_id}:{window}")
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
