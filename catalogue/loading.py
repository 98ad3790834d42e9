"""The dienstencatalogus: dienstverleners, their OINs and diensten with their minimum EH-niveau.

Loaded by a data migration and by `manage.py load_catalogue`; loading twice changes nothing.
ServiceUUIDs are derived from the names so that every installation has the same ones.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from accounts.constants import EHNiveau

if TYPE_CHECKING:
    from .models import Dienst, Dienstverlener

EH2, EH2P, EH3, EH4 = EHNiveau.EH2, EHNiveau.EH2_PLUS, EHNiveau.EH3, EHNiveau.EH4
_NAMESPACE = uuid.UUID("6f1d8f5e-3b2a-4c8e-9a51-1c2f0e7d9b40")

# (name, OIN, is_belastingdienst, [(dienst, min niveau), ...])
CATALOGUE = [
    ("(DUO) Facet", "00000001003214345001", False, [("Facet Portaal", EH3)]),
    (
        "A.S.R.",
        "00000003271520010000",
        False,
        [
            ("a.s.r. real estate", EH2),
            ("a.s.r. real estate beleggersportaal", EH2),
            ("a.s.r. Zakelijk", EH3),
            ("Adviseursportaal a.s.r. Cockpit", EH3),
        ],
    ),
    (
        "Belastingdienst",
        "00000001003214345000",
        True,
        [
            ("Mijn Belastingdienst Zakelijk", EH3),
            ("Aangifte omzetbelasting", EH3),
            ("Aangifte loonheffingen", EH3),
            ("Aangifte vennootschapsbelasting", EH3),
            ("Aangifte inkomstenbelasting voor intermediairs", EH3),
            ("Toeslagen voor kinderopvangorganisaties", EH3),
            ("Aangifte dividendbelasting", EH3),
        ],
    ),
    (
        "UWV",
        "00000001002216754000",
        False,
        [
            ("Werkgeversportaal", EH3),
            ("Ziek- en herstelmelding", EH3),
            ("Verzuimmelding werkgevers", EH3),
            ("Loongegevens inzien", EH4),
        ],
    ),
    (
        "Kamer van Koophandel",
        "00000001003235160000",
        False,
        [
            ("Jaarrekening deponeren", EH3),
            ("Wijziging doorgeven Handelsregister", EH3),
            ("Uittreksel Handelsregister", EH2P),
        ],
    ),
    (
        "Rijksdienst voor Ondernemend Nederland (RVO)",
        "00000001800866472000",
        False,
        [
            ("Mijn RVO", EH3),
            ("eLoket subsidies", EH3),
            ("Gecombineerde opgave", EH3),
        ],
    ),
    ("Douane", "00000001003214369000", False, [("Douane aangifte", EH3), ("Mijn Douane", EH3)]),
    (
        "Centraal Bureau voor de Statistiek (CBS)",
        "00000001003214379000",
        False,
        [("Enquêtes voor bedrijven", EH2P), ("Statistiekaangifte internationale handel", EH2P)],
    ),
    (
        "Dienst Uitvoering Onderwijs (DUO)",
        "00000001800866519000",
        False,
        [("Mijn DUO Zakelijk", EH3), ("Registratie onderwijsinstellingen", EH3)],
    ),
    (
        "Sociale Verzekeringsbank (SVB)",
        "00000001002220647000",
        False,
        [("Werkgeversportaal SVB", EH3), ("PGB-portaal zakelijk", EH3)],
    ),
    ("CAK", "00000001820719026000", False, [("Zakelijk portaal CAK", EH3)]),
    (
        "RDW",
        "00000001804770694000",
        False,
        [("Bedrijfsvoertuigen beheren", EH3), ("Erkenningen online", EH3)],
    ),
    (
        "Gemeente Amsterdam",
        "00000001002564440000",
        False,
        [("Belastingen ondernemers", EH2P), ("Vergunningen aanvragen", EH3)],
    ),
    (
        "Pensioenfonds Zorg en Welzijn",
        "00000003264853380000",
        False,
        [("Werkgeversportaal PFZW", EH3)],
    ),
    (
        "Nederlandse Voedsel- en Warenautoriteit (NVWA)",
        "00000001003214390000",
        False,
        [("Meldingen NVWA", EH3), ("Exportcertificaten", EH3)],
    ),
    (
        "Nederlandse Arbeidsinspectie",
        "00000001003214401000",
        False,
        [("Melding arbeidsongeval", EH3)],
    ),
    ("Justis", "00000001003214412000", False, [("VOG aanvragen voor organisaties", EH3)]),
    (
        "Omgevingsloket (DSO)",
        "00000001003214423000",
        False,
        [("Omgevingsloket aanvragen en meldingen", EH2P)],
    ),
    (
        "Waterschap Rivierenland",
        "00000001002306608000",
        False,
        [("Waterschapsbelastingen bedrijven", EH2P)],
    ),
    (
        "Zorginstituut Nederland",
        "00000001003214434000",
        False,
        [("Zorgverzekeringsregister", EH4)],
    ),
]


def service_uuid(dienstverlener: str, dienst: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{dienstverlener}/{dienst}")


def load_catalogue(dienstverlener_model: type[Dienstverlener], dienst_model: type[Dienst]) -> None:
    """Create or update the catalogue; takes the model classes so a migration can use it."""
    for name, oin, is_belastingdienst, diensten in CATALOGUE:
        dienstverlener, _ = dienstverlener_model.objects.update_or_create(
            oin=oin, defaults={"name": name, "is_belastingdienst": is_belastingdienst}
        )
        for index, (dienst_name, niveau) in enumerate(diensten, start=1):
            dienst_model.objects.update_or_create(
                service_uuid=service_uuid(name, dienst_name),
                defaults={
                    "dienstverlener": dienstverlener,
                    "name": dienst_name,
                    "service_index": index,
                    "min_eh_niveau": int(niveau),
                },
            )
