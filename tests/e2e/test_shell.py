import re

import pytest
from playwright.sync_api import expect

from tests.factories import (
    DEFAULT_PASSWORD,
    BeheerderFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_page_has_the_manuals_fields(page, screenshot):
    page.goto("/")

    expect(page).to_have_url(re.compile(r"/inloggen/"))
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    expect(page.get_by_label("Gebruikersnaam")).to_be_visible()
    expect(page.get_by_label("Wachtwoord")).to_be_visible()
    expect(page.get_by_role("button", name="Inloggen")).to_be_visible()
    expect(page.get_by_role("link", name="Wachtwoord of gebruikersnaam vergeten >")).to_be_visible()
    screenshot("login")


def test_shell_after_login_shows_organisation_menu_and_user(page, log_in, screenshot):
    user = UserFactory(
        username="a.pietersen", initials="A.B.M.", last_name="Pietersen", with_totp_device=True
    )
    first = OrganisationFactory(name="Pietersen Administratie B.V.")
    second = OrganisationFactory(name="Loonbureau De Vries B.V.")
    BeheerderFactory(user=user, organisation=first)
    BeheerderFactory(user=user, organisation=second)

    log_in("a.pietersen", DEFAULT_PASSWORD, user.totpdevice_set.get())

    nav = page.get_by_role("navigation", name="Hoofdmenu")
    for item in ["gebruikers", "machtigingen", "van relaties", "afgegeven", "groepen"]:
        expect(nav.get_by_role("link", name=item, exact=True)).to_be_visible()
    expect(page.locator(".user-menu summary")).to_contain_text("A.B.M. Pietersen")
    switcher = page.get_by_label("Organisatie", exact=True)
    expect(switcher).to_have_value(str(second.pk))  # alphabetical: Loonbureau comes first
    screenshot("shell")

    switcher.select_option(str(first.pk))
    expect(page.get_by_label("Organisatie", exact=True)).to_have_value(str(first.pk))

    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(r"/inloggen/"))
