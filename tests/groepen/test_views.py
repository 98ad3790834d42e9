"""groepen (manual 4, "Groepen aanmaken"), through the views as a beheerder uses them."""

import re

import pytest
from django.urls import URLPattern, reverse

from accounts.constants import EHNiveau, Role
from groepen import urls as groepen_urls
from groepen.models import Groep
from ketenmachtigingen.constants import EventKind
from ketenmachtigingen.models import KetenmachtigingEvent
from tests.factories import (
    BeheerderFactory,
    DienstFactory,
    DienstverlenerFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("groepen:list")
CREATE = reverse("groepen:create")


def url(name, groep):
    return reverse(f"groepen:{name}", args=[groep.pk])


@pytest.fixture
def jong(org):
    return MembershipFactory(
        organisation=org, user=UserFactory(initials="S.", tussenvoegsel="de", last_name="Jong")
    )


@pytest.fixture
def smit(org):
    return MembershipFactory(
        organisation=org,
        user=UserFactory(initials="L.", last_name="Smit"),
        belastingdienst_only=True,
    )


@pytest.fixture
def laag(org):
    return MembershipFactory(
        organisation=org, user=UserFactory(initials="K.", last_name="Laag"), eh_niveau=EHNiveau.EH2
    )


@pytest.fixture
def cockpit():
    return DienstFactory(name="Adviseursportaal a.s.r. Cockpit", dienstverlener__name="A.S.R.")


@pytest.fixture
def loonheffingen():
    return DienstFactory(
        name="Aangifte loonheffingen",
        dienstverlener__name="Belastingdienst",
        dienstverlener__belastingdienst=True,
    )


def page(client, path, **kwargs):
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the list ------------------------------------------------------------------------------------


def test_the_menu_opens_the_groepen_list(portal):
    content = page(portal, LIST)

    assert f'<a href="{LIST}" aria-current="page">groepen</a>' in content
    assert "+ Voeg toe" in content
    assert f'href="{CREATE}"' in content
    assert "Uw organisatie heeft nog geen groepen." in content


def test_list_shows_members_toegestane_diensten_and_use(portal, org, jong, smit, cockpit):
    algemeen = GroepFactory(organisation=org, name="Fiscalisten", members=[jong, smit])
    beperkt = GroepFactory(
        organisation=org,
        name="Loonadministratie",
        algemene_bevoegdheid=False,
        diensten=[cockpit, DienstFactory()],
        dienstverleners=[DienstverlenerFactory()],
        members=[jong],
    )
    GroepFactory(organisation=org, name="Nieuw", algemene_bevoegdheid=False)
    KetenmachtigingFactory(intermediair=org, actief=True, groepen=[algemeen, beperkt])
    KetenmachtigingFactory(intermediair=org, groepen=[algemeen])
    KetenmachtigingFactory(intermediair=org, ingetrokken=True, groepen=[algemeen])  # not in use
    GroepFactory(name="Andermans groep")

    response = portal.get(LIST)

    rows = [
        (g.name, g.member_count, g.dienst_count, g.dienstverlener_count, g.ketenmachtiging_count)
        for g in response.context["groepen"]
    ]
    assert rows == [
        ("Fiscalisten", 2, 0, 0, 2),
        ("Loonadministratie", 1, 2, 1, 1),
        ("Nieuw", 0, 0, 0, 0),
    ]
    content = response.content.decode()
    assert "Algemene bevoegdheid" in content
    assert "1 dienstverlener" in content and "2 diensten" in content
    assert "Nog niet gekozen" in content
    assert "Andermans groep" not in content
    for label in ["Naam", "Gebruikers", "Toegestane diensten", "Ketenmachtigingen"]:
        assert f">{label}</th>" in content, label


# --- Voeg toe: the whole flow --------------------------------------------------------------------


def test_create_a_groep_through_all_steps(portal, org, jong, smit, laag, cockpit, loonheffingen):
    # Stap 1
    content = page(portal, CREATE)
    for label in [
        "Groepsnaam",
        "Let wel op, iedere groep moet een unieke naam hebben.",
        "Sla op en voeg gebruikers toe",
        "3.</span> Toegestane diensten ketenmachtiging",
    ]:
        assert label in content, label
    response = portal.post(CREATE, {"name": "Loonadministratie"})
    groep = Groep.objects.get()
    assert (groep.organisation, groep.name) == (org, "Loonadministratie")
    assert response.url == f"{url('detail', groep)}#stap-2"

    # Stap 2
    content = page(portal, url("detail", groep))
    assert "Voeg gebruikers toe" in content
    assert "Voeg groep toe" in content  # not finished yet
    content = page(portal, url("members", groep))
    assert "Zoek op gebruiker" in content
    assert "S. de Jong" in content and "L. Smit" in content and "K. Laag" in content
    assert "minimaal niveau EH3" in content  # K. Laag is flagged, not hidden
    assert "alleen geschikt is om namens uw bedrijf in te loggen bij de Belastingdienst" in content
    assert 'disabled aria-disabled="true"' not in content
    response = portal.post(url("members", groep), {"gebruikers": [jong.pk, smit.pk]})
    assert response.url == f"{url('detail', groep)}#stap-3"
    assert set(groep.members.all()) == {jong, smit}

    # Stap 3
    content = page(portal, url("detail", groep))
    for label in [
        "3.</span> Toegestane diensten ketenmachtiging",
        "Kies de toegestane diensten waar deze groep mag inloggen namens een klant die een "
        "ketenmachtiging heeft verleend.",
        "Algemene bevoegdheid",
        "Beperk toegestane diensten",
        "Kies toegestane diensten",
        "Voeg groep toe",
    ]:
        assert label in content, label
    assert "checked" not in content  # a new groep: nothing chosen for the beheerder
    content = page(portal, url("diensten", groep))
    for label in [
        "Kies toegestane diensten",
        "Voeg een machtiging toe",
        "Diensten",
        "Zoek op dienst of dienstverlener...",
        "Dienstverlenersmachtiging voor A.S.R.",
        "Adviseursportaal a.s.r. Cockpit",
        "Voeg machtiging(en) toe",
    ]:
        assert label in content, label
    assert 'name="algemene_bevoegdheid"' not in content  # that is the other choice of stap 3
    response = portal.post(url("diensten", groep), {"diensten": [cockpit.pk, loonheffingen.pk]})
    assert response.url.startswith(url("detail", groep) + "?")
    assert response.url.endswith("#stap-3")
    assert not groep.diensten.exists()  # saved only by "Voeg groep toe"

    content = page(portal, response.url.split("#")[0])
    assert 'value="beperkt" checked' in content
    assert "Adviseursportaal a.s.r. Cockpit" in content and "Aangifte loonheffingen" in content
    assert "Klik op Voeg groep toe om deze diensten op te slaan." in content
    response = portal.post(
        url("toegestane_diensten", groep),
        {"keuze": "beperkt", "diensten": [cockpit.pk, loonheffingen.pk]},
        follow=True,
    )

    assert response.redirect_chain == [(LIST, 302)]
    assert messages_of(response) == ["De groep “Loonadministratie” is toegevoegd."]
    groep.refresh_from_db()
    assert groep.algemene_bevoegdheid is False
    assert set(groep.diensten.all()) == {cockpit, loonheffingen}
    assert set(groep.members.all()) == {jong, smit}
    assert response.context["groepen"][0].dienst_count == 2


def test_create_with_a_taken_name_in_another_case_is_refused(portal, org):
    GroepFactory(organisation=org, name="Fiscalisten")

    response = portal.post(CREATE, {"name": "fiscalISTEN"})

    assert response.status_code == 200
    assert "Er bestaat al een groep met deze naam." in response.content.decode()
    assert Groep.objects.count() == 1


def test_create_without_a_name_is_refused(portal):
    response = portal.post(CREATE, {"name": "  "})

    assert "Geef de groep een naam." in response.content.decode()
    assert not Groep.objects.exists()


# --- the groep's page: rename --------------------------------------------------------------------


def test_rename(portal, org):
    groep = GroepFactory(organisation=org, name="Fiscalisten")

    response = portal.post(url("rename", groep), {"name": "Fiscale adviseurs"}, follow=True)

    assert messages_of(response) == ["De naam van de groep is gewijzigd in “Fiscale adviseurs”."]
    assert "<h1>Fiscale adviseurs</h1>" in response.content.decode()
    groep.refresh_from_db()
    assert groep.name == "Fiscale adviseurs"


def test_rename_to_a_taken_name_is_refused(portal, org):
    GroepFactory(organisation=org, name="Salarisadministratie")
    groep = GroepFactory(organisation=org, name="Fiscalisten")

    response = portal.post(url("rename", groep), {"name": "salarisadministratie"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "Er bestaat al een groep met deze naam." in content
    assert 'value="salarisadministratie"' in content  # what was typed stays in the field
    groep.refresh_from_db()
    assert groep.name == "Fiscalisten"


def test_get_on_a_post_only_url_goes_back_to_the_groep(portal, org):
    groep = GroepFactory(organisation=org)

    assert portal.get(url("rename", groep)).url == f"{url('detail', groep)}#stap-1"
    assert portal.get(url("toegestane_diensten", groep)).url == f"{url('detail', groep)}#stap-3"


# --- members -------------------------------------------------------------------------------------


def test_the_groeps_page_flags_members_below_eh3_and_belastingdienst_only(
    portal, org, jong, smit, laag
):
    groep = GroepFactory(organisation=org, members=[jong, smit, laag])

    content = page(portal, url("detail", groep))

    assert "S. de Jong" in content
    assert content.count('class="picker-warning"') == 2
    assert (
        "Om gebruik te maken van de machtiging(en) dient de persoon te beschikken over een "
        "middel op minimaal niveau EH3." in content
    )
    assert (
        "Let op! Deze persoon beschikt over een middel dat alleen geschikt is om namens uw "
        "bedrijf in te loggen bij de Belastingdienst." in content
    )


def test_change_members_later(portal, org, jong, smit):
    groep = GroepFactory(organisation=org, members=[jong])
    content = page(portal, url("members", groep))
    assert re.search(rf'value="{jong.pk}" checked', content)  # the current members are ticked

    response = portal.post(url("members", groep), {"gebruikers": [smit.pk]}, follow=True)

    assert list(groep.members.all()) == [smit]
    assert messages_of(response) == ["De gebruikers van de groep zijn opgeslagen."]
    assert response.redirect_chain == [(f"{url('detail', groep)}#stap-2", 302)]


def test_members_search_filters_as_you_type_and_keeps_ticked_people(portal, org, jong, smit):
    groep = GroepFactory(organisation=org)

    partial = page(
        portal,
        url("members", groep),
        data={"zoek": "smit", "picker": "1", "gebruikers": [jong.pk]},
        headers={"HX-Request": "true"},
    )

    assert "<html" not in partial
    assert "L. Smit" in partial and "S. de Jong" not in partial
    assert f'<input type="hidden" name="gebruikers" value="{jong.pk}">' in partial


def test_inactive_middelen_are_not_offered(portal, org, jong):
    MembershipFactory(organisation=org, user=UserFactory(last_name="Vertrokken"), active=False)
    groep = GroepFactory(organisation=org)

    assert "Vertrokken" not in page(portal, url("members", groep))


@pytest.mark.parametrize("whose", ["another organisation", "inactive"])
def test_a_gebruiker_of_another_organisation_or_inactive_cannot_be_added(portal, org, jong, whose):
    groep = GroepFactory(organisation=org, members=[jong])
    if whose == "inactive":
        refused = MembershipFactory(organisation=org, active=False)
    else:
        refused = MembershipFactory(organisation=OrganisationFactory(intermediair=True))

    response = portal.post(url("members", groep), {"gebruikers": [jong.pk, refused.pk]})

    assert response.status_code == 200
    assert "Deze gebruiker hoort niet bij uw organisatie." in response.content.decode()
    assert list(groep.members.all()) == [jong]


# --- toegestane diensten -------------------------------------------------------------------------


def test_the_diensten_picker_searches_and_keeps_what_is_ticked(portal, org, cockpit, loonheffingen):
    groep = GroepFactory(organisation=org)

    partial = page(
        portal,
        url("diensten", groep),
        data={"zoek": "cockpit", "picker": "1", "diensten": [loonheffingen.pk]},
        headers={"HX-Request": "true"},
    )

    assert "<html" not in partial
    assert "Adviseursportaal a.s.r. Cockpit" in partial
    assert "Aangifte loonheffingen" not in partial  # filtered out, kept as a hidden input:
    assert f'<input type="hidden" name="diensten" value="{loonheffingen.pk}">' in partial


def test_the_diensten_picker_opens_with_the_saved_diensten(portal, org, cockpit, loonheffingen):
    groep = GroepFactory(organisation=org, algemene_bevoegdheid=False, diensten=[cockpit])

    content = page(portal, url("diensten", groep))

    assert f'name="diensten" value="{cockpit.pk}" checked' in content
    assert f'name="diensten" value="{loonheffingen.pk}" checked' not in content


def test_choosing_no_dienst_in_the_picker_is_refused(portal, org):
    groep = GroepFactory(organisation=org)

    response = portal.post(url("diensten", groep), {})

    assert response.status_code == 200
    assert (
        "Kies bij Beperk toegestane diensten één of meerdere toegestane diensten."
        in response.content.decode()
    )


def test_beperk_toegestane_diensten_without_diensten_is_refused(portal, org, cockpit):
    groep = GroepFactory(organisation=org, algemene_bevoegdheid=True)

    response = portal.post(url("toegestane_diensten", groep), {"keuze": "beperkt"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "Kies bij Beperk toegestane diensten één of meerdere toegestane diensten." in content
    assert 'value="beperkt" checked' in content
    groep.refresh_from_db()
    assert groep.algemene_bevoegdheid is True


def test_no_choice_at_all_is_refused(portal, org):
    groep = GroepFactory(organisation=org, algemene_bevoegdheid=False)

    response = portal.post(url("toegestane_diensten", groep), {})

    assert "Kies Algemene bevoegdheid of Beperk toegestane diensten." in response.content.decode()


def test_change_diensten_of_an_existing_groep(portal, org, cockpit, loonheffingen):
    groep = GroepFactory(organisation=org, algemene_bevoegdheid=False, diensten=[cockpit])
    content = page(portal, url("detail", groep))
    assert 'value="beperkt" checked' in content
    assert "Sla op" in content and "Voeg groep toe" not in content

    response = portal.post(
        url("toegestane_diensten", groep),
        {"keuze": "beperkt", "diensten": [loonheffingen.pk]},
        follow=True,
    )

    assert messages_of(response) == ["De toegestane diensten van de groep zijn opgeslagen."]
    assert list(groep.diensten.all()) == [loonheffingen]

    portal.post(url("toegestane_diensten", groep), {"keuze": "algemeen", "diensten": [cockpit.pk]})

    groep.refresh_from_db()
    assert groep.algemene_bevoegdheid is True
    assert not groep.diensten.exists()
    assert 'value="algemeen" checked' in page(portal, url("detail", groep))


def test_a_whole_dienstverlener_can_be_allowed(portal, org, cockpit):
    groep = GroepFactory(organisation=org)

    response = portal.post(url("diensten", groep), {"dienstverleners": [cockpit.dienstverlener.pk]})
    content = page(portal, response.url.split("#")[0])
    assert "Dienstverlenersmachtiging voor A.S.R." in content
    portal.post(
        url("toegestane_diensten", groep),
        {"keuze": "beperkt", "dienstverleners": [cockpit.dienstverlener.pk]},
    )

    assert list(groep.dienstverleners.all()) == [cockpit.dienstverlener]


# --- Verwijder groep -----------------------------------------------------------------------------


def test_delete_asks_first_then_removes_and_records(portal, org, beheerder):
    groep = GroepFactory(organisation=org, name="Fiscalisten")
    kms = [KetenmachtigingFactory(intermediair=org, actief=True, groepen=[groep]) for _ in range(2)]
    assert "Verwijder groep" in page(portal, url("detail", groep))

    confirm = page(portal, url("delete", groep))
    assert (
        "De groep “Fiscalisten” wordt verwijderd. De groep wordt gebruikt in 2 "
        "ketenmachtigingen. De gebruikers van de groep kunnen die daarna niet meer via deze "
        "groep gebruiken."
    ) in confirm
    assert Groep.objects.filter(pk=groep.pk).exists()  # asking deletes nothing

    response = portal.post(url("delete", groep), follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert messages_of(response) == ["De groep “Fiscalisten” is verwijderd."]
    assert not Groep.objects.exists()
    events = KetenmachtigingEvent.objects.order_by("ketenmachtiging_id")
    assert [(e.ketenmachtiging_id, e.kind, e.actor, e.note) for e in events] == [
        (km.pk, EventKind.GROUP_REMOVED, beheerder.user, "Fiscalisten") for km in kms
    ]


# --- access --------------------------------------------------------------------------------------


def groep_urls():
    """Every groepen URL that names a groep, discovered from groepen/urls.py."""
    return [
        p.name
        for p in groepen_urls.urlpatterns
        if isinstance(p, URLPattern) and "groep_id" in p.pattern.converters
    ]


def test_every_groep_url_is_covered():
    assert sorted(groep_urls()) == sorted(
        ["detail", "rename", "members", "diensten", "toegestane_diensten", "delete"]
    )


@pytest.mark.parametrize("name", groep_urls())
def test_another_organisations_groep_is_not_found(portal, name, jong):
    theirs = GroepFactory(organisation=OrganisationFactory(intermediair=True), name="Andermans")
    before = (theirs.name, theirs.algemene_bevoegdheid)
    data = {"name": "Overgenomen", "gebruikers": [jong.pk], "keuze": "algemeen"}

    assert portal.get(url(name, theirs)).status_code == 404
    assert portal.post(url(name, theirs), data).status_code == 404

    theirs.refresh_from_db()
    assert (theirs.name, theirs.algemene_bevoegdheid) == before
    assert not theirs.members.exists()


@pytest.mark.parametrize("name", ["list", "create"])
def test_a_gebruiker_who_is_no_beheerder_cannot_use_groepen(client, verified_login, name):
    gebruiker = MembershipFactory(
        role=Role.GEBRUIKER, organisation=OrganisationFactory(intermediair=True)
    )
    verified_login(gebruiker.user)

    assert client.get(reverse(f"groepen:{name}")).status_code == 403
    assert client.post(CREATE, {"name": "Stiekem"}).status_code == 403
    assert not Groep.objects.exists()


def test_a_beheerder_below_eh3_cannot_use_groepen(client, verified_login):
    beheerder = BeheerderFactory(
        eh_niveau=EHNiveau.EH2_PLUS, organisation=OrganisationFactory(intermediair=True)
    )
    verified_login(beheerder.user)

    assert client.get(LIST).status_code == 403


def test_groepen_need_a_login(client, org):
    groep = GroepFactory(organisation=org)

    for path in [LIST, CREATE, *(url(name, groep) for name in groep_urls())]:
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/inloggen/"), path
