"""Django admin for Z login staff: the signed paper forms, the catalogue and the local register.

A ketenmachtiging's status, dates and timestamps are read-only here; staff move it on with the
buttons on its change page (and two list actions), each of which calls one lifecycle service
after a confirmation page. Ketenmachtigingen come from the portal (no add) and are kept for
the audit trail (no delete).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from outbox import services as outbox

from . import dates
from .constants import TRANSITIONS, Status
from .errors import DomainError, InvalidTransition
from .models import (
    REQUEST_CODE_ALPHABET,
    Dienst,
    Dienstverlener,
    Ketenmachtiging,
    KetenmachtigingEvent,
    RegisterEntry,
)
from .services import lifecycle

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


# --- the buttons: one lifecycle service each -------------------------------------------------


class MarkReceivedForm(forms.Form):
    received_on = forms.DateField(
        label=gettext_lazy("Ontvangstdatum"),
        required=False,
        widget=AdminDateWidget,
        help_text=gettext_lazy("De dag waarop het ondertekende formulier binnenkwam."),
    )

    def __init__(self, *args, ketenmachtiging, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = dates.today()


class MarkIncompleteForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Wat ontbreekt er?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "vLargeTextField"}),
        help_text=gettext_lazy(
            "Deze tekst staat letterlijk in de e-mail aan de contactpersoon van de relatie en in "
            "het bericht aan de intermediair."
        ),
    )

    def __init__(self, *args, ketenmachtiging, **kwargs):
        super().__init__(*args, **kwargs)


class MarkFailedForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reden"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
    )

    def __init__(self, *args, ketenmachtiging, **kwargs):
        super().__init__(*args, **kwargs)


class ActivateForm(forms.Form):
    start_date = forms.DateField(
        label=gettext_lazy("Ingangsdatum"),
        required=False,
        widget=AdminDateWidget,
        help_text=gettext_lazy(
            "Vandaag of een datum in de toekomst. Een verlenging gaat standaard in op de "
            "einddatum van de ketenmachtiging die zij verlengt."
        ),
    )

    def __init__(self, *args, ketenmachtiging, **kwargs):
        super().__init__(*args, **kwargs)
        self.ketenmachtiging = ketenmachtiging
        self.default_start = lifecycle.activation_start(ketenmachtiging, None)
        self.fields["start_date"].initial = self.default_start

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if start and start < dates.today():
            raise forms.ValidationError(_("Kies vandaag of een datum in de toekomst."))
        return start

    def chosen_start(self):
        """The start date the page shows: the valid posted one, else the default."""
        if self.is_bound and self.is_valid() and self.cleaned_data["start_date"]:
            return self.cleaned_data["start_date"]
        return self.default_start


def _d(day) -> str:
    return day.strftime("%d-%m-%Y")


@dataclass(frozen=True)
class LifecycleAction:
    """A button on the change page: a confirmation form, then one lifecycle service."""

    name: str  # the URL name is ketenmachtigingen_ketenmachtiging_<name>
    slug: str  # the URL path segment after the object id
    label: str
    to_status: str
    form_class: type[forms.Form]
    perform: Callable  # (km, acting_user, cleaned_data) -> km
    success: Callable  # (km) -> message

    def allowed(self, km: Ketenmachtiging) -> bool:
        return self.to_status in TRANSITIONS[km.status]


def _incomplete_success(km):
    if km.contact_email:
        return _(
            "De ketenmachtiging %(code)s is gemarkeerd als incompleet. %(email)s krijgt een "
            "e-mail met wat er ontbreekt; de intermediair krijgt een bericht."
        ) % {"code": km.request_code, "email": km.contact_email}
    return _(
        "De ketenmachtiging %(code)s is gemarkeerd als incompleet. Er is geen e-mailadres van de "
        "contactpersoon bekend: alleen de intermediair krijgt een bericht."
    ) % {"code": km.request_code}


LIFECYCLE_ACTIONS = (
    LifecycleAction(
        name="mark_received",
        slug="ontvangen",
        label=gettext_lazy("Markeer als ontvangen"),
        to_status=Status.AANVRAAG_ONTVANGEN,
        form_class=MarkReceivedForm,
        perform=lambda km, user, data: lifecycle.mark_received(
            km, acting_user=user, received_on=data["received_on"]
        ),
        success=lambda km: (
            _("De ketenmachtiging %(code)s is gemarkeerd als ontvangen.")
            % {"code": km.request_code}
        ),
    ),
    LifecycleAction(
        name="mark_incomplete",
        slug="incompleet",
        label=gettext_lazy("Markeer als incompleet"),
        to_status=Status.INCOMPLEET,
        form_class=MarkIncompleteForm,
        perform=lambda km, user, data: lifecycle.mark_incomplete(
            km, acting_user=user, reason=data["reason"]
        ),
        success=_incomplete_success,
    ),
    LifecycleAction(
        name="mark_failed",
        slug="fout",
        label=gettext_lazy("Markeer als fout"),
        to_status=Status.FOUT,
        form_class=MarkFailedForm,
        perform=lambda km, user, data: lifecycle.mark_failed(
            km, acting_user=user, reason=data["reason"]
        ),
        success=lambda km: (
            _("De ketenmachtiging %(code)s is gemarkeerd als fout.") % {"code": km.request_code}
        ),
    ),
    LifecycleAction(
        name="activate",
        slug="activeren",
        label=gettext_lazy("Activeer"),
        to_status=Status.ACTIEF,
        form_class=ActivateForm,
        perform=lambda km, user, data: lifecycle.activate(
            km, acting_user=user, start_date=data["start_date"]
        ),
        success=lambda km: (
            _("De ketenmachtiging %(code)s is actief van %(start)s tot %(end)s.")
            % {"code": km.request_code, "start": _d(km.start_date), "end": _d(km.end_date)}
        ),
    ),
)


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
class KetenmachtigingAdmin(admin.ModelAdmin):
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
    readonly_fields = (
        "request_code",
        "status",
        "status_reason",
        "relatie_display",
        "intermediair_display",
        "scope_display",
        "duration_display",
        "leverancier",
        "renews",
        "start_date",
        "end_date",
        "revocation_date",
        "gebruikers_display",
        "groepen_display",
        "contact_name_display",
        "contact_email",
        "contact_telefoon",
        "language",
        "intermediair_email",
        "intermediair_telefoon",
        "personal_message",
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
        return ngettext("%(years)d jaar", "%(years)d jaar", obj.duration_years) % {
            "years": obj.duration_years
        }

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
        return _("%(date)s (3 maanden na versturen)") % {
            "date": _d(dates.invitation_deadline(obj.sent_at))
        }

    # --- the buttons

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        urls = [
            path(
                f"<path:object_id>/{action.slug}/",
                self.admin_site.admin_view(self._lifecycle_view_for(action)),
                name="{}_{}_{}".format(*info, action.name),
            )
            for action in LIFECYCLE_ACTIONS
        ]
        # Before the defaults: their "<path:object_id>/" would catch these paths.
        return urls + super().get_urls()

    def _action_url(self, action, km):
        info = self.opts.app_label, self.opts.model_name
        return reverse("admin:{}_{}_{}".format(*info, action.name), args=[km.pk])

    def _change_url(self, km):
        info = self.opts.app_label, self.opts.model_name
        return reverse("admin:{}_{}_change".format(*info), args=[km.pk])

    def lifecycle_actions_for(self, request, km):
        """The buttons allowed from the ketenmachtiging's status, for someone who may change it."""
        if not self.has_change_permission(request, km):
            return []
        return [
            {"label": action.label, "url": self._action_url(action, km), "name": action.name}
            for action in LIFECYCLE_ACTIONS
            if action.allowed(km)
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        km = self.get_object(request, unquote(object_id))
        if km is not None:
            extra_context["lifecycle_actions"] = self.lifecycle_actions_for(request, km)
            # Shorter than the model's text: the status is in the bar with the buttons.
            extra_context["subtitle"] = f"{km.request_code} · {km.relatie.name}"
        return super().change_view(request, object_id, form_url, extra_context)

    def _lifecycle_view_for(self, action):
        def view(request, object_id):
            return self.lifecycle_view(request, object_id, action)

        view.__name__ = f"{action.name}_view"
        return view

    def lifecycle_view(self, request, object_id, action: LifecycleAction):
        km = self.get_object(request, unquote(object_id))
        if km is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, km):
            raise PermissionDenied
        if not action.allowed(km):
            messages.error(request, InvalidTransition(km.status, action.to_status).message)
            return HttpResponseRedirect(self._change_url(km))

        data = request.POST if request.method == "POST" else None
        form = action.form_class(data, ketenmachtiging=km)
        if request.method == "POST" and "_preview" not in request.POST and form.is_valid():
            try:
                km = action.perform(km, request.user, form.cleaned_data)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                self.log_change(request, km, str(action.label))
                messages.success(request, action.success(km))
                return HttpResponseRedirect(self._change_url(km))
        return self._render_action_page(request, km, action, form)

    def _summary(self, km, action) -> list[tuple[str, str]]:
        """What the confirmation page repeats about the ketenmachtiging."""
        rows = [
            (_("Aanvraagcode"), km.request_code),
            (_("Status"), km.get_status_display()),
            (_("Relatie"), self._organisation_text(km.relatie)),
            (_("Intermediair"), self._organisation_text(km.intermediair)),
        ]
        if km.sent_at:
            rows.append((_("Verstuurd op"), _d(timezone.localdate(km.sent_at))))
        # The deadline is for the signed form, not for completing an incomplete one.
        if action.name == "mark_received" and km.sent_at and km.status == Status.AANVRAAG_VERSTUURD:
            rows.append((_("Uiterste ontvangstdatum"), _d(dates.invitation_deadline(km.sent_at))))
        if km.status_reason:
            rows.append((_("Toelichting status"), km.status_reason))
        if action.name == "activate":
            rows.append(
                (
                    _("Duur"),
                    ngettext("%(years)d jaar", "%(years)d jaar", km.duration_years)
                    % {"years": km.duration_years},
                )
            )
            if km.renews:
                old = km.renews
                ends = _(" (loopt tot %(end)s)") % {"end": _d(old.end_date)} if old.end_date else ""
                rows.append((_("Verlengt"), f"{old.request_code}{ends}"))
        return rows

    @staticmethod
    def _organisation_text(organisation) -> str:
        if organisation.kvk_nummer:
            return f"{organisation.name} (KVK {organisation.kvk_nummer})"
        return f"{organisation.name} (RSIN {organisation.rsin})"

    def _render_action_page(self, request, km, action, form):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": km,
            "km": km,
            "title": action.label,
            "subtitle": km.request_code,
            "action": action,
            "form": form,
            "media": self.media + form.media,
            "change_url": self._change_url(km),
            "summary": self._summary(km, action),
        }
        if isinstance(form, ActivateForm):
            start = form.chosen_start()
            context["start"] = start
            context["end"] = dates.end_date_for(start, km.duration_years)
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            f"admin/{self.opts.app_label}/{self.opts.model_name}/lifecycle_action.html",
            context,
        )

    # --- list actions: the same services for many at once

    def _bulk(self, request, queryset, action: LifecycleAction, form_class, apply, done_message):
        """A confirmation page for the selected rows; on "post" each goes through the service
        on its own, and a refused one (with its reason) does not stop the others."""
        kms = list(queryset.select_related("relatie", "intermediair").order_by("request_code"))
        form = form_class(request.POST if "post" in request.POST else None)
        if "post" in request.POST and form.is_valid():
            done = 0
            for km in kms:
                try:
                    km = apply(km, form.cleaned_data)
                except DomainError as error:
                    messages.error(request, f"{km.request_code}: {error.message}")
                else:
                    done += 1
                    self.log_change(request, km, str(action.label))
            if done:
                messages.success(request, done_message(done))
            return None  # back to the list
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "title": action.label,
            "action": action,
            "action_name": request.POST.get("action"),
            "form": form,
            "media": self.media + form.media,
            "rows": [(km, action.allowed(km)) for km in kms],
            "selected": [km.pk for km in kms],
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            f"admin/{self.opts.app_label}/{self.opts.model_name}/lifecycle_bulk_action.html",
            context,
        )

    @admin.action(description=gettext_lazy("Markeer als ontvangen"), permissions=["change"])
    def mark_received_selected(self, request, queryset):
        return self._bulk(
            request,
            queryset,
            LIFECYCLE_ACTIONS[0],
            BulkMarkReceivedForm,
            lambda km, data: lifecycle.mark_received(
                km, acting_user=request.user, received_on=data["received_on"]
            ),
            lambda count: (
                ngettext(
                    "%(count)d ketenmachtiging gemarkeerd als ontvangen.",
                    "%(count)d ketenmachtigingen gemarkeerd als ontvangen.",
                    count,
                )
                % {"count": count}
            ),
        )

    @admin.action(description=gettext_lazy("Activeer"), permissions=["change"])
    def activate_selected(self, request, queryset):
        return self._bulk(
            request,
            queryset,
            LIFECYCLE_ACTIONS[3],
            BulkActivateForm,
            # No date: each starts today, or a renewal where the one it renews ends.
            lambda km, data: lifecycle.activate(km, acting_user=request.user),
            lambda count: (
                ngettext(
                    "%(count)d ketenmachtiging geactiveerd.",
                    "%(count)d ketenmachtigingen geactiveerd.",
                    count,
                )
                % {"count": count}
            ),
        )


class BulkMarkReceivedForm(forms.Form):
    received_on = forms.DateField(
        label=gettext_lazy("Ontvangstdatum"),
        required=False,
        widget=AdminDateWidget,
        initial=dates.today,
        help_text=gettext_lazy("De dag waarop de ondertekende formulieren binnenkwamen."),
    )


class BulkActivateForm(forms.Form):
    pass


# --- the catalogue -----------------------------------------------------------------------------


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


# --- the local company register --------------------------------------------------------------


@admin.register(RegisterEntry)
class RegisterEntryAdmin(admin.ModelAdmin):
    list_display = ("name", "kvk_nummer", "rsin", "postcode", "plaats")
    search_fields = ("name", "kvk_nummer", "rsin", "plaats")
