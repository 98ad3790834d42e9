"""Meerdere bedrijven: the uploaded file's checks, before openpyxl sees it.

`read_upload` refuses a file over the size limit before reading it; `check_file` refuses what
is not an .xlsx (or .xlsm): an old .xls, a PDF, a CSV or an .ods is named as such. The zip's
declared sizes are checked against a zip bomb: zipfile never hands out more than a member's
declared size, so checking the declared sizes bounds what openpyxl can unpack.

Then every part of the zip is read, in chunks, for a DTD. An Excel workbook never has one, and
its entities are how a few hundred KB of XML expand to gigabytes in the parser (an XML bomb)
or pull a file of the server into the import (XXE). A part that declares a DTD or an entity (in
UTF-8 or UTF-16), or that names an encoding other than those, is refused before anything is
parsed. Should anything get past the scan, openpyxl's parser (defusedxml) refuses it, and the
beheerder reads the same refusal (`reading`).
"""

import io
import logging
import re
import zipfile

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ..errors import DomainError

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024
# The zip: what it may unpack to in total, how strongly one member may be compressed (a real
# sheet compresses 5 to 20 times, a zip bomb a thousand times and more), and how many members.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 1000
# Each part is read in chunks of this size when it is looked through for a DTD.
SCAN_CHUNK_BYTES = 64 * 1024

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected .xlsx
ZIP_SIGNATURE = b"PK\x03\x04"
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


class ImportRefused(DomainError):
    """The whole file is refused; the message says why and what to do."""


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


def not_xlsx(kind: str) -> ImportRefused:
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
        raise not_xlsx(
            _(
                "Dit is een oud Excel-bestand (.xls) of een met een wachtwoord beveiligd "
                "bestand; dat kan niet worden gelezen."
            )
        )
    if data.startswith(b"%PDF"):
        raise not_xlsx(_("Dit is een PDF-bestand, geen Excel-bestand."))
    if not data.startswith(ZIP_SIGNATURE):
        if _looks_like_text(data):
            raise not_xlsx(_("Dit is een tekst- of CSV-bestand, geen Excel-bestand."))
        raise not_xlsx(_("Dit is geen Excel-bestand."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise not_xlsx(_("Het bestand is beschadigd of geen Excel-bestand.")) from error
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
            raise not_xlsx(_("Het bestand is met een wachtwoord beveiligd."))
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names:
        if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]:
            raise not_xlsx(_("Dit is een OpenDocument-bestand (.ods), geen Excel-bestand."))
        raise not_xlsx(_("Dit is geen Excel-bestand."))
    for member in members:
        _refuse_declarations(archive, member)


def declarations_refused() -> ImportRefused:
    return not_xlsx(
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
            raise not_xlsx(_("Het bestand kon niet worden gelezen."))
    if head.startswith((b"\xff\xfe", b"<\x00")):
        text = head[:DECLARATION_MAX_BYTES].decode("utf-16-le", "ignore")
    elif head.startswith((b"\xfe\xff", b"\x00<")):
        text = head[:DECLARATION_MAX_BYTES].decode("utf-16-be", "ignore")
    else:
        text = head[:DECLARATION_MAX_BYTES].removeprefix(b"\xef\xbb\xbf").decode("latin-1")
    declared = XML_DECLARATION.match(text)
    if declared and declared.group(1).strip().lower() not in XML_ENCODINGS:
        logger.info("Import refused, a part is in the encoding %r", declared.group(1)[:40])
        raise not_xlsx(_("Het bestand kon niet worden gelezen."))


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
                    raise declarations_refused()
                tail = window[-DECLARATION_OVERLAP:]
                chunk = part.read(SCAN_CHUNK_BYTES)
    except ImportRefused:
        raise
    except Exception as error:  # a bad CRC, a truncated or unknown compression: not readable
        logger.info("Import refused, %r could not be unpacked: %r", member.filename, error)
        raise not_xlsx(_("Het bestand is beschadigd of geen Excel-bestand.")) from error
