"""Nothing is lost: invitations through a real prefork Celery worker, a Redis broker and an
SMTP server of this test's own, while parts of them fail.

The worker is a separate process (so that it can be killed) on the test database, so these
tests need PostgreSQL; the web side is this process (the Django test client and the services).
"""

import os
import sys
import time

import pytest
from django.db import connection
from django.urls import reverse

from berichtenbox.models import Bericht
from ketenmachtigingen.bulk import selectors as bulk_selectors
from ketenmachtigingen.constants import Delivery, Status
from ketenmachtigingen.models import Ketenmachtiging, RegisterEntry
from ketenmachtigingen.services.creation import (
    Assignment,
    RelatieContact,
    ScopeSelection,
    request_ketenmachtiging,
)
from outbox.models import OutboxMessage, State
from outbox.services import messages_for, sweep
from tests.databases import postgresql_only
from tests.factories import (
    BulkRequestFactory,
    BulkRequestRowFactory,
    DienstFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.ketenmachtigingen.bulk_steps import submit
from tests.ketenmachtigingen.request_steps import SEND_DATA, complete_steps
from tests.mailserver import MailServer
from tests.network import closed_port
from tests.processes import CeleryWorker, RedisServer, wait_until
from zlogin import celery_app

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    postgresql_only("a worker process shares the database with the test"),
    pytest.mark.skipif(not RedisServer.available(), reason="redis-server is not installed"),
]

MAX_ATTEMPTS = 3


def database_url() -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{settings['NAME']}"


def point_web_at(broker_url: str) -> None:
    """The web side (this process) hands messages to this broker from now on. (Celery reads
    CELERY_BROKER_URL from the environment before its own configuration: both are set.)"""
    os.environ["CELERY_BROKER_URL"] = broker_url
    conf = celery_app.conf
    conf.update(task_always_eager=False, broker_url=broker_url, result_backend=None)
    celery_app._pool = None
    vars(celery_app).pop("amqp", None)


@pytest.fixture
def mailserver():
    with MailServer() as server:
        yield server


@pytest.fixture
def broker():
    with RedisServer() as server:
        yield server


