"""Benchmark: invitations requested through the web side are delivered exactly once while the
worker, the mail server and the broker fail.

Runs on a PostgreSQL database of its own (created and migrated on start), a Redis server of its
own (tests.processes.RedisServer, on a free port), an SMTP server in this process
(tests.mailserver.MailServer) and a real worker pool (`celery worker --pool=prefork
--concurrency=2`, tests.processes.CeleryWorker). A beheerder with a verified second factor
requests N invitations with the Django test client, through the wizard as a person does (Stap 1
to 3, then "Verstuur aanvraag tot goedkeuring"), each to a relatie of its own (KVK-nummers
71000000 and up) and a contact address of its own (bench{i}@relatie.example). Meanwhile,
driven by progress, it:

- kills a pool process with SIGKILL in the middle of a send, five times (when 5 %, 25 %, 45 %,
  65 % and 85 % of the mails have been received, the next mail is held at the server's end of
  data, the process talking from that port is killed, the held mail is then refused);
- kills the worker's main process and its pool at once (SIGKILL to the group) and starts a new
  worker, twice (after 15 % and 55 % of the requests);
- stops the SMTP server for a few seconds (connections refused) and starts it again on the same
  port, twice (after 35 % and 75 % of the requests);
- points the web side at a broker that is not there (a closed port) while 30-40 % and 70-78 %
  of the requests are made, spread over --broker-outage-seconds each (its sweeps fail too);
  left_for_sweep_by_web counts the messages the web side could not hand over.

The worker is killed at moments unrelated to any one send. A worker killed after the SMTP server
accepted a mail and before its sender committed that sends the mail again, with the same
Message-ID (outbox/mail.py): `accepted_to_recorded_ms_*` measure that window (the server's
acceptance to the ketenmachtiging's invitation_sent_at), and --kill-after-acceptance kills the
worker right in it (the moment a mail is accepted), which shows the second mail.

This process also does what beat does, more often: `outbox.services.sweep()` every
--sweep-seconds. After the last request it sweeps until nothing is pending (or --settle-timeout)
and counts the mails at the SMTP server per contact address.

Prints progress; the last line is one JSON object: requested, delivered (addresses with exactly
one mail), fout (ketenmachtigingen in Fout), lost (neither), stuck (outbox messages still
pending), duplicates (addresses with more than one mail), seconds (from the first request
until nothing is pending), and the faults injected.
Budget: lost 0, stuck 0, duplicates 0, delivered + fout == requested, and every request
confirmed by the web side; the exit status is 1 when it is missed (the worker's log is kept).

    .venv/bin/python -m bench.faults [--count 120]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/zlogin_faults_bench; its rows are
replaced on every run. Settings of this process and the worker: OUTBOX_RETRY_SECONDS=1,
OUTBOX_RETRY_MAX_SECONDS=4, OUTBOX_MAX_ATTEMPTS=20 (an outage of a few seconds never uses them
up), OUTBOX_DELIVERY_TIME_LIMIT=25 (the task's soft limit is 90 % of it),
OUTBOX_DISPATCH_LEASE_SECONDS=30 and CELERY_VISIBILITY_TIMEOUT=30 (what a killed worker held
comes back within about half a minute), OUTBOX_QUEUE_LEASE_SECONDS=60.
"""

import argparse
import collections
import json
import logging
import os
import signal
import statistics
import sys
import threading
import time
from types import SimpleNamespace

import psycopg

from bench import support

KVK_BASE = 71_000_000
INTERMEDIAIR_KVK = "70999999"
BEHEERDER_USERNAME = "bench-faults-beheerder"
COLLEGA_USERNAME = "bench-faults-collega"
CONCURRENCY = 2
LOCK_ID = 71_000_000  # pg_advisory_lock: one run at a time on the database

