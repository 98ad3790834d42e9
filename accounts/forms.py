from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .certificates import (
    MAX_UPLOAD_SIZE,
    CertificateRefused,
    Refusal,
    check_for_registration,
    details,
)
from .validators import normalise_phone_number


class UsernamePasswordResetForm(forms.Form):
    """Wachtwoord vergeten: the person gives their username; the activation link goes to the
    e-mail address registered for it (accounts/recovery.py)."""

    username = forms.CharField(label=_("Gebruikersnaam"), max_length=150)


class UsernameReminderForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres"), max_length=254)


class PhoneNumberField(forms.CharField):
    """Dutch and international phone numbers, stored as E.164."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.setdefault("autocomplete", "tel")

    def clean(self, value):
        value = super().clean(value)
        return normalise_phone_number(value) if value else value


class SenderSettingsForm(forms.Form):
    """Afzenderinstellingen: the intermediair's defaults for every invitation."""

    afzender_email = forms.EmailField(label=_("E-mailadres"), required=False)
    afzender_telefoon = PhoneNumberField(label=_("Telefoonnummer"), required=False)
    afzender_language = forms.ChoiceField(
        label=_("Taal van e-mails"),
        choices=settings.LANGUAGES,
        initial="nl",
        help_text=_(
            "De taal van de e-mails die Z login u stuurt over de status van uw aanvragen en "
            "over nieuwe berichten."
        ),
    )


class CertificateUploadForm(forms.Form):
    """A beheerder registers or replaces the PKI certificate of an EH4 middel."""

    certificate = forms.FileField(
        label=_("Certificaatbestand"),
        help_text=_("Het certificaat van het EH4-middel: een .crt-, .cer- of .pem-bestand."),
    )

    def clean_certificate(self):
        upload = self.cleaned_data["certificate"]
        if upload.size > MAX_UPLOAD_SIZE:
            raise forms.ValidationError(_("Dit bestand is te groot voor een certificaat."))
        try:
            certificate = check_for_registration(upload.read())
        except CertificateRefused as refused:
            messages = {
                Refusal.UNREADABLE: _("Dit bestand is geen certificaat (PEM of DER)."),
                Refusal.CA_CERTIFICATE: _(
                    "Dit is het certificaat van een certificaatautoriteit, niet dat van een "
                    "EH4-middel."
                ),
                Refusal.EXPIRED: _("Dit certificaat is verlopen."),
                Refusal.FOREIGN: _(
                    "Dit certificaat is niet uitgegeven door een certificaatautoriteit die Z "
                    "login vertrouwt."
                ),
            }
            raise forms.ValidationError(
                messages.get(refused.reason, _("Dit certificaat kan nu niet worden gecontroleerd."))
            ) from None
        return details(certificate)
