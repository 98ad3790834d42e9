"""Celery tasks of the API."""

from celery import shared_task
from django.conf import settings

from .retention import prune_check_log


@shared_task(
    soft_time_limit=settings.NIGHTLY_JOBS_TIME_LIMIT - 60,
    time_limit=settings.NIGHTLY_JOBS_TIME_LIMIT,
)
def prune_check_log_task() -> int:
    return prune_check_log()
