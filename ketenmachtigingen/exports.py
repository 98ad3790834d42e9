"""The overview export (handleiding 5.2, "Export overzicht ketenmachtigingen"): .xlsx or .csv.

The columns are defined once (`COLUMNS`, `export_rows`); both writers stream. Rows are read as
tuples in batches of `CHUNK_SIZE`, with the names of their many-to-many relations fetched per
batch, so the number of queries and the memory used do not grow with the number of rows.
Text cells that a spreadsheet would take for a formula are neutralised, following OWASP's advice
on CSV injection (`neutralise` for the .xlsx, `neutralise_csv` for the .csv). Telephone numbers
need no apostrophe (`TelephoneNumber`), and dates are dates. The .csv is separated by ';', the
list separator of Dutch Excel, with dates as dd-mm-yyyy, or by ',' with ISO dates when the person
works in English (`csv_style`).
"""

import datetime
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple, cast

import phonenumbers
from django.db import connections
from django.db.models import F, Lookup, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.models import Membership

from . import dates
from .constants import Leverancier, Status
from .models import Ketenmachtiging

# Rows read per round trip; their relations are read per batch of this size too.
CHUNK_SIZE = 2000
# CSV rows collected before they are sent on as one piece of the response.
CSV_ROWS_PER_PIECE = 500
# An .xlsx stays in memory up to this size, then moves to a temporary file on disk.
XLSX_SPOOL_BYTES = 8 * 1024 * 1024

FORMATS = ("xlsx", "csv")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_DATE_FORMAT = "dd-mm-yyyy"
SHEET_TITLE = "Ketenmachtigingen"

# (header, column width in the .xlsx), in the order of the export.
COLUMNS: tuple[tuple[str, int], ...] = (
    ("Organisatie", 30),
    ("Relatie", 30),
    ("KVK-nummer", 12),
    ("RSIN", 12),
    ("Referentie", 20),
    ("Diensten", 50),
    ("Gebruikers", 30),
    ("Groepen", 25),
    ("Status", 20),
    ("Ingangsdatum", 13),
    ("Einddatum", 13),
    ("Opzeggingsdatum", 16),
    ("Leverancier", 13),
    ("Contactpersoon", 25),
    ("E-mailadres contactpersoon", 30),
    ("Telefoonnummer contactpersoon", 16),
)
HEADERS: tuple[str, ...] = tuple(header for header, _width in COLUMNS)

ALGEMENE_BEVOEGDHEID = "Algemene bevoegdheid: alle diensten"
LIST_SEPARATOR = "; "

# A cell starting with one of these is read as a formula by spreadsheet programs (OWASP, CSV
# injection): = + - @, and tab or carriage return, which some programs skip before a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Text that may be a telephone number: digits and the punctuation people type in one, nothing
# else (phonenumbers would read letters as the digits of a vanity number).
_TELEPHONE_CHARACTERS = re.compile(r"[0-9 ()+./-]+")

# Where a program reading the .csv may begin a cell: at the start of a field, and after every
# ';' and ',' (the separators of Dutch and English Excel), tab and line break, also inside a
# field, since a reader that splits at another separator than the writer sees that field's
# quotes as ordinary text. A quote counts too (a reader may take it as the start of a quoted
# cell), and spaces and quotes after such a point are skipped (a reader may trim them).
_CSV_CELL_START = re.compile(r"""(^|[;,\t\r\n"])([ "]*)(?=[=+\-@\t\r])""")

# A .csv field holding one of these is quoted, whichever of ';' and ',' separates the file.
_CSV_QUOTE_WHEN = re.compile(r"""[;,\t\r\n"]""")
# A field without any of these is written as it is (most are: checked first, for speed).
_CSV_PLAIN_FIELD = re.compile(r"""[;,\t\r\n"=+\-@\x00-\x08\x0b\x0c\x0e-\x1f\x7f]""")


