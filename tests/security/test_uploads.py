"""ASVS V12.1 and V5.5 (uploads, XML parsers): an .xlsx cannot exhaust memory or read files.

An .xlsx is a zip of XML parts. Entities declared in a part's DTD expand a few hundred KB into
gigabytes in the parser (an XML bomb), and an external entity (XXE) reads a file of the server.
Excel never writes a DTD: `imports.check_file` refuses any part that declares one before
openpyxl sees the file, and openpyxl parses with defusedxml, which refuses entities should one
get past the scan. Either way the beheerder reads one clear Dutch refusal and nothing is stored.

The bomb here is the one of the report: 236 KB of .xlsx whose sheet (20 MB of XML, compressed
86 times, so it passes the zip bomb checks) expands to about 1 GB. Its nested entities are
spread over the sheet so that expat's own limit on the amplification factor (100) is never
reached: that limit stops the classic billion laughs, not this. Time and memory are measured in
a child process, and the child run without the protections shows what the bound stands for.
"""

import functools
import io
import json
import os
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import defusedxml.ElementTree
import openpyxl.xml
import openpyxl.xml.functions
import pytest

from ketenmachtigingen import imports
from ketenmachtigingen.imports import ImportRefused, checks
from ketenmachtigingen.imports.reading import sheet_rows
from ketenmachtigingen.models import BulkRequest, BulkRequestRow
from tests.ketenmachtigingen.bulk_steps import upload
from tests.ketenmachtigingen.workbooks import handmade_xlsx, row, xlsx

ROOT = Path(__file__).resolve().parents[2]
SHEET, SHARED_STRINGS = "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"
REFUSAL = (
    "Het bestand bevat XML-declaraties (een DTD of entiteiten) die in een Excel-werkmap niet "
    "voorkomen en wordt daarom niet gelezen. Gebruik het Excel-formulier en sla het op als "
    "Excel-werkmap (.xlsx)."
)
UNREADABLE = (
    "Het bestand kon niet worden gelezen. Gebruik het Excel-formulier en sla het op als "
    "Excel-werkmap (.xlsx)."
)
# The refusal must come within this time, and the child's peak memory stay under this bound
# (with Django loaded it starts at about 80 MB). Without the protections the same child is at
# about 850 MB after 2 s, and ends after two minutes at 10 GB.
TIME_LIMIT_S = 2.0
MEMORY_LIMIT_MB = 200
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
PASSWD = Path("/etc/passwd")

# --- building the files ---------------------------------------------------------------------------


