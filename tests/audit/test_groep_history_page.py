"""The groep's page shows its history, newest first, in a constant number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groepen import services
from tests.factories import (
    BeheerderFactory,
    GroepFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def detail(groep, query=""):
    return reverse("groepen:detail", args=[groep.pk]) + query


def history_of_page(content: str) -> str:
    return content[content.index('id="geschiedenis"') : content.index('class="panel danger-zone"')]


def renames(person, groep, times: int):
    for n in range(times):
        groep = services.rename_groep(acting_user=person, groep=groep, name=f"Naam {n + 1}")
    return groep


def test_the_groep_page_shows_what_changed_who_changed_it_and_when(portal, beheerder, org):
    person = beheerder.user
    jong = MembershipFactory(
        organisation=org, user=UserFactory(initials="S.", tussenvoegsel="de", last_name="Jong")
    )
    vries = MembershipFactory(
        organisation=org, user=UserFactory(initials="K.", tussenvoegsel="de", last_name="Vries")
    )
    groep = services.create_groep(acting_user=person, organisation=org, name="Loonadministratie")
    services.set_members(acting_user=person, groep=groep, memberships=[vries])
    services.set_toegestane_diensten(acting_user=person, groep=groep, algemene_bevoegdheid=True)
    services.set_members(acting_user=person, groep=groep, memberships=[jong])
    other = MembershipFactory(organisation=org, user=UserFactory(last_name="Collega")).user
    services.rename_groep(acting_user=other, groep=groep, name="Salaris")

    history = history_of_page(portal.get(detail(groep)).content.decode())

    lines = re.findall(r"<div>(.*?)</div>", history)
    assert lines == [
        "Naam gewijzigd van ‘Loonadministratie’ in ‘Salaris’",
        "Leden: + S. de Jong, − K. de Vries",
        "Toegestane diensten: + Algemene bevoegdheid",
        "Leden: + K. de Vries",
        "Groep aangemaakt met de naam ‘Loonadministratie’",
    ]
    names = re.findall(r"<td>([^<]*)</td>\s*<td><div>", history)
    assert names[0] == other.display_name
    assert set(names[1:]) == {person.display_name}
    assert '<span class="badge">5</span>' in history


def test_a_groep_without_events_says_so(portal, org):
    content = portal.get(detail(GroepFactory(organisation=org))).content.decode()

    assert "Nog geen wijzigingen vastgelegd." in history_of_page(content)


def test_the_history_is_paged_newest_first(portal, beheerder, org):
    groep = services.create_groep(acting_user=beheerder.user, organisation=org, name="Naam 0")
    groep = renames(beheerder.user, groep, 30)  # 31 events: two pages of 25

    first = history_of_page(portal.get(detail(groep)).content.decode())
    second = history_of_page(portal.get(detail(groep, "?geschiedenis=2")).content.decode())

    assert first.count("<tr>") - 1 == 25  # the header row
    assert "‘Naam 29’ in ‘Naam 30’" in first
    assert "Pagina 1 van 2" in first
    assert 'href="?geschiedenis=2#geschiedenis"' in first
    assert second.count("<tr>") - 1 == 6
    assert "Groep aangemaakt met de naam ‘Naam 0’" in second


def test_the_page_keeps_a_draft_choice_when_paging(portal, beheerder, org):
    groep = services.create_groep(acting_user=beheerder.user, organisation=org, name="Naam 0")
    groep = renames(beheerder.user, groep, 30)

    content = portal.get(detail(groep, "?beperk=1&diensten=7")).content.decode()

    assert 'href="?beperk=1&amp;diensten=7&amp;geschiedenis=2#geschiedenis"' in content


def test_the_number_of_queries_does_not_grow_with_the_history(portal, beheerder, org):
    def queries_for_page(events: int) -> int:
        groep = services.create_groep(
            acting_user=beheerder.user, organisation=org, name=f"Groep {events}"
        )
        renames(beheerder.user, groep, events - 1)
        with CaptureQueriesContext(connection) as captured:
            assert portal.get(detail(groep)).status_code == 200
        return len(captured)

    assert queries_for_page(1) == queries_for_page(20)


def test_another_organisations_groep_and_its_history_stay_hidden(portal):
    elsewhere = OrganisationFactory(intermediair=True)
    person = BeheerderFactory(organisation=elsewhere).user
    groep = services.create_groep(acting_user=person, organisation=elsewhere, name="Geheim")

    assert portal.get(detail(groep)).status_code == 404


def test_a_refused_rename_shows_the_history_too(portal, beheerder, org):
    services.create_groep(acting_user=beheerder.user, organisation=org, name="Salaris")
    groep = services.create_groep(acting_user=beheerder.user, organisation=org, name="Fiscaal")

    response = portal.post(reverse("groepen:rename", args=[groep.pk]), {"name": "salaris"})

    content = response.content.decode()
    assert "Er bestaat al een groep met deze naam." in content
    assert "Groep aangemaakt met de naam ‘Fiscaal’" in history_of_page(content)
    assert "‘Salaris’" not in history_of_page(content)