# What the outbox needs to be bench-sized; the same for this process (the sweep) and the worker.
OUTBOX_ENV = {
    "OUTBOX_RETRY_SECONDS": "1",
    "OUTBOX_RETRY_MAX_SECONDS": "4",
    "OUTBOX_MAX_ATTEMPTS": "20",
    "OUTBOX_DELIVERY_TIME_LIMIT": "25",
    "OUTBOX_DISPATCH_LEASE_SECONDS": "30",
    # Handed to the broker and taken by no worker (the broker lost it): offered again after.
    "OUTBOX_QUEUE_LEASE_SECONDS": "60",
    "CELERY_VISIBILITY_TIMEOUT": "30",
}


class TimedList(list):
    """MailServer.received that also notes when each mail was accepted (time.time())."""

    def __init__(self):
        super().__init__()
        self.times: list[float] = []

    def append(self, item) -> None:
        self.times.append(time.time())
        super().append(item)


# Made in main() before Django starts, started in run_bench(): their ports go into the settings
# of both sides.
REDIS = MAIL = None


def address(i: int) -> str:
    return f"bench{i}@relatie.example"


def kvk_nummer(i: int) -> str:
    return f"{KVK_BASE + i:08d}"


def worker_env() -> dict[str, str]:
    """As the fault tests' worker_env: this database, this Redis and this SMTP server."""
    return {
        "DJANGO_SETTINGS_MODULE": "zlogin.settings",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "CELERY_BROKER_URL": REDIS.url,
        "CELERY_RESULT_BACKEND": REDIS.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": MAIL.url,
        "EMAIL_TIMEOUT": "10",
        "LOG_LEVEL": "INFO",
        **OUTBOX_ENV,
    }


def point_web_at(broker_url: str) -> None:
    """The web side (this process) hands messages to this broker from now on (as in
    tests/integration/test_faults.py)."""
    from zlogin import celery_app

    conf = celery_app.conf
    conf.update(task_always_eager=False, broker_url=broker_url, result_backend=None)
    celery_app._pool = None
    vars(celery_app).pop("amqp", None)


# --- the data -----------------------------------------------------------------------------------


def prepare(count: int):
    """The intermediair, its beheerder (with a TOTP device) and a collega to assign, and `count`
    companies in the local register; what an earlier run made is removed."""
    from django.core.management import call_command

    from accounts.constants import EHNiveau, Role
    from accounts.models import Membership, Organisation, User
    from catalogue.models import Dienst
    from ketenmachtigingen.models import RegisterEntry

    call_command("migrate", verbosity=0)
    intermediair, _ = Organisation.objects.update_or_create(
        kvk_nummer=INTERMEDIAIR_KVK,
        defaults={
            "name": "Bench Storingen Administratie B.V.",
            "ketenmachtigingen_enabled": True,
            "straat": "Keizersgracht",
            "huisnummer": "200",
            "postcode": "1016 DZ",
            "plaats": "Amsterdam",
        },
    )
    support.remove_ketenmachtigingen_of(intermediair)
    numbers = {"kvk_nummer__gte": kvk_nummer(0), "kvk_nummer__lt": kvk_nummer(1_000_000)}
    Organisation.objects.filter(**numbers).delete()
    RegisterEntry.objects.filter(**numbers).delete()
    RegisterEntry.objects.bulk_create(
        RegisterEntry(
            kvk_nummer=kvk_nummer(i),
            name=f"Bench Storing {i:04d} B.V.",
            straat="Dorpsstraat",
            huisnummer=str(i + 1),
            postcode="1234 AB",
            plaats="Amersfoort",
        )
        for i in range(count)
    )

    def person(username, initials, last_name, role):
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={"initials": initials, "last_name": last_name, "email": f"{username}@x.nl"},
        )
        membership, _ = Membership.objects.update_or_create(
            user=user,
            organisation=intermediair,
            defaults={"role": role, "eh_niveau": EHNiveau.EH3, "active": True},
        )
        return membership

    beheerder = person(BEHEERDER_USERNAME, "B.", "Beheerder", Role.BEHEERDER)
    collega = person(COLLEGA_USERNAME, "C.", "Collega", Role.GEBRUIKER)
    dienst = Dienst.objects.filter(active=True).order_by("pk").first()
    return intermediair, beheerder, collega, dienst


