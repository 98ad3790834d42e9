"""Deployment checks of accounts (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def shared_cache(app_configs, **kwargs):
    """The lockout's pace, the username lock and the recovery limits count in the cache: a
    cache of each process's own would let every process count on its own."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The login throttle and the recovery rate limits count in the default cache, "
                "which is not shared between processes.",
                hint="Set CACHE_URL to a shared cache, e.g. redis://redis:6379/1.",
                id="accounts.W001",
            )
        ]
    return []
