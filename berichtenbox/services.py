"""Writes for the berichtenbox: new berichten (announced by e-mail) and reading them."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import Bericht


def post_berichten(berichten: Iterable[Bericht]) -> list[Bericht]:
    """Store berichten in one query; the beheerders hear of them by e-mail after commit."""
    created = Bericht.objects.bulk_create(list(berichten))
    if created:
        ids = [bericht.pk for bericht in created]
        from .tasks import announce_berichten

        transaction.on_commit(lambda: announce_berichten.delay(ids))
    return created


def post_bericht(*, organisation, subject: str, body: str, ketenmachtiging=None, recipient=None):
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
