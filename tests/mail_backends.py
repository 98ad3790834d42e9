"""E-mail backends that fail as a mail server does, named in settings.EMAIL_BACKEND."""

import smtplib


class DisconnectingBackend:
    """An e-mail backend whose SMTP server hangs up, every time."""

    attempts = 0

    def __init__(self, fail_silently=False, **kwargs):
        pass

    def send_messages(self, messages):
        type(self).attempts += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
