"""Meerdere bedrijven (handleiding 3.2): the Excel form to download, and reading it back.

This module owns openpyxl for imports. The upload is checked before openpyxl sees it
(`check_file`): its size, that it is a zip at all (an old .xls, a PDF or a CSV is named as
such), and the zip's declared sizes against a zip bomb. zipfile never hands out more than a
member's declared size, so checking the declared sizes bounds what openpyxl can unpack.

Then every part of the zip is read, in chunks, for a DTD. An Excel workbook never has one, and
its entities are how a few hundred KB of XML expand to gigabytes in the parser (an XML bomb)
or pull a file of the server into the import (XXE). A part that declares a DTD or an entity (in
UTF-8 or UTF-16), or that names an encoding other than those, is refused before anything is
parsed. openpyxl itself parses with defusedxml (a dependency, which openpyxl uses when it is
installed), which refuses entities and external references: should anything get past the
scan, the beheerder gets the same refusal, never an error page.

The workbook is then opened read-only with `data_only=True`: formulas are read as the values
the spreadsheet program last calculated and never evaluated; macros (.xlsm) are never run, only
the cell values are read. openpyxl reads shared strings (Excel) as well as inline strings (other
writers) and numbers, and the dimensions a writer declares are ignored (`reset_dimensions`).

`validate_import` is the one function the upload view and the benchmark call: every row is
checked and every problem named by row number and column, so the beheerder can fix the file.
The register is asked for all numbers of the file at once (`lookup_companies`).
"""

import io
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from accounts.models import Organisation
from accounts.validators import normalise_number, normalise_phone_number, validate_kvk_nummer

from .constants import PENDING_STATUSES, Status
from .errors import DomainError
from .models import Ketenmachtiging
from .register import Company, CompanyNotFound, lookup_companies

logger = logging.getLogger(__name__)

# --- limits ---------------------------------------------------------------------------------------

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# The zip: what it may unpack to in total, how strongly one member may be compressed (a real
# sheet compresses 5 to 20 times, a zip bomb a thousand times and more), and how many members.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 1000
# Each part is read in chunks of this size when it is looked through for a DTD.
SCAN_CHUNK_BYTES = 64 * 1024
# The header row is looked for in the first rows and columns of each sheet.
HEADER_SEARCH_ROWS = 20
HEADER_SEARCH_COLUMNS = 50
EXCEL_MAX_ROW = 1_048_576

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected .xlsx
ZIP_SIGNATURE = b"PK\x03\x04"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A DTD and an entity declaration as they are spelt in UTF-8 (and ASCII, ISO-8859-1) and in
# UTF-16 in either byte order: the encodings below.
DECLARATIONS = tuple(
    keyword.encode(encoding)
    for keyword in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)
