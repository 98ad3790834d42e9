"""How long the check log is kept: API_CHECK_LOG_RETENTION_DAYS, pruned every night."""

import datetime
import logging

from django.conf import settings
from django.utils import timezone

from core.db import delete_in_batches

from .models import CheckLog

logger = logging.getLogger(__name__)

# Rows per DELETE, each batch its own short transaction.
BATCH_SIZE = 10_000


def prune_check_log(*, now: datetime.datetime | None = None) -> int:
    """Delete the check log rows older than the retention period; returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.API_CHECK_LOG_RETENTION_DAYS)
    deleted = delete_in_batches(
        CheckLog.objects.filter(created_at__lt=cutoff).order_by("created_at"),
        batch_size=BATCH_SIZE,
    )
    if deleted:
        logger.info("Pruned %d check log rows from before %s", deleted, cutoff.isoformat())
    return deleted
