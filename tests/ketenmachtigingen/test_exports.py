"""The overview export (handleiding 5.2): the same columns and rows in .csv and .xlsx."""

import csv
import datetime
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import phonenumbers
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ketenmachtigingen import exports
from ketenmachtigingen.exports import (
    HEADERS,
    TelephoneNumber,
    export_response,
    neutralise,
    telephone_number,
)
from ketenmachtigingen.models import Ketenmachtiging
from tests.factories import (
    DienstFactory,
    DienstverlenerFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    valid_rsin,
)

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"

EXPECTED_HEADERS = [
    "Organisatie",
    "Relatie",
    "KVK-nummer",
    "RSIN",
    "Referentie",
    "Diensten",
    "Gebruikers",
    "Groepen",
    "Status",
    "Ingangsdatum",
    "Einddatum",
    "Opzeggingsdatum",
    "Leverancier",
    "Contactpersoon",
    "E-mailadres contactpersoon",
    "Telefoonnummer contactpersoon",
]

RSIN_BAKKERIJ = valid_rsin(900_001)
RSIN_STICHTING = valid_rsin(900_002)


def _all():
    return Ketenmachtiging.objects.all()


def _csv_rows(response, delimiter: str = ";") -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(BOM)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def _xlsx_workbook(response):
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _xlsx_rows(response) -> list[tuple]:
    return list(_xlsx_workbook(response).active.iter_rows(values_only=True))


@pytest.fixture
def sample(frozen):
    """Four ketenmachtigingen of two intermediairs, created in an order unlike the export's."""
    noord = OrganisationFactory(intermediair=True, name="Accountants Noord B.V.")
    zuid = OrganisationFactory(intermediair=True, name="Boekhouders Zuid B.V.")

    # Zuid's only relatie sorts first by name, but the export sorts by organisation first.
    KetenmachtigingFactory(
        actief=True,
        intermediair=zuid,
        relatie=OrganisationFactory(name="Aannemer Alfa B.V.", kvk_nummer="11111111"),
        reference="Alfa",
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2030, 1, 1),
        leverancier="zlogin",
        contact_initialen="A.",
        contact_tussenvoegsel="van",
        contact_achternaam="Dijk",
        contact_email="a.vandijk@alfa.example.nl",
        contact_telefoon="+31101234567",
    )

    # Pending: no dates, a relatie known only by its RSIN, a limited scope.
    belastingdienst = DienstverlenerFactory(name="Belastingdienst")
    uwv = DienstverlenerFactory(name="UWV")
    verzuim = DienstFactory(dienstverlener=uwv, name="Verzuimmelding")
    loonaangifte = DienstFactory(dienstverlener=uwv, name="Loonaangifte")
    KetenmachtigingFactory(
        aanvraag_verstuurd=True,
        intermediair=noord,
        relatie=OrganisationFactory(name="Zuivel Stichting", kvk_nummer=None, rsin=RSIN_STICHTING),
        algemene_bevoegdheid=False,
        dienstverleners=[belastingdienst],
        diensten=[verzuim, loonaangifte],
        reference="@SUM(A1)",
        contact_initialen="Z.",
        contact_achternaam="Zee",
        contact_email="z.zee@zuivel.example.nl",
        contact_telefoon="+31612345678",
    )

    # Active, with users (one with accents) and groups, revocation scheduled, formulas.
    anna = MembershipFactory(
        organisation=noord,
        user=UserFactory(initials="A.", tussenvoegsel="de", last_name="Vries"),
    )
    orjan = MembershipFactory(
        organisation=noord, user=UserFactory(initials="Ö.", last_name="Ångström")
    )
    KetenmachtigingFactory(
        actief=True,
        intermediair=noord,
        relatie=OrganisationFactory(name="Bakkerij Ç&é", kvk_nummer="12345678", rsin=RSIN_BAKKERIJ),
        algemene_bevoegdheid=True,
        gebruikers=[orjan, anna],
        groepen=[
            GroepFactory(organisation=noord, name="Salarisadministratie"),
            GroepFactory(organisation=noord, name="Fiscaal"),
        ],
        reference='=HYPERLINK("http://x")',
        start_date=datetime.date(2026, 3, 10),
        end_date=datetime.date(2031, 3, 10),
        revocation_date=datetime.date(2027, 1, 1),
        leverancier="kpn",
        contact_initialen="",
        contact_achternaam="+31 bad",
        contact_email="info@bakkerij.example.nl",
        contact_telefoon="+3225551212",
    )

    # Expired, nothing optional filled in.
    KetenmachtigingFactory(
        verlopen=True,
        intermediair=noord,
        relatie=OrganisationFactory(name="Café De Zwaan", kvk_nummer="87654321"),
        start_date=datetime.date(2021, 3, 9),
        end_date=datetime.date(2026, 3, 9),
        reference="",
        contact_initialen="",
        contact_achternaam="",
        contact_email="",
        contact_telefoon="",
    )


