"""Meerdere bedrijven: the rows of the file, checked one by one and against each other.

`validate_import` is the one function the upload view and the benchmark call: the file is
checked (`checks`) and read (`reading`), every row is checked and every problem named by row
number and column, so the beheerder can fix the file. The register is asked for all numbers of
the file at once (`lookup_companies`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from accounts.models import Organisation
from accounts.validators import normalise_number, normalise_phone_number, validate_kvk_nummer

from ..constants import PENDING_STATUSES, Status
from ..models import Ketenmachtiging
from ..register import Company, CompanyNotFound, lookup_companies
from .checks import ImportRefused, check_file
from .columns import COLUMN_BY_KEY, COLUMNS, EXAMPLE, EXAMPLE_MARKER
from .reading import sheet_rows

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_ROWS = 10_000
REQUIRED_MESSAGES = {
    "kvk_nummer": gettext_lazy("Vul het KVK-nummer in."),
    "initialen": gettext_lazy("Vul de voorletter(s) van de contactpersoon in."),
    "achternaam": gettext_lazy("Vul de achternaam van de contactpersoon in."),
    "email": gettext_lazy("Vul het e-mailadres van de contactpersoon in."),
    "telefoon": gettext_lazy("Vul het telefoonnummer van de contactpersoon in."),
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # "E-mailadres (kolom E)"
    message: StrOrPromise


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


def _column_label(key: str, positions: dict[str, int]) -> str:
    letter = get_column_letter(positions[key] + 1)
    return _("%(header)s (kolom %(letter)s)") % {
        "header": COLUMN_BY_KEY[key].header,
        "letter": letter,
    }


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
            # Found by its KVK-nummer: the relatie has one.
            statuses.setdefault(cast(str, kvk_nummer), set()).add(status)
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
    header_row, positions, raw_rows = sheet_rows(data)
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
