"""ASVS V2.5 (credential recovery) and V2.2.1 (anti-automation): "Wachtwoord vergeten" and
"Gebruikersnaam vergeten" answer the same, in content and in time, for an account that exists
and one that does not, with the mail server up or down; and they are rate limited: per address
on the page, per account in the worker.

The page only writes an outbox message; with a broker (the production shape) it hands the
message over and never meets the mail server.
"""

import datetime
import re
import statistics
import time

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutboxMessage, State
from outbox.services import deliver
from tests.databases import postgresql_only
from tests.factories import UserFactory
from tests.mailserver import MailServer
from tests.network import closed_port
from tests.processes import RedisServer
from zlogin import celery_app

pytestmark = pytest.mark.django_db

RESET = reverse("password_reset")
REMINDER = reverse("username_reminder")
SAMPLES = 25


def main_content(response) -> str:
    """The page's own content, without the per-request CSRF token in the shell."""
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


@pytest.fixture
def known():
    return UserFactory(username="bestaat", email="bestaat@example.nl")


@pytest.fixture
def broker(settings, monkeypatch):
    """A real broker of this test's own, and no worker: the messages wait there."""
    if not RedisServer.available():
        pytest.skip("redis-server is not installed")
    with RedisServer() as server:
        monkeypatch.setenv("CELERY_BROKER_URL", server.url)
        saved = {name: celery_app.conf[name] for name in ("task_always_eager", "broker_url")}
        celery_app.conf.update(task_always_eager=False, broker_url=server.url)
        yield server
        celery_app.conf.update(saved)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("url", "field", "existing", "unknown"),
    [
        (RESET, "username", "bestaat", "bestaat-niet"),
        (REMINDER, "email", "bestaat@example.nl", "niemand@example.nl"),
    ],
    ids=["wachtwoord-vergeten", "gebruikersnaam-vergeten"],
)
def test_the_same_answer_in_content_and_time(
    known, broker, settings, url, field, existing, unknown
):
    settings.RECOVERY_RATE_PER_ADDRESS = "1000/h"
    client = Client()
    client.get(url)  # warm up
    timings = {existing: [], unknown: []}
    answers = {}
    for _ in range(SAMPLES):
        for value in (existing, unknown):  # interleaved: load on the machine hits both alike
            started = time.perf_counter()
            response = client.post(url, {field: value}, follow=True)
            timings[value].append(time.perf_counter() - started)
            answers[value] = (response.redirect_chain, main_content(response))

    assert answers[existing] == answers[unknown]
    median_existing, median_unknown = (statistics.median(timings[v]) for v in timings)
    assert abs(median_existing - median_unknown) <= 0.25 * max(median_existing, median_unknown), (
        f"{median_existing * 1000:.1f} ms against {median_unknown * 1000:.1f} ms"
    )
    # Every request wrote one message and handed it to the broker; only the worker will find
    # out whether the account exists.
    assert OutboxMessage.objects.filter(state=State.PENDING).count() == 2 * SAMPLES
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_only_the_worker_meets_the_mail_server(known, broker, settings):
    with MailServer() as server:
        server.configure(settings)
        Client().post(RESET, {"username": "bestaat"})
        Client().post(RESET, {"username": "bestaat-niet"})

        states = [deliver(m.pk) for m in OutboxMessage.objects.order_by("pk")]

    assert states == [State.DELIVERED, State.SKIPPED]
    [mail] = server.messages()
    assert mail.recipients == ["bestaat@example.nl"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("url", "field"), [(RESET, "username"), (REMINDER, "email")])
def test_the_same_answer_with_the_mail_server_down(known, settings, url, field):
    """Without a broker (the embedded default) the message is delivered right after the commit;
    a mail server that refuses is recorded, not shown."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    values = ("bestaat", "bestaat-niet") if field == "username" else (known.email, "x@example.nl")

    answers = [Client().post(url, {field: value}, follow=True) for value in values]

    assert [a.status_code for a in answers] == [200, 200]
    assert main_content(answers[0]) == main_content(answers[1])
    assert list(OutboxMessage.objects.order_by("pk").values_list("state", flat=True)) == [
        State.PENDING,  # tried, failed, waits for its next attempt
        State.SKIPPED,
    ]


@pytest.mark.parametrize(
    ("url", "field", "value"),
    [(RESET, "username", "bestaat"), (REMINDER, "email", "bestaat@example.nl")],
)
def test_one_mail_per_account_per_five_minutes(
    known, django_capture_on_commit_callbacks, url, field, value
):
    """Anyone can ask in another person's name; that person gets one mail per 5 minutes (with
    a link that works for an hour), and the page says nothing about it."""
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.post(url, {field: value}).status_code for _ in range(4)]

    assert answers == [302] * 4
    assert len(mail.outbox) == 1
    assert list(OutboxMessage.objects.order_by("pk").values_list("state", flat=True)) == [
        State.DELIVERED,
        State.SKIPPED,
        State.SKIPPED,
        State.SKIPPED,
    ]
    later = timezone.now() + datetime.timedelta(minutes=6)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        client.post(url, {field: value})
    assert len(mail.outbox) == 2


def test_usernames_go_to_the_stored_address_not_the_typed_one(django_capture_on_commit_callbacks):
    UserFactory(username="j.visser", email="j.visser@intermediair.nl")

    with django_capture_on_commit_callbacks(execute=True):
        Client().post(REMINDER, {"email": "J.Visser@INTERMEDIAIR.nl"})

    [sent] = mail.outbox
    assert sent.to == ["j.visser@intermediair.nl"]
    assert "j.visser" in sent.body


@postgresql_only("its UPPER folds ı to I")
def test_a_look_alike_address_gets_nothing(django_capture_on_commit_callbacks):
    """`ı` (dotless i) compares equal to `i` case-insensitively: the usernames still go to the
    stored address only, never to a domain an attacker could register."""
    UserFactory(username="j.visser", email="j.visser@intermediair.nl")

    with django_capture_on_commit_callbacks(execute=True):
        Client().post(REMINDER, {"email": "j.visser@ıntermedıaır.nl"})

    # The comparison matched the account; the mail went to the address stored with it.
    assert [m.to for m in mail.outbox] == [["j.visser@intermediair.nl"]]


def test_per_address_the_rate_is_limited_for_both_pages_together(settings):
    settings.RECOVERY_RATE_PER_ADDRESS = "10/h"
    client = Client(REMOTE_ADDR="203.0.113.10")
    answers = [client.post(RESET, {"username": f"persoon-{n}"}).status_code for n in range(6)]
    answers += [client.post(REMINDER, {"email": f"p{n}@example.nl"}).status_code for n in range(5)]
    refusal = client.post(RESET, {"username": "persoon-99"})
    other = Client(REMOTE_ADDR="198.51.100.7").post(RESET, {"username": "persoon-11"})

    assert answers == [302] * 10 + [429]
    assert refusal.status_code == 429
    assert "Vanaf uw netwerk is dit de afgelopen tijd al te vaak aangevraagd." in (
        refusal.content.decode()
    )
    assert other.status_code == 302
    assert OutboxMessage.objects.count() == 11
