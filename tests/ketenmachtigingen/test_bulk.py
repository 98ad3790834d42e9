"""Meerdere bedrijven through the views: import, review, Stap 2 to 4, sending and progress."""

import io
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalogue.scopes import ScopeSelection
from ketenmachtigingen.bulk import services
from ketenmachtigingen.constants import Delivery, Status
from ketenmachtigingen.errors import DomainError
from ketenmachtigingen.models import (
    BulkRequest,
    BulkRequestRow,
    BulkRequestState,
    BulkRowState,
    Ketenmachtiging,
    RegisterEntry,
)
from ketenmachtigingen.services import lifecycle
from ketenmachtigingen.services.creation import Assignment
from outbox.models import OutboxMessage, State
from outbox.services import deliver, messages_for, resend
from tests.factories import (
    BeheerderFactory,
    BulkRequestFactory,
    BulkRequestRowFactory,
    GroepFactory,
    KetenmachtigingFactory,
    OrganisationFactory,
    valid_rsin,
)
from tests.html_inputs import the_input, ticked
from tests.ketenmachtigingen.bulk_steps import ADD_BULK, SEND_DATA, submit, upload
from tests.ketenmachtigingen.request_steps import ADD, DIENSTEN, DUUR, GEBRUIKERS
from tests.ketenmachtigingen.workbooks import row, xlsx

pytestmark = pytest.mark.django_db

TEMPLATE = reverse("ketenmachtigingen:bulk_template")


def url(name: str, bulk) -> str:
    return reverse(f"ketenmachtigingen:{name}", kwargs={"bulk_id": bulk.pk})


COMPANIES = [
    ("39078749", "ZET solutions B.V.", "Lelystad"),
    ("02029700", "Nul Begin B.V.", "Amsterdam"),
    ("30112233", "Bakkerij Van den Berg B.V.", "De Bilt"),
]


@pytest.fixture
def register(settings):
    settings.COMPANY_REGISTER = "local"
    for i, (kvk, name, plaats) in enumerate(COMPANIES):
        RegisterEntry.objects.create(
            kvk_nummer=kvk,
            rsin=valid_rsin(i + 60),
            name=name,
            straat="Hoofdstraat",
            huisnummer=str(i + 1),
            postcode="1234AB",
            plaats=plaats,
        )


def three_rows():
    return [
        row("39078749", "J.", "", "Zetman", "j.zetman@zet.example.nl", "06 12345678", "REF-1"),
        row(2029700, "A.", "van", "Nul", "a.nul@nul.example.nl", "030 1234567", ""),
        row("30112233", "B.", "", "Berg", "b@bakkerij.example.nl", "+32 2 555 12 12", "REF-3"),
    ]


def draft_of(client, organisation) -> dict:
    return client.session.get(f"ketenmachtiging_draft:{organisation.pk}", {})


def complete_steps(client, dienst, collega, *, data=None):
    response = upload(client, data or xlsx(*three_rows()))
    assert response.status_code == 302, response.content.decode()[-2000:]
    accept_after_review(client)
    client.post(DIENSTEN, {"diensten": [dienst.pk]})
    client.post(GEBRUIKERS, {"gebruikers": [collega.pk]})
    return client.post(DUUR, {"duration_years": "3", "send": "1"})


def accept_after_review(client):
    """ "Ga verder met de geldige rijen" when the import was shown for review first."""
    bulk = BulkRequest.objects.order_by("-pk").first()
    if bulk.accepted_at is None:
        client.post(url("bulk_accept", bulk))


# --- Stap 1: the form, the import, the review ----------------------------------------------------
def test_the_tab_offers_the_form_and_the_upload(portal):
    content = portal.get(ADD_BULK).content.decode()

    for label in [
        "Meerdere bedrijven",
        "1.</span> Importeer bedrijven",
        "Download het Excel-formulier",
        "Kies een bestand",
        "Importeer bedrijven",
        "Kies diensten",
    ]:
        assert label in content, label
    assert 'aria-current="page">Meerdere bedrijven' in content
    assert "tab-disabled" not in portal.get(ADD).content.decode()


def test_the_excel_form_downloads(portal):
    response = portal.get(TEMPLATE)

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="ketenmachtigingen-meerdere-bedrijven.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Bedrijven", "Instructie"]


def test_a_valid_file_is_imported_and_stap_2_follows(portal, beheerder, register):
    response = upload(portal, xlsx(*three_rows()))

    assert response.status_code == 302
    assert response.url == f"{ADD_BULK}#stap-2"
    bulk = BulkRequest.objects.get()
    assert (bulk.organisation, bulk.created_by, bulk.filename, bulk.state) == (
        beheerder.organisation,
        beheerder.user,
        "bedrijven.xlsx",
        BulkRequestState.DRAFT,
    )
    assert bulk.accepted_at is not None
    assert list(bulk.rows.values_list("row_number", "kvk_nummer", "name", "contact_telefoon")) == [
        (2, "39078749", "ZET solutions B.V.", "+31612345678"),
        (3, "02029700", "Nul Begin B.V.", "+31301234567"),
        (4, "30112233", "Bakkerij Van den Berg B.V.", "+3225551212"),
    ]
    assert draft_of(portal, beheerder.organisation)["bulk_id"] == bulk.pk
    content = portal.get(ADD_BULK).content.decode()
    assert "Import van 3 bedrijven" in content
    assert f'href="{url("bulk_detail", bulk)}">bekijk</a>' in content
    assert "Verwijder de import" in content
    assert 'href="/ketenmachtigingen/van-relaties/toevoegen/diensten/">Kies diensten' in content


