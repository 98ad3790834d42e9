"""The rate count with each cache backend: the tests' locmem, and Redis as in production."""

import pytest
import redis
from django.core.cache import caches

from api import ratelimit
from api.ratelimit import forget_local_counts, retry_after

NOW = 1_770_000_015.0  # 15 s into a minute window


def _redis_reachable() -> bool:
    try:
        return redis.Redis.from_url("redis://127.0.0.1:6379/13", socket_timeout=0.5).ping()
    except redis.RedisError:
        return False


@pytest.fixture(params=["locmem", "redis"])
def backend(request, settings):
    if request.param == "redis":
        if not _redis_reachable():
            pytest.skip("no Redis on 127.0.0.1:6379")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:6379/13",
                "KEY_PREFIX": "zlogin-tests",
            }
        }
    caches["default"].clear()
    forget_local_counts()
    yield caches["default"]
    caches["default"].clear()
    forget_local_counts()


def test_the_limit_per_window(backend):
    answers = [retry_after(7, 3, now=NOW) for _ in range(5)]

    assert answers == [None, None, None, 45, 45]
    assert backend.get(f"api:rate:7:{int(NOW // 60)}") == 5
    assert retry_after(7, 3, now=NOW + 45) is None  # the next window


def test_clients_are_counted_apart(backend):
    assert [retry_after(1, 1, now=NOW), retry_after(2, 1, now=NOW)] == [None, None]
    assert retry_after(1, 1, now=NOW) == 45


@pytest.mark.parametrize(("limit", "batch"), [(1000, 10), (50_000, ratelimit.SYNC_EVERY)])
def test_far_from_the_limit_the_shared_count_is_updated_in_batches(backend, limit, batch):
    """In batches of 1% of the limit, and of SYNC_EVERY at most."""
    key = f"api:rate:9:{int(NOW // 60)}"
    for _ in range(batch - 1):
        assert retry_after(9, limit, now=NOW) is None
    assert backend.get(key) in (None, 1)  # the first request of the window, at most

    assert retry_after(9, limit, now=NOW) is None

    assert backend.get(key) == batch


def test_another_processs_requests_count(backend):
    """Another process added 999 to the shared count; near the limit this one asks every time."""
    key = f"api:rate:4:{int(NOW // 60)}"
    assert retry_after(4, 1000, now=NOW) is None
    backend.incr(key, 999) if backend.get(key) else backend.set(key, 1000)

    assert retry_after(4, 1000, now=NOW + 1.5) == 44
