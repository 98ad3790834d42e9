"""The invitation through the outbox on a real Celery worker with Redis as broker."""

import pytest
import structlog
from django.core import mail
from django.db import OperationalError

from ketenmachtigingen.constants import ActorKind, Delivery, EventKind, Status
from ketenmachtigingen.models import KetenmachtigingEvent
from ketenmachtigingen.services.creation import (
    Assignment,
    RelatieContact,
    ScopeSelection,
    request_ketenmachtiging,
)
from outbox.models import State
from outbox.services import enqueue, messages_for
from tests.factories import BeheerderFactory, KetenmachtigingFactory, OrganisationFactory
from tests.processes import wait_until
from zlogin import celery_app

# The worker thread has its own database connection: it sees committed rows only.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    # Raised inside celery 5.7's Redis result backend with redis-py 8, not by this code.
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]


def invitation_events(km):
    return list(
        KetenmachtigingEvent.objects.filter(ketenmachtiging=km, kind=EventKind.INVITATION_SENT)
    )


def wait_for(condition, timeout=30.0):
    """Poll the database until `condition` holds. On SQLite the worker thread's writes lock
    whole tables for a moment (the in-memory test database is shared-cache): poll again."""
    return wait_until(condition, timeout, retry_on=(OperationalError,))


def test_the_worker_sends_the_invitation(celery_worker_on_redis):
    km = KetenmachtigingFactory(contact_email="contact@relatie.example.nl")

    message = enqueue(Delivery.INVITATION, target=km)  # autocommit: offered at once

    wait_for(lambda: invitation_events(km))
    [sent] = mail.outbox
    assert sent.to == ["contact@relatie.example.nl"]
    assert sent.attachments[0][0] == f"ketenmachtiging-{km.request_code}.pdf"
    [event] = invitation_events(km)
    assert event.actor_kind == ActorKind.SYSTEM
    km.refresh_from_db()
    assert km.status == Status.AANVRAAG_VERSTUURD
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.DELIVERED, 1)

    # Offered again (e.g. redelivered): nothing more goes out.
    from outbox.tasks import deliver_message

    deliver_message.delay(message.pk)
    enqueue(Delivery.INVITATION, target=km)
    wait_for(lambda: messages_for(km).filter(state=State.SKIPPED).exists())
    assert len(mail.outbox) == 1


def test_a_request_reaches_the_worker_after_commit(celery_worker_on_redis):
    beheerder = BeheerderFactory(organisation=OrganisationFactory(intermediair=True))

    km = request_ketenmachtiging(
        acting_user=beheerder.user,
        intermediair=beheerder.organisation,
        relatie=OrganisationFactory(name="Garage Jansen"),
        scope=ScopeSelection(algemene_bevoegdheid=True),
        assignment=Assignment(),
        duration_years=5,
        contact=RelatieContact(initialen="J.", achternaam="Jansen", email="j@garage.example"),
        intermediair_email="kantoor@example.nl",
        intermediair_telefoon="0201234567",
        costs_agreed=True,
    )

    # The task was queued on commit; only the database tells when it is done.
    wait_for(lambda: invitation_events(km))
    [message] = mail.outbox
    assert message.to == ["j@garage.example"]
    assert message.subject == "Ketenmachtiging voor Garage Jansen"


@celery_app.task(name="tests.integration.request_id_in_the_task")
def request_id_in_the_task():
    return structlog.contextvars.get_contextvars().get("request_id")


def test_a_task_logs_with_the_request_id_of_the_request_that_queued_it(celery_worker_on_redis):
    with structlog.contextvars.bound_contextvars(request_id="req-7"):
        result = request_id_in_the_task.delay()

    assert result.get(timeout=30) == "req-7"
