"""The admin is for Z login staff with a verified second factor: everyone else goes to login."""

import pytest
from django.urls import reverse

from tests.factories import KetenmachtigingFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:ketenmachtigingen_ketenmachtiging_changelist")
LOGIN = reverse("two_factor:login")


def action_url(km, name="mark_received"):
    return reverse(f"admin:ketenmachtigingen_ketenmachtiging_{name}", args=[km.pk])


def assert_sent_to_login(client, url, *, method="get"):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login") + "?next=")
    # The admin's login page is the site's two-factor login.
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN + "?next=")


@pytest.mark.parametrize("name", ["mark_received", "mark_incomplete", "mark_failed", "activate"])
def test_staff_without_a_verified_second_factor_is_sent_to_login(client, name):
    staff = UserFactory(is_staff=True, is_superuser=True, with_totp_device=True)
    client.force_login(staff)  # password only: no device verified in this session
    km = KetenmachtigingFactory()

    assert_sent_to_login(client, CHANGELIST)
    assert_sent_to_login(client, action_url(km, name))
    assert_sent_to_login(client, action_url(km, name), method="post")
    km.refresh_from_db()
    assert km.status == "aanvraag_verstuurd"
    assert km.events.count() == 0


def test_a_verified_person_who_is_not_staff_is_sent_to_login(client, verified_login):
    verified_login(UserFactory(with_totp_device=True))
    km = KetenmachtigingFactory()

    assert_sent_to_login(client, CHANGELIST)
    assert_sent_to_login(client, action_url(km), method="post")
    assert km.events.count() == 0


def test_anonymous_is_sent_to_login(client):
    assert_sent_to_login(client, CHANGELIST)


def test_verified_staff_gets_in(admin_client):
    assert admin_client.get(CHANGELIST).status_code == 200
