"""The berichten a transition leaves for the intermediair. Berichten are stored text, read
later by any of the intermediair's beheerders in the language each has chosen: written in the
portal's language (Dutch) and in each of its other languages."""

from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from berichtenbox.models import Bericht
from berichtenbox.services import post_berichten

from .constants import INVITATION_VALID_MONTHS, STATUS_EXPLANATIONS, Status, Transition
from .mail import tidy_text
from .models import Ketenmachtiging
from .status_news import status_news


def _lapsed(km: Ketenmachtiging, note: str) -> tuple[str, str]:
    relatie = km.relatie.name
    return (
        _("Uitnodiging voor %(relatie)s is vervallen") % {"relatie": relatie},
        ngettext(
            "Z login heeft de ondertekende ketenmachtiging van %(relatie)s niet binnen "
            "%(months)s maand na het versturen van de uitnodiging ontvangen. De aanvraag is "
            "daarom vervallen en staat niet meer in uw overzicht. U kunt een nieuwe "
            "uitnodiging versturen via Voeg toe bij ketenmachtigingen van relaties.",
            "Z login heeft de ondertekende ketenmachtiging van %(relatie)s niet binnen "
            "%(months)s maanden na het versturen van de uitnodiging ontvangen. De aanvraag is "
            "daarom vervallen en staat niet meer in uw overzicht. U kunt een nieuwe "
            "uitnodiging versturen via Voeg toe bij ketenmachtigingen van relaties.",
            INVITATION_VALID_MONTHS,
        )
        % {"relatie": relatie, "months": INVITATION_VALID_MONTHS},
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
    language = translation.get_language()
    subject = render_to_string(f"emails/incomplete_bericht_subject_{language}.txt", context)
    body = render_to_string(f"emails/incomplete_bericht_{language}.txt", context)
    return " ".join(subject.split()), tidy_text(body)


# Berichten with their own wording for one ketenmachtiging; the other status changes, and
# several ketenmachtigingen of one intermediair at once, are told by status_news.
_BERICHTEN = {
    "lapse": _lapsed,
    "remind": _reminder,
    "fail": _failed,
    "mark_incomplete": _incomplete,
}


def _bericht(intermediair_id: int, build: Callable[[], tuple[str, str]], km=None) -> Bericht:
    """The bericht `build` writes, called once in each of the portal's languages."""
    max_length = Bericht._meta.get_field("subject").max_length
    texts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            subject, body = build()
        texts[language] = {"subject": subject[:max_length], "body": body}
    return Bericht(
        organisation_id=intermediair_id,
        ketenmachtiging_id=km.pk if km else None,
        **texts.pop(settings.LANGUAGE_CODE),
        translations=texts,
    )


def by_intermediair(kms: list[Ketenmachtiging]) -> dict[int, list[Ketenmachtiging]]:
    groups: dict[int, list[Ketenmachtiging]] = {}
    for km in kms:
        groups.setdefault(km.intermediair_id, []).append(km)
    return groups


def post_for_transition(transition: Transition, kms: list[Ketenmachtiging], *, note: str):
    """A status change: one bericht per intermediair, naming each of its ketenmachtigingen
    that changed (a nightly job moves many at once). A reminder: one per ketenmachtiging.
    Posted together (one announcement mail per intermediair)."""
    if transition.target is None:
        build = _BERICHTEN[transition.name]
        berichten = [_bericht(km.intermediair_id, partial(build, km, note), km) for km in kms]
    else:
        berichten = []
        for intermediair_id, group in by_intermediair(kms).items():
            if len(group) == 1 and transition.name in _BERICHTEN:
                texts = partial(_BERICHTEN[transition.name], group[0], note)
            else:
                texts = partial(status_news, transition, group, note=note)
            km = group[0] if len(group) == 1 else None
            berichten.append(_bericht(intermediair_id, texts, km))
    return post_berichten(berichten)
