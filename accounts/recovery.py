"""Inloggegevens vergeten: the activation link for a new password, or the usernames of an
e-mail address, sent by mail through the outbox.

The request only writes a message, whether or not the account exists, and the page answers
the same; with a broker it does the same work either way and never waits for the mail server.
The worker looks the account up and makes the activation link when it sends (deliveries.py;
an hour valid from then, one use). Without a broker (the embedded default) the message is
delivered in the request, after its commit.
"""

from outbox.services import enqueue

PASSWORD_RESET = "accounts.password_reset"
USERNAME_REMINDER = "accounts.username_reminder"


def request_password_reset(*, username: str, language: str) -> None:
    enqueue(PASSWORD_RESET, payload={"username": username.strip(), "language": language})


def request_username_reminder(*, email: str, language: str) -> None:
    enqueue(USERNAME_REMINDER, payload={"email": email.strip(), "language": language})
