"""CSV injection in the overview export (OWASP ASVS L2; handleiding 5.2).

A value that a beheerder or a user controls (referentie, contact person, e-mail address,
telephone number, names of relaties, groepen and people) must not become a formula when the
export is opened, whichever list separator the spreadsheet program uses: ';' (Dutch Excel) or ','
(English Excel). A reader that splits at the other separator than the writer sees the quotes of
a field as ordinary text, so a cell may begin in the middle of a field.

Two readers: the raw text of the .csv, cut at every place where any reader could begin a cell
(Excel's triggers = + - @ tab and carriage return included), and LibreOffice, which reads the
files back with ';' and with ',' while evaluating formulas (it takes only '=' for a formula).
Neither protection may cost the ordinary values: telephone numbers read back as the text shown,
without an apostrophe, and dates as dates.
"""

import csv
import datetime
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from accounts.models import User
from ketenmachtigingen.exports import (
    FORMULA_TRIGGERS,
    HEADERS,
    export_response,
    neutralise,
    neutralise_csv,
)
from ketenmachtigingen.models import Ketenmachtiging
from tests.factories import (
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# (value, as the .csv holds it, as the .xlsx holds it)
HOSTILE = [
    ("=1+1", "'=1+1", "'=1+1"),
    ("x;=1+1;y", "x;'=1+1;y", "x;=1+1;y"),
    ("x,=1+1,y", "x,'=1+1,y", "x,=1+1,y"),
    ('a"b;=1+1', "a\"b;'=1+1", 'a"b;=1+1'),
    ("line\n=1+1", "line\n'=1+1", "line\n=1+1"),
    ("\t=1+1", "'\t'=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r'=1+1", "'\r=1+1"),
    ("@SUM(1)", "'@SUM(1)", "'@SUM(1)"),
    ("-2+3", "'-2+3", "'-2+3"),
    (
        '=HYPERLINK("http://evil","x")',
        '\'=HYPERLINK("http://evil","x")',
        '\'=HYPERLINK("http://evil","x")',
    ),
    # A reader may trim spaces, or take a quote after a separator for the start of a cell.
    ("x, =1+1,y", "x, '=1+1,y", "x, =1+1,y"),
    ('x,"=1+1",y', 'x,"\'=1+1",y', 'x,"=1+1",y'),
    ('x;"=1+1";y', 'x;"\'=1+1";y', 'x;"=1+1";y'),
    ('a"=1+1', "a\"'=1+1", 'a"=1+1'),
    ("x;+31 6 12345678", "x;'+31 6 12345678", "x;+31 6 12345678"),
    # Numbers are text like any other; only in the telephone column is a telephone number
    # exported as one (see ORDINARY_PHONES).
    ("+31612345678", "'+31612345678", "'+31612345678"),
    ("+31 (0)6 1234 5678", "'+31 (0)6 1234 5678", "'+31 (0)6 1234 5678"),
    ("-5", "'-5", "'-5"),
    ("+31-6-12345678", "'+31-6-12345678", "'+31-6-12345678"),
]
HOSTILE_VALUES = [value for value, _csv, _xlsx in HOSTILE]

# Values as people type them, which must read back unchanged.
ORDINARY = {
    "relatie": "Bakker-de Vries B.V.",
    "reference": "REF-2026/001 (a)",
    "contact_initialen": "J.-W.",
    "contact_tussenvoegsel": "van der",
    "contact_achternaam": "Bakker-de Vries",
    "contact_email": "jan-willem.bakker@bakker-devries.example.nl",
    "groep": "Fiscaal - team",
    "gebruiker": "De Wit-Jansen",
}
# Telephone numbers as stored (E.164, or as typed before the forms stored E.164), and as the
# .csv has them: dialled from the Netherlands, which no reader takes for a number or a formula.
ORDINARY_PHONES = {
    "+31612345678": "06 12345678",
    "+3225551212": "00 32 2 555 12 12",
    "+31 (0)6 1234 5678": "06 12345678",
    "06-12345678": "06 12345678",
    "030 123 45 67": "030 123 4567",
}
# The dates of every ordinary row. A day above 12: read in the wrong day-month order, it would
# not become another date but stay text, which the tests see.
ORDINARY_START = datetime.date(2026, 1, 31)
ORDINARY_END = datetime.date(2031, 1, 31)


def _fit(model, field: str, value: str) -> str:
    """As much of `value` as the column holds (PostgreSQL refuses more; SQLite would not)."""
    return value[: model._meta.get_field(field).max_length]


def _ketenmachtiging(intermediair, value: str):
    """A ketenmachtiging with `value` in every field that a beheerder or user controls."""
    person = MembershipFactory(
        organisation=intermediair,
        user=UserFactory(initials=_fit(User, "initials", value), tussenvoegsel="", last_name=value),
    )
    return KetenmachtigingFactory(
        actief=True,
        intermediair=intermediair,
        relatie=OrganisationFactory(name=value),
        reference=value,
        contact_initialen=_fit(Ketenmachtiging, "contact_initialen", value),
        contact_tussenvoegsel=_fit(Ketenmachtiging, "contact_tussenvoegsel", value),
        contact_achternaam=value,
        contact_email=value,
        contact_telefoon=_fit(Ketenmachtiging, "contact_telefoon", value),
        gebruikers=[person],
        groepen=[GroepFactory(organisation=intermediair, name=value)],
    )


@pytest.fixture
def hostile(db):
    """Per hostile value three ketenmachtigingen: one with the value in every field and as the
    name of its intermediair (the first column, where every reader begins a cell), and two with
    the value only in the referentie or the telephone number (the last column) between ordinary
    fields (a reader that opens a quoted cell at the start of a line would hide the rest)."""
    neighbour = OrganisationFactory(intermediair=True, name="Accountants Noord B.V.")
    for value in HOSTILE_VALUES:
        _ketenmachtiging(OrganisationFactory(intermediair=True, name=value), value)
        KetenmachtigingFactory(actief=True, intermediair=neighbour, reference=value)
        KetenmachtigingFactory(actief=True, intermediair=neighbour, contact_telefoon=value)


@pytest.fixture
def ordinary(db):
    intermediair = OrganisationFactory(intermediair=True, name="Accountants Zuid-Holland B.V.")
    groep = GroepFactory(organisation=intermediair, name=ORDINARY["groep"])
    for telefoon in ORDINARY_PHONES:
        person = MembershipFactory(
            organisation=intermediair,
            user=UserFactory(initials="A.-M.", tussenvoegsel="de", last_name=ORDINARY["gebruiker"]),
        )
        KetenmachtigingFactory(
            actief=True,
            intermediair=intermediair,
            relatie=OrganisationFactory(name=ORDINARY["relatie"]),
            reference=ORDINARY["reference"],
            contact_initialen=ORDINARY["contact_initialen"],
            contact_tussenvoegsel=ORDINARY["contact_tussenvoegsel"],
            contact_achternaam=ORDINARY["contact_achternaam"],
            contact_email=ORDINARY["contact_email"],
            contact_telefoon=telefoon,
            gebruikers=[person],
            groepen=[groep],
            start_date=ORDINARY_START,
            end_date=ORDINARY_END,
        )


def _export(fmt: str, language: str = "nl") -> bytes:
    with translation.override(language):
        response = export_response(Ketenmachtiging.objects.all(), fmt=fmt, filename_stem="x")
    return b"".join(response.streaming_content)


def _ordinary_row(telefoon) -> list:
    """An ordinary row's text columns and its dates as a reader should see them."""
    return [
        "Accountants Zuid-Holland B.V.",
        ORDINARY["relatie"],
        ORDINARY["reference"],
        "A.-M. de " + ORDINARY["gebruiker"],
        ORDINARY["groep"],
        "J.-W. van der Bakker-de Vries",
        ORDINARY["contact_email"],
        telefoon,
        datetime.datetime.combine(ORDINARY_START, datetime.time()),
        datetime.datetime.combine(ORDINARY_END, datetime.time()),
    ]


def _ordinary_columns(row) -> list:
    return [row[i] for i in (0, 1, 4, 6, 7, 13, 14, 15, 9, 10)]


# --- the .csv as written ----------------------------------------------------------------------


@pytest.mark.parametrize(("language", "delimiter"), [("nl", ";"), ("en", ","), ("de", ";")])
def test_the_csv_is_separated_by_semicolons_except_in_english(ordinary, language, delimiter):
    body = _export("csv", language)

    assert body.startswith(b"\xef\xbb\xbf")  # the BOM, for Excel to read UTF-8
    assert body[3:].decode().split("\r\n")[0] == delimiter.join(HEADERS)


@pytest.mark.parametrize(("language", "delimiter"), [("nl", ";"), ("en", ",")])
def test_every_hostile_value_is_one_quoted_field_and_neutralised(hostile, language, delimiter):
    text = _export("csv", language).decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert all(len(row) == len(HEADERS) for row in rows)
    # Sorted by intermediair name: compare as sets, the referentie column against the table.
    assert {row[4] for row in rows[1:]} - {""} == {as_csv for _value, as_csv, _xlsx in HOSTILE}
    # A field holding a separator, quote or line break is quoted, whatever the file's separator.
    for field in ('"x;\'=1+1;y"', '"x,\'=1+1,y"', '"a""b;\'=1+1"', '"line\n\'=1+1"'):
        assert field in text


@pytest.mark.parametrize(("value", "as_csv", "as_xlsx"), HOSTILE)
def test_neutralised_values(value, as_csv, as_xlsx):
    assert neutralise_csv(value) == as_csv
    assert neutralise(value) == as_xlsx


def _cells_any_reader_could_see(text: str, separator: str) -> list[str]:
    """The text cut at every line break, at `separator` and at every quote, whether quoted or
    not; spaces and quotes at the start of a piece dropped (a reader may trim them)."""
    pieces = re.split(f'[\r\n"{separator}]', text)
    return [piece.lstrip(' "') for piece in pieces]


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_no_cell_any_reader_could_see_starts_a_formula(hostile, ordinary, language, separator):
    text = _export("csv", language).decode("utf-8-sig")

    suspicious = [
        cell
        for cell in _cells_any_reader_could_see(text, separator)
        if cell.startswith(FORMULA_TRIGGERS)
    ]
    assert suspicious == []


def test_the_cut_finds_the_formulas_of_an_unprotected_file():
    """The check above, on what the export wrote before: it does find them."""
    unprotected = 'x;"x,=1+1,y";"line\n-2+3";"a, @SUM(1)"\r\n'

    cells = _cells_any_reader_could_see(unprotected, ",")
    assert [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)] == [
        "=1+1",
        "-2+3",
        "@SUM(1)",
    ]


