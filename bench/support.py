"""What every benchmark needs before Django starts.

A benchmark runs as a module from the project's directory (`.venv/bin/python -m bench.nightly`),
so that `bench` and the project's apps are importable. It imports only the standard library,
third-party packages and this module at its top; its main() calls setup_django() first, and the
project's modules are imported where they are used, after it.
"""

import os


def setup_django(**environment: str) -> None:
    """Set these defaults of the environment (a variable already set wins), create the database
    of DATABASE_URL when missing, and start Django."""
    for name, value in environment.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zlogin.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database when it does not exist yet (SQLite needs nothing)."""
    if not url.startswith("postgres"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def remove_ketenmachtigingen_of(intermediair) -> None:
    """A benchmark's rows of an earlier run: the ketenmachtigingen of its intermediair, with
    their outbox messages (events and berichten go with them)."""
    from django.contrib.contenttypes.models import ContentType

    from ketenmachtigingen.models import Ketenmachtiging
    from outbox.models import OutboxMessage

    old = Ketenmachtiging.objects.filter(intermediair=intermediair)
    OutboxMessage.objects.filter(
        target_type=ContentType.objects.get_for_model(Ketenmachtiging),
        target_id__in=old.values("pk"),
    ).delete()
    old.delete()
