"""Health for the load balancer and the orchestrator: no login, no session, never slow.

`/health/live` answers when the process does (nothing else is asked). `/health/ready` asks each
part the portal needs, in the request's own thread and on the process's own connections, so that
it costs what one request through the same stack costs: one PostgreSQL round trip on the
persistent database connection, one write to the cache, a PING to the Redis broker (when tasks
go through one) and a look at the static files' manifest. 200, or 503 with JSON naming the part
that failed; never a 500. The parts are asked one after the other, each within its client's
time limit: the database's connect timeout and TCP user timeout (DATABASE_CONNECT_TIMEOUT,
DATABASE_TCP_USER_TIMEOUT: 5 s each), 2 s for the cache and for the broker; at worst about 9 s.
"""

import datetime
import functools
import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger("zlogin.health")

TIMEOUT = datetime.timedelta(seconds=2)
DATABASE_ALIAS = "default"
OK = "ok"


class Unavailable(Exception):
    """A part is not ready; its text is shown in the report (never a secret)."""


def database() -> None:
    connection = connections[DATABASE_ALIAS]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return
    # Django's cursor would first run a SELECT 1 of its own on a reused connection
    # (CONN_HEALTH_CHECKS); is_usable() is that SELECT 1, and the probe's only round trip. A
    # connection the server dropped (a restart) is replaced once, as any request would.
    for _attempt in range(2):
        connection.ensure_connection()
        if connection.is_usable():
            return
        connection.close()
    raise Unavailable("the connection was lost")


def cache_write() -> None:
    cache.set("health:ready", OK, timeout=10)


def static_manifest() -> None:
    """The manifest of the collected static files names the stylesheet (with DEBUG off a page
    without it fails)."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return  # development: files are served as they are
    try:
        staticfiles_storage.url("css/zlogin.css")
    except ValueError as error:
        raise Unavailable("the static files were not collected") from error


@functools.cache
def _broker_client(url: str) -> redis.Redis:
    """One client (and connection pool) per broker address for the life of the process."""
    seconds = TIMEOUT.total_seconds()
    return redis.Redis.from_url(url, socket_connect_timeout=seconds, socket_timeout=seconds)


def broker() -> None:
    _broker_client(settings.CELERY_BROKER_URL).ping()


def _parts() -> dict[str, Callable[[], None]]:
    parts = {"database": database, "cache": cache_write, "static": static_manifest}
    if settings.CELERY_BROKER_URL.startswith("redis") and not settings.CELERY_TASK_ALWAYS_EAGER:
        parts["broker"] = broker
    return parts


def _shown(error: Exception) -> str:
    """What the report says of a part that failed: never a client's message (it may name a
    host), only what kind of failure it was."""
    if isinstance(error, Unavailable):
        return str(error)
    if isinstance(error, redis.TimeoutError):
        return "no answer in time"
    if isinstance(error, redis.ConnectionError):
        return "unable to connect"
    return f"unavailable ({type(error).__name__})"


def _outcome(name: str, probe: Callable[[], None]) -> str:
    """OK, or what the report says of the part; the log line says why (a client's message names
    host and port, never a password), a traceback only for what no client explains."""
    try:
        probe()
    except (Unavailable, redis.RedisError) as error:
        logger.warning("health: %s is not ready: %s", name, error)
        return _shown(error)
    except Exception as error:  # never a 500: whatever broke, the part is not ready
        logger.warning("health: %s is not ready", name, exc_info=True)
        return _shown(error)
    return OK


@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    report = {name: _outcome(name, probe) for name, probe in _parts().items()}
    failed = any(value != OK for value in report.values())
    return JsonResponse(
        {"status": "unavailable" if failed else OK, "checks": report},
        status=503 if failed else 200,
    )


@never_cache
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": OK})
