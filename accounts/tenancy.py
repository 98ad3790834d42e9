"""The active organisation: the one place every portal view gets its tenant from.

A person may hold middelen for several organisations. The one chosen on the left holds for the
session; every portal query filters by it, and another organisation's object is a 404.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
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


def portal_view(view):
    """A portal page: a verified second factor, and a beheerder's middel of EH3 or higher for
    the active organisation. The view then finds it on request.organisation."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.is_verified()):
            return redirect_to_login(request.get_full_path())
        membership = request.membership
        if membership is None or not membership.may_manage_ketenmachtigingen:
            return render(
                request, "accounts/no_access.html", {"membership": membership}, status=403
            )
        request.organisation = membership.organisation
        return view(request, *args, **kwargs)

    return wrapper
