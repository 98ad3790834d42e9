"""Voeg nieuwe ketenmachtigingen toe — Eén bedrijf, through the views as a beheerder uses them."""

import pytest
from django.urls import reverse

from accounts.constants import EHNiveau
from ketenmachtigingen.constants import Delivery, EventKind, Leverancier, Status
from ketenmachtigingen.models import Ketenmachtiging
from outbox.models import OutboxMessage, State
from outbox.services import messages_for
from tests.factories import (
    BeheerderFactory,
    DienstFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.html_inputs import the_input, ticked
from tests.ketenmachtigingen.request_steps import (
    ADD,
    APPROVED,
    DIENSTEN,
    DUUR,
    GEBRUIKERS,
    SEND,
    SEND_DATA,
    complete_steps,
    select_company,
)
from tests.network import closed_port

pytestmark = pytest.mark.django_db


# --- Stap 1 ------------------------------------------------------------------------------------


def test_the_wizard_page_has_the_manuals_labels(portal):
    content = portal.get(ADD).content.decode()

    for label in [
        "Voeg nieuwe ketenmachtigingen toe",
        "Eén bedrijf",
        "Meerdere bedrijven",
        "1.</span> Importeer bedrijven",
        "Geef het KVK-nummer of fiscaal nummer van het bedrijf waarvoor u een machtiging wilt",
        "Selecteer bedrijf",
        "Kies diensten",
        "Kies gebruikers",
        "Kies de duur van de machtigingen",
    ]:
        assert label in content, label


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1234567", "u vulde 7 cijfers in."),
        ("12ab5678", "Een KVK-nummer of fiscaal nummer bevat alleen cijfers."),
        ("123456789", "Dit fiscaal nummer (RSIN) klopt niet: de elfproef faalt."),
        ("", "Dit veld is verplicht."),
    ],
)
def test_bad_numbers_get_a_clear_message_before_any_lookup(portal, number, message):
    response = select_company(portal, number)

    assert message in response.content.decode()
    assert "company" not in str(portal.session.get(f"ketenmachtiging_draft:{1}", ""))


def test_unknown_company_is_reported(portal):
    content = select_company(portal, "12345678").content.decode()

    assert "Er is geen bedrijf gevonden met nummer 12345678. Controleer het nummer." in content


@pytest.mark.parametrize("number", ["39078749", "800000006", "3907 8749"])
def test_selecting_a_company_shows_its_details(portal, zet, number):
    content = select_company(portal, number).content.decode()

    assert "<dd>ZET solutions B.V.</dd>" in content
    assert "<dd>39078749</dd>" in content
    assert "<dd>Albert Einsteinweg 4</dd>" in content
    assert "<dd>8218NH Lelystad</dd>" in content


# --- Stap 2 ------------------------------------------------------------------------------------