def logged_in_client(user):
    """A verified login, as tests/conftest.py's verified_login makes one."""
    from django.test import Client

    from tests.logins import log_in_verified

    return log_in_verified(Client(), user)


# --- the run ------------------------------------------------------------------------------------


class Run:
    def __init__(self, args):
        self.args = args
        self.started = time.monotonic()
        self.started_wall = time.time()
        self.last_sweep = 0.0
        self.last_progress = 0.0
        self.made = 0
        self.faults = collections.Counter()
        self.events: list[str] = []  # every fault, timed: the sequence behind a bad figure

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def log(self, text: str, *, event: bool = False) -> None:
        line = f"[{self.elapsed():6.1f} s] {text}"
        if event:
            self.events.append(line)
        print(line, flush=True)

    def received(self) -> int:
        return len(MAIL.messages())

    def sweep(self) -> int:
        """What beat does every OUTBOX_SWEEP_SECONDS."""
        from outbox.services import sweep

        self.last_sweep = time.monotonic()
        return sweep()

    def tick(self) -> None:
        """Between two requests and while waiting: the sweep when due, progress now and then."""
        from outbox.models import OutboxMessage, State

        now = time.monotonic()
        if now - self.last_sweep >= self.args.sweep_seconds:
            self.sweep()
        if now - self.last_progress >= 5:
            self.last_progress = now
            pending = OutboxMessage.objects.filter(state=State.PENDING).count()
            faults = ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items())) or "none yet"
            self.log(
                f"requests {self.made}/{self.args.count}, mails {self.received()}, "
                f"pending {pending}; faults: {faults}"
            )


def poll(condition, timeout: float, interval: float) -> bool:
    """Whether the condition came true within the timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


class Faults(threading.Thread):
    """Injects the worker and SMTP faults, each when its counter (mails received or requests
    made) reaches its threshold."""

    def __init__(self, bench: Run, worker, schedule: list[tuple[str, int, str]]):
        super().__init__(name="faults", daemon=True)
        self.bench = bench
        self.worker = worker
        self.schedule = schedule
        self.errors: list[str] = []
        self.skipped: list[str] = []
        self.stopping = threading.Event()  # the run ends early: no more faults

    def run(self) -> None:
        MAIL.drop_held = True  # a held mail is refused when released: its sender is dead
        deadline = time.monotonic() + 600
        progress = {"mails": self.bench.received, "requests": lambda: self.bench.made}
        for counter, threshold, fault in self.schedule:
            reached = poll(
                lambda c=counter, t=threshold: progress[c]() >= t or self.stopping.is_set(),
                max(deadline - time.monotonic(), 0),
                interval=0.002,
            )
            if self.stopping.is_set():
                return
            if not reached:
                self.skipped.append(fault)
                self.bench.log(f"{fault}: skipped, fewer than {threshold} {counter}", event=True)
                continue
            try:
                getattr(self, fault)()
            except Exception as error:  # a fault that could not be made is reported, not fatal
                self.errors.append(f"{fault}: {type(error).__name__}: {error}")
                self.bench.log(f"{fault} failed: {error!r}", event=True)

    def pool_kill(self) -> None:
        """SIGKILL the pool process that is sending, at the end of its data."""
        MAIL.release.clear()
        MAIL.holding.clear()
        MAIL.hold.set()
        try:
            poll(lambda: MAIL.holding.is_set() or self.stopping.is_set(), 60, interval=0.002)
        finally:
            MAIL.hold.clear()  # the next mails go through
        try:
            if not MAIL.holding.is_set():
                self.skipped.append("pool_kill")
                self.bench.log("pool_kill: skipped, no mail came to hold", event=True)
                return
            port = MAIL.held_peer[1]
            victim = self.worker.kill_pool_process(talking_from_port=port)
            self.bench.faults["pool_kills"] += 1
            self.bench.log(
                f"pool_kill: pool process {victim} killed while sending (from port {port}; "
                f"{self.bench.received()} mails so far)",
                event=True,
            )
        finally:
            MAIL.release.set()  # the held mail (and any held with it) is refused
            poll(lambda: not MAIL.holding.is_set(), 10, interval=0.01)
            time.sleep(0.2)

    def main_kill(self) -> None:
        """SIGKILL the worker's main process and its pool; start a new worker."""
        pid = self.worker.process.pid
        self.worker.kill()
        self.bench.faults["main_kills"] += 1
        self.bench.log(
            f"main_kill: worker {pid} and its pool killed ({self.bench.received()} mails so far)",
            event=True,
        )
        self.worker.start()
        self.bench.log(f"main_kill: new worker {self.worker.process.pid} ready", event=True)

    def smtp_outage(self) -> None:
        """The SMTP server gone for a few seconds (connections refused), then back."""
        MAIL.stop()
        self.bench.faults["smtp_outages"] += 1
        self.bench.log(
            f"smtp_outage: SMTP server stopped for {self.bench.args.smtp_outage_seconds} s "
            f"({self.bench.received()} mails so far)",
            event=True,
        )
        time.sleep(self.bench.args.smtp_outage_seconds)
        MAIL.start()
        self.bench.log(f"smtp_outage: SMTP server back on port {MAIL.port}", event=True)


