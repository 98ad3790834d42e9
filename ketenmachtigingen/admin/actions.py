"""The staff's lifecycle actions, by name: each a confirmation form and one lifecycle service.

`LIFECYCLE_ACTIONS` maps an action's name to it, in the order of the buttons on the change
page. The change page and the list actions pick an action by its name, which is also the last
part of its URL name (`admin:ketenmachtigingen_ketenmachtiging_<name>`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..constants import TRANSITIONS, Status
from ..models import Ketenmachtiging
from ..services import lifecycle
from .forms import ActivateForm, MarkFailedForm, MarkIncompleteForm, MarkReceivedForm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def day_text(day) -> str:
    """A date as the admin's messages and confirmation pages write it: 31-12-2025."""
    return day.strftime("%d-%m-%Y")


@dataclass(frozen=True)
class LifecycleAction:
    """A button on the change page: a confirmation form, then one lifecycle service."""

    name: str  # the URL name is ketenmachtigingen_ketenmachtiging_<name>
    slug: str  # the URL path segment after the object id
    label: StrOrPromise
    to_status: str
    form_class: Callable[..., forms.Form]  # a Form taking `ketenmachtiging=`
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


def _by_name(*actions: LifecycleAction) -> Mapping[str, LifecycleAction]:
    registry: dict[str, LifecycleAction] = {}
    for action in actions:
        if action.name in registry:
            raise ValueError(f"Two lifecycle actions are named {action.name!r}.")
        registry[action.name] = action
    return MappingProxyType(registry)


LIFECYCLE_ACTIONS = _by_name(
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
            % {
                "code": km.request_code,
                "start": day_text(km.start_date),
                "end": day_text(km.end_date),
            }
        ),
    ),
)
