"""Writes for accounts: the login history, the organisation last chosen, the
afzenderinstellingen and the certificates of EH4 middelen."""

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import services as audit

from .certificates import Details
from .constants import EHNiveau, LoginFactor, LoginOutcome
from .models import LoginEvent, Membership, MiddelCertificate, Organisation, User

__all__ = [
    "CertificateNotAllowed",
    "factor_of",
    "record_login_attempt",
    "register_certificate",
    "remember_organisation",
    "revoke_certificate",
    "update_sender_settings",
]


def factor_of(device: Device) -> LoginFactor:
    if isinstance(device, TOTPDevice):
        return LoginFactor.TOTP
    if isinstance(device, StaticDevice):
        return LoginFactor.BACKUP
    if isinstance(device, MiddelCertificate):
        return LoginFactor.CERTIFICATE
    return LoginFactor.SMS


def record_login_attempt(
    *,
    request: HttpRequest,
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
def update_sender_settings(
    *,
    acting_user: User | None,
    organisation: Organisation,
    email: str,
    telefoon: str,
    language: str | None = None,
) -> bool:
    """Afzenderinstellingen: the defaults for the intermediair's contact in invitations.

    The organisation is read again under a lock, so the audit event's "before" is what was
    stored; nothing is written when nothing changes. Returns whether something changed.
    """
    email, telefoon = str(email or ""), str(telefoon or "")  # a PhoneNumber is stored as text
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    language = language or locked.afzender_language
    before: audit.SenderSettings = {
        "email": locked.afzender_email,
        "telefoon": locked.afzender_telefoon,
        "taal": locked.afzender_language,
    }
    after: audit.SenderSettings = {"email": email, "telefoon": telefoon, "taal": language}
    organisation.afzender_email = email
    organisation.afzender_telefoon = telefoon
    organisation.afzender_language = language
    if before == after:
        return False
    locked.afzender_email = email
    locked.afzender_telefoon = telefoon
    locked.afzender_language = language
    locked.save(update_fields=["afzender_email", "afzender_telefoon", "afzender_language"])
    audit.sender_settings_changed(
        acting_user=acting_user, organisation=locked, before=before, after=after
    )
    return True


# --- the certificates of EH4 middelen -------------------------------------------------------


class CertificateNotAllowed(Exception):
    """A certificate cannot be registered on this middel, or is already on another one."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _certificate_state(certificate: MiddelCertificate) -> audit.CertificateState:
    return {
        "subject": certificate.subject,
        "serial_number": certificate.serial_number,
        "fingerprint": certificate.fingerprint,
        "not_valid_after": certificate.not_valid_after.isoformat(),
    }


@transaction.atomic
def register_certificate(
    *, acting_user: User | None, membership: Membership, certificate: Details
) -> MiddelCertificate:
    """Registers `certificate` (read by accounts/certificates.py) as the EH4 middel's: it logs
    in from now on, and the certificate it replaces (if any) no longer does. Audited as
    registered or replaced; registering the current certificate again changes nothing."""
    locked = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if locked.eh_niveau != EHNiveau.EH4:
        raise CertificateNotAllowed(
            _("Alleen een EH-middel van niveau EH4 kan met een certificaat inloggen.")
        )
    current = MiddelCertificate.objects.current().filter(membership=locked).first()
    if current is not None and current.fingerprint == certificate.fingerprint:
        return current
    elsewhere = (
        MiddelCertificate.objects.current()
        .filter(fingerprint=certificate.fingerprint)
        .exclude(membership=locked)
        .exists()
    )
    if elsewhere:
        raise CertificateNotAllowed(
            _("Dit certificaat is al geregistreerd bij een ander EH-middel.")
        )
    now = timezone.now()
    if current is not None:
        current.confirmed = False
        current.revoked_at = now
        current.revoked_by = acting_user
        current.save(update_fields=["confirmed", "revoked_at", "revoked_by"])
    new = MiddelCertificate.objects.create(
        user=locked.user,
        membership=locked,
        name=certificate.subject[:64],
        confirmed=True,
        subject=certificate.subject[:500],
        issuer=certificate.issuer[:500],
        serial_number=certificate.serial_number[:64],
        fingerprint=certificate.fingerprint,
        not_valid_before=certificate.not_valid_before,
        not_valid_after=certificate.not_valid_after,
        pem=certificate.pem,
        registered_by=acting_user,
    )
    if current is None:
        audit.certificate_registered(
            acting_user=acting_user, membership=locked, after=_certificate_state(new)
        )
    else:
        audit.certificate_replaced(
            acting_user=acting_user,
            membership=locked,
            before=_certificate_state(current),
            after=_certificate_state(new),
        )
    return new


@transaction.atomic
def revoke_certificate(*, acting_user: User | None, membership: Membership) -> bool:
    """The middel's current certificate no longer logs in, and the sessions it opened end.
    Returns whether there was one to revoke."""
    Membership.objects.select_for_update().filter(pk=membership.pk).first()
    current = MiddelCertificate.objects.current().filter(membership=membership).first()
    if current is None:
        return False
    current.confirmed = False
    current.revoked_at = timezone.now()
    current.revoked_by = acting_user
    current.save(update_fields=["confirmed", "revoked_at", "revoked_by"])
    audit.certificate_revoked(
        acting_user=acting_user, membership=membership, before=_certificate_state(current)
    )
    return True
