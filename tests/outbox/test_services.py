"""The outbox itself: when a message is due, what the sweep offers, what fails for good, what
staff send again, and what is pruned."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from berichtenbox.models import Bericht
from berichtenbox.services import ANNOUNCEMENT, mark_read, post_bericht
from outbox import services
from outbox.models import OutboxMessage, State
from outbox.registry import register
from outbox.services import deliver, enqueue, prune, sweep
from tests.databases import postgresql_only
from tests.factories import BeheerderFactory, OrganisationFactory
from tests.mailserver import MailServer
from tests.processes import wait_until

pytestmark = pytest.mark.django_db

ANNOUNCE = ANNOUNCEMENT
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def organisation():
    return BeheerderFactory(organisation=OrganisationFactory(intermediair=True)).organisation


def announcement(organisation, **fields) -> OutboxMessage:
    message = enqueue(ANNOUNCE, target=organisation)
    OutboxMessage.objects.filter(pk=message.pk).update(**fields)
    message.refresh_from_db()
    return message


def test_a_first_attempt_is_due_whatever_the_clock_says(organisation):
    """The web host that wrote it may run a little ahead of the worker."""
    post_bericht(organisation=organisation, subject="Eerste", body="…")
    [message] = OutboxMessage.objects.all()
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=2)
    )

    assert deliver(message.pk) == State.DELIVERED


def test_a_retry_waits_for_its_time(organisation, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.DisconnectingBackend"
    post_bericht(organisation=organisation, subject="Eerste", body="…")
    [message] = OutboxMessage.objects.all()

    assert deliver(message.pk) == State.PENDING
    message.refresh_from_db()
    assert message.next_attempt_at - timezone.now() > 50 * datetime.timedelta(seconds=1)
    assert deliver(message.pk) is None  # not due
    assert sweep() == 0  # nor for the sweep
    assert sweep(now=timezone.now() + 2 * MINUTE) == 1


def test_the_sweep_offers_what_is_not_with_a_worker(organisation, settings):
    settings.OUTBOX_DISPATCH_LEASE_SECONDS = 300
    settings.OUTBOX_QUEUE_LEASE_SECONDS = 1800
    now = timezone.now() + MINUTE  # every message below is due
    refused = announcement(organisation, dispatched_at=None)  # the broker was down
    queued = announcement(organisation, dispatched_at=now - 10 * MINUTE)  # a long queue
    lost = announcement(organisation, dispatched_at=now - 40 * MINUTE)  # the broker lost it
    working = announcement(
        organisation, dispatched_at=now - 10 * MINUTE, claimed_at=now - 2 * MINUTE, attempts=1
    )
    died = announcement(
        organisation, dispatched_at=now - 10 * MINUTE, claimed_at=now - 6 * MINUTE, attempts=1
    )
    announcement(organisation, dispatched_at=None, state=State.DELIVERED)

    with pytest.MonkeyPatch.context() as patch:
        offered = []
        patch.setattr(services, "publish_on_commit", offered.extend)
        assert sweep(now=now) == 3

    assert sorted(offered) == sorted([refused.pk, lost.pk, died.pk])
    assert queued.pk not in offered and working.pk not in offered


def test_an_unknown_kind_fails_after_its_attempts(organisation, settings):
    """A message no worker knows (a kind renamed, an old worker during a deploy) is retried,
    then fails visibly instead of waiting for ever."""
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = announcement(organisation, kind="verdwenen.soort")

    assert deliver(message.pk) == State.PENDING
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert deliver(message.pk) == State.FAILED

    message.refresh_from_db()
    assert message.last_error == "LookupError: No outbox kind 'verdwenen.soort' is registered."


def test_a_message_that_killed_its_worker_every_time_fails(organisation, settings):
    """Its attempts were counted before each try, so it cannot come back for ever."""
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = announcement(organisation, attempts=3, claimed_at=timezone.now() - MINUTE)

    assert deliver(message.pk) is None

    message.refresh_from_db()
    assert (message.state, message.last_error) == (
        State.FAILED,
        "De aflevering is 3 keer afgebroken.",
    )


def test_only_the_latest_claim_delivers(organisation):
    """Two tasks for one message: the one that claimed it first finds the count moved on."""
    post_bericht(organisation=organisation, subject="Eerste", body="…")
    [message] = OutboxMessage.objects.all()
    first = services._claim(message.pk)
    second = services._claim(message.pk)

    assert (first, second) == (1, 2)
    assert deliver(message.pk) == State.DELIVERED  # a third claim, the latest
    message.refresh_from_db()
    assert message.attempts == 3


def test_staff_send_a_failed_message_again(organisation, settings, admin_user):
    settings.EMAIL_BACKEND = "tests.mail_backends.DisconnectingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    post_bericht(organisation=organisation, subject="Eerste", body="…")
    [message] = OutboxMessage.objects.all()
    assert deliver(message.pk) == State.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert services.resend([message], acting_user=admin_user) == 1
    assert services.resend([message], acting_user=admin_user) == 0  # pending: not again
    assert deliver(message.pk) == State.DELIVERED
    message.refresh_from_db()
    assert (message.attempts, message.last_error) == (1, "")


def test_prune_keeps_what_failed_and_what_is_recent(organisation, settings):
    settings.OUTBOX_RETENTION_DAYS = 90
    old = timezone.now() - datetime.timedelta(days=91)
    delivered = announcement(organisation, state=State.DELIVERED)
    skipped = announcement(organisation, state=State.SKIPPED)
    failed = announcement(organisation, state=State.FAILED)
    pending = announcement(organisation)
    OutboxMessage.objects.filter(pk__in=[delivered.pk, skipped.pk, failed.pk, pending.pk]).update(
        created_at=old
    )
    recent = announcement(organisation, state=State.DELIVERED)

    assert prune() == 2

    assert sorted(OutboxMessage.objects.values_list("pk", flat=True)) == sorted(
        [failed.pk, pending.pk, recent.pk]
    )


def test_register_refuses_nothing_but_unknown_kinds_fail_at_enqueue():
    with pytest.raises(LookupError):
        enqueue("niet.geregistreerd")
    register("tests.noop", label="noop", deliver=lambda message: True)
    assert enqueue("tests.noop").state == State.PENDING


@pytest.mark.django_db(transaction=True)
@postgresql_only("row locks")
def test_reading_a_bericht_does_not_wait_for_its_announcement(organisation, settings):
    """The announcement holds its lock while the mail server takes its time; opening the
    bericht in the portal (marking it read) goes on meanwhile."""
    with MailServer() as server:
        server.configure(settings)
        server.hold.set()
        bericht = post_bericht(organisation=organisation, subject="Eerste", body="…")
        [message] = OutboxMessage.objects.all()
        # Written in autocommit: the eager delivery ran at once and failed on the held mail?
        # No: EMAIL_TIMEOUT is longer than this test; deliver in a thread instead.
        OutboxMessage.objects.filter(pk=message.pk).update(attempts=0, state=State.PENDING)

        def announce():
            try:
                deliver(message.pk)
            finally:
                connection.close()

        sender = threading.Thread(target=announce)
        sender.start()
        wait_until(server.holding.is_set, 10, what="the announcement at the mail server")
        started = timezone.now()
        mark_read(bericht)
        waited = timezone.now() - started
        server.hold.clear()
        server.release.set()
        sender.join()

    assert waited < datetime.timedelta(seconds=1)
    assert Bericht.objects.get(pk=bericht.pk).read_at is not None
    message.refresh_from_db()
    assert message.state == State.DELIVERED