# C0 controls but tab, line feed and carriage return (which the csv quotes and neutralises).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def neutralise(value):
    """For the .xlsx, where a cell cannot be split: text whose first character could start a
    formula gets a leading apostrophe. Anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_csv(value):
    """For the .csv: an apostrophe before every = + - @, tab or carriage return that could begin
    a cell, whichever separator the reader splits the text at (`_CSV_CELL_START`). Control
    characters go first: a reader drops a NUL, say, and would then see what follows it as the
    cell's start. Anything but text is returned as it is."""
    if not isinstance(value, str):
        return value
    value = _CONTROL_CHARACTERS.sub("", value)
    return _CSV_CELL_START.sub(r"\1\2'", value)


class TelephoneNumber(NamedTuple):
    """A contact's telephone number, in the form each export shows it as text."""

    # As the portal stores and shows it (E.164, "+31612345678"). The .xlsx writes it as a text
    # cell without an apostrophe: holding only `_TELEPHONE_CHARACTERS`, it is never a formula.
    as_stored: str
    # As dialled from the Netherlands ("06 12345678", "00 32 2 555 12 12"), for the .csv: it
    # begins with a digit, and its spaces keep spreadsheet programs from reading it as a number.
    # A .csv has no text type: "+31612345678" would be taken for a formula or for 31612345678.
    as_dialled: str


@lru_cache(maxsize=4096)  # a contact person often has several ketenmachtigingen
def telephone_number(text: str) -> TelephoneNumber | str:
    """`text` as a `TelephoneNumber` when it is a valid one and nothing else (numbers without a
    country code read as Dutch, as the forms do), otherwise `text` itself."""
    if not _TELEPHONE_CHARACTERS.fullmatch(text):
        return text
    try:
        number = phonenumbers.parse(text, "NL")
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    return TelephoneNumber(text, phonenumbers.format_out_of_country_calling_number(number, "NL"))


class CsvStyle(NamedTuple):
    delimiter: str
    date_format: str  # for `strftime`


# ';' is the list separator that Excel with Dutch regional settings expects (a ',' file opens
# there as one column); it reads dd-mm-yyyy as a date. English Excel splits at ','. Its date order
# is either day-month (UK) or month-day (US), and one of them would swap day and month up to the
# 12th without a warning; ISO 8601 is read as the same date by both.
DUTCH_CSV = CsvStyle(delimiter=";", date_format="%d-%m-%Y")
ENGLISH_CSV = CsvStyle(delimiter=",", date_format="%Y-%m-%d")


def csv_style() -> CsvStyle:
    """The separator and date format of a .csv for the active language: English or Dutch."""
    language = translation.get_language() or ""
    return ENGLISH_CSV if language.split("-")[0] == "en" else DUTCH_CSV


# What is read of each ketenmachtiging: its own columns and, by these aliases, its organisations.
_ORGANISATION_COLUMNS = {
    "export_organisatie": F("intermediair__name"),
    "export_relatie": F("relatie__name"),
    "export_kvk_nummer": F("relatie__kvk_nummer"),
    "export_rsin": F("relatie__rsin"),
}
_OWN_COLUMNS = (
    "pk",
    "algemene_bevoegdheid",
    "reference",
    "status",
    "start_date",
    "end_date",
    "revocation_date",
    "leverancier",
    "contact_initialen",
    "contact_tussenvoegsel",
    "contact_achternaam",
    "contact_email",
    "contact_telefoon",
)


def _export_values(ketenmachtigingen: QuerySet) -> QuerySet:
    """The caller's selection as named tuples (no model instances: 50,000 of them, with their
    prefetch managers, cost seconds), in export order."""
    return (
        ketenmachtigingen.prefetch_related(None)
        .annotate(**_ORGANISATION_COLUMNS)
        .order_by("intermediair__name", "relatie__name", "pk")
        .values_list(*_OWN_COLUMNS, *_ORGANISATION_COLUMNS, named=True)
    )


