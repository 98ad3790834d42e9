"""Celery tasks of the outbox: thin, take ids; a repeated or redelivered task does nothing."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    name="outbox.deliver",
    ignore_result=True,
    acks_late=True,
    # A worker process killed mid-delivery (out of memory, say) gives the task back.
    reject_on_worker_lost=True,
    soft_time_limit=0.9 * settings.OUTBOX_DELIVERY_TIME_LIMIT,
    time_limit=settings.OUTBOX_DELIVERY_TIME_LIMIT,
)
def deliver_message(message_id: int) -> str | None:
    return services.deliver(message_id)


@shared_task(name="outbox.sweep", ignore_result=True)
def sweep_outbox() -> int:
    """Beat, every OUTBOX_SWEEP_SECONDS: offer again what is due and not with a worker."""
    return services.sweep()


@shared_task(
    name="outbox.prune",
    ignore_result=True,
    soft_time_limit=settings.NIGHTLY_JOBS_TIME_LIMIT - 60,
    time_limit=settings.NIGHTLY_JOBS_TIME_LIMIT,
)
def prune_outbox() -> int:
    """Beat, every night: delivered messages older than OUTBOX_RETENTION_DAYS."""
    return services.prune()
