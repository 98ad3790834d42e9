"""What a process that serves the portal or runs its tasks needs before it starts.

Django's settings load without a SECRET_KEY when DEBUG is off, so that commands that sign
nothing (makemigrations, collectstatic at build time) run without secrets; gunicorn, the ASGI
server, runserver and the Celery worker and beat refuse to start without one, and
`check --deploy` reports it (accounts/checks.py)."""

from django.core.exceptions import ImproperlyConfigured

MISSING_SECRET_KEY = "SECRET_KEY must be set when DEBUG is off."


def secret_key_is_set() -> bool:
    from django.conf import settings

    try:
        return bool(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses to hand out an empty one
        return False


def require_secret_key() -> None:
    if not secret_key_is_set():
        raise ImproperlyConfigured(
            f"{MISSING_SECRET_KEY} Generate one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
