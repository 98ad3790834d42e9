"""gebruikers and Mijn profiel."""

import pytest
from django.urls import reverse

from accounts.constants import EHNiveau, LoginFactor, LoginOutcome, Role
from accounts.models import LoginEvent
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_gebruikers_lists_only_the_active_organisations_people(client, verified_login, beheerder):
    MembershipFactory(
        organisation=beheerder.organisation,
        user=UserFactory(initials="K.", tussenvoegsel="de", last_name="Vries"),
        eh_niveau=EHNiveau.EH2,
    )
    MembershipFactory(
        organisation=beheerder.organisation,
        user=UserFactory(initials="L.", last_name="Smit"),
        belastingdienst_only=True,
    )
    MembershipFactory(user=UserFactory(last_name="Buitenstaander"))  # another organisation
    verified_login(beheerder.user)

    content = client.get(reverse("accounts:gebruikers")).content.decode()

    assert "K. de Vries" in content
    assert "L. Smit" in content
    assert "Buitenstaander" not in content
    assert "alleen geschikt is om namens uw bedrijf in te loggen bij de Belastingdienst" in content
    assert "dient de persoon te beschikken over een middel op minimaal niveau EH3" in content
    assert "Beheerder" in content


def test_gebruikers_search_and_htmx_partial(client, verified_login, beheerder):
    MembershipFactory(organisation=beheerder.organisation, user=UserFactory(last_name="Bakker"))
    MembershipFactory(organisation=beheerder.organisation, user=UserFactory(last_name="Visser"))
    verified_login(beheerder.user)

    response = client.get(
        reverse("accounts:gebruikers"), {"zoek": "bakk"}, headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert "Bakker" in content
    assert "Visser" not in content
    assert "<html" not in content  # only the table for htmx
    empty = client.get(reverse("accounts:gebruikers"), {"zoek": "<script>x"}).content.decode()
    assert "Geen gebruikers gevonden voor “&lt;script&gt;x”." in empty


def test_profile_shows_data_and_login_history_newest_first_paginated(
    client, verified_login, beheerder
):
    user = beheerder.user
    for i in range(25):
        LoginEvent.objects.create(
            user=user,
            username=user.username,
            ip_address=f"10.0.0.{i}",
            user_agent="Firefox",
            factor=LoginFactor.TOTP,
            outcome=LoginOutcome.SUCCESS if i % 2 else LoginOutcome.WRONG_CODE,
        )
    LoginEvent.objects.create(
        user=UserFactory(),
        username="someone",
        ip_address="192.0.2.99",
        factor=LoginFactor.PASSWORD,
        outcome=LoginOutcome.WRONG_PASSWORD,
    )
    verified_login(user)

    first = client.get(reverse("accounts:profile")).content.decode()
    second = client.get(reverse("accounts:profile"), {"pagina": 2}).content.decode()

    assert user.display_name in first
    assert user.email in first
    assert beheerder.organisation.name in first
    assert first.index("10.0.0.24") < first.index("10.0.0.23")  # newest first
    assert "<td>10.0.0.5</td>" in first  # 20 a page: 24 down to 5
    assert "<td>10.0.0.4</td>" not in first and "<td>10.0.0.4</td>" in second
    assert "Pagina 1 van 2" in first
    assert "192.0.2.99" not in first + second  # only one's own history
    assert "Onjuiste code" in first and "Gelukt" in first


def test_profile_needs_a_verified_login(client, beheerder):
    client.force_login(beheerder.user)
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_gebruiker_without_beheer_sees_no_gebruikers_list(client, verified_login):
    membership = MembershipFactory(role=Role.GEBRUIKER)
    verified_login(membership.user)
    assert client.get(reverse("accounts:gebruikers")).status_code == 403


def test_person_without_any_middel_gets_the_explanation(client, verified_login):
    user = UserFactory()
    verified_login(user)

    response = client.get(reverse("accounts:gebruikers"))

    assert response.status_code == 403
    assert "U heeft geen actief EH-middel" in response.content.decode()
    assert "Naar het beheer van Z login" not in response.content.decode()


def test_staff_without_a_middel_go_to_the_admin(client, verified_login):
    """A new installation's first staff user, after setting up the second factor, and Z login's
    staff after every login: their work is in the admin."""
    verified_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert response.status_code == 200


def test_staff_with_a_gebruikers_middel_see_the_way_to_the_admin(client, verified_login):
    membership = MembershipFactory(role=Role.GEBRUIKER, user__is_staff=True)
    verified_login(membership.user)

    response = client.get("/", follow=True)

    assert response.status_code == 403
    assert reverse("admin:index") in response.content.decode()
    assert "Naar het beheer van Z login" in response.content.decode()
