"""The e-mail that tells beheerders a bericht is waiting in their berichtenbox."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership
from core.db import advisory_xact_lock
from outbox.services import send_email

from .models import Bericht


def _recipients(organisation_id: int) -> list[str]:
    """The e-mail addresses of the organisation's beheerders."""
    return list(
        Membership.objects.managing()
        .filter(organisation_id=organisation_id)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def announce(organisation_id: int, *, message) -> int:
    """One mail to the organisation's beheerders for every bericht not announced yet; returns
    mails sent (0 or 1).

    Berichten posted in one transaction (a nightly job's batches) are announced together: the
    first announcement after the commit takes them all, the others find nothing left. One
    announcement per organisation at a time (a named lock until the commit), so two at once
    never both take one; the berichten themselves are not locked, so reading them in the
    portal never waits for the mail server.
    """
    advisory_xact_lock(f"berichtenbox.announce.{organisation_id}")
    berichten = list(
        Bericht.objects.filter(organisation_id=organisation_id, announced_at__isnull=True)
        .select_related("organisation")
        .order_by("pk")
    )
    if not berichten:
        return 0
    recipients = _recipients(berichten[0].organisation_id)
    if recipients:
        organisation = berichten[0].organisation
        context = {
            "organisation": organisation,
            "berichten": berichten,
            "url": settings.PORTAL_BASE_URL + reverse("berichtenbox:list"),
        }
        with translation.override(organisation.afzender_language):
            subject = render_to_string("emails/berichten_subject.txt", context).strip()
            body = render_to_string("emails/berichten.txt", context)
        send_email(EmailMessage(subject=subject, body=body, to=recipients), message=message)
    Bericht.objects.filter(pk__in=[b.pk for b in berichten], announced_at__isnull=True).update(
        announced_at=timezone.now()
    )
    return 1 if recipients else 0