# Each row with the values as the portal has them: text, dates, telephone numbers as stored.
EXPECTED_ROWS = [
    [
        "Accountants Noord B.V.",
        "Bakkerij Ç&é",
        "12345678",
        RSIN_BAKKERIJ,
        '\'=HYPERLINK("http://x")',
        "Algemene bevoegdheid: alle diensten",
        "A. de Vries; Ö. Ångström",
        "Fiscaal; Salarisadministratie",
        "Actief",
        datetime.date(2026, 3, 10),
        datetime.date(2031, 3, 10),
        datetime.date(2027, 1, 1),
        "KPN",
        "'+31 bad",
        "info@bakkerij.example.nl",
        "+3225551212",
    ],
    [
        "Accountants Noord B.V.",
        "Café De Zwaan",
        "87654321",
        "",
        "",
        "Algemene bevoegdheid: alle diensten",
        "",
        "",
        "Verlopen",
        datetime.date(2021, 3, 9),
        datetime.date(2026, 3, 9),
        None,
        "",
        "",
        "",
        "",
    ],
    [
        "Accountants Noord B.V.",
        "Zuivel Stichting",
        "",
        RSIN_STICHTING,
        "'@SUM(A1)",
        "Dienstverlenersmachtiging voor Belastingdienst; Loonaangifte (UWV); Verzuimmelding (UWV)",
        "",
        "",
        "Aanvraag verstuurd",
        None,
        None,
        None,
        "",
        "Z. Zee",
        "z.zee@zuivel.example.nl",
        "+31612345678",
    ],
    [
        "Boekhouders Zuid B.V.",
        "Aannemer Alfa B.V.",
        "11111111",
        "",
        "Alfa",
        "Algemene bevoegdheid: alle diensten",
        "",
        "",
        "Actief",
        datetime.date(2025, 1, 1),
        datetime.date(2030, 1, 1),
        None,
        "Z login",
        "A. van Dijk",
        "a.vandijk@alfa.example.nl",
        "+31101234567",
    ],
]
DATE_COLUMNS = (9, 10, 11)
PHONE_COLUMN = 15

# The telephone numbers in the .csv: as dialled from the Netherlands, text to any reader.
AS_DIALLED = {
    "+3225551212": "00 32 2 555 12 12",
    "+31612345678": "06 12345678",
    "+31101234567": "010 123 4567",
    "": "",
}


def _as_csv(row: list, date_format: str = "%d-%m-%Y") -> list[str]:
    """The row as the .csv has it: dd-mm-yyyy dates (ISO 8601 in English), numbers as dialled."""
    values = list(row)
    for index in DATE_COLUMNS:
        values[index] = row[index].strftime(date_format) if row[index] else ""
    values[PHONE_COLUMN] = AS_DIALLED[row[PHONE_COLUMN]]
    return values


def _as_xlsx(row: list) -> tuple:
    """The row as openpyxl reads the .xlsx back: empty cells None, dates as datetimes."""
    values = [value or None for value in row]
    for index in DATE_COLUMNS:
        if row[index]:
            values[index] = datetime.datetime.combine(row[index], datetime.time())
    return tuple(values)


def test_headers_are_the_dutch_columns_in_order():
    assert list(HEADERS) == EXPECTED_HEADERS


def test_csv_export(sample):
    response = export_response(_all(), fmt="csv", filename_stem="ketenmachtigingen-actief")

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="ketenmachtigingen-actief-2026-03-10.csv"'
    )
    rows = _csv_rows(response)
    assert rows[0] == EXPECTED_HEADERS
    assert rows[1:] == [_as_csv(row) for row in EXPECTED_ROWS]
    # Dates as the portal shows them; telephone numbers as dialled, without an apostrophe.
    assert rows[1][9:12] == ["10-03-2026", "10-03-2031", "01-01-2027"]
    assert [row[15] for row in rows[1:]] == ["00 32 2 555 12 12", "", "06 12345678", "010 123 4567"]


