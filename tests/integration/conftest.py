"""A real Celery worker on Redis, in a thread of the test process.

The worker shares the process, so Django's settings (the locmem mail backend of the root
conftest) and django.core.mail.outbox are the same for the test and the task.
"""

import os
import uuid

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from zlogin import celery_app

# Database 13 is kept for these tests and the benchmark.
REDIS_URL = "redis://127.0.0.1:6379/13"
CELERY_SETTINGS = ("task_always_eager", "broker_url", "result_backend", "task_default_queue")


def redis_answers(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        return False


def _forget_connections(app) -> None:
    """Forget what was made from the previous settings (queues, routes, the broker pool, the
    result backend), so that the next use follows the current ones. (Not closed: kombu keeps
    its pools per URL, for reuse.)"""
    app._pool = None
    vars(app).pop("amqp", None)  # a cached property; its queues and producer pool go with it
    app._backend_cache = None
    vars(app._local).pop("backend", None)


@pytest.fixture
def celery_worker_on_redis(monkeypatch):
    if not redis_answers(REDIS_URL):
        pytest.skip(f"Redis does not answer PING at {REDIS_URL}: no broker for a real worker")
    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", REDIS_URL)
    conf = celery_app.conf
    saved = {name: conf[name] for name in CELERY_SETTINGS}
    # A queue of this test only: test runs (and the benchmark) at the same time on the same
    # Redis database do not take each other's tasks.
    queue = f"zlogin-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    conf.update(
        task_always_eager=False,
        broker_url=REDIS_URL,
        result_backend=REDIS_URL,
        task_default_queue=queue,
    )
    _forget_connections(celery_app)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False) as worker:
            yield worker
    finally:
        conf.update(saved)
        _forget_connections(celery_app)
        # The queue and kombu's bindings for it.
        redis.Redis.from_url(REDIS_URL).delete(
            queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
        )
