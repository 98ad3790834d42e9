"""The nightly status changes: revocations on their date, expiry, unanswered invitations.

Set-based versions of lifecycle.execute_scheduled_revocation, expire and lapse: the same moves
(checked against TRANSITIONS when a job starts), the same notes, an event per row.
"""

import datetime

from django.utils import timezone

from .. import dates
from ..constants import EventKind, Status
from ..models import Ketenmachtiging
from ..services.lifecycle import ensure_transition_allowed
from . import due
from .batches import record_system_events, run_in_batches
from .berichten import post_lapsed


def move_batch(
    ids: list[int],
    *,
    from_status: str,
    to_status: str,
    note: str = "",
    values: tuple[str, ...] = ("pk",),
    **changes,
) -> list[dict]:
    """Move the batch with one UPDATE and record an event per row moved; return those rows
    with `values`. The status condition is repeated in the UPDATE so that a row changed since
    it was selected stays as it is."""
    now = timezone.now()
    Ketenmachtiging.objects.filter(pk__in=ids, status=from_status).update(
        status=to_status, updated_at=now, **changes
    )
    # The batch was selected in from_status and is locked until commit: the rows now in
    # to_status are exactly the ones this UPDATE moved. Checked here, not in the WHERE, so that
    # the query stays a primary-key lookup whatever the planner thinks of the status.
    rows = [
        row
        for row in Ketenmachtiging.objects.filter(pk__in=ids).values("status", *values)
        if row.pop("status") == to_status
    ]
    record_system_events(
        (row["pk"] for row in rows),
        kind=EventKind.STATUS,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    return rows


def execute_revocations(today: datetime.date | None = None) -> int:
    """Actief ketenmachtigingen whose chosen revocation date has come become Ingetrokken."""
    today = today or dates.today()
    ensure_transition_allowed(Status.ACTIEF, Status.INGETROKKEN)

    def revoke(ids):
        moved = move_batch(
            ids,
            from_status=Status.ACTIEF,
            to_status=Status.INGETROKKEN,
            note="Ingetrokken op de gekozen datum.",
            revoked_at=timezone.now(),
        )
        return len(moved)

    return run_in_batches(
        "execute_revocations",
        due.revocations_due(today),
        revoke,
        summary="ketenmachtigingen ingetrokken",
    )


def expire(today: datetime.date | None = None) -> int:
    """Actief ketenmachtigingen whose end date has come become Verlopen."""
    today = today or dates.today()
    ensure_transition_allowed(Status.ACTIEF, Status.VERLOPEN)

    def expire_batch(ids):
        return len(move_batch(ids, from_status=Status.ACTIEF, to_status=Status.VERLOPEN))

    return run_in_batches(
        "expire", due.expiries_due(today), expire_batch, summary="ketenmachtigingen verlopen"
    )


def lapse_invitations(today: datetime.date | None = None) -> int:
    """Invitations not answered by their deadline become Vervallen; the intermediair gets a
    bericht for each."""
    today = today or dates.today()
    ensure_transition_allowed(Status.AANVRAAG_VERSTUURD, Status.VERVALLEN)
    lapsed = []

    def lapse_batch(ids):
        moved = move_batch(
            ids,
            from_status=Status.AANVRAAG_VERSTUURD,
            to_status=Status.VERVALLEN,
            note="Niet binnen 3 maanden ontvangen.",
            values=("pk", "intermediair_id", "relatie__name"),
        )
        lapsed.extend(moved)
        return len(moved)

    return run_in_batches(
        "lapse_invitations",
        due.lapses_due(today),
        lapse_batch,
        summary="ketenmachtigingen vervallen",
        # Posted together: the berichtenbox mails each intermediair once per posting.
        finish=lambda: post_lapsed(lapsed),
    )
