"""Benchmark: the authorization check API under load, on PostgreSQL with 1,000,000
ketenmachtigingen.

Fills a dedicated database once (20 intermediairs × 50,000 relaties: 500,000 relaties that each
authorise two intermediairs; statuses, scopes, direct and groep assignments mixed), starts
gunicorn on 127.0.0.1 with production settings, and drives it from a second process: threads
with keep-alive connections posting random check bodies (allowed and refused mixed), in turns
with the same threads asking GET /health/live (the whole stack, no database) and GET
/health/ready (the whole stack and the database). Prints figures; the last line is one JSON
object with ready_per_s and ratio_to_ready (checks per second over ready per second).

    .venv/bin/python -m bench.authz_api           # 4 × (5 s live, 5 s ready, 5 s checks)
    .venv/bin/python -m bench.authz_api --cache locmem --duration 10
    .venv/bin/python -m bench.authz_api --profile # where a check's time goes

Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/zlogin_api_bench;
the database is created when missing) and, with the default --cache redis, Redis on
127.0.0.1:6379 (database 11).
"""

import argparse
import collections
import datetime
import hashlib
import http.client
import itertools
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench import support

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/zlogin_api_bench"
INTERMEDIAIRS = 20
RELATIES = 500_000
GRANTS_PER_RELATIE = 2  # 1,000,000 ketenmachtigingen
PERSONS = 10  # middelen per intermediair
FILL_MARK = "Bench intermediair 00 (v3)"  # change it when the data set changes
CHECK_PATH = "/api/v1/ketenmachtigingen/check"
LIST_PATH = "/api/v1/ketenmachtigingen/vertegenwoordigden"
LIVE_PATH = "/health/live"  # the stack without the database
READY_PATH = "/health/ready"  # the stack and one PostgreSQL round trip (and the cache's)


# --- the load generator (runs in its own process) ----------------------------------------------


