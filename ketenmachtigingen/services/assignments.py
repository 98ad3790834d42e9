"""Which people and groups of the intermediair use a ketenmachtiging."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from groepen.models import Groep

from .. import events
from ..authorization import may_be_assigned
from ..constants import HIDDEN_STATUSES, EventKind
from ..errors import DomainError
from ..models import Ketenmachtiging
from .lifecycle import locked

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = [
    "add_gebruiker",
    "add_groep",
    "remove_gebruiker",
    "remove_groep",
]


def _ensure_open(km: Ketenmachtiging) -> None:
    if km.status in HIDDEN_STATUSES:
        raise DomainError(_("Deze ketenmachtiging is beëindigd en kan niet meer worden gewijzigd."))


def _assign(
    ketenmachtiging: Ketenmachtiging,
    *,
    acting_user: User | None,
    field: str,
    item: models.Model,
    name: str,
    kind: str,
    refusal: StrOrPromise | None = None,
) -> Ketenmachtiging:
    """Add `item` to the ketenmachtiging's `field` (gebruikers or groepen), once, recorded."""
    with locked(ketenmachtiging) as km:
        _ensure_open(km)
        if refusal:
            raise DomainError(refusal)
        related = getattr(km, field)
        if not related.filter(pk=item.pk).exists():
            related.add(item)
            events.assignment_changed(km, kind=kind, acting_user=acting_user, name=name)
        return km


def _unassign(
    ketenmachtiging: Ketenmachtiging,
    *,
    acting_user: User | None,
    field: str,
    item: models.Model,
    name: str,
    kind: str,
) -> Ketenmachtiging:
    """Take `item` from the ketenmachtiging's `field`, when it is there, recorded."""
    with locked(ketenmachtiging) as km:
        related = getattr(km, field)
        if related.filter(pk=item.pk).exists():
            related.remove(item)
            events.assignment_changed(km, kind=kind, acting_user=acting_user, name=name)
        return km


def add_gebruiker(
    ketenmachtiging: Ketenmachtiging, *, acting_user: User | None, membership: Membership
) -> Ketenmachtiging:
    name = membership.user.display_name
    if membership.organisation_id != ketenmachtiging.intermediair_id:
        refusal = _("Deze gebruiker hoort niet bij uw organisatie.")
    elif not may_be_assigned(membership):
        refusal = _("%(name)s heeft geen middel op minimaal niveau EH3.") % {"name": name}
    else:
        refusal = None
    return _assign(
        ketenmachtiging,
        acting_user=acting_user,
        field="gebruikers",
        item=membership,
        name=name,
        kind=EventKind.USER_ADDED,
        refusal=refusal,
    )


def remove_gebruiker(
    ketenmachtiging: Ketenmachtiging, *, acting_user: User | None, membership: Membership
) -> Ketenmachtiging:
    return _unassign(
        ketenmachtiging,
        acting_user=acting_user,
        field="gebruikers",
        item=membership,
        name=membership.user.display_name,
        kind=EventKind.USER_REMOVED,
    )


def add_groep(
    ketenmachtiging: Ketenmachtiging, *, acting_user: User | None, groep: Groep
) -> Ketenmachtiging:
    refusal = None
    if groep.organisation_id != ketenmachtiging.intermediair_id:
        refusal = _("Deze groep hoort niet bij uw organisatie.")
    return _assign(
        ketenmachtiging,
        acting_user=acting_user,
        field="groepen",
        item=groep,
        name=groep.name,
        kind=EventKind.GROUP_ADDED,
        refusal=refusal,
    )


def remove_groep(
    ketenmachtiging: Ketenmachtiging, *, acting_user: User | None, groep: Groep
) -> Ketenmachtiging:
    return _unassign(
        ketenmachtiging,
        acting_user=acting_user,
        field="groepen",
        item=groep,
        name=groep.name,
        kind=EventKind.GROUP_REMOVED,
    )
