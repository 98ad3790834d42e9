"""People and groups of the intermediair on a ketenmachtiging."""

import pytest

from accounts.constants import EHNiveau
from ketenmachtigingen.constants import HIDDEN_STATUSES, ActorKind, EventKind, Status
from ketenmachtigingen.errors import DomainError
from ketenmachtigingen.services.assignments import (
    add_gebruiker,
    add_groep,
    remove_gebruiker,
    remove_groep,
)
from tests.factories import (
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
    ketenmachtiging_with_status,
)

from .conftest import state_of

pytestmark = pytest.mark.django_db

CLOSED = "Deze ketenmachtiging is beëindigd en kan niet meer worden gewijzigd."
OPEN_STATUSES = sorted(set(Status) - HIDDEN_STATUSES)


def the_new_event(km, before):
    new = list(km.events.exclude(pk__in=before["events"]))
    assert len(new) == 1, new
    return new[0]


def assert_assignment_event(event, *, kind, actor, note):
    assert event.kind == kind
    assert event.actor == actor
    assert event.actor_kind == ActorKind.PERSON
    assert (event.from_status, event.to_status) == ("", "")
    assert event.note == note


def assert_unchanged(km, before):
    assert state_of(km) == before


@pytest.fixture
def km(intermediair, relatie):
    return KetenmachtigingFactory(actief=True, intermediair=intermediair, relatie=relatie)


@pytest.fixture
def collega(intermediair):
    return MembershipFactory(organisation=intermediair)


@pytest.fixture
def groep(intermediair):
    return GroepFactory(organisation=intermediair, name="Loonadministratie")


# --- gebruikers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_add_gebruiker(person, intermediair, relatie, collega, status):
    km = ketenmachtiging_with_status(status, intermediair=intermediair, relatie=relatie)
    before = state_of(km)

    add_gebruiker(km, acting_user=person, membership=collega)

    assert list(km.gebruikers.all()) == [collega]
    assert_assignment_event(
        the_new_event(km, before),
        kind=EventKind.USER_ADDED,
        actor=person,
        note=collega.user.display_name,
    )
    assert state_of(km)["status"] == status


def test_add_gebruiker_twice_records_one_event(person, km, collega):
    add_gebruiker(km, acting_user=person, membership=collega)
    before = state_of(km)

    add_gebruiker(km, acting_user=person, membership=collega)

    assert_unchanged(km, before)
    assert km.gebruikers.count() == 1


def test_add_gebruiker_of_another_organisation_is_refused(person, km, relatie):
    other = MembershipFactory(organisation=relatie)
    before = state_of(km)

    with pytest.raises(DomainError) as exc_info:
        add_gebruiker(km, acting_user=person, membership=other)

    assert str(exc_info.value) == "Deze gebruiker hoort niet bij uw organisatie."
    assert_unchanged(km, before)


@pytest.mark.parametrize(
    "middel",
    [
        {"eh_niveau": EHNiveau.EH2},
        {"eh_niveau": EHNiveau.EH2_PLUS},
        {"eh_niveau": EHNiveau.EH4, "active": False},
    ],
    ids=["eh2", "eh2+", "inactive"],
)
def test_add_gebruiker_without_a_usable_middel_is_refused(person, km, intermediair, middel):
    membership = MembershipFactory(organisation=intermediair, **middel)
    before = state_of(km)

    with pytest.raises(DomainError) as exc_info:
        add_gebruiker(km, acting_user=person, membership=membership)

    assert str(exc_info.value) == (
        f"{membership.user.display_name} heeft geen middel op minimaal niveau EH3."
    )
    assert_unchanged(km, before)


@pytest.mark.parametrize("status", sorted(HIDDEN_STATUSES))
def test_add_gebruiker_to_an_ended_ketenmachtiging_is_refused(
    person, intermediair, relatie, collega, status
):
    km = ketenmachtiging_with_status(status, intermediair=intermediair, relatie=relatie)
    before = state_of(km)

    with pytest.raises(DomainError) as exc_info:
        add_gebruiker(km, acting_user=person, membership=collega)

    assert str(exc_info.value) == CLOSED
    assert_unchanged(km, before)


def test_remove_gebruiker(person, intermediair, relatie, collega, beheerder):
    km = KetenmachtigingFactory(
        actief=True, intermediair=intermediair, relatie=relatie, gebruikers=[collega, beheerder]
    )
    before = state_of(km)

    remove_gebruiker(km, acting_user=person, membership=collega)

    assert list(km.gebruikers.all()) == [beheerder]
    assert_assignment_event(
        the_new_event(km, before),
        kind=EventKind.USER_REMOVED,
        actor=person,
        note=collega.user.display_name,
    )


def test_remove_a_gebruiker_who_is_not_assigned_changes_nothing(person, km, collega):
    before = state_of(km)

    remove_gebruiker(km, acting_user=person, membership=collega)

    assert_unchanged(km, before)


# --- groepen ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_add_groep(person, intermediair, relatie, groep, status):
    km = ketenmachtiging_with_status(status, intermediair=intermediair, relatie=relatie)
    before = state_of(km)

    add_groep(km, acting_user=person, groep=groep)

    assert list(km.groepen.all()) == [groep]
    assert_assignment_event(
        the_new_event(km, before),
        kind=EventKind.GROUP_ADDED,
        actor=person,
        note="Loonadministratie",
    )


def test_add_groep_twice_records_one_event(person, km, groep):
    add_groep(km, acting_user=person, groep=groep)
    before = state_of(km)

    add_groep(km, acting_user=person, groep=groep)

    assert_unchanged(km, before)


def test_add_groep_of_another_organisation_is_refused(person, km):
    other = GroepFactory(organisation=OrganisationFactory())
    before = state_of(km)

    with pytest.raises(DomainError) as exc_info:
        add_groep(km, acting_user=person, groep=other)

    assert str(exc_info.value) == "Deze groep hoort niet bij uw organisatie."
    assert_unchanged(km, before)


@pytest.mark.parametrize("status", sorted(HIDDEN_STATUSES))
def test_add_groep_to_an_ended_ketenmachtiging_is_refused(
    person, intermediair, relatie, groep, status
):
    km = ketenmachtiging_with_status(status, intermediair=intermediair, relatie=relatie)
    before = state_of(km)

    with pytest.raises(DomainError) as exc_info:
        add_groep(km, acting_user=person, groep=groep)

    assert str(exc_info.value) == CLOSED
    assert_unchanged(km, before)


def test_remove_groep(person, intermediair, relatie, groep):
    other_groep = GroepFactory(organisation=intermediair)
    km = KetenmachtigingFactory(
        actief=True, intermediair=intermediair, relatie=relatie, groepen=[groep, other_groep]
    )
    before = state_of(km)

    remove_groep(km, acting_user=person, groep=groep)

    assert list(km.groepen.all()) == [other_groep]
    assert_assignment_event(
        the_new_event(km, before),
        kind=EventKind.GROUP_REMOVED,
        actor=person,
        note="Loonadministratie",
    )


def test_remove_a_groep_that_is_not_assigned_changes_nothing(person, km, groep):
    before = state_of(km)

    remove_groep(km, acting_user=person, groep=groep)

    assert_unchanged(km, before)
