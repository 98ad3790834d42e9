"""Meerdere bedrijven (handleiding 3.2): the Excel form to download.

The sheet "Bedrijven" has the header, an example row (skipped on import while it is left as
it is) and text-formatted columns; the sheet "Instructie" explains them.
"""

import io
from typing import cast

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .checks import MAX_FILE_BYTES
from .columns import COLUMNS, EXAMPLE
from .rows import MAX_ROWS

TEMPLATE_FILENAME = "ketenmachtigingen-meerdere-bedrijven.xlsx"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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
    sheet = cast(Worksheet, workbook.active)  # a new workbook's one worksheet
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
