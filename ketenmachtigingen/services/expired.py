"""What a beheerder does with an expired ketenmachtiging (the Verlopen tab): request it again
(wizard.prefill_from fills the wizard's draft; nothing is written until it is sent) or remove it
from the overview, written here."""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .. import events
from ..constants import Status
from ..errors import DomainError
from ..models import Ketenmachtiging
from .lifecycle import locked

__all__ = [
    "remove_from_overview",
]


def remove_from_overview(
    ketenmachtiging: Ketenmachtiging, *, acting_user: User | None
) -> Ketenmachtiging:
    """Verwijder uit overzicht: the expired ketenmachtiging leaves the Verlopen tab. The row and
    its trail stay; a second removal changes nothing."""
    with locked(ketenmachtiging) as km:
        if km.status != Status.VERLOPEN:
            raise DomainError(
                _("Alleen een verlopen ketenmachtiging kan uit het overzicht worden verwijderd.")
            )
        if km.hidden_at is not None:
            return km
        km.hidden_at = timezone.now()
        km.save(update_fields=["hidden_at", "updated_at"])
        events.removed_from_overview(km, acting_user=acting_user)
        return km
