"""Django admin for Z login staff: organisations, people with their EH-middelen, login history.

Nothing here is deleted: a person or middel is made inactive instead, because deleting would
silently drop them from the ketenmachtigingen and groepen they are assigned to (no audit event),
and an organisation carries ketenmachtigingen, groepen and berichten.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from . import library_admin  # noqa: F401  (the second-factor devices' admins)
from .forms import PhoneNumberField
from .models import LoginEvent, Membership, Organisation, User
from .services import update_sender_settings

SENDER_FIELDS = ("afzender_email", "afzender_telefoon", "afzender_language")


class OrganisationForm(forms.ModelForm):
    afzender_telefoon = PhoneNumberField(label=_("Telefoonnummer"), required=False)

    class Meta:
        model = Organisation
        fields = (
            "name",
            "kvk_nummer",
            "rsin",
            "ketenmachtigingen_enabled",
            "straat",
            "huisnummer",
            "postcode",
            "plaats",
            *SENDER_FIELDS,
        )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
    list_display = ("name", "kvk_nummer", "rsin", "plaats", "ketenmachtigingen_enabled")
    list_filter = ("ketenmachtigingen_enabled",)
    search_fields = ("name", "kvk_nummer", "rsin")
    readonly_fields = ("created_at",)
    fieldsets = (
        (None, {"fields": ("name", "kvk_nummer", "rsin", "ketenmachtigingen_enabled")}),
        (_("Adres"), {"fields": ("straat", "huisnummer", "postcode", "plaats")}),
        (_("Afzenderinstellingen"), {"fields": SENDER_FIELDS}),
        (None, {"fields": ("created_at",)}),
    )

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """The afzenderinstellingen change through their service (normalised, audited), as on
        the beheerder's own page; the rest is saved as usual."""
        if not change:
            return super().save_model(request, obj, form, change)
        stored = Organisation.objects.only(*SENDER_FIELDS).get(pk=obj.pk)
        chosen = {field: getattr(obj, field) for field in SENDER_FIELDS}
        for field in SENDER_FIELDS:
            setattr(obj, field, getattr(stored, field))
        super().save_model(request, obj, form, change)
        update_sender_settings(
            acting_user=request.user,
            organisation=obj,
            email=chosen["afzender_email"],
            telefoon=chosen["afzender_telefoon"],
            language=chosen["afzender_language"],
        )


class MembershipInline(admin.TabularInline):
    """A person's EH-middelen, one per organisation."""

    model = Membership
    fk_name = "user"
    fields = (
        "organisation",
        "role",
        "eh_niveau",
        "second_factor",
        "belastingdienst_only",
        "active",
    )
    autocomplete_fields = ("organisation",)
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "email", "is_staff", "is_active", "last_login")
    search_fields = ("username", "first_name", "last_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal info"),
            {
                "fields": (
                    "initials",
                    "first_name",
                    "tussenvoegsel",
                    "last_name",
                    "email",
                    "phone_number",
                )
            },
        ),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    inlines = (MembershipInline,)

    @admin.display(description=_("naam"), ordering="last_name")
    def display_name(self, obj):
        return obj.display_name

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """All EH-middelen: find an organisation's people; also the groepen' member picker."""

    list_display = (
        "user",
        "organisation",
        "role",
        "eh_niveau",
        "second_factor",
        "belastingdienst_only",
        "active",
    )
    list_select_related = ("user", "organisation")
    list_filter = ("role", "eh_niveau", "second_factor", "belastingdienst_only", "active")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "organisation__name",
        "organisation__kvk_nummer",
    )
    autocomplete_fields = ("user", "organisation")
    readonly_fields = ("pseudonym", "created_at")

    def get_queryset(self, request):
        # Membership.__str__ names the person and the organisation, also in autocompletes.
        return super().get_queryset(request).select_related("user", "organisation")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyAdmin):
    """The login history: written by the login views only, read here."""

    list_display = ("created_at", "username", "user", "factor", "outcome", "ip_address")
    list_select_related = ("user",)
    list_filter = ("outcome", "factor", "created_at")
    search_fields = ("username", "ip_address")
