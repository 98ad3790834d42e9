"""Celery tasks: thin, take ids, idempotent. The work lives in services and jobs; mail goes
through the outbox (deliveries.py)."""

from celery import shared_task
from django.conf import settings


@shared_task(
    name="ketenmachtigingen.tasks.run_nightly_jobs",
    soft_time_limit=settings.NIGHTLY_JOBS_TIME_LIMIT - 60,
    time_limit=settings.NIGHTLY_JOBS_TIME_LIMIT,
)
def run_nightly_jobs(only: list[str] | None = None) -> dict[str, int]:
    """The nightly jobs (beat, 02:15). Safe to run twice: a second run finds nothing to do."""
    from . import jobs

    return jobs.run_nightly_jobs(only=only)
