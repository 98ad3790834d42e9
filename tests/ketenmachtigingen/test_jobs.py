"""The nightly jobs: each on a fixed day, at its boundaries, set-based, and safe to run twice or
at the same time. The day is passed as `today`; the jobs never read the clock for it."""

import datetime
import io
import logging
import sqlite3
import threading
import time

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from berichtenbox.models import Bericht
from ketenmachtigingen import dates, jobs
from ketenmachtigingen.constants import (
    EXPIRE,
    LAPSE,
    REVOKE_ON_DATE,
    ActorKind,
    EventKind,
    Status,
    Tab,
)
from ketenmachtigingen.jobs import batches, due
from ketenmachtigingen.models import Ketenmachtiging, KetenmachtigingEvent
from ketenmachtigingen.selectors.overview import tab_queryset
from ketenmachtigingen.services.transitions import move_many
from ketenmachtigingen.tasks import run_nightly_jobs as nightly_task
from tests.concurrency import at_once
from tests.databases import postgresql_only
from tests.factories import (
    BeheerderFactory,
    KetenmachtigingFactory,
    OrganisationFactory,
    UserFactory,
)
from zlogin import celery_app

from .conftest import AMSTERDAM, TODAY

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)
TOMORROW = TODAY + ONE_DAY
YESTERDAY = TODAY - ONE_DAY
FAR = datetime.date(2029, 1, 1)


@pytest.fixture
def relatie(db):
    return OrganisationFactory(name="Garage Jansen B.V.")


def sent(day: datetime.date, at=datetime.time(10), **kwargs) -> Ketenmachtiging:
    """An invitation sent on `day` (Amsterdam time), still waiting for the signed form."""
    sent_at = datetime.datetime.combine(day, at, tzinfo=AMSTERDAM)
    return KetenmachtigingFactory(aanvraag_verstuurd=True, sent_at=sent_at, **kwargs)


def actief(end_date: datetime.date, **kwargs) -> Ketenmachtiging:
    """An Actief ketenmachtiging of 5 years that ends on `end_date`."""
    return KetenmachtigingFactory(
        actief=True, start_date=dates.add_years(end_date, -5), end_date=end_date, **kwargs
    )


def status_of(km) -> str:
    return Ketenmachtiging.objects.values_list("status", flat=True).get(pk=km.pk)


def events_of(km) -> list[tuple]:
    return list(
        KetenmachtigingEvent.objects.filter(ketenmachtiging=km).values_list(
            "kind", "actor_kind", "actor", "from_status", "to_status", "note"
        )
    )


def berichten_of(km) -> list[tuple]:
    return list(
        Bericht.objects.filter(ketenmachtiging=km).values_list("organisation", "subject", "body")
    )


def job_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "zlogin.jobs"]


# --- lapse_invitations ------------------------------------------------------------------------


def test_the_lapse_cutoff_is_the_deadline_rule_for_every_day():
    """lapse_cutoff(today) is a bound on sent_at for the index; it must give the same answer as
    invitation_deadline(sent_at) < today for every day of sending, month ends included."""
    day = datetime.date(2023, 12, 1)
    while day < datetime.date(2026, 3, 1):
        cutoff = due.lapse_cutoff(day)
        for back in range(85, 100):
            sent_day = day - datetime.timedelta(days=back)
            for at in (datetime.time(0), datetime.time(23, 59, 59)):
                sent_at = datetime.datetime.combine(sent_day, at, tzinfo=AMSTERDAM)
                assert (sent_at < cutoff) == (dates.invitation_deadline(sent_at) < day), (
                    day,
                    sent_at,
                )
        day += ONE_DAY


