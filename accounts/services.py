"""Writes for accounts: the login history, the organisation last chosen and the
afzenderinstellingen."""

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import services as audit

from .constants import LoginFactor, LoginOutcome
from .models import LoginEvent, Organisation, User


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


def remember_organisation(*, acting_user: User, organisation: Organisation) -> None:
    """The organisation the person chose in the switcher: their next login starts in it."""
    User.objects.filter(pk=acting_user.pk).update(last_organisation=organisation)
    acting_user.last_organisation = organisation


@transaction.atomic
def update_sender_settings(*, acting_user, organisation, email: str, telefoon: str) -> bool:
    """Afzenderinstellingen: the defaults for the intermediair's contact in invitations.

    The organisation is read again under a lock, so the audit event's "before" is what was
    stored; nothing is written when nothing changes. Returns whether something changed.
    """
    email, telefoon = str(email or ""), str(telefoon or "")  # a PhoneNumber is stored as text
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = {"email": locked.afzender_email, "telefoon": locked.afzender_telefoon}
    after = {"email": email, "telefoon": telefoon}
    organisation.afzender_email = email
    organisation.afzender_telefoon = telefoon
    if before == after:
        return False
    locked.afzender_email = email
    locked.afzender_telefoon = telefoon
    locked.save(update_fields=["afzender_email", "afzender_telefoon"])
    audit.sender_settings_changed(
        acting_user=acting_user, organisation=locked, before=before, after=after
    )
    return True
