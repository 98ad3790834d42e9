"""The overview export (handleiding 5.2): the same columns and rows in .csv and .xlsx."""

import csv
import datetime
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ketenmachtigingen import exports
from ketenmachtigingen.exports import HEADERS, export_response, neutralise
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
        contact_telefoon="0101234567",
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
        contact_telefoon="+31201234567",
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
        contact_telefoon="030-1234567",
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


# Each row as the CSV has it; dates in ISO 8601.
EXPECTED_CSV_ROWS = [
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
        "2026-03-10",
        "2031-03-10",
        "2027-01-01",
        "KPN",
        "'+31 bad",
        "info@bakkerij.example.nl",
        "030-1234567",
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
        "2021-03-09",
        "2026-03-09",
        "",
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
        "",
        "",
        "",
        "",
        "Z. Zee",
        "z.zee@zuivel.example.nl",
        "+31201234567",  # a plain telephone number: no apostrophe
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
        "2025-01-01",
        "2030-01-01",
        "",
        "Z login",
        "A. van Dijk",
        "a.vandijk@alfa.example.nl",
        "0101234567",
    ],
]


def _as_xlsx(row: list[str]) -> tuple:
    """The CSV row as openpyxl reads the .xlsx back: empty cells None, dates as datetimes."""
    values = []
    for index, value in enumerate(row):
        if value == "":
            values.append(None)
        elif HEADERS[index] in ("Ingangsdatum", "Einddatum", "Opzeggingsdatum"):
            values.append(datetime.datetime.fromisoformat(value))
        else:
            values.append(value)
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
    assert rows[1:] == EXPECTED_CSV_ROWS


def test_csv_is_semicolon_separated_utf8_with_bom_and_quotes_where_needed(sample):
    body = b"".join(export_response(_all(), fmt="csv", filename_stem="export").streaming_content)

    assert body[:3] == BOM
    lines = body[3:].decode("utf-8").split("\r\n")
    assert lines[0] == ";".join(EXPECTED_HEADERS)
    assert lines[1].startswith(
        "Accountants Noord B.V.;Bakkerij Ç&é;12345678;"
        f'{RSIN_BAKKERIJ};"\'=HYPERLINK(""http://x"")";Algemene bevoegdheid: alle diensten;'
        '"A. de Vries; Ö. Ångström";"Fiscaal; Salarisadministratie";Actief;2026-03-10;'
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
    # The same values as in Dutch; only the separator differs.
    assert list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""))) == [
        EXPECTED_HEADERS,
        *EXPECTED_CSV_ROWS,
    ]


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
    assert rows[1:] == [_as_xlsx(row) for row in EXPECTED_CSV_ROWS]
    # The dates as the manual's readers know them, and as real dates.
    assert rows[1][9].date() == datetime.date(2026, 3, 10)
    assert [sheet.cell(row=2, column=col).number_format for col in (10, 11, 12)] == [
        "DD-MM-YYYY"
    ] * 3
    assert sheet.cell(row=2, column=10).is_date
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
        assert rows[3][15] == "+31201234567"  # a plain telephone number, as typed
    # In the .xlsx the neutralised text and the telephone number are string cells.
    sheet = _xlsx_workbook(export_response(_all(), fmt="xlsx", filename_stem="x")).active
    assert sheet.cell(row=2, column=5).data_type == "s"
    assert sheet.cell(row=4, column=16).data_type == "s"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+31 bad", "'+31 bad"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        # Plain numbers and telephone numbers stay as typed (text cells in the .xlsx).
        ("-2", "-2"),
        ("+31612345678", "+31612345678"),
        ("+31 (0)6-1234 5678", "+31 (0)6-1234 5678"),
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

    assert rows[1:] == [EXPECTED_CSV_ROWS[0]]


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
    assert [row[1] for row in rows[1:]] == [row[1] for row in EXPECTED_CSV_ROWS]


def test_status_labels_are_dutch_whatever_the_active_language(frozen):
    KetenmachtigingFactory(aanvraag_verstuurd=True)

    with translation.override("en"):
        rows = _csv_rows(export_response(_all(), fmt="csv", filename_stem="x"), delimiter=",")
        assert translation.get_language() == "en"

    assert rows[1][8] == "Aanvraag verstuurd"
