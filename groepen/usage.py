"""What uses a groep. Ketenmachtigingen link groepen (Ketenmachtiging.groepen), but groepen is
beneath them and imports nothing of theirs: ketenmachtigingen registers here, when the apps are
ready, which links count as in use and how a groep is unlinked from them with a record of it."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class Uses:
    # The link rows (one per groep_id and user) that count as in use.
    in_use: Callable[[], QuerySet]
    # Unlink the groep from everything (locked, each recorded); the ids of what it was linked to.
    unlink: Callable[..., list[int]]


_registered: list[Uses] = []


def register(uses: Uses) -> None:
    _registered[:] = [uses]


def uses() -> Uses:
    if not _registered:
        raise LookupError("Nothing has registered how groepen are used (ketenmachtigingen).")
    return _registered[0]