def test_csv_is_semicolon_separated_utf8_with_bom_and_quotes_where_needed(sample):
    body = b"".join(export_response(_all(), fmt="csv", filename_stem="export").streaming_content)

    assert body[:3] == BOM
    lines = body[3:].decode("utf-8").split("\r\n")
    assert lines[0] == ";".join(EXPECTED_HEADERS)
    assert lines[1].startswith(
        "Accountants Noord B.V.;Bakkerij Ç&é;12345678;"
        f'{RSIN_BAKKERIJ};"\'=HYPERLINK(""http://x"")";Algemene bevoegdheid: alle diensten;'
        '"A. de Vries; Ö. Ångström";"Fiscaal; Salarisadministratie";Actief;10-03-2026;'
    )
    assert lines[-1] == ""  # the last row ends with a line break
    assert len(lines) == 1 + 4 + 1


def test_csv_in_english_is_comma_separated(sample):
    with translation.override("en"):
        response = export_response(_all(), fmt="csv", filename_stem="export")
    body = b"".join(response.streaming_content)

    lines = body[3:].decode("utf-8").split("\r\n")
    assert lines[0] == ",".join(EXPECTED_HEADERS)
    assert lines[1].startswith(
        f'Accountants Noord B.V.,Bakkerij Ç&é,12345678,{RSIN_BAKKERIJ},"\'=HYPERLINK(""http://x"")",'
    )
    # The same values as in Dutch but for the dates: ISO 8601, which English Excel reads as the
    # same date with UK and with US settings (day-month or month-day).
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows == [EXPECTED_HEADERS, *(_as_csv(row, "%Y-%m-%d") for row in EXPECTED_ROWS)]
    assert rows[1][9:12] == ["2026-03-10", "2031-03-10", "2027-01-01"]


def test_xlsx_export(sample):
    response = export_response(_all(), fmt="xlsx", filename_stem="ketenmachtigingen-actief")

    assert response.streaming
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="ketenmachtigingen-actief-2026-03-10.xlsx"'
    )
    workbook = _xlsx_workbook(response)
    assert workbook.sheetnames == ["Ketenmachtigingen"]
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(EXPECTED_HEADERS)
    assert rows[1:] == [_as_xlsx(row) for row in EXPECTED_ROWS]
    # The dates are date cells, shown as the portal shows them.
    dates = [sheet.cell(row=2, column=col) for col in (10, 11, 12)]
    assert [cell.value.date() for cell in dates] == [
        datetime.date(2026, 3, 10),
        datetime.date(2031, 3, 10),
        datetime.date(2027, 1, 1),
    ]
    assert all(cell.is_date for cell in dates)
    assert [cell.number_format for cell in dates] == ["dd-mm-yyyy"] * 3
    # The telephone numbers are text cells as the portal shows them, without an apostrophe.
    phones = [sheet.cell(row=row, column=16) for row in (2, 4, 5)]
    assert [cell.value for cell in phones] == ["+3225551212", "+31612345678", "+31101234567"]
    assert {cell.data_type for cell in phones} == {"s"}
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet.cell(row=2, column=1).font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:P5"


def test_formulas_are_neutralised_in_both_formats(sample):
    csv_rows = _csv_rows(export_response(_all(), fmt="csv", filename_stem="x"))
    xlsx_rows = _xlsx_rows(export_response(_all(), fmt="xlsx", filename_stem="x"))

    for rows in (csv_rows, xlsx_rows):
        assert rows[1][4] == '\'=HYPERLINK("http://x")'  # Referentie
        assert rows[1][13] == "'+31 bad"  # Contactpersoon
        assert rows[3][4] == "'@SUM(A1)"
    # Telephone numbers without an apostrophe: as dialled in the .csv, as stored in the .xlsx.
    assert csv_rows[3][15] == "06 12345678"
    assert xlsx_rows[3][15] == "+31612345678"
    # In the .xlsx the neutralised text and the telephone number are string cells.
    sheet = _xlsx_workbook(export_response(_all(), fmt="xlsx", filename_stem="x")).active
    assert sheet.cell(row=2, column=5).data_type == "s"
    assert sheet.cell(row=4, column=16).data_type == "s"


