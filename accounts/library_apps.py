"""The login libraries' apps under Dutch names in the admin (INSTALLED_APPS names these configs).

django-otp's models and the apps of django-otp, django-two-factor-auth and django-axes carry
untranslatable English names; django-axes' model names are translated by locale/nl.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticDefaultConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPDefaultConfig
from two_factor.plugins.phonenumber.apps import TwoFactorPhoneNumberConfig

# The devices' fields as the admin names them (their help texts: accounts/library_admin.py).
_DEVICE_FIELDS = {
    "user": _("persoon"),
    "name": _("naam"),
    "confirmed": _("bevestigd"),
    "created_at": _("aangemaakt op"),
    "last_used_at": _("laatst gebruikt op"),
    "throttling_failure_timestamp": _("laatste mislukte poging"),
    "throttling_failure_count": _("mislukte pogingen op rij"),
    "key": _("geheime sleutel"),
    "step": _("tijdstap"),
    "t0": _("starttijd"),
    "digits": _("cijfers"),
    "tolerance": _("tolerantie"),
    "drift": _("afwijking"),
    "last_t": _("laatste tijdstap"),
    "number": _("telefoonnummer"),
    "method": _("manier"),
    "device": _("reservecodelijst"),
    "token": _("code"),
}


def _name_model(app_config: AppConfig, model_name: str, singular, plural) -> None:
    # Only the names shown: migrations read Meta's original attributes and a field's
    # original verbose_name, neither of which changes here.
    meta = app_config.get_model(model_name)._meta
    meta.verbose_name = singular
    meta.verbose_name_plural = plural
    for field in meta.fields:
        field.verbose_name = _DEVICE_FIELDS.get(field.name, field.verbose_name)


class AxesConfig(AxesAppConfig):
    verbose_name = _("Inlogblokkades")


class StaticDeviceConfig(StaticDefaultConfig):
    verbose_name = _("Reservecodes")

    def ready(self):
        _name_model(self, "StaticDevice", _("reservecodelijst"), _("reservecodelijsten"))
        _name_model(self, "StaticToken", _("reservecode"), _("reservecodes"))


class TOTPDeviceConfig(TOTPDefaultConfig):
    verbose_name = _("Authenticator-apps")

    def ready(self):
        _name_model(self, "TOTPDevice", _("authenticator-app"), _("authenticator-apps"))


class PhoneDeviceConfig(TwoFactorPhoneNumberConfig):
    verbose_name = _("SMS-codes")

    def ready(self):
        super().ready()
        _name_model(self, "PhoneDevice", _("telefoonnummer"), _("telefoonnummers"))
