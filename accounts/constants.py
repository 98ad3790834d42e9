from django.db import models
from django.utils.translation import gettext_lazy as _


class EHNiveau(models.IntegerChoices):
    """Level of assurance of an EH-middel or required by a dienst; higher numbers are stronger."""

    EH2 = 20, "EH2"  # eIDAS laag
    EH2_PLUS = 25, "EH2+"  # eIDAS laag, with extra checks
    EH3 = 30, "EH3"  # eIDAS substantieel: the minimum for ketenmachtigingen
    EH4 = 40, "EH4"  # eIDAS hoog

    @property
    def loa_urn(self) -> str:
        return LOA_URNS[self]

    @classmethod
    def from_loa_urn(cls, urn: str) -> "EHNiveau":
        for niveau, known in LOA_URNS.items():
            if known == urn:
                return niveau
        raise ValueError(f"Unknown level of assurance: {urn}")


LOA_URNS = {
    EHNiveau.EH2: "urn:etoegang:core:assurance-class:loa2",
    EHNiveau.EH2_PLUS: "urn:etoegang:core:assurance-class:loa2plus",
    EHNiveau.EH3: "urn:etoegang:core:assurance-class:loa3",
    EHNiveau.EH4: "urn:etoegang:core:assurance-class:loa4",
}

# Ketenmachtiging functions (requesting, managing and using them) need at least this level.
KETENMACHTIGING_MIN_NIVEAU = EHNiveau.EH3


class Role(models.TextChoices):
    # Manages the organisation's middelen and machtigingen.
    BEHEERDER = "beheerder", _("Beheerder")
    # Logs in at dienstverleners on the organisation's behalf.
    GEBRUIKER = "gebruiker", _("Gebruiker")


class SecondFactor(models.TextChoices):
    SMS = "sms", _("SMS")
    OTP = "otp", _("OTP-device")


class Language(models.TextChoices):
    NL = "nl", _("Nederlands")
    EN = "en", _("Engels")


class LoginFactor(models.TextChoices):
    PASSWORD = "password", _("Wachtwoord")
    TOTP = "totp", _("OTP-code")
    SMS = "sms", _("SMS-code")
    BACKUP = "backup", _("Reservecode")
    # The PKI certificate of an EH4 middel, on its own: no password, no code.
    CERTIFICATE = "certificate", _("Certificaat")


class LoginOutcome(models.TextChoices):
    SUCCESS = "success", _("Gelukt")
    WRONG_PASSWORD = "wrong_password", _("Onjuiste gebruikersnaam of wachtwoord")
    WRONG_CODE = "wrong_code", _("Onjuiste code")
    LOCKED = "locked", _("Geblokkeerd na te veel pogingen")
    # Too many failures from the address (any username): attempts are paced, not locked.
    THROTTLED = "throttled", _("Te snel na te veel pogingen vanaf dit adres")
    # No certificate, or one that does not log in (expired, revoked, unknown, not EH4, ...).
    CERTIFICATE_REFUSED = "certificate_refused", _("Certificaat geweigerd")
