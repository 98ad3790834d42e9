from django.db.models import Q

from .models import Membership


def gebruikers_of(organisation, *, search: str = ""):
    """The organisation's people with their middelen, for the gebruikers page and pickers."""
    memberships = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__initials", "user__username")
    )
    for term in search.split():
        memberships = memberships.filter(
            Q(user__last_name__icontains=term)
            | Q(user__initials__icontains=term)
            | Q(user__first_name__icontains=term)
            | Q(user__tussenvoegsel__icontains=term)
            | Q(user__username__icontains=term)
            | Q(user__email__icontains=term)
        )
    return memberships
