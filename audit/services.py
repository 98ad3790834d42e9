"""Public API of the audit trail: one small keyword-only function per kind of event.

The services of the other apps call these inside the transaction of their change, so the row
commits or rolls back with it; nothing else creates AuditEvent rows. The audit app imports no
project app: callers pass the target (any model instance, with its `organisation_id`, or the
organisation itself) and plain values. Each function writes one row and decides nothing: the
caller calls it only when something really changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, cast

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .constants import AuditKind
from .models import AuditEvent

if TYPE_CHECKING:
    from accounts.models import User

__all__ = [
    "SenderSettings",
    "ToegestaneDiensten",
    "bulk_import_created",
    "bulk_import_deleted",
    "CertificateState",
    "certificate_registered",
    "certificate_replaced",
    "certificate_revoked",
    "groep_created",
    "groep_deleted",
    "groep_diensten_changed",
    "groep_members_changed",
    "groep_renamed",
    "sender_settings_changed",
]

LABEL_MAX_LENGTH = AuditEvent._meta.get_field("target_label").max_length
ACTOR_NAME_MAX_LENGTH = AuditEvent._meta.get_field("actor_name").max_length


class Target(Protocol):
    """What the trail reads of a target (a model instance: a Groep, a BulkRequest, a
    Membership): its primary key and its organisation."""

    @property
    def pk(self) -> Any: ...

    @property
    def organisation_id(self) -> int: ...


class NamedTarget(Target, Protocol):
    @property
    def name(self) -> str: ...


class HeldTarget(Target, Protocol):
    """An EH-middel: its holder is named on the row."""

    @property
    def user(self) -> object: ...


class ToegestaneDiensten(TypedDict):
    """A groep's toegestane diensten by name: Algemene bevoegdheid, or whole dienstverleners
    and single diensten."""

    algemene_bevoegdheid: bool
    dienstverleners: list[str]
    diensten: list[str]


class SenderSettings(TypedDict):
    """Afzenderinstellingen: the default contact of the intermediair in invitations."""

    email: str
    telefoon: str
    taal: str


def _actor(acting_user: User | None) -> tuple[User | None, str]:
    """The person acting and their name now; None (the system) has no name."""
    if acting_user is None or not acting_user.is_authenticated:
        return None, ""
    name = getattr(acting_user, "display_name", "") or acting_user.get_username()
    return acting_user, name[:ACTOR_NAME_MAX_LENGTH]


def _record(
    kind: AuditKind,
    *,
    acting_user: User | None,
    target: models.Model | Target,
    organisation_id: int | None,
    label: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    actor, actor_name = _actor(acting_user)
    return AuditEvent.objects.create(
        kind=kind,
        organisation_id=organisation_id,
        actor=actor,
        actor_name=actor_name,
        # Every target is a model instance; the protocols name what the trail reads of it.
        target_content_type=ContentType.objects.get_for_model(cast(models.Model, target)),
        target_id=target.pk,
        target_label=str(label)[:LABEL_MAX_LENGTH],
        before=before,
        after=after,
    )


def _names(names: Iterable[str]) -> list[str]:
    return sorted(str(name) for name in names)


def _diensten(state: ToegestaneDiensten) -> dict[str, Any]:
    return {
        "algemene_bevoegdheid": bool(state["algemene_bevoegdheid"]),
        "dienstverleners": _names(state["dienstverleners"]),
        "diensten": _names(state["diensten"]),
    }


# --- groepen ----------------------------------------------------------------------------------
# `groep`: the Groep (its pk, organisation_id and name now); deleted, before its delete.


def groep_created(*, acting_user: User | None, groep: NamedTarget) -> AuditEvent:
    return _record(
        AuditKind.GROEP_CREATED,
        acting_user=acting_user,
        target=groep,
        organisation_id=groep.organisation_id,
        label=groep.name,
        after={"name": groep.name},
    )


def groep_renamed(*, acting_user: User | None, groep: NamedTarget, old_name: str) -> AuditEvent:
    return _record(
        AuditKind.GROEP_RENAMED,
        acting_user=acting_user,
        target=groep,
        organisation_id=groep.organisation_id,
        label=groep.name,
        before={"name": old_name},
        after={"name": groep.name},
    )


def groep_members_changed(
    *,
    acting_user: User | None,
    groep: NamedTarget,
    before: Iterable[str],
    after: Iterable[str],
) -> AuditEvent:
    """`before` and `after`: the members' names."""
    return _record(
        AuditKind.GROEP_MEMBERS_CHANGED,
        acting_user=acting_user,
        target=groep,
        organisation_id=groep.organisation_id,
        label=groep.name,
        before={"members": _names(before)},
        after={"members": _names(after)},
    )


