"""Celery tasks of Meerdere bedrijven: thin, take ids, idempotent."""

from celery import shared_task

from . import services


@shared_task(name="ketenmachtigingen.bulk.tasks.send_bulk_row")
def send_bulk_row(row_id: int) -> str | None:
    """Request the ketenmachtiging of one row of a submitted import. Only a waiting row is
    processed, so a redelivered or repeated task does nothing; returns the row's new state."""
    return services.process_row(row_id)
