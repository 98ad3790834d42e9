"""One click, one paid request: the same form posted several times at the same moment (a double
click, a impatient reload) makes one ketenmachtiging per relatie, and every page confirms.

The posts run in threads, each with its own database connection, at a barrier: this needs
PostgreSQL's row locks and unique indexes under real concurrency.
"""

import pytest
from django.test import Client
from django.urls import reverse

from ketenmachtigingen.constants import Delivery, Leverancier, Status
from ketenmachtigingen.models import Ketenmachtiging, RegisterEntry
from outbox.models import OutboxMessage
from tests.concurrency import at_once
from tests.databases import postgresql_only
from tests.factories import (
    BulkRequestFactory,
    BulkRequestRowFactory,
    DienstFactory,
    MembershipFactory,
    UserFactory,
)
from tests.ketenmachtigingen.bulk_steps import SEND_DATA as BULK_SEND_DATA
from tests.ketenmachtigingen.renewals import ending, row
from tests.ketenmachtigingen.request_steps import SEND_DATA, complete_steps

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only("row locks and unique indexes under real concurrency"),
]

AT_ONCE = 5


def post_at_once(client, url: str, data: dict) -> list[int]:
    """POST the same form AT_ONCE times at the same moment, in the client's session."""

    def post():
        own = Client()
        own.cookies = client.cookies
        return own.post(url, data).status_code

    return at_once(post, AT_ONCE)


@pytest.fixture
def wizard(portal, beheerder):
    """Stap 1 to 3 of Eén bedrijf done; the draft is in the session."""
    zet = RegisterEntry.objects.create(kvk_nummer="39078749", name="ZET solutions B.V.")
    collega = MembershipFactory(organisation=beheerder.organisation, user=UserFactory())
    complete_steps(portal, zet, DienstFactory(), collega)
    return portal


def test_verzend_aanvraag_tot_goedkeuring(wizard):
    answers = post_at_once(wizard, reverse("ketenmachtigingen:add_send"), SEND_DATA)

    assert answers == [302] * AT_ONCE
    [km] = Ketenmachtiging.objects.all()
    assert (km.relatie.kvk_nummer, km.status) == ("39078749", Status.AANVRAAG_VERSTUURD)
    assert OutboxMessage.objects.filter(kind=Delivery.INVITATION).count() == 1


def test_verwerk_als_goedgekeurd(wizard):
    wizard.post(reverse("ketenmachtigingen:add_duration"), {"duration_years": "5", "approved": "1"})

    answers = post_at_once(
        wizard, reverse("ketenmachtigingen:add_approved"), {"leverancier": Leverancier.KPN}
    )

    assert answers == [302] * AT_ONCE
    [km] = Ketenmachtiging.objects.all()
    assert (km.status, km.leverancier) == (Status.ACTIEF, Leverancier.KPN)
    assert km.events.count() == 1


def test_verleng_selectie(portal, beheerder):
    org = beheerder.organisation
    kms = [ending(org, "Een BV"), ending(org, "Twee BV")]
    data = {
        "selectie": [km.pk for km in kms],
        "costs_agreed": "on",
        "getoond_aantal": "2",
        **row(kms[0], "A", "a@example.nl"),
        **row(kms[1], "B", "b@example.nl"),
    }

    answers = post_at_once(portal, reverse("ketenmachtigingen:renew"), data)

    assert answers == [302] * AT_ONCE
    assert [km.renewals.count() for km in kms] == [1, 1]
    assert OutboxMessage.objects.filter(kind=Delivery.INVITATION).count() == 2


def test_verzend_for_meerdere_bedrijven(portal, beheerder):
    from ketenmachtigingen import wizard as drafts

    bulk = BulkRequestFactory(organisation=beheerder.organisation, created_by=beheerder.user)
    rows = BulkRequestRowFactory.create_batch(3, bulk_request=bulk)
    collega = MembershipFactory(organisation=beheerder.organisation, user=UserFactory())
    session = portal.session
    session[f"ketenmachtiging_draft:{beheerder.organisation.pk}"] = drafts.asdict(
        drafts.Draft(bulk_id=bulk.pk, algemene_bevoegdheid=True, membership_ids=[collega.pk])
    )
    session.save()

    answers = post_at_once(
        portal,
        reverse("ketenmachtigingen:bulk_send", kwargs={"bulk_id": bulk.pk}),
        BULK_SEND_DATA,
    )

    assert answers == [302] * AT_ONCE
    assert OutboxMessage.objects.filter(kind=Delivery.BULK_ROW).count() == 3
    assert Ketenmachtiging.objects.count() == 3  # delivered in-process (eager) after commit
    assert sorted(Ketenmachtiging.objects.values_list("relatie__kvk_nummer", flat=True)) == sorted(
        row.kvk_nummer for row in rows
    )
