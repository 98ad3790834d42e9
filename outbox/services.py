"""Public API of the outbox: side effects that cannot be lost.

A change writes its side effects as messages in its own transaction (`enqueue`); once it has
committed they are offered to the Celery workers. A worker delivers a message at most once at a
time (the row is locked, a second worker skips it) and only while it is pending, so a
redelivered or doubly dispatched task does nothing. A failed attempt is retried with backoff;
after the last one the message fails and its kind makes the failure visible. The sweep (beat,
every minute) offers again whatever is due and not with a worker: after a broker outage, a lost
task or a killed worker, delivery is only later.

    enqueue(kind, target=..., payload=...)     within the change's transaction
    deliver(message_id)                        a worker's task
    sweep()                                    beat, every minute
    prune()                                    beat, every night
    resend(messages)                           staff: "Verstuur opnieuw"
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

import structlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import delete_in_batches

from . import registry
from .dispatch import publish_on_commit
from .errors import PermanentError
from .mail import send_email
from .models import OutboxMessage, State
from .registry import register

if TYPE_CHECKING:
    from accounts.models import User

__all__ = [
    "OutboxMessage",
    "PermanentError",
    "State",
    "deliver",
    "enqueue",
    "enqueue_each",
    "enqueue_many",
    "kind_label",
    "messages_for",
    "prune",
    "register",
    "resend",
    "send_email",
    "sweep",
]

logger = logging.getLogger("zlogin.outbox")

# An error text kept on the message (and shown to people by some kinds) stays readable.
MAX_ERROR_LENGTH = 500


def enqueue(
    kind: str, *, target: models.Model | None = None, payload: dict | None = None
) -> OutboxMessage:
    """Write one message in the current transaction; it is offered to a worker on commit."""
    return enqueue_each(kind, [target], payload=payload)[0]


def enqueue_each(
    kind: str, targets: Iterable[models.Model | None], *, payload: dict | None = None
) -> list[OutboxMessage]:
    """One message per target, with the same payload, written with one INSERT."""
    return enqueue_many(kind, ((target, payload) for target in targets))


def enqueue_many(
    kind: str, items: Iterable[tuple[models.Model | None, dict | None]]
) -> list[OutboxMessage]:
    """One message per (target, payload), written with one INSERT."""
    registry.kind(kind)  # an unknown kind fails here, with the change, not in a worker
    now = timezone.now()
    request_id = str(structlog.contextvars.get_contextvars().get("request_id", ""))[:64]
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            kind=kind,
            request_id=request_id,
            target_type=ContentType.objects.get_for_model(target) if target else None,
            target_id=target.pk if target else None,
            payload=payload or {},
            next_attempt_at=now,
            dispatched_at=now,
        )
        for target, payload in items
    )
    publish_on_commit([message.pk for message in messages])
    return messages


def kind_label(kind: str):
    """What staff call a kind of message ("Uitnodiging aan de relatie")."""
    return registry.label(kind)


def messages_for(target: models.Model):
    """The messages written for one object, newest first."""
    return OutboxMessage.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )


def deliver(message_id: int) -> str | None:
    """Deliver the message if it is pending, due and no other worker has it; return its new
    state (None: nothing done here)."""
    attempt = _claim(message_id)
    if attempt is None:
        return None
    with transaction.atomic():
        # Only the latest claim delivers: a duplicate task that claimed it too, or a later
        # one, finds the count moved on and leaves it.
        message = _pending(message_id).filter(attempts=attempt).first()
        if message is None:
            return None
        # The delivery's log lines carry the request_id of the request that wrote the message,
        # also when the sweep handed it over long after.
        with structlog.contextvars.bound_contextvars(request_id=message.request_id or None):
            try:
                kind = registry.kind(message.kind)
                with transaction.atomic():  # a savepoint: a failed attempt leaves nothing
                    done = kind.deliver(message)
            except Exception as error:
                _record_failed_attempt(message, error)
            else:
                _finish(message, State.DELIVERED if done is not False else State.SKIPPED)
        return message.state


def _pending(message_id: int):
    """The message, locked; skipped while another worker holds it."""
    return OutboxMessage.objects.select_for_update(skip_locked=True).filter(
        pk=message_id, state=State.PENDING
    )


def _due(now: datetime.datetime) -> Q:
    """Its retry's time has come; a first attempt is always due (the web host that wrote it
    may have a clock a little ahead of the worker's)."""
    return Q(next_attempt_at__lte=now) | Q(attempts=0)


def _claim(message_id: int) -> int | None:
    """Count the attempt before making it, in a transaction of its own: a message whose
    delivery kills the worker every time (out of memory, say) still runs out of attempts.
    Returns the attempt's number, or None when there is nothing to do."""
    now = timezone.now()
    with transaction.atomic():
        message = _pending(message_id).filter(_due(now)).first()
        if message is None:
            return None
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            _give_up(
                message, _("De aflevering is %(n)d keer afgebroken.") % {"n": message.attempts}
            )
            return None
        message.attempts += 1
        message.claimed_at = now  # the sweep leaves it to this worker for a lease
        message.save(update_fields=["attempts", "claimed_at"])
    return message.attempts


