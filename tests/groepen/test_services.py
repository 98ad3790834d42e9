"""groepen/services.py: every write to a groep, and that a refused write changes nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.constants import EHNiveau
from core.errors import DomainError
from groepen import services
from groepen.models import Groep
from ketenmachtigingen.constants import ActorKind, EventKind
from ketenmachtigingen.models import Ketenmachtiging, KetenmachtigingEvent
from tests.factories import (
    BeheerderFactory,
    DienstFactory,
    DienstverlenerFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(intermediair=True)


@pytest.fixture
def person(organisation):
    return BeheerderFactory(organisation=organisation).user


def state_of(groep: Groep) -> dict:
    """Everything stored about a groep, read back from the database."""
    groep = Groep.objects.get(pk=groep.pk)
    return {
        "name": groep.name,
        "algemene_bevoegdheid": groep.algemene_bevoegdheid,
        "members": sorted(groep.members.values_list("pk", flat=True)),
        "dienstverleners": sorted(groep.dienstverleners.values_list("pk", flat=True)),
        "diensten": sorted(groep.diensten.values_list("pk", flat=True)),
        "ketenmachtigingen": sorted(groep.ketenmachtigingen.values_list("pk", flat=True)),
    }


# --- create_groep --------------------------------------------------------------------------------


def test_create_groep_has_a_name_and_nothing_else_yet(person, organisation):
    groep = services.create_groep(
        acting_user=person, organisation=organisation, name="  Loonadministratie   Noord "
    )

    assert state_of(groep) == {
        "name": "Loonadministratie Noord",
        "algemene_bevoegdheid": False,
        "members": [],
        "dienstverleners": [],
        "diensten": [],
        "ketenmachtigingen": [],
    }
    assert groep.organisation == organisation


@pytest.mark.parametrize("name", ["Fiscalisten", "fiscalisten", "FISCALISTEN", " Fiscalisten "])
def test_create_groep_refuses_a_name_taken_in_any_case(person, organisation, name):
    GroepFactory(organisation=organisation, name="Fiscalisten")

    with pytest.raises(DomainError) as refused:
        services.create_groep(acting_user=person, organisation=organisation, name=name)

    assert refused.value.message == "Er bestaat al een groep met deze naam."
    assert list(Groep.objects.values_list("name", flat=True)) == ["Fiscalisten"]


def test_the_same_name_is_free_in_another_organisation(person, organisation):
    GroepFactory(name="Fiscalisten")  # another organisation's

    groep = services.create_groep(acting_user=person, organisation=organisation, name="Fiscalisten")

    assert Groep.objects.filter(name="Fiscalisten").count() == 2
    assert groep.organisation == organisation


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Geef de groep een naam."), ("   ", "Geef de groep een naam."), ("x" * 101, "100")],
)
def test_create_groep_refuses_an_empty_or_long_name(person, organisation, name, message):
    with pytest.raises(DomainError) as refused:
        services.create_groep(acting_user=person, organisation=organisation, name=name)

    assert message in refused.value.message
    assert not Groep.objects.exists()


# --- rename_groep --------------------------------------------------------------------------------


def test_rename_groep(person, organisation):
    groep = GroepFactory(organisation=organisation, name="Fiscalisten")

    services.rename_groep(acting_user=person, groep=groep, name="Fiscale adviseurs")

    assert state_of(groep)["name"] == "Fiscale adviseurs"


def test_rename_to_its_own_name_in_another_case_is_allowed(person, organisation):
    groep = GroepFactory(organisation=organisation, name="fiscalisten")

    services.rename_groep(acting_user=person, groep=groep, name="Fiscalisten")

    assert state_of(groep)["name"] == "Fiscalisten"


def test_rename_to_another_groeps_name_in_any_case_changes_nothing(person, organisation):
    GroepFactory(organisation=organisation, name="Salarisadministratie")
    groep = GroepFactory(organisation=organisation, name="Fiscalisten")
    before = state_of(groep)

    with pytest.raises(DomainError) as refused:
        services.rename_groep(acting_user=person, groep=groep, name="SALARISadministratie")

    assert refused.value.message == "Er bestaat al een groep met deze naam."
    assert state_of(groep) == before


# --- set_members ---------------------------------------------------------------------------------


def test_set_members_makes_the_members_exactly_those(person, organisation):
    old, stays, new = (MembershipFactory(organisation=organisation) for _ in range(3))
    groep = GroepFactory(organisation=organisation, members=[old, stays])

    services.set_members(acting_user=person, groep=groep, memberships=[stays, new])

    assert state_of(groep)["members"] == sorted([stays.pk, new.pk])


def test_people_below_eh3_or_belastingdienst_only_may_be_members(person, organisation):
    laag = MembershipFactory(organisation=organisation, eh_niveau=EHNiveau.EH2)
    fiscaal = MembershipFactory(organisation=organisation, belastingdienst_only=True)
    groep = GroepFactory(organisation=organisation)

    services.set_members(acting_user=person, groep=groep, memberships=[laag, fiscaal])

    assert state_of(groep)["members"] == sorted([laag.pk, fiscaal.pk])


def test_set_members_to_nobody(person, organisation):
    groep = GroepFactory(
        organisation=organisation, members=[MembershipFactory(organisation=organisation)]
    )

    services.set_members(acting_user=person, groep=groep, memberships=[])

    assert state_of(groep)["members"] == []


def test_set_members_refuses_another_organisations_middel_and_changes_nothing(person, organisation):
    member = MembershipFactory(organisation=organisation)
    groep = GroepFactory(organisation=organisation, members=[member])
    stranger = MembershipFactory()  # of another organisation
    before = state_of(groep)

    with pytest.raises(DomainError) as refused:
        services.set_members(acting_user=person, groep=groep, memberships=[member, stranger])

    assert refused.value.message == "Deze gebruiker hoort niet bij uw organisatie."
    assert state_of(groep) == before


def test_set_members_refuses_an_inactive_middel_and_changes_nothing(person, organisation):
    member = MembershipFactory(organisation=organisation)
    groep = GroepFactory(organisation=organisation, members=[member])
    inactive = MembershipFactory(
        organisation=organisation, active=False, user__initials="P.", user__last_name="Oud"
    )
    before = state_of(groep)

    with pytest.raises(DomainError) as refused:
        services.set_members(acting_user=person, groep=groep, memberships=[member, inactive])

    assert refused.value.message == "Het middel van P. Oud is niet actief."
    assert state_of(groep) == before


# --- set_toegestane_diensten ---------------------------------------------------------------------


def test_limit_to_dienstverleners_and_diensten(person, organisation):
    groep = GroepFactory(organisation=organisation, algemene_bevoegdheid=True)
    dienstverlener = DienstverlenerFactory()
    dienst = DienstFactory()

    services.set_toegestane_diensten(
        acting_user=person,
        groep=groep,
        algemene_bevoegdheid=False,
        dienstverleners=[dienstverlener],
        diensten=[dienst],
    )

    state = state_of(groep)
    assert (state["algemene_bevoegdheid"], state["dienstverleners"], state["diensten"]) == (
        False,
        [dienstverlener.pk],
        [dienst.pk],
    )


def test_algemene_bevoegdheid_keeps_no_list_beside_it(person, organisation):
    groep = GroepFactory(
        organisation=organisation,
        algemene_bevoegdheid=False,
        diensten=[DienstFactory()],
        dienstverleners=[DienstverlenerFactory()],
    )

    services.set_toegestane_diensten(
        acting_user=person, groep=groep, algemene_bevoegdheid=True, diensten=[DienstFactory()]
    )

    state = state_of(groep)
    assert (state["algemene_bevoegdheid"], state["dienstverleners"], state["diensten"]) == (
        True,
        [],
        [],
    )


def test_beperk_without_any_dienst_is_refused_and_changes_nothing(person, organisation):
    groep = GroepFactory(organisation=organisation, algemene_bevoegdheid=True)
    before = state_of(groep)

    with pytest.raises(DomainError) as refused:
        services.set_toegestane_diensten(
            acting_user=person, groep=groep, algemene_bevoegdheid=False
        )

    assert refused.value.message == (
        "Kies bij Beperk toegestane diensten één of meerdere toegestane diensten."
    )
    assert state_of(groep) == before


def test_an_inactive_dienst_is_refused_and_changes_nothing(person, organisation):
    dienst = DienstFactory()
    groep = GroepFactory(organisation=organisation, algemene_bevoegdheid=False, diensten=[dienst])
    before = state_of(groep)
    gone = DienstFactory(name="Oude dienst", active=False)

    with pytest.raises(DomainError) as refused:
        services.set_toegestane_diensten(
            acting_user=person, groep=groep, algemene_bevoegdheid=False, diensten=[dienst, gone]
        )

    assert refused.value.message == "De dienst Oude dienst is niet meer beschikbaar."
    assert state_of(groep) == before


# --- delete_groep --------------------------------------------------------------------------------


def test_delete_groep_unlinks_and_records_one_event_per_ketenmachtiging(person, organisation):
    member = MembershipFactory(organisation=organisation)
    groep = GroepFactory(organisation=organisation, name="Fiscalisten", members=[member])
    other_groep = GroepFactory(organisation=organisation)
    linked = [
        KetenmachtigingFactory(intermediair=organisation, actief=True, groepen=[groep]),
        KetenmachtigingFactory(intermediair=organisation, groepen=[groep, other_groep]),
        KetenmachtigingFactory(intermediair=organisation, ingetrokken=True, groepen=[groep]),
    ]
    untouched = KetenmachtigingFactory(intermediair=organisation, groepen=[other_groep])

    returned = services.delete_groep(acting_user=person, groep=groep)

    assert returned == sorted(km.pk for km in linked)
    assert not Groep.objects.filter(pk=groep.pk).exists()
    assert not Ketenmachtiging.groepen.through.objects.filter(groep_id=groep.pk).exists()
    assert list(linked[1].groepen.all()) == [other_groep]
    events = KetenmachtigingEvent.objects.order_by("ketenmachtiging_id")
    assert [
        (e.ketenmachtiging_id, e.kind, e.actor_kind, e.actor, e.note, e.from_status, e.to_status)
        for e in events
    ] == [
        (km.pk, EventKind.GROUP_REMOVED, ActorKind.PERSON, person, "Fiscalisten", "", "")
        for km in sorted(linked, key=lambda km: km.pk)
    ]
    assert all(e.created_at is not None for e in events)
    assert not untouched.events.exists()
    assert list(untouched.groepen.all()) == [other_groep]
    member.refresh_from_db()  # the person's middel stays


def test_delete_an_unused_groep_records_nothing(person, organisation):
    groep = GroepFactory(organisation=organisation)

    assert services.delete_groep(acting_user=person, groep=groep) == []

    assert not Groep.objects.exists()
    assert not KetenmachtigingEvent.objects.exists()


def test_delete_groep_is_set_based(person, organisation):
    """The number of queries does not grow with the number of linked ketenmachtigingen."""

    def queries_to_delete(linked: int) -> int:
        groep = GroepFactory(organisation=organisation)
        for _ in range(linked):
            KetenmachtigingFactory(intermediair=organisation, groepen=[groep])
        with CaptureQueriesContext(connection) as captured:
            services.delete_groep(acting_user=person, groep=groep)
        return len(captured)

    assert queries_to_delete(1) == queries_to_delete(6)
    assert KetenmachtigingEvent.objects.filter(kind=EventKind.GROUP_REMOVED).count() == 7


def test_a_failing_delete_leaves_groep_links_and_events_as_they_were(
    person, organisation, monkeypatch
):
    groep = GroepFactory(organisation=organisation)
    km = KetenmachtigingFactory(intermediair=organisation, groepen=[groep])
    before = state_of(groep)

    def broken_delete(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Groep, "delete", broken_delete)
    with pytest.raises(RuntimeError):
        services.delete_groep(acting_user=person, groep=groep)

    assert state_of(groep) == before
    assert not km.events.exists()
