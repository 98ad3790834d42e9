"""The berichten the nightly jobs leave for the intermediair, in the portal's language."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from berichtenbox.models import Bericht
from berichtenbox.services import post_berichten


def post_lapsed(rows: list[dict]) -> None:
    """rows: pk, intermediair_id, relatie__name of each lapsed invitation."""
    with translation.override(settings.LANGUAGE_CODE):
        post_berichten(
            Bericht(
                organisation_id=row["intermediair_id"],
                ketenmachtiging_id=row["pk"],
                subject=_("Uitnodiging voor %(relatie)s is vervallen")
                % {"relatie": row["relatie__name"]},
                body=_(
                    "Z login heeft de ondertekende ketenmachtiging van %(relatie)s niet binnen "
                    "3 maanden na het versturen van de uitnodiging ontvangen. De aanvraag is "
                    "daarom vervallen en staat niet meer in uw overzicht. U kunt een nieuwe "
                    "uitnodiging versturen via Voeg toe bij ketenmachtigingen van relaties."
                )
                % {"relatie": row["relatie__name"]},
            )
            for row in rows
        )


def post_reminders(rows: list[dict]) -> None:
    """rows: pk, intermediair_id, relatie__name, end_date of each ketenmachtiging to renew."""
    with translation.override(settings.LANGUAGE_CODE):
        post_berichten(
            Bericht(
                organisation_id=row["intermediair_id"],
                ketenmachtiging_id=row["pk"],
                subject=_("Ketenmachtiging van %(relatie)s verloopt op %(datum)s")
                % {"relatie": row["relatie__name"], "datum": f"{row['end_date']:%d-%m-%Y}"},
                body=_(
                    "De ketenmachtiging van %(relatie)s verloopt op %(datum)s. Om daarna namens "
                    "uw relatie te kunnen blijven inloggen, is een nieuwe ketenmachtiging nodig. "
                    "Vraag tijdig een verlenging aan via het tabblad Acties."
                )
                % {"relatie": row["relatie__name"], "datum": f"{row['end_date']:%d-%m-%Y}"},
            )
            for row in rows
        )
