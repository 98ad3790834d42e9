"""Django admin for Z login staff: the backlog of deliveries (mails, bulk rows) and what failed.

Messages are written by the portal and delivered by the workers; staff look, filter, and send
failed ones again ("Verstuur opnieuw"). Nothing is added, changed or deleted by hand.
"""

from django.contrib import admin, messages
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import registry, services
from .models import OutboxMessage, State


class KindFilter(admin.SimpleListFilter):
    title = _("soort")
    parameter_name = "soort"

    def lookups(self, request, model_admin):
        return [(kind.name, kind.label) for kind in registry.kinds()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "kind_label",
        "target_link",
        "state",
        "attempts",
        "created_at",
        "next_attempt_at",
        "finished_at",
        "short_error",
    )
    list_filter = ("state", KindFilter, "created_at")
    list_select_related = ("target_type",)
    actions = ["send_again"]
    fields = (
        "kind_label",
        "target_link",
        "state",
        "attempts",
        "created_at",
        "next_attempt_at",
        "dispatched_at",
        "claimed_at",
        "finished_at",
        "last_error",
        "payload",
    )
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("soort"), ordering="kind")
    def kind_label(self, obj):
        return registry.label(obj.kind)

    @admin.display(description=_("voor"))
    def target_link(self, obj):
        if obj.target_type_id is None:
            return "-"
        model = obj.target_type.model_class()
        label = f"{model._meta.verbose_name if model else obj.target_type} #{obj.target_id}"
        try:
            url = reverse(
                f"admin:{obj.target_type.app_label}_{obj.target_type.model}_change",
                args=[obj.target_id],
            )
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("laatste fout"))
    def short_error(self, obj):
        return obj.last_error[:120]

    @admin.action(description=_("Verstuur opnieuw"), permissions=["change"])
    def send_again(self, request, queryset):
        skipped = queryset.exclude(state=State.FAILED).count()
        count = services.resend(queryset.filter(state=State.FAILED), acting_user=request.user)
        self.message_user(
            request,
            ngettext(
                "%(n)d verzending wordt opnieuw verstuurd.",
                "%(n)d verzendingen worden opnieuw verstuurd.",
                count,
            )
            % {"n": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d verzending is niet mislukt en is overgeslagen.",
                    "%(n)d verzendingen zijn niet mislukt en zijn overgeslagen.",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
            )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewing only; the action asks for the change permission itself.
        return obj is None and super().has_change_permission(request, obj)
