from django.db.models import Q

from .models import Bericht


def berichten_for(*, organisation, user):
    """The berichten of the organisation for everyone, and those addressed to this person."""
    return Bericht.objects.filter(organisation=organisation).filter(
        Q(recipient__isnull=True) | Q(recipient=user)
    )


def unread_count(*, organisation, user) -> int:
    return berichten_for(organisation=organisation, user=user).filter(read_at__isnull=True).count()