DECLARATION_OVERLAP = max(len(declaration) for declaration in DECLARATIONS) - 1
# The encodings OOXML allows (UTF-8, UTF-16) and the two others expat reads itself. A part that
# declares any other is refused: expat only accepts an encoding that spells markup in ASCII,
# but another parser (libxml2, which openpyxl uses when lxml is installed) reads a DTD in the
# bytes of EBCDIC, say, which the scan would not see.
XML_ENCODINGS = {"utf-8", "utf-16", "utf-16le", "utf-16be", "us-ascii", "iso-8859-1"}
# The parts that are XML by their name, and how far into one its XML declaration may reach.
XML_PART_NAME = re.compile(r"\.(xml|rels|vml)$", re.IGNORECASE)
DECLARATION_MAX_BYTES = 4096
XML_DECLARATION = re.compile(r"""\A\ufeff?<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")

# --- the columns ----------------------------------------------------------------------------------


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
REQUIRED_MESSAGES = {
    "kvk_nummer": gettext_lazy("Vul het KVK-nummer in."),
    "initialen": gettext_lazy("Vul de voorletter(s) van de contactpersoon in."),
    "achternaam": gettext_lazy("Vul de achternaam van de contactpersoon in."),
    "email": gettext_lazy("Vul het e-mailadres van de contactpersoon in."),
    "telefoon": gettext_lazy("Vul het telefoonnummer van de contactpersoon in."),
}


def _header_key(text: str) -> str:
    """ "  E-mail adres " → "emailadres"; "Referentie (optioneel)" → "referentie"."""
    text = text.lower().replace("(optioneel)", "")
    return "".join(ch for ch in text if ch.isalnum())


# Normalised header text → column key; the form's own headers and the spellings people use.
HEADER_ALIASES: dict[str, str] = {
    **{_header_key(column.header): column.key for column in COLUMNS},
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
# A row is the header when it names the KVK-nummer and at least this many other columns: an
# instruction sheet that mentions "KVK-nummer" in a cell is not mistaken for it.
HEADER_MIN_OTHER_COLUMNS = 2

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


# --- results --------------------------------------------------------------------------------------


class ImportRefused(DomainError):
    """The whole file is refused; the message says why and what to do."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # "E-mailadres (kolom E)"
    message: str


@dataclass
class ImportRow:
    """One filled-in row of the file, after checking."""

    row_number: int
    kvk_nummer: str = ""
    initialen: str = ""
    tussenvoegsel: str = ""
    achternaam: str = ""
    email: str = ""
    telefoon: str = ""
    reference: str = ""
    company: Company | None = None
    warning: str = ""
    errors: list[RowError] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    filename: str
    header_row: int
    rows: list[ImportRow]  # the filled-in rows, in the file's order; the example row left out
    example_row: int | None = None  # the row number of the skipped example, if any

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.is_valid]

    @property
    def invalid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.is_valid]

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def warnings(self) -> list[ImportRow]:
        return [row for row in self.rows if row.is_valid and row.warning]

    @property
    def needs_review(self) -> bool:
        """Refused rows or warnings: the beheerder sees them before going on."""
        return any(row.errors or row.warning for row in self.rows)


# --- checking the file before openpyxl opens it ---------------------------------------------------


def _mb(limit: int) -> str:
    return number_format(limit / (1024 * 1024), decimal_pos=0)


def read_upload(upload) -> bytes:
    """The uploaded file's bytes; a file over the limit is refused before it is read."""
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise _too_large(upload.size)
    upload.seek(0)
    data = upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(len(data))
    return data


def _too_large(size: int) -> ImportRefused:
    return ImportRefused(
        _(
            "Het bestand is groter dan %(limit)s MB (%(size)s MB). Verdeel de bedrijven over "
            "meerdere bestanden."
        )
        % {"limit": _mb(MAX_FILE_BYTES), "size": number_format(size / 2**20, decimal_pos=1)}
    )


def _not_xlsx(kind: str) -> ImportRefused:
    return ImportRefused(
        _("%(kind)s Gebruik het Excel-formulier en sla het op als Excel-werkmap (.xlsx).")
        % {"kind": kind}
    )


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            sample.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return True