def test_errors_are_shown_by_row_and_column_and_the_valid_rows_can_go_on(
    portal, beheerder, register
):
    rows = [*three_rows(), row("99999999"), row("3907874"), row("30112233")]
    KetenmachtigingFactory(
        intermediair=beheerder.organisation,
        relatie=OrganisationFactory(kvk_nummer="39078749"),
        actief=True,
    )

    response = upload(portal, xlsx(*rows))

    bulk = BulkRequest.objects.get()
    assert response.url == url("bulk_review", bulk)
    assert bulk.accepted_at is None
    assert bulk.error_row_count == 3
    content = portal.get(response.url).content.decode()
    for text in [
        "3 geldige rijen",
        "3 rijen met fouten",
        "1 waarschuwing",
        '<td class="numeric">5</td><td>KVK-nummer (kolom A)</td><td>Er is geen bedrijf gevonden '
        "met nummer 99999999. Controleer het nummer.</td>",
        '<td class="numeric">6</td><td>KVK-nummer (kolom A)</td><td>Een KVK-nummer bestaat uit '
        "precies 8 cijfers. In het bestand staat “3907874”.</td>",
        '<td class="numeric">7</td><td>KVK-nummer (kolom A)</td><td>Dit KVK-nummer staat al in '
        "rij 4.</td>",
        "niet meegenomen, tenzij u ze bij het versturen per bedrijf aanvinkt bij Toch aanvragen",
        '<ul class="existing-kms"><li><strong>Actief</strong> — Algemene bevoegdheid — einddatum ',
        "Ga verder met de 3 geldige rijen",
        "Importeer bedrijven",
    ]:
        assert text in content, text
    assert "ketenmachtiging_draft" not in str(dict(portal.session))  # nothing chosen yet

    response = portal.post(url("bulk_accept", bulk))

    assert response.url == f"{ADD_BULK}#stap-2"
    bulk.refresh_from_db()
    assert bulk.accepted_at is not None
    assert draft_of(portal, beheerder.organisation)["bulk_id"] == bulk.pk
    assert bulk.rows.count() == 3


def test_a_corrected_file_replaces_the_one_under_review(portal, register):
    upload(portal, xlsx(row("99999999"), *three_rows()))
    first = BulkRequest.objects.get()

    response = upload(portal, xlsx(*three_rows()))

    assert response.url == f"{ADD_BULK}#stap-2"
    assert list(BulkRequest.objects.values_list("pk", flat=True)) != [first.pk]
    assert BulkRequest.objects.count() == 1


def test_a_file_without_valid_rows_cannot_go_on(portal, register):
    response = upload(portal, xlsx(row("99999999")), follow=True)

    content = response.content.decode()
    assert "Geen enkele rij kan worden geïmporteerd." in content
    assert "Ga verder met de" not in content
    bulk = BulkRequest.objects.get()
    assert portal.post(url("bulk_accept", bulk)).url == ADD_BULK
    assert BulkRequest.objects.get().accepted_at is None


def test_a_refused_file_is_named_on_the_tab_and_nothing_is_stored(portal, register):
    response = upload(portal, b"%PDF-1.4 ...", name="bedrijven.xlsx")

    assert response.status_code == 200
    assert (
        "Dit is een PDF-bestand, geen Excel-bestand. Gebruik het Excel-formulier en sla het op als "
        "Excel-werkmap (.xlsx)." in response.content.decode()
    )
    assert not BulkRequest.objects.exists()


def test_no_file_chosen(portal):
    response = portal.post(ADD_BULK, {})

    assert "Kies het ingevulde Excel-bestand." in response.content.decode()


def test_bekijk_lists_the_companies_and_the_trash_removes_the_import(portal, beheerder, register):
    upload(portal, xlsx(*three_rows()))
    bulk = BulkRequest.objects.get()

    content = portal.get(url("bulk_detail", bulk)).content.decode()
    assert "Import van 3 bedrijven" in content
    for text in ["ZET solutions B.V.", "02029700", "A. van Nul", "a.nul@nul.example.nl",
                 "+3225551212", "REF-3"]:  # fmt: skip
        assert text in content, text

    response = portal.post(url("bulk_delete", bulk))

    assert response.url == ADD_BULK
    assert not BulkRequest.objects.exists()
    assert draft_of(portal, beheerder.organisation)["bulk_id"] is None
    assert "Download het Excel-formulier" in portal.get(ADD_BULK).content.decode()


def test_choosing_one_company_replaces_the_import(portal, beheerder, register):
    upload(portal, xlsx(*three_rows()))
    assert portal.get(ADD).url == ADD_BULK  # the draft is an import: its tab opens

    response = portal.post(ADD, {"select_company": "1", "number": "39078749"})

    assert response.url == f"{ADD}#stap-2"
    assert not BulkRequest.objects.exists()
    assert draft_of(portal, beheerder.organisation)["company"]["name"] == "ZET solutions B.V."


