"""The invitation to the relatie: sent once, only while the request waits for the signed form.

Called by the send_invitation task; audit notes are Dutch, as in lifecycle.py.
"""

from django.core.mail import get_connection
from django.db import transaction

from ..constants import EventKind, Status
from ..mail import build_invitation_message
from ..models import Ketenmachtiging, KetenmachtigingEvent
from .audit import record_event
from .lifecycle import mark_failed

# status_reason is shown to the beheerder; an SMTP error text can be long.
MAX_REASON_LENGTH = 500


def invitation_sent(km: Ketenmachtiging) -> bool:
    return km.events.filter(kind=EventKind.INVITATION_SENT).exists()


def invitation_due(km: Ketenmachtiging) -> bool:
    """Not sent yet, and the request is still waiting (not withdrawn, failed or answered)."""
    return km.status == Status.AANVRAAG_VERSTUURD and not invitation_sent(km)


def record_invitation_sent(km: Ketenmachtiging) -> KetenmachtigingEvent:
    return record_event(
        km,
        kind=EventKind.INVITATION_SENT,
        acting_user=None,
        note=f"Uitnodiging verstuurd naar {km.contact_email}.",
    )


def deliver_invitation(ketenmachtiging_id: int) -> bool:
    """Mail the invitation with its PDF form if it is due; return whether a mail went out.

    The row stays locked while the mail goes out: a second run for the same ketenmachtiging
    (a redelivered task) waits and then finds the event, and a withdrawal at the same moment
    happens either before the mail (no mail) or after it. A mail error rolls back and leaves
    the invitation due, for the task's retry.
    """
    with transaction.atomic():
        km = Ketenmachtiging.objects.select_for_update().get(pk=ketenmachtiging_id)
        if not invitation_due(km):
            return False
        build_invitation_message(km, connection=get_connection()).send()
        record_invitation_sent(km)
    return True


def fail_invitation(ketenmachtiging_id: int, *, error: str) -> bool:
    """Sending failed for good: the ketenmachtiging becomes Fout with the error as reason,
    so that the beheerder sees it. Return whether it did."""
    reason = f"De uitnodiging kon niet worden verstuurd: {error}"[:MAX_REASON_LENGTH]
    with transaction.atomic():
        km = Ketenmachtiging.objects.select_for_update().filter(pk=ketenmachtiging_id).first()
        if km is None or not invitation_due(km):
            return False
        mark_failed(km, acting_user=None, reason=reason)
    return True
