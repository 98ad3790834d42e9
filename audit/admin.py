"""Django admin for Z login staff: the audit trail, read-only.

Rows are written by audit/services.py only; here nobody adds, changes or deletes them. A
target's history is the list filtered on it (target_content_type and target_id), which the
groepen admin links to.
"""

import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy

from core.admin import ReadOnlyAdmin

from .models import AuditEvent


def _lines(lines: list[str]):
    return format_html_join("", "<div>{}</div>", ((line,) for line in lines)) or "—"


def _json(value):
    if value is None:
        return "—"
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "target_label", "organisation", "actor_name", "summary")
    list_select_related = ("organisation",)
    list_filter = ("kind", "created_at")
    search_fields = ("target_label", "organisation__name", "actor_name")
    show_full_result_count = False  # the trail only grows; the filtered count is enough
    fields = (
        "created_at",
        "kind",
        "organisation",
        "actor",
        "actor_name",
        "target_content_type",
        "target_id",
        "target_label",
        "summary",
        "before_display",
        "after_display",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("wijziging"))
    def summary(self, obj):
        return _lines(obj.description)

    @admin.display(description=gettext_lazy("voor"))
    def before_display(self, obj):
        return _json(obj.before)

    @admin.display(description=gettext_lazy("na"))
    def after_display(self, obj):
        return _json(obj.after)

    def lookup_allowed(self, lookup, value, request=None):
        """The history of one target, linked from its own admin page."""
        if lookup in ("target_content_type", "target_content_type__id__exact", "target_id"):
            return True
        return super().lookup_allowed(lookup, value, request)
