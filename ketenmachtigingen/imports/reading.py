"""Meerdere bedrijven: reading the workbook with openpyxl, after `checks.check_file`.

This module owns openpyxl for reading. The workbook is opened read-only with `data_only=True`:
formulas are read as the values the spreadsheet program last calculated and never evaluated;
macros (.xlsm) are never run, only the cell values are read. openpyxl reads shared strings
(Excel) as well as inline strings (other writers) and numbers, and the dimensions a writer
declares are ignored (`reset_dimensions`). openpyxl parses with defusedxml (a dependency,
which openpyxl uses when it is installed), which refuses entities and external references:
should anything get past the scan of `checks`, the beheerder gets the same refusal, never an
error page.

`sheet_rows` finds the header row in the first rows of a sheet and yields the rows below it as
values; `rows` turns them into checked rows.
"""

import io
import logging
from collections.abc import Generator

from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .checks import ImportRefused, declarations_refused, not_xlsx
from .columns import COLUMNS, HEADER_ALIASES, header_key

logger = logging.getLogger(__name__)

# The header row is looked for in the first rows and columns of each sheet.
HEADER_SEARCH_ROWS = 20
HEADER_SEARCH_COLUMNS = 50
EXCEL_MAX_ROW = 1_048_576
# A row is the header when it names the KVK-nummer and at least this many other columns: an
# instruction sheet that mentions "KVK-nummer" in a cell is not mistaken for it.
HEADER_MIN_OTHER_COLUMNS = 2


def _find_header(worksheet) -> tuple[int, dict[str, int]] | None:
    """(row number, {column key: column index from 0}) of the header row, if in this sheet."""
    rows = worksheet.iter_rows(
        min_row=1, max_row=HEADER_SEARCH_ROWS, max_col=HEADER_SEARCH_COLUMNS, values_only=True
    )
    for row_number, row in enumerate(rows, start=1):
        positions: dict[str, int] = {}
        for index, value in enumerate(row):
            if isinstance(value, str) and (key := HEADER_ALIASES.get(header_key(value))):
                positions.setdefault(key, index)
        if "kvk_nummer" in positions and len(positions) > HEADER_MIN_OTHER_COLUMNS:
            return row_number, positions
    return None


def _unreadable(error: Exception, action: str) -> ImportRefused:
    """openpyxl failed on the file. defusedxml's refusal of a DTD, an entity or an external
    reference (which openpyxl may wrap in a ValueError) is named as such."""
    cause: BaseException | None = error
    for _depth in range(10):
        if cause is None:
            break
        if isinstance(cause, DefusedXmlException):
            logger.info("Import refused, defusedxml refused it: %r", cause)
            return declarations_refused()
        cause = cause.__cause__ or cause.__context__
    logger.info("Import refused, openpyxl could not %s it: %r", action, error)
    return not_xlsx(_("Het bestand kon niet worden gelezen."))


def sheet_rows(
    data: bytes,
) -> tuple[int, dict[str, int], Generator[tuple[int, tuple], None, None]]:
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

    def rows() -> Generator[tuple[int, tuple], None, None]:
        try:
            values = worksheet.iter_rows(
                min_row=header_row + 1, max_col=max(positions.values()) + 1, values_only=True
            )
            for row_number, row in enumerate(values, start=header_row + 1):
                if row_number > EXCEL_MAX_ROW:
                    raise not_xlsx(_("Het bestand is beschadigd of geen Excel-bestand."))
                yield row_number, row
        except ImportRefused:
            raise
        except Exception as error:
            raise _unreadable(error, "read a row of") from error
        finally:
            workbook.close()

    return header_row, positions, rows()
