"""ASVS V2.2 (anti-automation) and V7 (logging): the lockout locks the guesser, not the office.

Five failures for one username from one address lock that combination; made-up usernames from
one address slow that address down without locking anyone out; the address is the client's as
the trusted proxies report it, never a header an untrusted client sent.
"""

import pytest
from django.urls import reverse

from accounts.constants import LoginOutcome
from accounts.models import LoginEvent
from tests.accounts.test_login import code_for, post_code, post_password
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

OFFICE = "203.0.113.10"
ELSEWHERE = "198.51.100.7"
PROXY = "10.0.0.2"


def from_address(client, address, **headers):
    """Every request of this client comes from `address` (and carries `headers`)."""
    client.defaults.update({"REMOTE_ADDR": address, **headers})
    return client


def logs_in(client, person) -> bool:
    post_password(client, person.username)
    response = post_code(client, code_for(person.totpdevice_set.get()))
    return response.status_code == 302 and response.url == reverse("ketenmachtigingen:overview")


@pytest.fixture
def person(beheerder):
    return beheerder.user


def test_made_up_usernames_from_an_office_do_not_lock_out_its_people(client, person, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 100  # the pace is tested below
    guesser = from_address(client.__class__(), OFFICE)
    for n in range(12):
        assert post_password(guesser, f"verzonnen-{n}", "fout").status_code == 200

    colleague = from_address(client, OFFICE)

    assert logs_in(colleague, person)


def test_five_failures_lock_that_person_at_that_address(client, person):
    guesser = from_address(client.__class__(), OFFICE)
    for _ in range(5):
        post_password(guesser, person.username, "fout")

    locked = post_password(from_address(client, OFFICE), person.username, DEFAULT_PASSWORD)

    assert locked.status_code == 429
    assert "Account tijdelijk geblokkeerd" in locked.content.decode()
    # The same person from another address is not locked out by the guesser.
    assert logs_in(from_address(client.__class__(), ELSEWHERE), person)


def test_failures_from_one_address_pace_it(client, person, settings):
    """Past LOGIN_ADDRESS_FAILURE_LIMIT failures the address gets one attempt per
    LOGIN_ADDRESS_PACE_SECONDS: guessing slows down, nobody is locked out."""
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_PACE_SECONDS = 60
    guesser = from_address(client.__class__(), OFFICE)
    for n in range(4):
        assert post_password(guesser, f"verzonnen-{n}", "fout").status_code == 200

    assert post_password(guesser, "verzonnen-4", "fout").status_code == 200  # its one attempt
    paced = post_password(from_address(client, OFFICE), person.username, DEFAULT_PASSWORD)

    assert paced.status_code == 429
    assert paced["Retry-After"] == "60"
    assert "Even wachten" in paced.content.decode()
    assert LoginEvent.objects.filter(outcome=LoginOutcome.THROTTLED).count() == 1
    # Another address is not slowed down.
    assert logs_in(from_address(client.__class__(), ELSEWHERE), person)


def test_a_forged_header_from_an_untrusted_client_changes_nothing(client, person, settings):
    """Without trusted proxies X-Forwarded-For is ignored: a guesser cannot pose as many
    addresses (to dodge the lockout) nor as the office (to lock it)."""
    settings.TRUSTED_PROXY_COUNT = 0
    guesser = from_address(client.__class__(), ELSEWHERE)
    for n in range(5):
        guesser.defaults["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n}"
        post_password(guesser, person.username, "fout")

    assert post_password(guesser, person.username, DEFAULT_PASSWORD).status_code == 429
    assert set(LoginEvent.objects.values_list("ip_address", flat=True)) == {ELSEWHERE}
    assert logs_in(from_address(client, OFFICE, HTTP_X_FORWARDED_FOR=ELSEWHERE), person)


def test_behind_the_trusted_proxy_the_client_is_the_address_it_reports(client, person, settings):
    """With one proxy (docker-compose's), the client is the last X-Forwarded-For entry; what a
    client put before it is ignored. The login history records that address."""
    settings.TRUSTED_PROXY_COUNT = 1
    guesser = from_address(client.__class__(), PROXY)
    for n in range(5):
        guesser.defaults["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n}, {ELSEWHERE}"
        post_password(guesser, person.username, "fout")

    locked = post_password(guesser, person.username, DEFAULT_PASSWORD)
    colleague = from_address(client, PROXY, HTTP_X_FORWARDED_FOR=OFFICE)

    assert locked.status_code == 429
    assert logs_in(colleague, person)
    addresses = list(LoginEvent.objects.order_by("pk").values_list("ip_address", flat=True))
    assert addresses == [ELSEWHERE] * 6 + [OFFICE]