def test_an_invitation_lapses_the_day_after_its_deadline(intermediair, relatie, caplog):
    caplog.set_level(logging.INFO, logger="zlogin.jobs")
    three_months_ago = sent(datetime.date(2025, 12, 10), intermediair=intermediair)
    late_evening = sent(
        datetime.date(2025, 12, 10), at=datetime.time(23, 59), intermediair=intermediair
    )
    a_day_more = sent(
        datetime.date(2025, 12, 9), at=datetime.time(23, 59), intermediair=intermediair
    )
    lapsed = sent(datetime.date(2025, 11, 1), intermediair=intermediair, relatie=relatie)

    assert jobs.lapse_invitations(TODAY) == 2

    assert status_of(three_months_ago) == Status.AANVRAAG_VERSTUURD  # deadline is today
    assert status_of(late_evening) == Status.AANVRAAG_VERSTUURD
    assert status_of(a_day_more) == Status.VERVALLEN
    assert status_of(lapsed) == Status.VERVALLEN
    assert events_of(lapsed) == [
        (
            EventKind.STATUS,
            ActorKind.SYSTEM,
            None,
            Status.AANVRAAG_VERSTUURD,
            Status.VERVALLEN,
            "Niet binnen 3 maanden ontvangen.",
        )
    ]
    # One bericht for the intermediair, naming both (set-based: not one per row).
    [(organisation, subject, body)] = Bericht.objects.values_list("organisation", "subject", "body")
    assert organisation == intermediair.pk
    assert subject == "2 ketenmachtigingen: Vervallen"
    for km in (lapsed, a_day_more):
        km.refresh_from_db()
        assert f"- {km.relatie.name} (aanvraagcode {km.request_code})" in body
    assert "niet binnen 3 maanden" in body
    assert "Een nieuwe uitnodiging verstuurt u via Voeg toe" in body
    assert job_lines(caplog) == ["lapse_invitations: 2 ketenmachtigingen vervallen"]

    # The next day the invitation sent three months and a day ago lapses too.
    assert jobs.lapse_invitations(TOMORROW) == 2
    assert status_of(three_months_ago) == Status.VERVALLEN
    assert status_of(late_evening) == Status.VERVALLEN


def test_the_day_of_sending_is_the_day_in_amsterdam(intermediair):
    # 00:30 on 11 December in Amsterdam is still 10 December in UTC.
    just_after_midnight = sent(
        datetime.date(2025, 12, 11), at=datetime.time(0, 30), intermediair=intermediair
    )

    assert jobs.lapse_invitations(datetime.date(2026, 3, 11)) == 0
    assert jobs.lapse_invitations(datetime.date(2026, 3, 12)) == 1
    assert status_of(just_after_midnight) == Status.VERVALLEN


def test_sent_on_29_february(intermediair):
    leap = sent(datetime.date(2024, 2, 29), intermediair=intermediair)

    assert jobs.lapse_invitations(datetime.date(2024, 5, 29)) == 0  # the deadline
    assert jobs.lapse_invitations(datetime.date(2024, 5, 30)) == 1
    assert status_of(leap) == Status.VERVALLEN


def test_month_ends_share_a_deadline(intermediair):
    # 30 and 31 August + 3 months are both 30 November; 1 September's is 1 December.
    aug30 = sent(datetime.date(2025, 8, 30), intermediair=intermediair)
    aug31 = sent(datetime.date(2025, 8, 31), intermediair=intermediair)
    sep1 = sent(datetime.date(2025, 9, 1), intermediair=intermediair)

    assert jobs.lapse_invitations(datetime.date(2025, 11, 30)) == 0
    assert jobs.lapse_invitations(datetime.date(2025, 12, 1)) == 2
    assert [status_of(km) for km in (aug30, aug31, sep1)] == [
        Status.VERVALLEN,
        Status.VERVALLEN,
        Status.AANVRAAG_VERSTUURD,
    ]


def test_only_invitations_still_waiting_lapse(intermediair):
    long_ago = datetime.datetime(2025, 1, 1, 10, tzinfo=AMSTERDAM)
    others = [
        KetenmachtigingFactory(intermediair=intermediair, sent_at=long_ago, **{trait: True})
        for trait in ("aanvraag_ontvangen", "incompleet", "fout")
    ]
    for km in others:  # the traits set their own sent_at
        Ketenmachtiging.objects.filter(pk=km.pk).update(sent_at=long_ago)

    assert jobs.lapse_invitations(TODAY) == 0
    assert KetenmachtigingEvent.objects.count() == 0


# --- expire ---------------------------------------------------------------------------------------


def test_expire_on_the_end_date(intermediair, caplog):
    caplog.set_level(logging.INFO, logger="zlogin.jobs")
    ends_today = actief(TODAY, intermediair=intermediair)
    ended_before = actief(YESTERDAY - ONE_DAY, intermediair=intermediair)  # a night missed
    ends_tomorrow = actief(TOMORROW, intermediair=intermediair)
    revoked = KetenmachtigingFactory(
        ingetrokken=True,
        intermediair=intermediair,
        start_date=datetime.date(2021, 3, 9),
        end_date=YESTERDAY,
    )

    assert jobs.expire(TODAY) == 2

    assert status_of(ends_today) == Status.VERLOPEN
    assert status_of(ended_before) == Status.VERLOPEN
    assert status_of(ends_tomorrow) == Status.ACTIEF
    assert status_of(revoked) == Status.INGETROKKEN
    assert events_of(ends_today) == [
        (EventKind.STATUS, ActorKind.SYSTEM, None, Status.ACTIEF, Status.VERLOPEN, "")
    ]
    assert events_of(ends_tomorrow) == events_of(revoked) == []
    [bericht] = Bericht.objects.all()
    assert (bericht.organisation_id, bericht.subject) == (
        intermediair.pk,
        "2 ketenmachtigingen: Verlopen",
    )
    assert job_lines(caplog) == ["expire: 2 ketenmachtigingen verlopen"]


