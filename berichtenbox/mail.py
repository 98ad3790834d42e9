"""The e-mail that tells beheerders a bericht is waiting in their berichtenbox."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership

from .models import Bericht


def _recipients(organisation_ids) -> dict[int, list[str]]:
    """The e-mail addresses of each organisation's beheerders."""
    addresses = defaultdict(list)
    for organisation_id, email in (
        Membership.objects.managing()
        .filter(organisation_id__in=organisation_ids)
        .exclude(user__email="")
        .values_list("organisation_id", "user__email")
    ):
        addresses[organisation_id].append(email)
    return addresses


def announce(bericht_ids: list[int]) -> int:
    """One mail per organisation for the berichten not announced yet; returns mails sent."""
    berichten = list(
        Bericht.objects.filter(pk__in=bericht_ids, announced_at__isnull=True)
        .select_related("organisation")
        .order_by("organisation_id", "pk")
    )
    per_organisation = defaultdict(list)
    for bericht in berichten:
        per_organisation[bericht.organisation_id].append(bericht)
    recipients = _recipients(per_organisation)
    url = settings.PORTAL_BASE_URL + reverse("berichtenbox:list")
    messages = []
    for organisation_id, items in per_organisation.items():
        if not recipients[organisation_id]:
            continue
        context = {"organisation": items[0].organisation, "berichten": items, "url": url}
        messages.append(
            EmailMessage(
                subject=render_to_string("emails/berichten_subject.txt", context).strip(),
                body=render_to_string("emails/berichten.txt", context),
                to=recipients[organisation_id],
            )
        )
    with get_connection() as connection:
        connection.send_messages(messages)
    Bericht.objects.filter(pk__in=[b.pk for b in berichten]).update(announced_at=timezone.now())
    return len(messages)
