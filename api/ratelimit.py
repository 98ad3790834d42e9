"""Requests per client per minute, counted in Django's cache (Redis in production), so that
every web process shares the count. Fixed one-minute windows.

A process does not ask the cache on every request: it counts locally and adds its count to the
shared one every SYNC_EVERY requests (at most 1% of the limit) or SYNC_SECONDS, and on every
request once the total is near the limit. Far from the limit the shared count lags by at most
that many requests per process; near it, it is exact. (One Redis round trip per check was a
sixth of a check's time.)
"""

import math
import threading
import time
from typing import Any, cast

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

WINDOW_SECONDS = 60
KEY_TTL = WINDOW_SECONDS + 5
SYNC_EVERY = 100
SYNC_SECONDS = 1.0
NEAR_LIMIT = 0.8  # from this share of the limit on, every request asks the shared count

_lock = threading.Lock()
# cache key → [shared count when last asked, requests not yet added, when last asked]
_windows: dict[str, list[Any]] = {}


def _add(key: str, delta: int) -> int:
    """Add `delta` to the window's shared count and return it."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # Django's RedisCache.incr asks EXISTS first and sets no expiry: two round trips, and
        # a third to create the key. INCRBY creates it; pipelined with EXPIRE it is one round
        # trip. Django stores integers as plain Redis integers: cache.get() reads the count.
        redis_key = backend.make_and_validate_key(key)
        pipe = _redis_client(backend, redis_key).pipeline(transaction=False)
        pipe.incrby(redis_key, delta)
        pipe.expire(redis_key, KEY_TTL)
        count, _expiry_set = pipe.execute()
        return cast(int, count)
    try:
        return backend.incr(key, delta)
    except ValueError:  # the window's first request
        return delta if backend.add(key, delta, timeout=KEY_TTL) else backend.incr(key, delta)


def _redis_client(backend: RedisCache, redis_key: str) -> Any:
    """The backend's client for writes, made once: Django makes a new one (a costly object) on
    every call. A backend instance belongs to one thread, and so does this client."""
    client = getattr(backend, "_api_write_client", None)
    if client is None:
        client = backend._cache.get_client(redis_key, write=True)  # type: ignore[attr-defined]
        backend._api_write_client = client  # type: ignore[attr-defined]
    return client


def retry_after(client_id: int, limit: int, *, now: float | None = None) -> int | None:
    """Count one request. None while within `limit`; else the seconds until the next window."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"api:rate:{client_id}:{window}"
    with _lock:
        state = _windows.get(key)
        if state is None:
            for old in [k for k in _windows if not k.endswith(f":{window}")]:
                del _windows[old]
            state = _windows[key] = [0, 0, now]
        state[1] += 1
        shared, pending, asked = state
        sync = (
            pending >= min(SYNC_EVERY, limit // 100)
            or now - asked >= SYNC_SECONDS
            or shared + pending > limit * NEAR_LIMIT
        )
        if sync:
            state[1] = 0
    if sync:
        total = _add(key, pending)
        with _lock:
            state[0], state[2] = total, now
    else:
        total = shared + pending
    if total <= limit:
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))


def forget_local_counts() -> None:
    """For tests: the shared counts were cleared."""
    with _lock:
        _windows.clear()