# --- the .xlsx as written ---------------------------------------------------------------------


def test_every_text_cell_of_the_xlsx_is_a_string_and_no_formula(hostile, ordinary):
    sheet = openpyxl.load_workbook(io.BytesIO(_export("xlsx"))).active

    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None]
    assert {cell.data_type for cell in cells} == {"s", "d"}
    assert not [cell.value for cell in cells if str(cell.value).startswith("=")]
    telefoon = [row[15] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # Telephone numbers as stored: a text cell, no apostrophe; other text in that column has one.
    assert set(ORDINARY_PHONES) <= set(telefoon)
    assert {"+31612345678", "+31-6-12345678", "'-5"} <= set(telefoon)


# --- LibreOffice reads the files back -----------------------------------------------------------


def _soffice(tmp: Path, outdir: str, files: list[Path], infilter: str | None = None) -> Path:
    """Converts `files` to .xlsx in tmp/outdir with one start of LibreOffice, with a profile of
    its own (tmp/profile) so that parallel runs do not share one."""
    out = tmp / outdir
    command = [
        "soffice",
        f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "xlsx",
        *([f"--infilter={infilter}"] if infilter else []),
        "--outdir",
        str(out),
        *map(str, files),
    ]
    subprocess.run(
        command,
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp)},
    )
    return out


