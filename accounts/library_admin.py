"""The second-factor devices' admins (django-otp, django-two-factor-auth) in the admin's language.

Their fieldset headings and help texts are English literals the libraries do not translate; the
field names are set in accounts/library_apps.py. Registered again here, in the libraries' own
admins with the headings and help texts replaced.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from two_factor.plugins.phonenumber.admin import PhoneDeviceAdmin as TwoFactorPhoneDeviceAdmin
from two_factor.plugins.phonenumber.models import PhoneDevice

_HEADINGS = {
    "Identity": _("Identiteit"),
    "Timestamps": _("Tijdstippen"),
    "Configuration": _("Instellingen"),
    "State": _("Toestand"),
    "Throttling": _("Vertraging na mislukte pogingen"),
}

_HELP_TEXTS = {
    "user": _("De persoon van wie dit middel is."),
    "name": _("De naam waaronder de persoon dit middel kent."),
    "confirmed": _("Het middel is ingesteld en kan worden gebruikt."),
    "throttling_failure_timestamp": _("Leeg wanneer de laatste poging slaagde."),
    "throttling_failure_count": "",
    "key": _("Hexadecimaal, gedeeld met de app of het telefoonnummer."),
    "step": _("De geldigheid van één code, in seconden."),
    "t0": _("De Unix-tijd vanaf waar de tijdstappen tellen."),
    "digits": _("Het aantal cijfers van een code."),
    "tolerance": _("Het aantal tijdstappen ervoor of erna dat nog geldt."),
    "drift": _("Hoeveel tijdstappen de klok van de app afwijkt."),
    "last_t": _("Een volgende code moet van een latere tijdstap zijn."),
}

# Read-only fields show their model field's help text; these are shown by name alone.
_SHOWN_WITHOUT_HELP = {"created_at": "aangemaakt_op", "last_used_at": "laatst_gebruikt_op"}


class DeviceAdminInOurLanguage:
    """Mixed into a device's admin: the same layout under translated headings and help."""

    def get_fieldsets(self, request, obj=None):
        return [
            (
                _HEADINGS.get(name, name),
                {
                    **options,
                    "fields": [_SHOWN_WITHOUT_HELP.get(f, f) for f in options["fields"]],
                },
            )
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [_SHOWN_WITHOUT_HELP.get(field, field) for field in fields]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name in _HELP_TEXTS:
            formfield.help_text = _HELP_TEXTS[db_field.name]
        return formfield

    @admin.display(description=_("aangemaakt op"))
    def aangemaakt_op(self, device):
        return device.created_at

    @admin.display(description=_("laatst gebruikt op"))
    def laatst_gebruikt_op(self, device):
        return device.last_used_at


class TOTPDeviceDutchAdmin(DeviceAdminInOurLanguage, TOTPDeviceAdmin):
    pass


class StaticDeviceDutchAdmin(DeviceAdminInOurLanguage, StaticDeviceAdmin):
    pass


class PhoneDeviceDutchAdmin(DeviceAdminInOurLanguage, TwoFactorPhoneDeviceAdmin):
    # two_factor's own admin lists phone devices by their __str__, which names the person: one
    # query per row; here the person is read along.
    list_select_related = ("user",)


for model, model_admin in (
    (TOTPDevice, TOTPDeviceDutchAdmin),
    (StaticDevice, StaticDeviceDutchAdmin),
    (PhoneDevice, PhoneDeviceDutchAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
