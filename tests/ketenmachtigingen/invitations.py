"""An invitation to a relatie as the tests build and read it: the request, its PDF's text and its
mail's bodies."""

import subprocess

from ketenmachtigingen.models import Ketenmachtiging
from tests.factories import (
    DienstFactory,
    DienstverlenerFactory,
    KetenmachtigingFactory,
    OrganisationFactory,
    valid_rsin,
)

RSIN = valid_rsin(4242)


def make_km(**overrides) -> Ketenmachtiging:
    """A request just sent, limited to one whole dienstverlener and two single diensten."""
    belastingdienst = DienstverlenerFactory(name="Belastingdienst")
    uwv = DienstverlenerFactory(name="UWV")
    fields = {
        "relatie": OrganisationFactory(
            name="Bakkerij De Gouden Korst & Zn. B.V.",
            kvk_nummer="30112233",
            rsin=RSIN,
            straat="Dorpsstraat",
            huisnummer="12a",
            postcode="1234 AB",
            plaats="Amersfoort",
        ),
        "intermediair": OrganisationFactory(
            intermediair=True,
            name="Accountantskantoor Van Dijk",
            kvk_nummer="40998877",
            straat="Keizersgracht",
            huisnummer="100",
            postcode="1015 AA",
            plaats="Amsterdam",
        ),
        "algemene_bevoegdheid": False,
        "dienstverleners": [belastingdienst],
        "diensten": [
            DienstFactory(dienstverlener=uwv, name="Werkgeversportaal"),
            DienstFactory(dienstverlener=uwv, name="Verzuimmelding"),
        ],
        "duration_years": 3,
        "contact_initialen": "A.B.",
        "contact_tussenvoegsel": "van der",
        "contact_achternaam": "Berg",
        "contact_email": "a.vanderberg@bakkerij.example.nl",
        "intermediair_email": "kantoor@vandijk.example.nl",
        "intermediair_telefoon": "020 123 45 67",
        "personal_message": "Zoals besproken.\nGroet, Piet",
    }
    fields.update(overrides)
    return KetenmachtigingFactory(**fields)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text read back by poppler, with all whitespace runs as one space."""
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def message_text(message) -> tuple[str, str]:
    """The plain text body and the HTML alternative."""
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return message.body, html
