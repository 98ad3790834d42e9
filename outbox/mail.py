"""Sending a mail from a message: one Message-ID per message, a refused address is final."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from .errors import PermanentError
from .models import OutboxMessage


def message_id(message: OutboxMessage) -> str:
    """The same for every attempt of one message: should a mail go out twice (a worker that
    died between the server's acceptance and the commit), mail programs see one mail."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    return f"<outbox.{message.pk}.{message.created_at:%Y%m%d%H%M%S}@{domain}>"


def send_email(email: EmailMessage, *, message: OutboxMessage) -> None:
    email.extra_headers["Message-ID"] = message_id(message)
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            raise PermanentError(
                _("De mailserver weigert het adres %(address)s.")
                % {"address": ", ".join(error.recipients)}
            ) from error
        raise
