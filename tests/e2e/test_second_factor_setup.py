"""Setting up the second factor in a real browser, in Dutch and in English: the steps, a wrong
code, the app's code from the secret shown, the page that confirms it and the backup codes."""

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser import totp_now
from tests.factories import DEFAULT_PASSWORD, BeheerderFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "nl": {
        "username": "Gebruikersnaam",
        "password": "Wachtwoord",
        "log_in": "Inloggen",
        "next": "Volgende",
        "app": "Authenticator-app",
        "wrong": "Deze code is onjuist. Controleer of u de code goed hebt ingevuld.",
        "done": "Tweede factor ingesteld",
        "backup": "Reservecodes",
        "create": "Maak reservecodes aan",
        "keep": "Print deze codes of bewaar ze op een veilige plek.",
        "profile": "Mijn profiel",
        "confirm": "Bevestig code",
        "invalid": "Deze code is onjuist. Controleer of u de code goed hebt ingevuld.",
    },
    "en": {
        "username": "Username",
        "password": "Password",
        "log_in": "Log in",
        "next": "Next",
        "app": "Token generator",
        "wrong": "Entered token is not valid.",
        "done": "Second factor set up",
        "backup": "Backup codes",
        "create": "Create backup codes",
        "keep": "Print these codes or keep them in a safe place.",
        "profile": "My profile",
        "confirm": "Confirm code",
        "invalid": "Invalid token. Please make sure you have entered it correctly.",
    },
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_setting_up_the_app_and_backup_codes(page, live_server, screenshot, language):
    words = WORDS[language]
    user = UserFactory(username="nieuw")
    BeheerderFactory(user=user)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )

    page.goto("/inloggen/")
    page.get_by_label(words["username"]).fill("nieuw")
    page.get_by_label(words["password"], exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=words["log_in"]).click()
    screenshot(f"second-factor-{language}-1-welcome")
    page.get_by_role("button", name=words["next"]).click()
    expect(page.get_by_label(words["app"])).to_be_checked()
    screenshot(f"second-factor-{language}-2-method")
    page.get_by_role("button", name=words["next"]).click()

    qr_code = page.locator("main img")
    expect(qr_code).to_have_js_property("complete", True)
    assert qr_code.evaluate("image => image.naturalWidth") > 0
    secret = page.locator("main code").inner_text()
    page.get_by_label("Code").fill("1")
    page.get_by_role("button", name=words["next"]).click()
    expect(page.get_by_text(words["wrong"])).to_be_visible()
    expect(qr_code).to_have_js_property("complete", True)
    screenshot(f"second-factor-{language}-3-wrong-code")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name=words["next"]).click()

    expect(page.get_by_role("heading", name=words["done"])).to_be_visible()
    screenshot(f"second-factor-{language}-4-done")
    page.get_by_role("link", name=words["backup"]).click()
    page.get_by_role("button", name=words["create"]).click()
    expect(page.get_by_text(words["keep"])).to_be_visible()
    expect(page.locator("main li code")).to_have_count(10)
    screenshot(f"second-factor-{language}-5-backup-codes")
    page.locator(".breadcrumb").get_by_role("link", name=words["profile"]).click()
    expect(page.get_by_role("heading", name=words["profile"], exact=True)).to_be_visible()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_wrong_code_at_login_is_explained(page, live_server, screenshot, language):
    words = WORDS[language]
    user = UserFactory(username="bekend", with_totp_device=True)
    BeheerderFactory(user=user)
    current = totp_now(user.totpdevice_set.get().key)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )

    page.goto("/inloggen/")
    page.get_by_label(words["username"]).fill("bekend")
    page.get_by_label(words["password"], exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=words["log_in"]).click()
    page.get_by_label("Code").fill("000000" if current != "000000" else "111111")
    page.get_by_role("button", name=words["confirm"]).click()

    expect(page.get_by_role("alert")).to_have_text(words["invalid"])
    screenshot(f"second-factor-{language}-6-login-wrong-code")
