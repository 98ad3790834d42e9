"""The renewal reminder: a bericht once, when a ketenmachtiging enters the Acties tab."""

import datetime

from django.utils import timezone

from .. import dates
from ..constants import EventKind, Status
from ..models import Ketenmachtiging
from . import due
from .batches import record_system_events, run_in_batches
from .berichten import post_reminders


def send_renewal_reminders(today: datetime.date | None = None) -> int:
    """Remind the intermediair of every ketenmachtiging that is due for renewal and was not
    reminded before. The berichtenbox mails each intermediair's beheerders once per run."""
    today = today or dates.today()
    reminded = []

    def remind_batch(ids):
        rows = _remind(ids)
        reminded.extend(rows)
        return len(rows)

    return run_in_batches(
        "send_renewal_reminders",
        due.reminders_due(today),
        remind_batch,
        summary="herinneringen voor verlenging verstuurd",
        # Posted together: the berichtenbox mails each intermediair once per posting.
        finish=lambda: post_reminders(reminded),
    )


def _remind(ids: list[int]) -> list[dict]:
    """Stamp the batch with one UPDATE and record an event per row; return the rows."""
    now = timezone.now()
    Ketenmachtiging.objects.filter(
        pk__in=ids, status=Status.ACTIEF, reminder_sent_at__isnull=True
    ).update(reminder_sent_at=now, updated_at=now)
    # Locked since the select: the rows stamped with this moment are the ones just reminded.
    # Checked here, not in the WHERE: PostgreSQL would expect no row to match a new timestamp
    # and scan the table for it instead of looking up the ids.
    batch = Ketenmachtiging.objects.filter(pk__in=ids).values(
        "pk", "reminder_sent_at", "intermediair_id", "relatie__name", "end_date"
    )
    rows = [row for row in batch if row.pop("reminder_sent_at") == now]
    record_system_events(
        (row["pk"] for row in rows),
        kind=EventKind.REMINDER_SENT,
        note="Herinnering verlenging verstuurd.",
    )
    return rows