def fault_schedule(count: int, *, kill_after_acceptance: bool) -> list[tuple[str, int, str]]:
    """(counter, threshold, fault). A pool process is killed while it sends (held at the end of
    its data, before the server accepts it), when that many mails have been received. The
    worker and the SMTP server are stopped when that many requests have been made: at a moment
    unrelated to any one send. With kill_after_acceptance the worker is killed instead the
    moment the server has accepted a mail, before its sender has recorded that (expect a
    second mail with the same Message-ID: outbox/mail.py)."""
    main_kill_counter = "mails" if kill_after_acceptance else "requests"
    plan = [
        ("mails", 0.05, "pool_kill"),
        (main_kill_counter, 0.15, "main_kill"),
        ("mails", 0.25, "pool_kill"),
        ("requests", 0.35, "smtp_outage"),
        ("mails", 0.45, "pool_kill"),
        (main_kill_counter, 0.55, "main_kill"),
        ("mails", 0.65, "pool_kill"),
        ("requests", 0.75, "smtp_outage"),
        ("mails", 0.85, "pool_kill"),
    ]
    return [(counter, max(1, int(count * share)), fault) for counter, share, fault in plan]


BROKER_OUTAGES = ((0.30, 0.40), (0.70, 0.78))  # shares of the requests


def broker_outage_of(i: int, count: int) -> tuple[int, int] | None:
    """The first and the end request number of the broker outage request i falls in."""
    for start, end in BROKER_OUTAGES:
        first, stop = int(count * start), int(count * end)
        if first <= i < stop:
            return first, stop
    return None


