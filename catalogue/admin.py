"""The catalogue in the admin: dienstverleners with their diensten, and the diensten.

Neither is deleted here: a dienst leaves the catalogue by being made inactive.
"""

import re

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy

from .models import Dienst, Dienstverlener


class DienstInline(admin.TabularInline):
    model = Dienst
    fields = ("name", "service_uuid", "service_index", "min_eh_niveau", "active")
    extra = 0
    # A dienst leaves the catalogue by being made inactive: deleting it would silently shrink
    # the scope of every ketenmachtiging and groep that lists it.
    can_delete = False


@admin.register(Dienstverlener)
class DienstverlenerAdmin(admin.ModelAdmin):
    list_display = ("name", "oin", "is_belastingdienst", "diensten_count")
    list_filter = ("is_belastingdienst",)
    search_fields = ("name", "oin")
    inlines = (DienstInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_diensten_count=Count("diensten"))

    @admin.display(description=gettext_lazy("diensten"), ordering="_diensten_count")
    def diensten_count(self, obj):
        return obj._diensten_count

    def has_delete_permission(self, request, obj=None):
        return False


# urn:etoegang:DV:<OIN>:services:<n>, as a dienstverlener names a dienst.
_SERVICE_ID = re.compile(r"^\s*urn:etoegang:DV:(\d{20}):services:(\d+)\s*$", re.IGNORECASE)


@admin.register(Dienst)
class DienstAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "dienstverlener",
        "service_uuid",
        "service_index",
        "min_eh_niveau",
        "active",
    )
    list_select_related = ("dienstverlener",)
    list_filter = ("active", "min_eh_niveau", "dienstverlener__is_belastingdienst")
    search_fields = ("name", "service_uuid", "dienstverlener__name", "dienstverlener__oin")
    search_help_text = gettext_lazy(
        "Zoek op naam, ServiceUUID, ServiceID (urn:etoegang:DV:…) of dienstverlener."
    )
    autocomplete_fields = ("dienstverlener",)
    readonly_fields = ("service_id",)

    def get_queryset(self, request):
        # Dienst.__str__ names the dienstverlener: also for the autocomplete of other pages.
        return super().get_queryset(request).select_related("dienstverlener")

    def get_search_results(self, request, queryset, search_term):
        match = _SERVICE_ID.match(search_term)
        if match:
            oin, index = match.groups()
            return queryset.filter(dienstverlener__oin=oin, service_index=int(index)), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="ServiceID")
    def service_id(self, obj):
        return obj.service_id if obj.pk else "-"

    def has_delete_permission(self, request, obj=None):
        return False