def drive(args) -> None:
    """Closed loop: each thread sends on its own keep-alive connection, one request at a time.
    Prints one JSON object: every measured latency, the answered requests (warm-up included),
    statuses and the checks' answers; _combined() makes the figures."""
    bodies = json.loads(Path(args.bodies).read_text()) if args.bodies else [None]
    encoded = [None if b is None else json.dumps(b).encode() for b in bodies]
    headers = {"Authorization": f"Bearer {args.key}", "Content-Type": "application/json"}
    method = "POST" if args.path == CHECK_PATH else "GET"
    start = time.perf_counter() + args.warmup
    end = start + args.duration
    results = []

    def worker(n: int) -> None:
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
        latencies, statuses, answers = [], collections.Counter(), []
        answered = 0  # 200 answers, the warm-up's included: each one is a logged check
        while True:
            body = encoded[rng.randrange(len(encoded))]
            began = time.perf_counter()
            if began >= end:
                break
            conn.request(method, args.path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            done = time.perf_counter()
            answered += response.status == 200
            if began >= start:
                latencies.append(done - began)
                statuses[response.status] += 1
                if response.status == 200:
                    answers.append(data)  # read after the run: the same work per request as health
        conn.close()
        reasons = collections.Counter()
        if method == "POST":
            for answer in map(json.loads, answers):
                reasons["allowed" if answer["allowed"] else answer["reason"]] += 1
        results.append((latencies, statuses, reasons, answered))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(
        json.dumps(
            {
                "latencies_ms": [round(1000 * x, 3) for r in results for x in r[0]],
                "answered": sum(r[3] for r in results),
                "statuses": sum((r[1] for r in results), collections.Counter()),
                "reasons": sum((r[2] for r in results), collections.Counter()),
            }
        )
    )


# --- the database ------------------------------------------------------------------------------


def drop_stale_fill(url: str) -> None:
    """Drop the bench database when it holds an older or unfinished fill (see FILL_MARK)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and _stale_fill(url):
            print("dropping the bench database: it holds an older or unfinished fill", flush=True)
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _stale_fill(url: str) -> bool:
    import psycopg

    with psycopg.connect(url) as conn:
        try:
            names = {
                row[0]
                for row in conn.execute(
                    "SELECT name FROM accounts_organisation WHERE kvk_nummer = '30000000'"
                )
            }
        except psycopg.errors.UndefinedTable:
            return False
    return bool(names) and names != {FILL_MARK}


def valid_rsin(n: int) -> str:
    """A distinct 9-digit number passing the elfproef (as tests.factories.valid_rsin)."""
    for last in range(10):
        prefix = f"{20_000_000 + n * 10 + last:08d}"
        check = sum((9 - i) * int(d) for i, d in enumerate(prefix)) % 11
        if check < 10:
            return f"{prefix}{check}"
    raise AssertionError(n)


def pseudonym(i: int, p: int) -> str:
    return hashlib.md5(f"bench-{i}-{p}".encode()).hexdigest()


def _copy(cursor, model, rows) -> None:
    """COPY rows (dicts by attname) into the model's table; a field a row leaves out gets its
    default (computed once: a row must give every field whose default differs per row), the
    primary key its sequence's next value."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    rows = itertools.chain([first], rows)
    pk = model._meta.pk.attname
    fields = [f for f in model._meta.concrete_fields if f.attname != pk or pk in first]
    defaults = {f.attname: f.get_default() for f in fields}  # "" or None without a default
    names = ", ".join(f'"{f.column}"' for f in fields)
    with cursor.copy(f'COPY "{model._meta.db_table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row.get(name, default) for name, default in defaults.items()])


def _reset_sequence(cursor, model) -> None:
    table = model._meta.db_table
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
    )


def fill() -> None:
    """The data set, once: skipped when the last run completed it. The catalogue, the
    intermediairs with their people and groepen through the ORM; the 500,000 relaties and
    1,000,000 ketenmachtigingen (with their gebruikers, groepen and scope) with COPY."""
    from django.db import connection, transaction

    from accounts.models import Organisation

    if Organisation.objects.filter(name=FILL_MARK).exists():
        return
    print(f"filling {RELATIES * GRANTS_PER_RELATIE:,} ketenmachtigingen (once) …", flush=True)
    began = time.perf_counter()
    with transaction.atomic():
        catalogue = create_catalogue()
        intermediairs = [create_intermediair(i, catalogue) for i in range(INTERMEDIAIRS)]
        with connection.cursor() as cursor:
            first_relatie = copy_relaties(cursor)
            print(f"  relaties: {time.perf_counter() - began:.0f} s", flush=True)
            copy_ketenmachtigingen(cursor, intermediairs, first_relatie, catalogue)
            print(f"  ketenmachtigingen: {time.perf_counter() - began:.0f} s", flush=True)
        Organisation.objects.filter(pk=intermediairs[0].organisation.pk).update(name=FILL_MARK)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  filled and analysed in {time.perf_counter() - began:.0f} s", flush=True)


@dataclass
class Catalogue:
    uwv: object  # the dienstverlener of the limited groepen and scopes
    a1: object  # the dienst of the single-dienst scopes


def create_catalogue() -> Catalogue:
    """Three dienstverleners (one the Belastingdienst) with five diensten, one of them EH4."""
    from accounts.constants import EHNiveau
    from catalogue.models import Dienst, Dienstverlener

    def dienstverlener(n: int, name: str, **fields) -> Dienstverlener:
        return Dienstverlener.objects.create(
            name=name, oin=f"{80_000_000_000_000_000_000 + n}", **fields
        )

    def dienst(n: int, dienstverlener: Dienstverlener, name: str, index: int, **fields) -> Dienst:
        return Dienst.objects.create(
            dienstverlener=dienstverlener,
            name=name,
            service_uuid=_uuid(n),
            service_index=index,
            **fields,
        )

    uwv = dienstverlener(1, "Bench UWV")
    kadaster = dienstverlener(2, "Bench Kadaster")
    belastingdienst = dienstverlener(3, "Bench Belastingdienst", is_belastingdienst=True)
    a1 = dienst(1, uwv, "A1", 1)
    dienst(2, uwv, "A2", 2)
    dienst(3, uwv, "A3 (EH4)", 3, min_eh_niveau=EHNiveau.EH4)
    dienst(4, kadaster, "B1", 1)
    dienst(5, belastingdienst, "BD1", 1)
    return Catalogue(uwv=uwv, a1=a1)


@dataclass
class Intermediair:
    organisation: object
    middelen: list  # PERSONS Memberships
    groep_all: int  # id of the groep with algemene bevoegdheid (middelen 0-2)
    groep_uwv: int  # id of the groep limited to the UWV (middelen 3-4)


def create_intermediair(i: int, catalogue: Catalogue) -> Intermediair:
    """Intermediair i with PERSONS middelen and two groepen. The middelen are EH3, except
    number 8 (EH2+) and 9 (EH4); number 7 is limited to the Belastingdienst."""
    from accounts.constants import EHNiveau
    from accounts.models import Membership, Organisation, User
    from groepen.models import Groep

    organisation = Organisation.objects.create(
        name=f"Bench intermediair {i:02d}",
        kvk_nummer=f"{30_000_000 + i}",
        ketenmachtigingen_enabled=True,
    )
    levels = {8: EHNiveau.EH2_PLUS, 9: EHNiveau.EH4}
    middelen = [
        Membership.objects.create(
            user=User.objects.create(
                username=f"bench-{i:02d}-{p:02d}", password="!", last_name=f"P{p}"
            ),
            organisation=organisation,
            eh_niveau=levels.get(p, EHNiveau.EH3),
            belastingdienst_only=p == 7,
            pseudonym=pseudonym(i, p),
        )
        for p in range(PERSONS)
    ]
    groep_all = Groep.objects.create(
        organisation=organisation, name="Iedereen", algemene_bevoegdheid=True
    )
    groep_all.members.set(middelen[0:3])
    groep_uwv = Groep.objects.create(
        organisation=organisation, name="Alleen UWV", algemene_bevoegdheid=False
    )
    groep_uwv.dienstverleners.set([catalogue.uwv])
    groep_uwv.members.set(middelen[3:5])
    return Intermediair(organisation, middelen, groep_all.pk, groep_uwv.pk)


def copy_relaties(cursor) -> int:
    """RELATIES relaties (every fourth with an RSIN); returns the id of the first."""
    from django.utils import timezone

    from accounts.models import Organisation

    now = timezone.now()
    first = _next_id(cursor, Organisation)
    relaties = (
        {
            "id": first + j,
            "name": f"Relatie {j:06d} B.V.",
            "kvk_nummer": f"{40_000_000 + j}",
            "rsin": valid_rsin(j) if j % 4 == 0 else None,
            "created_at": now,
        }
        for j in range(RELATIES)
    )
    _copy(cursor, Organisation, relaties)
    _reset_sequence(cursor, Organisation)
    return first


def copy_ketenmachtigingen(
    cursor, intermediairs: list[Intermediair], first_relatie: int, catalogue: Catalogue
) -> None:
    """GRANTS_PER_RELATIE ketenmachtigingen per relatie, each to another intermediair; see
    lifecycle() for their status and dates. Each has one of the intermediair's middelen as its
    gebruiker; 30 % also its groep with algemene bevoegdheid, 20 % its UWV groep. Scope: 80 %
    algemene bevoegdheid, 10 % the UWV, 10 % dienst A1."""
    from django.utils import timezone

    from ketenmachtigingen import dates
    from ketenmachtigingen.models import Ketenmachtiging

    today, now = dates.today(), timezone.now()
    rng = random.Random(2026)
    first = _next_id(cursor, Ketenmachtiging)
    links = {"gebruikers": [], "groepen": [], "dienstverleners": [], "diensten": []}

    def ketenmachtiging(k: int, j: int, s: int) -> dict:
        """Ketenmachtiging k: grant s of relatie j. Notes its links."""
        i = (j + 7 * s) % INTERMEDIAIRS
        intermediair = intermediairs[i]
        # Spread over the intermediair's middelen: j // INTERMEDIAIRS runs through its relaties.
        middel = intermediair.middelen[(j // INTERMEDIAIRS + s) % PERSONS]
        links["gebruikers"].append((k, middel.pk))
        r = rng.random()
        if r < 0.3:
            links["groepen"].append((k, intermediair.groep_all))
        elif r < 0.5:
            links["groepen"].append((k, intermediair.groep_uwv))
        r = rng.random()
        if 0.8 <= r < 0.9:
            links["dienstverleners"].append((k, catalogue.uwv.pk))
        elif r >= 0.9:
            links["diensten"].append((k, catalogue.a1.pk))
        status, start_date, end_date, revocation_date = lifecycle(rng, today)
        return {
            "id": k,
            "intermediair_id": intermediair.organisation.pk,
            "relatie_id": first_relatie + j,
            "algemene_bevoegdheid": r < 0.8,
            "status": status,
            "duration_years": 5,
            "start_date": start_date,
            "end_date": end_date,
            "revocation_date": revocation_date,
            "request_code": f"KM-B{k:09d}",
            "contact_initialen": "J.",
            "contact_achternaam": f"Contact{k}",
            "language": "nl",
            "sent_at": now,
            "created_at": now,
            "updated_at": now,
        }

    rows = (
        ketenmachtiging(first + j * GRANTS_PER_RELATIE + s, j, s)
        for j in range(RELATIES)
        for s in range(GRANTS_PER_RELATIE)
    )
    _copy(cursor, Ketenmachtiging, rows)
    for name, pairs in links.items():
        field = Ketenmachtiging._meta.get_field(name)
        through_rows = (
            {field.m2m_column_name(): k, field.m2m_reverse_name(): other} for k, other in pairs
        )
        _copy(cursor, field.remote_field.through, through_rows)
    _reset_sequence(cursor, Ketenmachtiging)


def lifecycle(rng: random.Random, today: datetime.date) -> tuple:
    """status, start_date, end_date, revocation_date (5 years): 85% in force, the rest ended,
    revoked, waiting for the form, or to be revoked later."""
    from ketenmachtigingen.constants import Status
    from ketenmachtigingen.dates import add_years

    r = rng.random()
    start = today - datetime.timedelta(days=rng.randint(0, 1700))
    if r < 0.85:
        return Status.ACTIEF, start, add_years(start, 5), None
    if r < 0.90:
        old = today - datetime.timedelta(days=rng.randint(1827, 2500))
        return Status.VERLOPEN, old, add_years(old, 5), None
    if r < 0.94:
        revoked = today - datetime.timedelta(days=rng.randint(1, 30))
        return Status.INGETROKKEN, start, add_years(start, 5), revoked
    if r < 0.97:
        return Status.AANVRAAG_VERSTUURD, None, None, None
    later = today + datetime.timedelta(days=rng.randint(1, 300))
    return Status.ACTIEF, start, add_years(start, 5), later


def _next_id(cursor, model) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
    return cursor.fetchone()[0]


def _uuid(n: int):
    import uuid

    return uuid.UUID(int=0xB0E4C4 << 100 | n, version=4)


BODIES_SEED = 7
BODIES = 20_000


def sampled_ketenmachtigingen(rng: random.Random, count: int) -> list[int]:
    """The ids of the ketenmachtigingen the check bodies are made from."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id) FROM ketenmachtigingen_ketenmachtiging")
        low, high = cursor.fetchone()
    return rng.sample(range(low, high + 1), count)


def steady_last_use() -> None:
    """The checked ketenmachtigingen as in a steady stream of checks: each last used at a
    random moment within API_LAST_USED_INTERVAL (300 s), so that a run writes last_used_at
    at the steady rate (about 1/300 of them per second), not all at once as after a pause."""
    from django.db import connection

    ids = sampled_ketenmachtigingen(random.Random(BODIES_SEED), BODIES)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ketenmachtigingen_ketenmachtiging "
            "SET last_used_at = now() - random() * interval '300 seconds' WHERE id = ANY(%s)",
            [ids],
        )


def request_bodies(count: int = BODIES) -> list[dict]:
    """Check bodies for random ketenmachtigingen: mostly a person on it (often allowed), and
    colleagues, other relaties, unknown people, a higher level asked, RSIN and ServiceID."""
    from django.db import connection

    from catalogue.models import Dienst

    rng = random.Random(BODIES_SEED)
    diensten = list(
        Dienst.objects.filter(dienstverlener__oin__startswith="8000").select_related(
            "dienstverlener"
        )
    )
    usable = [d for d in diensten if d.min_eh_niveau <= 30]
    ids = sampled_ketenmachtigingen(rng, count)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.kvk_nummer, r.kvk_nummer, r.rsin, m.pseudonym
            FROM ketenmachtigingen_ketenmachtiging k
            JOIN accounts_organisation i ON i.id = k.intermediair_id
            JOIN accounts_organisation r ON r.id = k.relatie_id
            JOIN ketenmachtigingen_ketenmachtiging_gebruikers g ON g.ketenmachtiging_id = k.id
            JOIN accounts_membership m ON m.id = g.membership_id
            WHERE k.id = ANY(%s)
            """,
            [ids],
        )
        rows = cursor.fetchall()
    bodies = []
    for n, (intermediair, kvk, rsin, person) in enumerate(rows):
        i = int(intermediair) - 30_000_000
        dienst = rng.choice(usable)
        body = {
            "intermediair": intermediair,
            "pseudonym": person,
            "relatie": {"type": "urn:etoegang:1.9:EntityConcernedID:KvKnr", "value": kvk},
            "dienst": str(dienst.service_uuid),
            "loa": "urn:etoegang:core:assurance-class:loa3",
        }
        kind = n % 20
        if kind in range(10, 15):  # a colleague
            body["pseudonym"] = pseudonym(i, rng.randrange(PERSONS))
        elif kind == 15:  # a relatie of someone else
            body["relatie"]["value"] = rows[rng.randrange(len(rows))][1]
        elif kind == 16:
            body["pseudonym"] = "f" * 32
        elif kind == 17:
            body["loa"] = "urn:etoegang:core:assurance-class:loa4"
        elif kind == 18 and rsin:
            body["relatie"] = {"type": "urn:etoegang:1.9:EntityConcernedID:RSIN", "value": rsin}
        elif kind == 19:
            body["dienst"] = dienst.service_id
        bodies.append(body)
    return bodies


def api_key() -> str:
    from api.models import ApiClient
    from api.services import create_api_key
    from catalogue.models import Dienstverlener

    client, _ = ApiClient.objects.get_or_create(name="Bench broker")
    client.dienstverleners.set(Dienstverlener.objects.filter(oin__startswith="8000"))
    _key, plain = create_api_key(client=client, name=f"bench {datetime.datetime.now():%c}")
    return plain


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(args, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "CACHE_URL": "locmemcache://" if args.cache == "locmem" else "redis://127.0.0.1:6379/11",
        # The limit still counts every request; only its height keeps the run unthrottled.
        "API_RATE_LIMIT_PER_MINUTE": "10000000",
        "LOG_LEVEL": "WARNING",
        "WEB_ACCESS_LOG": "",  # a proxy in front logs requests
        # The API serves no static files: /health/ready need not find collected ones.
        "STATIC_MANIFEST": "false",
    }
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "zlogin.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.threads),
        "--keep-alive",
        "30",
        "--worker-tmp-dir",
        "/dev/shm",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", LIVE_PATH)
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    stop(server)
    raise SystemExit("gunicorn did not start")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def run_rounds(args, port: int, key: str, bodies_file: str) -> dict[str, dict]:
    """Live, ready and checks in turns, args.rounds of each, so that a slower moment of the
    shared machine falls on all three; the figures are over all rounds of a kind."""
    runs = {LIVE_PATH: [], READY_PATH: [], CHECK_PATH: []}
    for _ in range(args.rounds):
        for path, runs_of_path in runs.items():
            bodies = bodies_file if path == CHECK_PATH else None
            runs_of_path.append(run_load(args, port, path, key, bodies))
    return {path: _combined(rounds, args) for path, rounds in runs.items()}


def _combined(rounds: list[dict], args) -> dict:
    latencies = sorted(x for r in rounds for x in r["latencies_ms"])
    return {
        "requests": len(latencies),
        "answered": sum(r["answered"] for r in rounds),
        "per_s": len(latencies) / args.duration,
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[int(len(latencies) * 0.99)],
        "max_ms": latencies[-1],
        "statuses": dict(
            sum((collections.Counter(r["statuses"]) for r in rounds), collections.Counter())
        ),
        "reasons": dict(
            sum((collections.Counter(r["reasons"]) for r in rounds), collections.Counter())
        ),
    }


def run_load(args, port: int, path: str, key: str, bodies_file: str | None) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.authz_api",
        "--drive",
        "--port",
        str(port),
        "--path",
        path,
        "--key",
        key,
        "--duration",
        str(args.round_duration),
        "--warmup",
        str(args.warmup),
        "--concurrency",
        str(args.concurrency),
    ]
    if bodies_file:
        command += ["--bodies", bodies_file]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def list_timings(port: int, key: str) -> dict:
    """A few vertegenwoordigden pages for the busiest people (not part of the budget)."""
    timings = []
    for i in range(0, INTERMEDIAIRS, 4):
        query = (
            f"intermediair={30_000_000 + i}&pseudonym={pseudonym(i, 0)}"
            f"&dienst={_uuid(1)}&loa=urn:etoegang:core:assurance-class:loa3"
        )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for page in (1, 50):
            began = time.perf_counter()
            conn.request(
                "GET",
                f"{LIST_PATH}?{query}&page={page}",
                headers={"Authorization": f"Bearer {key}"},
            )
            response = conn.getresponse()
            data = json.loads(response.read())
            timings.append(1000 * (time.perf_counter() - began))
            assert response.status == 200 and len(data["results"]) == 100, data
    return {"median_ms": statistics.median(timings), "max_ms": max(timings)}


def logged_checks(*, since: datetime.datetime) -> int:
    from django.db import connection

    from api.models import CheckLog

    count = CheckLog.objects.filter(created_at__gte=since).count()
    connection.close()
    return count


# --- profile -------------------------------------------------------------------------------------


def profile(bodies: list[dict], key: str) -> None:
    """Checks in-process through Django's whole stack: queries per check, and the top of
    cProfile's cumulative list."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    headers = {"Authorization": f"Bearer {key}"}

    def one(body):
        return client.post(CHECK_PATH, body, content_type="application/json", headers=headers)

    for body in bodies[:200]:
        one(body)
    with CaptureQueriesContext(connection) as queries:
        one(bodies[0])
    print(f"queries for one check: {len(queries)}")
    for query in queries:
        print(f"  {float(query['time']) * 1000:5.2f} ms  {query['sql'][:150]}")
    profiler = cProfile.Profile(time.process_time)  # CPU time: waits on the database are not ours
    began = time.perf_counter()
    profiler.enable()
    for body in bodies[200:2200]:
        one(body)
    profiler.disable()
    print(f"2000 checks in-process: {(time.perf_counter() - began) / 2:.2f} ms per check (wall)")
    order = os.environ.get("SORT", "cumulative")  # or tottime
    pstats.Stats(profiler).sort_stats(order).print_stats(int(os.environ.get("TOP", "30")))


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured per kind")
    parser.add_argument("--rounds", type=int, default=4, help="live, ready, checks in turns")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before each round")
    parser.add_argument("--concurrency", type=int, default=4, help="client connections")
    # The defaults of gunicorn.conf.py, as in production.
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache", default="redis", choices=["redis", "locmem"])
    parser.add_argument("--profile", action="store_true")
    # The load generator's own arguments (it is this script, started again).
    parser.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    parser.add_argument("--bodies", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        drive(args)
        return

    args.round_duration = args.duration / args.rounds
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    drop_stale_fill(os.environ["DATABASE_URL"])
    support.setup_django(DEBUG="true")  # the setup here; gunicorn gets its own
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    fill()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM ketenmachtigingen_ketenmachtiging")
        total = cursor.fetchone()[0]
    bodies = request_bodies()
    key = api_key()
    print(f"{total:,} ketenmachtigingen; {len(bodies):,} distinct check bodies")
    if args.profile:
        profile(bodies, key)
        return
    steady_last_use()
    with connection.cursor() as cursor:
        # Every run starts from the same state: without earlier runs' log rows, and with the
        # dead rows of their last_used_at updates vacuumed (autovacuum would do so meanwhile).
        cursor.execute("TRUNCATE api_checklog")
        cursor.execute("VACUUM ANALYZE ketenmachtigingen_ketenmachtiging, api_checklog")
        cursor.execute("CHECKPOINT")  # no flush of earlier writes during the run
    connection.close()  # the server's processes open their own

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(bodies, handle)
    port = free_port()
    began = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()[0]
    server = start_gunicorn(args, port)
    try:
        runs = run_rounds(args, port, key, handle.name)
        lists = list_timings(port, key)
    finally:
        stop(server)  # a stopped server writes the check log rows it still holds
        os.unlink(handle.name)
    logged = logged_checks(since=began)

    setup = (
        f"gunicorn {args.worker_class} × {args.workers} workers"
        + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
        + f", {args.concurrency} keep-alive client connections, cache {args.cache}, "
        f"{os.cpu_count()} CPUs shared by server, PostgreSQL, Redis and client"
    )
    print(setup)
    load_after = os.getloadavg()[0]
    print(f"load average (1 min) {load_before:.2f} before, {load_after:.2f} after")
    checks, ready, live = runs[CHECK_PATH], runs[READY_PATH], runs[LIVE_PATH]
    if set(ready["statuses"]) != {"200"}:
        raise SystemExit(f"/health/ready was not always ready: {ready['statuses']}")
    for name, run in (("check", checks), ("ready", ready), ("live", live)):
        print(
            f"{name:7s}: {run['per_s']:8.0f} req/s   p50 {run['p50_ms']:5.2f} ms   "
            f"p99 {run['p99_ms']:5.2f} ms   max {run['max_ms']:6.1f} ms   "
            f"statuses {run['statuses']}"
        )
    answered = sum(checks["reasons"].values())
    print(
        "answers: "
        + ", ".join(
            f"{reason} {100 * n / answered:.0f}%"
            for reason, n in sorted(checks["reasons"].items(), key=lambda x: -x[1])
        )
    )
    print(f"check log: {logged:,} rows for {checks['answered']:,} answered checks")
    print(
        f"vertegenwoordigden (100 per page, pages 1 and 50): median {lists['median_ms']:.1f} ms, "
        f"max {lists['max_ms']:.1f} ms"
    )
    print(
        json.dumps(
            {
                "checks_per_s": round(checks["per_s"], 1),
                "p50_ms": round(checks["p50_ms"], 2),
                "p99_ms": round(checks["p99_ms"], 2),
                "ratio_to_ready": round(checks["per_s"] / ready["per_s"], 3),
                "ready_per_s": round(ready["per_s"], 1),
                "ratio_to_live": round(checks["per_s"] / live["per_s"], 3),
                "live_per_s": round(live["per_s"], 1),
                "ketenmachtigingen": total,
                "load_avg": [round(load_before, 2), round(load_after, 2)],
            }
        )
    )


if __name__ == "__main__":
    main()
