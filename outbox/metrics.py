"""What the outbox adds to /metrics (core/metrics.py): its backlog, read at each scrape."""

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from core.metrics import seconds_since, source

from .models import OutboxMessage, State
from .registry import kinds


@source("outbox")
def outbox_metrics() -> list[Metric]:
    """One query, however long the backlog: per kind and state (pending, failed) the count,
    the oldest message and the earliest due attempt, through the index on (state, created_at).
    """
    rows = (
        OutboxMessage.objects.filter(state__in=[State.PENDING, State.FAILED])
        .order_by()
        .values_list("kind", "state")
        .annotate(Count("pk"), Min("created_at"), Min("next_attempt_at"))
    )
    counts = {(kind.name, state): 0 for kind in kinds() for state in (State.PENDING, State.FAILED)}
    oldest = first_due = None
    for kind, state, count, created_at, next_attempt_at in rows:
        counts[kind, state] = count
        if state == State.PENDING:
            oldest = created_at if oldest is None else min(oldest, created_at)
            first_due = next_attempt_at if first_due is None else min(first_due, next_attempt_at)
    now = timezone.now()
    pending = GaugeMetricFamily(
        "zlogin_outbox_pending",
        "Outbox messages waiting to be delivered (state pending), by kind.",
        labels=["kind"],
    )
    failed = GaugeMetricFamily(
        "zlogin_outbox_failed",
        "Outbox messages that failed for good and wait for staff (state failed), by kind.",
        labels=["kind"],
    )
    for (kind, state), count in sorted(counts.items()):
        (pending if state == State.PENDING else failed).add_metric([kind], count)
    return [
        pending,
        failed,
        GaugeMetricFamily(
            "zlogin_outbox_oldest_pending_age_seconds",
            "Age of the oldest pending outbox message, retries included (0: none pending).",
            value=seconds_since(oldest, now),
        ),
        GaugeMetricFamily(
            "zlogin_outbox_overdue_seconds",
            "How long the pending outbox message that has been due the longest has waited for "
            "a worker (0: none due).",
            value=seconds_since(first_due, now),
        ),
    ]


# --- the scrape -------------------------------------------------------------------------------
