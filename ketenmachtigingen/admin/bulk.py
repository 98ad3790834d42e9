"""The ketenmachtiging list's actions: a lifecycle action for many selected rows at once.

A confirmation page lists the selected rows; on "post" each goes through the lifecycle service
on its own, and a refused one (with its reason) does not stop the others. The ketenmachtiging
admin mixes this in; the actions are picked from `LIFECYCLE_ACTIONS` by name.
"""

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy, ngettext

from ..errors import DomainError
from ..services import lifecycle
from .actions import LIFECYCLE_ACTIONS, LifecycleAction
from .forms import BulkActivateForm, BulkMarkReceivedForm

if TYPE_CHECKING:
    from ..models import Ketenmachtiging

    _Admin = admin.ModelAdmin[Ketenmachtiging]  # what the mixin is mixed into
else:
    _Admin = object


class LifecycleListActions(_Admin):
    """The list actions "Markeer als ontvangen" and "Activeer" for a ModelAdmin's `actions`."""

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
            LIFECYCLE_ACTIONS["mark_received"],
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
            LIFECYCLE_ACTIONS["activate"],
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
