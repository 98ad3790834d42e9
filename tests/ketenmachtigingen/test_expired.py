"""The Verlopen tab: "Vraag opnieuw aan" (the wizard filled from the expired ketenmachtiging)
and "Verwijder uit overzicht" (gone from the tab, kept in the database and the trail)."""

from dataclasses import asdict

import pytest
from django.urls import reverse

from accounts.constants import EHNiveau
from ketenmachtigingen import wizard
from ketenmachtigingen.constants import ActorKind, EventKind, Status, Tab
from ketenmachtigingen.errors import DomainError
from ketenmachtigingen.models import Ketenmachtiging
from ketenmachtigingen.register import Company
from ketenmachtigingen.selectors import tab_queryset
from ketenmachtigingen.services import expired
from tests.factories import (
    BulkRequestFactory,
    DienstFactory,
    DienstverlenerFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.html_inputs import the_input, ticked

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("ketenmachtigingen:overview")
ADD = reverse("ketenmachtigingen:add")
SEND = reverse("ketenmachtigingen:add_send")


def _person(org, initials, last_name, **kwargs):
    return MembershipFactory(
        organisation=org, user=UserFactory(initials=initials, last_name=last_name), **kwargs
    )


@pytest.fixture
def bakkerij():
    return OrganisationFactory(
        name="Bakkerij Jansen B.V.",
        kvk_nummer="12345678",
        straat="Dorpsstraat",
        huisnummer="7",
        postcode="1234 AB",
        plaats="Ede",
    )


@pytest.fixture
def expired_km(org, bakkerij):
    """An expired ketenmachtiging with a limited scope, a person, a groep and a contact."""
    loket = DienstFactory(name="Loonaangifte", dienstverlener__name="UWV")
    return KetenmachtigingFactory(
        intermediair=org,
        relatie=bakkerij,
        verlopen=True,
        duration_years=2,
        algemene_bevoegdheid=False,
        dienstverleners=[DienstverlenerFactory(name="Belastingdienst")],
        diensten=[loket],
        gebruikers=[_person(org, "S.", "Jong")],
        groepen=[GroepFactory(organisation=org, name="Fiscalisten")],
        contact_initialen="P.",
        contact_tussenvoegsel="van",
        contact_achternaam="Dam",
        contact_email="p.vandam@bakkerij.example.nl",
        contact_telefoon="+31301234567",
        language="en",
        reference="KLANT-7",
    )


# --- the prefill ---------------------------------------------------------------------------------


def test_the_prefill_repeats_the_request_with_the_default_duration(expired_km, bakkerij):
    prefill = wizard.prefill_from(expired_km)
    draft = prefill.draft

    assert prefill.left_out == []
    assert draft.company_obj() == Company(
        name="Bakkerij Jansen B.V.",
        kvk_nummer="12345678",
        rsin=None,
        straat="Dorpsstraat",
        huisnummer="7",
        postcode="1234 AB",
        plaats="Ede",
    )
    assert draft.algemene_bevoegdheid is False
    assert draft.dienstverlener_ids == [expired_km.dienstverleners.get().pk]
    assert draft.dienst_ids == [expired_km.diensten.get().pk]
    assert draft.membership_ids == [expired_km.gebruikers.get().pk]
    assert draft.groep_ids == [expired_km.groepen.get().pk]
    assert draft.duration_years == 5  # the default, not the 2 years of before
    assert draft.send_initial == {
        "contact_initialen": "P.",
        "contact_tussenvoegsel": "van",
        "contact_achternaam": "Dam",
        "contact_email": "p.vandam@bakkerij.example.nl",
        "contact_telefoon": "+31301234567",
        "language": "en",
        "reference": "KLANT-7",
    }
    assert draft.current_step == 4
    assert draft.submission_key != wizard.prefill_from(expired_km).draft.submission_key


def test_the_prefill_leaves_out_what_no_longer_qualifies_and_says_so(org, bakkerij):
    current = DienstFactory(name="Loonaangifte")
    withdrawn = DienstFactory(name="Oude aangifte", active=False)
    jong = _person(org, "S.", "Jong")
    laag = _person(org, "K.", "Laag", eh_niveau=EHNiveau.EH2)
    weg = _person(org, "R.", "Weg", active=False)
    km = KetenmachtigingFactory(
        intermediair=org,
        relatie=bakkerij,
        verlopen=True,
        algemene_bevoegdheid=False,
        diensten=[current, withdrawn],
        gebruikers=[jong, laag, weg],
    )

    prefill = wizard.prefill_from(km)

    assert prefill.draft.dienst_ids == [current.pk]
    assert prefill.draft.membership_ids == [jong.pk]
    assert prefill.left_out == [
        "Dienst Oude aangifte is niet overgenomen: deze dienst wordt niet meer aangeboden.",
        "K. Laag is niet overgenomen: het middel heeft geen niveau EH3 of hoger.",
        "R. Weg is niet overgenomen: het middel is niet meer actief.",
    ]


def test_nobody_left_stops_the_draft_at_kies_gebruikers(org, bakkerij):
    km = KetenmachtigingFactory(
        intermediair=org,
        relatie=bakkerij,
        verlopen=True,
        gebruikers=[_person(org, "K.", "Laag", eh_niveau=EHNiveau.EH2)],
    )

    draft = wizard.prefill_from(km).draft

    assert draft.algemene_bevoegdheid is True
    assert draft.membership_ids == []
    assert draft.current_step == 3


def test_choosing_another_company_forgets_the_earlier_contact(expired_km):
    draft = wizard.prefill_from(expired_km).draft

    draft.set_company(Company(name="ZET solutions B.V.", kvk_nummer="39078749"))

    assert draft.send_initial == {}


# --- removing from the overview ------------------------------------------------------------------


def test_removing_hides_it_from_the_tab_keeps_the_row_and_is_audited(org, expired_km, beheerder):
    assert list(tab_queryset([org], Tab.VERLOPEN)) == [expired_km]

    expired.remove_from_overview(expired_km, acting_user=beheerder.user)
    expired.remove_from_overview(expired_km, acting_user=beheerder.user)  # a second time

    assert list(tab_queryset([org], Tab.VERLOPEN)) == []
    km = Ketenmachtiging.objects.get(pk=expired_km.pk)
    assert km.status == Status.VERLOPEN and km.hidden_at is not None
    [event] = km.events.filter(kind=EventKind.REMOVED_FROM_OVERVIEW)
    assert (event.actor, event.actor_kind, event.note) == (
        beheerder.user,
        ActorKind.PERSON,
        "Verwijderd uit het overzicht Verlopen.",
    )


@pytest.mark.parametrize("status", ["actief", "aanvraag_verstuurd", "ingetrokken"])
def test_only_an_expired_one_can_be_removed(org, beheerder, snapshot, status):
    km = KetenmachtigingFactory(intermediair=org, **{status: True})
    before = snapshot(km)

    with pytest.raises(DomainError):
        expired.remove_from_overview(km, acting_user=beheerder.user)

    assert snapshot(km) == before


# --- the views -----------------------------------------------------------------------------------


def _relatie_details(portal, km):
    url = reverse("ketenmachtigingen:relatie", args=[km.relatie_id])
    return portal.get(url, {"tab": Tab.VERLOPEN}).content.decode()


def test_the_verlopen_details_offer_both_actions(portal, expired_km):
    content = _relatie_details(portal, expired_km)

    assert f'action="{reverse("ketenmachtigingen:reapply", args=[expired_km.pk])}"' in content
    assert "Vraag opnieuw aan" in content
    remove = reverse("ketenmachtigingen:remove_from_overview", args=[expired_km.pk])
    assert f'action="{remove}" class="inline" data-confirm' in content
    assert "Verwijder uit overzicht" in content


def test_vraag_opnieuw_aan_opens_the_wizard_at_stap_4_and_sends_a_new_request(
    portal, expired_km, org
):
    response = portal.post(reverse("ketenmachtigingen:reapply", args=[expired_km.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{ADD}#stap-4"

    page = portal.get(ADD).content.decode()
    for shown in [
        "De gegevens van de verlopen ketenmachtiging van Bakkerij Jansen B.V. zijn overgenomen.",
        "Bakkerij Jansen B.V.",
        "12345678",
        "Loonaangifte",
        "S. Jong",
        "Groep: Fiscalisten",
        "Verstuur aanvraag tot goedkeuring",
    ]:
        assert shown in page, shown

    send_page = portal.get(SEND)
    content = send_page.content.decode()
    assert the_input(content, "contact_achternaam")["value"] == "Dam"
    assert the_input(content, "contact_email")["value"] == "p.vandam@bakkerij.example.nl"
    assert the_input(content, "reference")["value"] == "KLANT-7"
    assert send_page.context["form"]["language"].value() == "en"
    assert "costs_agreed=on" not in ticked(content)  # the consent is never pre-ticked

    refused = portal.post(SEND, {**_send_fields(send_page), "costs_agreed": ""})
    assert refused.status_code == 200
    assert Ketenmachtiging.objects.filter(intermediair=org).count() == 1

    sent = portal.post(SEND, {**_send_fields(send_page), "costs_agreed": "on"})
    assert sent.status_code == 302
    new = Ketenmachtiging.objects.exclude(pk=expired_km.pk).get(intermediair=org)
    assert new.status == Status.AANVRAAG_VERSTUURD
    assert new.relatie_id == expired_km.relatie_id
    assert (new.contact_email, new.language, new.duration_years) == (
        "p.vandam@bakkerij.example.nl",
        "en",
        5,
    )
    assert list(new.diensten.all()) == list(expired_km.diensten.all())
    assert list(new.gebruikers.all()) == list(expired_km.gebruikers.all())
    assert list(new.groepen.all()) == list(expired_km.groepen.all())
    assert Ketenmachtiging.objects.get(pk=expired_km.pk).status == Status.VERLOPEN


def _send_fields(send_page) -> dict:
    form = send_page.context["form"]
    return {name: form[name].value() or "" for name in form.fields if name != "costs_agreed"} | {
        "intermediair_email": "kantoor@pietersen.example.nl",
        "intermediair_telefoon": "+31201234567",
    }


def test_what_is_left_out_is_named_on_the_wizard(portal, org, bakkerij):
    km = KetenmachtigingFactory(
        intermediair=org,
        relatie=bakkerij,
        verlopen=True,
        gebruikers=[_person(org, "S.", "Jong"), _person(org, "K.", "Laag", eh_niveau=2)],
    )

    page = portal.post(
        reverse("ketenmachtigingen:reapply", args=[km.pk]), follow=True
    ).content.decode()

    assert "K. Laag is niet overgenomen: het middel heeft geen niveau EH3 of hoger." in page


def _draft_company(portal, org):
    data = portal.session.get(f"ketenmachtiging_draft:{org.pk}")
    return data and data["company"] and data["company"]["name"]


def test_a_draft_in_progress_is_replaced_only_after_asking(portal, org, expired_km):
    session = portal.session
    zet = wizard.Draft()
    zet.set_company(Company(name="ZET solutions B.V.", kvk_nummer="39078749"))
    session[f"ketenmachtiging_draft:{org.pk}"] = asdict(zet)
    session.save()
    reapply = reverse("ketenmachtigingen:reapply", args=[expired_km.pk])
    confirm = reverse("ketenmachtigingen:reapply_replacing_draft", args=[expired_km.pk])
    back = f"{OVERVIEW}?tab=verlopen"

    response = portal.post(reapply, {"next": back})
    assert (
        response["Location"]
        == f"{confirm}?next=%2Fketenmachtigingen%2Fvan-relaties%2F%3Ftab%3Dverlopen"
    )
    assert _draft_company(portal, org) == "ZET solutions B.V."

    question = portal.get(response["Location"]).content.decode()
    assert (
        "U bent al een aanvraag voor ZET solutions B.V. aan het voorbereiden. Uw keuzes worden "
        "gewist en vervangen door de gegevens van de verlopen ketenmachtiging van Bakkerij "
        "Jansen B.V." in question
    )
    assert "Ja, vervang de aanvraag" in question
    assert f'href="{back}"' in question  # Annuleer leads back to the tab
    assert _draft_company(portal, org) == "ZET solutions B.V."

    done = portal.post(confirm, {"next": back})
    assert done["Location"] == f"{ADD}#stap-4"
    assert _draft_company(portal, org) == "Bakkerij Jansen B.V."


def test_replacing_an_import_in_progress_removes_the_import(portal, org, expired_km):
    bulk = BulkRequestFactory(organisation=org)
    session = portal.session
    draft = wizard.Draft()
    draft.set_bulk(bulk.pk)
    session[f"ketenmachtiging_draft:{org.pk}"] = asdict(draft)
    session.save()

    portal.post(reverse("ketenmachtigingen:reapply_replacing_draft", args=[expired_km.pk]))

    assert not type(bulk).objects.filter(pk=bulk.pk).exists()
    assert _draft_company(portal, org) == "Bakkerij Jansen B.V."


def test_vraag_opnieuw_aan_is_a_post(portal, expired_km):
    url = reverse("ketenmachtigingen:reapply", args=[expired_km.pk])
    assert portal.get(url).status_code == 405


def test_verwijder_uit_overzicht_asks_then_removes(portal, org, expired_km):
    url = reverse("ketenmachtigingen:remove_from_overview", args=[expired_km.pk])
    back = f"{OVERVIEW}?tab=verlopen"

    assert (
        reverse("ketenmachtigingen:relatie", args=[expired_km.relatie_id])
        in portal.get(back).content.decode()
    )
    question = portal.get(url, {"next": back}).content.decode()
    assert (
        "De verlopen ketenmachtiging van Bakkerij Jansen B.V. verdwijnt uit het overzicht "
        "Verlopen." in question
    )
    assert "Ja, verwijder uit overzicht" in question
    assert Ketenmachtiging.objects.get(pk=expired_km.pk).hidden_at is None

    response = portal.post(url, {"next": back})
    assert response["Location"] == back
    tab = portal.get(back).content.decode()
    assert "De verlopen ketenmachtiging van Bakkerij Jansen B.V. is verwijderd" in tab
    assert reverse("ketenmachtigingen:relatie", args=[expired_km.relatie_id]) not in tab
    assert Ketenmachtiging.objects.get(pk=expired_km.pk).hidden_at is not None
    # Gone from the tab, so there is nothing to request again from it.
    reapply = reverse("ketenmachtigingen:reapply", args=[expired_km.pk])
    assert portal.post(reapply).status_code == 404
    assert portal.get(url).status_code == 404


@pytest.mark.parametrize("name", ["reapply", "reapply_replacing_draft", "remove_from_overview"])
def test_another_organisations_ketenmachtiging_is_not_found(portal, snapshot, name):
    theirs = KetenmachtigingFactory(verlopen=True)
    before = snapshot(theirs)
    url = reverse(f"ketenmachtigingen:{name}", args=[theirs.pk])

    assert portal.post(url).status_code == 404
    if name != "reapply":
        assert portal.get(url).status_code == 404
    assert snapshot(theirs) == before


@pytest.mark.parametrize("name", ["reapply", "remove_from_overview"])
def test_only_an_expired_one_has_these_actions(portal, org, name):
    km = KetenmachtigingFactory(intermediair=org, actief=True)

    assert portal.post(reverse(f"ketenmachtigingen:{name}", args=[km.pk])).status_code == 404
