"""The mail confirming a status change to the intermediair's afzender address
(Afzenderinstellingen), in the afzender's language."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import Organisation

from .constants import LIFECYCLE
from .mail import tidy_text
from .models import Ketenmachtiging
from .status_news import status_news

_TRANSITIONS = {transition.name: transition for transition in LIFECYCLE}


def build_status_mail(
    organisation: Organisation, *, transition: str, ids: list[int], reason: str
) -> EmailMessage | None:
    """None when the organisation has no afzender address (the bericht still tells)."""
    if not organisation.afzender_email:
        return None
    kms = list(
        Ketenmachtiging.objects.filter(pk__in=ids, intermediair=organisation)
        .select_related("relatie")
        .order_by("relatie__name", "pk")
    )
    if not kms:
        return None
    language = organisation.afzender_language
    with translation.override(language):
        subject, news = status_news(_TRANSITIONS[transition], kms, note=reason)
        text = render_to_string(
            f"emails/status_news_{language}.txt",
            {
                "organisation": organisation,
                "news": news,
                "url": settings.PORTAL_BASE_URL + reverse("berichtenbox:list"),
            },
        )
    return EmailMessage(
        subject=" ".join(subject.split()), body=tidy_text(text), to=[organisation.afzender_email]
    )