def _batches(iterable, size: int) -> Iterator[list]:
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Relations:
    """The names of what a batch of ketenmachtigingen is linked to: four queries per batch, plus
    one for persons not seen in an earlier batch of the same export."""

    def __init__(self):
        self.display_names: dict[int, str] = {}  # membership pk -> the person's display name

    def for_batch(self, batch: list) -> tuple[dict, dict, dict]:
        """({pk: scope items}, {pk: gebruikers}, {pk: groepen}) of a batch of rows; each list in
        display order. The scope is read only for rows without algemene bevoegdheid."""
        ids = [row.pk for row in batch]
        limited_ids = [row.pk for row in batch if not row.algemene_bevoegdheid]

        scope: dict[int, list[str]] = defaultdict(list)
        if limited_ids:
            through = _through_rows(Ketenmachtiging.dienstverleners.through, limited_ids)
            for pk, name in through.order_by(
                "dienstverlener__name", "dienstverlener_id"
            ).values_list("ketenmachtiging_id", "dienstverlener__name"):
                scope[pk].append(f"Dienstverlenersmachtiging voor {name}")
            through = _through_rows(Ketenmachtiging.diensten.through, limited_ids)
            for pk, name, dienstverlener in through.order_by(
                "dienst__dienstverlener__name", "dienst__name", "dienst_id"
            ).values_list("ketenmachtiging_id", "dienst__name", "dienst__dienstverlener__name"):
                scope[pk].append(f"{name} ({dienstverlener})")

        groepen: dict[int, list[str]] = defaultdict(list)
        through = _through_rows(Ketenmachtiging.groepen.through, ids)
        for pk, name in through.order_by("groep__name", "groep_id").values_list(
            "ketenmachtiging_id", "groep__name"
        ):
            groepen[pk].append(name)

        through = _through_rows(Ketenmachtiging.gebruikers.through, ids)
        pairs = list(through.values_list("ketenmachtiging_id", "membership_id"))
        unseen = {membership_id for _pk, membership_id in pairs} - self.display_names.keys()
        if unseen:
            for membership in Membership.objects.filter(pk__in=unseen).select_related("user"):
                self.display_names[membership.pk] = membership.user.display_name
        gebruikers: dict[int, list[str]] = defaultdict(list)
        for pk, membership_id in pairs:
            gebruikers[pk].append(self.display_names[membership_id])
        for names in gebruikers.values():
            names.sort(key=str.casefold)
        return scope, gebruikers, groepen


class _EqualsAny(Lookup):
    """PostgreSQL's `column = ANY(%s)`, the values passed as one array parameter."""

    lookup_name = "equals_any"  # used as an expression only, never registered on a field
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


def _through_rows(through_model, ids: list[int]) -> QuerySet:
    """The rows of a many-to-many table that belong to these ketenmachtigingen."""
    rows = through_model.objects.all()
    if connections[rows.db].vendor == "postgresql":
        # Django prepares every value of an IN list one by one; for 50,000 rows that alone
        # took seconds. One array parameter costs next to nothing.
        return rows.filter(_EqualsAny(F("ketenmachtiging_id"), ids))
    return rows.filter(ketenmachtiging_id__in=ids)


def export_rows(ketenmachtigingen: QuerySet) -> Iterator[tuple]:
    """One tuple per ketenmachtiging, in the order of `HEADERS`.

    Text is a str ("" when empty); the three dates are `datetime.date` or None; the telephone
    number is a `TelephoneNumber` when it is a valid one (a str otherwise). Reads the
    queryset in batches of `CHUNK_SIZE` rows with their relations: a few queries per batch,
    never all rows at once.
    """
    # Computed before the first row: an override left active across a `yield` would leak the
    # language into the code that consumes the rows.
    with translation.override("nl"):
        status_labels = {value: str(label) for value, label in Status.choices}
    leverancier_labels = dict(Leverancier.choices)
    # The model's rule, applied to a row.
    contact_name = Ketenmachtiging.contact_name.fget  # type: ignore[attr-defined]
    relations = _Relations()

    rows = _export_values(ketenmachtigingen).iterator(chunk_size=CHUNK_SIZE)
    for batch in _batches(rows, CHUNK_SIZE):
        scope, gebruikers, groepen = relations.for_batch(batch)
        for row in batch:
            yield (
                row.export_organisatie,
                row.export_relatie,
                row.export_kvk_nummer or "",
                row.export_rsin or "",
                row.reference,
                (
                    ALGEMENE_BEVOEGDHEID
                    if row.algemene_bevoegdheid
                    else LIST_SEPARATOR.join(scope.get(row.pk, ()))
                ),
                LIST_SEPARATOR.join(gebruikers.get(row.pk, ())),
                LIST_SEPARATOR.join(groepen.get(row.pk, ())),
                status_labels.get(row.status, row.status),
                row.start_date,
                row.end_date,
                row.revocation_date,
                leverancier_labels.get(row.leverancier, row.leverancier),
                contact_name(row),
                row.contact_email,
                telephone_number(row.contact_telefoon),
            )


