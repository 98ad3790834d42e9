"""What the outbox delivers for accounts: the recovery mails (recovery.py writes them)."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outbox.services import register, send_email

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


def deliver_password_reset(message) -> bool:
    user = User.objects.filter(username__iexact=message.payload["username"], is_active=True).first()
    if user is None or not user.email or not user.has_usable_password():
        return False
    with translation.override(message.payload.get("language") or settings.LANGUAGE_CODE):
        send_email(_password_reset_mail(user), message=message)
    return True


def deliver_username_reminder(message) -> bool:
    email = message.payload["email"]
    usernames = list(
        User.objects.filter(email__iexact=email, is_active=True)
        .order_by("username")
        .values_list("username", flat=True)
    )
    if not usernames:
        return False
    with translation.override(message.payload.get("language") or settings.LANGUAGE_CODE):
        body = render_to_string(
            "emails/username_reminder.txt",
            {"usernames": usernames, "login_url": settings.PORTAL_BASE_URL + reverse("home")},
        )
        subject = _("Uw gebruikersnaam voor Mijn Z login")
    send_email(EmailMessage(subject=subject, body=body, to=[email]), message=message)
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
