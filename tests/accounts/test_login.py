"""Inloggen with password and second factor, the lockout, the EH3 gate, logout and idle time."""

import logging
import time

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from two_factor.plugins.phonenumber.models import PhoneDevice

from accounts.constants import EHNiveau, LoginFactor, LoginOutcome, Role
from accounts.models import LoginEvent
from tests.accounts.login_form import LOGIN, code_for, post_code, post_password
from tests.factories import (
    BeheerderFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_login_page_has_the_manuals_labels(client):
    response = client.get(LOGIN)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Inloggen</h1>" in content
    assert '<label for="id_auth-username">Gebruikersnaam</label>' in content
    assert '<label for="id_auth-password">Wachtwoord</label>' in content
    assert "Wachtwoord of gebruikersnaam vergeten &gt;" in content


def test_full_login_with_totp_code_opens_the_portal_and_records_it(client, person):
    client.get(LOGIN)
    key_before = client.session.session_key

    response = post_password(client, person.username)
    assert response.status_code == 200
    assert 'name="token-otp_token"' in response.content.decode()
    assert "_auth_user_id" not in client.session  # not logged in before the code

    response = post_code(client, code_for(person.totpdevice_set.get()))

    assert response.status_code == 302
    assert response.url == reverse("ketenmachtigingen:overview")
    assert client.session["_auth_user_id"] == str(person.pk)
    assert client.session.session_key != key_before  # a new session id at login
    assert client.get(reverse("accounts:gebruikers")).status_code == 200
    event = LoginEvent.objects.get(user=person)
    assert (event.factor, event.outcome, event.ip_address) == (
        LoginFactor.TOTP,
        LoginOutcome.SUCCESS,
        "127.0.0.1",
    )


def test_wrong_password_stays_on_the_form_and_is_recorded(client, person):
    response = post_password(client, person.username, "wrong password")

    assert response.status_code == 200
    assert "Voer een juiste gebruikersnaam en wachtwoord in" in response.content.decode()
    assert "_auth_user_id" not in client.session
    event = LoginEvent.objects.get()
    assert (event.user, event.factor, event.outcome) == (
        person,
        LoginFactor.PASSWORD,
        LoginOutcome.WRONG_PASSWORD,
    )


def test_wrong_code_is_refused_and_recorded(client, person):
    post_password(client, person.username)
    response = post_code(
        client, "000000" if code_for(person.totpdevice_set.get()) != "000000" else "111111"
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert LoginEvent.objects.get().outcome == LoginOutcome.WRONG_CODE


def test_five_wrong_passwords_lock_the_account_for_15_minutes(client, person):
    for _ in range(4):
        response = post_password(client, person.username, "wrong password")
        assert response.status_code == 200
    response = post_password(client, person.username, "wrong password")
    assert response.status_code == 429

    response = post_password(client, person.username)  # the right password, too late

    assert response.status_code == 429
    assert "Account tijdelijk geblokkeerd" in response.content.decode()
    assert "15 minuten" in response.content.decode()
    assert "_auth_user_id" not in client.session
    outcomes = list(LoginEvent.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == [LoginOutcome.WRONG_PASSWORD] * 4 + [LoginOutcome.LOCKED] * 2

    with time_machine.travel(time.time() + 16 * 60):
        response = post_password(client, person.username)
        assert response.status_code == 200
        assert 'name="token-otp_token"' in response.content.decode()


def test_five_wrong_codes_lock_the_account_even_for_a_correct_code(client, person):
    from django.test import Client

    device = person.totpdevice_set.get()
    other_browser = Client()
    post_password(other_browser, person.username)  # passed the password before the lock
    post_password(client, person.username)
    for _ in range(4):
        assert post_code(client, "12345").status_code == 200  # five digits: never valid
    response = post_code(client, "12345")
    assert response.status_code == 429
    assert "Account tijdelijk geblokkeerd" in response.content.decode()

    # Neither a new login nor a correct code in a session that had passed the password works.
    assert post_password(client, person.username).status_code == 429
    assert post_code(other_browser, code_for(device)).status_code == 429
    assert "_auth_user_id" not in other_browser.session
    outcomes = list(LoginEvent.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes[:5] == [LoginOutcome.WRONG_CODE] * 5
    assert LoginOutcome.SUCCESS not in outcomes


def test_person_without_device_is_led_to_set_one_up(client):
    user = UserFactory()
    BeheerderFactory(user=user)

    post_password(client, user.username)

    assert client.session["_auth_user_id"] == str(user.pk)
    response = client.get(reverse("accounts:gebruikers"))
    assert response.status_code == 302
    assert response.url == reverse("two_factor:setup")
    assert client.get(reverse("two_factor:setup")).status_code == 200


def test_portal_pages_need_a_login(client):
    response = client.get(reverse("accounts:gebruikers"))

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_portal_pages_need_a_verified_second_factor(client, person):
    client.force_login(person)  # password only

    response = client.get(reverse("accounts:gebruikers"))

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_admin_needs_a_verified_second_factor(client, verified_login):
    staff = UserFactory(is_staff=True, is_superuser=True, with_totp_device=True)
    client.force_login(staff)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)

    verified_login(staff)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("role", "niveau", "explanation"),
    [
        (Role.BEHEERDER, EHNiveau.EH2_PLUS, "minimaal betrouwbaarheidsniveau 3"),
        (Role.GEBRUIKER, EHNiveau.EH3, "Alleen een Beheerder kan ketenmachtigingen"),
    ],
)
def test_eh3_gate_explains_instead_of_opening(client, verified_login, role, niveau, explanation):
    membership = MembershipFactory(role=role, eh_niveau=niveau)
    verified_login(membership.user)

    response = client.get(reverse("ketenmachtigingen:overview"))

    assert response.status_code == 403
    assert explanation in response.content.decode()


def test_logout_ends_the_session_on_the_server(client, verified_login, person):
    verified_login(person)
    session_key = client.session.session_key

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get(reverse("accounts:gebruikers")).status_code == 302


def test_idle_session_ends_after_15_minutes(client, verified_login, person, settings):
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    verified_login(person)
    start = time.time()

    with time_machine.travel(start + 14 * 60):
        assert client.get(reverse("accounts:gebruikers")).status_code == 200
    # The request at 14 minutes renewed the session: 14 + 14 is still fine.
    with time_machine.travel(start + 28 * 60):
        assert client.get(reverse("accounts:gebruikers")).status_code == 200
    with time_machine.travel(start + 44 * 60):
        response = client.get(reverse("accounts:gebruikers"))
        assert response.status_code == 302
        assert response.url.startswith(LOGIN)


def test_sms_code_goes_to_the_log_and_never_to_the_page(client, caplog):
    user = UserFactory()
    BeheerderFactory(user=user)
    device = PhoneDevice.objects.create(
        user=user, name="default", number="+31612345678", method="sms", confirmed=True
    )

    with caplog.at_level(logging.INFO, logger="zlogin.sms"):
        response = post_password(client, user.username)

    code = str(totp(device.bin_key)).zfill(6)
    assert f"Uw Z login code is {code}" in caplog.text
    assert "+31612345678" in caplog.text
    assert code not in response.content.decode()
    response = post_code(client, code)
    assert response.status_code == 302
    assert LoginEvent.objects.get(outcome=LoginOutcome.SUCCESS).factor == LoginFactor.SMS


def test_switching_organisation_only_to_ones_own(client, verified_login):
    user = UserFactory(with_totp_device=True)
    first = BeheerderFactory(
        user=user, organisation=OrganisationFactory(name="A B.V.")
    ).organisation
    second = BeheerderFactory(
        user=user, organisation=OrganisationFactory(name="B B.V.")
    ).organisation
    foreign = OrganisationFactory(name="C B.V.")
    verified_login(user)

    client.post(reverse("accounts:switch_organisation"), {"organisation": second.pk})
    assert client.session["active_organisation_id"] == second.pk

    response = client.post(
        reverse("accounts:switch_organisation"), {"organisation": foreign.pk}, follow=True
    )
    assert client.session["active_organisation_id"] == second.pk
    assert "U beheert deze organisatie niet." in response.content.decode()
    assert first.pk != second.pk
