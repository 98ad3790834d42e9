"""Django admin for Z login staff: the groepen of an organisation and their members.

Groepen are made by the organisation's beheerders in the portal (no add here). Changes made by
staff go through the same services as the portal's, so the same rules hold, every change is in
the audit trail (linked from the groep's page), and deleting a groep records "Groep verwijderd"
on every ketenmachtiging it was linked to.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import Groep


class GroepAdminForm(forms.ModelForm):
    class Meta:
        model = Groep
        fields = ("name", "members", "algemene_bevoegdheid", "dienstverleners", "diensten")

    def clean_name(self):
        """Unique per organisation whatever the case, as the services and the constraint say
        (the form cannot check the constraint itself: the organisation is not a form field)."""
        name = " ".join(self.cleaned_data["name"].split())
        taken = Groep.objects.filter(
            organisation_id=self.instance.organisation_id, name__iexact=name
        )
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Er bestaat al een groep met deze naam."))
        return name

    def clean(self):
        """The services' rules, as form errors rather than a failed save."""
        cleaned = super().clean()
        organisation_id = self.instance.organisation_id
        for membership in cleaned.get("members") or ():
            if membership.organisation_id != organisation_id:
                self.add_error(
                    "members",
                    _("%(member)s hoort niet bij %(organisation)s.")
                    % {"member": membership, "organisation": self.instance.organisation},
                )
            elif not membership.active:
                self.add_error(
                    "members",
                    _("Het middel van %(name)s is niet actief.")
                    % {"name": membership.user.display_name},
                )
        if not cleaned.get("algemene_bevoegdheid"):
            diensten = cleaned.get("diensten") or []
            if not (cleaned.get("dienstverleners") or diensten):
                self.add_error(
                    None,
                    _("Kies algemene bevoegdheid of één of meerdere toegestane diensten."),
                )
            for dienst in diensten:
                if not dienst.active:
                    self.add_error(
                        "diensten",
                        _("De dienst %(name)s is niet meer beschikbaar.") % {"name": dienst.name},
                    )
        return cleaned


@admin.register(Groep)
class GroepAdmin(admin.ModelAdmin):
    form = GroepAdminForm
    list_display = ("name", "organisation", "algemene_bevoegdheid", "members_count")
    list_select_related = ("organisation",)
    list_filter = ("algemene_bevoegdheid",)
    search_fields = ("name", "organisation__name", "organisation__kvk_nummer")
    autocomplete_fields = ("members", "dienstverleners", "diensten")
    readonly_fields = ("organisation", "created_at", "history_link")
    fieldsets = (
        (None, {"fields": ("organisation", "name", "created_at", "history_link")}),
        (gettext_lazy("Gebruikers"), {"fields": ("members",)}),
        (
            gettext_lazy("Toegestane diensten"),
            {"fields": ("algemene_bevoegdheid", "dienstverleners", "diensten")},
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members_count=Count("members"))

    @admin.display(description=gettext_lazy("gebruikers"), ordering="_members_count")
    def members_count(self, obj):
        return obj._members_count

    @admin.display(description=gettext_lazy("geschiedenis"))
    def history_link(self, obj):
        """The groep's events in the audit trail (they outlive the groep)."""
        query = urlencode(
            {
                "target_content_type__id__exact": ContentType.objects.get_for_model(Groep).pk,
                "target_id": obj.pk,
            }
        )
        return format_html(
            '<a href="{}?{}">{}</a>',
            reverse("admin:audit_auditevent_changelist"),
            query,
            _("Bekijk de wijzigingen in de audit trail"),
        )

    def has_add_permission(self, request):
        return False

    # --- writes through the groepen services

    def save_model(self, request, obj, form, change):
        if "name" in form.changed_data:
            services.rename_groep(acting_user=request.user, groep=obj, name=obj.name)

    def save_related(self, request, form, formsets, change):
        groep = form.instance
        data = form.cleaned_data
        services.set_members(acting_user=request.user, groep=groep, memberships=data["members"])
        services.set_toegestane_diensten(
            acting_user=request.user,
            groep=groep,
            algemene_bevoegdheid=data["algemene_bevoegdheid"],
            dienstverleners=data["dienstverleners"],
            diensten=data["diensten"],
        )

    def delete_model(self, request, obj):
        services.delete_groep(acting_user=request.user, groep=obj)

    def delete_queryset(self, request, queryset):
        for groep in queryset:
            services.delete_groep(acting_user=request.user, groep=groep)
