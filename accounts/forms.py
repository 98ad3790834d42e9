from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from .models import User
from .validators import normalise_phone_number


class UsernamePasswordResetForm(PasswordResetForm):
    """Wachtwoord vergeten: the person gives their username; the activation link goes to the
    e-mail address registered for it. The answer is the same whether or not it exists."""

    email = None
    username = forms.CharField(label=_("Gebruikersnaam"), max_length=150)

    field_order = ["username"]

    def get_users(self, email):
        username = self.cleaned_data["username"].strip()
        return (
            user
            for user in User.objects.filter(username__iexact=username, is_active=True)
            if user.has_usable_password() and user.email
        )

    def save(self, **kwargs):
        self.cleaned_data["email"] = ""  # unused: get_users looks up the username
        return super().save(**kwargs)


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
