"""What Z login staff do in the admin beyond a bare status change: telling people about it.

The status change itself is lifecycle.py's; this module adds the notifications that go with it,
queued on commit so that nobody hears of a change that was rolled back.
"""

import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from berichtenbox.services import post_bericht

from ..models import Ketenmachtiging
from ..pdf import invitation_language
from . import lifecycle


def _tidy_text(text: str) -> str:
    """Optional blocks in a text template leave runs of blank lines; keep at most one."""
    return re.sub(r"\n{3,}", "\n\n", text.strip()) + "\n"


def _incomplete_context(km: Ketenmachtiging, reason: str) -> dict:
    return {
        "km": km,
        "relatie": km.relatie,
        "intermediair": km.intermediair,
        "reason": reason.strip(),
        "request_code": km.request_code,
        "postal_address": settings.ZLOGIN_POSTAL_ADDRESS,
    }


def build_incomplete_message(km: Ketenmachtiging, *, reason: str) -> EmailMultiAlternatives:
    """The mail to the relatie's contact: what is missing, and where the completed form goes.

    In the language chosen for the recipients, one template per language like the invitation.
    """
    language = invitation_language(km)
    context = _incomplete_context(km, reason)
    with translation.override(language):
        subject = render_to_string(f"emails/incomplete_subject_{language}.txt", context)
        text = render_to_string(f"emails/incomplete_{language}.txt", context)
        html = render_to_string(f"emails/incomplete_{language}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # a header: one line
        body=_tidy_text(text),
        to=[km.contact_email],
    )
    message.attach_alternative(html, "text/html")
    return message


def _send_incomplete_mail(ketenmachtiging_id: int, reason: str) -> None:
    km = Ketenmachtiging.objects.select_related("relatie", "intermediair").get(
        pk=ketenmachtiging_id
    )
    build_incomplete_message(km, reason=reason).send()


def mark_incomplete_and_notify(
    ketenmachtiging: Ketenmachtiging, *, acting_user, reason: str
) -> Ketenmachtiging:
    """Markeer als incompleet: the form misses something.

    The relatie's contact gets an e-mail saying what is missing and to send the completed form
    to Z login; the intermediair gets a bericht in its berichtenbox (announced by e-mail). Both
    go out after the commit; without a contact e-mail address only the bericht is posted.
    """
    reason = reason.strip()
    with transaction.atomic():
        km = lifecycle.mark_incomplete(ketenmachtiging, acting_user=acting_user, reason=reason)
        km = Ketenmachtiging.objects.select_related("relatie", "intermediair").get(pk=km.pk)
        context = _incomplete_context(km, reason)
        # Berichten are stored text, read by the intermediair's beheerders: Dutch, the portal's
        # language, whatever the language of the staff member acting.
        with translation.override("nl"):
            subject = render_to_string("emails/incomplete_bericht_subject.txt", context)
            body = render_to_string("emails/incomplete_bericht.txt", context)
        post_bericht(
            organisation=km.intermediair,
            subject=" ".join(subject.split()),
            body=_tidy_text(body),
            ketenmachtiging=km,
        )
        if km.contact_email:
            # Queued after the bericht's announcement: both leave once the change is committed.
            km_id = km.pk
            transaction.on_commit(lambda: _send_incomplete_mail(km_id, reason))
    return km
