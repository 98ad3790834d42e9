"""Benchmark: the nightly jobs on 1,000,000 ketenmachtigingen, on PostgreSQL.

Fills the table (COPY) with one intermediary and 10,000 relaties, of which 10,000 rows (1%) are
due for each job, and a second database with a table ten times smaller holding the same due
rows; then times every job on both, taking turns so that other work on the machine weighs on both
alike (median of a few runs, the due rows restored in between). The jobs must cost what their due
rows cost, not what the table costs. Prints figures; the last line is one JSON object.

    .venv/bin/python bench/nightly.py

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/zlogin_nightly_bench; the small table
goes to the same name with _100k appended. Both are created and migrated when missing; their
ketenmachtigingen are replaced on every run.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.support import ensure_database  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zlogin_nightly_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zlogin.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# As in production: no query log in memory. Mail goes nowhere; the announcement is still built.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "nightly-benchmark-only")
os.environ.setdefault("EMAIL_URL", "dummymail://")

LARGE, SMALL = 1_000_000, 100_000
DUE = 10_000  # per job: 1% of LARGE
RELATIES = 10_000
REPEATS, WARMUP = 5, 1
SURNAMES = ["Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer"]
TABLE = "ketenmachtigingen_ketenmachtiging"


def url_for(n: int) -> str:
    url = os.environ["DATABASE_URL"]
    return url if n == LARGE else f"{url}_100k"


for size in (LARGE, SMALL):
    ensure_database(url_for(size))

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.constants import EHNiveau, Role  # noqa: E402
from accounts.models import Membership, Organisation, User  # noqa: E402
from ketenmachtigingen import dates  # noqa: E402
from ketenmachtigingen.constants import Status  # noqa: E402
from ketenmachtigingen.jobs import JOBS, due  # noqa: E402
from ketenmachtigingen.jobs.batches import BATCH_SIZE  # noqa: E402
from ketenmachtigingen.models import Ketenmachtiging  # noqa: E402

DAY = datetime.timedelta(days=1)
REVOKE, EXPIRE, LAPSE, REMIND = JOBS  # the job names, in their order
RENEWING, RENEWAL = "renewing", "renewal"  # in the Acties window, with a renewal under way


# --- filling --------------------------------------------------------------------------------------


def layout(n: int) -> dict[int, str]:
    """Which ids are due for which job (the rest is ordinary history and current rows).

    Ids follow creation order. Revocations can be scheduled on any row, so those are spread
    over the whole table; what expires or enters the renewal window was created together
    (about five years ago), and unanswered invitations were sent together three months ago.
    """
    special = {}
    step = n // DUE
    for i in range(step, n + 1, step):
        special[i] = REVOKE

    def block(start: int, count: int, name: str) -> int:
        i = start
        while count:
            if i not in special:
                special[i] = name
                count -= 1
            i += 1
        return i

    renewals = n // 1000
    after = block(n // 10, DUE, EXPIRE)
    after = block(after, DUE, REMIND)
    block(after, renewals, RENEWING)
    block(n - 2 * DUE, DUE, LAPSE)
    block(n - renewals - n // 200, renewals, RENEWAL)  # recent requests
    return special


def fill(n: int, intermediair: Organisation, relatie_ids: list[int]) -> dict[str, list[int]]:
    """Replace the ketenmachtigingen of n's database by n rows; return the due ids per job."""
    import psycopg

    today = dates.today()
    now = timezone.now()
    special = layout(n)
    renewing = iter(sorted(i for i, name in special.items() if name == RENEWING))
    columns = [f.column for f in Ketenmachtiging._meta.concrete_fields]
    defaults = {
        "algemene_bevoegdheid": True,
        "intermediair_id": intermediair.pk,
        "duration_years": 5,
        "leverancier": "",
        "contact_tussenvoegsel": "",
        "contact_telefoon": "",
        "intermediair_email": "",
        "intermediair_telefoon": "",
        "language": "nl",
        "personal_message": "",
        "status_reason": "",
    }

    def actief(end: datetime.date, **extra) -> dict:
        start = dates.add_years(end, -5)
        return {"status": Status.ACTIEF, "start_date": start, "end_date": end, **extra}

    def sent(days_ago: int, status=Status.AANVRAAG_VERSTUURD) -> dict:
        return {"status": status, "sent_at": now - days_ago * DAY}

    def row(i: int) -> dict:
        name = special.get(i)
        if name == REVOKE:
            return actief(today + (200 + i % 1000) * DAY, revocation_date=today - (i % 2) * DAY)
        if name == EXPIRE:
            return actief(today - (i % 2) * DAY)
        if name in (REMIND, RENEWING):
            # Within the Acties window on every day of the year: three calendar months are
            # at least 89 days (30 November to 28 February).
            return actief(today + (1 + i % 88) * DAY)
        if name == LAPSE:
            return sent(93 + i % 5)
        if name == RENEWAL:
            return {**sent(i % 40, Status.AANVRAAG_ONTVANGEN), "renews_id": next(renewing)}
        h = i * 2_654_435_761 % 100  # an even mix of the ordinary rows
        if h < 10:
            return {**actief(today - (400 + i % 700) * DAY), "status": Status.VERLOPEN}
        if h < 18:
            revoked = today - (1 + i % 300) * DAY
            return {
                **actief(today + (100 + i % 1500) * DAY),
                "status": Status.INGETROKKEN,
                "revocation_date": revoked if i % 2 else None,
                "revoked_at": dates.start_of(revoked),
            }
        if h < 28:
            return sent(100 + i % 900, Status.VERVALLEN)
        if h < 31:  # in the Acties window, already reminded
            return actief(today + (1 + i % 89) * DAY, reminder_sent_at=now - (i % 89) * DAY)
        if h < 32:  # revocation scheduled later
            return actief(
                today + (200 + i % 1000) * DAY, revocation_date=today + (1 + i % 60) * DAY
            )
        if h < 36:
            return sent(i % 85)
        if h < 38:
            return sent(20 + i % 60, Status.INCOMPLEET)
        return actief(today + (95 + i % 1700) * DAY)

    print(f"filling {n:,} ketenmachtigingen …", flush=True)
    started = time.perf_counter()
    due_ids = {name: [] for name in JOBS}
    with psycopg.connect(url_for(n), autocommit=True) as conn:
        conn.execute(f"TRUNCATE {TABLE} RESTART IDENTITY CASCADE")
        indexes = conn.execute(
            "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x "
            "JOIN pg_class c ON c.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)",
            [TABLE],
        ).fetchall()
        for index_name, _ in indexes:  # faster to build them once after loading
            conn.execute(f'DROP INDEX "{index_name}"')
        conn.execute("SET session_replication_role = replica")  # the keys below are valid
        with conn.cursor().copy(f"COPY {TABLE} ({', '.join(columns)}) FROM STDIN") as copy:
            for i in range(1, n + 1):
                values = {
                    **defaults,
                    "id": i,
                    "relatie_id": relatie_ids[i % len(relatie_ids)],
                    "request_code": f"KM-BENCH-{i:07d}",
                    # Filled as in real use: every status change also updates the trigram
                    # indexes on these (search in the overview).
                    "reference": f"DOSSIER-{i % 250_000:06d}",
                    "contact_initialen": "J.",
                    "contact_achternaam": SURNAMES[i % len(SURNAMES)],
                    "contact_email": f"administratie{i}@relatie{i % RELATIES}.example.nl",
                    "created_at": now,
                    "updated_at": now,
                    **row(i),
                }
                copy.write_row([values.get(column) for column in columns])
                if special.get(i) in due_ids:
                    due_ids[special[i]].append(i)
        conn.execute("SET session_replication_role = DEFAULT")
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), {n})")
        for _, definition in indexes:
            conn.execute(definition)
        conn.execute(f"VACUUM ANALYZE {TABLE}")
    print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)
    return due_ids


