"""The renewal reminder: a bericht once, when a ketenmachtiging enters the Acties tab."""

import datetime

from django.db.models import Q
from django.utils import timezone

from .. import dates
from ..constants import REMIND
from ..services.transitions import move_many
from . import due
from .batches import run_in_batches


def send_renewal_reminders(today: datetime.date | None = None) -> int:
    """Remind the intermediair of every ketenmachtiging that is due for renewal and was not
    reminded before: stamped, an event and a bericht each (the berichtenbox mails each
    intermediair's beheerders once per batch)."""
    return run_in_batches(
        "send_renewal_reminders",
        due.reminders_due(today or dates.today()),
        lambda ids: len(
            move_many(
                ids, REMIND, guard=Q(reminder_sent_at__isnull=True), reminder_sent_at=timezone.now()
            )
        ),
        summary="herinneringen voor verlenging verstuurd",
    )