def groep_diensten_changed(
    *,
    acting_user: User | None,
    groep: NamedTarget,
    before: ToegestaneDiensten,
    after: ToegestaneDiensten,
) -> AuditEvent:
    return _record(
        AuditKind.GROEP_DIENSTEN_CHANGED,
        acting_user=acting_user,
        target=groep,
        organisation_id=groep.organisation_id,
        label=groep.name,
        before=_diensten(before),
        after=_diensten(after),
    )


def groep_deleted(
    *,
    acting_user: User | None,
    groep: NamedTarget,
    members: Iterable[str],
    toegestane_diensten: ToegestaneDiensten,
    ketenmachtigingen: int,
) -> AuditEvent:
    """Written before the delete: what the groep was, whom it gave access, and to how many
    ketenmachtigingen it was linked."""
    return _record(
        AuditKind.GROEP_DELETED,
        acting_user=acting_user,
        target=groep,
        organisation_id=groep.organisation_id,
        label=groep.name,
        before={
            "name": groep.name,
            "members": _names(members),
            **_diensten(toegestane_diensten),
            "ketenmachtigingen": ketenmachtigingen,
        },
    )


# --- the organisation -------------------------------------------------------------------------


def sender_settings_changed(
    *,
    acting_user: User | None,
    organisation: models.Model,
    before: SenderSettings,
    after: SenderSettings,
) -> AuditEvent:
    return _record(
        AuditKind.SENDER_SETTINGS_CHANGED,
        acting_user=acting_user,
        target=organisation,
        organisation_id=organisation.pk,
        label=str(organisation),
        before=dict(before),
        after=dict(after),
    )


# --- Meerdere bedrijven -----------------------------------------------------------------------
# `bulk_import`: the BulkRequest (its pk and organisation_id); deleted, before its delete.


def bulk_import_created(
    *,
    acting_user: User | None,
    bulk_import: Target,
    filename: str,
    rows: int,
    refused_rows: int,
) -> AuditEvent:
    """`rows`: the valid rows stored; `refused_rows`: the rows refused at the import."""
    return _record(
        AuditKind.BULK_IMPORT_CREATED,
        acting_user=acting_user,
        target=bulk_import,
        organisation_id=bulk_import.organisation_id,
        label=filename,
        after={"filename": filename, "rows": rows, "refused_rows": refused_rows},
    )


def bulk_import_deleted(
    *,
    acting_user: User | None,
    bulk_import: Target,
    filename: str,
    rows: int,
    refused_rows: int,
) -> AuditEvent:
    return _record(
        AuditKind.BULK_IMPORT_DELETED,
        acting_user=acting_user,
        target=bulk_import,
        organisation_id=bulk_import.organisation_id,
        label=filename,
        before={"filename": filename, "rows": rows, "refused_rows": refused_rows},
    )


# --- certificates of EH4 middelen -------------------------------------------------------------
# `membership`: the EH-middel (its pk, organisation_id and holder now); the certificate's state
# as CertificateState.


class CertificateState(TypedDict):
    """A middel's PKI certificate as the trail keeps it."""

    subject: str
    serial_number: str
    fingerprint: str
    not_valid_after: str  # ISO 8601


def _certificate(state: CertificateState) -> dict[str, str]:
    fields = cast(dict[str, object], state)
    return {key: str(fields[key]) for key in CertificateState.__annotations__}


def certificate_registered(
    *, acting_user: User | None, membership: HeldTarget, after: CertificateState
) -> AuditEvent:
    return _record(
        AuditKind.CERTIFICATE_REGISTERED,
        acting_user=acting_user,
        target=membership,
        organisation_id=membership.organisation_id,
        label=str(membership.user),
        after=_certificate(after),
    )


def certificate_replaced(
    *,
    acting_user: User | None,
    membership: HeldTarget,
    before: CertificateState,
    after: CertificateState,
) -> AuditEvent:
    return _record(
        AuditKind.CERTIFICATE_REPLACED,
        acting_user=acting_user,
        target=membership,
        organisation_id=membership.organisation_id,
        label=str(membership.user),
        before=_certificate(before),
        after=_certificate(after),
    )


def certificate_revoked(
    *, acting_user: User | None, membership: HeldTarget, before: CertificateState
) -> AuditEvent:
    return _record(
        AuditKind.CERTIFICATE_REVOKED,
        acting_user=acting_user,
        target=membership,
        organisation_id=membership.organisation_id,
        label=str(membership.user),
        before=_certificate(before),
    )
