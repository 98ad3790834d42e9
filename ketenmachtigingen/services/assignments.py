"""Which people and groups of the intermediair use a ketenmachtiging."""

from django.utils.translation import gettext as _

from accounts.models import Membership

from .. import events
from ..authorization import may_be_assigned
from ..constants import HIDDEN_STATUSES
from ..errors import DomainError
from ..models import Ketenmachtiging
from .lifecycle import locked


def _ensure_open(km: Ketenmachtiging) -> None:
    if km.status in HIDDEN_STATUSES:
        raise DomainError(_("Deze ketenmachtiging is beëindigd en kan niet meer worden gewijzigd."))


def add_gebruiker(ketenmachtiging: Ketenmachtiging, *, acting_user, membership: Membership):
    with locked(ketenmachtiging) as km:
        _ensure_open(km)
        if membership.organisation_id != km.intermediair_id:
            raise DomainError(_("Deze gebruiker hoort niet bij uw organisatie."))
        if not may_be_assigned(membership):
            raise DomainError(
                _("%(name)s heeft geen middel op minimaal niveau EH3.")
                % {"name": membership.user.display_name}
            )
        if km.gebruikers.filter(pk=membership.pk).exists():
            return km
        km.gebruikers.add(membership)
        events.gebruiker_added(km, acting_user=acting_user, membership=membership)
        return km


def remove_gebruiker(ketenmachtiging: Ketenmachtiging, *, acting_user, membership: Membership):
    with locked(ketenmachtiging) as km:
        if not km.gebruikers.filter(pk=membership.pk).exists():
            return km
        km.gebruikers.remove(membership)
        events.gebruiker_removed(km, acting_user=acting_user, membership=membership)
        return km


def add_groep(ketenmachtiging: Ketenmachtiging, *, acting_user, groep):
    with locked(ketenmachtiging) as km:
        _ensure_open(km)
        if groep.organisation_id != km.intermediair_id:
            raise DomainError(_("Deze groep hoort niet bij uw organisatie."))
        if km.groepen.filter(pk=groep.pk).exists():
            return km
        km.groepen.add(groep)
        events.groep_added(km, acting_user=acting_user, groep=groep)
        return km


def remove_groep(ketenmachtiging: Ketenmachtiging, *, acting_user, groep):
    with locked(ketenmachtiging) as km:
        if not km.groepen.filter(pk=groep.pk).exists():
            return km
        km.groepen.remove(groep)
        events.groep_removed(km, acting_user=acting_user, groep=groep)
        return km
