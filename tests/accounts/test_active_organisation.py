"""The organisation a person chose last is active again after their next login."""

import re
import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation, User
from tests.accounts.login_form import code_for, post_code, post_password
from tests.factories import BeheerderFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.logins import log_in_verified

pytestmark = pytest.mark.django_db

GEBRUIKERS = reverse("accounts:gebruikers")


@pytest.fixture
def person():
    """A beheerder of two organisations, each with a colleague of their own."""
    user = UserFactory(username="a.pietersen", with_totp_device=True)
    for name, colleague in [
        ("Loonbureau De Vries B.V.", "Devries"),
        ("Pietersen Administratie B.V.", "Administrateur"),
    ]:
        organisation = OrganisationFactory(name=name, intermediair=True)
        BeheerderFactory(user=user, organisation=organisation)
        MembershipFactory(organisation=organisation, user=UserFactory(last_name=colleague))
    return user


def organisation(name):
    return Organisation.objects.get(name=name)


def log_in(client, user):
    """The whole login: password, then the current code of the person's authenticator."""
    post_password(client, user.username)
    response = post_code(client, code_for(user.totpdevice_set.get()))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def switch_to(client, name):
    return client.post(
        reverse("accounts:switch_organisation"),
        {"organisation": organisation(name).pk, "next": GEBRUIKERS},
        follow=True,
    )


def shown_organisation(response) -> str:
    """The organisation on the left: selected in the switcher, or the only one, by name."""
    assert response.status_code == 200
    shown = re.findall(
        r'<option value="\d+" selected>([^<]+)</option>|<p class="org-name">([^<]+)</p>',
        response.text,
    )
    assert len(shown) == 1, shown
    return "".join(shown[0])


def test_after_logging_in_again_the_organisation_chosen_last_is_active(client, person):
    log_in(client, person)
    response = client.get(GEBRUIKERS)
    assert shown_organisation(response) == "Loonbureau De Vries B.V."  # first, alphabetically

    response = switch_to(client, "Pietersen Administratie B.V.")
    assert shown_organisation(response) == "Pietersen Administratie B.V."
    client.post(reverse("logout"))
    assert client.get(GEBRUIKERS).status_code == 302  # logged out

    with time_machine.travel(time.time() + 60):  # the next code of the authenticator
        log_in(client, person)
        response = client.get(GEBRUIKERS)

    assert shown_organisation(response) == "Pietersen Administratie B.V."
    assert "Administrateur" in response.text  # the gebruikers of Pietersen Administratie
    assert "Devries" not in response.text


def gone(user, name):
    user.memberships.filter(organisation__name=name).delete()


def inactive(user, name):
    user.memberships.filter(organisation__name=name).update(active=False)


def organisation_deleted(user, name):
    organisation(name).delete()


@pytest.mark.parametrize("end", [gone, inactive, organisation_deleted])
def test_a_remembered_organisation_without_an_active_middel_falls_back_to_the_first(
    client, verified_login, person, end
):
    verified_login(person)
    switch_to(client, "Pietersen Administratie B.V.")
    client.post(reverse("logout"))

    end(person, "Pietersen Administratie B.V.")
    verified_login(person)
    response = client.get(GEBRUIKERS)

    assert shown_organisation(response) == "Loonbureau De Vries B.V."
    assert "Administrateur" not in response.text


def test_a_remembered_organisation_never_opens_one_the_person_has_no_middel_for(
    client, verified_login, person
):
    foreign = OrganisationFactory(name="Accountantskantoor Jansen & Co", intermediair=True)
    MembershipFactory(organisation=foreign, user=UserFactory(last_name="Jansen"))
    User.objects.filter(pk=person.pk).update(last_organisation=foreign)

    verified_login(person)
    response = client.get(GEBRUIKERS)

    assert shown_organisation(response) == "Loonbureau De Vries B.V."
    assert "Jansen" not in response.text


def test_switching_to_another_organisation_is_refused_and_not_remembered(
    client, verified_login, person
):
    foreign = OrganisationFactory(name="Accountantskantoor Jansen & Co", intermediair=True)
    verified_login(person)
    switch_to(client, "Pietersen Administratie B.V.")

    response = client.post(
        reverse("accounts:switch_organisation"), {"organisation": foreign.pk}, follow=True
    )

    assert "U beheert deze organisatie niet." in response.text
    person.refresh_from_db()
    assert person.last_organisation.name == "Pietersen Administratie B.V."


def test_a_switch_in_another_browser_does_not_move_an_open_session(client, person):
    log_in_verified(client, person)
    assert shown_organisation(client.get(GEBRUIKERS)) == "Loonbureau De Vries B.V."
    other_browser = log_in_verified(Client(), person)
    switch_to(other_browser, "Pietersen Administratie B.V.")

    assert shown_organisation(client.get(GEBRUIKERS)) == "Loonbureau De Vries B.V."
    next_session = log_in_verified(Client(), person)
    assert shown_organisation(next_session.get(GEBRUIKERS)) == "Pietersen Administratie B.V."