def make_requests(run: Run, client, collega, dienst) -> dict:
    """Request every invitation through the wizard; keep at most --window of them ahead of the
    mails received (waiting at most 10 s), so that requests and deliveries overlap. The
    requests of a broker outage are spread over at least --broker-outage-seconds."""
    from django.urls import reverse

    from ketenmachtigingen.constants import Delivery
    from ketenmachtigingen.models import Ketenmachtiging
    from outbox.models import OutboxMessage
    from tests.ketenmachtigingen.request_steps import SEND_DATA, complete_steps
    from tests.network import closed_port

    send, overview = reverse("ketenmachtigingen:add_send"), reverse("ketenmachtigingen:overview")
    count, down_url = run.args.count, f"redis://127.0.0.1:{closed_port()}/0"
    web_errors: list[str] = []
    slowest_send_broker_down = 0.0
    requests_while_broker_down = left_for_sweep = 0
    outage, outage_started = None, 0.0
    for i in range(count):
        if broker_outage_of(i, count) != outage:
            outage = broker_outage_of(i, count)
            point_web_at(down_url if outage else REDIS.url)
            if outage:
                outage_started = time.monotonic()
                run.faults["broker_outages"] += 1
            run.log(
                f"broker_outage: the web side's broker is {down_url}"
                if outage
                else f"broker_outage: the web side's broker is back ({left_for_sweep} of "
                f"{requests_while_broker_down} messages so far were left for the sweep)",
                event=True,
            )
        if outage:
            first, stop = outage
            due = outage_started + run.args.broker_outage_seconds * (i - first) / (stop - first)
            while time.monotonic() < due:
                run.tick()
                time.sleep(0.05)
        else:
            deadline = time.monotonic() + 10
            while run.made - run.received() > run.args.window and time.monotonic() < deadline:
                run.tick()
                time.sleep(0.05)
        started = time.monotonic()
        try:
            company = SimpleNamespace(kvk_nummer=kvk_nummer(i))
            complete_steps(client, company, dienst, collega)
            started = time.monotonic()
            response = client.post(send, {**SEND_DATA, "contact_email": address(i)})
        except Exception as error:  # the test client raises a view's exception
            web_errors.append(f"{address(i)}: {type(error).__name__}: {error}")
        else:
            if response.status_code != 302 or response.url != overview:
                web_errors.append(f"{address(i)}: HTTP {response.status_code}")
        if outage:
            requests_while_broker_down += 1
            slowest_send_broker_down = max(slowest_send_broker_down, time.monotonic() - started)
            # Not handed over: the message waits for the sweep (dispatched_at empty).
            left_for_sweep += OutboxMessage.objects.filter(
                kind=Delivery.INVITATION,
                target_id__in=Ketenmachtiging.objects.filter(contact_email=address(i)).values("pk"),
                dispatched_at__isnull=True,
            ).count()
        run.made += 1
        run.tick()
    if outage:
        point_web_at(REDIS.url)
        run.log("broker_outage: the web side's broker is back", event=True)
    for error in web_errors:
        run.log(f"web error: {error}")
    return {
        "web_errors": len(web_errors),
        "requests_while_broker_down": requests_while_broker_down,
        "left_for_sweep_by_web": left_for_sweep,
        "slowest_send_broker_down_s": round(slowest_send_broker_down, 2),
    }


def settle(run: Run) -> int:
    """Sweep as beat would until nothing is pending or --settle-timeout; what is left."""
    from outbox.models import OutboxMessage, State

    deadline = time.monotonic() + run.args.settle_timeout
    while True:
        run.sweep()
        pending = OutboxMessage.objects.filter(state=State.PENDING).count()
        if not pending or time.monotonic() > deadline:
            return pending
        run.tick()
        time.sleep(run.args.sweep_seconds)


