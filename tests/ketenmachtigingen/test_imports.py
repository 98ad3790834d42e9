"""Meerdere bedrijven: reading the Excel form back (ketenmachtigingen/imports/).

Every test builds a real .xlsx: with openpyxl (which writes inline strings and numbers) or by
hand as Excel does (shared strings, formulas with their cached values).
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from ketenmachtigingen import imports
from ketenmachtigingen.imports import ImportRefused, validate_import
from ketenmachtigingen.imports.checks import OLE_SIGNATURE
from ketenmachtigingen.models import RegisterEntry
from ketenmachtigingen.register import RegisterUnavailable, lookup_companies
from tests.factories import KetenmachtigingFactory, OrganisationFactory, valid_rsin
from tests.ketenmachtigingen.workbooks import (
    HEADER,
    XLSM_TYPE,
    Formula,
    handmade_xlsx,
    row,
    xlsx,
)

# The intermediair's own KVK-nummer: a row with it is refused ("own organisation" below).
pytestmark = pytest.mark.intermediair(kvk_nummer="55555555")

# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def register(db, settings):
    """Companies in the local register: one with a KVK-nummer that starts with a zero."""
    settings.COMPANY_REGISTER = "local"
    entries = [
        ("39078749", "ZET solutions B.V.", "Albert Einsteinweg", "4", "8218NH", "Lelystad"),
        ("02029700", "Nul Begin B.V.", "Kerkstraat", "1", "1011AA", "Amsterdam"),
        ("30112233", "Bakkerij Van den Berg B.V.", "Dorpsstraat", "21", "3731GC", "De Bilt"),
    ]
    return {
        kvk: RegisterEntry.objects.create(
            kvk_nummer=kvk,
            rsin=valid_rsin(i + 40),
            name=name,
            straat=straat,
            huisnummer=nr,
            postcode=pc,
            plaats=plaats,
        )
        for i, (kvk, name, straat, nr, pc, plaats) in enumerate(entries)
    }


def check(data: bytes, intermediair, filename="bedrijven.xlsx"):
    return validate_import(data, filename=filename, intermediair=intermediair)


def summary(result) -> dict:
    """What a beheerder sees: the valid rows, and every message with its row and column."""
    return {
        "valid": [(r.row_number, r.kvk_nummer) for r in result.valid_rows],
        "errors": [(e.row, e.column, e.message) for e in result.errors],
        "warnings": [(r.row_number, r.warning) for r in result.warnings],
    }


KVK_COLUMN = "KVK-nummer (kolom A)"

# --- rows: one table, one case per line -----------------------------------------------------------

CASES = [
    # (id, rows, valid, errors)
    ("kvk as text", [row("39078749")], [(2, "39078749")], []),
    ("kvk as text, leading zero", [row("02029700")], [(2, "02029700")], []),
    ("kvk as number lost its zero", [row(2029700)], [(2, "02029700")], []),
    ("kvk as float lost its zero", [row(2029700.0)], [(2, "02029700")], []),
    ("kvk with spaces and dots", [row(" 3907.8749 ")], [(2, "39078749")], []),
    (
        "kvk of 7 digits as text",
        [row("2029700")],
        [],
        [
            (
                2,
                KVK_COLUMN,
                "Een KVK-nummer bestaat uit precies 8 cijfers. In het bestand staat “2029700”.",
            )
        ],
    ),
    (
        "kvk with letters",
        [row("KVK12345")],
        [],
        [
            (
                2,
                KVK_COLUMN,
                "Een KVK-nummer bestaat uit precies 8 cijfers. In het bestand staat “KVK12345”.",
            )
        ],
    ),
    (
        "unknown kvk",
        [row("99999999")],
        [],
        [
            (
                2,
                KVK_COLUMN,
                "Er is geen bedrijf gevonden met nummer 99999999. Controleer het nummer.",
            )
        ],
    ),
    (
        "missing fields",
        [
            row(
                kvk=None,
                initialen=None,
                tussenvoegsel="van",
                achternaam="",
                email=None,
                telefoon=None,
            )
        ],
        [],
        [
            (2, KVK_COLUMN, "Vul het KVK-nummer in."),
            (2, "Voorletter(s) (kolom B)", "Vul de voorletter(s) van de contactpersoon in."),
            (2, "Achternaam (kolom D)", "Vul de achternaam van de contactpersoon in."),
            (2, "E-mailadres (kolom E)", "Vul het e-mailadres van de contactpersoon in."),
            (2, "Telefoonnummer (kolom F)", "Vul het telefoonnummer van de contactpersoon in."),
        ],
    ),
    (
        "bad e-mail",
        [row(email="jan@")],
        [],
        [(2, "E-mailadres (kolom E)", "“jan@” is geen geldig e-mailadres.")],
    ),
    (
        "bad phone",
        [row(telefoon="12345")],
        [],
        [
            (
                2,
                "Telefoonnummer (kolom F)",
                "“12345”: Vul een geldig telefoonnummer in, "
                "bijvoorbeeld 06 12345678 of, voor een buitenlands nummer, +32 2 555 12 12.",
            )
        ],
    ),
    (
        "too long",
        [row(achternaam="x" * 101)],
        [],
        [(2, "Achternaam (kolom D)", "Gebruik hoogstens 100 tekens; dit zijn er 101.")],
    ),
    (
        "the same kvk twice",
        [row("39078749"), row("30112233"), row(39078749, email="ander@zet.example.nl")],
        [(2, "39078749"), (3, "30112233")],
        [(4, KVK_COLUMN, "Dit KVK-nummer staat al in rij 2.")],
    ),
    (
        "own organisation",
        [row("55555555")],
        [],
        [(2, KVK_COLUMN, "Dit is het KVK-nummer van uw eigen organisatie.")],
    ),
    (
        "empty rows skipped, row numbers kept",
        [row("39078749"), [None] * 7, ["", "  ", None, "", "", "", ""], row("30112233")],
        [(2, "39078749"), (5, "30112233")],
        [],
    ),
]


@pytest.mark.parametrize("rows, valid, errors", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rows_are_checked(register, intermediair, rows, valid, errors):
    result = check(xlsx(*rows), intermediair)

    assert summary(result) == {"valid": valid, "errors": errors, "warnings": []}


def test_a_valid_row_is_read_with_the_company_from_the_register(register, intermediair):
    result = check(
        xlsx(
            row(
                "02029700",
                "A.B.",
                "van der",
                "Berg",
                " a.berg@nul.example.nl ",
                612345678,
                "KLANT-7",
            )
        ),  # fmt: skip
        intermediair,
    )

    (imported,) = result.rows
    assert (
        imported.kvk_nummer,
        imported.initialen,
        imported.tussenvoegsel,
        imported.achternaam,
        imported.email,
        imported.telefoon,
        imported.reference,
        imported.company.name,
        imported.company.plaats,
    ) == (
        "02029700",
        "A.B.",
        "van der",
        "Berg",
        "a.berg@nul.example.nl",
        "+31612345678",  # a number cell lost the 0 of 06; the phone number is still whole
        "KLANT-7",
        "Nul Begin B.V.",
        "Amsterdam",
    )
    assert result.needs_review is False


def test_existing_relaties_are_a_warning_not_an_error(register, intermediair):
    zet = OrganisationFactory(kvk_nummer="39078749")
    bakkerij = OrganisationFactory(kvk_nummer="30112233")
    nul = OrganisationFactory(kvk_nummer="02029700")
    KetenmachtigingFactory(intermediair=intermediair, relatie=zet, actief=True)
    KetenmachtigingFactory(intermediair=intermediair, relatie=bakkerij)  # aanvraag verstuurd
    KetenmachtigingFactory(intermediair=intermediair, relatie=nul, ingetrokken=True)
    KetenmachtigingFactory(relatie=nul, actief=True)  # to another intermediair

    result = check(xlsx(row("39078749"), row("30112233"), row("02029700")), intermediair)

    assert summary(result) == {
        "valid": [(2, "39078749"), (3, "30112233"), (4, "02029700")],
        "errors": [],
        "warnings": [
            (2, "Uw organisatie heeft al een ketenmachtiging van dit bedrijf (Actief)."),
            (
                3,
                "Uw organisatie heeft al een ketenmachtiging van dit bedrijf (Aanvraag verstuurd).",
            ),
        ],
    }
    assert result.needs_review is True


def test_extra_columns_are_ignored_and_columns_may_move(register, intermediair):
    header = ["Opmerking", "E-mailadres", "KVK-nummer", "Achternaam", "Voorletter(s)",
              "Telefoonnummer", "Interne code"]  # fmt: skip
    data = xlsx(
        ["bellen", "j@zet.example.nl", "39078749", "Jansen", "J.", "0301234567", "X1"],
        header=header,
    )

    result = check(data, intermediair)

    assert summary(result) == {"valid": [(2, "39078749")], "errors": [], "warnings": []}
    assert (result.rows[0].email, result.rows[0].reference) == ("j@zet.example.nl", "")


def test_the_header_is_found_below_title_rows_despite_spaces_and_case(register, intermediair):
    header = ["  kvk nummer ", "VOORLETTERS", "tussenvoegsel", "achternaam ", "E-mail adres",
              "telefoonnummer", "Referentie"]  # fmt: skip
    data = xlsx(
        row("39078749", email="bad"),
        header=header,
        above=[["Aanvragen ketenmachtigingen"], [], ["Kantoor Utrecht", None, "maart"]],
    )

    result = check(data, intermediair)

    assert result.header_row == 4
    assert summary(result)["errors"] == [
        (5, "E-mailadres (kolom E)", "“bad” is geen geldig e-mailadres.")
    ]


def test_the_header_is_looked_for_on_every_sheet(register, intermediair):
    instructie = [["Kolom", "Toelichting"], ["KVK-nummer", "8 cijfers"], ["Achternaam", "..."]]
    data = xlsx(row("39078749"), sheets_before=[("Uitleg", instructie)])

    assert summary(check(data, intermediair))["valid"] == [(2, "39078749")]


def test_the_example_row_of_the_form_is_skipped(register, intermediair):
    workbook = load_workbook(io.BytesIO(imports.build_template()))
    workbook["Bedrijven"].append(row("39078749"))
    output = io.BytesIO()
    workbook.save(output)

    result = check(output.getvalue(), intermediair)

    assert (result.example_row, summary(result)["valid"]) == (2, [(3, "39078749")])


def test_an_example_row_with_real_data_typed_over_it_is_imported(register, intermediair):
    result = check(xlsx(row("39078749", reference="Voorbeeld: rij")), intermediair)

    assert (result.example_row, summary(result)["valid"]) == (None, [(2, "39078749")])


def test_formulas_are_read_as_their_cached_values_and_never_evaluated(register, intermediair):
    data = handmade_xlsx(
        [
            Formula('TEXT(39078749,"00000000")', "39078749"),
            "J.",
            None,
            Formula('UPPER("jansen")', "JANSEN"),
            Formula('CONCAT("j@","zet.example.nl")', "j@zet.example.nl"),
            Formula("0612345678+0", 612345678),
            Formula("1+1", 2),
        ],
    )

    result = check(data, intermediair)

    assert summary(result) == {"valid": [(2, "39078749")], "errors": [], "warnings": []}
    imported = result.rows[0]
    assert (imported.achternaam, imported.email, imported.telefoon, imported.reference) == (
        "JANSEN",
        "j@zet.example.nl",
        "+31612345678",
        "2",
    )


@pytest.mark.parametrize("shared_strings", [True, False], ids=["shared strings", "inline"])
def test_excel_and_other_writers_both_import(register, intermediair, shared_strings):
    """Excel writes text as shared strings, openpyxl and others inline; numbers are numbers;
    and the declared dimension (A1:A1 here) is wrong, which must not cut the sheet off."""
    data = handmade_xlsx(
        row("39078749"), row(2029700, telefoon=301234567), shared_strings=shared_strings
    )

    assert summary(check(data, intermediair)) == {
        "valid": [(2, "39078749"), (3, "02029700")],
        "errors": [],
        "warnings": [],
    }


def test_xlsm_is_read_and_its_macros_ignored(register, intermediair):
    data = handmade_xlsx(row("39078749"), workbook_type=XLSM_TYPE)

    assert summary(check(data, intermediair, "bedrijven.xlsm"))["valid"] == [(2, "39078749")]


def test_the_kvk_api_is_asked_per_number(kvk_api, intermediair):
    data = xlsx(row("68750110"), row("12312312"), row("69599084"))

    result = check(data, intermediair)

    assert summary(result)["valid"] == [(2, "68750110"), (4, "69599084")]
    assert [c.name for c in (r.company for r in result.valid_rows)] == [
        "Test BV Donald",
        "Test EMZ Dagobert",
    ]
    assert len(kvk_api.received) == 3


def test_an_unreachable_kvk_api_refuses_the_import(kvk_api, intermediair):
    kvk_api.answer_with(503, "")

    with pytest.raises(RegisterUnavailable):
        check(xlsx(row("68750110")), intermediair)


def test_the_local_register_is_asked_in_one_query(register, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = lookup_companies("kvk", ["39078749", "02029700", "99999999", "39078749"])

    assert sorted(found) == ["02029700", "39078749"]


# --- files that are refused -----------------------------------------------------------------------


def zip_of(**members: bytes) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name.replace("__", "/"), content)
    return output.getvalue()


XLSX_ADVICE = " Gebruik het Excel-formulier en sla het op als Excel-werkmap (.xlsx)."
BOMB = (
    "Het bestand wordt niet gelezen: uitgepakt is het groter dan 50 MB of het is ongewoon sterk "
    "gecomprimeerd (meer dan 100 keer). Gebruik het Excel-formulier."
)
REFUSED = [
    ("empty", b"", "Het bestand is leeg."),
    (
        "a renamed pdf",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj",
        "Dit is een PDF-bestand, geen Excel-bestand." + XLSX_ADVICE,
    ),
    (
        "an old xls",
        OLE_SIGNATURE + b"\x00" * 504,
        "Dit is een oud Excel-bestand (.xls) of een met een wachtwoord beveiligd bestand; dat kan "
        "niet worden gelezen." + XLSX_ADVICE,
    ),
    (
        "a csv",
        "KVK-nummer;Voorletter(s);Achternaam\n39078749;J.;Jansen\n".encode("cp1252"),
        "Dit is een tekst- of CSV-bestand, geen Excel-bestand." + XLSX_ADVICE,
    ),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Dit is geen Excel-bestand." + XLSX_ADVICE),
    (
        "a zip that is no workbook",
        zip_of(readme__txt=b"hello"),
        "Dit is geen Excel-bestand." + XLSX_ADVICE,
    ),
    (
        "an ods",
        zip_of(mimetype=b"application/vnd.oasis.opendocument.spreadsheet", content__xml=b"<x/>"),
        "Dit is een OpenDocument-bestand (.ods), geen Excel-bestand." + XLSX_ADVICE,
    ),
    (
        "a workbook without its parts",
        zip_of(**{"[Content_Types].xml": b"<Types/>"}),
        "Het bestand kon niet worden gelezen." + XLSX_ADVICE,
    ),
    (
        "a truncated zip",
        xlsx(row())[:-200],
        "Het bestand is beschadigd of geen Excel-bestand." + XLSX_ADVICE,
    ),
    ("a zip bomb: too large unpacked", zip_of(xl__big__xml=b"\0" * (51 * 2**20)), BOMB),
    ("a zip bomb: compressed too strongly", zip_of(xl__big__xml=b"<a/>" * (2**20)), BOMB),
    (
        "no header",
        xlsx(["39078749", "J."], ["02029700", "K."], header=None),
        "De kopregel met de kolommen KVK-nummer, Voorletter(s), Achternaam, E-mailadres en "
        "Telefoonnummer is niet gevonden in de eerste 20 rijen. Gebruik het Excel-formulier.",
    ),
    (
        "a required column missing",
        xlsx(row()[:4], header=HEADER[:4]),
        "In de kopregel (rij 1) ontbreekt de kolom “E-mailadres”, “Telefoonnummer”.",
    ),
    (
        "only the header",
        xlsx(header=HEADER),
        "Het bestand bevat geen bedrijven. Vul onder de kopregel (rij 1) per bedrijf één rij in.",
    ),
    (
        "the form as downloaded",
        imports.build_template(),
        "Het bestand bevat geen bedrijven. Vul onder de kopregel (rij 1) per bedrijf één rij in.",
    ),
]


@pytest.mark.parametrize("data, message", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_bad_files_are_refused_with_a_clear_message(register, intermediair, data, message):
    with pytest.raises(ImportRefused) as refused:
        check(data, intermediair)

    assert str(refused.value) == message


def test_a_file_over_5_mb_is_refused_before_it_is_read(intermediair):
    upload = SimpleUploadedFile("groot.xlsx", b"PK\x03\x04" + b"\0" * (5 * 2**20))

    with pytest.raises(ImportRefused) as refused:
        imports.read_upload(upload)

    assert str(refused.value) == (
        "Het bestand is groter dan 5 MB (5,0 MB). Verdeel de bedrijven over meerdere bestanden."
    )


def test_more_than_10000_rows_are_refused(register, intermediair):
    rows = [row(f"{10_000_000 + i}", email=f"c{i}@example.nl") for i in range(10_001)]

    with pytest.raises(ImportRefused) as refused:
        check(xlsx(*rows), intermediair)

    assert str(refused.value) == (
        "Het bestand bevat meer dan 10.000 bedrijven. Verdeel de bedrijven over meerdere "
        "bestanden van hoogstens 10.000 rijen."
    )


def test_10000_rows_are_allowed(register, intermediair):
    rows = [row("39078749")] + [row(f"{10_000_000 + i}") for i in range(9_999)]

    result = check(xlsx(*rows), intermediair)

    assert (len(result.rows), len(result.valid_rows)) == (10_000, 1)


def test_a_row_far_beyond_excels_last_row_is_refused(register, intermediair):
    data = handmade_xlsx(row("39078749"))
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheet = archive.read("xl/worksheets/sheet1.xml").replace(
        b"</sheetData>", b'<row r="2000000000"><c r="A2000000000"><v>1</v></c></row></sheetData>'
    )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as patched:
        for info in archive.infolist():
            name = info.filename
            patched.writestr(name, sheet if name.endswith("sheet1.xml") else archive.read(name))

    with pytest.raises(ImportRefused) as refused:
        check(output.getvalue(), intermediair)

    assert str(refused.value).startswith("Het bestand is beschadigd")


# --- the form to download -------------------------------------------------------------------------


def test_the_form_has_the_columns_as_text_an_example_and_instructions():
    workbook = load_workbook(io.BytesIO(imports.build_template()))

    assert workbook.sheetnames == ["Bedrijven", "Instructie"]
    sheet = workbook["Bedrijven"]
    assert [c.value for c in sheet[1]] == HEADER
    assert [c.value for c in sheet[2]] == [
        "12345678", "J.", "van", "Dijk", "j.vandijk@voorbeeld.nl", "06 12345678",
        "Voorbeeld: deze rij wordt niet geïmporteerd",
    ]  # fmt: skip
    assert "overgeslagen" in sheet["A2"].comment.text
    for letter in "ABCDEFG":
        assert sheet.column_dimensions[letter].number_format == "@", letter
        assert sheet[f"{letter}2"].number_format == "@"
    instructions = " ".join(
        str(c.value) for r in workbook["Instructie"].iter_rows() for c in r if c.value
    )
    assert "Rij 2 is een voorbeeld" in instructions
    assert "Hoogstens 10.000 bedrijven en 5 MB per bestand." in instructions
