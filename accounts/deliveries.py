"""What the outbox delivers for accounts: the recovery mails (recovery.py writes them)."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outbox.services import State, messages_for, register, send_email

from .models import User
from .recovery import PASSWORD_RESET, USERNAME_REMINDER


def _password_reset_mail(user: User) -> EmailMessage:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    protocol, _sep, domain = base.partition("://")
    context = {
        "user": user,
        "protocol": protocol,
        "domain": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = render_to_string("emails/password_reset_subject.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=render_to_string("emails/password_reset.txt", context),
        to=[user.email],
    )


def _mailed_recently(message, kind: str, user: User) -> bool:
    """At most one recovery mail of a kind per account per RECOVERY_MAIL_INTERVAL_SECONDS: what
    anyone can ask for in another person's name cannot flood that person, and the person's own
    request finds the link of a mail just sent (valid an hour). This message now belongs to
    the account, so that the next one finds it."""
    since = timezone.now() - datetime.timedelta(seconds=settings.RECOVERY_MAIL_INTERVAL_SECONDS)
    recent = (
        messages_for(user)
        .filter(kind=kind, state=State.DELIVERED, finished_at__gte=since)
        .exclude(pk=message.pk)
        .exists()
    )
    message.target = user
    message.save(update_fields=["target_type", "target_id"])
    return recent


def deliver_password_reset(message) -> bool:
    user = User.objects.filter(username__iexact=message.payload["username"], is_active=True).first()
    if user is None or not user.email or not user.has_usable_password():
        return False
    if _mailed_recently(message, PASSWORD_RESET, user):
        return False
    with translation.override(message.payload.get("language") or settings.LANGUAGE_CODE):
        send_email(_password_reset_mail(user), message=message)
    return True


def deliver_username_reminder(message) -> bool:
    """The usernames go to the address stored with them, never to the address as typed (which
    may only look like it: `ı` and `i` are the same to a case-insensitive comparison)."""
    users = list(
        User.objects.filter(email__iexact=message.payload["email"], is_active=True).order_by("pk")
    )
    if not users or _mailed_recently(message, USERNAME_REMINDER, users[0]):
        return False
    per_address = defaultdict(list)
    for user in users:
        per_address[user.email].append(user.username)
    with translation.override(message.payload.get("language") or settings.LANGUAGE_CODE):
        subject = _("Uw gebruikersnaam voor Mijn Z login")
        for address, usernames in per_address.items():
            body = render_to_string(
                "emails/username_reminder.txt",
                {
                    "usernames": sorted(usernames),
                    "login_url": settings.PORTAL_BASE_URL + reverse("home"),
                },
            )
            send_email(EmailMessage(subject=subject, body=body, to=[address]), message=message)
    return True


def register_deliveries() -> None:
    register(
        PASSWORD_RESET,
        label=gettext_lazy("Activatielink nieuw wachtwoord"),
        deliver=deliver_password_reset,
    )
    register(
        USERNAME_REMINDER,
        label=gettext_lazy("Gebruikersnaam vergeten"),
        deliver=deliver_username_reminder,
    )
