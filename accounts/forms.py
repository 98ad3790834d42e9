from django import forms
from django.utils.translation import gettext_lazy as _

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
