"""How long the check log is kept: API_CHECK_LOG_RETENTION_DAYS, pruned every night."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import CheckLog

logger = logging.getLogger(__name__)

# Rows per DELETE: each batch is its own short transaction, so that pruning a large backlog
# neither holds locks long nor makes one huge transaction.
BATCH_SIZE = 10_000


def prune_check_log(*, now: datetime.datetime | None = None) -> int:
    """Delete the check log rows older than the retention period; returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.API_CHECK_LOG_RETENTION_DAYS)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                CheckLog.objects.filter(created_at__lt=cutoff)
                .order_by("created_at")
                .values_list("pk", flat=True)[:BATCH_SIZE]
            )
            if not ids:
                break
            deleted += CheckLog.objects.filter(pk__in=ids).delete()[0]
    if deleted:
        logger.info("Pruned %d check log rows from before %s", deleted, cutoff.isoformat())
    return deleted
