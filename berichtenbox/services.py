"""Writes for the berichtenbox: new berichten (announced by e-mail) and reading them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone

from accounts.models import Organisation, User
from outbox.services import enqueue_each

from .models import Bericht

if TYPE_CHECKING:
    # The berichtenbox sits beneath ketenmachtigingen: a bericht names one by a lazy reference.
    from ketenmachtigingen.models import Ketenmachtiging

__all__ = [
    "ANNOUNCEMENT",
    "mark_read",
    "post_bericht",
    "post_berichten",
]

# The outbox kind of the announcement mail (deliveries.py).
ANNOUNCEMENT = "berichtenbox.announcement"


def post_berichten(berichten: Iterable[Bericht]) -> list[Bericht]:
    """Store berichten in one query; the beheerders of each organisation hear of them by one
    e-mail, an outbox message written in the same transaction (berichtenbox/mail.py)."""
    created = Bericht.objects.bulk_create(list(berichten))
    organisation_ids = sorted({bericht.organisation_id for bericht in created})
    enqueue_each(ANNOUNCEMENT, [Organisation(pk=pk) for pk in organisation_ids])
    return created


def post_bericht(
    *,
    organisation: Organisation,
    subject: str,
    body: str,
    ketenmachtiging: Ketenmachtiging | None = None,
    recipient: User | None = None,
) -> Bericht:
    return post_berichten(
        [
            Bericht(
                organisation=organisation,
                subject=subject,
                body=body,
                ketenmachtiging=ketenmachtiging,
                recipient=recipient,
            )
        ]
    )[0]


def mark_read(bericht: Bericht) -> None:
    if bericht.read_at is None:
        Bericht.objects.filter(pk=bericht.pk, read_at__isnull=True).update(read_at=timezone.now())