# Languages (LibreOffice's LCIDs) whose date formats a reader of the .csv has.
DUTCH, ENGLISH_US, ENGLISH_UK = 1043, 1033, 2057


def _csv_filter(separator: str, language: int = DUTCH) -> str:
    """LibreOffice's CSV import options: separator, '"', UTF-8, from line 1, no column formats,
    the language whose formats it recognises, quoted fields not forced to text, special numbers
    (dates) detected, spaces trimmed, and formulas evaluated (token 13) as Excel does."""
    return f"CSV:{ord(separator)},34,76,1,,{language},false,true,false,false,true,,true"


def _read(path: Path) -> tuple[list[list], list[str]]:
    """(rows of values, formulas) of a workbook, read with openpyxl without cached results."""
    workbook = openpyxl.load_workbook(path)
    rows, formulas = [], []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            rows.append([cell.value for cell in row])
            formulas += [
                f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                for cell in row
                if cell.data_type == "f" or str(cell.value or "").startswith("=")
            ]
    return rows, formulas


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed: scripts/ensure-test-tools.sh installs it",
)
def test_libreoffice_reads_no_formula_and_the_ordinary_values_back(hostile, ordinary, tmp_path):
    files = {
        "nl.csv": _export("csv", "nl"),  # ';'
        "en.csv": _export("csv", "en"),  # ','
        # What the export wrote before, read the same way: shows that formulas are found.
        "control.csv": '\ufeffa;=1+1\r\nb;"x,=2+2,y"\r\n'.encode(),
        "export.xlsx": _export("xlsx"),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    csvs = [tmp_path / name for name in ("nl.csv", "en.csv", "control.csv")]
    by_semicolon = _soffice(tmp_path, "semicolon", csvs, _csv_filter(";"))
    by_comma = _soffice(tmp_path, "comma", csvs, _csv_filter(",", ENGLISH_US))
    by_comma_uk = _soffice(
        tmp_path, "comma-uk", [tmp_path / "en.csv"], _csv_filter(",", ENGLISH_UK)
    )
    xlsx = _soffice(tmp_path, "xlsx", [tmp_path / "export.xlsx"])

    assert _read(by_semicolon / "control.xlsx")[1] == ["control!B1: '=1+1'"]
    assert _read(by_comma / "control.xlsx")[1] == ["control!B2: '=2+2'"]
    for path in (
        by_semicolon / "nl.xlsx",
        by_semicolon / "en.xlsx",
        by_comma / "nl.xlsx",
        by_comma / "en.xlsx",
        by_comma_uk / "en.xlsx",
        xlsx / "export.xlsx",
    ):
        assert _read(path)[1] == [], path

    # Read with its own separator and language, every ordinary value is back as it was shown:
    # the telephone numbers as text without an apostrophe (in the .csv as dialled), the dates as
    # dates (the Dutch .csv's dd-mm-yyyy, the English one's ISO 8601 in US and UK English).
    for path, phones in (
        (by_semicolon / "nl.xlsx", ORDINARY_PHONES),
        (by_comma / "en.xlsx", ORDINARY_PHONES),
        (by_comma_uk / "en.xlsx", ORDINARY_PHONES),
        (xlsx / "export.xlsx", {phone: phone for phone in ORDINARY_PHONES}),
    ):
        rows = _read(path)[0]
        assert rows[0] == list(HEADERS)
        ordinary = [
            _ordinary_columns(row) for row in rows if row[0] == "Accountants Zuid-Holland B.V."
        ]
        assert sorted(ordinary, key=str) == sorted(
            (_ordinary_row(phones[p]) for p in ORDINARY_PHONES), key=str
        ), path


@pytest.mark.parametrize(
    ("value", "as_csv"),
    [("\x00=1+1", "'=1+1"), ("x;\x00=1+1", "x;'=1+1"), ("a\x01b\x7fc", "abc"), ("\x0b=3", "'=3")],
)
def test_control_characters_cannot_hide_a_formula(value, as_csv):
    """LibreOffice drops a NUL and would see the = after it as the start of the cell."""
    assert neutralise_csv(value) == as_csv