def rewrite(data: bytes, name: str, change) -> bytes:
    """The .xlsx with the part `name` replaced by change(its XML as text), deflated as Excel."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == name:
                content = change(content.decode())
                content = content if isinstance(content, bytes) else content.encode()
            archive.writestr(info.filename, content)
    return output.getvalue()


def with_dtd(dtd: str, text: str, replacement: str):
    """A change for `rewrite`: the DTD in the prolog, and `text` in the part replaced."""

    def change(xml: str) -> str:
        assert text in xml
        body = xml.removeprefix(XML_DECLARATION)
        return XML_DECLARATION + dtd + body.replace(text, replacement, 1)

    return change


# Ten levels of ten: 10^9 "lol"s, 3 GB, from a DTD of a few hundred bytes.
BILLION_LAUGHS = (
    "<!DOCTYPE lolz ["
    '<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
)
XXE = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def openpyxl_workbook(reference: str = "REF-1") -> bytes:
    """A real .xlsx as openpyxl writes it: inline strings in xl/worksheets/sheet1.xml."""
    return xlsx(row("39078749", reference=reference))


@functools.cache
def xml_bomb() -> bytes:
    """The bomb of the report: 236 KB, a 20 MB sheet, about 1 GB once its entities expand.

    Each `&e;` is 150 characters. 70 of them and a random letter, over and over, keep the
    sheet compressible 86 times (under the 100 of the zip bomb check) and the entities'
    amplification under expat's limit of 100."""
    dtd = (
        "<!DOCTYPE worksheet ["
        '<!ENTITY d "lollollollollollollollollollol">'
        '<!ENTITY e "&d;&d;&d;&d;&d;">'
        "]>"
    )
    letters = random.Random(1)  # noqa: S311 - not a secret, a fixed filler
    body = "".join(
        "&e;" * 70 + letters.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(20_000_000 // 211)
    )
    header = "<t>Referentie (optioneel)</t>"
    data = rewrite(
        openpyxl_workbook(), SHEET, with_dtd(dtd, header, f"<t>Referentie (optioneel){body}</t>")
    )
    sheet = zipfile.ZipFile(io.BytesIO(data)).getinfo(SHEET)
    assert len(data) < 250_000 and sheet.file_size > 20_000_000
    assert sheet.file_size < checks.MAX_COMPRESSION_RATIO * sheet.compress_size
    return data


def billion_laughs_in_the_sheet() -> bytes:
    return rewrite(
        openpyxl_workbook(), SHEET, with_dtd(BILLION_LAUGHS, "<t>REF-1</t>", "<t>&lol9;</t>")
    )


def billion_laughs_in_the_shared_strings() -> bytes:
    """As Excel writes it, with the text in xl/sharedStrings.xml."""
    return rewrite(
        handmade_xlsx(row("39078749", reference="REF-1")),
        SHARED_STRINGS,
        with_dtd(BILLION_LAUGHS, "<t>REF-1</t>", "<t>&lol9;</t>"),
    )


def xxe_in_the_sheet() -> bytes:
    """The external entity in the Referentie of the one row: stored and shown, if resolved."""
    return rewrite(openpyxl_workbook(), SHEET, with_dtd(XXE, "<t>REF-1</t>", "<t>&xxe;</t>"))


def billion_laughs_in_utf16() -> bytes:
    """The sheet in UTF-16, which the XML parser reads as well as UTF-8."""

    def change(xml: str) -> bytes:
        xml = with_dtd(BILLION_LAUGHS, "<t>REF-1</t>", "<t>&lol9;</t>")(xml)
        return xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")

    return rewrite(openpyxl_workbook(), SHEET, change)


ENTITY_FILES = {
    "the bomb of the report": xml_bomb,
    "billion laughs in the sheet": billion_laughs_in_the_sheet,
    "billion laughs in the shared strings": billion_laughs_in_the_shared_strings,
    "xxe": xxe_in_the_sheet,
    "billion laughs in utf-16": billion_laughs_in_utf16,
}


def passwd_lines() -> list[str]:
    """What /etc/passwd would have put in the import: none of it may show up anywhere."""
    if not PASSWD.exists():
        return []
    return [line for line in PASSWD.read_text().splitlines() if line.strip()]


# --- through the upload view ----------------------------------------------------------------------


def assert_refused(response, started: float, message: str = REFUSAL) -> None:
    elapsed = time.perf_counter() - started
    content = response.content.decode()
    assert response.status_code == 200
    assert message in content
    assert elapsed < TIME_LIMIT_S, f"refused after {elapsed:.2f} s"
    assert not BulkRequest.objects.exists()
    assert not BulkRequestRow.objects.exists()
    for line in passwd_lines():
        assert line not in content


@pytest.mark.django_db
@pytest.mark.parametrize("build", ENTITY_FILES.values(), ids=ENTITY_FILES.keys())
def test_an_upload_with_entities_is_refused_on_the_tab_and_nothing_is_stored(portal, build):
    data = build()

    started = time.perf_counter()
    response = upload(portal, data)

    assert_refused(response, started)


@pytest.mark.django_db
@pytest.mark.parametrize("build", ENTITY_FILES.values(), ids=ENTITY_FILES.keys())
def test_what_the_scan_would_miss_defusedxml_refuses_the_same_way(portal, monkeypatch, build):
    """Should a DTD get past `check_file`, openpyxl's parser (defusedxml) refuses its entities,
    and the beheerder reads the same refusal: never an error page, never the expansion."""
    data = build()
    monkeypatch.setattr(checks, "_refuse_declarations", lambda archive, member: None)

    started = time.perf_counter()
    response = upload(portal, data)

    assert_refused(response, started)


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True
    assert openpyxl.xml.functions.iterparse is defusedxml.ElementTree.iterparse
    assert openpyxl.xml.functions.fromstring is defusedxml.ElementTree.fromstring


# --- what the scan refuses, and what it lets through ---------------------------------------------


def refusal(data: bytes) -> str:
    with pytest.raises(ImportRefused) as refused:
        imports.check_file(data)
    return str(refused.value)


def test_a_dtd_without_entities_is_refused_too():
    """defusedxml lets a bare DTD through; Excel never writes one, so the scan refuses it."""
    data = rewrite(
        openpyxl_workbook(), SHEET, with_dtd("<!DOCTYPE worksheet>", "<t>REF-1</t>", "<t>x</t>")
    )

    assert refusal(data) == REFUSAL


def test_a_dtd_in_a_part_of_any_name_is_refused():
    """A relationship can point openpyxl at any part, so every part is looked through."""
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(openpyxl_workbook())) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
        archive.writestr("xl/media/image1.png", XML_DECLARATION + BILLION_LAUGHS + "<a/>")

    assert refusal(output.getvalue()) == REFUSAL


def test_a_dtd_across_two_chunks_is_found():
    def change(xml: str) -> str:
        prolog = f"{XML_DECLARATION}<!--"
        padding = "x" * (checks.SCAN_CHUNK_BYTES - len(prolog) - len("-->") - 4)
        return prolog + padding + "-->" + BILLION_LAUGHS + xml.removeprefix(XML_DECLARATION)

    data = rewrite(openpyxl_workbook(), SHEET, change)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    assert sheet.index(b"<!DOCTYPE") == checks.SCAN_CHUNK_BYTES - 4

    assert refusal(data) == REFUSAL


