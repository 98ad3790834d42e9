"""Meerdere bedrijven (handleiding 3.2): the Excel form to download, and reading it back.

The package owns openpyxl for imports: `checks` refuses a file before openpyxl sees it (size,
type, zip bomb, DTDs), `reading` opens the workbook and finds the header, `rows` checks every
row (`validate_import`), `template` builds the form, and `columns` is the form's layout that
the three share. The names below are the package's public surface.
"""

from .checks import ImportRefused, check_file, read_upload
from .columns import COLUMNS
from .rows import ImportResult, ImportRow, RowError, validate_import
from .template import DATA_SHEET, TEMPLATE_FILENAME, XLSX_CONTENT_TYPE, build_template

__all__ = [
    "COLUMNS",
    "DATA_SHEET",
    "TEMPLATE_FILENAME",
    "XLSX_CONTENT_TYPE",
    "ImportRefused",
    "ImportResult",
    "ImportRow",
    "RowError",
    "build_template",
    "check_file",
    "read_upload",
    "validate_import",
]