def count_outcome(run: Run, intermediair, count: int) -> tuple[dict, list[str]]:
    """The figures, and what explains a bad one (duplicates, losses)."""
    from ketenmachtigingen.constants import Delivery, Status
    from ketenmachtigingen.models import Ketenmachtiging
    from outbox.models import OutboxMessage, State

    with MAIL.lock:
        received = list(zip(MAIL.received.times, MAIL.received, strict=True))
    per_address = collections.defaultdict(list)  # address: [(accepted at, Message-ID)]
    for accepted_at, mail in received:
        for recipient in mail.recipients:
            per_address[recipient].append((accepted_at, mail.message["Message-ID"]))
    kms = {km.contact_email: km for km in Ketenmachtiging.objects.filter(intermediair=intermediair)}
    invitations = {m.target_id: m for m in OutboxMessage.objects.filter(kind=Delivery.INVITATION)}
    addresses = [address(i) for i in range(count)]
    requested = [a for a in addresses if a in kms]
    fout = {a for a in requested if kms[a].status == Status.FOUT}
    delivered = [a for a in requested if len(per_address[a]) == 1]
    duplicates = [a for a in requested if len(per_address[a]) > 1]
    lost = [a for a in requested if not per_address[a] and a not in fout]
    stuck = OutboxMessage.objects.filter(state=State.PENDING).count()
    not_recorded = [a for a in delivered if kms[a].invitation_sent_at is None]
    # From the server's acceptance of a mail to its sender noting it (just before its commit):
    # a worker that dies in between sends the mail again.
    window_ms = sorted(
        (kms[a].invitation_sent_at.timestamp() - per_address[a][-1][0]) * 1000
        for a in delivered
        if kms[a].invitation_sent_at is not None
    )
    details = []
    for a in duplicates + lost + not_recorded:
        km = kms[a]
        message = invitations.get(km.pk)
        accepted = ", ".join(f"{t - run.started_wall:.2f} s {mid}" for t, mid in per_address[a])
        sent_at = km.invitation_sent_at
        details.append(
            f"{a}: {len(per_address[a])} mail(s) accepted at [{accepted or 'never'}]; "
            f"ketenmachtiging #{km.pk} {km.status}, invitation_sent_at "
            f"{f'{sent_at.timestamp() - run.started_wall:.2f} s' if sent_at else None}; "
            + (
                f"outbox #{message.pk} {message.state}, {message.attempts} attempt(s), "
                f"last error {message.last_error!r}"
                if message
                else "no outbox message"
            )
        )
    attempts = [m.attempts for m in invitations.values()]
    figures = {
        "requested": len(requested),
        "delivered": len(delivered),
        "fout": len(fout),
        "lost": len(lost),
        "stuck": stuck,
        "duplicates": len(duplicates),
        "duplicates_same_message_id": sum(
            len({m for _, m in per_address[a]}) == 1 for a in duplicates
        ),
        "delivered_not_recorded": len(not_recorded),
        "unexpected_mails": sum(len(v) for a, v in per_address.items() if a not in kms),
        "mails": len(received),
        "invitations_retried": sum(n > 1 for n in attempts),
        "attempts_max": max(attempts, default=0),
        "accepted_to_recorded_ms_median": round(statistics.median(window_ms), 1)
        if window_ms
        else None,
        "accepted_to_recorded_ms_max": round(window_ms[-1], 1) if window_ms else None,
    }
    return figures, details


def main() -> None:
    global REDIS, MAIL
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=120, help="invitations to request")
    parser.add_argument("--window", type=int, default=20, help="requests ahead of the mails")
    parser.add_argument("--sweep-seconds", type=float, default=2.0, help="the sweep's period")
    parser.add_argument("--smtp-outage-seconds", type=float, default=4.0)
    parser.add_argument("--broker-outage-seconds", type=float, default=5.0)
    parser.add_argument("--settle-timeout", type=float, default=300.0)
    parser.add_argument(
        "--kill-after-acceptance",
        action="store_true",
        help="kill the worker the moment the SMTP server has accepted a mail (see fault_schedule)",
    )
    args = parser.parse_args()
    from tests.mailserver import MailServer
    from tests.processes import RedisServer

    REDIS = RedisServer()
    MAIL = MailServer()
    MAIL.received = TimedList()
    os.environ.update(OUTBOX_ENV)
    # Celery takes CELERY_BROKER_URL from the environment before its configuration: with it set,
    # point_web_at() would change nothing. The web side's broker is set by point_web_at() alone.
    for name in ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL"):
        os.environ.pop(name, None)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["EMAIL_URL"] = MAIL.url
    try:
        support.setup_django(
            DATABASE_URL="postgres://postgres@127.0.0.1:5432/zlogin_faults_bench",
            DEBUG="true",  # the development settings; nothing here is served
        )
        # One warning per request during a broker outage: counted (left_for_sweep_by_web) instead.
        logging.getLogger("zlogin.outbox").setLevel(logging.ERROR)
        check_and_run(parser, args)
    finally:
        REDIS.__exit__(None, None, None)  # stopped, and its directory removed