# --- execute_revocations --------------------------------------------------------------------------


def test_revocation_on_the_chosen_date(intermediair):
    on_the_day = actief(FAR, intermediair=intermediair, revocation_date=TODAY)
    missed = actief(FAR, intermediair=intermediair, revocation_date=YESTERDAY)
    tomorrow = actief(FAR, intermediair=intermediair, revocation_date=TOMORROW)
    done_before = KetenmachtigingFactory(
        ingetrokken=True, intermediair=intermediair, revocation_date=YESTERDAY
    )

    before = timezone.now()
    assert jobs.execute_revocations(TODAY) == 2
    after = timezone.now()

    on_the_day.refresh_from_db()
    assert on_the_day.status == Status.INGETROKKEN
    assert before <= on_the_day.revoked_at <= after
    assert status_of(missed) == Status.INGETROKKEN
    assert status_of(tomorrow) == Status.ACTIEF
    assert events_of(on_the_day) == [
        (
            EventKind.STATUS,
            ActorKind.SYSTEM,
            None,
            Status.ACTIEF,
            Status.INGETROKKEN,
            "Ingetrokken op de gekozen datum.",
        )
    ]
    assert events_of(tomorrow) == events_of(done_before) == []


# --- send_renewal_reminders -----------------------------------------------------------------------


def test_reminder_when_the_end_date_enters_the_window(
    intermediair, relatie, beheerder, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.INFO, logger="zlogin.jobs")
    window = dates.renewal_window_start(TODAY)  # 10 June 2026
    assert window == datetime.date(2026, 6, 10)
    inside = actief(window - ONE_DAY, intermediair=intermediair, relatie=relatie)
    at_the_boundary = actief(window, intermediair=intermediair)
    soon = actief(TOMORROW, intermediair=intermediair)

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.send_renewal_reminders(TODAY) == 2

    inside.refresh_from_db()
    assert inside.status == Status.ACTIEF
    assert inside.reminder_sent_at is not None
    assert events_of(inside) == [
        (
            EventKind.REMINDER_SENT,
            ActorKind.SYSTEM,
            None,
            "",
            "",
            "Herinnering verlenging verstuurd.",
        )
    ]
    [(organisation, subject, body)] = berichten_of(inside)
    assert organisation == intermediair.pk
    assert subject == "Ketenmachtiging van Garage Jansen B.V. verloopt op 09-06-2026"
    assert body.startswith("De ketenmachtiging van Garage Jansen B.V. verloopt op 09-06-2026.")
    assert body.endswith("Vraag tijdig een verlenging aan via het tabblad Acties.")
    assert len(berichten_of(soon)) == 1
    assert events_of(at_the_boundary) == berichten_of(at_the_boundary) == []
    # The berichtenbox announces both berichten in one mail to the beheerders.
    [message] = mail.outbox
    assert message.to == [beheerder.user.email]
    assert "verloopt op 09-06-2026" in message.body
    assert job_lines(caplog) == [
        "send_renewal_reminders: 2 herinneringen voor verlenging verstuurd"
    ]

    # Exactly 3 months before its end date, the next day, it is reminded too.
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.send_renewal_reminders(TOMORROW) == 1
    assert len(berichten_of(at_the_boundary)) == 1
    assert len(mail.outbox) == 2
    assert len(events_of(inside)) == 1  # never twice


def test_one_mail_per_intermediair(beheerder, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(batches, "BATCH_SIZE", 2)  # also across batches
    other = OrganisationFactory(intermediair=True)
    their_beheerder = BeheerderFactory(
        organisation=other, user=UserFactory(email="beheer@ander.example.nl")
    )
    for _ in range(3):
        actief(TOMORROW, intermediair=beheerder.organisation)
    actief(TOMORROW, intermediair=other)

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.send_renewal_reminders(TODAY) == 4

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [beheerder.user.email, their_beheerder.user.email]
    )


