"""The ketenmachtigingen in the admin: the list, the search, the read-only change page.

The buttons that change the status are in test_lifecycle_buttons.py.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ketenmachtigingen.admin.ketenmachtiging import request_code_lookup
from ketenmachtigingen.constants import ActorKind, EventKind, Leverancier, Status
from ketenmachtigingen.models import Ketenmachtiging, KetenmachtigingEvent
from tests.factories import KetenmachtigingFactory, OrganisationFactory, UserFactory

from .conftest import messages_of

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:ketenmachtigingen_ketenmachtiging_changelist")
CODE = "KM-7XQ2-M9PA-K4TR"


def change_url(km):
    return reverse("admin:ketenmachtigingen_ketenmachtiging_change", args=[km.pk])


def listed(response) -> set[str]:
    return {km.request_code for km in response.context["cl"].result_list}


# --- the list -----------------------------------------------------------------------------------


def test_the_list_shows_the_columns_and_the_filters(admin_client):
    km = KetenmachtigingFactory(
        actief=True,
        leverancier=Leverancier.KPN,
        relatie=OrganisationFactory(name="Bakkerij De Korenschoof B.V."),
        intermediair=OrganisationFactory(name="Administratiekantoor Pietersen", intermediair=True),
    )

    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    content = response.content.decode()
    for text in (
        km.request_code,
        "Bakkerij De Korenschoof B.V.",
        "Administratiekantoor Pietersen",
        "Actief",
        "KPN",
        f'href="{change_url(km)}"',
    ):
        assert text in content
    for header in ("Aanvraagcode", "Relatie", "Intermediair", "Status", "Leverancier"):
        assert f">{header}<" in content
    assert [spec.title for spec in response.context["cl"].filter_specs] == [
        "status",
        "leverancier",
        "verstuurd op",
    ]


def test_the_filters_narrow_the_list(admin_client):
    sent = KetenmachtigingFactory(aanvraag_verstuurd=True, leverancier=Leverancier.KPN)
    received = KetenmachtigingFactory(aanvraag_ontvangen=True, leverancier=Leverancier.KPN)
    other_supplier = KetenmachtigingFactory(aanvraag_verstuurd=True, leverancier=Leverancier.RECONI)
    long_ago = KetenmachtigingFactory(
        aanvraag_verstuurd=True,
        leverancier=Leverancier.KPN,
        sent_at=timezone.now() - datetime.timedelta(days=60),
    )

    by_status = admin_client.get(CHANGELIST, {"status__exact": Status.AANVRAAG_VERSTUURD})
    assert listed(by_status) == {
        sent.request_code,
        other_supplier.request_code,
        long_ago.request_code,
    }

    by_supplier = admin_client.get(CHANGELIST, {"leverancier__exact": "kpn"})
    assert listed(by_supplier) == {sent.request_code, received.request_code, long_ago.request_code}

    by_both = admin_client.get(
        CHANGELIST, {"status__exact": Status.AANVRAAG_VERSTUURD, "leverancier__exact": "kpn"}
    )
    assert listed(by_both) == {sent.request_code, long_ago.request_code}

    # The sent-date filter's own "Afgelopen zeven dagen" link.
    spec = by_status.context["cl"].filter_specs[2]
    (last_week,) = [
        choice["query_string"]
        for choice in spec.choices(by_status.context["cl"])
        if choice["display"] == "Afgelopen zeven dagen"
    ]
    by_sent_date = admin_client.get(CHANGELIST + last_week)
    # The received one was sent 14 days ago (factory trait), long_ago 60 days ago.
    assert listed(by_sent_date) == {sent.request_code, other_supplier.request_code}


# --- the search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        CODE,
        "km-7xq2-m9pa-k4tr",
        "KM7XQ2M9PAK4TR",
        "km7xq2m9pak4tr",
        "7XQ2M9PAK4TR",
        "7xq2 m9pa k4tr",
        "  KM 7XQ2-M9PA K4TR ",
        "KM-7XQ2",
        "km7xq2m9",
    ],
)
def test_search_finds_the_request_code_however_it_is_typed(admin_client, typed):
    km = KetenmachtigingFactory(request_code=CODE)
    KetenmachtigingFactory(request_code="KM-AAAA-BBBB-CCCC")

    response = admin_client.get(CHANGELIST, {"q": typed})

    assert listed(response) == {km.request_code}


def test_search_by_kvk_nummer_and_names(admin_client):
    relatie = OrganisationFactory(name="Bakkerij De Korenschoof B.V.", kvk_nummer="12345678")
    intermediair = OrganisationFactory(
        name="Administratiekantoor Pietersen", kvk_nummer="87654321", intermediair=True
    )
    km = KetenmachtigingFactory(relatie=relatie, intermediair=intermediair)
    KetenmachtigingFactory()

    for term in ("12345678", "87654321", "korenschoof", "Pietersen"):
        assert listed(admin_client.get(CHANGELIST, {"q": term})) == {km.request_code}, term


def test_search_combines_with_the_filters(admin_client):
    km = KetenmachtigingFactory(request_code=CODE, aanvraag_verstuurd=True)

    response = admin_client.get(CHANGELIST, {"q": "km7xq2m9pak4tr", "status__exact": Status.ACTIEF})

    assert listed(response) == set()
    assert listed(admin_client.get(CHANGELIST, {"q": "km7xq2m9pak4tr"})) == {km.request_code}


@pytest.mark.parametrize(
    "term",
    ["", "Jansen", "KM-", "7XQ2", "KM-7XQ2-M9PA-K4TR-X", "KM-7XQ2-M9PA-K4T0", "12345678"],
)
def test_terms_that_are_no_request_code_are_left_to_the_normal_search(term):
    assert request_code_lookup(term) is None


# --- the change page ----------------------------------------------------------------------------


def test_the_change_page_is_read_only_except_the_reference(admin_client):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True, reference="Dossier 1")

    response = admin_client.get(change_url(km))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.fields) == ["reference"]
    content = response.content.decode()
    assert 'name="status"' not in content
    assert 'name="start_date"' not in content
    assert 'name="end_date"' not in content
    assert 'name="reference"' in content
    assert "Aanvraag verstuurd" in content


def test_posting_a_status_to_the_change_form_changes_nothing_but_the_reference(admin_client):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True, reference="Dossier 1")

    response = admin_client.post(
        change_url(km),
        {
            "reference": "Dossier 2",
            "status": Status.ACTIEF,
            "start_date": "2026-01-01",
            "end_date": "2031-01-01",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    km.refresh_from_db()
    assert km.reference == "Dossier 2"
    assert km.status == Status.AANVRAAG_VERSTUURD
    assert km.start_date is None and km.end_date is None
    assert km.events.count() == 0


def test_there_is_no_add_and_no_delete(admin_client):
    km = KetenmachtigingFactory()

    assert (
        admin_client.get(reverse("admin:ketenmachtigingen_ketenmachtiging_add")).status_code == 403
    )
    delete = reverse("admin:ketenmachtigingen_ketenmachtiging_delete", args=[km.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Ketenmachtiging.objects.filter(pk=km.pk).exists()
    changelist = admin_client.get(CHANGELIST)
    assert "delete_selected" not in dict(changelist.context["action_form"].fields["action"].choices)
    assert reverse("admin:ketenmachtigingen_ketenmachtiging_add") not in changelist.content.decode()


def test_the_audit_trail_shows_inline_read_only_newest_last(admin_client):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True)
    staff = UserFactory(is_staff=True, first_name="Els", initials="E.", last_name="Visser")
    KetenmachtigingEvent.objects.create(
        ketenmachtiging=km,
        kind=EventKind.INVITATION_SENT,
        actor_kind=ActorKind.SYSTEM,
        note="Eerste gebeurtenis",
    )
    KetenmachtigingEvent.objects.create(
        ketenmachtiging=km,
        kind=EventKind.STATUS,
        actor_kind=ActorKind.STAFF,
        actor=staff,
        from_status=Status.AANVRAAG_VERSTUURD,
        to_status=Status.AANVRAAG_ONTVANGEN,
        note="Tweede gebeurtenis",
    )

    response = admin_client.get(change_url(km))

    content = response.content.decode()
    assert content.index("Eerste gebeurtenis") < content.index("Tweede gebeurtenis")
    assert "E. Visser" in content
    assert "Z login medewerker" in content
    assert 'name="events-0-note"' not in content  # shown, not editable
    (inline,) = response.context["inline_admin_formsets"]
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission


def test_an_unknown_ketenmachtiging_goes_back_with_a_message(admin_client):
    response = admin_client.get(
        reverse("admin:ketenmachtigingen_ketenmachtiging_mark_received", args=[999999])
    )

    assert response.status_code == 302
    assert "bestaat niet" in " ".join(messages_of(response))
