"""Handing messages to the workers: fast, and never the cause of a failed web request.

What the broker does not take is marked as not handed over; the sweep offers it again.
"""

import logging

from django.db import transaction

from .models import OutboxMessage, State

logger = logging.getLogger("zlogin.outbox")


def publish_on_commit(ids: list[int]) -> None:
    """Offer the messages to the workers once the surrounding transaction has committed."""
    if not ids:
        return

    def publish_committed():
        publish(ids)

    transaction.on_commit(publish_committed, robust=True)


def publish(ids: list[int]) -> int:
    """Offer the messages to the workers; return how many the broker took.

    With eager Celery (the embedded default) each is delivered here and now; an error of the
    delivery itself is recorded on the message, never raised.
    """
    from .tasks import deliver_message

    app = deliver_message.app  # the project's Celery app (zlogin/celery.py)
    if app.conf.task_always_eager:
        for pk in ids:
            deliver_message.apply(args=(pk,), throw=False)
        return len(ids)
    taken = 0
    try:
        # One attempt, with a time limit on every socket operation: a broker that is down, or
        # up but not answering, must not hold up the page that wrote these.
        timeout = app.conf.broker_connection_timeout
        with app.connection_for_write(
            transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout}
        ) as connection:
            connection.ensure_connection(max_retries=0)
            for pk in ids:
                # Celery passes `connection` on to the publisher; its stubs do not name it.
                deliver_message.apply_async(
                    (pk,),
                    connection=connection,  # type: ignore[call-arg]
                    retry=False,
                )
                taken += 1
    except Exception as error:  # kombu wraps every transport's errors differently
        left = ids[taken:]
        logger.warning(
            "Broker unreachable (%s): %d message(s) left for the sweep", error, len(left)
        )
        OutboxMessage.objects.filter(pk__in=left, state=State.PENDING).update(dispatched_at=None)
    return taken
