import secrets
from typing import Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, DeviceManager

from .constants import (
    KETENMACHTIGING_MIN_NIVEAU,
    EHNiveau,
    LoginFactor,
    LoginOutcome,
    Role,
    SecondFactor,
)
from .validators import validate_kvk_nummer, validate_rsin


class Organisation(models.Model):
    """A legal entity: an intermediair, a relatie, or both. One table for all of them."""

    name = models.CharField(_("bedrijfsnaam"), max_length=200)
    kvk_nummer = models.CharField(
        _("KVK-nummer"),
        max_length=8,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_kvk_nummer],
    )
    rsin = models.CharField(
        _("RSIN / fiscaal nummer"),
        max_length=9,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_rsin],
    )
    straat = models.CharField(_("straat"), max_length=200, blank=True)
    huisnummer = models.CharField(_("huisnummer"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    plaats = models.CharField(_("plaats"), max_length=100, blank=True)
    ketenmachtigingen_enabled = models.BooleanField(
        _("ketenmachtigingen afgenomen"),
        default=False,
        help_text=_("De organisatie neemt ketenmachtigingen af en mag ze aanvragen."),
    )
    # Afzenderinstellingen: defaults for the intermediary's contact in every invitation.
    afzender_email = models.EmailField(_("e-mailadres afzender"), blank=True)
    afzender_telefoon = models.CharField(_("telefoonnummer afzender"), max_length=30, blank=True)
    # The language of the mails Z login sends the organisation (status news, new berichten).
    afzender_language = models.CharField(
        _("taal van e-mails"), max_length=5, choices=settings.LANGUAGES, default="nl"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kvk_nummer__isnull=False) | Q(rsin__isnull=False),
                name="organisation_has_kvk_or_rsin",
            ),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return self.name

    @property
    def address_line(self) -> str:
        return " ".join(part for part in (self.straat, self.huisnummer) if part)

    @property
    def postcode_plaats(self) -> str:
        return " ".join(part for part in (self.postcode, self.plaats) if part)


class User(AbstractUser):
    """A person. Their EH-middelen, one per organisation, are Memberships."""

    initials = models.CharField(_("initialen"), max_length=20, blank=True)
    tussenvoegsel = models.CharField(_("tussenvoegsel"), max_length=20, blank=True)
    phone_number = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    # The organisation last chosen in the switcher: the person's next session starts in it.
    last_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("laatst gekozen organisatie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("persoon")
        verbose_name_plural = _("personen")

    @property
    def display_name(self) -> str:
        parts = [self.initials or self.first_name, self.tussenvoegsel, self.last_name]
        return " ".join(p for p in parts if p) or self.username

    @property
    def avatar_initials(self) -> str:
        """AP for A.B.M. Pietersen: shown in the round badge top right."""
        first = (self.initials or self.first_name or self.username)[:1]
        return (first + self.last_name[:1]).upper()

    def __str__(self):
        return self.display_name


def new_pseudonym() -> str:
    return secrets.token_hex(16)


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def managing(self):
        """Middelen that may use the ketenmachtiging functions: beheerder at EH3 or higher."""
        return self.active().filter(role=Role.BEHEERDER, eh_niveau__gte=KETENMACHTIGING_MIN_NIVEAU)


class Membership(models.Model):
    """The EH-middel a person holds for an organisation: their role, level and second factor."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices, default=Role.GEBRUIKER)
    eh_niveau = models.PositiveSmallIntegerField(
        _("EH-niveau"), choices=EHNiveau.choices, default=EHNiveau.EH3
    )
    second_factor = models.CharField(
        _("tweede factor"), max_length=10, choices=SecondFactor.choices, default=SecondFactor.OTP
    )
    belastingdienst_only = models.BooleanField(
        _("alleen Belastingdienst"),
        default=False,
        help_text=_("Het middel is alleen geldig bij de Belastingdienst."),
    )
    active = models.BooleanField(_("actief"), default=True)
    # Opaque, stable identifier of the middel as dienstverleners see it at login.
    pseudonym = models.CharField(max_length=64, unique=True, default=new_pseudonym, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("EH-middel")
        verbose_name_plural = _("EH-middelen")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_middel_per_org"),
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_eh_niveau_display()})"

    @property
    def is_beheerder(self) -> bool:
        return self.role == Role.BEHEERDER

    @property
    def may_manage_ketenmachtigingen(self) -> bool:
        return self.active and self.is_beheerder and self.eh_niveau >= KETENMACHTIGING_MIN_NIVEAU


class LoginEvent(models.Model):
    """One login attempt, shown in "Mijn profiel" as the login history."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="login_events"
    )
    username = models.CharField(_("gebruikersnaam"), max_length=150)
    created_at = models.DateTimeField(_("tijdstip"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    factor = models.CharField(_("factor"), max_length=20, choices=LoginFactor.choices)
    outcome = models.CharField(_("resultaat"), max_length=20, choices=LoginOutcome.choices)

    class Meta:
        verbose_name = _("inlogpoging")
        verbose_name_plural = _("inloghistorie")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.username} {self.created_at:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def succeeded(self) -> bool:
        return self.outcome == LoginOutcome.SUCCESS


class MiddelCertificateQuerySet(models.QuerySet["MiddelCertificate"]):
    def current(self) -> Self:
        return self.filter(confirmed=True)


class MiddelCertificate(Device):
    """The PKI certificate of an EH4 middel (on a smartcard or token): logging in with it is
    the whole authentication, no password or code.

    A django-otp device, so that a session logged in with it counts as verified
    (`confirmed`: registered and not revoked; the OTPMiddleware asks on every request, so a
    revoked or replaced certificate ends the sessions it opened). Replaced and revoked
    certificates stay, with who did it and when; at most one per middel is current, and one
    certificate is current on one middel only. Written by accounts/services.py alone.
    """

    membership = models.ForeignKey(
        Membership,
        verbose_name=_("EH-middel"),
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    subject = models.CharField(_("onderwerp"), max_length=500)
    issuer = models.CharField(_("uitgever"), max_length=500)
    serial_number = models.CharField(_("serienummer"), max_length=64)
    # SHA-256 over the DER encoding, lowercase hex: what the login looks the certificate up by.
    fingerprint = models.CharField(_("vingerafdruk (SHA-256)"), max_length=64, db_index=True)
    not_valid_before = models.DateTimeField(_("geldig vanaf"))
    not_valid_after = models.DateTimeField(_("geldig tot"))
    pem = models.TextField(_("certificaat (PEM)"))
    registered_at = models.DateTimeField(_("geregistreerd op"), auto_now_add=True)
    registered_by = models.ForeignKey(
        User,
        verbose_name=_("geregistreerd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("ingetrokken door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # django-otp finds a person's devices through DeviceManager.devices_for_user.
    objects = DeviceManager.from_queryset(MiddelCertificateQuerySet)()  # type: ignore[misc]

    class Meta:
        verbose_name = _("certificaat van EH-middel")
        verbose_name_plural = _("certificaten van EH-middelen")
        ordering = ["-registered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(confirmed=True),
                name="one_current_certificate_per_middel",
            ),
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=Q(confirmed=True),
                name="certificate_current_on_one_middel",
            ),
        ]

    def __str__(self):
        return f"{self.subject} ({self.serial_number})"

    @property
    def is_current(self) -> bool:
        return self.confirmed

    @property
    def is_expired(self) -> bool:
        return self.not_valid_after < timezone.now()
