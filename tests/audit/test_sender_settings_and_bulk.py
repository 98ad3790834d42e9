"""Afzenderinstellingen and Meerdere bedrijven imports write audit events."""

import pytest
from django.urls import reverse

from accounts.services import update_sender_settings
from audit.constants import AuditKind
from audit.models import AuditEvent
from core.errors import DomainError
from ketenmachtigingen.bulk import services as bulk_services
from ketenmachtigingen.imports import ImportResult, ImportRow, RowError
from ketenmachtigingen.models import BulkRequest, BulkRequestState
from ketenmachtigingen.register import Company
from tests.audit.conftest import trail
from tests.factories import (
    BeheerderFactory,
    BulkRequestFactory,
    BulkRequestRowFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(
        intermediair=True,
        name="Pietersen Administratie B.V.",
        afzender_email="oud@pietersen.example.nl",
        afzender_telefoon="+31301234567",
    )


@pytest.fixture
def person(organisation):
    user = UserFactory(initials="A.B.M.", tussenvoegsel="", last_name="Pietersen")
    return BeheerderFactory(organisation=organisation, user=user).user


# --- Afzenderinstellingen ------------------------------------------------------------------------


def test_changed_sender_settings_write_before_and_after(person, organisation):
    changed = update_sender_settings(
        acting_user=person,
        organisation=organisation,
        email="nieuw@pietersen.example.nl",
        telefoon="+31301234567",
    )

    assert changed is True
    organisation.refresh_from_db()
    assert organisation.afzender_email == "nieuw@pietersen.example.nl"
    assert trail() == [
        (
            AuditKind.SENDER_SETTINGS_CHANGED,
            person,
            "A.B.M. Pietersen",
            organisation.pk,
            ("organisation", organisation.pk),
            "Pietersen Administratie B.V.",
            {"email": "oud@pietersen.example.nl", "telefoon": "+31301234567", "taal": "nl"},
            {"email": "nieuw@pietersen.example.nl", "telefoon": "+31301234567", "taal": "nl"},
        )
    ]
    assert AuditEvent.objects.get().description == [
        "E-mailadres afzender gewijzigd van ‘oud@pietersen.example.nl’ in "
        "‘nieuw@pietersen.example.nl’"
    ]


def test_a_changed_mail_language_is_described_by_its_name(person, organisation):
    update_sender_settings(
        acting_user=person,
        organisation=organisation,
        email="oud@pietersen.example.nl",
        telefoon="+31301234567",
        language="en",
    )

    assert AuditEvent.objects.get().description == [
        "Taal van e-mails gewijzigd van ‘Nederlands’ in ‘English’"
    ]


def test_unchanged_sender_settings_write_nothing(person, organisation):
    changed = update_sender_settings(
        acting_user=person,
        organisation=organisation,
        email="oud@pietersen.example.nl",
        telefoon="+31301234567",
    )

    assert changed is False
    assert not AuditEvent.objects.exists()


def test_before_is_what_was_stored_not_what_the_caller_held(person, organisation):
    stale = type(organisation).objects.get(pk=organisation.pk)
    update_sender_settings(
        acting_user=person, organisation=organisation, email="", telefoon="+31301234567"
    )

    update_sender_settings(acting_user=person, organisation=stale, email="", telefoon="")

    last = AuditEvent.objects.order_by("pk").last()
    assert (last.before, last.after) == (
        {"email": "", "telefoon": "+31301234567", "taal": "nl"},
        {"email": "", "telefoon": "", "taal": "nl"},
    )
    assert last.description == ["Telefoonnummer afzender gewijzigd van ‘+31301234567’ in (leeg)"]


def test_the_sender_settings_page_writes_one_event(client, verified_login, person, organisation):
    verified_login(person)
    url = reverse("accounts:sender_settings")
    data = {
        "afzender_email": "nieuw@pietersen.example.nl",
        "afzender_telefoon": "030 1234567",
        "afzender_language": "nl",
    }

    client.post(url, data)
    client.post(url, data)  # saved again unchanged

    assert [(e.kind, e.actor, e.after) for e in AuditEvent.objects.all()] == [
        (
            AuditKind.SENDER_SETTINGS_CHANGED,
            person,
            {"email": "nieuw@pietersen.example.nl", "telefoon": "+31301234567", "taal": "nl"},
        )
    ]


# --- Meerdere bedrijven --------------------------------------------------------------------------


def import_result(filename="relaties.xlsx", valid=2, refused=1) -> ImportResult:
    rows = [
        ImportRow(
            row_number=n + 2,
            kvk_nummer=f"{70_000_000 + n:08d}",
            initialen="J.",
            achternaam="Jansen",
            email=f"j{n}@relatie.example.nl",
            telefoon="+31612345678",
            company=Company(name=f"Relatie {n} B.V.", kvk_nummer=f"{70_000_000 + n:08d}"),
        )
        for n in range(valid)
    ]
    rows += [
        ImportRow(
            row_number=100 + n,
            kvk_nummer="99999999",
            errors=[RowError(100 + n, "KVK-nummer (kolom A)", "Onbekend KVK-nummer.")],
        )
        for n in range(refused)
    ]
    return ImportResult(filename=filename, header_row=1, rows=rows)


def test_create_bulk_request_writes_the_file_and_its_rows(person, organisation):
    bulk = bulk_services.create_bulk_request(
        acting_user=person, organisation=organisation, result=import_result()
    )

    assert trail() == [
        (
            AuditKind.BULK_IMPORT_CREATED,
            person,
            "A.B.M. Pietersen",
            organisation.pk,
            ("bulkrequest", bulk.pk),
            "relaties.xlsx",
            None,
            {"filename": "relaties.xlsx", "rows": 2, "refused_rows": 1},
        )
    ]
    assert AuditEvent.objects.get().description == [
        "Bestand ‘relaties.xlsx’ geïmporteerd: 2 geldige rijen, 1 geweigerde rij"
    ]


def test_the_stale_drafts_an_import_replaces_write_no_event(person, organisation):
    unaccepted = BulkRequestFactory(organisation=organisation, created_by=person, accepted_at=None)

    bulk_services.create_bulk_request(
        acting_user=person, organisation=organisation, result=import_result(refused=0)
    )

    assert not BulkRequest.objects.filter(pk=unaccepted.pk).exists()
    assert [e.kind for e in AuditEvent.objects.all()] == [AuditKind.BULK_IMPORT_CREATED]


def test_delete_bulk_request_writes_the_file_and_its_rows(person, organisation):
    bulk = BulkRequestFactory(organisation=organisation, filename="oud.xlsx", error_row_count=3)
    BulkRequestRowFactory.create_batch(2, bulk_request=bulk)
    bulk_pk = bulk.pk

    bulk_services.delete_bulk_request(bulk, acting_user=person)

    assert not BulkRequest.objects.filter(pk=bulk_pk).exists()
    assert trail() == [
        (
            AuditKind.BULK_IMPORT_DELETED,
            person,
            "A.B.M. Pietersen",
            organisation.pk,
            ("bulkrequest", bulk_pk),
            "oud.xlsx",
            {"filename": "oud.xlsx", "rows": 2, "refused_rows": 3},
            None,
        )
    ]
    assert AuditEvent.objects.get().description == [
        "Bestand ‘oud.xlsx’ verwijderd: 2 geldige rijen, 3 geweigerde rijen"
    ]


def test_a_refused_delete_writes_nothing(person, organisation):
    sent = BulkRequestFactory(organisation=organisation, state=BulkRequestState.SENDING)

    with pytest.raises(DomainError):
        bulk_services.delete_bulk_request(sent, acting_user=person)

    assert BulkRequest.objects.filter(pk=sent.pk).exists()
    assert not AuditEvent.objects.exists()


def test_a_draft_the_wizard_discards_writes_no_event(organisation):
    draft = BulkRequestFactory(organisation=organisation)

    bulk_services.discard_draft(organisation=organisation, bulk_id=draft.pk)

    assert not BulkRequest.objects.exists()
    assert not AuditEvent.objects.exists()


def test_staff_changing_afzenderinstellingen_in_the_admin_write_one_event(client, verified_login):
    from django.urls import reverse

    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    verified_login(staff)
    organisation = OrganisationFactory(intermediair=True, afzender_email="oud@example.nl")
    url = reverse("admin:accounts_organisation_change", args=[organisation.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        ketenmachtigingen_enabled="on",
        afzender_email="nieuw@example.nl",
        afzender_telefoon="06 12345678",
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[-2000:]
    organisation.refresh_from_db()
    assert (organisation.afzender_email, organisation.afzender_telefoon) == (
        "nieuw@example.nl",
        "+31612345678",  # normalised, as on the beheerder's own page
    )
    [event] = AuditEvent.objects.filter(kind=AuditKind.SENDER_SETTINGS_CHANGED)
    assert (event.actor, event.before["email"], event.after["email"]) == (
        staff,
        "oud@example.nl",
        "nieuw@example.nl",
    )
