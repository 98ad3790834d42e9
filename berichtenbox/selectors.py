from django.db.models import Q, QuerySet

from accounts.models import Organisation, User

from .models import Bericht

__all__ = [
    "berichten_for",
    "unread_count",
]


def berichten_for(*, organisation: Organisation, user: User) -> QuerySet[Bericht]:
    """The berichten of the organisation for everyone, and those addressed to this person."""
    return Bericht.objects.filter(organisation=organisation).filter(
        Q(recipient__isnull=True) | Q(recipient=user)
    )


def unread_count(*, organisation: Organisation, user: User) -> int:
    return berichten_for(organisation=organisation, user=user).filter(read_at__isnull=True).count()
