"""What Z login staff do in the admin beyond a bare status change: telling people about it.

The status change itself is lifecycle.py's; this module adds the notifications that go with it,
queued on commit so that nobody hears of a change that was rolled back.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from berichtenbox.services import post_bericht

from ..mail import contact_message, tidy_text
from ..models import Ketenmachtiging
from . import lifecycle


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
    """The mail to the relatie's contact: what is missing, and where the completed form goes."""
    return contact_message(km, "incomplete", _incomplete_context(km, reason))


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
            body=tidy_text(body),
            ketenmachtiging=km,
        )
        if km.contact_email:
            # Queued after the bericht's announcement: both leave once the change is committed.
            km_id = km.pk
            transaction.on_commit(lambda: _send_incomplete_mail(km_id, reason))
    return km
