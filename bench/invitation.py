"""Benchmark: the invitation PDF, and invitations sent by a real Celery worker on Redis.

(a) Renders one invitation PDF (a scope of a dienstverlener and three diensten): 3 warm-up
    renders, then 30 timed; reports the median.
(b) Starts a worker (`celery -A zlogin worker --pool=prefork --concurrency=2`) on Redis
    database 13, writes one outbox message per ketenmachtiging for M invitations in one
    transaction (`outbox.services.enqueue_each`, as a request does; offered to the worker on
    commit) and reports invitations per second, from the start of that transaction until the
    database (polled every 20 ms) shows every ketenmachtiging's invitation_sent_at (PDF, mail,
    event). Mail goes to Django's locmem backend in the worker: nothing leaves the machine.

Prints figures; the last line is one JSON object.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zlogin_bench \
        .venv/bin/python -m bench.invitation [--count 200]

Its rows (KVK-nummers 80000000 and up, and the outbox messages of its ketenmachtigingen) are
replaced on every run; other benchmarks' rows in the same database are left alone.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import redis

from bench import support

ROOT = Path(__file__).resolve().parents[1]

REDIS_URL = "redis://127.0.0.1:6379/13"
WARMUP, REPEATS = 3, 30
POLL_SECONDS = 0.02
CONCURRENCY = 2
KVK_BASE = 80_000_000
LOCK_KEY = "bench:invitation:running"
# Its own queue: integration tests on the same Redis database do not take its tasks.
QUEUE = "bench-invitation"


def fill(count: int) -> list:
    """`count` requests just sent by one intermediair, each to its own relatie."""
    from django.utils import timezone

    from accounts.models import Organisation
    from catalogue.models import Dienst
    from ketenmachtigingen.constants import Status
    from ketenmachtigingen.models import Ketenmachtiging

    intermediair, _ = Organisation.objects.update_or_create(
        kvk_nummer=f"{KVK_BASE:08d}",
        defaults={
            "name": "Bench Uitnodiging Accountants B.V.",
            "ketenmachtigingen_enabled": True,
            "straat": "Keizersgracht",
            "huisnummer": "100",
            "postcode": "1015 AA",
            "plaats": "Amsterdam",
        },
    )
    support.remove_ketenmachtigingen_of(intermediair)
    Organisation.objects.filter(
        kvk_nummer__gt=f"{KVK_BASE:08d}", kvk_nummer__lt=f"{KVK_BASE + 1_000_000:08d}"
    ).delete()
    relaties = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench Relatie {i:04d} B.V.",
            kvk_nummer=f"{KVK_BASE + 1 + i:08d}",
            straat="Dorpsstraat",
            huisnummer=str(i + 1),
            postcode="1234 AB",
            plaats="Amersfoort",
        )
        for i in range(count)
    )
    now = timezone.now()
    kms = Ketenmachtiging.objects.bulk_create(
        Ketenmachtiging(
            intermediair=intermediair,
            relatie=relatie,
            status=Status.AANVRAAG_VERSTUURD,
            algemene_bevoegdheid=False,
            duration_years=5,
            contact_initialen="J.",
            contact_achternaam=f"Jansen {i}",
            contact_email=f"contact{i}@relatie.example.nl",
            intermediair_email="kantoor@intermediair.example.nl",
            intermediair_telefoon="020 123 45 67",
            language="en" if i % 2 else "nl",
            personal_message="Zoals besproken.\nGroet, Piet",
            costs_agreed_at=now,
            sent_at=now,
        )
        for i, relatie in enumerate(relaties)
    )
    # A typical limited scope: one whole dienstverlener and three diensten of another.
    diensten = list(Dienst.objects.select_related("dienstverlener").order_by("pk"))
    whole = diensten[0].dienstverlener
    singles = [d for d in diensten if d.dienstverlener_id != whole.pk][:3]
    Ketenmachtiging.dienstverleners.through.objects.bulk_create(
        Ketenmachtiging.dienstverleners.through(ketenmachtiging=km, dienstverlener=whole)
        for km in kms
    )
    Ketenmachtiging.diensten.through.objects.bulk_create(
        Ketenmachtiging.diensten.through(ketenmachtiging=km, dienst=dienst)
        for km in kms
        for dienst in singles
    )
    return kms


def time_pdf(km) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per render, after the warm-up renders."""
    from ketenmachtigingen.pdf import invitation_pdf

    for _ in range(WARMUP):
        invitation_pdf(km)
    wall, cpu = [], []
    for _ in range(REPEATS):
        start, start_cpu = time.perf_counter(), time.process_time()
        invitation_pdf(km)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def start_worker() -> subprocess.Popen:
    command = [
        sys.executable,
        *("-m", "celery", "-A", "zlogin", "worker", "--pool=prefork"),
        f"--concurrency={CONCURRENCY}",
        *("--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"),
        f"--hostname=bench-invitation-{os.getpid()}@%h",
        f"--queues={QUEUE}",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()  # warm shutdown: finish the task at hand
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def sent_count(kms: list) -> int:
    from ketenmachtigingen.models import Ketenmachtiging

    return Ketenmachtiging.objects.filter(
        pk__in=[km.pk for km in kms], invitation_sent_at__isnull=False
    ).count()


def send_all(kms: list, timeout: float) -> float:
    """Write one invitation message per ketenmachtiging (offered to the worker on commit) and
    wait until every one has been sent; seconds taken."""
    from django.db import transaction

    from ketenmachtigingen.constants import Delivery, EventKind
    from ketenmachtigingen.models import KetenmachtigingEvent
    from outbox.services import enqueue_each

    start = time.perf_counter()
    with transaction.atomic():
        enqueue_each(Delivery.INVITATION, kms)
    while (sent := sent_count(kms)) < len(kms):
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"timed out after {timeout:.0f} s with {sent} of {len(kms)} sent")
        time.sleep(POLL_SECONDS)
    elapsed = time.perf_counter() - start
    events = KetenmachtigingEvent.objects.filter(
        ketenmachtiging__in=kms, kind=EventKind.INVITATION_SENT
    ).count()
    if events != len(kms):
        raise SystemExit(f"{events} invitation events for {len(kms)} invitations sent")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=200, help="invitations to send (M)")
    args = parser.parse_args()
    # Read by zlogin.settings in this process and in the worker it starts.
    os.environ["CELERY_BROKER_URL"] = os.environ["CELERY_RESULT_BACKEND"] = REDIS_URL
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["EMAIL_URL"] = "memorymail://"  # locmem
    support.setup_django(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/zlogin_bench",
        DEBUG="true",  # the development settings; nothing here is served
    )
    # Two runs at once would replace each other's rows and take each other's tasks.
    lock = redis.Redis.from_url(REDIS_URL)
    if not lock.set(LOCK_KEY, os.getpid(), nx=True, ex=1800):
        raise SystemExit(f"another run holds {LOCK_KEY} on {REDIS_URL}; try again later")
    try:
        run(args.count)
    finally:
        lock.delete(LOCK_KEY)


