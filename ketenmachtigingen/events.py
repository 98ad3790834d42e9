"""The audit trail of ketenmachtigingen: every event row is written here, one small function
per kind, for one ketenmachtiging or (the *_many forms) for many in one INSERT.

Callers are the services (inside the transaction of their change); nothing else creates
KetenmachtigingEvent rows. Notes are Dutch whatever the language of the person acting: the
trail is read by Z login staff and must read the same for everyone.
"""

from collections.abc import Iterable

from accounts.models import User

from .constants import ActorKind, EventKind
from .models import Ketenmachtiging, KetenmachtigingEvent


def actor_kind_for(acting_user: User | None) -> ActorKind:
    """No person means the system (nightly jobs, deliveries); Z login staff act in the admin."""
    if acting_user is None:
        return ActorKind.SYSTEM
    if acting_user.is_staff:
        return ActorKind.STAFF
    return ActorKind.PERSON


def _event(
    ketenmachtiging_id: int, *, kind, acting_user: User | None, **fields
) -> KetenmachtigingEvent:
    return KetenmachtigingEvent(
        ketenmachtiging_id=ketenmachtiging_id,
        kind=kind,
        actor_kind=actor_kind_for(acting_user),
        actor=acting_user,
        **fields,
    )


def _many(ids: Iterable[int], *, kind, acting_user: User | None, **fields) -> int:
    return len(
        KetenmachtigingEvent.objects.bulk_create(
            _event(pk, kind=kind, acting_user=acting_user, **fields) for pk in ids
        )
    )


def transition_made(
    km: Ketenmachtiging,
    *,
    kind: str,
    acting_user: User | None,
    from_status="",
    to_status="",
    note="",
) -> KetenmachtigingEvent:
    """A lifecycle transition (services/transitions.py): a status change, or an event of the
    lifecycle that keeps the status (invitation sent, revocation scheduled, reminder)."""
    event = _event(
        km.pk,
        kind=kind,
        acting_user=acting_user,
        from_status=from_status or "",
        to_status=to_status or "",
        note=note,
    )
    event.save()
    return event


def transition_made_many(
    ids: Iterable[int],
    *,
    kind: str,
    acting_user: User | None = None,
    from_status="",
    to_status="",
    note="",
) -> int:
    return _many(
        ids,
        kind=kind,
        acting_user=acting_user,
        from_status=from_status or "",
        to_status=to_status or "",
        note=note,
    )


def assignment_changed(
    km: Ketenmachtiging, *, kind: str, acting_user: User | None, name: str
) -> None:
    """A person or groep added to or removed from the ketenmachtiging (kind says which), by
    name."""
    _event(km.pk, kind=kind, acting_user=acting_user, note=name).save()


def groep_removed_many(ids: Iterable[int], *, acting_user: User | None, groep_name: str) -> int:
    """A groep deleted: "Groep verwijderd" on each ketenmachtiging it was linked to."""
    return _many(ids, kind=EventKind.GROUP_REMOVED, acting_user=acting_user, note=groep_name)


def removed_from_overview(km: Ketenmachtiging, *, acting_user: User | None) -> None:
    """An expired ketenmachtiging taken off the Verlopen tab; the row itself stays."""
    _event(
        km.pk,
        kind=EventKind.REMOVED_FROM_OVERVIEW,
        acting_user=acting_user,
        note="Verwijderd uit het overzicht Verlopen.",
    ).save()
