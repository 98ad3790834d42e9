"""The buttons on a ketenmachtiging's change page: one confirmation page per lifecycle action.

Each button allowed from the ketenmachtiging's status opens its own page (a summary and the
action's small form); confirming calls the action's lifecycle service. The ketenmachtiging
admin mixes this in; the actions come from `LIFECYCLE_ACTIONS`, by name.
"""

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import dates
from ..constants import Status, duration_text
from ..errors import DomainError, InvalidTransition
from .actions import LIFECYCLE_ACTIONS, LifecycleAction, day_text
from .forms import ActivateForm

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    from ..models import Ketenmachtiging

    _Admin = ModelAdmin[Ketenmachtiging]  # what the mixin is mixed into
else:
    _Admin = object


class LifecycleButtons(_Admin):
    """The lifecycle buttons, their URLs and confirmation pages, for a ModelAdmin."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        urls = [
            path(
                f"<path:object_id>/{action.slug}/",
                self.admin_site.admin_view(self._lifecycle_view_for(action)),
                name="{}_{}_{}".format(*info, action.name),
            )
            for action in LIFECYCLE_ACTIONS.values()
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
            for action in LIFECYCLE_ACTIONS.values()
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
            return self._get_obj_does_not_exist_redirect(  # type: ignore[attr-defined]
                request, self.opts, object_id
            )
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
            rows.append((_("Verstuurd op"), day_text(timezone.localdate(km.sent_at))))
        # The deadline is for the signed form, not for completing an incomplete one.
        if action.name == "mark_received" and km.sent_at and km.status == Status.AANVRAAG_VERSTUURD:
            rows.append(
                (_("Uiterste ontvangstdatum"), day_text(dates.invitation_deadline(km.sent_at)))
            )
        if km.status_reason:
            rows.append((_("Toelichting status"), km.status_reason))
        if action.name == "activate":
            rows.append(
                (
                    _("Duur"),
                    duration_text(km.duration_years),
                )
            )
            if km.renews:
                old = km.renews
                ends = (
                    _(" (loopt tot %(end)s)") % {"end": day_text(old.end_date)}
                    if old.end_date
                    else ""
                )
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