def _finish(message: OutboxMessage, state: State, error: str = "") -> None:
    message.state = state
    message.finished_at = timezone.now()
    message.last_error = error
    message.save(update_fields=["state", "finished_at", "last_error"])


def describe(error: Exception) -> str:
    text = str(error) or type(error).__name__
    if not isinstance(error, PermanentError):
        text = f"{type(error).__name__}: {text}"
    return text[:MAX_ERROR_LENGTH]


def retry_delay(attempts: int) -> datetime.timedelta:
    """1, 2, 4 … minutes after the first, second, third … failed attempt, at most an hour
    (OUTBOX_RETRY_SECONDS, OUTBOX_RETRY_MAX_SECONDS)."""
    seconds = settings.OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def _record_failed_attempt(message: OutboxMessage, error: Exception) -> None:
    reason = describe(error)
    final = isinstance(error, PermanentError) or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    log = logger.warning if isinstance(error, PermanentError | OSError) else logger.exception
    log(
        "%s #%s, attempt %d of %d failed%s: %s",
        message.kind,
        message.pk,
        message.attempts,
        settings.OUTBOX_MAX_ATTEMPTS,
        " for good" if final else "",
        reason,
    )
    if final:
        _give_up(message, reason)
        return
    message.last_error = reason
    message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
    message.dispatched_at = None  # for the sweep, once due
    message.save(update_fields=["last_error", "next_attempt_at", "dispatched_at"])


def _give_up(message: OutboxMessage, reason: str) -> None:
    """The message fails; its kind makes that visible in the same transaction."""
    _finish(message, State.FAILED, reason)
    try:
        with transaction.atomic():
            kind = registry.kind(message.kind)
            if kind.give_up is not None:
                kind.give_up(message, reason)
    except Exception:
        # The failure stays visible in the admin's list of messages.
        logger.exception("%s #%s: making the failure visible failed", message.kind, message.pk)


def sweep(*, now: datetime.datetime | None = None, limit: int | None = None) -> int:
    """Offer the workers every pending message that is due and not with one; return how many.

    Not with a worker: never handed to the broker, or the broker refused it (dispatched_at
    empty); taken by a worker that has not finished within OUTBOX_DISPATCH_LEASE_SECONDS (it
    died); or handed to the broker and taken by no worker within OUTBOX_QUEUE_LEASE_SECONDS
    (the broker lost it). A message still waiting in a long queue is not offered twice. Safe
    to run at any time and twice at once: rows are taken with SKIP LOCKED.
    """
    now = now or timezone.now()
    claim_lease = datetime.timedelta(seconds=settings.OUTBOX_DISPATCH_LEASE_SECONDS)
    queue_lease = datetime.timedelta(seconds=settings.OUTBOX_QUEUE_LEASE_SECONDS)
    claimed_since_offered = Q(claimed_at__isnull=False, claimed_at__gte=F("dispatched_at"))
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(_due(now), state=State.PENDING)
            .filter(
                Q(dispatched_at__isnull=True)
                | (claimed_since_offered & Q(claimed_at__lt=now - claim_lease))
                | (~claimed_since_offered & Q(dispatched_at__lt=now - queue_lease))
            )
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[: limit or settings.OUTBOX_SWEEP_BATCH]
        )
        OutboxMessage.objects.filter(pk__in=ids).update(dispatched_at=now)
        publish_on_commit(ids)
    if ids:
        logger.info("sweep: %d message(s) offered to the workers", len(ids))
    return len(ids)


def prune(*, now: datetime.datetime | None = None) -> int:
    """Delete what was delivered or not needed more than OUTBOX_RETENTION_DAYS ago; failed
    messages stay until staff send them again. Returns how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    deleted = delete_in_batches(
        OutboxMessage.objects.filter(
            state__in=[State.DELIVERED, State.SKIPPED], created_at__lt=cutoff
        ).order_by("state", "created_at")
    )
    if deleted:
        logger.info("prune: %d delivered message(s) from before %s", deleted, cutoff.isoformat())
    return deleted


@transaction.atomic
def resend(messages: Iterable[OutboxMessage], *, acting_user: User | None) -> int:
    """ "Verstuur opnieuw": failed messages get a new series of attempts, at once."""
    now = timezone.now()
    failed = list(
        OutboxMessage.objects.select_for_update().filter(
            pk__in=[m.pk for m in messages], state=State.FAILED
        )
    )
    for message in failed:
        kind = registry.kind(message.kind)
        if kind.resend is not None:
            kind.resend(message, acting_user=acting_user)
    ids = [message.pk for message in failed]
    OutboxMessage.objects.filter(pk__in=ids).update(
        state=State.PENDING, attempts=0, next_attempt_at=now, dispatched_at=now, finished_at=None
    )
    logger.info("%s: %d message(s) sent again", acting_user, len(ids))
    publish_on_commit(ids)
    return len(ids)