def check_and_run(parser, args) -> None:
    from django.db import connection

    from tests.processes import RedisServer

    if args.count < 20:
        parser.error("--count must be at least 20: the faults are spread over the run")
    if not RedisServer.available():
        raise SystemExit("redis-server is not installed")
    if connection.vendor != "postgresql":
        raise SystemExit("the worker processes need a shared PostgreSQL database")
    # Two runs at once would replace each other's rows.
    lock = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    if not lock.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_ID]).fetchone()[0]:
        raise SystemExit("another run of the fault benchmark holds this database; try again later")
    # Stopped with SIGTERM: clean up as after Ctrl-C (the worker runs in a session of its own).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        ok = run_bench(args)
    finally:
        lock.close()
    sys.exit(0 if ok else 1)


def run_bench(args) -> bool:
    from django.db import connection

    from tests.processes import CeleryWorker

    print(
        f"database: {connection.settings_dict['NAME']}; machine: {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    intermediair, beheerder, collega, dienst = prepare(args.count)
    client = logged_in_client(beheerder.user)
    worker = CeleryWorker(worker_env(), concurrency=CONCURRENCY, name="bench-faults")
    faults = None
    keep_log = True
    try:
        REDIS.start()
        MAIL.start()
        point_web_at(REDIS.url)
        print(f"redis {REDIS.url}; smtp {MAIL.url}; worker log {worker.log.name}", flush=True)
        worker.start()
        run = Run(args)
        faults = Faults(
            run,
            worker,
            fault_schedule(args.count, kill_after_acceptance=args.kill_after_acceptance),
        )
        faults.start()
        web = make_requests(run, client, collega, dienst)
        run.log(f"all {args.count} requests made; waiting for the scheduled faults")
        while faults.is_alive():
            run.tick()
            faults.join(timeout=0.2)
        run.log("faults done; sweeping until nothing is pending")
        settle(run)
        seconds = run.elapsed()
        figures, details = count_outcome(run, intermediair, args.count)
        ok = (
            figures["lost"] == 0
            and figures["stuck"] == 0
            and figures["duplicates"] == 0
            and figures["delivered"] + figures["fout"] == figures["requested"]
            and figures["requested"] == args.count
            and web["web_errors"] == 0
        )
        for line in details:
            run.log(f"explain: {line}")
        if faults.errors or faults.skipped:
            run.log(f"faults not made: {faults.skipped + faults.errors}")
        if web["left_for_sweep_by_web"] != web["requests_while_broker_down"]:
            run.log("the web side handed messages to the broker while it was to be unreachable")
        if not ok:
            run.log("budget missed; the sequence of faults:")
            for line in run.events:
                print(f"    {line}")
        else:
            keep_log = False
        summary = {
            **figures,
            "seconds": round(seconds, 1),
            "pool_kills": run.faults["pool_kills"],
            "main_kills": run.faults["main_kills"],
            "smtp_outages": run.faults["smtp_outages"],
            "broker_outages": run.faults["broker_outages"],
            **web,
            "faults_not_made": len(faults.skipped) + len(faults.errors),
            "worker_concurrency": CONCURRENCY,
            "cpu_count": os.cpu_count(),
            "budget_ok": ok,
        }
        if keep_log:
            print(f"worker log kept: {worker.log.name}", flush=True)
        print(json.dumps(summary), flush=True)
        return ok
    finally:
        if faults is not None:  # not to start a worker after this one is stopped
            faults.stopping.set()
            faults.join(timeout=90)
        worker.stop()
        worker.log.close()
        if not keep_log:
            os.unlink(worker.log.name)
        MAIL.stop()
        REDIS.kill()


if __name__ == "__main__":
    main()
