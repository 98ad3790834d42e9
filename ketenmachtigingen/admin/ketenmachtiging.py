"""The ketenmachtigingen in the admin: the list, the search by request code, the change page.

A ketenmachtiging's status, dates and timestamps are read-only here; staff move it on with the
buttons on its change page (`buttons`) and two list actions (`bulk`), each of which calls one
lifecycle service after a confirmation page. Ketenmachtigingen come from the portal (no add)
and are kept for the audit trail (no delete).
"""

import re

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from outbox import services as outbox

from .. import dates
from ..constants import INVITATION_VALID_MONTHS, duration_text
from ..models import REQUEST_CODE_ALPHABET, Ketenmachtiging, KetenmachtigingEvent
from .actions import day_text
from .bulk import LifecycleListActions
from .buttons import LifecycleButtons

# --- searching by request code ------------------------------------------------------------------

# What may sit between the characters of a code typed from paper: dashes, spaces, dots.
_CODE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_.]")


def request_code_lookup(term: str) -> Q | None:
    """The request code a search term stands for, however it was typed.

    "KM-7XQ2-M9PA-K4TR", "km7xq2m9pak4tr" and "7XQ2 M9PA K4TR" find the same ketenmachtiging;
    the start of a code with its "KM" ("km7xq2") finds the codes beginning with it.
    """
    compact = _CODE_SEPARATORS.sub("", term).upper()
    prefixed = compact.startswith("KM")
    body = compact[2:] if prefixed else compact
    if not body or len(body) > 12 or any(c not in REQUEST_CODE_ALPHABET for c in body):
        return None
    code = "KM-" + "-".join(body[i : i + 4] for i in range(0, len(body), 4))
    if len(body) == 12:
        return Q(request_code=code)
    if prefixed and len(body) >= 4:
        return Q(request_code__startswith=code)
    return None


# --- ketenmachtigingen -------------------------------------------------------------------------