def test_a_contact_telephone_that_is_no_telephone_number_is_neutralised(frozen):
    """Whatever the column: only a telephone number goes without the apostrophe."""
    KetenmachtigingFactory(contact_telefoon="+1+1")
    KetenmachtigingFactory(contact_telefoon="-5", reference="+31612345678")

    xlsx = _xlsx_rows(export_response(_all(), fmt="xlsx", filename_stem="x"))
    csv_ = _csv_rows(export_response(_all(), fmt="csv", filename_stem="x"))

    for rows in (xlsx, csv_):
        assert sorted(row[15] for row in rows[1:]) == ["'+1+1", "'-5"]
        assert "'+31612345678" in [row[4] for row in rows[1:]]


@pytest.mark.parametrize(
    ("text", "as_dialled"),
    [
        ("+31612345678", "06 12345678"),
        ("+31201234567", "020 123 4567"),
        ("+318001234", "0800 1234"),
        ("+3225551212", "00 32 2 555 12 12"),
        ("+12025550123", "00 1 202-555-0123"),
        # Typed otherwise before the forms stored E.164: read as the forms read it.
        ("06-12345678", "06 12345678"),
        ("+31 (0)6 1234 5678", "06 12345678"),
    ],
)
def test_a_telephone_number_is_written_as_dialled_from_the_netherlands(text, as_dialled):
    assert telephone_number(text) == TelephoneNumber(as_stored=text, as_dialled=as_dialled)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-5",
        "+1+1",
        "+31 bad",
        "=1+1",
        "06 12345678 (werk)",  # phonenumbers would take the letters for digits
        "bel 06 12345678",
        "06 1234",  # too short
        "+31 6 1234 5678 9",  # too long
    ],
)
def test_other_text_is_no_telephone_number(text):
    assert telephone_number(text) == text


def test_every_valid_number_is_dialled_as_text_that_no_reader_takes_for_a_number():
    """Over the examples of every country and kind of number that phonenumbers knows: the .csv's
    form begins with a digit (no formula) and has a space (no number, such as 0612345678 would
    be, leading 0 dropped)."""
    examples = [
        phonenumbers.example_number_for_type(region, kind)
        for region in phonenumbers.SUPPORTED_REGIONS
        for kind in phonenumbers.PhoneNumberType.values()
    ] + [
        phonenumbers.example_number_for_non_geo_entity(code)
        for code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS
    ]
    texts = {
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        for number in examples
        if number is not None and phonenumbers.is_valid_number(number)
    }
    assert len(texts) > 1000

    dialled = {text: telephone_number(text) for text in texts}

    assert [
        text for text, number in dialled.items() if not isinstance(number, TelephoneNumber)
    ] == []
    assert [
        number.as_dialled
        for number in dialled.values()
        if not number.as_dialled[0].isdigit() or " " not in number.as_dialled
    ] == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+31 bad", "'+31 bad"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        # Numbers too: a telephone number is exported as such (`telephone_number`), not as text.
        ("-2", "'-2"),
        ("+31612345678", "'+31612345678"),
        ("+", "'+"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        ("030-1234567", "030-1234567"),
        ("", ""),
        (None, None),
        (datetime.date(2026, 3, 10), datetime.date(2026, 3, 10)),
        (-5, -5),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_control_characters_are_dropped_before_neutralising(frozen):
    """In both formats: a reader that drops a control character would otherwise see the = after
    it as the start of the cell."""
    KetenmachtigingFactory(reference="\x01=1+1", contact_achternaam="Jan\x0bsen")

    xlsx = _xlsx_rows(export_response(_all(), fmt="xlsx", filename_stem="x"))
    csv_ = _csv_rows(export_response(_all(), fmt="csv", filename_stem="x"))

    assert (xlsx[1][4], xlsx[1][13]) == ("'=1+1", "J. Jansen")
    assert (csv_[1][4], csv_[1][13]) == ("'=1+1", "J. Jansen")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_empty_export_has_the_header_only(fmt, db):
    response = export_response(Ketenmachtiging.objects.none(), fmt=fmt, filename_stem="x")

    rows = _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)
    assert [list(row) for row in rows] == [EXPECTED_HEADERS]


def test_an_unknown_format_is_refused(db):
    with pytest.raises(ValueError, match="Unknown export format 'pdf'"):
        export_response(_all(), fmt="pdf", filename_stem="x")


