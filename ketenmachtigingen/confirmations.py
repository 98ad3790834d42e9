"""What each destructive action of the portal asks first (core/confirmation.py): the
consequence, named precisely, in the user's language."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.confirmation import Question

from .constants import Status
from .wizard import Draft


def withdraw(km) -> Question:
    if km.status == Status.FOUT:  # "Verwijder": the request failed and is asked again
        return Question(
            title=_("Verwijder aanvraag"),
            consequence=_(
                "De mislukte aanvraag voor %(name)s wordt verwijderd uit het overzicht. "
                "Daarna kunt u de ketenmachtiging opnieuw aanvragen."
            )
            % {"name": km.relatie.name},
            confirm_label=_("Ja, verwijder aanvraag"),
        )
    return Question(
        title=_("Trek aanvraag in"),
        consequence=_(
            "De aanvraag voor %(name)s wordt ingetrokken. De relatie kan het formulier dan niet "
            "meer gebruiken."
        )
        % {"name": km.relatie.name},
        confirm_label=_("Ja, trek aanvraag in"),
    )


def remove_gebruiker(km, membership) -> Question:
    names = {"name": membership.user.display_name, "relatie": km.relatie.name}
    via = [g.name for g in km.groepen.filter(members=membership).order_by("name")]
    if via:  # still a member of a groep of this ketenmachtiging
        consequence = ngettext(
            "%(name)s wordt verwijderd uit de ketenmachtiging van %(relatie)s, maar houdt "
            "toegang via groep %(groepen)s.",
            "%(name)s wordt verwijderd uit de ketenmachtiging van %(relatie)s, maar houdt "
            "toegang via de groepen %(groepen)s.",
            len(via),
        ) % {**names, "groepen": ", ".join(via)}
    else:
        consequence = (
            _("%(name)s kan de ketenmachtiging van %(relatie)s daarna direct niet meer gebruiken.")
            % names
        )
    return Question(
        title=_("Verwijder gebruiker"),
        consequence=consequence,
        confirm_label=_("Ja, verwijder gebruiker"),
    )


def remove_groep(km, groep) -> Question:
    return Question(
        title=_("Verwijder groep"),
        consequence=_(
            "De gebruikers van groep %(name)s kunnen de ketenmachtiging van %(relatie)s daarna "
            "niet meer via deze groep gebruiken. De groep zelf blijft bestaan."
        )
        % {"name": groep.name, "relatie": km.relatie.name},
        confirm_label=_("Ja, verwijder groep"),
    )


def delete_import(bulk, row_count: int) -> Question:
    return Question(
        title=_("Verwijder de import"),
        consequence=ngettext(
            "De import %(filename)s met %(n)s bedrijf wordt verwijderd. U begint dan opnieuw "
            "met stap 1.",
            "De import %(filename)s met %(n)s bedrijven wordt verwijderd. U begint dan opnieuw "
            "met stap 1.",
            row_count,
        )
        % {"filename": bulk.filename, "n": row_count},
        confirm_label=_("Ja, verwijder de import"),
    )


def restart(draft: Draft) -> Question:
    if draft.is_bulk:
        consequence = _(
            "De geïmporteerde bedrijven en uw keuzes in stap 2 tot en met 4 worden gewist. U "
            "begint dan opnieuw met stap 1."
        )
    elif draft.company:
        consequence = _(
            "Het gekozen bedrijf %(name)s en uw keuzes in stap 2 tot en met 4 worden gewist. U "
            "begint dan opnieuw met stap 1."
        ) % {"name": draft.company["name"]}
    else:
        consequence = _("Uw keuzes worden gewist. U begint dan opnieuw met stap 1.")
    return Question(
        title=_("Begin opnieuw"), consequence=consequence, confirm_label=_("Ja, begin opnieuw")
    )


def remove_from_overview(km) -> Question:
    return Question(
        title=_("Verwijder uit overzicht"),
        consequence=_(
            "De verlopen ketenmachtiging van %(name)s verdwijnt uit het overzicht Verlopen. "
            "Wilt u later weer namens %(name)s inloggen, dan vraagt u een nieuwe "
            "ketenmachtiging aan."
        )
        % {"name": km.relatie.name},
        confirm_label=_("Ja, verwijder uit overzicht"),
    )


def replace_draft(draft: Draft, km) -> Question:
    """ "Vraag opnieuw aan" while another request is being prepared in the wizard."""
    names = {"relatie": km.relatie.name}
    if draft.is_bulk:
        consequence = (
            _(
                "U bent al een aanvraag voor meerdere bedrijven aan het voorbereiden. De "
                "geïmporteerde bedrijven en uw keuzes worden gewist en vervangen door de gegevens "
                "van de verlopen ketenmachtiging van %(relatie)s."
            )
            % names
        )
    elif draft.company:
        consequence = _(
            "U bent al een aanvraag voor %(name)s aan het voorbereiden. Uw keuzes worden gewist "
            "en vervangen door de gegevens van de verlopen ketenmachtiging van %(relatie)s."
        ) % {**names, "name": draft.company["name"]}
    else:
        consequence = (
            _(
                "Uw keuzes in de wizard worden vervangen door de gegevens van de verlopen "
                "ketenmachtiging van %(relatie)s."
            )
            % names
        )
    return Question(
        title=_("Vraag opnieuw aan"),
        consequence=consequence,
        confirm_label=_("Ja, vervang de aanvraag"),
    )
