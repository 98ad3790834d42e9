"""Two database tools the apps share: deleting a backlog in batches, and a named lock."""

import zlib

from django.db import connection, transaction
from django.db.models import QuerySet


def delete_in_batches(rows: QuerySet, *, batch_size: int = 10_000) -> int:
    """Delete `rows` (ordered along an index) a batch per short transaction, so that a large
    backlog neither holds locks long nor makes one huge transaction; returns how many."""
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(rows.values_list("pk", flat=True)[:batch_size])
            if not ids:
                return deleted
            deleted += rows.model.objects.filter(pk__in=ids).delete()[0]


def advisory_xact_lock(name: str, *, wait: bool = True) -> bool:
    """Take the PostgreSQL advisory lock `name` until the current transaction ends (waiting for
    it, or not: then return whether it was free). Other databases have one writer at a time and
    need none: True."""
    if connection.vendor != "postgresql":
        return True
    key = zlib.crc32(name.encode())
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [key])  # noqa: S608 (one of two names)
        return wait or cursor.fetchone()[0]
