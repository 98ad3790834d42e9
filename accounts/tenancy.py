"""The active organisation: the one place every portal view gets its tenant from.

A person may hold middelen for several organisations. The one chosen on the left holds for the
session; every portal query filters by it, and another organisation's object is a 404. The choice
is also remembered for the person: their next session starts in it.
"""

from django.utils.functional import SimpleLazyObject

from .models import Membership
from .services import remember_organisation

SESSION_KEY = "active_organisation_id"


def memberships_of(user):
    """The person's active middelen, with their organisations, in menu order."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.active()
        .filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def resolve_active_membership(request) -> Membership | None:
    """The session's organisation, else the one the person chose last (a new session), else
    the first they may manage, else their first. Only an active middel of theirs counts."""
    memberships = {m.organisation_id: m for m in memberships_of(request.user)}
    if not memberships:
        return None
    first = next(iter(memberships.values()))
    active = (
        memberships.get(request.session.get(SESSION_KEY))
        or memberships.get(request.user.last_organisation_id)
        or next((m for m in memberships.values() if m.may_manage_ketenmachtigingen), first)
    )
    # Kept in the session: a switch in another session (another browser) does not move this
    # one to another organisation under its open pages.
    if request.session.get(SESSION_KEY) != active.organisation_id:
        request.session[SESSION_KEY] = active.organisation_id
    return active


def set_active_organisation(request, organisation_id: int) -> bool:
    """Switch to one of the person's own organisations, and remember it for their next
    login; refuses anything else."""
    membership = memberships_of(request.user).filter(organisation_id=organisation_id).first()
    if membership is None:
        return False
    request.session[SESSION_KEY] = organisation_id
    remember_organisation(acting_user=request.user, organisation=membership.organisation)
    return True


def attach(request) -> None:
    request.membership = SimpleLazyObject(lambda: resolve_active_membership(request))
