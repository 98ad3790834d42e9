"""The transition engine: the only code that writes a ketenmachtiging's status.

`move` applies one declared Transition (constants.LIFECYCLE) to one row, `move_many` to many
with one UPDATE. Both check the transition's source statuses, stamp the row, write the audit
event(s) through events.py and the transition's side effects through effects.py, all in the
caller's transaction: the side effects are outbox messages and berichten, delivered only once
the change has committed.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from accounts.models import User

from .. import events
from ..constants import Transition
from ..errors import InvalidTransition
from ..models import Ketenmachtiging
from . import effects

__all__ = [
    "ensure_allowed",
    "move",
    "move_many",
]


def ensure_allowed(transition: Transition, from_status: str | None) -> None:
    if from_status not in transition.sources:
        raise InvalidTransition(from_status, transition.target or from_status)


def move(
    km: Ketenmachtiging,
    transition: Transition,
    *,
    acting_user: User | None,
    note: str | None = None,
    **changes: Any,
) -> Ketenmachtiging:
    """Apply `transition` to `km`: a row the caller has locked (lifecycle.locked), or a new
    one (not yet saved) for the transitions that start a ketenmachtiging."""
    adding = km.pk is None
    from_status = None if adding else km.status
    ensure_allowed(transition, from_status)
    note = transition.note if note is None else note
    if transition.target is not None:
        km.status = transition.target
    for field, value in changes.items():
        setattr(km, field, value)
    if adding:
        km.save()
    else:
        status = ["status"] if transition.target is not None else []
        km.save(update_fields=[*status, "updated_at", *changes])
    events.transition_made(
        km,
        kind=transition.event,
        acting_user=acting_user,
        from_status=from_status if transition.target is not None else "",
        to_status=transition.target or "",
        note=note,
    )
    effects.apply(transition, [km], note=note)
    return km


def move_many(
    ids: Iterable[int],
    transition: Transition,
    *,
    acting_user: User | None = None,
    note: str | None = None,
    guard: Q | None = None,
    **changes: Any,
) -> list[Ketenmachtiging]:
    """Apply `transition` to the rows `ids` that are still in its source status (and match
    `guard`) with one UPDATE; write their events with one INSERT and their side effects in
    bulk. Return the rows moved.

    The caller holds the rows locked (jobs/batches.py selects them FOR UPDATE), so the rows
    stamped with this moment's updated_at are exactly the ones this UPDATE changed. (Checked
    in Python, not in a WHERE: PostgreSQL would expect no row to have a new timestamp and scan
    the table for it.)
    """
    [from_status] = transition.sources  # one source: the events name it
    ids = list(ids)
    note = transition.note if note is None else note
    now = timezone.now()
    fields = {"updated_at": now, **changes}
    if transition.target is not None:
        fields["status"] = transition.target
    Ketenmachtiging.objects.filter(pk__in=ids, status=from_status).filter(guard or Q()).update(
        **fields
    )
    batch = Ketenmachtiging.objects.filter(pk__in=ids).order_by("pk")
    # The effects (berichten) read the rows; without effects only the stamp is needed.
    batch = batch.select_related("relatie") if transition.effects else batch.only("updated_at")
    moved = [km for km in batch if km.updated_at == now]
    events.transition_made_many(
        (km.pk for km in moved),
        kind=transition.event,
        acting_user=acting_user,
        from_status=from_status if transition.target is not None else "",
        to_status=transition.target or "",
        note=note,
    )
    effects.apply(transition, moved, note=note)
    return moved
