"""The berichten a transition leaves for the intermediair, in the portal's language (Dutch):
berichten are stored text, read later by any of the intermediair's beheerders."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from berichtenbox.models import Bericht
from berichtenbox.services import post_berichten

from .constants import STATUS_EXPLANATIONS, Status, Transition
from .mail import tidy_text
from .models import Ketenmachtiging


def _lapsed(km: Ketenmachtiging, note: str) -> tuple[str, str]:
    relatie = km.relatie.name
    return (
        _("Uitnodiging voor %(relatie)s is vervallen") % {"relatie": relatie},
        _(
            "Z login heeft de ondertekende ketenmachtiging van %(relatie)s niet binnen "
            "3 maanden na het versturen van de uitnodiging ontvangen. De aanvraag is "
            "daarom vervallen en staat niet meer in uw overzicht. U kunt een nieuwe "
            "uitnodiging versturen via Voeg toe bij ketenmachtigingen van relaties."
        )
        % {"relatie": relatie},
    )


def _reminder(km: Ketenmachtiging, note: str) -> tuple[str, str]:
    values = {"relatie": km.relatie.name, "datum": f"{km.end_date:%d-%m-%Y}"}
    return (
        _("Ketenmachtiging van %(relatie)s verloopt op %(datum)s") % values,
        _(
            "De ketenmachtiging van %(relatie)s verloopt op %(datum)s. Om daarna namens "
            "uw relatie te kunnen blijven inloggen, is een nieuwe ketenmachtiging nodig. "
            "Vraag tijdig een verlenging aan via het tabblad Acties."
        )
        % values,
    )


def _failed(km: Ketenmachtiging, note: str) -> tuple[str, str]:
    values = {"relatie": km.relatie.name, "code": km.request_code, "reason": note}
    return (
        _("Aanvraag voor %(relatie)s is mislukt") % values,
        _("De ketenmachtiging van %(relatie)s (aanvraagcode %(code)s) staat op Fout.") % values
        + "\n\n"
        + _("Reden: %(reason)s") % values
        + "\n\n"
        + str(STATUS_EXPLANATIONS[Status.FOUT]),
    )


def _incomplete(km: Ketenmachtiging, note: str) -> tuple[str, str]:
    context = {
        "km": km,
        "relatie": km.relatie,
        "reason": note.strip(),
        "request_code": km.request_code,
    }
    subject = render_to_string("emails/incomplete_bericht_subject.txt", context)
    body = render_to_string("emails/incomplete_bericht.txt", context)
    return " ".join(subject.split()), tidy_text(body)


_BERICHTEN = {
    "lapse": _lapsed,
    "remind": _reminder,
    "fail": _failed,
    "mark_incomplete": _incomplete,
}


def post_for_transition(transition: Transition, kms: list[Ketenmachtiging], *, note: str):
    """One bericht per ketenmachtiging, posted together (one announcement mail per posting)."""
    build = _BERICHTEN[transition.name]
    with translation.override(settings.LANGUAGE_CODE):
        berichten = []
        for km in kms:
            subject, body = build(km, note)
            berichten.append(
                Bericht(
                    organisation_id=km.intermediair_id,
                    ketenmachtiging_id=km.pk,
                    subject=subject[: Bericht._meta.get_field("subject").max_length],
                    body=body,
                )
            )
    return post_berichten(berichten)