class KetenmachtigingEventInline(admin.TabularInline):
    """The audit trail, oldest first: read-only, like everything it records."""

    model = KetenmachtigingEvent
    fields = ("created_at", "kind", "from_status", "to_status", "actor_kind", "actor", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("Gebeurtenissen (audit trail)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ketenmachtiging)
class KetenmachtigingAdmin(LifecycleButtons, LifecycleListActions, admin.ModelAdmin):
    list_display = (
        "request_code",
        "status",
        "relatie",
        "intermediair",
        "leverancier",
        "sent_on",
        "end_date",
    )
    list_select_related = ("relatie", "intermediair")
    list_filter = ("status", "leverancier", "sent_at")
    search_fields = (
        "request_code",
        "relatie__kvk_nummer",
        "relatie__name",
        "intermediair__kvk_nummer",
        "intermediair__name",
    )
    search_help_text = gettext_lazy(
        "Zoek op aanvraagcode (met of zonder streepjes), KVK-nummer of naam van relatie of "
        "intermediair."
    )
    actions = ("mark_received_selected", "activate_selected")
    inlines = (KetenmachtigingEventInline,)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "request_code",
                    "status",
                    "status_reason",
                    "relatie_display",
                    "intermediair_display",
                    "reference",
                )
            },
        ),
        (
            gettext_lazy("Machtiging"),
            {
                "fields": (
                    "scope_display",
                    "duration_display",
                    "leverancier",
                    "renews",
                    "start_date",
                    "end_date",
                    "revocation_date",
                    "gebruikers_display",
                    "groepen_display",
                )
            },
        ),
        (
            gettext_lazy("Contactpersoon relatie"),
            {
                "fields": (
                    "contact_name_display",
                    "contact_email",
                    "contact_telefoon",
                    "language",
                    "intermediair_email",
                    "intermediair_telefoon",
                    "personal_message",
                )
            },
        ),
        (
            gettext_lazy("Tijdstippen"),
            {
                "fields": (
                    "created_at_display",
                    "created_by_display",
                    "costs_agreed_at",
                    "sent_at",
                    "invitation_sent_at",
                    "deadline_display",
                    "deliveries_display",
                    "received_at",
                    "activated_at",
                    "revoked_at",
                    "reminder_sent_at",
                    "last_used_at",
                )
            },
        ),
    )
    # Everything but the reference: the status and what goes with it change only through the
    # buttons, the rest is what the relatie signed.
    readonly_fields = tuple(f for f in flatten_fieldsets(fieldsets) if f != "reference")

    # --- permissions: ketenmachtigingen come from the portal and stay for the audit trail

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- search

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        lookup = request_code_lookup(search_term)
        if lookup is not None:
            results = results | queryset.filter(lookup)
        return results, may_have_duplicates

    # --- read-only displays

    @admin.display(description=gettext_lazy("verstuurd op"), ordering="sent_at")
    def sent_on(self, obj):
        return timezone.localdate(obj.sent_at) if obj.sent_at else None

    @admin.display(description=gettext_lazy("verzendingen"))
    def deliveries_display(self, obj):
        """The mails written for it (invitation, incompleet mail) and how far each got."""
        messages_ = list(outbox.messages_for(obj)[:20])
        if not messages_:
            return "-"
        url = reverse("admin:outbox_outboxmessage_changelist")
        return format_html(
            '{}<br><a href="{}?target_type={}&amp;target_id={}">{}</a>',
            format_html_join(
                mark_safe("<br>"),  # noqa: S308 (a constant)
                "{}: {} ({}){}",
                (
                    (
                        outbox.kind_label(m.kind),
                        m.get_state_display(),
                        ngettext("%(n)d poging", "%(n)d pogingen", m.attempts) % {"n": m.attempts},
                        f" — {m.last_error}" if m.last_error else "",
                    )
                    for m in messages_
                ),
            ),
            url,
            messages_[0].target_type_id,
            obj.pk,
            _("Bekijk in Verzendingen"),
        )

    @admin.display(description=gettext_lazy("relatie"))
    def relatie_display(self, obj):
        return self._organisation(obj.relatie)

    @admin.display(description=gettext_lazy("intermediair"))
    def intermediair_display(self, obj):
        return self._organisation(obj.intermediair)

    def _organisation(self, organisation):
        url = reverse("admin:accounts_organisation_change", args=[organisation.pk])
        numbers = ", ".join(
            f"{label} {number}"
            for label, number in (("KVK", organisation.kvk_nummer), ("RSIN", organisation.rsin))
            if number
        )
        return format_html('<a href="{}">{}</a> ({})', url, organisation.name, numbers)

    @admin.display(description=gettext_lazy("bevoegdheid"))
    def scope_display(self, obj):
        if obj.algemene_bevoegdheid:
            return _("Algemene bevoegdheid: alle diensten")
        lines = [
            _("Dienstverlenersmachtiging: %(name)s") % {"name": dv.name}
            for dv in obj.dienstverleners.order_by("name")
        ]
        lines += [
            f"{dienst.name} ({dienst.dienstverlener.name})"
            for dienst in obj.diensten.select_related("dienstverlener").order_by("name")
        ]
        return format_html_join("", "<div>{}</div>", ((line,) for line in lines)) or "-"

    @admin.display(description=gettext_lazy("gebruikers"))
    def gebruikers_display(self, obj):
        names = sorted(m.user.display_name for m in obj.gebruikers.select_related("user"))
        return ", ".join(names) or "-"

    @admin.display(description=gettext_lazy("groepen"))
    def groepen_display(self, obj):
        return ", ".join(g.name for g in obj.groepen.order_by("name")) or "-"

    @admin.display(description=gettext_lazy("duur"))
    def duration_display(self, obj):
        return duration_text(obj.duration_years)

    @admin.display(description=gettext_lazy("aangemaakt op"))
    def created_at_display(self, obj):
        # A callable's value is shown as text: format it as the admin formats a field.
        return formats.localize(timezone.localtime(obj.created_at))

    @admin.display(description=gettext_lazy("aangevraagd door"))
    def created_by_display(self, obj):
        return obj.created_by.display_name if obj.created_by else "-"

    @admin.display(description=gettext_lazy("naam"))
    def contact_name_display(self, obj):
        return obj.contact_name or "-"

    @admin.display(description=gettext_lazy("uiterste ontvangstdatum"))
    def deadline_display(self, obj):
        if not obj.sent_at:
            return "-"
        return ngettext(
            "%(date)s (%(months)s maand na versturen)",
            "%(date)s (%(months)s maanden na versturen)",
            INVITATION_VALID_MONTHS,
        ) % {
            "date": day_text(dates.invitation_deadline(obj.sent_at)),
            "months": INVITATION_VALID_MONTHS,
        }
