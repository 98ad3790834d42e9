"""Verzendingen in the admin: the backlog of mails and bulk rows, and "Verstuur opnieuw"."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from berichtenbox.services import ANNOUNCEMENT
from ketenmachtigingen.constants import Delivery, Status
from outbox.models import OutboxMessage, State
from outbox.services import enqueue
from tests.factories import KetenmachtigingFactory, OrganisationFactory, UserFactory

from .conftest import messages_of

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:outbox_outboxmessage_changelist")


def failed_invitation(**fields):
    km = KetenmachtigingFactory(status=Status.FOUT, status_reason="De uitnodiging kon niet …")
    message = enqueue(Delivery.INVITATION, target=km)
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=State.FAILED, attempts=10, last_error="SMTPServerDisconnected: <b>weg</b>", **fields
    )
    return km, message


def test_the_list_shows_kind_target_state_and_error(admin_client):
    km, message = failed_invitation()
    enqueue(ANNOUNCEMENT, target=OrganisationFactory())

    response = admin_client.get(CHANGELIST, {"state__exact": State.FAILED})
    content = response.content.decode()

    assert list(response.context["cl"].result_list) == [message]  # filtered on Mislukt
    assert "Uitnodiging aan de relatie" in content
    assert reverse("admin:ketenmachtigingen_ketenmachtiging_change", args=[km.pk]) in content
    assert "Mislukt" in content
    assert "SMTPServerDisconnected: &lt;b&gt;weg&lt;/b&gt;" in content  # escaped


def test_the_list_costs_the_same_queries_for_many_messages(admin_client):
    failed_invitation()
    with CaptureQueriesContext(connection) as few:
        admin_client.get(CHANGELIST)
    for _ in range(10):
        failed_invitation()
    with CaptureQueriesContext(connection) as many:
        admin_client.get(CHANGELIST)

    assert len(many) == len(few)


def test_verstuur_opnieuw_sends_a_failed_invitation_again(
    admin_client, django_capture_on_commit_callbacks
):
    km, message = failed_invitation()
    pending = enqueue(ANNOUNCEMENT, target=OrganisationFactory())

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST,
            {"action": "send_again", "_selected_action": [message.pk, pending.pk]},
            follow=True,
        )

    assert messages_of(response) == [
        "1 verzending wordt opnieuw verstuurd.",
        "1 verzending is niet mislukt en is overgeslagen.",
    ]
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.DELIVERED, 1)
    km.refresh_from_db()
    assert km.status == Status.AANVRAAG_VERSTUURD
    assert km.invitation_sent_at is not None


def test_verstuur_opnieuw_needs_the_change_permission(client, verified_login):
    viewer = UserFactory(is_staff=True, with_totp_device=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    verified_login(viewer)
    _km, message = failed_invitation()

    page = client.get(CHANGELIST).content.decode()
    response = client.post(
        CHANGELIST, {"action": "send_again", "_selected_action": [message.pk]}, follow=True
    )

    assert "Verstuur opnieuw" not in page
    message.refresh_from_db()
    assert message.state == State.FAILED
    assert response.status_code == 200


def test_nothing_is_added_changed_or_deleted_by_hand(admin_client):
    _km, message = failed_invitation()

    assert admin_client.get(reverse("admin:outbox_outboxmessage_add")).status_code == 403
    detail = admin_client.get(reverse("admin:outbox_outboxmessage_change", args=[message.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    delete = reverse("admin:outbox_outboxmessage_delete", args=[message.pk])
    assert admin_client.get(delete).status_code == 403


def test_a_ketenmachtiging_lists_its_deliveries(admin_client):
    km, _message = failed_invitation()

    content = admin_client.get(
        reverse("admin:ketenmachtigingen_ketenmachtiging_change", args=[km.pk])
    ).content.decode()

    assert "Uitnodiging aan de relatie: Mislukt (10 pogingen)" in content
    assert "Bekijk in Verzendingen" in content
