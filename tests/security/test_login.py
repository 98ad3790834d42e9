"""ASVS V2.2 (anti-automation) and V7 (logging): lock the guesser, not the office.

Five failures for one username from one address lock that combination. An address that fails
often is paced and a username guessed at from many addresses is locked, but only for browsers
the person never logged in with (a signed device cookie): the people behind that address, and
the person guessed at, log in as usual. The address is the client's as the trusted proxies
report it, never what an untrusted client writes in a header.
"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.constants import LoginOutcome
from accounts.models import LoginEvent
from accounts.throttle import DEVICE_COOKIE
from tests.accounts.login_form import code_for, post_code, post_password
from tests.factories import DEFAULT_PASSWORD, BeheerderFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

OFFICE = "203.0.113.10"
ELSEWHERE = "198.51.100.7"
PROXY = "10.0.0.2"


def browser(address, **headers) -> Client:
    """A browser whose requests come from `address` (and carry `headers`)."""
    return Client(REMOTE_ADDR=address, **headers)


def logs_in(client, person) -> bool:
    post_password(client, person.username)
    response = post_code(client, code_for(person.totpdevice_set.get()))
    return response.status_code == 302 and response.url == reverse("ketenmachtigingen:overview")


def gets_past_the_password(client, person) -> bool:
    """The password is accepted and the code is asked for: not paced, not locked. (Logging in
    twice within 30 seconds would need a second TOTP code: a code works once.)"""
    response = post_password(client, person.username)
    return response.status_code == 200 and 'name="token-otp_token"' in response.content.decode()


def guess(client, username, times=1):
    return [post_password(client, username, "fout").status_code for _ in range(times)]


@pytest.fixture
def colleague():
    user = UserFactory(with_totp_device=True)
    BeheerderFactory(user=user, organisation=OrganisationFactory(intermediair=True))
    return user


def test_made_up_usernames_from_an_office_do_not_lock_out_its_people(person, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 100  # the pace: below
    guesser = browser(OFFICE)
    for n in range(12):
        assert guess(guesser, f"verzonnen-{n}") == [200]

    assert logs_in(browser(OFFICE), person)


def test_five_failures_lock_that_person_at_that_address(person):
    guess(browser(OFFICE), person.username, times=5)

    locked = post_password(browser(OFFICE), person.username, DEFAULT_PASSWORD)

    assert locked.status_code == 429
    assert "Account tijdelijk geblokkeerd" in locked.content.decode()
    assert logs_in(browser(ELSEWHERE), person)  # the same person elsewhere is not locked out


def test_an_address_that_fails_often_is_paced_except_for_known_browsers(
    person, colleague, settings
):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_PACE_SECONDS = 60
    known = browser(OFFICE)
    assert logs_in(known, colleague)  # this browser is the colleague's from now on
    assert DEVICE_COOKIE in known.cookies
    guesser = browser(OFFICE)
    assert guess(guesser, "verzonnen-1", times=4) == [200] * 4  # the 4th passes the limit

    paced = post_password(guesser, "verzonnen-2", "fout")
    stranger = post_password(browser(OFFICE), person.username, DEFAULT_PASSWORD)

    assert (paced.status_code, paced["Retry-After"]) == (429, "60")
    assert "Even wachten" in paced.content.decode()
    assert stranger.status_code == 429
    assert gets_past_the_password(known, colleague)  # the colleague's own browser: not paced
    assert logs_in(browser(ELSEWHERE), person)  # nor is another address
    # One line in the login history per pace, not one per attempt of a script.
    guess(guesser, "verzonnen-2", times=3)
    assert LoginEvent.objects.filter(outcome=LoginOutcome.THROTTLED).count() == 2


def test_a_successful_login_does_not_make_the_next_wait(person, colleague, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 0  # any failure paces
    settings.LOGIN_ADDRESS_PACE_SECONDS = 60

    assert logs_in(browser(OFFICE), person)
    assert logs_in(browser(OFFICE), colleague)


def test_the_code_step_is_not_paced(person, settings):
    """Someone who passed the password step goes on to the code, whatever happens meanwhile."""
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 0
    settings.LOGIN_ADDRESS_PACE_SECONDS = 60
    client = browser(OFFICE)
    post_password(client, person.username)
    guess(browser(OFFICE), "verzonnen")

    response = post_code(client, code_for(person.totpdevice_set.get()))

    assert response.status_code == 302
    assert response.url == reverse("ketenmachtigingen:overview")


def test_one_username_guessed_from_many_addresses_is_locked_for_unknown_browsers(person, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 4
    own = browser(OFFICE)
    assert logs_in(own, person)
    for n in range(5):
        guess(browser(f"192.0.2.{n}"), person.username)

    stranger = post_password(browser(ELSEWHERE), person.username, DEFAULT_PASSWORD)

    assert stranger.status_code == 429
    assert "Account tijdelijk geblokkeerd" in stranger.content.decode()
    assert gets_past_the_password(own, person)  # the person's own browser is not locked out


def test_a_forged_header_from_an_untrusted_client_changes_nothing(person, settings):
    """X-Forwarded-For is believed only from a trusted proxy: a guesser cannot pose as many
    addresses (to dodge the lockout) nor as the office (to lock it)."""
    settings.TRUSTED_PROXIES = [PROXY]
    guesser = browser(ELSEWHERE)
    for n in range(5):
        guesser.defaults["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n}"
        guess(guesser, person.username)

    assert post_password(guesser, person.username, DEFAULT_PASSWORD).status_code == 429
    assert set(LoginEvent.objects.values_list("ip_address", flat=True)) == {ELSEWHERE}
    assert logs_in(browser(OFFICE, HTTP_X_FORWARDED_FOR=ELSEWHERE), person)


def test_behind_a_trusted_proxy_the_client_is_the_address_it_saw(person, settings):
    """The client is the first address from the right that is no trusted proxy; what a client
    put before it is ignored. The login history records that address."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    guesser = browser(PROXY)
    for n in range(5):
        guesser.defaults["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n}, {ELSEWHERE}, 10.0.0.9"
        guess(guesser, person.username)

    locked = post_password(guesser, person.username, DEFAULT_PASSWORD)
    colleague = browser(PROXY, HTTP_X_FORWARDED_FOR=f"{OFFICE}:50123")

    assert locked.status_code == 429
    assert logs_in(colleague, person)
    addresses = list(LoginEvent.objects.order_by("pk").values_list("ip_address", flat=True))
    assert addresses == [ELSEWHERE] * 6 + [OFFICE]


def test_only_a_trusted_proxy_says_the_request_was_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXIES = [PROXY]
    login = reverse("two_factor:login")

    from_proxy = browser(PROXY, HTTP_X_FORWARDED_PROTO="https").get(login)
    from_client = browser(ELSEWHERE, HTTP_X_FORWARDED_PROTO="https").get(login)

    assert from_proxy.status_code == 200
    assert from_client.status_code == 301 and from_client.url.startswith("https://")


def test_ipv4_seen_as_ipv6_is_counted_as_ipv4(person):
    guess(browser(f"::ffff:{OFFICE}"), person.username, times=5)

    assert post_password(browser(OFFICE), person.username, DEFAULT_PASSWORD).status_code == 429
    assert set(LoginEvent.objects.values_list("ip_address", flat=True)) == {OFFICE}


def test_ipv6_is_locked_by_its_64(person):
    """One subscriber holds a whole /64: changing the last bits changes nothing."""
    for n in range(5):
        guess(browser(f"2001:db8:1:2::{n + 1}"), person.username)

    locked = post_password(browser("2001:db8:1:2::99"), person.username, DEFAULT_PASSWORD)

    assert locked.status_code == 429
    assert logs_in(browser("2001:db8:1:3::1"), person)
