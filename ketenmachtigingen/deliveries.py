"""What the outbox delivers for ketenmachtigingen: the invitation, the incompleet mail, the
status mail to the intermediair and the rows of a bulk request (constants.Delivery).
Registered when Django starts (apps.py).

Each delivery checks first whether its work is still to do, inside the outbox's transaction,
so a message delivered twice (a redelivered task) or too late (the request was withdrawn)
does nothing.
"""

from typing import TypeGuard, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, User
from outbox.services import OutboxMessage, register, send_email

from .bulk import services as bulk_services
from .constants import Delivery, Status
from .mail import build_incomplete_message, build_invitation_message
from .models import Ketenmachtiging
from .services import lifecycle
from .status_mail import build_status_mail

# status_reason is shown to the beheerder; an SMTP error text can be long.
MAX_REASON_LENGTH = 500


def _locked_ketenmachtiging(message: OutboxMessage) -> Ketenmachtiging | None:
    return (
        Ketenmachtiging.objects.select_for_update(of=("self",))
        .select_related("relatie", "intermediair")
        .filter(pk=cast(int, message.target_id))  # its messages name their ketenmachtiging
        .first()
    )


def invitation_due(km: Ketenmachtiging | None) -> TypeGuard[Ketenmachtiging]:
    """Not sent yet, and the request still waits for its form (not withdrawn or failed)."""
    return km is not None and km.status == Status.AANVRAAG_VERSTUURD and not km.invitation_sent_at


def deliver_invitation(message: OutboxMessage) -> bool:
    """Mail the invitation with its PDF form, once. The ketenmachtiging stays locked while the
    mail goes out: a withdrawal at the same moment comes before the mail (no mail) or after."""
    km = _locked_ketenmachtiging(message)
    if not invitation_due(km):
        return False
    send_email(build_invitation_message(km), message=message)
    lifecycle.record_invitation_sent(km)
    return True


def invitation_failed(message: OutboxMessage, reason: str) -> None:
    """Not sent, not even after the retries: the ketenmachtiging becomes Fout with the reason,
    and the intermediair gets a bericht (the Fout transition's effect)."""
    km = _locked_ketenmachtiging(message)
    if invitation_due(km):
        lifecycle.mark_failed(
            km,
            acting_user=None,
            reason=(_("De uitnodiging kon niet worden verstuurd: %(reason)s") % {"reason": reason})[
                :MAX_REASON_LENGTH
            ],
        )


def resend_invitation(message: OutboxMessage, *, acting_user: User | None) -> None:
    """Staff send a failed invitation again: a ketenmachtiging that became Fout because of it
    waits for its form again."""
    km = _locked_ketenmachtiging(message)
    if km is not None and km.status == Status.FOUT and not km.invitation_sent_at:
        lifecycle.resend_invitation(km, acting_user=acting_user)


def deliver_incomplete_mail(message: OutboxMessage) -> bool:
    """Mail the relatie's contact what the form misses, while it is still incompleet."""
    km = _locked_ketenmachtiging(message)
    if km is None or km.status != Status.INCOMPLEET or not km.contact_email:
        return False
    send_email(build_incomplete_message(km, reason=message.payload["reason"]), message=message)
    return True


def deliver_status_mail(message: OutboxMessage) -> bool:
    """The status change is done; it is told whatever happened since. Nothing to send without
    an afzender address."""
    organisation = Organisation.objects.filter(pk=cast(int, message.target_id)).first()
    email = organisation and build_status_mail(
        organisation,
        transition=message.payload["transition"],
        ids=message.payload["ketenmachtigingen"],
        reason=message.payload.get("reason", ""),
    )
    if not email:
        return False
    send_email(email, message=message)
    return True


def deliver_bulk_row(message: OutboxMessage) -> bool:
    return bulk_services.process_row(cast(int, message.target_id)) is not None


def bulk_row_failed(message: OutboxMessage, reason: str) -> None:
    bulk_services.fail_row(cast(int, message.target_id))


def reopen_bulk_row(message: OutboxMessage, *, acting_user: User | None) -> None:
    bulk_services.reopen_row(cast(int, message.target_id))


def register_deliveries() -> None:
    register(
        Delivery.INVITATION,
        label=gettext_lazy("Uitnodiging aan de relatie"),
        deliver=deliver_invitation,
        give_up=invitation_failed,
        resend=resend_invitation,
    )
    register(
        Delivery.INCOMPLETE_MAIL,
        label=gettext_lazy("Mail over incompleet formulier"),
        deliver=deliver_incomplete_mail,
    )
    register(
        Delivery.STATUS_MAIL,
        label=gettext_lazy("Mail over een statuswijziging"),
        deliver=deliver_status_mail,
    )
    register(
        Delivery.BULK_ROW,
        label=gettext_lazy("Rij van Meerdere bedrijven"),
        deliver=deliver_bulk_row,
        give_up=bulk_row_failed,
        resend=reopen_bulk_row,
    )