def check_file(data: bytes) -> None:
    """Refuse what is not an .xlsx (or .xlsm) of a sane size, without unpacking anything."""
    if not data:
        raise ImportRefused(_("Het bestand is leeg."))
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(len(data))
    if data.startswith(OLE_SIGNATURE):
        raise _not_xlsx(
            _(
                "Dit is een oud Excel-bestand (.xls) of een met een wachtwoord beveiligd "
                "bestand; dat kan niet worden gelezen."
            )
        )
    if data.startswith(b"%PDF"):
        raise _not_xlsx(_("Dit is een PDF-bestand, geen Excel-bestand."))
    if not data.startswith(ZIP_SIGNATURE):
        if _looks_like_text(data):
            raise _not_xlsx(_("Dit is een tekst- of CSV-bestand, geen Excel-bestand."))
        raise _not_xlsx(_("Dit is geen Excel-bestand."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise _not_xlsx(_("Het bestand is beschadigd of geen Excel-bestand.")) from error
    bomb = ImportRefused(
        _(
            "Het bestand wordt niet gelezen: uitgepakt is het groter dan %(limit)s MB of het is "
            "ongewoon sterk gecomprimeerd (meer dan %(ratio)s keer). Gebruik het Excel-formulier."
        )
        % {"limit": _mb(MAX_UNCOMPRESSED_BYTES), "ratio": MAX_COMPRESSION_RATIO}
    )
    if len(members) > MAX_ZIP_MEMBERS:
        raise bomb
    if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        raise bomb
    for member in members:
        if (
            member.file_size > RATIO_CHECKED_FROM_BYTES
            and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        ):
            raise bomb
        if member.flag_bits & 0x1:
            raise _not_xlsx(_("Het bestand is met een wachtwoord beveiligd."))
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names:
        if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]:
            raise _not_xlsx(_("Dit is een OpenDocument-bestand (.ods), geen Excel-bestand."))
        raise _not_xlsx(_("Dit is geen Excel-bestand."))
    for member in members:
        _refuse_declarations(archive, member)


def _declarations_refused() -> ImportRefused:
    return _not_xlsx(
        _(
            "Het bestand bevat XML-declaraties (een DTD of entiteiten) die in een Excel-werkmap "
            "niet voorkomen en wordt daarom niet gelezen."
        )
    )


def _check_encoding(head: bytes, name: str) -> None:
    """Refuse a part whose XML declaration names an encoding other than UTF-8 or UTF-16, and an
    XML part (by its name) that does not start as XML in those: one in EBCDIC, say, would hide
    its declarations from the scan."""
    utf16 = head.startswith((b"\xff\xfe", b"<\x00", b"\xfe\xff", b"\x00<"))
    if XML_PART_NAME.search(name) and not utf16:
        start = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
        if start and not start.startswith(b"<"):
            logger.info("Import refused, %r does not start as XML", name)
            raise _not_xlsx(_("Het bestand kon niet worden gelezen."))
    if head.startswith((b"\xff\xfe", b"<\x00")):
        text = head[:DECLARATION_MAX_BYTES].decode("utf-16-le", "ignore")
    elif head.startswith((b"\xfe\xff", b"\x00<")):
        text = head[:DECLARATION_MAX_BYTES].decode("utf-16-be", "ignore")
    else:
        text = head[:DECLARATION_MAX_BYTES].removeprefix(b"\xef\xbb\xbf").decode("latin-1")
    declared = XML_DECLARATION.match(text)
    if declared and declared.group(1).strip().lower() not in XML_ENCODINGS:
        logger.info("Import refused, a part is in the encoding %r", declared.group(1)[:40])
        raise _not_xlsx(_("Het bestand kon niet worden gelezen."))


def _refuse_declarations(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Read one part in chunks (no more than its declared size, already checked) and refuse
    it when it declares a DTD or an entity. Every part is read, whatever its name: a
    relationship can point openpyxl at any of them."""
    try:
        with archive.open(member) as part:
            chunk = part.read(SCAN_CHUNK_BYTES)
            _check_encoding(chunk, member.filename)
            tail = b""  # the end of the previous chunk: a declaration may straddle two
            while chunk:
                window = tail + chunk
                if any(declaration in window for declaration in DECLARATIONS):
                    logger.info("Import refused, %r declares a DTD or entity", member.filename)
                    raise _declarations_refused()
                tail = window[-DECLARATION_OVERLAP:]
                chunk = part.read(SCAN_CHUNK_BYTES)
    except ImportRefused:
        raise
    except Exception as error:  # a bad CRC, a truncated or unknown compression: not readable
        logger.info("Import refused, %r could not be unpacked: %r", member.filename, error)
        raise _not_xlsx(_("Het bestand is beschadigd of geen Excel-bestand.")) from error


# --- reading the workbook -------------------------------------------------------------------------


def _cell_text(value) -> str:
    """A cell as text: numbers without ".0", text stripped (also of non-breaking spaces)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _kvk_nummer(value) -> str:
    """8 digits, whether the cell holds text or a number; a number lost its leading zeros
    (02029700 became 2029700), so they are put back. The column holds KVK-nummers only, so
    unlike Eén bedrijf there is no RSIN to confuse it with."""
    text = normalise_number(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and text.isdigit():
        text = text.zfill(8)
    validate_kvk_nummer(text)
    return text


def _find_header(worksheet) -> tuple[int, dict[str, int]] | None:
    """(row number, {column key: column index from 0}) of the header row, if in this sheet."""
    rows = worksheet.iter_rows(
        min_row=1, max_row=HEADER_SEARCH_ROWS, max_col=HEADER_SEARCH_COLUMNS, values_only=True
    )
    for row_number, row in enumerate(rows, start=1):
        positions: dict[str, int] = {}
        for index, value in enumerate(row):
            if isinstance(value, str) and (key := HEADER_ALIASES.get(_header_key(value))):
                positions.setdefault(key, index)
        if "kvk_nummer" in positions and len(positions) > HEADER_MIN_OTHER_COLUMNS:
            return row_number, positions
    return None


def _column_label(key: str, positions: dict[str, int]) -> str:
    letter = get_column_letter(positions[key] + 1)
    return _("%(header)s (kolom %(letter)s)") % {
        "header": COLUMN_BY_KEY[key].header,
        "letter": letter,
    }


def _unreadable(error: Exception, action: str) -> ImportRefused:
    """openpyxl failed on the file. defusedxml's refusal of a DTD, an entity or an external
    reference (which openpyxl may wrap in a ValueError) is named as such."""
    cause: BaseException | None = error
    for _depth in range(10):
        if cause is None:
            break
        if isinstance(cause, DefusedXmlException):
            logger.info("Import refused, defusedxml refused it: %r", cause)
            return _declarations_refused()
        cause = cause.__cause__ or cause.__context__
    logger.info("Import refused, openpyxl could not %s it: %r", action, error)
    return _not_xlsx(_("Het bestand kon niet worden gelezen."))


def _raw_rows(data: bytes) -> tuple[int, dict[str, int], Iterator[tuple[int, tuple]]]:
    """The header row, the column positions, and the rows below the header as
    (row number, values). The workbook closes when the iterator is exhausted."""
    try:
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False, keep_vba=False
        )
    except Exception as error:  # untrusted input: any failure to parse is a refusal
        raise _unreadable(error, "open") from error
    try:
        found = None
        for worksheet in workbook.worksheets:
            worksheet.reset_dimensions()  # some writers declare wrong ones
            found = _find_header(worksheet)
            if found:
                break
    except Exception as error:
        workbook.close()
        raise _unreadable(error, "read") from error
    if found is None:
        workbook.close()
        raise ImportRefused(
            _(
                "De kopregel met de kolommen KVK-nummer, Voorletter(s), Achternaam, E-mailadres "
                "en Telefoonnummer is niet gevonden in de eerste %(rows)s rijen. Gebruik het "
                "Excel-formulier."
            )
            % {"rows": HEADER_SEARCH_ROWS}
        )
    header_row, positions = found
    missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        workbook.close()
        raise ImportRefused(
            _("In de kopregel (rij %(row)s) ontbreekt de kolom %(columns)s.")
            % {"row": header_row, "columns": ", ".join(f"“{name}”" for name in missing)}
        )

    def rows() -> Iterator[tuple[int, tuple]]:
        try:
            values = worksheet.iter_rows(
                min_row=header_row + 1, max_col=max(positions.values()) + 1, values_only=True
            )
            for row_number, row in enumerate(values, start=header_row + 1):
                if row_number > EXCEL_MAX_ROW:
                    raise _not_xlsx(_("Het bestand is beschadigd of geen Excel-bestand."))
                yield row_number, row
        except ImportRefused:
            raise
        except Exception as error:
            raise _unreadable(error, "read a row of") from error
        finally:
            workbook.close()

    return header_row, positions, rows()


def _phone_number(text: str, known: dict[str, tuple[bool, str]]) -> str:
    """normalise_phone_number, remembered per text: a file often repeats a number."""
    result = known.get(text)
    if result is None:
        try:
            result = (True, normalise_phone_number(text))
        except ValidationError as invalid:
            result = (False, invalid.messages[0])
        known[text] = result
    valid, value = result
    if not valid:
        raise ValidationError(value)
    return value


def _read_row(
    row_number: int, values: tuple, positions: dict[str, int], phones: dict
) -> ImportRow | None:
    """The row's fields checked one by one; None for an empty row."""
    width = len(values)
    raw = {key: values[index] if index < width else None for key, index in positions.items()}
    texts = {key: _cell_text(value) for key, value in raw.items()}
    if not any(texts.values()):
        return None
    row = ImportRow(row_number=row_number)

    def error(key: str, message: str) -> None:
        row.errors.append(RowError(row_number, _column_label(key, positions), message))

    for column in COLUMNS:
        text = texts.get(column.key, "")
        if not text:
            if column.required:
                error(column.key, str(REQUIRED_MESSAGES[column.key]))
            continue
        if column.key == "kvk_nummer":
            try:
                row.kvk_nummer = _kvk_nummer(raw["kvk_nummer"])
            except ValidationError as invalid:
                error(
                    column.key,
                    _("%(message)s In het bestand staat “%(value)s”.")
                    % {"message": invalid.messages[0], "value": text[:40]},
                )
            continue
        if len(text) > column.max_length:
            error(
                column.key,
                _("Gebruik hoogstens %(max)s tekens; dit zijn er %(count)s.")
                % {"max": column.max_length, "count": len(text)},
            )
            continue
        if column.key == "email":
            try:
                validate_email(text)
            except ValidationError:
                error(column.key, _("“%(value)s” is geen geldig e-mailadres.") % {"value": text})
                continue
        elif column.key == "telefoon":
            try:
                text = _phone_number(text, phones)
            except ValidationError as invalid:
                error(column.key, f"“{text}”: {invalid.messages[0]}")
                continue
        setattr(row, column.key, text)
    return row


def _is_example(row: ImportRow) -> bool:
    """The form's example row, left as it is: its KVK-nummer and its marker."""
    return row.kvk_nummer == EXAMPLE["kvk_nummer"] and (
        row.reference.lower().startswith(EXAMPLE_MARKER) or row.email.lower() == EXAMPLE["email"]
    )


# --- checking the rows against the register and each other ---------------------------------------


def _existing_statuses(intermediair: Organisation, numbers: list[str]) -> dict[str, set[str]]:
    """KVK-nummer → statuses of the intermediair's pending or active ketenmachtigingen."""
    statuses: dict[str, set[str]] = {}
    batch_size = 900
    for start in range(0, len(numbers), batch_size):
        batch = numbers[start : start + batch_size]
        found = Ketenmachtiging.objects.filter(
            intermediair=intermediair,
            relatie__kvk_nummer__in=batch,
            status__in=[*PENDING_STATUSES, Status.ACTIEF],
        ).values_list("relatie__kvk_nummer", "status")
        for kvk_nummer, status in found:
            statuses.setdefault(kvk_nummer, set()).add(status)
    return statuses


def _check_together(
    rows: list[ImportRow], positions: dict[str, int], intermediair: Organisation
) -> None:
    kvk_column = _column_label("kvk_nummer", positions)
    first_row_of: dict[str, int] = {}
    for row in rows:
        if not row.kvk_nummer:
            continue
        if row.kvk_nummer == intermediair.kvk_nummer:
            row.errors.append(
                RowError(
                    row.row_number,
                    kvk_column,
                    _("Dit is het KVK-nummer van uw eigen organisatie."),
                )
            )
        elif row.kvk_nummer in first_row_of:
            row.errors.append(
                RowError(
                    row.row_number,
                    kvk_column,
                    _("Dit KVK-nummer staat al in rij %(row)s.")
                    % {"row": first_row_of[row.kvk_nummer]},
                )
            )
        else:
            first_row_of[row.kvk_nummer] = row.row_number
    numbers = list(first_row_of)
    companies = lookup_companies("kvk", numbers)  # RegisterUnavailable refuses the import
    existing = _existing_statuses(intermediair, numbers)
    for row in rows:
        if first_row_of.get(row.kvk_nummer) != row.row_number:
            continue  # no KVK-nummer, the own organisation's, or a duplicate: already refused
        row.company = companies.get(row.kvk_nummer)
        if row.company is None:
            row.errors.append(
                RowError(row.row_number, kvk_column, CompanyNotFound(row.kvk_nummer).message)
            )
        elif statuses := existing.get(row.kvk_nummer):
            labels = ", ".join(sorted(str(Status(s).label) for s in statuses))
            row.warning = _(
                "Uw organisatie heeft al een ketenmachtiging van dit bedrijf (%(statuses)s)."
            ) % {"statuses": labels}


def validate_import(data: bytes, *, filename: str, intermediair: Organisation) -> ImportResult:
    """Check the file and every row in it. Raises ImportRefused for a file that cannot be used
    at all (or RegisterUnavailable); row problems are in the result, by row and column."""
    check_file(data)
    header_row, positions, raw_rows = _raw_rows(data)
    rows: list[ImportRow] = []
    example_row = None
    phones: dict[str, tuple[bool, str]] = {}
    try:
        for row_number, values in raw_rows:
            row = _read_row(row_number, values, positions, phones)
            if row is None:
                continue
            if example_row is None and not rows and _is_example(row):
                example_row = row_number
                continue
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise ImportRefused(
                    _(
                        "Het bestand bevat meer dan %(max)s bedrijven. Verdeel de bedrijven "
                        "over meerdere bestanden van hoogstens %(max)s rijen."
                    )
                    % {"max": number_format(MAX_ROWS, force_grouping=True)}
                )
    finally:
        raw_rows.close()  # closes the workbook, also when refused halfway
    if not rows:
        raise ImportRefused(
            _(
                "Het bestand bevat geen bedrijven. Vul onder de kopregel (rij %(row)s) per "
                "bedrijf één rij in."
            )
            % {"row": header_row}
        )
    _check_together(rows, positions, intermediair)
    return ImportResult(
        filename=filename, header_row=header_row, rows=rows, example_row=example_row
    )


# --- the Excel form -------------------------------------------------------------------------------

TEMPLATE_FILENAME = "ketenmachtigingen-meerdere-bedrijven.xlsx"
DATA_SHEET, INSTRUCTION_SHEET = "Bedrijven", "Instructie"
TEXT_FORMAT = "@"
ORANGE, ORANGE_LIGHT, GREY = "E8590C", "FFF1E6", "6B7280"

INSTRUCTIONS = (
    "Vul op het tabblad “Bedrijven” per bedrijf één rij in, vanaf rij 3.",
    "Rij 2 is een voorbeeld. Die rij wordt bij het importeren overgeslagen; u mag haar laten "
    "staan of verwijderen.",
    "Laat de kopregel (rij 1) staan. Extra kolommen mag u toevoegen; die worden genegeerd.",
    "De kolommen staan als tekst opgemaakt, zodat voorloopnullen (02029700) blijven staan.",
    "Van ieder bedrijf zoeken wij de naam en het adres op in het Handelsregister van de KVK.",
    "De contactpersoon ontvangt per e-mail de uitnodiging met het ketenmachtigingsformulier.",
    f"Hoogstens {MAX_ROWS:,} bedrijven en {MAX_FILE_BYTES // 2**20} MB per bestand.".replace(
        ",", "."
    ),
    "Sla het bestand op als Excel-werkmap (.xlsx) en kies het bij “Kies een bestand”.",
)


def build_template() -> bytes:
    """The Excel form: the sheet "Bedrijven" (header, example row, text-formatted columns)
    and the sheet "Instructie"."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=ORANGE)
    example_font = Font(italic=True, color=GREY)
    example_fill = PatternFill("solid", fgColor=ORANGE_LIGHT)
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        dimension.number_format = TEXT_FORMAT  # new cells typed in this column are text
        header = sheet.cell(row=1, column=index, value=column.header)
        header.font, header.fill, header.number_format = header_font, header_fill, TEXT_FORMAT
        example = sheet.cell(row=2, column=index, value=EXAMPLE[column.key])
        example.font, example.fill, example.number_format = example_font, example_fill, TEXT_FORMAT
    sheet["A1"].comment = Comment("Zie het tabblad Instructie.", "Z login")
    sheet["A2"].comment = Comment("Voorbeeldrij: wordt bij het importeren overgeslagen.", "Z login")
    sheet.freeze_panes = "A2"

    instructions = workbook.create_sheet(INSTRUCTION_SHEET)
    instructions.column_dimensions["A"].width = 28
    instructions.column_dimensions["B"].width = 12
    instructions.column_dimensions["C"].width = 80
    instructions["A1"] = "Ketenmachtigingen aanvragen voor meerdere bedrijven"
    instructions["A1"].font = Font(bold=True, size=14)
    row = 3
    for line in INSTRUCTIONS:
        instructions.cell(row=row, column=1, value=f"• {line}")
        row += 1
    row += 1
    for index, title in enumerate(("Kolom", "Verplicht", "Toelichting"), start=1):
        cell = instructions.cell(row=row, column=index, value=title)
        cell.font, cell.fill = header_font, header_fill
    for column in COLUMNS:
        row += 1
        instructions.cell(row=row, column=1, value=column.header)
        instructions.cell(row=row, column=2, value="ja" if column.required else "nee")
        help_cell = instructions.cell(row=row, column=3, value=column.explanation)
        help_cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.active = 0
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
