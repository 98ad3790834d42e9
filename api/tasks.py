"""Celery tasks of the API."""

from celery import shared_task

from .retention import prune_check_log


@shared_task
def prune_check_log_task() -> int:
    return prune_check_log()
