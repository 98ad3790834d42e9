"""Excel files of the "Meerdere bedrijven" form, built for tests: with openpyxl (inline strings,
numbers as numbers) or by hand from the XML, as Excel writes them (shared strings, formulas with
their cached values)."""

import io
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

from openpyxl import Workbook

HEADER = [
    "KVK-nummer",
    "Voorletter(s)",
    "Tussenvoegsel (optioneel)",
    "Achternaam",
    "E-mailadres",
    "Telefoonnummer",
    "Referentie (optioneel)",
]

# --- building files -----------------------------------------------------------------------------


def row(kvk="39078749", initialen="J.", tussenvoegsel="", achternaam="Jansen",
        email="j.jansen@zet.example.nl", telefoon="06 12345678", reference=""):  # fmt: skip
    return [kvk, initialen, tussenvoegsel, achternaam, email, telefoon, reference]


def xlsx(*rows, header=HEADER, above=(), sheets_before=()) -> bytes:
    """A workbook written by openpyxl: inline strings, numbers as numbers."""
    workbook = Workbook()
    first = workbook.active
    for title, content in sheets_before:
        sheet = workbook.create_sheet(title, 0)
        for line in content:
            sheet.append(line)
    for line in above:
        first.append(line)
    if header is not None:
        first.append(header)
    for line in rows:
        first.append(line)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@dataclass(frozen=True)
class Formula:
    """A formula cell with the value Excel last calculated (openpyxl cannot write one)."""

    formula: str
    cached: object


_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{workbook_type}"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="xl/workbook.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Bedrijven" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="worksheets/sheet1.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>
<Relationship Id="rId2" Target="sharedStrings.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>
</Relationships>"""
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def handmade_xlsx(
    *rows, header=HEADER, shared_strings=True, dimension="A1:A1", workbook_type=XLSX_TYPE
) -> bytes:
    """An .xlsx built from its XML, as Excel writes it: text in the shared strings table (or
    inline), numbers as <v>, formulas with their cached value; a wrong <dimension> as some
    writers declare."""
    strings: list[str] = []

    def cell(ref: str, value) -> str:
        if value is None:
            return ""
        if isinstance(value, Formula):
            kind = ' t="str"' if isinstance(value.cached, str) else ""
            return (
                f'<c r="{ref}"{kind}><f>{escape(value.formula)}</f>'
                f"<v>{escape(str(value.cached))}</v></c>"
            )
        if isinstance(value, int | float):
            return f'<c r="{ref}"><v>{value}</v></c>'
        if shared_strings:
            strings.append(value)
            return f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    lines = []
    for number, values in enumerate([header, *rows], start=1):
        cells = "".join(cell(f"{chr(65 + i)}{number}", v) for i, v in enumerate(values))
        lines.append(f'<row r="{number}">{cells}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{"".join(lines)}</sheetData></worksheet>'
    )
    shared = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        + "</sst>"
    )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(workbook_type=workbook_type))
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", shared)
        if workbook_type == XLSM_TYPE:
            archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not run")
    return output.getvalue()
