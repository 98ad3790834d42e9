"""The login and set-password pages in a real browser: the show-password button (mouse and
keyboard) and the lockout message that says when to try again."""

import datetime
import re
import zoneinfo

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD, BeheerderFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def person():
    user = UserFactory(username="a.pietersen", with_totp_device=True)
    BeheerderFactory(user=user)
    return user


def test_the_password_can_be_shown_and_hidden_by_mouse_and_keyboard(page, person, screenshot):
    page.goto("/inloggen/")
    password = page.get_by_label("Wachtwoord")
    toggle = page.get_by_role("button", name="Toon wachtwoord")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(password).to_have_attribute("type", "password")
    page.get_by_label("Gebruikersnaam").fill("a.pietersen")
    password.fill(DEFAULT_PASSWORD)

    toggle.click()
    expect(password).to_have_attribute("type", "text")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(password).to_have_value(DEFAULT_PASSWORD)
    screenshot("login-wachtwoord-getoond")
    toggle.click()
    expect(password).to_have_attribute("type", "password")
    expect(toggle).to_have_attribute("aria-pressed", "false")

    # The keyboard: Tab from the field reaches the button; Space and Enter press it.
    password.focus()
    page.keyboard.press("Tab")
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    expect(password).to_have_attribute("type", "text")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.set_viewport_size({"width": 375, "height": 700})
    screenshot("login-wachtwoord-toets-375")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.keyboard.press("Enter")  # the button's Enter: no submit
    expect(password).to_have_attribute("type", "password")
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    expect(page.get_by_label("Code")).to_have_count(0)

    # Shown, the password is hidden again when the form is sent; logging in works as before.
    toggle.click()
    expect(password).to_have_attribute("type", "text")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_label("Code")).to_be_visible()
    expect(page.get_by_role("button", name="Toon wachtwoord")).to_have_count(0)


def test_the_form_hides_a_shown_password_as_it_is_sent(page, person):
    page.goto("/inloggen/")
    page.get_by_role("button", name="Toon wachtwoord").click()

    type_when_sent = page.evaluate(
        """() => {
            const input = document.getElementById("id_auth-password");
            input.form.addEventListener("submit", (event) => event.preventDefault());
            input.form.requestSubmit();
            return input.type;
        }"""
    )

    assert type_when_sent == "password"


def test_each_new_password_field_has_its_own_toggle(page, person, screenshot):
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    page.goto(f"/wachtwoord-instellen/{uid}/{default_token_generator.make_token(person)}/")
    new = page.get_by_label("Nieuw wachtwoord", exact=True)
    again = page.get_by_label("Nieuw wachtwoord bevestigen")
    first, second = page.get_by_role("button", name="Toon wachtwoord").all()
    new.fill("Een-heel-nieuw-wachtwoord-9")
    again.fill("Een-heel-nieuw-wachtwoord-9")

    second.click()

    expect(again).to_have_attribute("type", "text")
    expect(new).to_have_attribute("type", "password")
    expect(second).to_have_attribute("aria-pressed", "true")
    expect(first).to_have_attribute("aria-pressed", "false")
    screenshot("wachtwoord-instellen-getoond")
    page.get_by_role("button", name="Sla wachtwoord op").click()
    expect(page.get_by_role("heading", name="Uw wachtwoord is gewijzigd")).to_be_visible()


def test_the_lockout_says_when_to_try_again(page, person, screenshot):
    page.goto("/inloggen/")
    before = datetime.datetime.now(AMSTERDAM)
    for _ in range(5):
        page.get_by_label("Gebruikersnaam").fill("a.pietersen")
        page.get_by_label("Wachtwoord").fill("wrong password")
        page.get_by_role("button", name="Inloggen").click()
    after = datetime.datetime.now(AMSTERDAM)

    expect(page.get_by_role("heading", name="Account tijdelijk geblokkeerd")).to_be_visible()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Uit veiligheid is inloggen 15 minuten geblokkeerd.")
    expect(alert).to_contain_text(
        re.compile(r"U kunt om \d\d:\d\d weer inloggen, over 15 minuten\.")
    )
    [named] = re.findall(r"U kunt om (\d\d:\d\d) weer", alert.inner_text())
    possible = {
        (moment + datetime.timedelta(minutes=15)).strftime("%H:%M") for moment in (before, after)
    }
    assert named in possible
    screenshot("lockout-wanneer")
