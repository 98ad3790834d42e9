"""The active organisation: the one place every portal view gets its tenant from.

A person may hold middelen for several organisations. The one chosen on the left holds for the
session; every portal query filters by it, and another organisation's object is a 404.
"""

from django.utils.functional import SimpleLazyObject

from .models import Membership

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
    memberships = list(memberships_of(request.user))
    if not memberships:
        return None
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.organisation_id == chosen:
            return membership
    # Default: the first organisation the person may manage, else the first one.
    return next((m for m in memberships if m.may_manage_ketenmachtigingen), memberships[0])


def set_active_organisation(request, organisation_id: int) -> bool:
    """Switch to one of the person's own organisations; refuses anything else."""
    if not memberships_of(request.user).filter(organisation_id=organisation_id).exists():
        return False
    request.session[SESSION_KEY] = organisation_id
    return True


def attach(request) -> None:
    request.membership = SimpleLazyObject(lambda: resolve_active_membership(request))
