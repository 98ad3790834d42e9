"""The nightly status changes: revocations on their date, expiry, unanswered invitations.

The same declared transitions as the single-row actions in services/lifecycle.py, applied a
batch at a time by the engine's set-based move_many (their berichten included).
"""

import datetime

from django.utils import timezone

from .. import dates
from ..constants import EXPIRE, LAPSE, REVOKE_ON_DATE
from ..services.transitions import move_many
from . import due
from .batches import run_in_batches


def execute_revocations(today: datetime.date | None = None) -> int:
    """Actief ketenmachtigingen whose chosen revocation date has come become Ingetrokken."""
    return run_in_batches(
        "execute_revocations",
        due.revocations_due(today or dates.today()),
        lambda ids: len(move_many(ids, REVOKE_ON_DATE, revoked_at=timezone.now())),
        summary="ketenmachtigingen ingetrokken",
    )


def expire(today: datetime.date | None = None) -> int:
    """Actief ketenmachtigingen whose end date has come become Verlopen."""
    return run_in_batches(
        "expire",
        due.expiries_due(today or dates.today()),
        lambda ids: len(move_many(ids, EXPIRE)),
        summary="ketenmachtigingen verlopen",
    )


def lapse_invitations(today: datetime.date | None = None) -> int:
    """Invitations not answered by their deadline become Vervallen; the intermediair gets a
    bericht for each (the transition's effect)."""
    return run_in_batches(
        "lapse_invitations",
        due.lapses_due(today or dates.today()),
        lambda ids: len(move_many(ids, LAPSE)),
        summary="ketenmachtigingen vervallen",
    )