def test_diensten_picker_lists_the_catalogue_and_filters(portal, zet, dienst):
    select_company(portal, zet.kvk_nummer)

    content = portal.get(DIENSTEN).content.decode()
    assert "Voeg een machtiging toe" in content
    assert "Algemene bevoegdheid" in content
    assert "Dienstverlenersmachtiging voor A.S.R." in content
    assert "Adviseursportaal a.s.r. Cockpit" in content
    assert "Zoek op dienst of dienstverlener..." in content

    partial = portal.get(
        DIENSTEN, {"zoek": "cockpit", "picker": "1"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Adviseursportaal a.s.r. Cockpit" in partial
    assert "Facet Portaal" not in partial
    assert "<html" not in partial

    without_js = portal.get(DIENSTEN, {"zoek": "facet"}).content.decode()
    assert "Facet Portaal" in without_js
    assert "Adviseursportaal a.s.r. Cockpit" not in without_js


def test_search_keeps_what_was_ticked_but_is_filtered_out(portal, zet, dienst):
    select_company(portal, zet.kvk_nummer)

    partial = portal.get(
        DIENSTEN,
        {"zoek": "facet", "picker": "1", "diensten": [dienst.pk]},
        headers={"HX-Request": "true"},
    ).content.decode()

    assert f'<input type="hidden" name="diensten" value="{dienst.pk}">' in partial


def test_choosing_no_dienst_is_refused(portal, zet):
    select_company(portal, zet.kvk_nummer)

    response = portal.post(DIENSTEN, {})

    assert "Kies één of meerdere diensten." in response.content.decode()


def test_chosen_scope_is_shown_and_can_be_changed(portal, zet, dienst):
    select_company(portal, zet.kvk_nummer)
    portal.post(DIENSTEN, {"diensten": [dienst.pk]})
    assert "Adviseursportaal a.s.r. Cockpit" in portal.get(ADD).content.decode()

    portal.post(DIENSTEN, {"algemene_bevoegdheid": "on"})

    content = portal.get(ADD).content.decode()
    assert "Algemene bevoegdheid:</strong> Alle diensten" in content
    assert "Adviseursportaal a.s.r. Cockpit" not in content


# --- Stap 3 ------------------------------------------------------------------------------------


def test_gebruikers_picker_shows_the_rules_warnings(portal, beheerder, zet, dienst):
    org = beheerder.organisation
    MembershipFactory(
        organisation=org, user=UserFactory(last_name="Laag"), eh_niveau=EHNiveau.EH2_PLUS
    )
    MembershipFactory(
        organisation=org, user=UserFactory(last_name="Fiscaal"), belastingdienst_only=True
    )
    GroepFactory(organisation=org, name="Fiscalisten")
    GroepFactory(name="Andermans groep")
    select_company(portal, zet.kvk_nummer)
    portal.post(DIENSTEN, {"diensten": [dienst.pk]})

    content = portal.get(GEBRUIKERS).content.decode()

    assert (
        "Om gebruik te maken van de machtiging(en) dient de persoon te beschikken over een "
        "middel op minimaal niveau EH3." in content
    )
    assert (
        "Let op! Deze persoon beschikt over een middel dat alleen geschikt is om namens uw "
        "bedrijf in te loggen bij de Belastingdienst." in content
    )
    assert "Gebruikersgroep" in content and "Fiscalisten" in content
    assert "Andermans groep" not in content
    assert content.count('disabled aria-disabled="true"') == 1  # only the EH2+ person


def test_a_person_below_eh3_cannot_be_chosen(portal, beheerder, zet, dienst):
    laag = MembershipFactory(organisation=beheerder.organisation, eh_niveau=EHNiveau.EH2)
    select_company(portal, zet.kvk_nummer)
    portal.post(DIENSTEN, {"diensten": [dienst.pk]})

    response = portal.post(GEBRUIKERS, {"gebruikers": [laag.pk]})

    assert response.status_code == 200
    assert "minimaal niveau EH3" in response.content.decode()
    assert (
        portal.session[f"ketenmachtiging_draft:{beheerder.organisation.pk}"]["membership_ids"] == []
    )


def test_people_and_groups_of_another_organisation_cannot_be_chosen(portal, zet, dienst):
    stranger = MembershipFactory()
    their_group = GroepFactory()
    select_company(portal, zet.kvk_nummer)
    portal.post(DIENSTEN, {"diensten": [dienst.pk]})

    response = portal.post(GEBRUIKERS, {"gebruikers": [stranger.pk], "groepen": [their_group.pk]})

    assert "Selecteer een geldige keuze" in response.content.decode()


def test_choosing_nobody_is_refused(portal, zet, dienst):
    select_company(portal, zet.kvk_nummer)
    portal.post(DIENSTEN, {"diensten": [dienst.pk]})

    response = portal.post(GEBRUIKERS, {})

    assert "Kies één of meerdere gebruikers of groepen." in response.content.decode()


# --- Stap 4 and Verzend aanvraag tot goedkeuring ------------------------------------------------


def test_duration_defaults_to_five_years_most_chosen(portal, zet, dienst, collega):
    complete_steps(portal, zet, dienst, collega)

    content = portal.get(ADD).content.decode()

    assert '<option value="5" selected>5 jaar (meest gekozen)</option>' in content
    assert "Verstuur aanvraag tot goedkeuring" in content
    assert "Ik heb al goedkeuring ontvangen" in content


def test_send_a_request(portal, beheerder, zet, dienst, collega):
    org = beheerder.organisation
    org.afzender_email, org.afzender_telefoon = "afzender@example.nl", "+31301234567"
    org.save()
    complete_steps(portal, zet, dienst, collega)
    response = portal.post(DUUR, {"duration_years": "3", "send": "1"})
    assert response.url == SEND

    form_page = portal.get(SEND).content.decode()
    assert "Gegevens contactpersoon bij ZET solutions B.V." in form_page
    assert f"Gegevens contactpersoon bij {org.name}" in form_page
    assert 'value="afzender@example.nl"' in form_page  # from the afzenderinstellingen
    assert "Voorkeurstaal ontvangers" in form_page
    assert "Ja, ik ga akkoord met de kosten voor vastlegging van deze ketenmachtiging." in form_page

    response = portal.post(SEND, SEND_DATA, follow=True)

    assert "De ketenmachtiging is toegevoegd/ verzonden." in response.content.decode()
    km = Ketenmachtiging.objects.get()
    assert km.status == Status.AANVRAAG_VERSTUURD
    assert (km.intermediair, km.relatie.kvk_nummer, km.relatie.name) == (
        org,
        "39078749",
        "ZET solutions B.V.",
    )
    assert list(km.diensten.all()) == [dienst]
    assert list(km.gebruikers.all()) == [collega]
    assert km.duration_years == 3
    assert (km.contact_name, km.contact_email, km.contact_telefoon) == (
        "J. Zetman",
        "j.zetman@zet.example.nl",
        "+31612345678",
    )
    assert (km.intermediair_email, km.intermediair_telefoon) == (
        "km@pietersen.example.nl",
        "+31301234567",
    )
    assert (km.language, km.personal_message, km.reference) == (
        "en",
        "Graag snel retour.",
        "KLANT-42",
    )
    assert km.costs_agreed_at is not None and km.sent_at is not None
    assert km.events.get().created_at is not None
    # The draft is gone: the wizard starts afresh.
    assert "Selecteer bedrijf" in portal.get(ADD).content.decode()


@pytest.mark.parametrize(
    ("language", "summary", "label"),
    [
        (
            "nl",
            "U verstuurt 1 aanvraag tot goedkeuring. Hieraan zijn kosten voor vastlegging "
            "verbonden.",
            "Ja, ik ga akkoord met de kosten voor vastlegging van deze ketenmachtiging.",
        ),
        (
            "en",
            "You are sending 1 request for approval. It incurs the costs of registering the "
            "chain authorisation.",
            "Yes, I accept the costs of registering this chain authorisation.",
        ),
    ],
)
def test_the_send_page_names_the_one_paid_request_and_leaves_the_consent_unticked(
    portal, zet, dienst, collega, language, summary, label
):
    portal.post("/i18n/setlang/", {"language": language, "next": "/"})
    complete_steps(portal, zet, dienst, collega)

    content = portal.get(SEND).content.decode()

    assert summary in content
    assert label in content and ticked(content) == set()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nl", "Ga akkoord met de kosten om de aanvraag te versturen."),
        ("en", "Please accept the costs to send the request."),
    ],
)
def test_send_without_the_consent_keeps_what_was_filled_in(
    portal, zet, dienst, collega, language, message
):
    portal.post("/i18n/setlang/", {"language": language, "next": "/"})
    complete_steps(portal, zet, dienst, collega)
    data = {**SEND_DATA}
    del data["costs_agreed"]

    content = portal.post(SEND, data).content.decode()

    assert message in content
    assert 'value="Zetman"' in content and "Graag snel retour." in content
    assert the_input(content, "costs_agreed")["aria-invalid"] == "true"
    assert ticked(content) == set()
    assert not Ketenmachtiging.objects.exists() and not OutboxMessage.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_telefoon", "12345", "Vul een geldig telefoonnummer in"),
        ("contact_email", "geen-adres", "Voer een geldig e-mailadres in."),
        ("costs_agreed", "", "Ga akkoord met de kosten om de aanvraag te versturen."),
        ("contact_achternaam", "", "Dit veld is verplicht."),
        ("personal_message", "x" * 1001, "niet meer dan 1000 tekens bevat"),
    ],
)
def test_send_refuses_bad_input_and_creates_nothing(
    portal, zet, dienst, collega, field, value, message
):
    complete_steps(portal, zet, dienst, collega)
    data = {**SEND_DATA, field: value}
    if not value:
        data.pop(field)

    response = portal.post(SEND, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Ketenmachtiging.objects.exists()


def test_international_phone_numbers_are_accepted(portal, zet, dienst, collega):
    complete_steps(portal, zet, dienst, collega)

    portal.post(SEND, {**SEND_DATA, "contact_telefoon": "+32 2 555 12 12"})

    assert Ketenmachtiging.objects.get().contact_telefoon == "+3225551212"


def test_send_without_the_earlier_steps_goes_back_to_the_wizard(portal):
    response = portal.get(SEND)

    assert response.status_code == 302
    assert response.url == f"{ADD}#stap-1"


# --- Ik heb al goedkeuring ontvangen ---------------------------------------------------------


def test_register_an_already_approved_ketenmachtiging(portal, zet, dienst, collega):
    complete_steps(portal, zet, dienst, collega)
    response = portal.post(DUUR, {"duration_years": "5", "approved": "1"})
    assert response.url == APPROVED

    confirm = portal.get(APPROVED).content.decode()
    assert "Wilt u deze ketenmachtiging verwerken als goedgekeurd?" in confirm
    assert (
        "LET OP: gebruik deze optie alleen als uw relatie een geactiveerde ketenmachtiging"
        in confirm
    )
    assert "Annuleer" in confirm and "Ja, leg de ketenmachtiging vast" in confirm
    choose = portal.get(APPROVED, {"bevestigd": "1"}).content.decode()
    assert "Kies organisatie" in choose
    for name in ["Digidentity", "KPN", "QuoVadis", "Reconi", "we-ID", "Z login"]:
        assert name in choose
    assert "Verwerk als goedgekeurd" in choose

    response = portal.post(APPROVED, {"leverancier": Leverancier.KPN}, follow=True)

    assert "De ketenmachtiging is toegevoegd/ verzonden." in response.content.decode()
    km = Ketenmachtiging.objects.get()
    assert (km.status, km.leverancier, km.duration_years) == (Status.ACTIEF, "kpn", 5)
    assert km.start_date is not None and km.end_date.year == km.start_date.year + 5
    event = km.events.get()
    assert (event.kind, event.to_status, event.note) == (
        EventKind.STATUS,
        Status.ACTIEF,
        "Verwerkt als goedgekeurd (KPN).",
    )


def test_approved_needs_a_leverancier(portal, zet, dienst, collega):
    complete_steps(portal, zet, dienst, collega)

    response = portal.post(APPROVED, {})

    assert "Kies de organisatie waar de ketenmachtiging is vastgelegd." in response.content.decode()
    assert not Ketenmachtiging.objects.exists()


# --- An existing ketenmachtiging for the same diensten -----------------------------------------


def test_overlap_with_an_existing_ketenmachtiging_asks_to_confirm(
    portal, beheerder, zet, dienst, collega
):
    relatie = OrganisationFactory(kvk_nummer="39078749", name="ZET solutions B.V.")
    KetenmachtigingFactory(
        actief=True, intermediair=beheerder.organisation, relatie=relatie, reference="BESTAAND"
    )
    complete_steps(portal, zet, dienst, collega)

    response = portal.post(SEND, SEND_DATA)

    content = response.content.decode()
    assert (
        "Let op: deze relatie heeft al een ketenmachtiging voor (een deel van) deze diensten."
        in content
    )
    assert "BESTAAND" in content
    assert "Bevestig dat u deze ketenmachtiging toch wilt aanvragen." in content
    assert Ketenmachtiging.objects.count() == 1

    portal.post(SEND, {**SEND_DATA, "confirm_overlap": "on"})
    assert Ketenmachtiging.objects.count() == 2


def test_no_warning_for_another_dienstverlener(portal, beheerder, zet, dienst, collega):
    relatie = OrganisationFactory(kvk_nummer="39078749")
    other = KetenmachtigingFactory(
        actief=True,
        intermediair=beheerder.organisation,
        relatie=relatie,
        algemene_bevoegdheid=False,
    )
    other.diensten.set([DienstFactory()])
    complete_steps(portal, zet, dienst, collega)

    portal.post(SEND, SEND_DATA)

    assert Ketenmachtiging.objects.count() == 2


@pytest.mark.parametrize("step", ["send", "approved"])
def test_a_second_active_one_for_exactly_the_same_diensten_is_refused(
    portal, beheerder, zet, dienst, collega, step
):
    relatie = OrganisationFactory(kvk_nummer="39078749", name="ZET solutions B.V.")
    existing = KetenmachtigingFactory(
        actief=True,
        intermediair=beheerder.organisation,
        relatie=relatie,
        algemene_bevoegdheid=False,
    )
    existing.diensten.set([dienst])
    complete_steps(portal, zet, dienst, collega)

    if step == "send":
        response = portal.post(SEND, {**SEND_DATA, "confirm_overlap": "on"})
    else:
        response = portal.post(APPROVED, {"leverancier": "kpn", "confirm_overlap": "on"})

    content = response.content.decode()
    assert (
        "ZET solutions B.V. heeft al een actieve ketenmachtiging voor precies deze diensten "
        f"(einddatum {existing.end_date:%d-%m-%Y}). Er wordt geen tweede aangevraagd; verleng "
        "de bestaande op het tabblad Acties." in content
    )
    assert list(Ketenmachtiging.objects.all()) == [existing]


# --- Afzenderinstellingen ----------------------------------------------------------------------


def test_sender_settings(portal, beheerder):
    url = reverse("accounts:sender_settings")
    page = portal.get(url).content.decode()
    assert "Afzenderinstellingen" in page
    assert "Stel hieronder een e-mailadres en een telefoonnummer in" in page

    bad = portal.post(url, {"afzender_email": "x@example.nl", "afzender_telefoon": "abc"})
    assert "Vul een geldig telefoonnummer in" in bad.content.decode()

    assert "Taal van e-mails" in page and '<option value="nl" selected>Nederlands' in page
    portal.post(
        url,
        {
            "afzender_email": "x@example.nl",
            "afzender_telefoon": "020 123 4567",
            "afzender_language": "en",
        },
    )
    org = beheerder.organisation
    org.refresh_from_db()
    assert (org.afzender_email, org.afzender_telefoon, org.afzender_language) == (
        "x@example.nl",
        "+31201234567",
        "en",
    )
    assert '<option value="en" selected>English' in portal.get(url).content.decode()


def test_the_wizard_is_per_organisation(client, verified_login, zet):
    user = UserFactory(with_totp_device=True)
    first = BeheerderFactory(user=user, organisation=OrganisationFactory(name="A")).organisation
    second = BeheerderFactory(user=user, organisation=OrganisationFactory(name="B")).organisation
    verified_login(user)
    client.post(reverse("accounts:switch_organisation"), {"organisation": first.pk})
    select_company(client, zet.kvk_nummer)

    client.post(reverse("accounts:switch_organisation"), {"organisation": second.pk})

    assert "Selecteer bedrijf" in client.get(ADD).content.decode()


def test_sending_the_same_draft_again_makes_nothing_new(portal, zet, dienst, collega):
    """The send page submitted again with the draft still in the session (the back button and
    a resubmit, a double click): the ketenmachtiging it made is confirmed again."""
    complete_steps(portal, zet, dienst, collega)
    draft = dict(portal.session)

    portal.post(SEND, SEND_DATA)
    session = portal.session
    session.update(draft)
    session.save()
    response = portal.post(SEND, SEND_DATA, follow=True)

    assert "De ketenmachtiging is toegevoegd/ verzonden." in response.content.decode()
    [km] = Ketenmachtiging.objects.all()
    assert km.events.count() == 1
    assert OutboxMessage.objects.filter(kind=Delivery.INVITATION).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_page_confirms_when_the_mail_server_is_down(portal, zet, dienst, collega, settings):
    """Embedded default (no broker): the invitation is attempted right after the commit; the
    failure is recorded for the next attempt, not shown as an error page."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    complete_steps(portal, zet, dienst, collega)

    response = portal.post(SEND, SEND_DATA, follow=True)

    assert response.status_code == 200
    assert "De ketenmachtiging is toegevoegd/ verzonden." in response.content.decode()
    km = Ketenmachtiging.objects.get()
    assert (km.status, km.invitation_sent_at) == (Status.AANVRAAG_VERSTUURD, None)
    [message] = messages_for(km)
    assert (message.state, message.attempts) == (State.PENDING, 1)
    assert message.last_error.startswith("ConnectionRefusedError")
