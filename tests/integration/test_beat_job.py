"""The beat schedule's nightly task on a real Celery worker, with Redis as broker and backend.

The worker runs in a thread of this process with its own database connection, so it sees
committed rows only (hence transaction=True).
"""

import datetime

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import OperationalError

from berichtenbox.models import Bericht
from ketenmachtigingen import dates
from ketenmachtigingen.constants import ActorKind, EventKind, Status
from ketenmachtigingen.models import Ketenmachtiging, KetenmachtigingEvent
from tests.factories import BeheerderFactory, KetenmachtigingFactory, OrganisationFactory
from tests.processes import wait_until
from zlogin import celery_app

# Database 12 is this test's own: other integration tests use 13.
REDIS_URL = "redis://127.0.0.1:6379/12"
CELERY_SETTINGS = ("task_always_eager", "broker_url", "result_backend")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    # Raised inside celery 5.7's Redis result backend with redis-py 8, not by this code.
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]


def redis_answers(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        return False


def forget_connections(app) -> None:
    """Drop the broker pool and result backend made for the previous URLs, so that the next
    use connects to the current ones."""
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    vars(app._local).pop("backend", None)


@pytest.fixture
def worker(monkeypatch):
    if not redis_answers(REDIS_URL):
        pytest.skip(f"Redis does not answer PING at {REDIS_URL}")
    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", REDIS_URL)
    conf = celery_app.conf
    saved = {name: conf[name] for name in CELERY_SETTINGS}
    conf.update(task_always_eager=False, broker_url=REDIS_URL, result_backend=REDIS_URL)
    forget_connections(celery_app)
    try:
        celery_app.control.purge()  # left over by an interrupted run
        with start_worker(celery_app, pool="solo", perform_ping_check=False) as started:
            yield started
    finally:
        conf.update(saved)
        forget_connections(celery_app)


def test_the_scheduled_task_runs_the_nightly_jobs_on_the_worker(worker):
    today = dates.today()
    beheerder = BeheerderFactory(organisation=OrganisationFactory(intermediair=True))
    intermediair = beheerder.organisation

    def actief(end_date, **kwargs):
        start = dates.add_years(end_date, -5)
        return KetenmachtigingFactory(
            actief=True, intermediair=intermediair, start_date=start, end_date=end_date, **kwargs
        )

    revoke = actief(dates.add_years(today, 1), revocation_date=today)
    ends = actief(today)
    runs_on = actief(dates.add_years(today, 1))
    remind = actief(today + datetime.timedelta(days=10))
    lapse = KetenmachtigingFactory(
        intermediair=intermediair, sent_at=dates.start_of(dates.add_months(today, -4))
    )

    entry = settings.CELERY_BEAT_SCHEDULE["nightly-jobs"]
    result = celery_app.send_task(entry["task"])

    assert result.get(timeout=60) == {
        "execute_revocations": 1,
        "expire": 1,
        "lapse_invitations": 1,
        "send_renewal_reminders": 1,
    }
    statuses = dict(Ketenmachtiging.objects.values_list("pk", "status"))
    assert statuses == {
        revoke.pk: Status.INGETROKKEN,
        ends.pk: Status.VERLOPEN,
        runs_on.pk: Status.ACTIEF,
        remind.pk: Status.ACTIEF,
        lapse.pk: Status.VERVALLEN,
    }
    events = KetenmachtigingEvent.objects.values_list("ketenmachtiging", "kind", "actor_kind")
    assert sorted(events) == sorted(
        [
            (revoke.pk, EventKind.STATUS, ActorKind.SYSTEM),
            (ends.pk, EventKind.STATUS, ActorKind.SYSTEM),
            (lapse.pk, EventKind.STATUS, ActorKind.SYSTEM),
            (remind.pk, EventKind.REMINDER_SENT, ActorKind.SYSTEM),
        ]
    )
    # Every status change and the reminder tell the intermediair.
    assert sorted(Bericht.objects.values_list("ketenmachtiging", flat=True)) == sorted(
        [revoke.pk, ends.pk, lapse.pk, remind.pk]
    )

    # Sent again (a second beat, a redelivery): nothing left to do.
    assert set(celery_app.send_task(entry["task"]).get(timeout=60).values()) == {0}
    assert KetenmachtigingEvent.objects.count() == 4


def test_the_announcements_follow_on_the_worker(worker):
    """The berichten are announced by a task the job queues on commit: one mail per posting."""
    beheerder = BeheerderFactory(organisation=OrganisationFactory(intermediair=True))
    today = dates.today()
    for days in (10, 20):
        end = today + datetime.timedelta(days=days)
        KetenmachtigingFactory(
            actief=True,
            intermediair=beheerder.organisation,
            start_date=dates.add_years(end, -5),
            end_date=end,
        )

    celery_app.send_task(settings.CELERY_BEAT_SCHEDULE["nightly-jobs"]["task"]).get(timeout=60)

    wait_for(lambda: not Bericht.objects.filter(announced_at__isnull=True).exists())
    [message] = mail.outbox
    assert message.to == [beheerder.user.email]


def wait_for(condition, timeout=30.0):
    """Poll the database until `condition` holds. On SQLite the worker thread's writes lock
    whole tables for a moment (the in-memory test database is shared-cache): poll again."""
    return wait_until(condition, timeout, retry_on=(OperationalError,))