@pytest.mark.parametrize(
    ("renewal_status", "reminded"),
    [
        (Status.AANVRAAG_VERSTUURD, False),
        (Status.AANVRAAG_ONTVANGEN, False),
        (Status.INCOMPLEET, False),
        (Status.FOUT, False),
        (Status.ACTIEF, False),
        (Status.INGETROKKEN, True),  # withdrawn: no renewal under way any more
        (Status.VERVALLEN, True),
    ],
)
def test_no_reminder_while_a_renewal_is_under_way(intermediair, renewal_status, reminded):
    km = actief(TOMORROW, intermediair=intermediair)
    KetenmachtigingFactory(intermediair=intermediair, renews=km, status=renewal_status)

    assert jobs.send_renewal_reminders(TODAY) == int(reminded)
    assert len(berichten_of(km)) == int(reminded)


def test_no_reminder_for_what_is_revoked_ended_or_reminded(intermediair):
    revoking = actief(TOMORROW + ONE_DAY, intermediair=intermediair, revocation_date=TOMORROW)
    ends_today = actief(TODAY, intermediair=intermediair)
    reminded = actief(
        TOMORROW,
        intermediair=intermediair,
        reminder_sent_at=datetime.datetime(2026, 3, 1, 2, 15, tzinfo=AMSTERDAM),
    )
    pending = sent(TODAY - datetime.timedelta(days=5), intermediair=intermediair)

    assert jobs.send_renewal_reminders(TODAY) == 0
    for km in (revoking, ends_today, reminded, pending):
        assert events_of(km) == berichten_of(km) == []


def test_reminders_go_to_what_the_acties_tab_shows(intermediair):
    window = dates.renewal_window_start(TODAY)
    for end in (TOMORROW, window - ONE_DAY, window, FAR, TODAY + datetime.timedelta(days=40)):
        actief(end, intermediair=intermediair)
    renewed = actief(TOMORROW, intermediair=intermediair)
    KetenmachtigingFactory(intermediair=intermediair, renews=renewed)
    actief(TODAY + datetime.timedelta(days=9), intermediair=intermediair, revocation_date=TOMORROW)

    acties = set(tab_queryset([intermediair], Tab.ACTIES, TODAY).values_list("pk", flat=True))
    assert set(due.reminders_due(TODAY).values_list("pk", flat=True)) == acties
    assert jobs.send_renewal_reminders(TODAY) == len(acties) == 3


# --- run twice, run all ---------------------------------------------------------------------------


def due_for_every_job(intermediair) -> list[Ketenmachtiging]:
    return [
        actief(FAR, intermediair=intermediair, revocation_date=TODAY),
        actief(TODAY, intermediair=intermediair),
        sent(datetime.date(2025, 12, 1), intermediair=intermediair),
        actief(TOMORROW, intermediair=intermediair),
    ]


def test_a_second_run_changes_nothing(intermediair, beheerder, django_capture_on_commit_callbacks):
    due_for_every_job(intermediair)

    with django_capture_on_commit_callbacks(execute=True):
        first = jobs.run_nightly_jobs(TODAY)
    state = list(Ketenmachtiging.objects.order_by("pk").values())
    counts = (KetenmachtigingEvent.objects.count(), Bericht.objects.count(), len(mail.outbox))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = jobs.run_nightly_jobs(TODAY)

    assert first == {
        "execute_revocations": 1,
        "expire": 1,
        "lapse_invitations": 1,
        "send_renewal_reminders": 1,
    }
    assert second == dict.fromkeys(first, 0)
    assert list(Ketenmachtiging.objects.order_by("pk").values()) == state
    # A bericht for each status change and the reminder, committed before the first
    # announcement went out, are announced in one mail (this intermediair has no afzender
    # address for the status mails).
    assert counts == (4, 4, 1)
    assert (KetenmachtigingEvent.objects.count(), Bericht.objects.count()) == counts[:2]
    assert len(mail.outbox) == counts[2]
    assert callbacks == []  # nothing written for the outbox


def test_a_revocation_date_wins_over_the_end_date(intermediair):
    """Both dates passed (nights were missed): it was revoked first."""
    km = actief(TODAY, intermediair=intermediair, revocation_date=YESTERDAY)

    assert jobs.run_nightly_jobs(TODAY)["expire"] == 0
    assert status_of(km) == Status.INGETROKKEN


