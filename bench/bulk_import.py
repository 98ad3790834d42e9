"""Benchmark: checking an Excel import of 10,000 companies (Meerdere bedrijven).

Fills the local register with 10,000 companies (KVK-nummers 70000000 and up; 100 of them already
relaties of the intermediair with a pending ketenmachtiging, so the warnings are looked up too),
writes a 10,000-row file as a beheerder would (text cells, some KVK-nummers and phone numbers as
numbers), and times `imports.validate_import`, the function the upload view calls: file checks,
reading every row, field checks, the register lookup and the warnings. The baseline is openpyxl
in read-only mode merely iterating the same file's rows. Both are run 5 times, alternating,
and the fastest run of each is reported (as timeit does: slower runs measure other load on the
machine, not the code); the medians are printed too.

Runs on a SQLite file of its own (var/bench_bulk_import.sqlite3, migrated on start) unless
DATABASE_URL is set, e.g. for PostgreSQL:

    .venv/bin/python -m bench.bulk_import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zlogin_bench \
        .venv/bin/python -m bench.bulk_import

Prints figures; the last line is one JSON object: validate_s, ratio_to_openpyxl_read,
peak_rss_mb (ru_maxrss). Budget: validate_s <= 15, ratio <= 4, peak_rss_mb <= 300.
"""

import io
import json
import os
import resource
import statistics
import time
from pathlib import Path

from openpyxl import Workbook, load_workbook

from bench import support

ROOT = Path(__file__).resolve().parents[1]

ROWS = 10_000
REPEATS = 5
KVK_BASE = 70_000_000
EXISTING_RELATIES = 100


def prepare():
    """The register, the intermediair and its existing relaties; replaced on every run."""
    from django.core.management import call_command

    from accounts.models import Organisation
    from ketenmachtigingen.constants import Status
    from ketenmachtigingen.models import Ketenmachtiging, RegisterEntry

    call_command("migrate", verbosity=0)
    numbers = [f"{KVK_BASE + i:08d}" for i in range(ROWS)]
    intermediair, _ = Organisation.objects.get_or_create(
        kvk_nummer="69999999",
        defaults={"name": "Bench Administratie B.V.", "ketenmachtigingen_enabled": True},
    )
    Ketenmachtiging.objects.filter(intermediair=intermediair).delete()
    Organisation.objects.filter(kvk_nummer__in=numbers[:EXISTING_RELATIES]).delete()
    RegisterEntry.objects.filter(kvk_nummer__gte=f"{KVK_BASE:08d}").filter(
        kvk_nummer__lt=f"{KVK_BASE + ROWS:08d}"
    ).delete()
    RegisterEntry.objects.bulk_create(
        [
            RegisterEntry(
                kvk_nummer=number,
                name=f"Bedrijf {number} B.V.",
                straat="Stationsplein",
                huisnummer=str(i % 200 + 1),
                postcode="3511ED",
                plaats="Utrecht",
            )
            for i, number in enumerate(numbers)
        ],
        batch_size=2000,
    )
    for number in numbers[:EXISTING_RELATIES]:
        relatie = Organisation.objects.create(kvk_nummer=number, name=f"Bedrijf {number} B.V.")
        Ketenmachtiging.objects.create(
            intermediair=intermediair,
            relatie=relatie,
            status=Status.AANVRAAG_VERSTUURD,
            algemene_bevoegdheid=True,
        )
    return intermediair


def build_file() -> bytes:
    from ketenmachtigingen import imports

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Bedrijven")
    sheet.append([column.header for column in imports.COLUMNS])
    for i in range(ROWS):
        number = KVK_BASE + i
        kvk = number if i % 10 == 0 else f"{number:08d}"  # now and then typed as a number
        phone = 612000000 + i if i % 7 == 0 else f"06 {12000000 + i}"
        sheet.append(
            [
                kvk,
                "J.",
                "van" if i % 3 == 0 else None,
                f"Jansen{i}",
                f"contact{i}@bedrijf{i}.example.nl",
                phone,
                f"KLANT-{i}" if i % 2 == 0 else None,
            ]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def openpyxl_read(data: bytes) -> int:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return count


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def runs(times: list[float]) -> str:
    return f"fastest {min(times):.2f} s, median {statistics.median(times):.2f} s"


def main() -> None:
    os.environ["COMPANY_REGISTER"] = "local"
    support.setup_django(
        DATABASE_URL=f"sqlite:///{ROOT / 'var' / 'bench_bulk_import.sqlite3'}",
        DEBUG="true",  # the development settings; nothing here is served
    )
    from django.db import connection

    from ketenmachtigingen import imports

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    intermediair = prepare()
    data = build_file()
    print(f"file: {ROWS} rows, {len(data) / 2**20:.2f} MB")

    def validate():
        return imports.validate_import(data, filename="bench.xlsx", intermediair=intermediair)

    read_times, validate_times = [], []
    for _ in range(REPEATS):  # alternating, so that load on the machine hits both alike
        seconds, rows_read = timed(lambda: openpyxl_read(data))
        read_times.append(seconds)
        seconds, result = timed(validate)
        validate_times.append(seconds)
    assert len(result.valid_rows) == ROWS, result.errors[:5]
    assert len(result.warnings) == EXISTING_RELATIES
    print(f"openpyxl read-only, iterate {rows_read} rows: {runs(read_times)}")
    print(f"validate_import: {runs(validate_times)}; {len(result.valid_rows)} valid rows, "
          f"{len(result.warnings)} warnings")  # fmt: skip
    read_s, validate_s = min(read_times), min(validate_times)
    ratio = validate_s / read_s
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ratio to openpyxl read: {ratio:.2f}; peak RSS {peak_rss_mb:.0f} MB")
    print(
        json.dumps(
            {
                "rows": ROWS,
                "database": connection.vendor,
                "openpyxl_read_s": round(read_s, 3),
                "validate_s": round(validate_s, 3),
                "ratio_to_openpyxl_read": round(ratio, 2),
                "median_ratio": round(
                    statistics.median(validate_times) / statistics.median(read_times), 2
                ),
                "peak_rss_mb": round(peak_rss_mb, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