@pytest.fixture
def web(broker, monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", broker.url)  # restored after the test
    saved = {name: celery_app.conf[name] for name in ("task_always_eager", "broker_url")}
    point_web_at(broker.url)
    yield
    celery_app.conf.update(saved)
    celery_app._pool = None
    vars(celery_app).pop("amqp", None)


@pytest.fixture
def worker_env(broker, mailserver):
    return {
        "DJANGO_SETTINGS_MODULE": "zlogin.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker.url,
        "CELERY_RESULT_BACKEND": broker.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": mailserver.url,
        "EMAIL_TIMEOUT": "10",
        "OUTBOX_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        "OUTBOX_RETRY_SECONDS": "1",
        "OUTBOX_RETRY_MAX_SECONDS": "1",
        "LOG_LEVEL": "INFO",
        # One line per event, a traceback without the locals of every frame.
        "LOG_FORMAT": "json",
    }


@pytest.fixture
def worker(worker_env, web):
    with CeleryWorker(worker_env, concurrency=2) as started:
        yield started
        # Shown by pytest only with a failure: the end of what the worker did meanwhile.
        sys.stderr.write(f"The worker's log, its end:\n{started.output()[-15000:]}")


def request_one(beheerder, email: str, name: str = "Garage Jansen") -> Ketenmachtiging:
    return request_ketenmachtiging(
        acting_user=beheerder.user,
        intermediair=beheerder.organisation,
        relatie=OrganisationFactory(name=name),
        scope=ScopeSelection(algemene_bevoegdheid=True),
        assignment=Assignment(),
        duration_years=5,
        contact=RelatieContact(initialen="J.", achternaam="Jansen", email=email),
        intermediair_email="kantoor@example.nl",
        intermediair_telefoon="0201234567",
        costs_agreed=True,
    )


def invitation_of(km) -> OutboxMessage:
    return messages_for(km).get(kind=Delivery.INVITATION)


def delivered(km) -> bool:
    return Ketenmachtiging.objects.filter(pk=km.pk, invitation_sent_at__isnull=False).exists()


def fill_in_the_wizard(client, verified_login, beheerder) -> None:
    """Stap 1 to 3 of Eén bedrijf, as in the request view tests; the send form follows."""
    verified_login(beheerder.user)
    zet = RegisterEntry.objects.create(kvk_nummer="39078749", name="ZET solutions B.V.")
    collega = MembershipFactory(organisation=beheerder.organisation, user=UserFactory())
    complete_steps(client, zet, DienstFactory(), collega)


def sweep_until(condition, timeout: float = 60.0):
    """What the beat does every minute, done here every half second."""

    def swept():
        sweep()
        return condition()

    return wait_until(swept, timeout, interval=0.5)


def test_a_pool_process_killed_mid_send_delivers_after_restart(worker, mailserver, beheerder):
    mailserver.hold.set()
    km = request_one(beheerder, "kill@garage.example")  # committed: offered at once

    wait_until(mailserver.holding.is_set, 60, what="the mail in the middle of its send")
    worker.kill_pool_process(talking_from_port=mailserver.held_peer[1])
    # The killed sender's mail never completes; the server answers nobody.
    mailserver.hold.clear()
    mailserver.drop_held = True
    mailserver.release.set()

    # Given back to the broker by the worker (task_reject_on_worker_lost), no sweep needed.
    wait_until(lambda: delivered(km), 60, what="the invitation after the restart")
    assert len(mailserver.to("kill@garage.example")) == 1
    message = invitation_of(km)
    assert (message.state, message.attempts) == (State.DELIVERED, 2)


def test_the_broker_down_during_the_request(
    worker, broker, mailserver, client, verified_login, beheerder
):
    """The page confirms at once; the invitation follows when the broker is back."""
    fill_in_the_wizard(client, verified_login, beheerder)
    point_web_at(f"redis://127.0.0.1:{closed_port()}/0")

    started = time.monotonic()
    response = client.post(reverse("ketenmachtigingen:add_send"), SEND_DATA, follow=True)
    seconds = time.monotonic() - started

    assert response.status_code == 200
    assert "De ketenmachtiging is toegevoegd/ verzonden." in response.content.decode()
    assert seconds < 3
    km = Ketenmachtiging.objects.get()
    message = invitation_of(km)
    assert (message.state, message.dispatched_at) == (State.PENDING, None)  # for the sweep

    point_web_at(broker.url)  # the broker is back
    sweep_until(lambda: delivered(km))
    assert len(mailserver.to("j.zetman@zet.example.nl")) == 1


def test_a_hung_broker_during_the_request(
    worker, broker, mailserver, client, verified_login, beheerder
):
    """A broker that accepts connections and answers nothing holds the page up for at most
    CELERY_BROKER_CONNECTION_TIMEOUT; the invitation follows when it answers again."""
    fill_in_the_wizard(client, verified_login, beheerder)
    broker.freeze()
    try:
        started = time.monotonic()
        response = client.post(reverse("ketenmachtigingen:add_send"), SEND_DATA, follow=True)
        seconds = time.monotonic() - started
    finally:
        broker.thaw()

    assert "De ketenmachtiging is toegevoegd/ verzonden." in response.content.decode()
    assert seconds < celery_app.conf.broker_connection_timeout + 1.5
    km = Ketenmachtiging.objects.get()
    assert invitation_of(km).dispatched_at is None
    sweep_until(lambda: delivered(km))
    assert len(mailserver.to("j.zetman@zet.example.nl")) == 1


def test_smtp_refusing_then_accepting(worker, mailserver, beheerder):
    mailserver.refusing = True
    km = request_one(beheerder, "later@garage.example")

    wait_until(lambda: invitation_of(km).attempts >= 1 and invitation_of(km).last_error, 60)
    assert "451" in invitation_of(km).last_error
    assert invitation_of(km).state == State.PENDING
    mailserver.refusing = False

    sweep_until(lambda: delivered(km))
    assert len(mailserver.to("later@garage.example")) == 1
    km.refresh_from_db()
    assert km.status == Status.AANVRAAG_VERSTUURD


def test_smtp_refusing_for_ever_makes_it_fout_with_a_bericht(worker, mailserver, beheerder):
    mailserver.refusing = True
    km = request_one(beheerder, "never@garage.example", name="Bakkerij Nooit")

    sweep_until(lambda: invitation_of(km).state == State.FAILED)

    message = invitation_of(km)
    assert message.attempts == MAX_ATTEMPTS
    km.refresh_from_db()
    assert km.status == Status.FOUT
    assert km.status_reason.startswith("De uitnodiging kon niet worden verstuurd: SMTPDataError")
    assert "451" in km.status_reason
    [bericht] = Bericht.objects.filter(ketenmachtiging=km)
    assert bericht.organisation_id == beheerder.organisation_id
    assert bericht.subject == "Aanvraag voor Bakkerij Nooit is mislukt"
    assert mailserver.to("never@garage.example") == []


def test_a_bulk_of_20_with_the_broker_gone_halfway(worker, broker, mailserver, beheerder, settings):
    """Every row's invitation is delivered exactly once after the broker came back empty."""
    # The sweep's patience with messages it handed over, shortened for the test.
    settings.OUTBOX_DISPATCH_LEASE_SECONDS = settings.OUTBOX_QUEUE_LEASE_SECONDS = 2
    bulk = BulkRequestFactory(organisation=beheerder.organisation, created_by=beheerder.user)
    addresses = [
        row.contact_email for row in BulkRequestRowFactory.create_batch(20, bulk_request=bulk)
    ]
    submit(bulk, beheerder)

    wait_until(lambda: len(mailserver.messages()) >= 8, 120, what="half the invitations")
    broker.kill()
    time.sleep(2)
    broker.restart()

    sweep_until(lambda: all(mailserver.to(address) for address in addresses), 180)
    assert [len(mailserver.to(address)) for address in addresses] == [1] * 20
    progress = bulk_selectors.progress(bulk)
    assert (progress.total, progress.delivered, progress.failed, progress.done) == (20, 20, 0, True)
