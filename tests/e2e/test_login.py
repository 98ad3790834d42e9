"""Inloggen in a real browser: codes from a second client, logout, lockout, password reset."""

import base64
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import LoginEvent
from tests.browser import oathtool_code
from tests.factories import DEFAULT_PASSWORD, BeheerderFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def device_code(device) -> str:
    return oathtool_code(base64.b32encode(device.bin_key).decode())


@pytest.fixture
def person():
    user = UserFactory(
        username="a.pietersen",
        initials="A.B.M.",
        last_name="Pietersen",
        email="a.pietersen@example.nl",
        with_totp_device=True,
    )
    BeheerderFactory(user=user)
    return user


def fill_password(page, username, password):
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def test_full_login_with_oathtool_code_and_logout(page, person, screenshot):
    page.goto("/")
    fill_password(page, "a.pietersen", DEFAULT_PASSWORD)
    expect(page.get_by_label("Code")).to_be_visible()
    screenshot("login-code")

    page.get_by_label("Code").fill(device_code(person.totpdevice_set.get()))
    page.get_by_role("button", name="Bevestig code").click()

    expect(page.locator(".user-menu summary")).to_contain_text("A.B.M. Pietersen")
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Mijn profiel").click()
    expect(page.get_by_role("heading", name="Inloghistorie")).to_be_visible()
    expect(page.get_by_role("cell", name="OTP-code")).to_be_visible()
    screenshot("mijn-profiel")

    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(r"/inloggen/"))
    page.goto("/gebruikers/")
    expect(page).to_have_url(re.compile(r"/inloggen/\?next=/gebruikers/"))


def test_lockout_after_five_wrong_passwords(page, person, screenshot):
    page.goto("/inloggen/")
    for _ in range(4):
        fill_password(page, "a.pietersen", "wrong password")
        expect(page.get_by_text("Voer een juiste gebruikersnaam en wachtwoord in.")).to_be_visible()
    fill_password(page, "a.pietersen", "wrong password")

    expect(page.get_by_role("heading", name="Account tijdelijk geblokkeerd")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("15 minuten geblokkeerd")
    screenshot("lockout")

    page.goto("/inloggen/")
    fill_password(page, "a.pietersen", DEFAULT_PASSWORD)
    expect(page.get_by_role("heading", name="Account tijdelijk geblokkeerd")).to_be_visible()
    assert LoginEvent.objects.filter(user=person, outcome="locked").count() == 2


def test_password_reset_through_the_link_in_the_mail(page, person, screenshot):
    page.goto("/inloggen/")
    page.get_by_role("link", name="Wachtwoord of gebruikersnaam vergeten >").click()
    expect(page.get_by_role("heading", name="Wachtwoord vergeten")).to_be_visible()
    screenshot("wachtwoord-vergeten")
    page.get_by_label("Gebruikersnaam").fill("a.pietersen")
    page.get_by_role("button", name="Verstuur activatielink").click()
    expect(page.get_by_role("heading", name="Controleer uw e-mail")).to_be_visible()

    assert [m.to for m in mail.outbox] == [["a.pietersen@example.nl"]]
    link = re.search(r"https?://\S+/wachtwoord-instellen/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("Een-heel-nieuw-wachtwoord-9")
    page.get_by_label("Nieuw wachtwoord bevestigen").fill("Een-heel-nieuw-wachtwoord-9")
    page.get_by_role("button", name="Sla wachtwoord op").click()
    expect(page.get_by_role("heading", name="Uw wachtwoord is gewijzigd")).to_be_visible()

    page.get_by_role("link", name="Inloggen").click()
    fill_password(page, "a.pietersen", "Een-heel-nieuw-wachtwoord-9")
    page.get_by_label("Code").fill(device_code(person.totpdevice_set.get()))
    page.get_by_role("button", name="Bevestig code").click()
    expect(page.locator(".user-menu summary")).to_contain_text("A.B.M. Pietersen")

    page.goto(link)  # the link worked once
    expect(page.get_by_text("De activatielink is verlopen of al gebruikt.")).to_be_visible()


def test_person_without_device_sets_one_up_with_the_qr_secret(page, screenshot):
    user = UserFactory(username="n.nieuw", initials="N.", last_name="Nieuw")
    BeheerderFactory(user=user)

    page.goto("/")
    fill_password(page, "n.nieuw", DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(r"/account/two_factor/setup/"))
    page.get_by_role("button", name="Volgende").click()  # welcome
    page.get_by_role("button", name="Volgende").click()  # method: token generator
    expect(page.get_by_role("img", name="QR-code voor uw authenticator-app")).to_be_visible()
    screenshot("tweede-factor-instellen")
    secret = page.get_by_text(re.compile(r"^[A-Z2-7]{16,}$")).inner_text().strip()
    page.get_by_label("Code").fill(oathtool_code(secret))
    page.get_by_role("button", name="Volgende").click()

    page.goto("/gebruikers/")
    expect(page.get_by_role("heading", name="Gebruikers")).to_be_visible()
    assert user.totpdevice_set.filter(confirmed=True).count() == 1
