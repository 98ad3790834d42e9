"""What every benchmark needs before Django starts."""


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
