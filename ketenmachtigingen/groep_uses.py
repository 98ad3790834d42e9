"""How ketenmachtigingen use groepen, registered with groepen (groepen/usage.py) so that the
groepen pages count and remove these links without importing this app."""

from accounts.models import User
from groepen.usage import Uses, register

from . import events
from .constants import HIDDEN_STATUSES
from .models import Ketenmachtiging

Link = Ketenmachtiging.groepen.through


def in_use():
    """Links of ketenmachtigingen still in the overview (revoked and lapsed ones are kept for
    the audit trail only: they do not count as "in use")."""
    return Link.objects.exclude(ketenmachtiging__status__in=HIDDEN_STATUSES)


def unlink(groep, *, acting_user: User | None) -> list[int]:
    """ "Verwijder groep": its ketenmachtigingen, locked like every assignment change, lose the
    link, each with a "Groep verwijderd" event; the ids of those it was linked to."""
    ids = [
        km.pk
        for km in Ketenmachtiging.objects.select_for_update(of=("self",))
        .filter(groepen=groep)
        .only("pk")
        .order_by("pk")
    ]
    events.groep_removed_many(ids, acting_user=acting_user, groep_name=groep.name)
    Link.objects.filter(groep_id=groep.pk).delete()
    return ids


def register_groep_uses() -> None:
    register(Uses(in_use=in_use, unlink=unlink))
