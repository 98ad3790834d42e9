"""Meerdere bedrijven: the Excel form's columns, the header spellings read back, the example row.

What the template writes (`template`) and what the reader expects (`reading`, `rows`).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as in the Excel form, and as named in messages
    required: bool
    max_length: int
    width: int
    explanation: str


COLUMNS: tuple[Column, ...] = (
    Column("kvk_nummer", "KVK-nummer", True, 8, 14, "Verplicht. 8 cijfers, bijvoorbeeld 02029700."),
    Column("initialen", "Voorletter(s)", True, 20, 14, "Verplicht. Van de contactpersoon."),
    Column("tussenvoegsel", "Tussenvoegsel (optioneel)", False, 20, 24, "Optioneel."),
    Column("achternaam", "Achternaam", True, 100, 22, "Verplicht. Van de contactpersoon."),
    Column(
        "email",
        "E-mailadres",
        True,
        254,
        32,
        "Verplicht. De contactpersoon ontvangt hier de uitnodiging met het formulier.",
    ),
    Column(
        "telefoon",
        "Telefoonnummer",
        True,
        30,
        18,
        "Verplicht. Bijvoorbeeld 06 12345678 of, buitenlands, +32 2 555 12 12.",
    ),
    Column(
        "reference",
        "Referentie (optioneel)",
        False,
        100,
        28,
        "Optioneel, voor uw eigen administratie. Wordt getoond in het overzicht.",
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}


def header_key(text: str) -> str:
    """ "  E-mail adres " → "emailadres"; "Referentie (optioneel)" → "referentie"."""
    text = text.lower().replace("(optioneel)", "")
    return "".join(ch for ch in text if ch.isalnum())


# Normalised header text → column key; the form's own headers and the spellings people use.
HEADER_ALIASES: dict[str, str] = {
    **{header_key(column.header): column.key for column in COLUMNS},
    "kvk": "kvk_nummer",
    "kvknr": "kvk_nummer",
    "voorletter": "initialen",
    "voorletters": "initialen",
    "initialen": "initialen",
    "tussenvoegsels": "tussenvoegsel",
    "email": "email",
    "emailadres": "email",
    "telefoon": "telefoon",
    "telefoonnr": "telefoon",
    "referentie": "reference",
}

# The example row of the form: skipped on import while it is left as it is.
EXAMPLE = {
    "kvk_nummer": "12345678",
    "initialen": "J.",
    "tussenvoegsel": "van",
    "achternaam": "Dijk",
    "email": "j.vandijk@voorbeeld.nl",
    "telefoon": "06 12345678",
    "reference": "Voorbeeld: deze rij wordt niet geïmporteerd",
}
EXAMPLE_MARKER = "voorbeeld"
