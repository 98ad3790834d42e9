"""Z login staff manage API clients and their keys; the check log is read-only."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ApiClient, ApiKey, CheckLog


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    fields = ("prefix", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # new keys through "API-sleutels", which shows the key once


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name",)
    filter_horizontal = ("dienstverleners",)
    inlines = [ApiKeyInline]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("prefix", "client", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("client", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("prefix", "name", "client__name")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        # The client of an existing key is fixed: a key is never moved to another client.
        return (*self.readonly_fields, "client") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            obj._plain_key = services.issue_api_key(obj)

    def response_add(self, request, obj, post_url_continue=None):
        """Show the new key once, on its own page; it is not stored and not shown again."""
        return TemplateResponse(
            request,
            "api/admin_key_created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "key": obj,
                "plain_key": obj._plain_key,
                "title": _("Nieuwe API-sleutel"),
            },
        )

    @admin.action(description=_("Geselecteerde sleutels intrekken"))
    def revoke(self, request, queryset):
        for key in queryset:
            services.revoke_api_key(key=key)
        self.message_user(request, _("De sleutels zijn ingetrokken."), messages.SUCCESS)


@admin.register(CheckLog)
class CheckLogAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "client",
        "intermediair_kvk",
        "pseudonym",
        "relatie_value",
        "dienst_identifier",
        "allowed",
        "reason",
    )
    list_filter = ("allowed", "reason", "client")
    search_fields = ("=pseudonym", "=relatie_value", "=intermediair_kvk")
    list_select_related = ("client",)
    # The log grows by a row per check: no COUNT(*) over all of it on every page.
    show_full_result_count = False
    readonly_fields = [f.name for f in CheckLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
