"""ASVS V14.4 (HTTP security headers) and V3.3 (session timeouts)."""

import datetime
import time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("ketenmachtigingen:overview")


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_the_portal_allows_only_its_own_scripts(client, verified_login, beheerder):
    verified_login(beheerder.user)

    for response in (client.get(OVERVIEW), client.get(reverse("two_factor:login"))):
        policy = directives(response)
        assert policy["script-src"] == ["'self'"]  # no inline script, no eval
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]


def test_the_admin_allows_django_admins_inline_styles_not_scripts(client, verified_login):
    from tests.factories import UserFactory

    verified_login(UserFactory(is_staff=True, is_superuser=True))

    policy = directives(client.get(reverse("admin:index")))

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]


def test_no_page_carries_an_inline_script(client, verified_login, beheerder):
    """What the policy forbids, the pages do not need (the browser tests also fail on any
    Content-Security-Policy refusal)."""
    verified_login(beheerder.user)
    for url in (OVERVIEW, reverse("ketenmachtigingen:add"), reverse("berichtenbox:list")):
        content = client.get(url).content.decode()
        assert "<script>" not in content and " on" + "click=" not in content


def test_a_session_ends_12_hours_after_the_login_however_active(client, verified_login, beheerder):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        verified_login(beheerder.user)
        assert client.get(OVERVIEW).status_code == 200
        # A request every 10 minutes keeps the idle timeout (15 minutes) from ending it ...
        for _ in range(12 * 6 - 1):
            clock.shift(datetime.timedelta(minutes=10))
            assert client.get(OVERVIEW).status_code == 200
        # ... until 12 hours after the login.
        clock.shift(datetime.timedelta(minutes=10))
        response = client.get(OVERVIEW)

    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor:login"))
    assert "_auth_user_id" not in client.session


def test_an_idle_session_ends_after_15_minutes(client, verified_login, beheerder):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        verified_login(beheerder.user)
        assert client.get(OVERVIEW).status_code == 200
        clock.shift(datetime.timedelta(minutes=16))
        response = client.get(OVERVIEW)

    assert response.status_code == 302


def test_a_logged_in_persons_pages_are_not_cached(client, verified_login, beheerder):
    verified_login(beheerder.user)

    page = client.get(OVERVIEW)
    part = client.get(OVERVIEW, headers={"HX-Request": "true"})

    for response in (page, part):
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("idle", [False, True], ids=["lifetime", "idle"])
def test_an_ended_session_sends_htmx_to_the_login_page(client, verified_login, beheerder, idle):
    """Not a login page swapped into a part of the page: htmx goes to it as a whole."""
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        verified_login(beheerder.user)
        client.get(OVERVIEW)
        for _ in range(1 if idle else 12 * 6):
            clock.shift(datetime.timedelta(minutes=16 if idle else 10))
            response = client.get(OVERVIEW, headers={"HX-Request": "true"})

    assert response.status_code == 200  # htmx follows HX-Redirect with a full page load
    assert response["HX-Redirect"].startswith(reverse("two_factor:login"))


def test_the_api_leaves_a_portal_session_alone(client, verified_login, beheerder):
    """A request to the API that happens to carry the portal's session cookie, past the
    session's lifetime, is answered and does not end the session; the portal does."""
    verified_login(beheerder.user)
    session = client.session
    session["logged_in_at"] = int(time.time()) - 13 * 60 * 60
    session.save()

    api = client.get(reverse("api:health"))
    assert api.status_code == 200
    assert "_auth_user_id" in client.session

    portal = client.get(OVERVIEW)
    assert portal.status_code == 302
    assert "_auth_user_id" not in client.session