def test_the_callers_selection_and_prefetches_are_respected(sample):
    selection = (
        Ketenmachtiging.objects.filter(intermediair__name="Accountants Noord B.V.")
        .filter(status="actief")
        .prefetch_related("gebruikers", "diensten")  # replaced by the export's own
        .distinct()
    )

    rows = _csv_rows(export_response(selection, fmt="csv", filename_stem="x"))

    assert rows[1:] == [_as_csv(EXPECTED_ROWS[0])]


def test_same_relatie_twice_is_ordered_by_pk(frozen):
    intermediair = OrganisationFactory(intermediair=True)
    relatie = OrganisationFactory(name="Dubbel B.V.")
    first = KetenmachtigingFactory(intermediair=intermediair, relatie=relatie, reference="eerste")
    KetenmachtigingFactory(intermediair=intermediair, relatie=relatie, reference="tweede")
    assert first.pk < Ketenmachtiging.objects.get(reference="tweede").pk

    rows = _csv_rows(export_response(_all(), fmt="csv", filename_stem="x"))

    assert [row[4] for row in rows[1:]] == ["eerste", "tweede"]


# --- queries and chunks ---------------------------------------------------------------------


def _make_rows(count: int):
    """`count` ketenmachtigingen of one intermediair, each with users, a group and diensten."""
    intermediair = OrganisationFactory(intermediair=True)
    memberships = MembershipFactory.create_batch(3, organisation=intermediair)
    groep = GroepFactory(organisation=intermediair)
    diensten = DienstFactory.create_batch(2)
    for index in range(count):
        KetenmachtigingFactory(
            actief=True,
            intermediair=intermediair,
            algemene_bevoegdheid=index % 2 == 0,
            dienstverleners=[diensten[0].dienstverlener],
            diensten=diensten,
            gebruikers=memberships,
            groepen=[groep],
        )


def _queries_for_export(fmt: str) -> tuple[int, int]:
    """(queries, data rows) of a complete export, streaming included."""
    with CaptureQueriesContext(connection) as queries:
        response = export_response(_all(), fmt=fmt, filename_stem="x")
        rows = _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)
    return len(queries), len(rows) - 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_queries_do_not_grow_with_the_rows(fmt, frozen):
    _make_rows(10)
    small = _queries_for_export(fmt)
    _make_rows(50)
    large = _queries_for_export(fmt)

    # One query for the rows; per batch one for each relation (dienstverleners, diensten,
    # groepen, gebruikers), and one for the persons behind the gebruikers not seen before.
    assert small == (6, 10)
    assert large == (6, 60)


def test_rows_are_read_in_batches_with_their_relations_per_batch(frozen, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 25)
    _make_rows(60)

    # 60 rows in batches of 25: three batches of four queries each; the persons (the same in
    # every batch) are read once.
    assert _queries_for_export("csv") == (1 + 3 * 4 + 1, 60)


def test_csv_is_sent_in_pieces(frozen, monkeypatch):
    monkeypatch.setattr(exports, "CSV_ROWS_PER_PIECE", 4)
    _make_rows(10)

    pieces = list(export_response(_all(), fmt="csv", filename_stem="x").streaming_content)

    # BOM, rows 1-4 (after the header), 5-8, the rest.
    assert pieces[0] == BOM
    assert [piece.count(b"\r\n") for piece in pieces[1:]] == [5, 4, 2]


# --- a second reader ------------------------------------------------------------------------


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed: no second reader for the .xlsx",
)
def test_libreoffice_reads_the_xlsx(sample):
    content = b"".join(export_response(_all(), fmt="xlsx", filename_stem="x").streaming_content)

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "export.xlsx"
        source.write_bytes(content)
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--headless",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76",  # comma, quote, UTF-8
                "--outdir",
                tmp,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        converted = (Path(tmp) / "export.csv").read_text(encoding="utf-8-sig")

    rows = list(csv.reader(io.StringIO(converted, newline="")))
    assert rows[0] == EXPECTED_HEADERS
    assert [row[1] for row in rows[1:]] == [row[1] for row in EXPECTED_ROWS]


def test_status_labels_are_dutch_whatever_the_active_language(frozen):
    KetenmachtigingFactory(aanvraag_verstuurd=True)

    with translation.override("en"):
        rows = _csv_rows(export_response(_all(), fmt="csv", filename_stem="x"), delimiter=",")
        assert translation.get_language() == "en"

    assert rows[1][8] == "Aanvraag verstuurd"
