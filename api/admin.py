"""Z login staff manage API clients and their keys; the check log is read-only."""

from typing import Any, cast

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from ketenmachtigingen.selectors import Reason

from . import services
from .constants import REFUSAL_REASONS
from .models import ApiClient, ApiKey, CheckLog

# The check log grows by a row per check; its admin counts and pages through the newest this many.
CHECK_LOG_SHOWN = 10_000


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    fields = ("prefix", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: ApiClient | None = None) -> bool:
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

    def get_readonly_fields(
        self, request: HttpRequest, obj: ApiKey | None = None
    ) -> list[str] | tuple[str, ...]:
        # The client of an existing key is fixed: a key is never moved to another client.
        return (*self.readonly_fields, "client") if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
        else:
            obj._plain_key = services.issue_api_key(obj)  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None
    ) -> HttpResponse:
        """Show the new key once, on its own page; it is not stored and not shown again."""
        return TemplateResponse(
            request,
            "api/admin_key_created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "key": obj,
                "plain_key": obj._plain_key,  # type: ignore[attr-defined]
                "title": _("Nieuwe API-sleutel"),
            },
        )

    @admin.action(description=_("Geselecteerde sleutels intrekken"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            services.revoke_api_key(key=key)
        self.message_user(request, _("De sleutels zijn ingetrokken."), messages.SUCCESS)


class CappedCountPaginator(Paginator):
    """Counts at most CHECK_LOG_SHOWN rows: a COUNT(*) over the whole log on every page would
    read all of it."""

    @cached_property
    def count(self) -> int:
        checks = cast("QuerySet[CheckLog]", self.object_list)
        return checks.order_by()[:CHECK_LOG_SHOWN].count()


class ReasonFilter(admin.SimpleListFilter):
    """The answer codes, known in advance: no SELECT DISTINCT over the whole log."""

    title = _("reden")
    parameter_name = "reason"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(code, code) for code in (Reason.ALLOWED.value, *REFUSAL_REASONS)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(reason=self.value()) if self.value() else queryset


@admin.register(CheckLog)
class CheckLogAdmin(ReadOnlyAdmin):
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
    list_filter = ("allowed", ReasonFilter, "client")
    search_fields = ("=pseudonym", "=relatie_value", "=intermediair_kvk")
    list_select_related = ("client",)
    paginator = CappedCountPaginator
    show_full_result_count = False  # that would be a second count, of the unfiltered log
    change_list_template = "admin/api/checklog/change_list.html"
    readonly_fields = [f.name for f in CheckLog._meta.fields]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().changelist_view(
            request, {**(extra_context or {}), "shown_at_most": CHECK_LOG_SHOWN}
        )