def test_run_only_some_jobs(intermediair):
    revoke, expire, lapse, remind = due_for_every_job(intermediair)

    assert jobs.run_nightly_jobs(TODAY, only=["send_renewal_reminders", "expire"]) == {
        "expire": 1,
        "send_renewal_reminders": 1,
    }
    assert status_of(revoke) == Status.ACTIEF
    assert status_of(lapse) == Status.AANVRAAG_VERSTUURD
    with pytest.raises(ValueError, match="Onbekende job: expre"):
        jobs.run_nightly_jobs(TODAY, only=["expre"])


@pytest.mark.parametrize(
    ("job", "transition"),
    [("execute_revocations", REVOKE_ON_DATE), ("expire", EXPIRE), ("lapse_invitations", LAPSE)],
)
def test_a_row_no_longer_in_the_source_status_is_not_moved(job, transition, intermediair, relatie):
    """The engine moves only rows still in the transition's source status: a row changed since
    the job selected it (here: withdrawn or revoked) stays as it is, without an event."""
    make_due(job, 3, intermediair, relatie)
    ids = list(Ketenmachtiging.objects.order_by("pk").values_list("pk", flat=True))
    Ketenmachtiging.objects.filter(pk=ids[0]).update(status=Status.INGETROKKEN)

    with transaction.atomic():
        moved = move_many(ids, transition)

    assert [km.pk for km in moved] == ids[1:]
    assert dict(Ketenmachtiging.objects.values_list("pk", "status")) == {
        ids[0]: Status.INGETROKKEN,
        ids[1]: transition.target,
        ids[2]: transition.target,
    }
    assert sorted(KetenmachtigingEvent.objects.values_list("ketenmachtiging", flat=True)) == ids[1:]


# --- set-based: the queries follow the batches, not the rows ------------------------------------


def make_due(job: str, n: int, intermediair, relatie) -> None:
    """n rows due for `job` on TODAY, inserted at once."""
    kwargs = {"intermediair": intermediair, "relatie": relatie}
    Ketenmachtiging.objects.bulk_create([_due_row(job, kwargs) for _ in range(n)])


def _due_row(job: str, kwargs: dict) -> Ketenmachtiging:
    if job == "lapse_invitations":
        return KetenmachtigingFactory.build(
            aanvraag_verstuurd=True,
            sent_at=datetime.datetime(2025, 12, 1, 10, tzinfo=AMSTERDAM),
            **kwargs,
        )
    end = {"execute_revocations": FAR, "expire": TODAY, "send_renewal_reminders": TOMORROW}[job]
    return KetenmachtigingFactory.build(
        actief=True,
        start_date=dates.add_years(end, -5),
        end_date=end,
        revocation_date=TODAY if job == "execute_revocations" else None,
        **kwargs,
    )


