"""Deployment checks (`manage.py check --deploy`): what logging in and its limits need."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from zlogin.startup import MISSING_SECRET_KEY, secret_key_is_set


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


@register(deploy=True)
def secret_key(app_configs, **kwargs):
    """Sessions, password links and the second factor's tokens are signed with it."""
    if secret_key_is_set():
        return []
    return [
        Error(
            MISSING_SECRET_KEY,
            hint="python3 -c 'import secrets; print(secrets.token_urlsafe(50))'",
            id="accounts.E001",
        )
    ]
