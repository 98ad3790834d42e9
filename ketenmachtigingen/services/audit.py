"""The audit trail: every service that changes a ketenmachtiging records one event here."""

from ..constants import ActorKind, EventKind
from ..models import Ketenmachtiging, KetenmachtigingEvent


def actor_kind_for(acting_user) -> ActorKind:
    """No person means the system (nightly jobs); Z login staff act through the admin."""
    if acting_user is None:
        return ActorKind.SYSTEM
    if acting_user.is_staff:
        return ActorKind.STAFF
    return ActorKind.PERSON


def record_event(
    ketenmachtiging: Ketenmachtiging,
    *,
    kind: EventKind,
    acting_user,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
) -> KetenmachtigingEvent:
    return KetenmachtigingEvent.objects.create(
        ketenmachtiging=ketenmachtiging,
        kind=kind,
        actor_kind=actor_kind_for(acting_user),
        actor=acting_user,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
