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
    soft_time_limit=settings.OUTBOX_DELIVERY_TIME_LIMIT - 15,
    time_limit=settings.OUTBOX_DELIVERY_TIME_LIMIT,
)
def deliver_message(message_id: int) -> str | None:
    return services.deliver(message_id)


@shared_task(name="outbox.sweep", ignore_result=True)
def sweep_outbox() -> int:
    """Beat, every OUTBOX_SWEEP_SECONDS: offer again what is due and not with a worker."""
    return services.sweep()
