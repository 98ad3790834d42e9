"""Django admin for Z login staff: the berichten in organisations' berichtenboxen.

A bericht added here is posted like any other (post_bericht: the beheerders are told by e-mail
after the commit). A bericht once sent is not edited: what the organisation read stays as it
was; a wrong one can be deleted.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Bericht
from .services import post_bericht


@admin.register(Bericht)
class BerichtAdmin(admin.ModelAdmin):
    list_display = (
        "subject",
        "organisation",
        "recipient",
        "request_code",
        "created_at",
        "read_at",
        "announced_at",
    )
    list_select_related = ("organisation", "recipient", "ketenmachtiging")
    list_filter = ("created_at", ("read_at", admin.EmptyFieldListFilter))
    search_fields = (
        "subject",
        "organisation__name",
        "organisation__kvk_nummer",
        "ketenmachtiging__request_code",
    )
    autocomplete_fields = ("organisation", "recipient")
    raw_id_fields = ("ketenmachtiging",)
    fields = (
        "organisation",
        "recipient",
        "ketenmachtiging",
        "subject",
        "body",
        "created_at",
        "read_at",
        "announced_at",
    )

    readonly_fields = ("created_at", "read_at", "announced_at")

    @admin.display(description=_("aanvraagcode"), ordering="ketenmachtiging__request_code")
    def request_code(self, obj):
        return obj.ketenmachtiging.request_code if obj.ketenmachtiging_id else "-"

    def has_change_permission(self, request, obj=None):
        # A sent bericht is only viewed.
        return False

    def save_model(self, request, obj, form, change):
        created = post_bericht(
            organisation=obj.organisation,
            subject=obj.subject,
            body=obj.body,
            ketenmachtiging=obj.ketenmachtiging,
            recipient=obj.recipient,
        )
        # The admin goes on with `obj` (its message, log entry and redirect need the pk).
        obj.pk = created.pk
        obj.created_at = created.created_at
        obj._state.adding = False
        obj._state.db = created._state.db