# --- Stap 2 to 4 and sending ---------------------------------------------------------------------
def test_stap_2_to_4_are_the_pickers_of_one_company(portal, register, dienst, collega):
    upload(portal, xlsx(*three_rows()))

    response = portal.post(DIENSTEN, {"diensten": [dienst.pk]})
    assert response.url == f"{ADD_BULK}#stap-3"
    response = portal.post(GEBRUIKERS, {"gebruikers": [collega.pk]})
    assert response.url == f"{ADD_BULK}#stap-4"

    content = portal.get(ADD_BULK).content.decode()
    assert "Adviseursportaal a.s.r. Cockpit" in content
    assert "S. de Jong" in content
    assert "Verstuur aanvraag tot goedkeuring" in content
    assert "Ik heb al goedkeuring ontvangen" in content

    response = portal.post(DUUR, {"duration_years": "3", "approved": "1"})
    assert response.url == url("bulk_approved", BulkRequest.objects.get())


def test_the_send_page_asks_only_for_the_own_contact(portal, beheerder, register, dienst, collega):
    response = complete_steps(portal, dienst, collega)
    bulk = BulkRequest.objects.get()
    assert response.url == url("bulk_send", bulk)

    content = portal.get(response.url).content.decode()

    organisation = beheerder.organisation.name
    for label in [
        f"Gegevens contactpersoon bij {organisation}",
        "E-mailadres",
        "Telefoonnummer",
        "Voorkeurstaal ontvangers",
        "Persoonlijk bericht voor de ontvangers",
        "Ja, ik ga akkoord met de kosten voor vastlegging van deze ketenmachtiging.",
        "Verzend aanvraag tot goedkeuring",
        "worden overgenomen uit het Excel-formulier",
        "contactpersonen van 3 bedrijven",
    ]:
        assert label in content, label
    assert "Initialen" not in content
    assert 'name="reference"' not in content


def test_sending_requests_one_ketenmachtiging_and_one_mail_per_row(
    portal, beheerder, register, dienst, collega, django_capture_on_commit_callbacks
):
    complete_steps(portal, dienst, collega)
    bulk = BulkRequest.objects.get()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = portal.post(url("bulk_send", bulk), SEND_DATA)

    assert response.url == url("bulk_progress", bulk)
    # A message per row, then an invitation per ketenmachtiging: all delivered.
    assert sorted(OutboxMessage.objects.values_list("kind", "state")) == sorted(
        [(Delivery.BULK_ROW, State.DELIVERED)] * 3 + [(Delivery.INVITATION, State.DELIVERED)] * 3
    )
    assert callbacks
    bulk.refresh_from_db()
    assert bulk.state == BulkRequestState.DONE
    assert (bulk.language, bulk.duration_years, bulk.intermediair_telefoon) == (
        "en",
        3,
        "+31301234567",
    )
    kms = Ketenmachtiging.objects.order_by("relatie__kvk_nummer")
    assert [
        (
            km.relatie.kvk_nummer,
            km.relatie.name,
            km.status,
            km.contact_name,
            km.contact_email,
            km.reference,
            km.language,
            km.duration_years,
            km.intermediair_email,
            km.personal_message,
            km.created_by,
        )
        for km in kms
    ] == [
        ("02029700", "Nul Begin B.V.", Status.AANVRAAG_VERSTUURD, "A. van Nul",
         "a.nul@nul.example.nl", "", "en", 3, "km@pietersen.example.nl", "Graag snel retour.",
         beheerder.user),
        ("30112233", "Bakkerij Van den Berg B.V.", Status.AANVRAAG_VERSTUURD, "B. Berg",
         "b@bakkerij.example.nl", "REF-3", "en", 3, "km@pietersen.example.nl",
         "Graag snel retour.", beheerder.user),
        ("39078749", "ZET solutions B.V.", Status.AANVRAAG_VERSTUURD, "J. Zetman",
         "j.zetman@zet.example.nl", "REF-1", "en", 3, "km@pietersen.example.nl",
         "Graag snel retour.", beheerder.user),
    ]  # fmt: skip
    for km in kms:
        assert [d.pk for d in km.diensten.all()] == [dienst.pk]
        assert [m.pk for m in km.gebruikers.all()] == [collega.pk]
        assert km.costs_agreed_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a.nul@nul.example.nl",
        "b@bakkerij.example.nl",
        "j.zetman@zet.example.nl",
    ]
    assert list(bulk.rows.values_list("state", flat=True)) == [BulkRowState.SENT] * 3
    assert sorted(bulk.rows.values_list("ketenmachtiging_id", flat=True)) == sorted(
        kms.values_list("pk", flat=True)
    )
    assert "ketenmachtiging_draft" not in str(dict(portal.session))

    content = portal.get(response.url).content.decode()
    assert '<progress id="bulk-progress-bar" max="3" value="3">' in content
    assert "3 van 3 aanvragen verwerkt" in content
    assert "3 aanvragen zijn verstuurd." in content
    assert 'href="/ketenmachtigingen/van-relaties/?tab=wachtend">Wachtend op afhandeling' in content
    assert 'hx-trigger="every 1s"' not in content


def test_submitting_twice_sends_once(
    portal, register, dienst, collega, django_capture_on_commit_callbacks
):
    complete_steps(portal, dienst, collega)
    bulk = BulkRequest.objects.get()
    session_before = dict(portal.session)

    with django_capture_on_commit_callbacks(execute=True):
        portal.post(url("bulk_send", bulk), SEND_DATA)
    # The same page submitted again, with the draft still in the session (a double click).
    session = portal.session
    session.update(session_before)
    session.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = portal.post(url("bulk_send", bulk), SEND_DATA, follow=True)

    assert callbacks == []
    assert OutboxMessage.objects.filter(kind=Delivery.BULK_ROW).count() == 3
    assert "Deze aanvraag is al verzonden." in response.content.decode()
    assert Ketenmachtiging.objects.count() == 3
    assert len(mail.outbox) == 3


