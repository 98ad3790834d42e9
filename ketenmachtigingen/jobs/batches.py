"""How a nightly job walks its due rows: set-based, in batches, safe twice or at once.

One transaction per job. Each batch of due ids is locked with FOR UPDATE SKIP LOCKED, so a row
held by someone else at that moment (a beheerder revoking it, a second run of the job) is left
to them instead of waited for or changed twice; the handler then changes the whole batch with
one UPDATE and records the events with one INSERT (services/transitions.move_many). A second
run finds nothing left to do.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import QuerySet

from core.db import advisory_xact_lock

logger = logging.getLogger("zlogin.jobs")

# Ids per UPDATE: large enough that a night's work is a few statements, small enough to keep
# each statement's parameter list and lock set modest.
BATCH_SIZE = 5_000


def run_in_batches(
    name: str,
    due: QuerySet,
    handle: Callable[[list[int]], int],
    *,
    summary: str,
) -> int:
    """Hand the due rows to `handle` a batch of ids at a time; return how many it changed.

    `due` is ordered along the index that serves it (see due.py). `handle` must change every
    row it is given so that the next select no longer finds it.
    """
    changed = 0
    ids_of_due = due.select_for_update(skip_locked=True).values_list("pk", flat=True)
    with transaction.atomic():
        if not _try_job_lock(name):
            logger.info("%s: overgeslagen, deze job draait al", name)
            return 0
        while ids := list(ids_of_due[:BATCH_SIZE]):
            done = handle(ids)
            changed += done
            if not done:  # cannot happen while handlers match their due query; never loop on
                break
    logger.info("%s: %d %s", name, changed, summary)
    return changed


def _try_job_lock(name: str) -> bool:
    """One run of a job at a time on PostgreSQL: a second one skips instead of competing for
    rows. Held until the job's transaction ends. Other databases rely on the row locks."""
    return advisory_xact_lock(f"zlogin.jobs.{name}", wait=False)