def use(n: int) -> None:
    """Point Django's connection at the database of the table with n rows."""
    connection.close()
    connection.settings_dict["NAME"] = url_for(n).rsplit("/", 1)[1]


def parties() -> tuple[Organisation, list[int]]:
    """One intermediary with a beheerder (so the announcement mail is built) and the relaties."""
    intermediair, _ = Organisation.objects.get_or_create(
        kvk_nummer="90000000",
        defaults={"name": "Bench Intermediair B.V.", "ketenmachtigingen_enabled": True},
    )
    user, _ = User.objects.get_or_create(
        username="bench-beheerder", defaults={"email": "beheer@bench.example.nl"}
    )
    Membership.objects.get_or_create(
        user=user,
        organisation=intermediair,
        defaults={"role": Role.BEHEERDER, "eh_niveau": EHNiveau.EH3},
    )
    relaties = Organisation.objects.filter(kvk_nummer__startswith="91")
    if relaties.count() < RELATIES:
        Organisation.objects.bulk_create(
            [
                Organisation(name=f"Bench relatie {i:05d}", kvk_nummer=f"{91_000_000 + i:08d}")
                for i in range(RELATIES)
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
    return intermediair, sorted(relaties.values_list("pk", flat=True))


# --- measuring ------------------------------------------------------------------------------------

# Put the due rows of a job back as they were before it ran.
RESTORE = {
    REVOKE: "status = 'actief', revoked_at = NULL",
    EXPIRE: "status = 'actief'",
    LAPSE: "status = 'aanvraag_verstuurd'",
    REMIND: "reminder_sent_at = NULL",
}
DUE_QUERY = {
    REVOKE: due.revocations_due,
    EXPIRE: due.expiries_due,
    LAPSE: due.lapses_due,
    REMIND: due.reminders_due,
}


def restore(name: str, ids: list[int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET {RESTORE[name]} WHERE id = ANY(%s)", [ids])
        cursor.execute("TRUNCATE ketenmachtigingen_ketenmachtigingevent, berichtenbox_bericht")
        # Autovacuum would have run by the next night; the next measurement starts clean.
        cursor.execute(f"VACUUM ANALYZE {TABLE}")


def plan(name: str) -> str:
    """The access path of the job's batch select, e.g. 'Bitmap Index Scan on km_nightly_…'."""
    qs = DUE_QUERY[name](dates.today()).select_for_update(skip_locked=True)
    with transaction.atomic():
        text = qs.values_list("pk", flat=True)[:BATCH_SIZE].explain()
    lines = [line.strip(" ->") for line in text.splitlines()]
    return "; ".join(line.split("  (")[0] for line in lines if "Scan" in line)


def run(n: int, name: str, due_ids: list[int]) -> tuple[float, float]:
    """Time the job on the table with n rows, and a second run; then put the rows back."""
    use(n)
    job = JOBS[name]
    started = time.perf_counter()
    count = job(dates.today())
    first = time.perf_counter() - started
    assert count == DUE, (n, name, count)
    started = time.perf_counter()
    assert job(dates.today()) == 0
    second = time.perf_counter() - started
    restore(name, due_ids)
    return first, second


def main() -> None:
    due_ids = {}
    for n in (LARGE, SMALL):
        use(n)
        call_command("migrate", verbosity=0)
        due_ids[n] = fill(n, *parties())
    for n in (LARGE, SMALL):
        use(n)
        print(f"plans at {n:,} rows:")
        for name in JOBS:
            print(f"  {name:23s} {plan(name)}")

    runs = {(n, name): [] for n in (LARGE, SMALL) for name in JOBS}
    again = {}
    for repeat in range(WARMUP + REPEATS):
        for name in JOBS:
            for n in (LARGE, SMALL):  # in turns
                first, again[n, name] = run(n, name, due_ids[n][name])
                if repeat >= WARMUP:  # the first round also loads templates and catalogues
                    runs[n, name].append(first)
    results = {n: {} for n in (LARGE, SMALL)}
    for (n, name), times in runs.items():
        results[n][name] = statistics.median(times)
        print(
            f"{n:>9,} rows  {name:23s} {DUE:,} due: {results[n][name]:6.2f} s median "
            f"({', '.join(f'{t:.2f}' for t in times)}); second run {again[n, name]:.3f} s"
        )

    slowest = max(results[LARGE], key=results[LARGE].get)
    ratio = results[LARGE][slowest] / results[SMALL][slowest]
    print(f"slowest job at {LARGE:,} rows: {slowest}, {results[LARGE][slowest]:.2f} s")
    print(f"same job at {SMALL:,} rows: {results[SMALL][slowest]:.2f} s (ratio {ratio:.2f})")
    print(
        json.dumps(
            {
                "due_per_job": DUE,
                "jobs_s_1m": {k: round(v, 3) for k, v in results[LARGE].items()},
                "jobs_s_100k": {k: round(v, 3) for k, v in results[SMALL].items()},
                "slowest_job": slowest,
                "slowest_job_s": round(results[LARGE][slowest], 3),
                "ratio_1m_vs_100k": round(ratio, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