def test_a_part_in_another_encoding_is_refused():
    """In EBCDIC a DTD is spelt in other bytes than the scan looks for. expat refuses such a
    part itself, but libxml2 (openpyxl's parser when lxml is installed) would read it."""

    def change(xml: str) -> bytes:
        declaration = '<?xml version="1.0" encoding="cp500"?>'
        return declaration.encode() + (BILLION_LAUGHS + xml).encode("cp500")

    data = rewrite(openpyxl_workbook(), SHEET, change)
    assert b"<!DOCTYPE" not in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)

    assert refusal(data) == UNREADABLE


@pytest.mark.parametrize(
    "encode",
    [
        # Wholly in EBCDIC, its own declaration included: nothing the scan reads is ASCII.
        lambda xml: ('<?xml version="1.0" encoding="cp037"?>' + BILLION_LAUGHS + xml).encode(
            "cp037"
        ),
        # The declaration pushed past the first 512 bytes by a long attribute.
        lambda xml: (
            '<?xml version="1.0"' + " " * 600 + 'encoding="koi8-r"?>' + xml.split("?>", 1)[-1]
        ).encode("koi8-r"),
    ],
    ids=["all-ebcdic", "late-declaration"],
)
def test_a_part_that_hides_its_encoding_is_refused(encode):
    data = rewrite(openpyxl_workbook(), SHEET, encode)

    assert refusal(data) == UNREADABLE


def test_text_that_looks_like_a_dtd_in_a_cell_is_no_declaration():
    """In a cell "<" is written as "&lt;": a Referentie like this is imported as it is."""
    data = openpyxl_workbook(reference="<!DOCTYPE html> <!ENTITY x>")

    imports.check_file(data)
    _header, _positions, rows = sheet_rows(data)
    assert [values[6] for _number, values in rows] == ["<!DOCTYPE html> <!ENTITY x>"]


def test_the_scan_passes_the_excel_form_and_an_excel_style_workbook():
    imports.check_file(imports.build_template())
    imports.check_file(handmade_xlsx(row("39078749")))


# --- time and memory, in a child process ----------------------------------------------------------

# The child reads the file as the view does (read_upload, then validate_import, which calls
# check_file first) and prints what happened, how long it took and its peak memory.
# "unprotected" turns off the scan and openpyxl's use of defusedxml, to show what the limits
# stand for; a timer ends the child at the time limit. On Linux the peak is VmHWM: ru_maxrss
# of a child starts at its parent's peak (it carries over through exec), and pytest's may be
# far above the bound.
CHILD = r"""
import json, os, resource, sys, threading, time
mode, path, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
if mode == "unprotected":
    os.environ["OPENPYXL_DEFUSEDXML"] = "False"  # read when openpyxl is imported
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from ketenmachtigingen import imports
from ketenmachtigingen.imports import checks
if mode == "unprotected":
    checks._refuse_declarations = lambda archive, member: None
def peak_mb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20
def report(outcome):
    print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - started,
                      "baseline_mb": baseline, "peak_mb": peak_mb()}), flush=True)
    os._exit(0)
with open(path, "rb") as file:
    upload = SimpleUploadedFile("bedrijven.xlsx", file.read())
baseline = peak_mb()
started = time.perf_counter()
threading.Timer(limit, report, ["still busy"]).start()
try:
    data = imports.read_upload(upload)
    imports.validate_import(data, filename=upload.name, intermediair=None)
    report("accepted")
except imports.ImportRefused as refused:
    report(str(refused))
except Exception as error:
    report(repr(error))
"""


def run_child(mode: str, data: bytes, tmp_path: Path) -> dict:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zlogin.settings",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",  # never opened
        "PYTHONPATH": str(ROOT),
    }
    env.pop("OPENPYXL_DEFUSEDXML", None)
    finished = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path), str(TIME_LIMIT_S)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    result["growth_mb"] = result["peak_mb"] - result["baseline_mb"]
    return result


def test_the_bomb_is_refused_within_2_s_and_bounded_memory(tmp_path):
    result = run_child("protected", xml_bomb(), tmp_path)

    assert result["outcome"] == REFUSAL, result
    assert result["seconds"] < TIME_LIMIT_S, result
    assert result["peak_mb"] < MEMORY_LIMIT_MB, result


def test_without_the_protections_the_same_bomb_breaks_both_limits(tmp_path):
    """What the limits stand for: the report's 31 s and 4.2 GB (here: 131 s and 10.5 GB).
    The child is ended at the time limit, by which it has grown far past the memory limit."""
    result = run_child("unprotected", xml_bomb(), tmp_path)

    assert result["outcome"] == "still busy", result
    assert result["peak_mb"] > MEMORY_LIMIT_MB, result


def test_the_xxe_file_is_refused_in_the_child_and_never_read(tmp_path):
    result = run_child("protected", xxe_in_the_sheet(), tmp_path)

    assert result["outcome"] == REFUSAL, result
    for line in passwd_lines():
        assert line not in json.dumps(result)
