"""Benchmark: the nightly jobs on 1,000,000 ketenmachtigingen, on PostgreSQL.

Fills the table (COPY) with one intermediary and 10,000 relaties, of which 10,000 rows (1%) are
due for each job, and a second database with a table ten times smaller holding the same due
rows; then times every job on both, taking turns so that other work on the machine weighs on both
alike (median of a few runs, the due rows restored in between). The jobs must cost what their due
rows cost, not what the table costs. Prints figures; the last line is one JSON object.

    .venv/bin/python -m bench.nightly
    faketime '2027-01-31 12:00:00' .venv/bin/python -m bench.nightly   # any date fits

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/zlogin_nightly_bench; the small table
goes to the same name with _100k appended. Both are created and migrated when missing; their
ketenmachtigingen are replaced on every run.
"""

import datetime
import json
import os
import statistics
import time

from bench import support

LARGE, SMALL = 1_000_000, 100_000
DUE = 10_000  # per job: 1% of LARGE
RELATIES = 10_000
REPEATS, WARMUP = 5, 1
SURNAMES = ["Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer"]
TABLE = "ketenmachtigingen_ketenmachtiging"
DAY = datetime.timedelta(days=1)
# The jobs, by their names in ketenmachtigingen.jobs.JOBS.
REVOKE, EXPIRE, LAPSE, REMIND = JOBS = (
    "execute_revocations",
    "expire",
    "lapse_invitations",
    "send_renewal_reminders",
)
RENEWING, RENEWAL = "renewing", "renewal"  # in the Acties window, with a renewal under way


def url_for(n: int) -> str:
    url = os.environ["DATABASE_URL"]
    return url if n == LARGE else f"{url}_100k"


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


class Windows:
    """The product's windows on `today`, in days from today (ketenmachtigingen.dates and the
    jobs' own cutoffs), so that the rows fit them on any date: three calendar months are 89 to
    92 days."""

    def __init__(self, today: datetime.date, now: datetime.datetime):
        from ketenmachtigingen import dates
        from ketenmachtigingen.jobs import due

        # The Acties window: ending after today and before renewal_window_start(today).
        self.renewal_days = (dates.renewal_window_start(today) - today).days
        # Invitations sent more than this many days ago have lapsed (sent before lapse_cutoff).
        self.lapse_after_days = (now - due.lapse_cutoff(today)) // DAY

    def in_acties(self, i: int) -> int:
        """Days to an end date within the Acties window (1 to its last day)."""
        return 1 + i % (self.renewal_days - 1)

    def after_acties(self, i: int, spread: int) -> int:
        """Days to an end date after the Acties window."""
        return self.renewal_days + i % spread

    def lapsed(self, i: int) -> int:
        """Days since an invitation that has lapsed (up to five days ago)."""
        return self.lapse_after_days + 1 + i % 5

    def unanswered(self, i: int) -> int:
        """Days since an invitation still waiting (sent today to its last day)."""
        return i % (self.lapse_after_days + 1)


def fill(n: int, intermediair, relatie_ids: list[int]) -> dict[str, list[int]]:
    """Replace the ketenmachtigingen of n's database by n rows; return the due ids per job."""
    import psycopg
    from django.utils import timezone

    from ketenmachtigingen import dates
    from ketenmachtigingen.constants import Status
    from ketenmachtigingen.models import Ketenmachtiging

    today = dates.today()
    now = timezone.now()
    windows = Windows(today, now)
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
            return actief(today + windows.in_acties(i) * DAY)
        if name == LAPSE:
            return sent(windows.lapsed(i))
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
            days = windows.in_acties(i)
            return actief(today + days * DAY, reminder_sent_at=now - (days - 1) * DAY)
        if h < 32:  # revocation scheduled later
            return actief(
                today + (200 + i % 1000) * DAY, revocation_date=today + (1 + i % 60) * DAY
            )
        if h < 36:
            return sent(windows.unanswered(i))
        if h < 38:
            return sent(20 + i % 60, Status.INCOMPLEET)
        return actief(today + windows.after_acties(i, 1700) * DAY)

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
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = url_for(n).rsplit("/", 1)[1]


def parties() -> tuple:
    """One intermediary with a beheerder (so the announcement mail is built) and the relaties."""
    from accounts.constants import EHNiveau, Role
    from accounts.models import Membership, Organisation, User

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
    REVOKE: "revocations_due",
    EXPIRE: "expiries_due",
    LAPSE: "lapses_due",
    REMIND: "reminders_due",
}


def restore(name: str, ids: list[int]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET {RESTORE[name]} WHERE id = ANY(%s)", [ids])
        cursor.execute("TRUNCATE ketenmachtigingen_ketenmachtigingevent, berichtenbox_bericht")
        # Autovacuum would have run by the next night; the next measurement starts clean.
        cursor.execute(f"VACUUM ANALYZE {TABLE}")


def plan(name: str) -> str:
    """The access path of the job's batch select, e.g. 'Bitmap Index Scan on km_nightly_…'."""
    from django.db import transaction

    from ketenmachtigingen import dates
    from ketenmachtigingen.jobs import due
    from ketenmachtigingen.jobs.batches import BATCH_SIZE

    qs = getattr(due, DUE_QUERY[name])(dates.today()).select_for_update(skip_locked=True)
    with transaction.atomic():
        text = qs.values_list("pk", flat=True)[:BATCH_SIZE].explain()
    lines = [line.strip(" ->") for line in text.splitlines()]
    return "; ".join(line.split("  (")[0] for line in lines if "Scan" in line)


def run(n: int, name: str, due_ids: list[int]) -> tuple[float, float]:
    """Time the job on the table with n rows, and a second run; then put the rows back."""
    from ketenmachtigingen import dates
    from ketenmachtigingen.jobs import JOBS as jobs

    use(n)
    job = jobs[name]
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
    support.setup_django(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/zlogin_nightly_bench",
        # As in production: no query log in memory. Mail goes nowhere; the announcement is
        # still built.
        DEBUG="false",
        SECRET_KEY="nightly-benchmark-only",
        EMAIL_URL="dummymail://",
    )
    support.ensure_database(url_for(SMALL))
    from django.core.management import call_command

    from ketenmachtigingen.jobs import JOBS as jobs

    assert tuple(jobs) == JOBS, f"the jobs are now {tuple(jobs)}"
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
