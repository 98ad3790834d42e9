"""Writes for accounts: the login history."""

from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .constants import LoginFactor, LoginOutcome
from .models import LoginEvent, User


def factor_of(device) -> LoginFactor:
    if isinstance(device, TOTPDevice):
        return LoginFactor.TOTP
    if isinstance(device, StaticDevice):
        return LoginFactor.BACKUP
    return LoginFactor.SMS


def record_login_attempt(
    *,
    request,
    username: str,
    factor: LoginFactor,
    outcome: LoginOutcome,
    user: User | None = None,
) -> LoginEvent:
    if user is None and username:
        user = User.objects.filter(username=username).first()
    return LoginEvent.objects.create(
        user=user,
        username=username[:150],
        ip_address=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.headers.get("User-Agent", "")[:300],
        factor=factor,
        outcome=outcome,
    )


def update_sender_settings(*, acting_user, organisation, email: str, telefoon: str) -> None:
    """Afzenderinstellingen: the defaults for the intermediair's contact in invitations."""
    organisation.afzender_email = email
    organisation.afzender_telefoon = telefoon
    organisation.save(update_fields=["afzender_email", "afzender_telefoon"])
