"""Health for the load balancer and the orchestrator: no login, no session, never slow.

`/health/live` answers when the process does (nothing else is asked). `/health/ready` asks
PostgreSQL, the cache, the Redis broker and the static files' manifest, each with a short time
limit (django-health-check): 200, or 503 with JSON naming the part that failed. Never a 500.
"""

import asyncio
import dataclasses
import datetime
import logging

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

logger = logging.getLogger("zlogin.health")

TIMEOUT = datetime.timedelta(seconds=2)
DATABASE_ALIAS = "default"


@dataclasses.dataclass
class QuickDatabase(Database):
    timeout = TIMEOUT


@dataclasses.dataclass
class StaticManifest(HealthCheck):
    """The manifest of the collected static files is there and names the stylesheet (with
    DEBUG off a page without it fails)."""

    timeout = TIMEOUT

    def run(self):
        if not isinstance(staticfiles_storage, ManifestFilesMixin):
            return  # development: files are served as they are
        try:
            staticfiles_storage.url("css/zlogin.css")
        except ValueError as error:
            raise ServiceUnavailable("the static files were not collected") from error


def _broker_client():
    from redis.asyncio import Redis as RedisClient

    timeout = TIMEOUT.total_seconds()
    return RedisClient.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=timeout, socket_timeout=timeout
    )


def _checks() -> dict[str, tuple]:
    checks = {
        "database": (QuickDatabase, {"alias": DATABASE_ALIAS}),
        "cache": (Cache, {"timeout": TIMEOUT}),
        "static": (StaticManifest, {}),
    }
    if settings.CELERY_BROKER_URL.startswith("redis") and not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = (Redis, {"client_factory": _broker_client})
    return checks


class ReadyView(HealthCheckView):
    async def get(self, request, *args, **kwargs):
        names, self.checks = zip(*_checks().items(), strict=True)
        try:
            with self.get_executor() as executor:
                results = await asyncio.gather(
                    *(check.get_result(executor) for check in self.get_checks())
                )
            report = {
                name: str(result.error) if result.error else "ok"
                for name, result in zip(names, results, strict=True)
            }
        except Exception:  # never a 500: whatever broke, the portal is not ready
            logger.exception("health check failed")
            report = {"health": "the checks could not run"}
        failed = any(value != "ok" for value in report.values())
        return JsonResponse(
            {"status": "unavailable" if failed else "ok", "checks": report},
            status=503 if failed else 200,
        )


@never_cache
def live(request):
    return JsonResponse({"status": "ok"})


ready = ReadyView.as_view()