def export_response(
    ketenmachtigingen: QuerySet, *, fmt: str, filename_stem: str
) -> HttpResponseBase:
    """A download of the ketenmachtigingen, named `<filename_stem>-<today>.<fmt>`.

    `ketenmachtigingen` is already limited to what the person may see (organisation, tab,
    filters). "csv" streams while the rows are read, in the `csv_style()` of the language
    active now; "xlsx" is written to a temporary file first (a zip cannot be streamed in
    openpyxl) and then streamed from there.
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; expected one of {FORMATS}.")
    filename = f"{filename_stem}-{dates.today():%Y-%m-%d}.{fmt}"
    rows = export_rows(ketenmachtigingen)
    if fmt == "csv":
        # Chosen now: the language of the request is no longer active while the rows stream.
        return _csv_response(rows, filename, csv_style())
    return _xlsx_response(rows, filename)


# --- CSV ----------------------------------------------------------------------------------------


def _csv_field(value, date_format: str) -> str:
    """One field as written: neutralised, and quoted when it holds a separator, a quote or a line
    break, so that a reader splitting at ';' as well as one splitting at ',' keeps it whole."""
    if isinstance(value, str):
        text = value
    elif value is None:
        return ""
    elif isinstance(value, datetime.date):
        return value.strftime(date_format)
    elif isinstance(value, TelephoneNumber):
        text = value.as_dialled  # neutralised like any text, which leaves it as it is
    else:
        text = str(value)
    if _CSV_PLAIN_FIELD.search(text) is None:
        return text
    text = neutralise_csv(text)
    if _CSV_QUOTE_WHEN.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_line(values: Iterable, style: CsvStyle) -> str:
    return style.delimiter.join(_csv_field(value, style.date_format) for value in values) + "\r\n"


def _csv_pieces(rows: Iterable[tuple], style: CsvStyle) -> Iterator[bytes]:
    # The byte order mark makes Excel read the file as UTF-8 (accents in names).
    yield "\ufeff".encode()
    lines = [_csv_line(HEADERS, style)]
    for count, row in enumerate(rows, start=1):
        lines.append(_csv_line(row, style))
        if count % CSV_ROWS_PER_PIECE == 0:
            yield "".join(lines).encode()
            lines = []
    yield "".join(lines).encode()


def _csv_response(rows: Iterable[tuple], filename: str, style: CsvStyle) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_pieces(rows, style), content_type=CSV_CONTENT_TYPE)
    # As an attachment the header is always there.
    response["Content-Disposition"] = cast(str, content_disposition_header(True, filename))
    return response


# --- XLSX ---------------------------------------------------------------------------------------


def _xlsx_value(sheet, value):
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    if isinstance(value, TelephoneNumber):
        return value.as_stored  # a text cell, shown as the portal shows it
    if isinstance(value, str):
        if not value:
            return None  # an empty cell rather than an empty string
        # Control characters are not allowed in the file's XML. Removed before neutralising, so
        # that removing them cannot uncover a formula.
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _write_xlsx(rows: Iterable[tuple], out) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=SHEET_TITLE)
    # A write-only sheet takes column widths and panes only before its first row.
    for index, (_header, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in HEADERS:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    last_row = 1
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
        last_row += 1
    # Written after the rows, so it can be set now that their number is known.
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last_row}"
    workbook.save(out)


def _xlsx_response(rows: Iterable[tuple], filename: str) -> FileResponse:
    # Not a `with` block: the response closes the file once it has been sent.
    out = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115
    try:
        _write_xlsx(rows, out)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
