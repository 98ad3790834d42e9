"""What a status change tells the intermediair: the subject and text of the bericht and of the
mail to its afzender address, for one ketenmachtiging or for several of one intermediair (a
nightly job). Rendered in the active language: each of the portal's languages for the bericht,
the afzender's for the mail."""

from typing import cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from .constants import (
    INVITATION_VALID_MONTHS,
    STATUS_EXPLANATIONS,
    Status,
    Transition,
    with_number,
)
from .models import Ketenmachtiging

# Per transition, what the new status means for the intermediair (true for one or many).
_MEANING = {
    "resend_invitation": with_number(
        ngettext_lazy(
            "Z login heeft de uitnodiging opnieuw naar uw relatie verstuurd. De nieuwe "
            "uitnodiging is %(months)s maand geldig.",
            "Z login heeft de uitnodiging opnieuw naar uw relatie verstuurd. De nieuwe "
            "uitnodiging is %(months)s maanden geldig.",
            INVITATION_VALID_MONTHS,
        ),
        INVITATION_VALID_MONTHS,
    ),
    "receive": gettext_lazy(
        "Z login heeft het ondertekende formulier ontvangen en verwerkt de aanvraag."
    ),
    "mark_incomplete": STATUS_EXPLANATIONS[Status.INCOMPLEET],
    "fail": STATUS_EXPLANATIONS[Status.FOUT],
    "activate": gettext_lazy(
        "Uw gebruikers kunnen de ketenmachtiging nu gebruiken. Gebruikers en groepen wijst u "
        "toe in het tabblad Actief."
    ),
    "lapse": with_number(
        ngettext_lazy(
            "Z login heeft het ondertekende formulier niet binnen %(months)s maand na het "
            "versturen van de uitnodiging ontvangen. Een nieuwe uitnodiging verstuurt u via "
            "Voeg toe bij ketenmachtigingen van relaties.",
            "Z login heeft het ondertekende formulier niet binnen %(months)s maanden na het "
            "versturen van de uitnodiging ontvangen. Een nieuwe uitnodiging verstuurt u via "
            "Voeg toe bij ketenmachtigingen van relaties.",
            INVITATION_VALID_MONTHS,
        ),
        INVITATION_VALID_MONTHS,
    ),
    "expire": gettext_lazy(
        "Met een verlopen ketenmachtiging kunnen uw gebruikers niet meer namens de relatie "
        "inloggen. Een nieuwe ketenmachtiging vraagt u aan via Voeg toe bij "
        "ketenmachtigingen van relaties."
    ),
    "revoke_now": gettext_lazy(
        "Met een ingetrokken ketenmachtiging kunnen uw gebruikers niet meer namens de relatie "
        "inloggen."
    ),
    "revoke_on_date": gettext_lazy(
        "Met een ingetrokken ketenmachtiging kunnen uw gebruikers niet meer namens de relatie "
        "inloggen."
    ),
    "withdraw": gettext_lazy("De aanvraag is ingetrokken en wordt niet verder verwerkt."),
}

# Transitions whose note is Z login's reason, written for the intermediair.
REASONED = frozenset({"fail", "mark_incomplete"})


def _line(km: Ketenmachtiging) -> str:
    return _("%(relatie)s (aanvraagcode %(code)s)") % {
        "relatie": km.relatie.name,
        "code": km.request_code,
    }


def status_news(transition: Transition, kms: list[Ketenmachtiging], *, note: str):
    """(subject, text) for the ketenmachtigingen `kms` of one intermediair that `transition`
    moved; the relatie of each is loaded."""
    # Told of status changes only: the transition has a target.
    status = Status(cast(str, transition.target)).label
    if len(kms) == 1:
        [km] = kms
        subject = _("Ketenmachtiging van %(relatie)s: %(status)s") % {
            "relatie": km.relatie.name,
            "status": status,
        }
        paragraphs = [
            _("De status van de ketenmachtiging van %(line)s is gewijzigd in %(status)s.")
            % {"line": _line(km), "status": status}
        ]
        if transition.name == "activate" and km.start_date and km.end_date:
            paragraphs.append(
                _("De ketenmachtiging geldt vanaf %(start)s; de einddatum is %(end)s.")
                % {"start": f"{km.start_date:%d-%m-%Y}", "end": f"{km.end_date:%d-%m-%Y}"}
            )
    else:
        subject = _("%(count)s ketenmachtigingen: %(status)s") % {
            "count": len(kms),
            "status": status,
        }
        paragraphs = [
            _("De status van de volgende ketenmachtigingen is gewijzigd in %(status)s:")
            % {"status": status}
            + "\n"
            + "\n".join(f"- {_line(km)}" for km in kms)
        ]
    if transition.name in REASONED and note.strip():
        paragraphs.append(_("Toelichting van Z login: %(reason)s") % {"reason": note.strip()})
    paragraphs.append(str(_MEANING[transition.name]))
    return subject, "\n\n".join(paragraphs) + "\n"
