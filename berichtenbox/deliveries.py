"""What the outbox delivers for the berichtenbox: the mail announcing new berichten."""

from django.utils.translation import gettext_lazy

from outbox.services import register

from . import mail
from .services import ANNOUNCEMENT


def deliver_announcement(message) -> bool:
    """Berichten announced before (a redelivery, an earlier message) are not mailed again."""
    return mail.announce(message.target_id, message=message) > 0


def register_deliveries() -> None:
    register(
        ANNOUNCEMENT,
        label=gettext_lazy("Aankondiging van berichten"),
        deliver=deliver_announcement,
    )