def run(count: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from zlogin import celery_app

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; broker: {REDIS_URL}")
    # Other processes on the machine slow every figure down: the load is printed with them.
    print(
        f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    call_command("migrate", verbosity=0)
    warmup_count = 2 * CONCURRENCY
    kms = fill(count + warmup_count)
    warmup_kms, kms = kms[:warmup_count], kms[warmup_count:]

    timings, cpu = time_pdf(kms[0])
    pdf_median = statistics.median(timings)
    print(
        f"invitation PDF: median {pdf_median:.0f} ms over {REPEATS} renders after {WARMUP} "
        f"warm-up (min {min(timings):.0f}, max {max(timings):.0f} ms; "
        f"CPU median {statistics.median(cpu):.0f} ms)"
    )

    celery_app.conf.task_default_queue = QUEUE
    celery_app.control.purge()  # tasks left over by an interrupted run
    worker = start_worker()
    try:
        # The first task per worker process loads WeasyPrint and the fonts: not measured.
        send_all(warmup_kms, timeout=120)
        elapsed = send_all(kms, timeout=600)
    finally:
        stop_worker(worker)
    rate = len(kms) / elapsed
    print(
        f"invitations: {len(kms)} sent by a prefork worker (concurrency {CONCURRENCY}) in "
        f"{elapsed:.1f} s: {rate:.1f} per second ({elapsed / len(kms) * 1000:.0f} ms each); "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(
        json.dumps(
            {
                "pdf_ms_median": round(pdf_median, 1),
                "pdf_cpu_ms_median": round(statistics.median(cpu), 1),
                "invitations_per_s": round(rate, 2),
                "invitations": len(kms),
                "worker_concurrency": CONCURRENCY,
                "cpu_count": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
