"""Voeg nieuwe ketenmachtigingen toe, Meerdere bedrijven: uploading the Excel form, the send
page's fields and sending an import, as the tests take these steps."""

from collections.abc import Collection

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogue.scopes import ScopeSelection
from ketenmachtigingen.bulk import services
from ketenmachtigingen.services.creation import Assignment
from tests.factories import GroepFactory

ADD_BULK = reverse("ketenmachtigingen:add_bulk")

SEND_DATA = {
    "intermediair_email": "km@pietersen.example.nl",
    "intermediair_telefoon": "030 1234567",
    "language": "en",
    "personal_message": "Graag snel retour.",
    "costs_agreed": "on",
}


def upload(client, data: bytes, name="bedrijven.xlsx", follow=False):
    return client.post(ADD_BULK, {"bestand": SimpleUploadedFile(name, data)}, follow=follow)


def submit(bulk, membership, included_row_ids: Collection[int] = ()) -> bool:
    """Send the import for Algemene bevoegdheid, for a groep of the intermediair, with the rows
    `included_row_ids` sent although their relatie already has a ketenmachtiging."""
    return services.submit_bulk_request(
        bulk,
        acting_user=membership.user,
        scope=ScopeSelection(algemene_bevoegdheid=True),
        assignment=Assignment(groepen=[GroepFactory(organisation=membership.organisation)]),
        duration_years=5,
        intermediair_email="km@example.nl",
        intermediair_telefoon="+31301234567",
        language="nl",
        personal_message="",
        costs_agreed=True,
        included_row_ids=included_row_ids,
    )
