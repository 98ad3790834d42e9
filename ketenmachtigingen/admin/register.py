"""The local company register in the admin: the embedded stand-in for the KVK Handelsregister."""

from django.contrib import admin

from ..models import RegisterEntry


@admin.register(RegisterEntry)
class RegisterEntryAdmin(admin.ModelAdmin):
    list_display = ("name", "kvk_nummer", "rsin", "postcode", "plaats")
    search_fields = ("name", "kvk_nummer", "rsin", "plaats")
