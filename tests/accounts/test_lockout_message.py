"""The lockout page says when the person can log in again, from the configured cool-off."""

import datetime
import zoneinfo
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from .login_form import code_for, post_code, post_password

pytestmark = pytest.mark.django_db

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
# 14:00 in Amsterdam (CET).
START = datetime.datetime(2026, 3, 10, 14, 0, tzinfo=AMSTERDAM)


def lock(client, person):
    for _ in range(5):
        response = post_password(client, person.username, "wrong password")
    assert response.status_code == 429
    return response


def test_the_lockout_says_until_when(client, person):
    with time_machine.travel(START, tick=False):
        response = lock(client, person)

    content = response.content.decode()
    assert "Uit veiligheid is inloggen 15 minuten geblokkeerd." in content
    assert "U kunt om 14:15 weer inloggen, over 15 minuten." in content
    assert "Een nieuwe poging voor die tijd kan de blokkade verlengen." in content
    assert response["Retry-After"] == "900"


def test_an_attempt_during_the_lock_moves_the_time_it_names(client, person):
    """django-axes starts the cool-off again at each attempt during the lock: the page says so,
    and names the new time, which is when the lock really ends."""
    with time_machine.travel(START, tick=False):
        lock(client, person)
    with time_machine.travel(START + timedelta(minutes=10), tick=False):
        response = post_password(client, person.username)  # the right password, too soon
    assert response.status_code == 429
    assert "U kunt om 14:25 weer inloggen, over 15 minuten." in response.content.decode()

    with time_machine.travel(START + timedelta(minutes=24, seconds=59), tick=False):
        assert post_password(Client(), person.username).status_code == 429
    with time_machine.travel(START + timedelta(minutes=40), tick=False):
        response = post_password(client, person.username)
    assert response.status_code == 200
    assert 'name="token-otp_token"' in response.content.decode()


def test_a_code_after_the_lock_names_the_time_left(client, person):
    """A session that passed the password before the lock: its code is refused, and the page
    counts down to the same end."""
    other_browser = Client()
    with time_machine.travel(START, tick=False):
        post_password(other_browser, person.username)
        lock(client, person)
    with time_machine.travel(START + timedelta(minutes=10, seconds=30), tick=False):
        response = post_code(other_browser, code_for(person.totpdevice_set.get()))

    assert response.status_code == 429
    assert "U kunt om 14:15 weer inloggen, over 5 minuten." in response.content.decode()
    assert response["Retry-After"] == "300"


def test_the_configured_cool_off_is_the_one_named(client, person, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    with time_machine.travel(START, tick=False):
        response = lock(client, person)

    content = response.content.decode()
    assert "Uit veiligheid is inloggen 1 minuut geblokkeerd." in content
    assert "U kunt om 14:01 weer inloggen, over 1 minuut." in content


def test_the_lockout_in_english(client, person):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    with time_machine.travel(START, tick=False):
        response = lock(client, person)

    content = response.content.decode()
    assert "logging in has been blocked for 15 minutes." in content
    assert "You can log in again at 14:15, in 15 minutes." in content
    assert "Trying again before then may extend the block." in content


def test_the_username_lock_from_many_addresses_names_a_time_too(person, settings):
    """accounts/throttle.py's lock has no axes record at the stranger's address: the page names
    the longest it can last."""
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 2
    with time_machine.travel(START, tick=False):
        for n in range(3):
            post_password(Client(REMOTE_ADDR=f"192.0.2.{n}"), person.username, "wrong")
        response = post_password(Client(REMOTE_ADDR="198.51.100.7"), person.username)

    assert response.status_code == 429
    assert "U kunt om 14:15 weer inloggen, over 15 minuten." in response.content.decode()