def test_the_service_submits_once_and_a_row_is_processed_once(
    beheerder, register, dienst, django_capture_on_commit_callbacks
):
    bulk = bulk_request(beheerder, ["39078749", "30112233"])

    with django_capture_on_commit_callbacks(execute=True):
        assert submit(bulk, beheerder) is True
    with django_capture_on_commit_callbacks(execute=True) as second:
        assert submit(bulk, beheerder) is False
    a_row = bulk.rows.first()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.process_row(a_row.pk) is None  # delivered again
        [message] = messages_for(a_row)
        assert deliver(message.pk) is None  # a redelivered task

    assert second == []
    assert OutboxMessage.objects.filter(kind=Delivery.BULK_ROW).count() == 2
    assert Ketenmachtiging.objects.count() == 2
    assert len(mail.outbox) == 2


def test_a_draft_row_is_not_sent_by_a_stray_task(beheerder, register):
    bulk = bulk_request(beheerder, ["39078749"])

    assert services.process_row(bulk.rows.get().pk) is None
    assert not Ketenmachtiging.objects.exists()


def test_a_failing_row_does_not_stop_the_others_and_is_retried(
    portal, beheerder, register, dienst, settings, django_capture_on_commit_callbacks
):
    """A refusal fails its row at once; a fault is tried again by the outbox (here twice in
    all) and fails the row only after the last attempt. The other rows go on meanwhile."""
    settings.OUTBOX_MAX_ATTEMPTS = 2
    own = beheerder.organisation
    bulk = bulk_request(beheerder, ["39078749", own.kvk_nummer, "02029700", "30112233"])
    real = services.organisation_for_company

    def broken_for_bakkerij(company):
        if company.kvk_nummer == "30112233":
            raise RuntimeError("database went away")
        return real(company)

    with (
        mock.patch.object(services, "organisation_for_company", broken_for_bakkerij),
        django_capture_on_commit_callbacks(execute=True),
    ):
        submit(bulk, beheerder)

    bulk.refresh_from_db()
    assert bulk.state == BulkRequestState.SENDING
    bakkerij = bulk.rows.get(kvk_nummer="30112233")
    assert (bakkerij.state, bakkerij.reason) == (BulkRowState.WAITING, "")
    [message] = messages_for(bakkerij)
    assert (message.state, message.attempts) == (State.PENDING, 1)
    assert message.last_error == "RuntimeError: database went away"
    content = portal.get(url("bulk_progress", bulk)).content.decode()
    assert "3 van 4 aanvragen verwerkt" in content
    assert 'hx-trigger="every 1s"' in content

    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    with (
        mock.patch.object(services, "organisation_for_company", broken_for_bakkerij),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert deliver(message.pk) == State.FAILED

    bulk.refresh_from_db()
    assert bulk.state == BulkRequestState.DONE
    assert list(bulk.rows.values_list("kvk_nummer", "state", "reason")) == [
        ("39078749", BulkRowState.SENT, ""),
        (own.kvk_nummer, BulkRowState.FAILED, "Een organisatie kan zichzelf geen ketenmachtiging "
                                              "geven."),
        ("02029700", BulkRowState.SENT, ""),
        ("30112233", BulkRowState.FAILED, "Er ging iets mis bij het versturen. Probeer het later "
                                          "opnieuw."),
    ]  # fmt: skip
    assert Ketenmachtiging.objects.count() == 2
    assert len(mail.outbox) == 2

    content = portal.get(url("bulk_progress", bulk)).content.decode()
    assert "2 aanvragen zijn verstuurd." in content
    assert "2 aanvragen zijn niet verstuurd." in content
    assert "Een organisatie kan zichzelf geen ketenmachtiging geven." in content
    assert "Verstuur de mislukte aanvragen opnieuw" in content


def test_failed_rows_are_sent_again(
    portal, beheerder, register, dienst, settings, django_capture_on_commit_callbacks
):
    """ "Verstuur de mislukte aanvragen opnieuw": a refused row is tried again, and a row whose
    invitation could not be sent gets a new request (the Fout one withdrawn)."""
    settings.OUTBOX_MAX_ATTEMPTS = 1
    bulk = bulk_request(beheerder, ["39078749", "30112233"])
    with (
        mock.patch.object(
            services, "organisation_for_company", side_effect=RuntimeError("database went away")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        submit(bulk, beheerder)
    assert set(bulk.rows.values_list("state", flat=True)) == {BulkRowState.FAILED}
    # Now the rows are made, but the mail server refuses.
    settings.EMAIL_BACKEND = "tests.mail_backends.DisconnectingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = portal.post(url("bulk_retry", bulk), follow=True)
    assert "2 aanvragen worden opnieuw verstuurd." in response.content.decode()
    first = list(Ketenmachtiging.objects.order_by("pk"))
    assert [km.status for km in first] == [Status.FOUT, Status.FOUT]
    content = portal.get(url("bulk_progress", bulk)).content.decode()
    assert "2 aanvragen zijn niet verstuurd." in content
    assert "De uitnodiging kon niet worden verstuurd: SMTPServerDisconnected" in content

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        portal.post(url("bulk_retry", bulk))

    assert [km.status for km in Ketenmachtiging.objects.filter(pk__in=[k.pk for k in first])] == [
        Status.INGETROKKEN,
        Status.INGETROKKEN,
    ]
    again = Ketenmachtiging.objects.exclude(pk__in=[k.pk for k in first])
    assert [km.status for km in again] == [Status.AANVRAAG_VERSTUURD] * 2
    # The invitations (with their PDF form) went to the contacts; the beheerders are told of
    # the withdrawn Fout ones in the berichtenbox.
    assert sorted(m.to[0] for m in mail.outbox if m.attachments) == sorted(
        bulk.rows.values_list("contact_email", flat=True)
    )
    content = portal.get(url("bulk_progress", bulk)).content.decode()
    assert "2 aanvragen zijn verstuurd." in content
    assert "is niet verstuurd" not in content and "zijn niet verstuurd" not in content
    bulk.refresh_from_db()
    assert bulk.state == BulkRequestState.DONE


def test_the_rows_show_how_far_each_got(portal, beheerder, register):
    bulk = bulk_request(beheerder, ["39078749", "02029700", "30112233"])
    BulkRequest.objects.filter(pk=bulk.pk).update(state=BulkRequestState.SENDING)
    rows = {row.kvk_nummer: row for row in bulk.rows.all()}
    delivered = KetenmachtigingFactory(
        intermediair=beheerder.organisation, invitation_sent_at=timezone.now()
    )
    BulkRequestRow.objects.filter(pk=rows["39078749"].pk).update(
        state=BulkRowState.SENT, ketenmachtiging=delivered
    )
    BulkRequestRow.objects.filter(pk=rows["02029700"].pk).update(
        state=BulkRowState.FAILED, reason="Geen geldig KVK-nummer."
    )

    content = portal.get(url("bulk_detail", bulk)).content.decode()

    assert content.count('class="outcome outcome-delivered"') == 1
    assert content.count('class="outcome outcome-failed"') == 1
    assert "Geen geldig KVK-nummer." in content
    assert content.count('class="outcome outcome-waiting"') == 1


def test_the_progress_is_polled_until_every_row_is_done(portal, beheerder, register):
    bulk = bulk_request(beheerder, ["39078749", "30112233"])
    BulkRequest.objects.filter(pk=bulk.pk).update(state=BulkRequestState.SENDING)
    BulkRequestRow.objects.filter(kvk_nummer="39078749").update(state=BulkRowState.SENT)

    partial = portal.get(url("bulk_progress", bulk), headers={"HX-Request": "true"})

    content = partial.content.decode()
    assert "<html" not in content
    assert 'hx-trigger="every 1s"' in content
    assert '<progress id="bulk-progress-bar" max="2" value="1">' in content
    assert "1 van 2 aanvragen verwerkt" in content

    BulkRequestRow.objects.filter(kvk_nummer="30112233").update(state=BulkRowState.SENT)
    content = portal.get(url("bulk_progress", bulk), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' not in content.content.decode()


@pytest.mark.parametrize(
    ("language", "summary"),
    [
        (
            "nl",
            "U verstuurt 3 aanvragen tot goedkeuring, één per bedrijf. Aan elke aanvraag zijn "
            "kosten voor vastlegging verbonden.",
        ),
        (
            "en",
            "You are sending 3 requests for approval, one per company. Each request incurs the "
            "costs of registering its chain authorisation.",
        ),
    ],
)
def test_the_send_page_names_the_paid_requests_and_leaves_the_consent_unticked(
    portal, register, dienst, collega, language, summary
):
    portal.post("/i18n/setlang/", {"language": language, "next": "/"})
    complete_steps(portal, dienst, collega)
    bulk = BulkRequest.objects.get()

    content = portal.get(url("bulk_send", bulk)).content.decode()

    assert summary in content
    assert "checked" not in the_input(content, "costs_agreed")
    assert ticked(content) == set()


def test_the_send_page_of_one_row_names_one_request(portal, register, dienst, collega):
    complete_steps(portal, dienst, collega, data=xlsx(three_rows()[0]))
    bulk = BulkRequest.objects.get()

    content = portal.get(url("bulk_send", bulk)).content.decode()

    assert "U verstuurt 1 aanvraag tot goedkeuring. Hieraan zijn kosten" in content


def test_sending_without_the_consent_in_english(portal, register, dienst, collega):
    portal.post("/i18n/setlang/", {"language": "en", "next": "/"})
    complete_steps(portal, dienst, collega)
    bulk = BulkRequest.objects.get()

    response = portal.post(url("bulk_send", bulk), {**SEND_DATA, "costs_agreed": ""})

    content = response.content.decode()
    assert "Please accept the costs to send the request." in content
    assert "Graag snel retour." in content  # what was filled in stays
    assert BulkRequest.objects.get().state == BulkRequestState.DRAFT
    assert not OutboxMessage.objects.filter(kind=Delivery.BULK_ROW).exists()


def test_sending_needs_the_cost_consent(portal, register, dienst, collega):
    complete_steps(portal, dienst, collega)
    bulk = BulkRequest.objects.get()

    response = portal.post(url("bulk_send", bulk), {**SEND_DATA, "costs_agreed": ""})

    assert "Ga akkoord met de kosten om de aanvraag te versturen." in response.content.decode()
    assert BulkRequest.objects.get().state == BulkRequestState.DRAFT


def test_the_send_page_needs_the_steps(portal, register):
    upload(portal, xlsx(*three_rows()))
    bulk = BulkRequest.objects.get()

    response = portal.get(url("bulk_send", bulk))

    assert response.url == f"{ADD_BULK}#stap-2"


def test_a_sent_import_cannot_be_removed(portal, beheerder, register):
    bulk = bulk_request(beheerder, ["39078749"])
    BulkRequest.objects.filter(pk=bulk.pk).update(state=BulkRequestState.SENDING)

    response = portal.post(url("bulk_delete", bulk))

    assert response.url == url("bulk_progress", bulk)
    assert BulkRequest.objects.filter(pk=bulk.pk).exists()


# --- another organisation ------------------------------------------------------------------------
def test_another_organisations_import_is_not_found(portal, register):
    other = BeheerderFactory(organisation=OrganisationFactory(intermediair=True))
    bulk = bulk_request(other, ["39078749"])

    for name in ["bulk_detail", "bulk_review", "bulk_accept", "bulk_delete", "bulk_send",
                 "bulk_approved", "bulk_progress"]:  # fmt: skip
        for method in (portal.get, portal.post):
            assert method(url(name, bulk)).status_code in (404, 405), name
    assert BulkRequest.objects.get(pk=bulk.pk).state == BulkRequestState.DRAFT


# --- helpers -------------------------------------------------------------------------------------
def bulk_request(membership, numbers) -> BulkRequest:
    """An accepted draft import of these KVK-nummers, stored without a file."""
    bulk = BulkRequestFactory(organisation=membership.organisation, created_by=membership.user)
    for number, kvk in enumerate(numbers, start=2):
        entry = RegisterEntry.objects.filter(kvk_nummer=kvk).first()
        BulkRequestRowFactory(
            bulk_request=bulk,
            row_number=number,
            kvk_nummer=kvk,
            name=entry.name if entry else membership.organisation.name,
            contact_achternaam=f"Contact{number}",
            contact_email=f"contact{number}@example.nl",
        )
    return bulk


def test_a_request_staff_marked_fout_after_its_invitation_is_not_sent_again(
    portal, beheerder, register, django_capture_on_commit_callbacks
):
    """Fout for a wrongly signed form is not a failed row: its invitation went out."""
    bulk = bulk_request(beheerder, ["39078749"])
    with django_capture_on_commit_callbacks(execute=True):
        submit(bulk, beheerder)
    km = Ketenmachtiging.objects.get()
    lifecycle.mark_received(km, acting_user=None)
    lifecycle.mark_failed(km, acting_user=None, reason="Handtekening ontbreekt.")

    with django_capture_on_commit_callbacks(execute=True):
        response = portal.post(url("bulk_retry", bulk), follow=True)

    assert "Er zijn geen mislukte aanvragen om opnieuw te versturen." in response.content.decode()
    assert Ketenmachtiging.objects.get().status == Status.FOUT
    assert len(mail.outbox) == 1


def test_staff_send_a_failed_row_again_from_the_outbox(
    beheerder, register, settings, admin_user, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    bulk = bulk_request(beheerder, ["39078749"])
    with (
        mock.patch.object(
            services, "organisation_for_company", side_effect=RuntimeError("database went away")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        submit(bulk, beheerder)
    [message] = messages_for(bulk.rows.get())
    assert message.state == State.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        assert resend([message], acting_user=admin_user) == 1

    row = bulk.rows.get()
    assert (row.state, row.reason) == (BulkRowState.SENT, "")
    assert row.ketenmachtiging.status == Status.AANVRAAG_VERSTUURD
    bulk.refresh_from_db()
    assert bulk.state == BulkRequestState.DONE
    assert len(mail.outbox) == 1


# --- relaties that already have a ketenmachtiging ------------------------------------------------
def existing_for(beheerder, kvk_nummer, **kwargs):
    """A ketenmachtiging of the relatie with this KVK-nummer to the beheerder's organisation."""
    relatie = OrganisationFactory(kvk_nummer=kvk_nummer, name="ZET solutions B.V.")
    return KetenmachtigingFactory(
        intermediair=beheerder.organisation, relatie=relatie, reference="BESTAAND", **kwargs
    )


def row_of(bulk, kvk_nummer) -> BulkRequestRow:
    return bulk.rows.get(kvk_nummer=kvk_nummer)


def test_a_row_whose_relatie_has_a_ketenmachtiging_is_listed_and_left_out_by_default(
    portal, beheerder, register, dienst, collega, django_capture_on_commit_callbacks
):
    existing = existing_for(beheerder, "39078749", actief=True)
    complete_steps(portal, dienst, collega)
    bulk = BulkRequest.objects.get()
    zet = row_of(bulk, "39078749")

    content = portal.get(url("bulk_send", bulk)).content.decode()

    assert "1 bedrijf heeft al een ketenmachtiging aan uw organisatie" in content
    assert (
        f"<li><strong>Actief</strong> — Algemene bevoegdheid — einddatum "
        f"{existing.end_date:%d-%m-%Y} — BESTAAND</li>" in content
    )
    assert the_input(content, "selectie")["value"] == str(zet.pk)
    assert ticked(content) == set()
    assert "U verstuurt 2 aanvragen tot goedkeuring" in content
    assert "Er wordt toch een nieuwe aanvraag verstuurd" not in content

    with django_capture_on_commit_callbacks(execute=True):
        response = portal.post(url("bulk_send", bulk), {**SEND_DATA, "getoond_aantal": "0"})

    assert response.url == url("bulk_progress", bulk)
    assert sorted(
        Ketenmachtiging.objects.exclude(pk=existing.pk).values_list(
            "relatie__kvk_nummer", flat=True
        )
    ) == ["02029700", "30112233"]
    assert Ketenmachtiging.objects.filter(relatie=existing.relatie).count() == 1
    assert "j.zetman@zet.example.nl" not in [m.to[0] for m in mail.outbox]
    assert sorted(bulk.rows.values_list("kvk_nummer", flat=True)) == ["02029700", "30112233"]
    content = portal.get(response.url).content.decode()
    assert "1 bedrijf is niet meegenomen, omdat het al een ketenmachtiging" in content
    assert "2 van 2 aanvragen verwerkt" in content


def test_a_waiting_request_also_leaves_the_row_out(beheerder, register):
    existing_for(beheerder, "39078749", aanvraag_verstuurd=True)
    bulk = bulk_request(beheerder, ["39078749", "30112233"])

    assert submit(bulk, beheerder) is True

    assert list(bulk.rows.values_list("kvk_nummer", flat=True)) == ["30112233"]
    assert OutboxMessage.objects.filter(kind=Delivery.BULK_ROW).count() == 1


def test_a_row_ticked_at_toch_aanvragen_is_sent(
    portal, beheerder, register, dienst, collega, django_capture_on_commit_callbacks
):
    existing = existing_for(beheerder, "39078749", actief=True)
    complete_steps(portal, dienst, collega)
    bulk = BulkRequest.objects.get()
    zet = row_of(bulk, "39078749")

    with django_capture_on_commit_callbacks(execute=True):
        response = portal.post(
            url("bulk_send", bulk), {**SEND_DATA, "selectie": [zet.pk], "getoond_aantal": "1"}
        )

    assert response.url == url("bulk_progress", bulk)
    new = Ketenmachtiging.objects.filter(relatie=existing.relatie).exclude(pk=existing.pk).get()
    assert new.status == Status.AANVRAAG_VERSTUURD
    assert [d.pk for d in new.diensten.all()] == [dienst.pk]
    assert Ketenmachtiging.objects.exclude(pk=existing.pk).count() == 3
    assert "j.zetman@zet.example.nl" in [m.to[0] for m in mail.outbox]


def test_a_tick_whose_number_was_not_shown_sends_nothing_and_shows_it(
    portal, beheerder, register, dienst, collega
):
    """Without JavaScript the line still said 2 requests: the page shows 3 and asks again."""
    existing_for(beheerder, "39078749", actief=True)
    complete_steps(portal, dienst, collega)
    bulk = BulkRequest.objects.get()
    zet = row_of(bulk, "39078749")

    response = portal.post(
        url("bulk_send", bulk), {**SEND_DATA, "selectie": [zet.pk], "getoond_aantal": "0"}
    )

    content = response.content.decode()
    assert "Controleer het aantal en klik nogmaals." in content
    assert "U verstuurt 3 aanvragen tot goedkeuring" in content
    assert f"selectie={zet.pk}" in ticked(content)
    assert BulkRequest.objects.get().state == BulkRequestState.DRAFT
    assert not OutboxMessage.objects.filter(kind=Delivery.BULK_ROW).exists()


def test_a_second_identical_actief_ketenmachtiging_is_refused(portal, beheerder, register, collega):
    existing_for(beheerder, "39078749", actief=True)  # Algemene bevoegdheid
    upload(portal, xlsx(*three_rows()))
    accept_after_review(portal)
    portal.post(DIENSTEN, {"algemene_bevoegdheid": "on"})
    portal.post(GEBRUIKERS, {"gebruikers": [collega.pk]})
    portal.post(DUUR, {"duration_years": "5", "send": "1"})
    bulk = BulkRequest.objects.get()
    zet = row_of(bulk, "39078749")

    content = portal.get(url("bulk_send", bulk)).content.decode()
    assert "Niet mogelijk: al actief voor precies deze diensten." in content
    assert 'name="selectie"' not in content

    response = portal.post(
        url("bulk_send", bulk), {**SEND_DATA, "selectie": [zet.pk], "getoond_aantal": "1"}
    )

    assert (
        "Rij 2 (ZET solutions B.V.): deze relatie heeft al een actieve ketenmachtiging voor "
        "precies deze diensten." in response.content.decode()
    )
    assert BulkRequest.objects.get().state == BulkRequestState.DRAFT
    assert bulk.rows.count() == 3
    assert Ketenmachtiging.objects.count() == 1


def test_the_service_refuses_an_included_identical_row_and_changes_nothing(beheerder, register):
    existing_for(beheerder, "39078749", actief=True)
    bulk = bulk_request(beheerder, ["39078749", "30112233"])
    zet = row_of(bulk, "39078749")

    with pytest.raises(DomainError, match="precies deze diensten"):
        submit(bulk, beheerder, included_row_ids=[zet.pk])

    assert BulkRequest.objects.get().state == BulkRequestState.DRAFT
    assert bulk.rows.count() == 2
    assert not OutboxMessage.objects.exists()


# --- "Ik heb al goedkeuring ontvangen" for a whole import -----------------------------------------
def approve_steps(client, dienst, collega):
    complete_steps(client, dienst, collega)
    return client.post(DUUR, {"duration_years": "3", "approved": "1"})


def test_an_import_is_registered_as_approved_without_invitations(
    portal, beheerder, register, dienst, collega, django_capture_on_commit_callbacks
):
    existing = existing_for(beheerder, "39078749", aanvraag_verstuurd=True)
    response = approve_steps(portal, dienst, collega)
    bulk = BulkRequest.objects.get()
    approved = url("bulk_approved", bulk)
    assert response.url == approved

    content = portal.get(approved).content.decode()
    assert "Wilt u deze ketenmachtigingen verwerken als goedgekeurd?" in content
    assert "LET OP: gebruik deze optie alleen" in content
    content = portal.get(f"{approved}?bevestigd=1").content.decode()
    assert "Kies de organisatie waar de ketenmachtiging is vastgelegd." in content
    assert "<li><strong>Aanvraag verstuurd</strong> — Algemene bevoegdheid" in content
    assert "U legt 2 ketenmachtigingen vast als goedgekeurd" in content
    assert 'name="costs_agreed"' not in content  # nothing paid: no consent asked

    with django_capture_on_commit_callbacks(execute=True):
        response = portal.post(approved, {"leverancier": "kpn", "getoond_aantal": "0"})

    assert response.url == url("bulk_progress", bulk)
    registered = Ketenmachtiging.objects.exclude(pk=existing.pk).order_by("relatie__kvk_nummer")
    assert [
        (km.relatie.kvk_nummer, km.status, km.leverancier, km.reference, km.duration_years)
        for km in registered
    ] == [
        ("02029700", Status.ACTIEF, "kpn", "", 3),
        ("30112233", Status.ACTIEF, "kpn", "REF-3", 3),
    ]
    for km in registered:
        assert km.start_date is not None and km.end_date is not None
        assert km.costs_agreed_at is None and km.invitation_sent_at is None
        assert [d.pk for d in km.diensten.all()] == [dienst.pk]
        assert [m.pk for m in km.gebruikers.all()] == [collega.pk]
        assert [(e.from_status, e.to_status, e.note, e.actor) for e in km.events.all()] == [
            ("", Status.ACTIEF, "Verwerkt als goedgekeurd (KPN).", beheerder.user)
        ]
    assert mail.outbox == []
    assert not OutboxMessage.objects.filter(
        kind__in=[Delivery.INVITATION, Delivery.BULK_ROW]
    ).exists()
    bulk.refresh_from_db()
    assert bulk.state == BulkRequestState.DONE
    assert set(bulk.rows.values_list("state", flat=True)) == {BulkRowState.SENT}
    content = portal.get(response.url).content.decode()
    assert "2 ketenmachtigingen zijn vastgelegd als goedgekeurd." in content
    assert "1 bedrijf is niet meegenomen" in content
    assert "ketenmachtiging_draft" not in str(dict(portal.session))
    content = portal.get(url("bulk_detail", bulk)).content.decode()
    assert content.count("Vastgelegd als goedgekeurd") == 2


def test_registering_an_import_twice_registers_once(
    portal, register, dienst, collega, django_capture_on_commit_callbacks
):
    approve_steps(portal, dienst, collega)
    bulk = BulkRequest.objects.get()
    session_before = dict(portal.session)
    data = {"leverancier": "zlogin", "getoond_aantal": "0"}

    portal.post(url("bulk_approved", bulk), data)
    session = portal.session
    session.update(session_before)  # the same page submitted again (a double click)
    session.save()
    response = portal.post(url("bulk_approved", bulk), data, follow=True)

    assert "Deze import is al verwerkt." in response.content.decode()
    assert Ketenmachtiging.objects.count() == 3
    assert Ketenmachtiging.objects.filter(status=Status.ACTIEF).count() == 3


def test_registering_needs_the_leverancier(portal, register, dienst, collega):
    approve_steps(portal, dienst, collega)
    bulk = BulkRequest.objects.get()

    response = portal.post(url("bulk_approved", bulk), {"getoond_aantal": "0"})

    assert "Kies de organisatie waar de ketenmachtiging is vastgelegd." in (
        response.content.decode()
    )
    assert BulkRequest.objects.get().state == BulkRequestState.DRAFT
    assert not Ketenmachtiging.objects.exists()


def test_a_refused_row_registers_none_of_the_import(beheerder, register):
    bulk = bulk_request(beheerder, ["39078749", "30112233"])
    real = services.organisation_for_company

    def refuse_the_second(company):
        if company.kvk_nummer == "30112233":
            return beheerder.organisation  # the intermediair itself: refused
        return real(company)

    with (
        mock.patch.object(services, "organisation_for_company", side_effect=refuse_the_second),
        pytest.raises(DomainError, match="Rij 3"),
    ):
        services.register_approved_bulk_request(
            bulk,
            acting_user=beheerder.user,
            scope=ScopeSelection(algemene_bevoegdheid=True),
            assignment=Assignment(groepen=[GroepFactory(organisation=beheerder.organisation)]),
            duration_years=5,
            leverancier="kpn",
        )

    assert not Ketenmachtiging.objects.exists()
    assert BulkRequest.objects.get().state == BulkRequestState.DRAFT
    assert set(bulk.rows.values_list("state", flat=True)) == {BulkRowState.WAITING}
