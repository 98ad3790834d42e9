from django.db.models import Q, QuerySet

from .models import Membership, MiddelCertificate, Organisation

__all__ = [
    "certificate_for_login",
    "certificates_of",
    "current_certificate",
    "gebruikers_of",
]


def gebruikers_of(organisation: Organisation, *, search: str = "") -> QuerySet[Membership]:
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


def certificate_for_login(fingerprint: str) -> MiddelCertificate | None:
    """The current certificate with this SHA-256 fingerprint, with its middel and person."""
    return (
        MiddelCertificate.objects.current()
        .filter(fingerprint=fingerprint)
        .select_related("membership__organisation", "user")
        .first()
    )


def current_certificate(membership: Membership) -> MiddelCertificate | None:
    return MiddelCertificate.objects.current().filter(membership=membership).first()


def certificates_of(membership: Membership) -> QuerySet[MiddelCertificate]:
    """Every certificate the middel had, the current one first, then newest first."""
    return (
        MiddelCertificate.objects.filter(membership=membership)
        .select_related("registered_by", "revoked_by")
        .order_by("-confirmed", "-registered_at", "-pk")
    )