@pytest.fixture
def sqlite_real_parameter_limit(monkeypatch):
    """Django splits a bulk INSERT on SQLite at 999 parameters, a limit of old SQLite builds;
    the library here allows far more. Use its real limit so that an INSERT is one statement on
    every database, as it is on PostgreSQL."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        monkeypatch.setattr(connection.features, "max_query_params", limit)


@pytest.mark.parametrize("job", list(jobs.JOBS))
def test_the_number_of_queries_does_not_grow_with_the_due_rows(
    job, intermediair, relatie, sqlite_real_parameter_limit
):
    counts = []
    for n in (10, 200):
        make_due(job, n, intermediair, relatie)
        with CaptureQueriesContext(connection) as queries:
            assert jobs.JOBS[job](TODAY) == n
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_batches_are_taken_until_none_is_left(intermediair, relatie, monkeypatch):
    monkeypatch.setattr(batches, "BATCH_SIZE", 4)
    make_due("expire", 10, intermediair, relatie)

    with CaptureQueriesContext(connection) as queries:
        assert jobs.expire(TODAY) == 10

    updates = [q for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 3  # 4 + 4 + 2
    assert KetenmachtigingEvent.objects.count() == 10


# --- at the same time (PostgreSQL) ----------------------------------------------------------------


def run_at_once(job, n_runs=2) -> list[int]:
    """Run the job in `n_runs` threads (own connections) that start together."""
    return at_once(lambda: job(TODAY), n_runs)


@postgresql_only("row locks and advisory locks")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("job", list(jobs.JOBS))
@pytest.mark.parametrize("advisory_lock", [True, False], ids=["advisory-lock", "row-locks-only"])
def test_two_runs_at_once_change_each_row_once(job, advisory_lock, monkeypatch):
    """With the advisory lock one run does the work; without it (as on a database that has
    none) the two share the rows through SKIP LOCKED, batch by batch."""
    monkeypatch.setattr(batches, "BATCH_SIZE", 7)
    if not advisory_lock:
        monkeypatch.setattr(batches, "_try_job_lock", lambda name: True)
    intermediair = OrganisationFactory(intermediair=True)
    make_due(job, 60, intermediair, OrganisationFactory())

    results = run_at_once(jobs.JOBS[job])

    assert sum(results) == 60
    if advisory_lock:  # the other run skipped, or came after and found nothing
        assert sorted(results) == [0, 60]
    events_per_row = sorted(KetenmachtigingEvent.objects.values_list("ketenmachtiging", flat=True))
    assert events_per_row == sorted(Ketenmachtiging.objects.values_list("pk", flat=True))
    if job == "send_renewal_reminders":  # a reminder per ketenmachtiging
        assert Bericht.objects.count() == 60
        assert Bericht.objects.values("ketenmachtiging").distinct().count() == 60
    if job == "lapse_invitations":  # status news: a bericht per batch, naming each row once
        bodies = list(Bericht.objects.values_list("body", flat=True))
        for code in Ketenmachtiging.objects.values_list("request_code", flat=True):
            assert sum(code in body for body in bodies) == 1, code


@postgresql_only("row locks and advisory locks")
@pytest.mark.django_db(transaction=True)
def test_a_row_someone_holds_is_left_for_the_next_run():
    intermediair = OrganisationFactory(intermediair=True)
    held, free = actief(TODAY, intermediair=intermediair), actief(TODAY, intermediair=intermediair)
    locked, release = threading.Event(), threading.Event()

    def hold():  # e.g. a beheerder revoking it right now
        try:
            with transaction.atomic():
                Ketenmachtiging.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        started = time.monotonic()
        assert jobs.expire(TODAY) == 1  # without waiting for the lock
        assert time.monotonic() - started < 5
        assert status_of(free) == Status.VERLOPEN
        assert status_of(held) == Status.ACTIEF
    finally:
        release.set()
        holder.join(timeout=30)

    assert jobs.expire(TODAY) == 1
    assert status_of(held) == Status.VERLOPEN


# --- the management command and the task ----------------------------------------------------------


def test_the_command_runs_the_jobs_and_prints_the_counts(intermediair):
    due_for_every_job(intermediair)
    out = io.StringIO()

    call_command("run_nightly_jobs", "--today", "2026-03-10", stdout=out)

    assert out.getvalue() == (
        "execute_revocations: 1\nexpire: 1\nlapse_invitations: 1\nsend_renewal_reminders: 1\n"
    )


def test_the_command_runs_the_named_jobs(intermediair):
    due_for_every_job(intermediair)
    out = io.StringIO()

    call_command(
        "run_nightly_jobs",
        "--job",
        "lapse_invitations",
        "--job",
        "expire",
        "--today",
        "2026-03-10",
        stdout=out,
    )

    assert out.getvalue() == "expire: 1\nlapse_invitations: 1\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--job", "expier"],
            "Onbekende job: expier. Kies uit: execute_revocations, expire, lapse_invitations, "
            "send_renewal_reminders.",
        ),
        (
            ["--today", "10-03-2026"],
            "Ongeldige datum '10-03-2026': gebruik JJJJ-MM-DD, bijvoorbeeld 2026-03-10.",
        ),
    ],
)
def test_the_command_refuses_a_bad_job_or_date(intermediair, args, message):
    km = actief(TODAY, intermediair=intermediair)

    with pytest.raises(CommandError) as refused:
        call_command("run_nightly_jobs", *args, stdout=io.StringIO())

    assert str(refused.value) == message
    assert status_of(km) == Status.ACTIEF


def test_the_beat_schedule_runs_the_task_at_a_quarter_past_two():
    from celery.schedules import crontab

    entry = settings.CELERY_BEAT_SCHEDULE["nightly-jobs"]
    assert entry["task"] == "ketenmachtigingen.tasks.run_nightly_jobs" == nightly_task.name
    assert entry["schedule"] == crontab(hour=2, minute=15)
    assert entry["task"] in celery_app.tasks


def test_the_task_runs_the_jobs_for_today(intermediair):
    ended = actief(dates.today(), intermediair=intermediair)

    result = nightly_task.delay()

    assert result.get() == {
        "execute_revocations": 0,
        "expire": 1,
        "lapse_invitations": 0,
        "send_renewal_reminders": 0,
    }
    assert status_of(ended) == Status.VERLOPEN
